// The table of calls (lib/calls.ts) against everything that must agree with it: the addon's exports,
// both APIs, the tracer, fault injection, the hints, the wrappers' TSDoc and the README. Adding a call
// and forgetting one of these fails here, with a message that says which.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as bsdsock from 'bsdsock';
import * as promises from 'bsdsock/promises';
import { CALLS, HELPERS, callEntry, callsTable, manUrl, type CallEntry, type CallName } from '../lib/calls';
import { native } from '../lib/native';
import { root } from './helpers/build';

const entries = Object.entries(CALLS) as [CallName, CallEntry][];
const helpers: readonly string[] = HELPERS;

// An exported class (a struct, a holder) is a function too; only plain functions are calls.
function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

function exportedFunctions(api: Record<string, unknown>): string[] {
  return Object.keys(api).filter((name) => typeof api[name] === 'function' && !isClass(api[name]));
}

// What the addon exports besides the calls themselves, and why.
const ADDON_INTERNALS: Readonly<Record<string, string>> = {
  cmsgNext: "CMSG_FIRSTHDR/CMSG_NXTHDR's walk over a control buffer",
  setsockoptFprog: 'setsockopt with a sock_fprog, whose struct (and filter pointer) the addon builds',
  getaddrinfoAsync: 'getaddrinfo of bsdsock/promises, on the thread pool',
  getnameinfoAsync: 'getnameinfo of bsdsock/promises, on the thread pool',
  gethostbynameAsync: 'gethostbyname of bsdsock/promises, on the thread pool',
  gethostbyaddrAsync: 'gethostbyaddr of bsdsock/promises, on the thread pool',
  getservbynameAsync: 'getservbyname of bsdsock/promises, on the thread pool',
  getservbyportAsync: 'getservbyport of bsdsock/promises, on the thread pool',
  fdSet: 'FD_SET, FD_CLR and FD_ISSET, one function with the operation as its first argument',
  sendSlots: 'send with its integers in the shared slots (native/slots.cc), for int32 arguments',
  recvSlots: 'recv with its integers in the shared slots, for int32 arguments',
  readSlots: 'read with its integers in the shared slots, for int32 arguments',
  writeSlots: 'write with its integers in the shared slots, for int32 arguments',
  acceptSlots: 'accept(fd, NULL, NULL) with fd in the shared slots, for an int32 descriptor',
  closeSlots: 'close with fd in the shared slots, for an int32 descriptor',
};

describe('every export is a call of the table or a named helper', () => {
  test.each([
    ['bsdsock', bsdsock as unknown as Record<string, unknown>],
    ['bsdsock/promises', promises as unknown as Record<string, unknown>],
  ])('%s', (_api, api) => {
    const unknown = exportedFunctions(api).filter((name) => callEntry(name) === undefined && !helpers.includes(name));
    expect(unknown).toEqual([]);
  });

  test("every function of the addon is a call of the table, or one of the addon's own internals", () => {
    const addon = native as unknown as Record<string, unknown>;
    const functions = Object.keys(addon).filter((name) => typeof addon[name] === 'function');
    expect(functions.length).toBeGreaterThan(20);
    const missing = functions.filter((name) => callEntry(name) === undefined && ADDON_INTERNALS[name] === undefined);
    expect(missing).toEqual([]);
  });

  test('every call of the table is exported by bsdsock, and by bsdsock/promises exactly when the table says so', () => {
    const sync = bsdsock as unknown as Record<string, unknown>;
    const async = promises as unknown as Record<string, unknown>;
    for (const [name, e] of entries) {
      // A call the platform lacks (accept4 on macOS, epoll off Linux) is undefined in both APIs alike.
      const addon = native as unknown as Record<string, unknown>;
      const present = e.kind === 'library' || typeof addon[name] === 'function';
      expect([name, typeof sync[name]]).toEqual([name, present ? 'function' : 'undefined']);
      expect([name, typeof async[name] === 'function']).toEqual([name, e.promises && present]);
    }
  });

  test('every helper is exported by one of the APIs', () => {
    for (const name of helpers) {
      const found = [bsdsock, promises].some((api) => typeof (api as Record<string, unknown>)[name] === 'function');
      expect([name, found]).toEqual([name, true]);
    }
  });
});

describe('each entry says what the other parts need', () => {
  test.each(entries)('%s', (name, e) => {
    expect(e.man).toMatch(/^[a-z_0-9]+\([23]\)$/);
    expect(e.returns.length).toBeGreaterThan(0);
    expect(e.params.length).toBeGreaterThan(0);
    for (const out of e.out) expect(e.params).toContain(out);
    // Traced: every system call and the resolver has a line format; a library function has none.
    expect([name, typeof e.text]).toEqual([name, e.kind === 'library' ? 'undefined' : 'function']);
    // A call that may block is traced as start and rest; only system calls block.
    if (e.blocks) expect(e.kind).toBe('syscall');
    // Fault injection: every system call but close; its validate-only index is past its parameters.
    expect([name, e.fault !== null]).toEqual([name, e.kind === 'syscall' && name !== 'close']);
    if (e.fault !== null && e.fault.validateAt >= 0) expect(e.fault.validateAt).toBeGreaterThanOrEqual(e.params.length);
    if (e.fault?.short === true) expect(['len', 'count']).toContain(e.params[2]);
    if (e.hintsOf !== undefined) expect(callEntry(e.hintsOf)).toBeDefined();
  });
});

// The TSDoc of each wrapper, read from the sources: `export function name` or `export const name`.
function docOf(file: string, name: string): string | undefined {
  const text = fs.readFileSync(path.join(root, 'lib', file), 'utf8');
  const at = new RegExp(`\\*/\\nexport (?:function|const) ${name}\\b`).exec(text);
  if (at === null) return undefined;
  return text.slice(text.lastIndexOf('/**', at.index), at.index);
}

const libFiles = fs.readdirSync(path.join(root, 'lib')).filter((f) => f.endsWith('.ts') && f !== 'calls.ts');

describe("each wrapper's TSDoc cites the table's man page", () => {
  test.each(entries)('%s', (name, e) => {
    const docs = libFiles.map((f) => [f, docOf(f, name)] as const).filter(([, d]) => d !== undefined);
    // The synchronous wrapper, and the promises one where there is one of its own.
    expect(docs.length).toBeGreaterThanOrEqual(1);
    for (const [file, doc] of docs) {
      expect([file, name, doc!.includes(`@see ${manUrl(e.man)}`)]).toEqual([file, name, true]);
    }
  });
});

test('fault injection accepts exactly the calls the table lets it fault', () => {
  for (const [name, e] of entries) {
    const rule = { call: name as never, errno: 'EINTR', times: 1 };
    if (e.fault === null || (native as unknown as Record<string, unknown>)[name] === undefined) {
      expect(() => bsdsock.faults([rule])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    } else {
      expect(() => bsdsock.faults([rule])).not.toThrow();
    }
    bsdsock.faults(null);
  }
});

test('every call the hints cover is a call of the table', () => {
  const covered = Object.keys(bsdsock.hintTable()).filter((call) => call !== '*');
  expect(covered.filter((call) => callEntry(call) === undefined)).toEqual([]);
  // The hint names the table's man page.
  const h = bsdsock.hint('recvfrom', bsdsock.ECONNRESET);
  expect(h?.man).toBe('recvfrom(2)');
});

test("the README's table of calls is the table's (npm run readme:calls writes it)", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /<!-- calls:begin -->\n([\s\S]*?)<!-- calls:end -->/.exec(readme);
  expect(block).not.toBeNull();
  expect(block![1]).toBe(callsTable() + '\n');
  for (const [name] of entries) expect(block![1]).toContain(`| \`${name}(`);
});
