// The run: which functions it calls and how often, one call of either API with its checks, what
// happens between calls (stir), and the end-of-run checks (every operation settled, no descriptor or
// poll handle left).
import * as S from '../../lib/index';
import * as P from '../../lib/promises';
import { describe, note } from './describe';
import {
  checkRejection,
  checkResult,
  checkThrow,
  errnoChanged,
  resetErrno,
  thrownText,
  type Operation,
} from './checks';
import {
  adopt,
  closeOwned,
  fixture,
  forget,
  inet4,
  isLasting,
  makeFixtures,
  openFds,
  owned,
  type FdClass,
} from './fixtures';
import {
  checkMemory,
  collectMemory,
  genBuffer,
  isA,
  isResizable,
  shrink,
  u8Of,
  unknownWindows,
  type Snapshot,
  type Window,
} from './memory';
import { opts, reproduceCommand } from './options';
import { failures, fail, FuzzerOwnError, outcomes, state, tally } from './report';
import { chance, int, pick, rand } from './rng';
import {
  adoptFrom,
  entryOf,
  isResolver,
  resultOf,
  restoreTrace,
  sanitizeArgs,
  tableProblems,
  TABLE,
  writeWindows,
  type Api,
  type FuzzName,
  type Spec,
} from './table';
import { genAny, throwingProxy } from './values';

type Fn = (...args: unknown[]) => unknown;

const MODULES: Readonly<Record<Api, Readonly<Record<string, unknown>>>> = {
  bsdsock: S as unknown as Readonly<Record<string, unknown>>,
  'bsdsock/promises': P as unknown as Readonly<Record<string, unknown>>,
};

/** The exported functions of an API (classes included), by name. */
export function exportedFunctions(api: Api): Map<string, Fn> {
  const m = new Map<string, Fn>();
  const exports = MODULES[api];
  for (const k of Object.keys(exports)) {
    const v = exports[k];
    if (typeof v === 'function') m.set(k, v as Fn);
  }
  return m;
}

/** A class rather than a function: called with `new`. */
export function isClass(f: Fn): boolean {
  return Function.prototype.toString.call(f).startsWith('class');
}

/** The table's name for an export, or undefined when the table has none. */
function tableName(k: string): FuzzName | undefined {
  return Object.hasOwn(TABLE, k) ? (k as FuzzName) : undefined;
}

// ---------------------------------------------------------------- errno outside calls

// errno may change only inside a synchronous call. It is watched while a promises call starts and
// while the event loop runs (when the engine retries and settles operations); the fuzzer's own
// bookkeeping calls run outside those windows.
let watchingErrno = false;

async function yieldToLoop(how: 'timer' | 'immediate'): Promise<void> {
  watchingErrno = true;
  try {
    await new Promise((resolve) => (how === 'timer' ? setTimeout(resolve, 20) : setImmediate(resolve)));
  } finally {
    watchingErrno = false;
  }
}

function label(api: Api, fn: string, args: readonly unknown[], fdClass: FdClass | undefined): string {
  return `${api}.${fn}(${args.map((a) => describe(a)).join(', ')})${fdClass ? ` [fd: ${fdClass}]` : ''}`;
}

// ---------------------------------------------------------------- --self-test

// Wrong versions of three functions, each breaking one invariant.
const planted = new Set<string>();
const PLANTED: Readonly<Partial<Record<FuzzName, Fn>>> = {
  recv(fd, buf, len, flags) {
    const r = (S.recv as Fn)(fd, buf, len, flags);
    const u8 = u8Of(buf);
    if (u8 !== null && typeof len === 'number' && Number.isInteger(len) && len >= 0 && len < u8.byteLength) {
      u8[len] ^= 0xff;
      planted.add('recv');
    }
    return r;
  },
  listen() {
    planted.add('listen');
    return -1;
  },
  inet_ntoa() {
    planted.add('inet_ntoa');
    throw new TypeError('no code');
  },
};

// ---------------------------------------------------------------- one call

function windowsOf(fn: FuzzName, args: readonly unknown[]): Window[] {
  try {
    return writeWindows(fn, args) ?? unknownWindows(args);
  } catch {
    return [];
  }
}

/** One call that returns at once (every function of bsdsock, and bsdsock/promises' helpers). */
function runSync(api: Api, fn: FuzzName, f: Fn): void {
  const spec: Spec = TABLE[fn];
  const tallied = `${api === 'bsdsock' ? 'bsdsock' : 'promises'}.${fn}`;
  state.currentFn = tallied;
  const { args, fdClass } = spec.gen({ name: fn, api });
  sanitizeArgs(fn, args);
  const l = label(api, fn, args, fdClass);
  state.currentCall = l;
  if (opts.verbose) console.log(l);
  const memory = collectMemory(args);
  const windows = windowsOf(fn, args);
  resetErrno();
  let r: unknown;
  let threw = false;
  const planted = opts.selfTest && api === 'bsdsock' ? PLANTED[fn] : undefined;
  try {
    r = (planted ?? f)(...args);
  } catch (e) {
    threw = true;
    checkThrow(e, l);
    if (errnoChanged() && !(e instanceof FuzzerOwnError)) fail(`${l}: threw and changed errno`);
  }
  spec.after?.();
  tally(tallied, threw ? 'threw' : r === -1 || r === null ? 'failed' : 'ok');
  if (threw) {
    checkMemory(memory, [], l);
    return;
  }
  checkResult(fn, args, r, fdClass, l);
  checkMemory(memory, windows, l);
  adoptFrom(fn, args, r);
}

// Pending promise operations, settled or not by the end.
interface Pending extends Operation {
  readonly memory: Snapshot;
  readonly windows: Window[];
}
const pending = new Set<Pending>();
const controllers: AbortController[] = [];

// The last argument of every promises call.
function genOptions(): unknown {
  const r = rand();
  if (r < 0.6) return undefined;
  if (r < 0.7) return {};
  if (r < 0.85) {
    const c = new AbortController();
    controllers.push(c);
    if (chance(0.2)) c.abort();
    return note({ signal: c.signal }, `{signal${c.signal.aborted ? ' (aborted)' : ''}}`);
  }
  if (r < 0.9) {
    const o = {};
    Object.defineProperty(o, 'signal', {
      get(): never {
        throw new FuzzerOwnError('signal getter');
      },
    });
    return note(o, '{get signal() throws}');
  }
  return pick<unknown>([null, 5, 'x', { signal: 'x' }, throwingProxy()]);
}

/** One call of bsdsock/promises that returns a promise, checked when it starts and when it settles. */
function runPromise(fn: FuzzName, f: Fn): void {
  const api = 'bsdsock/promises';
  const spec: Spec = TABLE[fn];
  const tallied = `promises.${fn}`;
  state.currentFn = tallied;
  const { args: base, fdClass } = spec.gen({ name: fn, api });
  sanitizeArgs(fn, base);
  const args = [...base, genOptions()];
  const l = label(api, fn, args, fdClass);
  state.currentCall = l;
  if (opts.verbose) console.log(l);
  const memory = collectMemory(args);
  const windows = windowsOf(fn, args);
  resetErrno();
  let p: unknown;
  watchingErrno = true;
  try {
    p = f(...args);
  } catch (e) {
    watchingErrno = false;
    tally(tallied, 'threw');
    checkThrow(e, l);
    if (errnoChanged() && !(e instanceof FuzzerOwnError)) fail(`${l}: threw and changed errno`);
    checkMemory(memory, [], l);
    return;
  }
  watchingErrno = false;
  if (!(p instanceof Promise)) {
    fail(`${l}: returned ${describe(p)}, not a Promise`);
    return;
  }
  if (errnoChanged()) fail(`${l}: changed errno`);
  state.promiseCount++;
  const resolver = isResolver(fn);
  if (resolver) fixture.resolversInFlight++;
  p.finally(() => {
    if (resolver) fixture.resolversInFlight--;
  }).catch(() => undefined);
  const op: Pending = { fn, args, label: l, fdClass, memory, windows, mutated: false };
  pending.add(op);
  const settled = (outcome: 'ok' | 'failed'): void => {
    tally(tallied, outcome);
    pending.delete(op);
    state.currentCall = l;
    state.currentFn = tallied;
  };
  p.then(
    (v: unknown) => {
      settled('ok');
      // A netdb lookup resolves with its answer (a hostent or servent) or null; the others with a C result.
      const answer = v === null || v instanceof S.hostent || v instanceof S.servent;
      if (resultOf(fn) === 'netdb' ? !answer : typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        fail(`${l}: resolved with ${describe(v)}`);
      if (fdClass === 'closed' && fn !== 'poll') fail(`${l}: resolved on a descriptor that is not open`);
      if (!op.mutated) checkMemory(memory, windows, `${l} (settled)`);
      adoptFrom(fn, args, v);
    },
    (e: unknown) => {
      settled('failed');
      checkRejection(e, op);
      if (!op.mutated) checkMemory(memory, windows, `${l} (rejected)`);
    },
  );
}

/** A struct class or other class, constructed with nothing, a buffer, or anything. */
function runConstructor(name: string, C: Fn): void {
  state.currentFn = `new ${name}`;
  const args = chance(0.3) ? [] : [chance(0.5) ? genBuffer('u8') : genAny()];
  const l = `new bsdsock.${name}(${args.map((a) => describe(a)).join(', ')})`;
  state.currentCall = l;
  const memory = collectMemory(args);
  resetErrno();
  try {
    Reflect.construct(C, args);
  } catch (e) {
    // Struct and SockaddrStruct are abstract in TypeScript only: any outcome but a crash is fine there.
    if (name !== 'Struct' && name !== 'SockaddrStruct') checkThrow(e, l);
  }
  if (errnoChanged()) fail(`${l}: changed errno`);
  checkMemory(memory, [], l);
}

/** An export the table does not know (lib/ grew one): random arguments, and it may only throw coded errors. */
function runUnknown(name: string, f: Fn): void {
  state.currentFn = name;
  const args = Array.from({ length: int(5) }, () => genAny());
  const l = `${name}(${args.map((a) => describe(a)).join(', ')}) [not in the call table]`;
  state.currentCall = l;
  try {
    const r = f(...args);
    if (r instanceof Promise) r.catch(() => undefined);
  } catch (e) {
    checkThrow(e, l);
  }
}

// ---------------------------------------------------------------- between calls

// Things that happen to pending operations in real programs.
function stir(): void {
  const r = rand();
  const fds = [...owned];
  const talks = (kind: string): boolean => kind.startsWith('unix-') || kind === 'tcp-conn';
  if (r < 0.3) {
    // Data or a connection arrives, waking pending reads and accepts.
    for (const [fd, kind] of fds) if (talks(kind)) S.send(fd, 'x', 1, S.MSG_DONTWAIT | S.MSG_NOSIGNAL);
    const c = S.socket(S.AF_INET, S.SOCK_STREAM | S.SOCK_NONBLOCK, 0);
    if (c >= 0) {
      // Left queued on the listener, for the fuzzed accepts.
      adopt(c, 'socket');
      const a = inet4(fixture.tcpPort);
      S.connect(c, a, S.sizeof(a));
    }
    const u = fds.find(([, k]) => k === 'udp');
    if (u !== undefined) {
      const a = inet4(fixture.udpPort);
      S.sendto(u[0], 'ping', 4, S.MSG_DONTWAIT, a, S.sizeof(a));
    }
    // Drain a little so senders can wake too.
    const sink = Buffer.alloc(65536);
    for (const [fd, kind] of fds) if (talks(kind)) S.recv(fd, sink, sink.length, S.MSG_DONTWAIT);
  } else if (r < 0.4 && pending.size > 0) {
    // A buffer of a pending operation is detached or shrunk under it. Plain buffers only (a recv
    // buffer, an iovec's base): the operation may have settled already, and its handler still reads a
    // msghdr's bytes.
    const op = pick([...pending]);
    const bufs = op.args.filter((a) => !isA(a, S.Struct));
    const m = op.args[1];
    if (isA(m, S.msghdr) && Array.isArray(m.msg_iov)) {
      for (const v of m.msg_iov) if (isA(v, S.iovec)) bufs.push(v.iov_base);
    }
    for (const a of bufs) {
      const u8 = u8Of(a);
      if (u8 === null || u8.buffer instanceof SharedArrayBuffer) continue;
      if (isResizable(u8.buffer) && chance(0.5)) shrink(u8.buffer, 1);
      else {
        try {
          structuredClone(u8.buffer, { transfer: [u8.buffer] });
        } catch {
          // Node 22 and later refuse to transfer (detach) the memory of a pooled Buffer: try another.
          continue;
        }
      }
      op.mutated = true;
      state.currentCall = `${op.label} + its buffer detached/shrunk while pending`;
      break;
    }
  } else if (r < 0.5 && pending.size > 0) {
    // The descriptor of a pending operation is closed (by either API).
    const op = pick([...pending]);
    const fd = op.args[0];
    if (typeof fd === 'number' && owned.has(fd)) {
      state.currentCall = `close(${fd}) while ${op.label} is pending`;
      if (chance(0.5)) closeOwned(fd);
      else {
        P.close(fd);
        forget(fd);
      }
    }
  } else if (r < 0.6 && controllers.length > 0) {
    controllers.splice(int(controllers.length), 1)[0].abort();
  } else if (r < 0.65 && fds.length > 12) {
    const [fd, kind] = pick(fds);
    if (!isLasting(kind)) closeOwned(fd);
  }
  makeFixtures();
}

// ---------------------------------------------------------------- the run

type Choice =
  | {
      readonly kind: 'sync' | 'promises';
      readonly api: Api;
      readonly name: FuzzName;
      readonly f: Fn;
      readonly weight: number;
    }
  | { readonly kind: 'class' | 'unknown'; readonly name: string; readonly f: Fn; readonly weight: number };

/** What a run calls: every function of both APIs (bsdsock/promises' own ones), and every struct class. */
export function plan(): Choice[] {
  const only = opts.only;
  const wanted = (k: string): boolean => only === null || only.includes(k);
  const sync = exportedFunctions('bsdsock');
  const choices: Choice[] = [];
  const unknown: Choice[] = [];
  for (const [k, f] of sync) {
    if (!wanted(k)) continue;
    const name = tableName(k);
    if (name !== undefined) choices.push({ kind: 'sync', api: 'bsdsock', name, f, weight: TABLE[name].weight ?? 1 });
    else if (isClass(f)) choices.push({ kind: 'class', name: k, f, weight: 0.3 });
    else unknown.push({ kind: 'unknown', name: k, f, weight: 0.2 });
  }
  if (!opts.syncOnly) {
    for (const [k, f] of exportedFunctions('bsdsock/promises')) {
      // The same function as bsdsock's (close, trace, faults): made once, as bsdsock's.
      if (sync.get(k) === f || !wanted(k)) continue;
      const name = tableName(k);
      if (name === undefined) {
        unknown.push({ kind: 'unknown', name: `promises.${k}`, f, weight: 0.2 });
        continue;
      }
      // A C function's promises form returns a promise; a helper (detach, engineStats) returns at once.
      const kind = entryOf(name)?.promises === true ? 'promises' : 'sync';
      choices.push({ kind, api: 'bsdsock/promises', name, f, weight: TABLE[name].weight ?? 1 });
    }
  }
  return [...choices, ...unknown];
}

/** Runs the fuzzer as `opts` says; resolves with the exit status. */
export async function fuzz(): Promise<number> {
  const problems = tableProblems();
  if (problems.length > 0) {
    for (const p of problems) console.error(`fuzz: table: ${p}`);
    return 2;
  }
  process.on('SIGIO', () => undefined); // F_SETFL O_ASYNC is masked; this is the belt to its braces
  process.on('SIGURG', () => undefined);
  S.onErrno((value) => {
    if (watchingErrno)
      fail(`errno changed to ${value} outside a synchronous call (the promises API must not touch it)`);
  });
  const choices = plan();
  const count = (kinds: readonly Choice['kind'][], api?: Api): number =>
    choices.filter((c) => kinds.includes(c.kind) && (api === undefined || ('api' in c && c.api === api))).length;
  const unknown = choices.filter((c) => c.kind === 'unknown').map((c) => c.name);
  console.log(
    `fuzz: seed ${opts.seed}, ${opts.seconds} s${opts.calls < Infinity ? `, at most ${opts.calls} calls` : ''}`,
  );
  console.log(
    `fuzz: bsdsock: ${count(['sync'], 'bsdsock')} functions + ${count(['class'])} struct constructors; ` +
      `bsdsock/promises: ${count(['sync', 'promises'], 'bsdsock/promises')} functions`,
  );
  if (unknown.length > 0) {
    console.log(`fuzz: exported but not in the call table (called with random arguments): ${unknown.join(', ')}`);
  }

  // Warm up what Node opens lazily, then take the descriptor baseline.
  process.stdout.write('');
  restoreTrace();
  await P.getaddrinfo('127.0.0.1', null, null, new S.ptr<S.addrinfo | null>(null));
  const baseline = openFds();
  makeFixtures();

  const totalWeight = choices.reduce((s, c) => s + c.weight, 0);
  const choose = (): Choice => {
    let x = rand() * totalWeight;
    for (const c of choices) if ((x -= c.weight) < 0) return c;
    return choices[choices.length - 1];
  };

  const deadline = Date.now() + opts.seconds * 1000;
  const perFn = new Map<string, number>();
  while (Date.now() < deadline && state.callCount < opts.calls && (opts.selfTest || failures.length < 20)) {
    const c = choose();
    state.callCount++;
    const key = `${c.kind === 'sync' && c.api === 'bsdsock/promises' ? 'promises' : c.kind}.${c.name}`;
    perFn.set(key, (perFn.get(key) ?? 0) + 1);
    if (c.kind === 'sync') runSync(c.api, c.name, c.f);
    else if (c.kind === 'promises') {
      if (pending.size < 48) runPromise(c.name, c.f);
    } else if (c.kind === 'class') runConstructor(c.name, c.f);
    else runUnknown(c.name, c.f);
    if (state.callCount % 8 === 0) stir();
    if (state.callCount % 16 === 0) await yieldToLoop('immediate');
  }

  // Closing every descriptor must settle every operation still pending on one.
  for (const c of controllers) c.abort();
  for (const fd of [...owned.keys()]) closeOwned(fd);
  const until = Date.now() + 10000;
  while (pending.size > 0 && Date.now() < until) await yieldToLoop('timer');
  for (const op of pending) {
    state.currentCall = op.label;
    fail('a promise operation never settled after its descriptor was closed');
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  state.currentCall = 'end of run';
  const stats = P.engineStats();
  if (stats.handles !== 0) {
    fail(
      `the engine still holds ${stats.handles} poll handle(s) after every descriptor was closed`,
      JSON.stringify(stats),
    );
  }
  const leaked = [...openFds()].filter(([fd, target]) => baseline.get(fd) !== target);
  if (leaked.length > 0) fail('descriptors left open', leaked.map(([fd, t]) => `${fd} -> ${t}`).join(', '));

  if (opts.verbose) {
    for (const [k, n] of [...perFn].sort()) {
      const o = outcomes.get(k.replace(/^sync\./, 'bsdsock.'));
      console.log(
        `  ${k}: ${n} calls: ${o?.threw ?? 0} threw, ${o?.failed ?? 0} failed (-1 or rejected), ${o?.ok ?? 0} succeeded`,
      );
    }
  }
  for (const f of failures)
    if (f.repeats > 0) console.log(`fuzz: "${f.what.slice(0, 100)}" happened ${f.repeats} more time(s)`);
  console.log(
    `fuzz: seed ${opts.seed}: ${state.callCount} calls (${state.promiseCount} promises), ${perFn.size} functions, ${failures.length} failure(s)`,
  );
  if (opts.selfTest) {
    const caught = (fn: string, what: string): boolean =>
      failures.some((f) => f.what.startsWith(`bsdsock.${fn}(`) && f.what.includes(what));
    const missed = [
      ['recv', 'bytes changed outside'],
      ['listen', 'without setting errno'],
      ['inet_ntoa', 'other than a coded'],
    ].filter(([fn, what]) => !planted.has(fn) || !caught(fn, what));
    const verdict =
      missed.length === 0 ? 'every planted bug was caught' : `MISSED ${missed.map(([fn]) => fn).join(', ')}`;
    console.log(`fuzz: self-test: ${verdict}`);
    return missed.length === 0 ? 0 : 1;
  }
  if (failures.length > 0) {
    console.log(`fuzz: reproduce with: ${reproduceCommand(opts, failures[0].call)}`);
    return 1;
  }
  return 0;
}

/** The last words of a run the fuzzer's own handlers end: an uncaught exception is a failure. */
export function onUncaught(e: unknown): void {
  fail('uncaught exception (in C terms: the process would have died)', thrownText(e));
  console.log(`fuzz: seed ${opts.seed}: ${state.callCount} calls, ${failures.length} failure(s)`);
}
