// The ledger: openSockets() after a leak and after a close, what each call records, and the traced
// warnings for a double close and for an exit with sockets open (those two in a child process, where
// closing a descriptor twice cannot hit one the test runner opened in between).
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AF_INET,
  AF_UNIX,
  F_DUPFD_CLOEXEC,
  SOCK_CLOEXEC,
  SOCK_STREAM,
  accept,
  accept4,
  close,
  connect,
  fcntl,
  openSockets,
  sizeof,
  socket,
  socketpair,
  trace,
} from 'bsdsock';
import * as promises from 'bsdsock/promises';
import { tempDir } from './helpers/build';
import { runNodeOk } from './helpers/child';
import { Fds } from './helpers/fds';

const fds = new Fds();
let lines: string[] = [];

afterEach(() => {
  trace(false);
  fds.closeAll();
});

/** Tracing on, into `lines`. */
function traceToLines(): void {
  lines = [];
  trace({ write: (s: string) => lines.push(s) });
}

/** The line of the caller's call of this function, as the stack reports it. */
function lineNow(): number {
  const frame = (new Error().stack ?? '').split('\n')[2];
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

const here = path.relative(process.cwd(), __filename);
// With neither tracing nor BSDSOCK_LEDGER=1, no stack is captured.
const sitesAlways = process.env.BSDSOCK_LEDGER === '1';

function entry(fd: number): ReturnType<typeof openSockets>[number] | undefined {
  return openSockets().find((s) => s.fd === fd);
}

describe('openSockets', () => {
  test('a socket left open is listed with where it was made; closed, it is gone', () => {
    traceToLines();
    const [fd, line] = [fds.add(socket(AF_INET, SOCK_STREAM, 0)), lineNow()];
    expect(entry(fd)).toEqual({ fd, call: 'socket', createdAt: `${here}:${line}` });
    expect(fds.close(fd)).toBe(0);
    expect(entry(fd)).toBeUndefined();
    expect(lines.join('')).not.toContain('warning');
  });

  test('with tracing off, the descriptor is listed without a site', () => {
    const [fd, line] = [fds.add(socket(AF_INET, SOCK_STREAM, 0)), lineNow()];
    expect(entry(fd)).toEqual({ fd, call: 'socket', createdAt: sitesAlways ? `${here}:${line}` : undefined });
    fds.close(fd);
    expect(entry(fd)).toBeUndefined();
  });

  test('accept, accept4, socketpair and fcntl(F_DUPFD_CLOEXEC) are recorded as such, in fd order', () => {
    traceToLines();
    const { fd: listener, addr } = fds.listener();
    const c1 = fds.socket(AF_INET, SOCK_STREAM);
    const c2 = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(c1, addr, sizeof(addr))).toBe(0);
    expect(connect(c2, addr, sizeof(addr))).toBe(0);
    const a1 = fds.add(accept(listener, null, null));
    const a2 = accept4 === undefined ? null : fds.add(accept4(listener, null, null, SOCK_CLOEXEC));
    const sv = new Int32Array(2);
    expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
    fds.add(sv[0]);
    fds.add(sv[1]);
    const dup = fds.add(fcntl(sv[0], F_DUPFD_CLOEXEC, 0));

    expect(entry(a1)?.call).toBe('accept');
    if (a2 !== null) expect(entry(a2)?.call).toBe('accept4');
    expect(entry(sv[0])?.call).toBe('socketpair');
    expect(entry(sv[1])?.call).toBe('socketpair');
    expect(entry(dup)?.call).toBe('fcntl(F_DUPFD_CLOEXEC)');
    expect(entry(dup)?.createdAt).toMatch(new RegExp(`^${here.replace(/[.]/g, '\\.')}:\\d+$`));
    const listed = openSockets().map((s) => s.fd);
    expect(listed).toEqual([...listed].sort((x, y) => x - y));
  });

  test('the promises accept is recorded where the program called it', async () => {
    traceToLines();
    const { fd: listener, addr } = fds.listener();
    const c = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(c, addr, sizeof(addr))).toBe(0);
    const [pending, line] = [promises.accept(listener, null, null), lineNow()];
    const fd = fds.add(await pending);
    expect(entry(fd)).toEqual({ fd, call: 'accept', createdAt: `${here}:${line}` });
  });

  test('a close that fails on a number never opened is no close: a second one gets no warning', () => {
    traceToLines();
    expect(close(-1)).toBe(-1);
    expect(close(-1)).toBe(-1);
    expect(lines.join('')).not.toContain('warning');
  });

  test('a descriptor closed once, with tracing on, gets no warning', () => {
    traceToLines();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    fds.close(fd);
    expect(lines.join('')).toBe(`socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = ${fd}\nclose(${fd}) = 0\n`);
  });
});

describe('warnings of the traced ledger, in a child process', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('ledger');
  });
  afterAll(() => tmp.remove());

  /** Runs `body` as a script file (so its frames have a path) with `bsdsock` bound to the compiled lib. */
  function runScript(name: string, body: string[], env: Record<string, string>): { stdout: string; stderr: string } {
    const file = tmp.path(name);
    writeFileSync(file, ['const b = require(process.env.BSDSOCK);', ...body, ''].join('\n'));
    return runNodeOk({ file }, { env: { BSDSOCK_TRACE: '', BSDSOCK_LEDGER: '', ...env } });
  }

  test('a second close of one descriptor warns, naming where the first close was', () => {
    const { stderr } = runScript(
      'double-close.js',
      [
        'const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);', // line 2
        'b.close(fd);', // line 3
        'b.close(fd);', // line 4
        // The lowest free number again: reopened by this package, so its close is no second close.
        'const again = b.socket(b.AF_INET, b.SOCK_STREAM, 0);',
        'b.close(again);',
      ],
      { BSDSOCK_TRACE: '1' },
    );
    const file = tmp.path('double-close.js');
    const fd = Number(/= (\d+)\n/.exec(stderr)![1]);
    expect(stderr.split('\n')).toEqual([
      `socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = ${fd}`,
      `close(${fd}) = 0`,
      `close(${fd}) = -1 EBADF (Bad file descriptor)`,
      `+++ warning: close(${fd}): descriptor ${fd} was already closed at ${file}:3 +++`,
      `socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = ${fd}`,
      `close(${fd}) = 0`,
      '',
    ]);
  });

  test('an exit with sockets open warns once, listing each with its call and site', () => {
    const { stderr } = runScript(
      'leak.js',
      [
        'const a = b.socket(b.AF_INET, b.SOCK_STREAM, 0);', // line 2
        'const sv = [0, 0];', // line 3
        'b.socketpair(b.AF_UNIX, b.SOCK_STREAM, 0, sv);', // line 4
        'b.close(sv[1]);',
        'console.log(JSON.stringify([a, sv[0]]));',
      ],
      { BSDSOCK_TRACE: '1' },
    );
    const file = tmp.path('leak.js');
    const all = stderr.trimEnd().split('\n');
    const warnings = all.filter((l) => l.includes('warning'));
    const sock = Number(/^socket\(.*\) = (\d+)$/m.exec(stderr)![1]);
    const pair = /^socketpair\(.*\[(\d+), (\d+)\]\) = 0$/m.exec(stderr)!;
    expect(warnings).toEqual([
      `+++ warning: exiting with 2 sockets open: ${sock} (socket at ${file}:2), ` +
        `${pair[1]} (socketpair at ${file}:4) +++`,
    ]);
    expect(all[all.length - 1]).toBe(warnings[0]);
  });

  test('BSDSOCK_LEDGER=1 without tracing: sites recorded, nothing written', () => {
    const { stdout, stderr } = runScript(
      'ledger-only.js',
      [
        'const a = b.socket(b.AF_INET, b.SOCK_STREAM, 0);', // line 2
        'console.log(JSON.stringify(b.openSockets()));',
        'b.close(a);',
        'b.close(a);',
        'console.log(JSON.stringify(b.openSockets()));',
      ],
      { BSDSOCK_LEDGER: '1' },
    );
    const file = tmp.path('ledger-only.js');
    const [before, after] = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(before).toEqual([{ fd: expect.any(Number), call: 'socket', createdAt: `${file}:2` }]);
    expect(after).toEqual([]);
    expect(stderr).toBe('');
  });

  test('without either, a leak at exit is silent and sites are not kept', () => {
    const { stdout, stderr } = runScript(
      'silent.js',
      ['b.socket(b.AF_INET, b.SOCK_STREAM, 0);', 'console.log(JSON.stringify(b.openSockets()));'],
      {},
    );
    expect(JSON.parse(stdout)).toEqual([{ fd: expect.any(Number), call: 'socket' }]);
    expect(stderr).toBe('');
  });
});
