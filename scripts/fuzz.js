#!/usr/bin/env node
'use strict';
// Fuzzer for every exported function of bsdsock and bsdsock/promises.
//
//   npm run fuzz -- --seconds N --seed S [--calls N] [--only a,b] [--sync-only] [--dist] [--trace] [--verbose]
//
// --trace runs every call with the tracer on, writing to a sink, so the
// tracer's decoders meet the same hostile arguments. --self-test plants
// three bugs (recv writes one byte past len, listen returns -1 without
// setting errno, inet_ntoa throws an uncoded error) and passes only if the
// checks catch all three.
//
// Each call gets arguments from a seeded PRNG: valid, boundary and hostile
// values (every JS type, NaN, ±0, ±Infinity, 2^31, 2^53, fractions, lengths
// one past a buffer's end, detached, zero-length, shared, resizable and
// odd-offset buffers, structs of the wrong family, strings with NUL and lone
// surrogates, objects whose getters and valueOf throw, descriptors that are
// closed, reused, files, FIFOs). After each call it checks:
//   - a throw is a TypeError/RangeError with code ERR_INVALID_ARG_TYPE /
//     ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE (or the fuzzer's own error,
//     raised by one of its getters, passing through), and errno is untouched;
//   - a C-style result is in range; -1 means errno changed to a value with an
//     E* name; success leaves errno unchanged; a descriptor that is not open
//     gives EBADF and a file or FIFO gives ENOTSOCK where C would;
//   - no byte changed outside what the call may write: guard bytes around
//     every buffer, the tail past `len`, and every byte of a const input;
//   - the promises API never touches errno, rejects only with Node-shaped
//     errors, and settles every operation once its descriptor is closed;
// and at the end that every descriptor it opened is closed, no new
// descriptor is left in /proc/self/fd and the engine holds no poll handle.
//
// Safety: the process is root on a shared machine. Sockets are limited to
// AF_INET/AF_INET6/AF_UNIX without SOCK_RAW (no packet or netlink sockets),
// IP addresses are rewritten to loopback or TEST-NET, ports to the fuzzer's
// own, Unix paths into a temporary directory, F_SETOWN to this process, and
// O_ASYNC is masked: a fuzzer must not send traffic or signals elsewhere.
// Every descriptor it passes to a call that could block is O_NONBLOCK, and
// close() is only ever given its own descriptors or numbers that cannot be
// open, never one Node or a resolver thread may own.
//
// No exported function is skipped; where a valid argument would block for
// ever it is replaced: the synchronous poll() gets timeout 0 (or an invalid
// value), the promises poll() 0, 1 or 20 ms; host names never need DNS
// (numeric, localhost, or refused before any query). perror() is called
// rarely (it writes to stderr), onErrno() rarely with a function (it keeps
// each one for ever), trace() and faults() are always switched back off.
//
// With --sync-only and --calls N a run replays exactly (the call sequence is
// the PRNG's alone); with promises the order in which operations settle
// depends on the kernel, so a run with the same seed is close, not identical.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const util = require('util');

const root = path.resolve(__dirname, '..');

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    seconds: 10,
    seed: undefined,
    calls: Infinity,
    only: null,
    syncOnly: false,
    dist: false,
    verbose: false,
    trace: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`fuzz: ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--seed') o.seed = Number(next()) >>> 0;
    else if (a === '--calls') o.calls = Number(next());
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--sync-only') o.syncOnly = true;
    else if (a === '--dist') o.dist = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--trace') o.trace = true;
    else if (a === '--self-test') o.selfTest = true;
    else throw new Error(`fuzz: unknown option ${a}`);
  }
  // A count that is not a positive number would make a run of no calls that passes.
  for (const [name, v] of [
    ['--seconds', o.seconds],
    ['--calls', o.calls],
  ]) {
    if (!(v > 0)) throw new Error(`fuzz: ${name} wants a positive number`);
  }
  if (o.seed === undefined) o.seed = (Math.random() * 2 ** 32) >>> 0;
  return o;
}
const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- loading

// Without --dist the TypeScript in lib/ is transpiled on load, so the run
// covers the sources as they are now, not a stale dist/.
function loadApis() {
  if (opts.dist) {
    return [require(path.join(root, 'dist/lib/index.js')), require(path.join(root, 'dist/lib/promises.js'))];
  }
  const ts = require(path.join(root, 'node_modules/typescript'));
  require.extensions['.ts'] = (module, filename) => {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: filename,
    });
    module._compile(out.outputText, filename);
  };
  return [require(path.join(root, 'lib/index.ts')), require(path.join(root, 'lib/promises.ts'))];
}
const [S, P] = loadApis();

// ---------------------------------------------------------------- PRNG

// sfc32: small, fast and good enough; seeded from one 32-bit number.
function makeRng(seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}
const rand = makeRng(opts.seed);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const isA = (x, C) => x !== null && typeof x === 'object' && !util.types.isProxy(x) && x instanceof C;
const chance = (p) => rand() < p;

// ---------------------------------------------------------------- failures

const ALLOWED_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE']);
const failures = [];
let callCount = 0;
// Per function: how often it threw, failed with -1/rejected, succeeded.
const outcomes = new Map();
function tally(name, kind) {
  if (!outcomes.has(name)) outcomes.set(name, { threw: 0, failed: 0, ok: 0 });
  outcomes.get(name)[kind]++;
}
let promiseCount = 0;
let currentCall = '';

// One report per function and kind of failure; repeats are only counted.
const seenFailures = new Map();
let currentFn = '';
function fail(what, detail) {
  const key = `${currentFn}|${what.split(': ').slice(-1)[0]}`;
  if (seenFailures.has(key)) {
    seenFailures.get(key).repeats++;
    return;
  }
  const entry = { call: callCount, what, detail, repro: currentCall, repeats: 0 };
  seenFailures.set(key, entry);
  failures.push(entry);
  console.error(`\nFAIL #${failures.length} at call ${callCount} (seed ${opts.seed}): ${what}`);
  if (detail) console.error(`  ${detail}`);
  console.error(`  reproducer: ${currentCall}`);
}

// A getter or valueOf of the fuzzer's own throws this; seeing it propagate is fine.
class FuzzerOwnError extends Error {}

// ---------------------------------------------------------------- describing

const described = new WeakMap();
function note(value, text) {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) described.set(value, text);
  return value;
}
function describe(v, depth = 0) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  const t = typeof v;
  if (t === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (t === 'bigint') return `${v}n`;
  if (t === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (t === 'symbol') return 'Symbol()';
  if (t === 'boolean') return String(v);
  if (described.has(v)) return described.get(v);
  if (t === 'function') return 'function';
  if (Array.isArray(v) && depth < 2)
    return `[${v
      .slice(0, 6)
      .map((x) => describe(x, depth + 1))
      .join(', ')}${v.length > 6 ? ', ...' : ''}]`;
  return 'object';
}

// ---------------------------------------------------------------- memory

// Every buffer the fuzzer makes is a window on a larger backing store with
// guard bytes on both sides, so a write past either end shows up.
const GUARD = 16;
const GUARD_BYTE = 0xa5;
const rawOf = new WeakMap(); // view/ArrayBuffer -> Uint8Array over its whole backing

function fillRandom(u8) {
  for (let i = 0; i < u8.length; i++) u8[i] = int(256);
}

const VIEW_TYPES = [
  ['Uint8Array', Uint8Array],
  ['Buffer', null],
  ['Int8Array', Int8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['DataView', DataView],
];

// A buffer of `size` bytes. kind: 'view' (some typed view), 'u8' (a Uint8Array
// or Buffer, what structs need), 'ab' (a bare ArrayBuffer).
function makeBuffer(size, kind = 'view', opt = {}) {
  const shared = opt.shared ?? chance(0.08);
  const resizable = !shared && (opt.resizable ?? chance(0.05));
  let [name, Ctor] = kind === 'u8' ? pick(VIEW_TYPES.slice(0, 2)) : pick(VIEW_TYPES);
  const el = Ctor === null || Ctor === DataView ? 1 : Ctor.BYTES_PER_ELEMENT;
  // Odd offsets only where the element size allows them.
  const odd = el === 1 && chance(0.4) ? 1 + int(7) : 0;
  const count = Math.ceil(size / el);
  const bytes = count * el;
  const total = GUARD + odd + bytes + GUARD;
  let backing;
  if (kind === 'ab') {
    backing = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    const raw = new Uint8Array(backing);
    fillRandom(raw);
    rawOf.set(backing, raw);
    note(backing, `${shared ? 'SharedArrayBuffer' : 'ArrayBuffer'}(${size})`);
    return backing;
  }
  backing = shared
    ? new SharedArrayBuffer(total)
    : resizable
      ? new ArrayBuffer(total, { maxByteLength: total * 2 })
      : new ArrayBuffer(total);
  const raw = new Uint8Array(backing);
  raw.fill(GUARD_BYTE);
  fillRandom(raw.subarray(GUARD + odd, GUARD + odd + bytes));
  const off = GUARD + odd;
  let view;
  if (name === 'Buffer') view = Buffer.from(backing, off, bytes);
  else if (Ctor === DataView) view = new DataView(backing, off, bytes);
  else view = new Ctor(backing, off, count);
  rawOf.set(view, raw);
  note(view, `${name}(${bytes} bytes @+${odd}${shared ? ' shared' : ''}${resizable ? ' resizable' : ''})`);
  return view;
}

function u8Of(x) {
  if (x === null || typeof x !== 'object' || util.types.isProxy(x)) return null;
  try {
    if (x instanceof S.Struct || isA(x, S.socklen_t)) return x.bytes;
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    if (x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) return new Uint8Array(x);
  } catch {
    return null; // detached or out of bounds
  }
  return null;
}

// Every distinct backing store reachable from the arguments, with a copy of
// its bytes, so any change can be checked against what the call may write.
function collectMemory(args) {
  const seen = new Map();
  const visit = (x, depth) => {
    if (x === null || typeof x !== 'object' || depth > 4) return;
    if (util.types.isProxy(x)) return;
    const u8 = u8Of(x);
    if (u8 !== null) {
      const buf = u8.buffer;
      if (!seen.has(buf)) seen.set(buf, new Uint8Array(buf).slice());
    }
    if (Array.isArray(x)) for (const e of x.slice(0, 64)) visit(e, depth + 1);
    if (x instanceof S.msghdr) {
      visit(x.msg_name, depth + 1);
      visit(x.msg_iov, depth + 1);
      visit(x.msg_control, depth + 1);
    }
    if (x instanceof S.iovec) visit(x.iov_base, depth + 1);
    if (x instanceof S.ptr && typeof x.value === 'object') visit(x.value, depth + 1);
  };
  for (const a of args) visit(a, 0);
  return seen;
}

// Windows: [memory, start, end] ranges a call may write.
function checkMemory(before, windows, label) {
  const allowed = new Map();
  for (const [mem, start, end] of windows) {
    const u8 = u8Of(mem);
    if (u8 === null) continue;
    const s = Math.max(0, Math.min(start, u8.byteLength));
    const e = Math.max(s, Math.min(end, u8.byteLength));
    if (!allowed.has(u8.buffer)) allowed.set(u8.buffer, []);
    allowed.get(u8.buffer).push([u8.byteOffset + s, u8.byteOffset + e]);
  }
  for (const [buf, copy] of before) {
    let now;
    try {
      now = new Uint8Array(buf);
    } catch {
      continue;
    }
    const ranges = allowed.get(buf) ?? [];
    const n = Math.min(now.length, copy.length);
    for (let i = 0; i < n; i++) {
      if (now[i] === copy[i]) continue;
      if (ranges.some(([s, e]) => i >= s && i < e)) continue;
      let j = i;
      while (j < n && now[j] !== copy[j] && !ranges.some(([s, e]) => j >= s && j < e)) j++;
      fail(
        `${label}: bytes changed outside what the call may write`,
        `backing of ${buf.byteLength} bytes, offsets [${i}, ${j}) changed; allowed ${JSON.stringify(ranges)}`,
      );
      return;
    }
  }
}

// ---------------------------------------------------------------- descriptors

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-fuzz-'));
const owned = new Map(); // fd -> kind
let resolversInFlight = 0;
const stale = []; // numbers the fuzzer closed
let tcpPort = 0; // a listener's port
let udpPort = 0;
let refusedPort = 0; // bound, not listening: connect gets ECONNREFUSED
let listenerFd = -1;
let unixPath = '';
let pathCounter = 0;

function setNonblock(fd) {
  const fl = S.fcntl(fd, S.F_GETFL);
  if (fl >= 0 && (fl & S.O_NONBLOCK) === 0) S.fcntl(fd, S.F_SETFL, fl | S.O_NONBLOCK);
}

function adopt(fd, kind) {
  if (!Number.isInteger(fd) || fd < 0) return;
  if (owned.has(fd)) return;
  owned.set(fd, kind);
  const at = stale.indexOf(fd);
  if (at >= 0) stale.splice(at, 1);
  setNonblock(fd);
}

function closeOwned(fd) {
  owned.delete(fd);
  S.close(fd);
  stale.push(fd);
  if (stale.length > 32) stale.shift();
}

function inet4(port, addr = S.INADDR_LOOPBACK) {
  const a = new S.sockaddr_in();
  a.sin_family = S.AF_INET;
  a.sin_port = S.htons(port);
  a.sin_addr.s_addr = S.htonl(addr);
  return a;
}

function must(r, what) {
  if (r < 0) throw new Error(`fuzz set-up: ${what} failed: ${S.errnoName(S.errno)}`);
  return r;
}

function portOf(fd) {
  const a = new S.sockaddr_in();
  const l = new S.socklen_t(S.sizeof(a));
  must(S.getsockname(fd, a, l), 'getsockname');
  return S.ntohs(a.sin_port);
}

function makeFixtures() {
  const NB = S.SOCK_NONBLOCK | S.SOCK_CLOEXEC;
  if (listenerFd < 0 || !owned.has(listenerFd)) {
    listenerFd = must(S.socket(S.AF_INET, S.SOCK_STREAM | NB, 0), 'socket');
    adopt(listenerFd, 'tcp-listener');
    const a = inet4(0);
    must(S.bind(listenerFd, a, S.sizeof(a)), 'bind');
    must(S.listen(listenerFd, 64), 'listen');
    tcpPort = portOf(listenerFd);
  }
  if (udpPort === 0 || ![...owned.values()].includes('udp')) {
    const u = must(S.socket(S.AF_INET, S.SOCK_DGRAM | NB, 0), 'socket');
    adopt(u, 'udp');
    const a = inet4(0);
    must(S.bind(u, a, S.sizeof(a)), 'bind');
    udpPort = portOf(u);
  }
  if (refusedPort === 0 || ![...owned.values()].includes('tcp-refused')) {
    const r = must(S.socket(S.AF_INET, S.SOCK_STREAM | NB, 0), 'socket');
    adopt(r, 'tcp-refused');
    const a = inet4(0);
    must(S.bind(r, a, S.sizeof(a)), 'bind');
    refusedPort = portOf(r);
  }
  const count = (k) => [...owned.values()].filter((v) => v === k).length;
  if (count('tcp-conn') < 2) {
    const c = must(S.socket(S.AF_INET, S.SOCK_STREAM | NB, 0), 'socket');
    adopt(c, 'tcp-conn');
    const a = inet4(tcpPort);
    S.connect(c, a, S.sizeof(a)); // EINPROGRESS; the accept below completes the pair
    for (let i = 0; i < 100; i++) {
      const s = S.accept4(listenerFd, null, null, NB);
      if (s >= 0) {
        adopt(s, 'tcp-conn');
        break;
      }
    }
  }
  for (const [kind, type] of [
    ['unix-stream', S.SOCK_STREAM],
    ['unix-dgram', S.SOCK_DGRAM],
    ['unix-seqpacket', S.SOCK_SEQPACKET],
  ]) {
    if (count(kind) < 2) {
      const sv = [0, 0];
      must(S.socketpair(S.AF_UNIX, type | NB, 0, sv), 'socketpair');
      adopt(sv[0], kind);
      adopt(sv[1], kind);
    }
  }
  if (count('tcp6') < 1) {
    const s = S.socket(S.AF_INET6, S.SOCK_STREAM | NB, 0);
    if (s >= 0) adopt(s, 'tcp6');
  }
  if (count('file') < 1) adopt(fs.openSync(path.join(tmp, 'file'), 'w+'), 'file');
  if (count('devnull') < 1) adopt(fs.openSync('/dev/null', 'r+'), 'devnull');
  if (count('fifo') < 1) {
    const p = path.join(tmp, 'fifo');
    if (!fs.existsSync(p)) execFileSync('mkfifo', [p]);
    adopt(fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), 'fifo');
  }
  if (!unixPath) {
    unixPath = path.join(tmp, 'listener.sock');
    const u = must(S.socket(S.AF_UNIX, S.SOCK_STREAM | NB, 0), 'socket');
    adopt(u, 'unix-listener');
    const a = new S.sockaddr_un();
    a.sun_family = S.AF_UNIX;
    a.sun_path = unixPath;
    must(S.bind(u, a, S.sizeof(a)), 'bind');
    must(S.listen(u, 16), 'listen');
  }
  // Too many accepted or duplicated descriptors: close the oldest.
  const extra = [...owned.entries()].filter(([, k]) => ['accepted', 'dup', 'received', 'socket'].includes(k));
  while (extra.length > 24) closeOwned(extra.shift()[0]);
}

function isOpen(fd) {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

// A number that cannot name an open descriptor (beyond RLIMIT_NOFILE or negative).
const NEVER_OPEN = [-1, -2147483648, 2147483647, 1000000, -7];

// Descriptor argument: returns [value, class] where class is 'owned:<kind>',
// 'closed', or 'hostile'. Never 0-2 nor a number Node may own.
function genFd(forClose = false) {
  const r = rand();
  if (r < 0.7 && owned.size > 0) {
    const fd = pick([...owned.keys()]);
    return [fd, `owned:${owned.get(fd)}`];
  }
  // A resolver thread (promises getaddrinfo/getnameinfo) opens and closes
  // descriptors of its own: while one runs, a closed number may be reused.
  if (r < 0.78 && !forClose && stale.length > 0 && resolversInFlight === 0) {
    const fd = pick(stale);
    if (!isOpen(fd)) return [fd, 'closed'];
  }
  if (r < 0.88) return [pick(NEVER_OPEN), 'closed'];
  return [genHostileNumber(), 'hostile'];
}

// ---------------------------------------------------------------- values

function throwingObject() {
  const o = {};
  Object.defineProperty(o, 'value', {
    get() {
      throw new FuzzerOwnError('getter');
    },
  });
  o.valueOf = () => {
    throw new FuzzerOwnError('valueOf');
  };
  o[Symbol.toPrimitive] = () => {
    throw new FuzzerOwnError('toPrimitive');
  };
  return note(o, '{throwing getter/valueOf}');
}

function throwingProxy() {
  const handler = {};
  for (const trap of ['get', 'has', 'getPrototypeOf', 'ownKeys', 'getOwnPropertyDescriptor', 'set', 'apply']) {
    handler[trap] = () => {
      throw new FuzzerOwnError(`proxy ${trap}`);
    };
  }
  return note(new Proxy({}, handler), 'Proxy{every trap throws}');
}

function genHostileNumber() {
  return pick([
    NaN,
    Infinity,
    -Infinity,
    0.5,
    -0.5,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    '1',
    '',
    true,
    false,
    null,
    undefined,
    1n,
    Symbol('x'),
    note({ valueOf: () => 1 }, '{valueOf: () => 1}'),
    throwingObject(),
    throwingProxy(),
    note(Object.freeze(new Number(3)), 'new Number(3)'),
    [1],
    {},
    note(() => 1, '() => 1'),
  ]);
}

function genAny() {
  const r = int(6);
  if (r === 0) return genHostileNumber();
  if (r === 1) return genString();
  if (r === 2) return genBufferOfSize(int(64));
  if (r === 3) return genStruct();
  if (r === 4) return pick([0, 1, -1, 2147483647, -2147483648, 4]);
  return pick([null, undefined, {}, [], throwingProxy(), throwingObject()]);
}

function genString() {
  return pick([
    '',
    'hello',
    'a\0b',
    '\0',
    '\ud800',
    'x\udc00y',
    '\u{1F600}',
    'é'.repeat(70),
    'z'.repeat(300),
    '127.0.0.1',
    '::1',
    '255.255.255.255',
    '1.2.3',
    '::ffff:127.0.0.1',
    'localhost',
    '80',
    'http',
    '-1',
    '0x7f.1',
  ]);
}

// Small, boundary and hostile integers.
function genInt(valid = [0, 1, -1, 2, 3, 7, 16, 255, 65535, 2147483647, -2147483648]) {
  if (chance(0.75)) return pick(valid);
  if (chance(0.5)) return Object.is(int(2), 0) ? -0 : 0;
  return genHostileNumber();
}

// A length for a buffer of `size` bytes (size undefined: the buffer has none).
function genLen(size) {
  const s = typeof size === 'number' ? size : 16;
  const r = rand();
  if (r < 0.35) return s;
  if (r < 0.5) return int(s + 1);
  if (r < 0.6) return s + 1; // one past the end
  if (r < 0.65) return 0;
  if (r < 0.7) return -0;
  if (r < 0.75) return -1;
  if (r < 0.8) return pick([2147483647, 2 ** 32, 2 ** 53, 2 ** 31]);
  if (r < 0.85) return s - 0.5;
  return genHostileNumber();
}

function memSize(x) {
  const u8 = u8Of(x);
  return u8 === null ? 0 : u8.byteLength;
}

function genBufferOfSize(size, kind = 'view') {
  const r = rand();
  if (r < 0.04) {
    const b = makeBuffer(size, 'u8', { shared: false, resizable: false });
    structuredClone(b.buffer, { transfer: [b.buffer] });
    return note(b, 'detached Uint8Array');
  }
  if (r < 0.06) {
    const ab = new ArrayBuffer(size + 8, { maxByteLength: size + 8 });
    const v = new Uint8Array(ab, 4, size);
    ab.resize(2); // the view is now out of bounds
    return note(v, `out-of-bounds Uint8Array(${size}) on a shrunk resizable ArrayBuffer`);
  }
  if (r < 0.1) return makeBuffer(size, 'ab');
  if (r < 0.12) return note(new SharedArrayBuffer(size), `bare SharedArrayBuffer(${size})`);
  if (r < 0.15) return makeBuffer(0, kind);
  return makeBuffer(size, kind);
}

function genBuffer(kind = 'view') {
  return genBufferOfSize(pick([0, 1, 3, 4, 8, 16, 17, 28, 64, 128, 200, 1024, 4096]), kind);
}

function genBufOrString() {
  return chance(0.2) ? genString() : genBuffer();
}

// ---------------------------------------------------------------- structs

const STRUCTS = [
  'sockaddr',
  'sockaddr_in',
  'sockaddr_in6',
  'sockaddr_un',
  'sockaddr_storage',
  'in_addr',
  'in6_addr',
  'pollfd',
  'linger',
  'timeval',
  'ucred',
  'iovec',
  'msghdr',
  'cmsghdr',
  'addrinfo',
];

// A struct viewing guarded bytes, so a write past its end is caught.
function newStruct(name) {
  const C = S[name];
  const size = C.layout.size;
  if (size === 0) return new C();
  const b = makeBuffer(size, 'u8', { resizable: false });
  b.fill(0);
  return note(new C(b), `${name}`);
}

function loopbackPort() {
  return pick([0, tcpPort, udpPort, refusedPort]);
}

function genSockaddr() {
  const r = rand();
  if (r < 0.3) {
    const a = newStruct('sockaddr_in');
    a.sin_family = chance(0.9) ? S.AF_INET : pick([S.AF_INET6, S.AF_UNIX, 0, 255]);
    const port = loopbackPort();
    a.sin_port = S.htons(port);
    a.sin_addr.s_addr = S.htonl(pick([S.INADDR_LOOPBACK, S.INADDR_ANY, 0x7f000002]));
    described.set(a, `sockaddr_in{family=${a.sin_family}, port=${port}}`);
    return a;
  }
  if (r < 0.45) {
    const a = newStruct('sockaddr_in6');
    a.sin6_family = chance(0.9) ? S.AF_INET6 : S.AF_INET;
    const port = loopbackPort();
    a.sin6_port = S.htons(port);
    a.sin6_addr.s6_addr = chance(0.5) ? S.in6addr_loopback.bytes : S.in6addr_any.bytes;
    a.sin6_scope_id = pick([0, 1, 4294967295]);
    described.set(a, `sockaddr_in6{family=${a.sin6_family}, port=${port}}`);
    return a;
  }
  if (r < 0.6) {
    const a = newStruct('sockaddr_un');
    a.sun_family = S.AF_UNIX;
    const p = pick([
      unixPath,
      path.join(tmp, `s${pathCounter++}`),
      '\0bsdsock-fuzz-' + process.pid + '-' + int(4),
      '',
      'relative-' + int(4),
    ]);
    a.sun_path = p;
    described.set(a, `sockaddr_un{${JSON.stringify(p)}}`);
    return a;
  }
  if (r < 0.7) return newStruct(pick(['sockaddr', 'sockaddr_storage']));
  if (r < 0.8) return newStruct(pick(STRUCTS)); // not a sockaddr at all
  if (r < 0.9) return genBuffer();
  return genAny();
}

function genAddrlen(addr) {
  const size = memSize(addr);
  return chance(0.6) ? size : genLen(size);
}

function genSocklen(addr) {
  const r = rand();
  if (r < 0.1) return null;
  if (r < 0.2) return genAny();
  if (r < 0.25) return note({ value: 16 }, '{value: 16}');
  const size = memSize(addr);
  const v = chance(0.7) ? size : pick([0, 1, size + 1, 128, 4294967295]);
  const l = new S.socklen_t(v);
  return note(l, `socklen_t(${v})`);
}

function genStruct() {
  return newStruct(pick(STRUCTS));
}

function genControl() {
  const r = rand();
  if (r < 0.3) return null;
  if (r < 0.6) {
    // SCM_RIGHTS carrying the fuzzer's own descriptors or closed numbers.
    const n = 1 + int(3);
    const space = S.CMSG_SPACE(4 * n);
    const b = makeBuffer(space, 'u8', { shared: false, resizable: false });
    if (!Buffer.isBuffer(b)) return genControl();
    b.fill(0);
    const h = new S.cmsghdr(b);
    h.cmsg_len = chance(0.8) ? S.CMSG_LEN(4 * n) : pick([0, 1, space + 8, 2 ** 31]);
    h.cmsg_level = chance(0.9) ? S.SOL_SOCKET : 0;
    h.cmsg_type = chance(0.9) ? S.SCM_RIGHTS : 2;
    for (let i = 0; i < n; i++) {
      const fds = [...owned.keys()];
      const fd = chance(0.8) && fds.length ? pick(fds) : pick([-1, 1000000]);
      b.writeInt32LE(fd, S.CMSG_LEN(0) + 4 * i);
    }
    return note(b, `control(SCM_RIGHTS x${n}, ${space} bytes)`);
  }
  if (r < 0.8) {
    const b = makeBuffer(pick([0, 8, 16, 64]), 'u8');
    return b;
  }
  return genAny();
}

function genMsghdr() {
  if (chance(0.08)) return genAny();
  if (chance(0.04)) return newStruct(pick(STRUCTS));
  const m = newStruct('msghdr');
  const r = rand();
  const iov = [];
  const n = pick([0, 1, 2, 3, 8]);
  for (let i = 0; i < n; i++) {
    if (chance(0.05)) {
      iov.push(genAny());
      continue;
    }
    const v = newStruct('iovec');
    const k = rand();
    if (k < 0.1) v.iov_base = null;
    else if (k < 0.2) v.iov_base = genAny();
    else v.iov_base = genBuffer();
    const size = memSize(v.iov_base);
    try {
      v.iov_len = chance(0.7) ? size : genLen(size);
    } catch {
      v.iov_len = 0;
    }
    iov.push(v);
  }
  m.msg_iov = r < 0.05 ? null : r < 0.1 ? genAny() : iov;
  try {
    m.msg_iovlen = chance(0.8) ? n : genLen(n);
  } catch {
    m.msg_iovlen = n;
  }
  if (chance(0.3)) {
    m.msg_name = chance(0.9) ? genSockaddr() : genAny();
    try {
      m.msg_namelen = chance(0.7) ? memSize(m.msg_name) : genLen(memSize(m.msg_name));
    } catch {
      m.msg_namelen = 0;
    }
  }
  m.msg_control = genControl();
  try {
    const size = memSize(m.msg_control);
    m.msg_controllen = chance(0.7) ? size : genLen(size);
  } catch {
    m.msg_controllen = 0;
  }
  described.set(
    m,
    `msghdr{name=${describe(m.msg_name)}, namelen=${m.msg_namelen}, iov=${describe(m.msg_iov)}, iovlen=${m.msg_iovlen}, control=${describe(m.msg_control)}, controllen=${m.msg_controllen}}`,
  );
  for (const v of iov) {
    if (isA(v, S.iovec)) described.set(v, `iovec{${describe(v.iov_base)}, ${v.iov_len}}`);
  }
  return m;
}

function genPollfds() {
  if (chance(0.1)) return genAny();
  const list = [];
  const n = pick([0, 1, 2, 4]);
  for (let i = 0; i < n; i++) {
    if (chance(0.05)) {
      list.push(genAny());
      continue;
    }
    const p = newStruct('pollfd');
    const [fd] = genFd();
    p.fd = typeof fd === 'number' && Number.isInteger(fd) && fd >= -2147483648 && fd <= 2147483647 ? fd : -1;
    p.events = pick([S.POLLIN, S.POLLOUT, S.POLLIN | S.POLLOUT, 0, S.POLLPRI, 0x7fff]);
    described.set(p, `pollfd{fd=${p.fd}, events=${p.events}}`);
    list.push(p);
  }
  if (n === 1 && chance(0.3)) return list[0];
  return list;
}

function genHints() {
  if (chance(0.2)) return null;
  if (chance(0.1)) return genAny();
  if (chance(0.05)) return newStruct(pick(STRUCTS));
  const h = newStruct('addrinfo');
  h.ai_flags = pick([0, S.AI_NUMERICHOST, S.AI_PASSIVE, S.AI_CANONNAME, S.AI_NUMERICSERV, 0x7fffffff, -1]);
  h.ai_family = pick([S.AF_UNSPEC, S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]);
  h.ai_socktype = pick([0, S.SOCK_STREAM, S.SOCK_DGRAM, 99]);
  h.ai_protocol = pick([0, S.IPPROTO_TCP, S.IPPROTO_UDP, 255]);
  described.set(h, `addrinfo{flags=${h.ai_flags}, family=${h.ai_family}, socktype=${h.ai_socktype}}`);
  return h;
}

// Host names that never leave the machine: numeric, localhost, or refused
// by the resolver before any query (NUL bytes, empty).
function genNode() {
  if (chance(0.1)) return null;
  if (chance(0.1)) return genAny();
  return pick(['127.0.0.1', '::1', 'localhost', '', 'a\0b', '\ud800', '999.1.1.1', '1.2.3', '0x7f.1', 'z'.repeat(300)]);
}

function genService() {
  if (chance(0.2)) return null;
  if (chance(0.1)) return genAny();
  return pick(['80', '0', '65536', '-1', 'http', '', 'x\0y', '\udc00']);
}

// ---------------------------------------------------------------- safety filters

const SAFE_DOMAINS = () => [S.AF_INET, S.AF_INET6, S.AF_UNIX, S.AF_UNSPEC, 12345, -1, 2147483647];
const SAFE_TYPES = () => {
  const base = [S.SOCK_STREAM, S.SOCK_DGRAM, S.SOCK_SEQPACKET, 0, 99, -1];
  return base.map((t) => (chance(0.5) ? t | S.SOCK_NONBLOCK : t) | (chance(0.3) ? S.SOCK_CLOEXEC : 0));
};

function genDomain() {
  return chance(0.9) ? pick(SAFE_DOMAINS()) : genHostileNumber();
}
function genType() {
  return chance(0.9) ? pick(SAFE_TYPES()) : genHostileNumber();
}
function genProtocol() {
  return chance(0.9) ? pick([0, S.IPPROTO_TCP, S.IPPROTO_UDP, 9999, -1]) : genHostileNumber();
}

function genMsgFlags() {
  if (chance(0.15)) return genHostileNumber();
  const names = ['MSG_DONTWAIT', 'MSG_PEEK', 'MSG_TRUNC', 'MSG_WAITALL', 'MSG_NOSIGNAL', 'MSG_OOB', 'MSG_MORE'];
  let f = 0;
  for (const n of names) if (S[n] !== undefined && chance(0.15)) f |= S[n];
  return chance(0.05) ? pick([-1, 2147483647]) : f;
}

// Rewrites any IPv4/IPv6 address to loopback (or TEST-NET-1 for variety),
// any port to one of the fuzzer's, and an absolute Unix path into tmp.
function sanitizeSockaddr(x) {
  const u8 = u8Of(x);
  if (u8 === null || u8.byteLength < 4) return;
  const fam = u8[0] | (u8[1] << 8);
  const safePorts = [0, tcpPort, udpPort, refusedPort];
  const port = (u8[2] << 8) | u8[3];
  const fixPort = () => {
    if (!safePorts.includes(port)) {
      u8[2] = 0;
      u8[3] = 0;
    }
  };
  if (fam === S.AF_INET && u8.byteLength >= 8) {
    fixPort();
    const ok = u8[4] === 127 || (u8[4] | u8[5] | u8[6] | u8[7]) === 0 || (u8[4] === 192 && u8[5] === 0 && u8[6] === 2);
    if (!ok) u8.set([127, 0, 0, 1], 4);
  } else if (fam === S.AF_INET6 && u8.byteLength >= 24) {
    fixPort();
    const a = u8.subarray(8, 24);
    const zeroTo = (n) => a.subarray(0, n).every((b) => b === 0);
    const ok =
      (zeroTo(15) && (a[15] === 0 || a[15] === 1)) ||
      (a[0] === 0x20 && a[1] === 0x01 && a[2] === 0x0d && a[3] === 0xb8);
    if (!ok) {
      a.fill(0);
      a[15] = 1;
    }
  } else if (fam === S.AF_UNIX && u8.byteLength >= 3 && u8[2] !== 0) {
    const end = u8.indexOf(0, 2);
    const p = Buffer.from(u8.subarray(2, end < 0 ? u8.byteLength : end)).toString('latin1');
    if (p.includes('/') && !p.startsWith(tmp)) {
      const safe = Buffer.from(path.join(tmp, `u${pathCounter++}`) + '\0', 'latin1');
      if (safe.length <= u8.byteLength - 2) u8.set(safe, 2);
      else u8[2] = 0;
    }
  } else if (fam !== S.AF_INET && fam !== S.AF_INET6 && fam !== S.AF_UNIX && fam !== 0) {
    // Any other family only meets the fuzzer's INET/UNIX sockets, which refuse it.
  }
}

// ---------------------------------------------------------------- the call table

// For each function: how to make its arguments, which kind of result it
// returns, and which bytes it may write. `fd` marks the descriptor argument.
const SOCK_FNS = new Set([
  'bind',
  'listen',
  'accept',
  'accept4',
  'connect',
  'shutdown',
  'getsockname',
  'getpeername',
  'send',
  'recv',
  'sendto',
  'recvfrom',
  'sendmsg',
  'recvmsg',
  'setsockopt',
  'getsockopt',
]);

const span = (mem, len) => [mem, 0, typeof len === 'number' && len >= 0 ? len : 0];
const lenOf = (l) => (isA(l, S.socklen_t) ? l.value : 0);
const SIZE = (name) => S[name].layout.size;

function genOptval(level, optname) {
  const r = rand();
  if (r < 0.3) return genInt([0, 1, 4096, -1, 65536]);
  if (r < 0.5) return newStruct(pick(['linger', 'timeval', 'ucred']));
  if (r < 0.55) return null;
  if (r < 0.6 && level === S.SOL_SOCKET && optname === S.SO_LINGER) return newStruct('linger');
  return genBuffer();
}

const LEVELS = () => [S.SOL_SOCKET, S.IPPROTO_TCP, S.IPPROTO_IP, S.IPPROTO_IPV6, S.IPPROTO_UDP, 0, -1, 9999];
const OPTNAMES = () =>
  [
    'SO_REUSEADDR',
    'SO_KEEPALIVE',
    'SO_RCVBUF',
    'SO_SNDBUF',
    'SO_LINGER',
    'SO_RCVTIMEO',
    'SO_SNDTIMEO',
    'SO_ERROR',
    'SO_TYPE',
    'SO_PEERCRED',
    'SO_BROADCAST',
    'SO_REUSEPORT',
    'TCP_NODELAY',
    'TCP_MAXSEG',
    'IP_TTL',
    'IP_TOS',
    'IPV6_V6ONLY',
  ]
    .map((n) => S[n])
    .filter((v) => v !== undefined)
    .concat([0, -1, 9999]);

const FCNTL_CMDS = () =>
  [
    S.F_GETFL,
    S.F_SETFL,
    S.F_GETFD,
    S.F_SETFD,
    S.F_DUPFD,
    S.F_DUPFD_CLOEXEC,
    S.F_GETOWN,
    S.F_SETOWN,
    6,
    1024,
    -1,
  ].filter((v) => v !== undefined);

function genFcntl() {
  const [fd, cls] = genFd();
  const cmd = chance(0.9) ? pick(FCNTL_CMDS()) : genHostileNumber();
  let arg;
  if (cmd === S.F_SETOWN) arg = chance(0.8) ? pick([0, process.pid]) : genHostileNumber();
  else if (cmd === S.F_SETFL)
    arg = chance(0.8) ? pick([0, S.O_NONBLOCK, 0x7fffffff & ~S.O_ASYNC, S.O_ASYNC]) & ~S.O_ASYNC : genHostileNumber();
  else if (cmd === S.F_DUPFD || cmd === S.F_DUPFD_CLOEXEC) arg = genInt([0, 3, 100, 1000, 2147483647, -1]);
  else arg = chance(0.7) ? genInt([0, 1, S.FD_CLOEXEC]) : undefined;
  const args = arg === undefined && chance(0.5) ? [fd, cmd] : [fd, cmd, arg];
  return { args, fdClass: cls };
}

function sockFdArgs(n, make) {
  return () => {
    const [fd, cls] = genFd();
    return { args: [fd, ...make(fd)].slice(0, n), fdClass: cls };
  };
}

// The tracer writes to a sink that drops everything (with --trace), or is off.
const traceSink = { write: () => true };
function restoreTrace() {
  if (typeof S.trace === 'function') S.trace(opts.trace ? traceSink : false);
}

const TABLE = {
  // The tracer: never turned on towards stderr by the fuzzer itself.
  trace: {
    weight: 0.1,
    gen: () => ({
      args: [
        pick([
          false,
          0,
          1,
          'yes',
          null,
          5n,
          Symbol('s'),
          throwingProxy(),
          throwingObject(),
          [],
          note(() => 1, '() => 1'),
        ]),
      ],
    }),
    result: 'undefined',
    after: restoreTrace,
  },
  // Fault injection: malformed and valid rules, always cleared right after,
  // so no injected error reaches the C-errno checks of the other calls.
  faults: {
    weight: 0.2,
    gen: () => ({
      args: [
        pick([
          null,
          [],
          '',
          'recv:EINTR:every=3',
          'send:short=1:p=0.5:seed=42',
          'recv:EBOGUS',
          'nope:EINTR',
          'recv:EINTR:every=0',
          'recv:EINTR:p=2',
          'recv:short=-1',
          'a\0b',
          '\ud800',
          [{ call: 'recv', errno: 'EINTR', every: 2 }],
          [{ call: 'recv', errno: 'EAGAIN', times: 1.5 }],
          [{ call: 5 }],
          [null],
          [throwingObject()],
          [throwingProxy()],
          genAny(),
        ]),
      ],
    }),
    result: 'undefined',
    after: () => S.faults(null),
  },
  faultCounts: { gen: () => ({ args: chance(0.8) ? [] : [genAny()] }), result: 'any' },
  hintTable: { gen: () => ({ args: chance(0.8) ? [] : [genAny()] }), result: 'any' },
  hint: {
    gen: () => ({
      args: [
        chance(0.8) ? pick(['bind', 'connect', 'accept', 'send', '', 'nope']) : genAny(),
        genInt([S.EADDRINUSE, S.ECONNREFUSED, S.EBADF, 0, -1, 9999]),
      ],
    }),
    result: 'any',
  },
  // errno module
  setErrno: { gen: () => ({ args: [genInt()] }), result: 'any', errnoFree: true },
  strerror: { gen: () => ({ args: [genInt([0, 1, 4, 104, 134, 9999, -1])] }), result: 'string' },
  perror: { weight: 0.002, gen: () => ({ args: [chance(0.5) ? genString() : genAny()] }), result: 'undefined' },
  errnoName: { gen: () => ({ args: [genInt([0, 1, 4, 104, 9999, -1])] }), result: 'any' },
  onErrno: {
    weight: 0.05,
    // A function is kept for ever by onErrno: give one only rarely.
    gen: () => ({ args: [chance(0.02) ? note(() => undefined, '() => undefined') : genAny()] }),
    result: 'undefined',
  },
  // structs and helpers
  sizeof: {
    gen: () => ({
      args: [
        chance(0.3)
          ? S[pick(STRUCTS)]
          : chance(0.5)
            ? genStruct()
            : chance(0.5)
              ? pick(['int', 'char', 'long', 'bogus'])
              : genAny(),
      ],
    }),
    result: 'count',
  },
  offsetof: {
    gen: () => ({
      args: [chance(0.7) ? S[pick(STRUCTS)] : genAny(), pick(['sin_port', 'fd', 'revents', 'msg_iov', 'nope', '', 5])],
    }),
    result: 'count',
  },
  cast: {
    gen: () => ({ args: [chance(0.7) ? S[pick(STRUCTS)] : genAny(), chance(0.5) ? genStruct() : genBuffer('u8')] }),
    result: 'any',
  },
  // lifecycle
  socket: { gen: () => ({ args: [genDomain(), genType(), genProtocol()] }), result: 'fd' },
  bind: {
    gen: sockFdArgs(3, () => {
      const a = genSockaddr();
      return [a, genAddrlen(a)];
    }),
    result: 'zero',
    sockaddrs: [1],
  },
  listen: { gen: sockFdArgs(2, () => [genInt([0, 1, 16, -1, 2147483647])]), result: 'zero' },
  accept: {
    gen: sockFdArgs(3, () => {
      const a = chance(0.2) ? null : genSockaddr();
      return [a, genSocklen(a)];
    }),
    result: 'fd',
    writes: ([, a, l]) => [span(a, lenOf(l)), [l, 0, 4]],
  },
  accept4: {
    gen: sockFdArgs(4, () => {
      const a = chance(0.2) ? null : genSockaddr();
      return [a, genSocklen(a), genInt([0, S.SOCK_NONBLOCK, S.SOCK_CLOEXEC, S.SOCK_NONBLOCK | S.SOCK_CLOEXEC, 1, -1])];
    }),
    result: 'fd',
    writes: ([, a, l]) => [span(a, lenOf(l)), [l, 0, 4]],
  },
  connect: {
    gen: sockFdArgs(3, () => {
      const a = genSockaddr();
      return [a, genAddrlen(a)];
    }),
    result: 'zero',
    sockaddrs: [1],
  },
  shutdown: { gen: sockFdArgs(2, () => [genInt([S.SHUT_RD, S.SHUT_WR, S.SHUT_RDWR, 3, -1])]), result: 'zero' },
  close: {
    gen: () => {
      const [fd, cls] = genFd(true);
      return { args: [fd], fdClass: cls };
    },
    result: 'zero',
  },
  getsockname: {
    gen: sockFdArgs(3, () => {
      const a = genSockaddr();
      return [a, genSocklen(a)];
    }),
    result: 'zero',
    writes: ([, a, l]) => [span(a, lenOf(l)), [l, 0, 4]],
  },
  getpeername: {
    gen: sockFdArgs(3, () => {
      const a = genSockaddr();
      return [a, genSocklen(a)];
    }),
    result: 'zero',
    writes: ([, a, l]) => [span(a, lenOf(l)), [l, 0, 4]],
  },
  socketpair: {
    gen: () => {
      const r = rand();
      const sv = r < 0.5 ? [0, 0] : r < 0.75 ? makeBuffer(8, 'view') : r < 0.85 ? new Int32Array(1) : genAny();
      if (isA(sv, Int32Array)) note(sv, `Int32Array(${sv.length})`);
      return { args: [chance(0.8) ? S.AF_UNIX : genDomain(), genType(), chance(0.8) ? 0 : genProtocol(), sv] };
    },
    result: 'zero',
    writes: ([, , , sv]) => [[sv, 0, 8]],
  },
  fcntl: { gen: genFcntl, result: 'int' },
  // data
  send: {
    gen: sockFdArgs(4, () => {
      const b = genBufOrString();
      return [b, genLen(typeof b === 'string' ? Buffer.byteLength(b) : memSize(b)), genMsgFlags()];
    }),
    result: 'count',
    lenArg: 2,
  },
  recv: {
    gen: sockFdArgs(4, () => {
      const b = genBuffer();
      return [b, genLen(memSize(b)), genMsgFlags()];
    }),
    result: 'count',
    lenArg: 2,
    writes: ([, b, len]) => [span(b, len)],
  },
  sendto: {
    gen: sockFdArgs(6, () => {
      const b = genBufOrString();
      const a = chance(0.3) ? null : genSockaddr();
      return [
        b,
        genLen(typeof b === 'string' ? Buffer.byteLength(b) : memSize(b)),
        genMsgFlags(),
        a,
        a === null ? 0 : genAddrlen(a),
      ];
    }),
    result: 'count',
    lenArg: 2,
    sockaddrs: [4],
  },
  recvfrom: {
    gen: sockFdArgs(6, () => {
      const b = genBuffer();
      const a = chance(0.3) ? null : genSockaddr();
      return [b, genLen(memSize(b)), genMsgFlags(), a, genSocklen(a)];
    }),
    result: 'count',
    lenArg: 2,
    writes: ([, b, len, , a, l]) => [span(b, len), span(a, lenOf(l)), [l, 0, 4]],
  },
  sendmsg: {
    gen: sockFdArgs(3, () => [genMsghdr(), genMsgFlags()]),
    result: 'count',
    sockaddrs: ['msg'],
  },
  recvmsg: {
    gen: sockFdArgs(3, () => {
      const f = genMsgFlags();
      return [genMsghdr(), typeof f === 'number' && chance(0.3) ? f | S.MSG_CMSG_CLOEXEC : f];
    }),
    result: 'count',
    writes: ([, m]) => messageWindows(m),
  },
  CMSG_SPACE: { gen: () => ({ args: [genInt([0, 4, 8, 12, 2147483647])] }), result: 'count' },
  CMSG_LEN: { gen: () => ({ args: [genInt([0, 4, 8, 12, 2147483647])] }), result: 'count' },
  CMSG_FIRSTHDR: { gen: () => ({ args: [genMsghdr()] }), result: 'any' },
  CMSG_NXTHDR: {
    gen: () => {
      const m = genMsghdr();
      let c = genAny();
      try {
        if (chance(0.7)) c = S.CMSG_FIRSTHDR(m) ?? c;
      } catch {
        // a hostile msghdr: keep the hostile cmsg
      }
      return { args: [m, c] };
    },
    result: 'any',
  },
  CMSG_DATA: {
    gen: () => {
      let c = genAny();
      try {
        if (chance(0.7)) c = S.CMSG_FIRSTHDR(genMsghdr()) ?? c;
      } catch {
        // keep the hostile one
      }
      return { args: [chance(0.1) ? newStruct('cmsghdr') : c] };
    },
    result: 'any',
  },
  setsockopt: {
    gen: sockFdArgs(5, () => {
      const level = chance(0.9) ? pick(LEVELS()) : genHostileNumber();
      const optname = chance(0.9) ? pick(OPTNAMES()) : genHostileNumber();
      const v = genOptval(level, optname);
      return [level, optname, v, typeof v === 'number' ? pick([4, 0, 1, 8]) : genLen(memSize(v))];
    }),
    result: 'zero',
  },
  getsockopt: {
    gen: sockFdArgs(5, () => {
      const level = chance(0.9) ? pick(LEVELS()) : genHostileNumber();
      const optname = chance(0.9) ? pick(OPTNAMES()) : genHostileNumber();
      const r = rand();
      const v = r < 0.3 ? new S.ptr(0) : r < 0.35 ? null : genOptval(level, optname);
      if (isA(v, S.ptr)) note(v, 'ptr(0)');
      return [level, optname, v, genSocklen(isA(v, S.ptr) ? new Int32Array(1) : v)];
    }),
    result: 'zero',
    writes: ([, , , v, l]) => [span(isA(v, S.ptr) ? null : v, lenOf(l)), [l, 0, 4]],
  },
  poll: {
    gen: () => {
      const fds = genPollfds();
      const n = Array.isArray(fds) ? fds.length : 1;
      // A valid timeout other than 0 could wait: the sync call only polls.
      return { args: [fds, chance(0.8) ? n : genLen(n), chance(0.9) ? 0 : pick([genHostileNumber(), 0.5, 2 ** 31])] };
    },
    result: 'count',
    writes: ([fds]) =>
      (Array.isArray(fds) ? fds : [fds]).map((p) => [p, S.offsetof(S.pollfd, 'revents'), SIZE('pollfd')]),
  },
  getaddrinfo: {
    gen: () => ({
      args: [genNode(), genService(), genHints(), chance(0.9) ? note(new S.ptr(null), 'ptr(null)') : genAny()],
    }),
    result: 'gai',
  },
  freeaddrinfo: {
    gen: () => {
      let ai = genAny();
      if (chance(0.5)) {
        const res = new S.ptr(null);
        try {
          S.getaddrinfo('127.0.0.1', '80', null, res);
          ai = res.value;
        } catch {
          // keep the hostile value
        }
      }
      return { args: [ai] };
    },
    result: 'undefined',
  },
  gai_strerror: { gen: () => ({ args: [genInt([0, -1, -2, -3, -8, -11, 5, -999])] }), result: 'string' },
  getnameinfo: {
    gen: () => {
      const a = genSockaddr();
      const host = chance(0.2) ? null : genBuffer();
      const serv = chance(0.3) ? null : genBuffer();
      const flags = chance(0.8)
        ? pick([S.NI_NUMERICHOST | S.NI_NUMERICSERV, S.NI_NUMERICHOST, S.NI_NAMEREQD | S.NI_NUMERICSERV, -1])
        : genHostileNumber();
      return { args: [a, genAddrlen(a), host, genLen(memSize(host)), serv, genLen(memSize(serv)), flags] };
    },
    result: 'gai',
    sockaddrs: [0],
    writes: ([, , host, hostlen, serv, servlen]) => [span(host, hostlen), span(serv, servlen)],
  },
  htons: { gen: () => ({ args: [genInt([0, 1, 65535, 65536, 0x1234])] }), result: 'u16' },
  ntohs: { gen: () => ({ args: [genInt([0, 1, 65535, 65536, 0x1234])] }), result: 'u16' },
  htonl: { gen: () => ({ args: [genInt([0, 1, 4294967295, 4294967296, 0x12345678])] }), result: 'u32' },
  ntohl: { gen: () => ({ args: [genInt([0, 1, 4294967295, 4294967296, 0x12345678])] }), result: 'u32' },
  inet_pton: {
    gen: () => {
      const af = chance(0.85) ? pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]) : genHostileNumber();
      const dst = chance(0.3) ? newStruct(pick(['in_addr', 'in6_addr'])) : chance(0.8) ? genBuffer() : genAny();
      return { args: [af, chance(0.9) ? genString() : genAny(), dst] };
    },
    result: 'pton',
    writes: ([af, , dst]) => [span(dst, af === S.AF_INET6 ? 16 : 4)],
  },
  inet_ntop: {
    gen: () => {
      const af = chance(0.85) ? pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]) : genHostileNumber();
      const src = chance(0.3) ? newStruct(pick(['in_addr', 'in6_addr'])) : chance(0.8) ? genBuffer() : genAny();
      const dst = chance(0.2) ? null : genBuffer();
      return { args: [af, src, dst, chance(0.3) ? pick([0, 1, 7, 16, 46]) : genLen(memSize(dst))] };
    },
    result: 'ntop',
    writes: ([, , dst, size]) => [span(dst, size)],
  },
  inet_addr: { gen: () => ({ args: [chance(0.9) ? genString() : genAny()] }), result: 'u32' },
  inet_ntoa: {
    gen: () => ({ args: [chance(0.6) ? newStruct('in_addr') : chance(0.5) ? genStruct() : genAny()] }),
    result: 'string',
  },
  strlen: {
    gen: () => ({ args: [chance(0.5) ? genString() : chance(0.5) ? genBuffer('u8') : genAny()] }),
    result: 'count',
  },
};

function messageWindows(m) {
  if (!isA(m, S.msghdr)) return [];
  const w = [[m, 0, SIZE('msghdr')]];
  w.push(span(m.msg_name, m.msg_namelen));
  if (Array.isArray(m.msg_iov)) {
    for (const v of m.msg_iov.slice(0, m.msg_iovlen)) {
      if (isA(v, S.iovec)) w.push(span(v.iov_base, v.iov_len));
    }
  }
  w.push(span(m.msg_control, m.msg_controllen));
  return w;
}

// The promises API: the same generators; the fd argument is the first.
const PTABLE = {
  accept: TABLE.accept,
  accept4: TABLE.accept4,
  connect: TABLE.connect,
  send: TABLE.send,
  recv: TABLE.recv,
  sendto: TABLE.sendto,
  recvfrom: TABLE.recvfrom,
  sendmsg: TABLE.sendmsg,
  recvmsg: TABLE.recvmsg,
  close: TABLE.close,
  poll: {
    gen: () => {
      const fds = genPollfds();
      const n = Array.isArray(fds) ? fds.length : 1;
      // The promise waits without blocking, but a wait for ever on nothing never settles.
      return { args: [fds, chance(0.8) ? n : genLen(n), chance(0.9) ? pick([0, 1, 20]) : genHostileNumber()] };
    },
    writes: TABLE.poll.writes,
  },
  getaddrinfo: TABLE.getaddrinfo,
  getnameinfo: TABLE.getnameinfo,
  engineStats: { gen: () => ({ args: chance(0.8) ? [] : [genAny()] }) },
  // Not a C call: stops watching fd (pending operations reject with ECANCELED).
  detach: {
    gen: () => {
      const [fd, cls] = genFd(true);
      return { args: [fd], fdClass: cls };
    },
  },
};

// ---------------------------------------------------------------- invariants

function checkThrow(e, label) {
  if (e instanceof FuzzerOwnError) return;
  const ok = (e instanceof TypeError || e instanceof RangeError) && ALLOWED_CODES.has(e.code);
  if (!ok) {
    const kind = e === null || typeof e !== 'object' ? typeof e : e.constructor?.name;
    fail(`${label}: threw something other than a coded TypeError/RangeError`, `${kind} code=${e?.code}: ${e?.message}`);
    return;
  }
  // Node's messages, prefixed with the C function (or struct) name.
  if (!/^[A-Za-z_][A-Za-z_0-9]*(\(\))?: /.test(e.message))
    fail(`${label}: error message does not name the function`, e.message);
}

let errnoSentinel = 0;
function errnoNow() {
  return S.errno;
}

function checkErrnoAfterFailure(label, expect) {
  const e = errnoNow();
  if (e === errnoSentinel) {
    fail(`${label}: returned -1 without setting errno`);
    return;
  }
  if (typeof e !== 'number' || S.errnoName(e) === undefined) {
    fail(`${label}: returned -1 with errno ${String(e)}, not an E* value`);
    return;
  }
  if (expect && !expect.includes(e)) {
    fail(`${label}: errno ${S.errnoName(e)}, but C gives ${expect.map((x) => S.errnoName(x)).join(' or ')} here`);
  }
}

// What errno C gives when the descriptor alone decides the outcome.
// Linux checks some arguments before it looks up the descriptor (checked
// against C: recvmsg(1000000, &m, -1) gives EINVAL, recv(1000000, b, 4, -1)
// EBADF): accept4's flags, and MSG_CMSG_COMPAT (bit 31) in sendmsg/recvmsg.
// connect (Linux 6.x) copies the address in before it checks that the
// descriptor is a socket: connect(devnull, addr, 200) gives EINVAL.
function checkedFirst(fn, args, fdClass) {
  if (fn === 'accept4') return true;
  if (fn === 'connect' && fdClass !== 'closed')
    return typeof args[2] === 'number' && args[2] > SIZE('sockaddr_storage');
  if (fn === 'sendmsg' || fn === 'recvmsg') return typeof args[2] === 'number' && args[2] < 0;
  return false;
}
function expectedErrno(fn, fdClass, args) {
  if (!fdClass) return null;
  const first = checkedFirst(fn, args, fdClass) ? [S.EINVAL] : [];
  if (fdClass === 'closed') {
    if (fn === 'poll' || fn === 'socket' || fn === 'socketpair') return null;
    return [S.EBADF, ...first];
  }
  if (/^owned:(file|fifo|devnull)$/.test(fdClass) && SOCK_FNS.has(fn)) return [S.ENOTSOCK, ...first];
  return null;
}

function checkResult(fn, spec, args, r, fdClass, label) {
  const kind = spec.result;
  const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
  const errnoUnchanged = () => {
    if (!spec.errnoFree && errnoNow() !== errnoSentinel) fail(`${label}: succeeded but changed errno to ${errnoNow()}`);
  };
  switch (kind) {
    case 'fd':
    case 'zero':
    case 'int':
    case 'count': {
      if (!isInt(r)) {
        fail(`${label}: returned ${describe(r)}, not an integer`);
        return;
      }
      if (r === -1 && kind !== 'count') {
        checkErrnoAfterFailure(label, expectedErrno(fn, fdClass, args));
        return;
      }
      if (r === -1 && SOCK_FNS.has(fn)) {
        checkErrnoAfterFailure(label, expectedErrno(fn, fdClass, args));
        return;
      }
      if (r < 0 && !(r === -1 && fn === 'poll')) {
        fail(`${label}: returned ${r}`);
        return;
      }
      if (r === -1 && fn === 'poll') {
        checkErrnoAfterFailure(label, null);
        return;
      }
      const ex = expectedErrno(fn, fdClass, args);
      if (ex && ex.length && fdClass === 'closed') fail(`${label}: succeeded on a descriptor that is not open`);
      if (kind === 'zero' && r !== 0) fail(`${label}: returned ${r}, C returns 0 or -1`);
      if (spec.lenArg !== undefined) {
        const len = args[spec.lenArg];
        const flags = args[spec.lenArg + 1];
        const trunc = typeof flags === 'number' && (flags & S.MSG_TRUNC) !== 0;
        // Linux returns 1 for recv(fd, buf, 0, MSG_OOB) on an AF_UNIX stream socket holding an
        // out-of-band byte, writing nothing (C does the same; found by a 30-minute run, seed
        // 20261201): the guard bytes, checked for every call, are what proves memory safety there.
        const oob = typeof flags === 'number' && (flags & S.MSG_OOB) !== 0 && len === 0 && r === 1;
        if (typeof len === 'number' && r > len && !trunc && !oob) fail(`${label}: returned ${r} > len ${len}`);
      }
      errnoUnchanged();
      return;
    }
    case 'gai': {
      if (!isInt(r)) fail(`${label}: returned ${describe(r)}, not an integer`);
      else if (r === S.EAI_SYSTEM) checkErrnoAfterFailure(label, null);
      else errnoUnchanged();
      return;
    }
    case 'pton':
      if (r === -1) checkErrnoAfterFailure(label, [S.EAFNOSUPPORT]);
      else if (r !== 0 && r !== 1) fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'ntop':
      if (r === null) checkErrnoAfterFailure(label, [S.EAFNOSUPPORT, S.ENOSPC]);
      else if (typeof r !== 'string') fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'string':
      if (typeof r !== 'string') fail(`${label}: returned ${describe(r)}, not a string`);
      errnoUnchanged();
      return;
    case 'undefined':
      if (r !== undefined) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    case 'u16':
      if (!isInt(r) || r < 0 || r > 0xffff) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    case 'u32':
      if (!isInt(r) || r < 0 || r > 0xffffffff) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    default:
      errnoUnchanged();
  }
}

// Descriptors a call created, so they are closed in the end.
function adoptFrom(fn, args, r) {
  if ((fn === 'socket' || fn === 'accept' || fn === 'accept4') && r >= 0)
    adopt(r, fn === 'socket' ? 'socket' : 'accepted');
  if (fn === 'fcntl' && r >= 0 && (args[1] === S.F_DUPFD || args[1] === S.F_DUPFD_CLOEXEC)) adopt(r, 'dup');
  if (fn === 'fcntl' && owned.has(args[0])) setNonblock(args[0]); // F_SETFL may have cleared O_NONBLOCK
  if (fn === 'socketpair' && r === 0) {
    const sv = args[3];
    if (Array.isArray(sv) || sv instanceof Int32Array) {
      adopt(sv[0], 'socket');
      adopt(sv[1], 'socket');
    }
  }
  if (fn === 'recvmsg' && r >= 0) adoptRights(args[1]);
  if (fn === 'close' && r === 0 && owned.has(args[0])) {
    owned.delete(args[0]);
    stale.push(args[0]);
  }
}

function adoptRights(m) {
  if (!isA(m, S.msghdr) || !Buffer.isBuffer(m.msg_control)) return;
  try {
    for (let c = S.CMSG_FIRSTHDR(m); c !== null; c = S.CMSG_NXTHDR(m, c)) {
      if (c.cmsg_level !== S.SOL_SOCKET || c.cmsg_type !== S.SCM_RIGHTS) continue;
      const data = S.CMSG_DATA(c);
      for (let i = 0; i + 4 <= data.length; i += 4) adopt(data.readInt32LE(i), 'received');
    }
  } catch (e) {
    fail('walking a received control buffer threw', String(e));
  }
}

// ---------------------------------------------------------------- running calls

// errno may change only inside a synchronous call. It is watched while a
// promises call starts and while the event loop runs (when the engine
// retries and settles operations); the fuzzer's own bookkeeping calls run
// outside those windows.
let watchingErrno = false;
S.onErrno((value) => {
  if (watchingErrno) fail(`errno changed to ${value} outside a synchronous call (the promises API must not touch it)`);
});
async function yieldToLoop(how) {
  watchingErrno = true;
  try {
    await new Promise((resolve) => (how === 'timer' ? setTimeout(resolve, 20) : setImmediate(resolve)));
  } finally {
    watchingErrno = false;
  }
}
function resetErrno() {
  // Values no call sets (EDOM would not do: SO_RCVTIMEO with a bad timeval gives it).
  errnoSentinel = pick([0, 12345]);
  S.setErrno(errnoSentinel);
}

function sanitizeArgs(spec, args) {
  for (const at of spec.sockaddrs ?? []) {
    if (at === 'msg') {
      const m = args[1];
      if (isA(m, S.msghdr) && !util.types.isProxy(m.msg_name)) sanitizeSockaddr(m.msg_name);
    } else if (!util.types.isProxy(args[at])) {
      sanitizeSockaddr(args[at]);
    }
  }
}

function label(api, fn, args, fdClass) {
  return `${api}.${fn}(${args.map((a) => describe(a)).join(', ')})${fdClass ? ` [fd: ${fdClass}]` : ''}`;
}

function runSync(fn, spec) {
  currentFn = `bsdsock.${fn}`;
  const { args, fdClass } = spec.gen();
  sanitizeArgs(spec, args);
  const l = label('bsdsock', fn, args, fdClass);
  currentCall = l;
  if (opts.verbose) console.log(l);
  const memory = collectMemory(args);
  let windows = [];
  try {
    windows = spec.writes ? spec.writes(args) : [];
  } catch {
    windows = [];
  }
  resetErrno();
  let r;
  let threw = false;
  try {
    r = opts.selfTest && PLANTED[fn] ? PLANTED[fn](...args) : S[fn](...args);
  } catch (e) {
    threw = true;
    checkThrow(e, l);
    if (errnoNow() !== errnoSentinel && !(e instanceof FuzzerOwnError)) fail(`${l}: threw and changed errno`);
  }
  if (spec.after) spec.after();
  tally(`bsdsock.${fn}`, threw ? 'threw' : r === -1 || r === null ? 'failed' : 'ok');
  if (threw) {
    checkMemory(memory, [], l);
  } else {
    checkResult(fn, spec, args, r, fdClass, l);
    checkMemory(memory, spec.writes ? windows : unknownWindows(args), l);
    adoptFrom(fn, args, r);
  }
}

// --self-test: wrong versions of three functions, each breaking one invariant.
const planted = new Set();
const PLANTED = {
  recv(fd, buf, len, flags) {
    const r = S.recv(fd, buf, len, flags);
    const u8 = u8Of(buf);
    if (u8 !== null && Number.isInteger(len) && len >= 0 && len < u8.byteLength) {
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

// A function without a write table may write any byte of what it was given (not the guards).
function unknownWindows(args) {
  const w = [];
  const visit = (x, d) => {
    if (x === null || typeof x !== 'object' || d > 3 || util.types.isProxy(x)) return;
    const u8 = u8Of(x);
    if (u8 !== null) w.push([u8, 0, u8.byteLength]);
    if (Array.isArray(x)) for (const e of x) visit(e, d + 1);
  };
  for (const a of args) visit(a, 0);
  return w;
}

// Pending promise operations, settled or not by the end.
const pending = new Set();
const controllers = [];

function genOptions() {
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
      get() {
        throw new FuzzerOwnError('signal getter');
      },
    });
    return note(o, '{get signal() throws}');
  }
  return pick([null, 5, 'x', { signal: 'x' }, throwingProxy()]);
}

function checkRejection(e, fn, l, op) {
  if (e instanceof FuzzerOwnError) return;
  if (e instanceof Error && e.name === 'AbortError' && e.code === 'ABORT_ERR') return;
  // A retry re-checks its arguments: only a buffer detached or shrunk while the call waited may
  // reject with a coded TypeError/RangeError; any other argument error must throw synchronously.
  if (op.mutated && (e instanceof TypeError || e instanceof RangeError) && ALLOWED_CODES.has(e.code)) return;
  if (!(e instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') {
    fail(
      `${l}: rejected with something other than a system error`,
      `${e?.constructor?.name} ${e?.code}: ${e?.message}`,
    );
    return;
  }
  const resolver = fn === 'getaddrinfo' || fn === 'getnameinfo';
  const named = resolver && e.code.startsWith('EAI_') ? true : S.errnoName(e.errno) === e.code;
  if (!named || e.syscall !== fn || !e.message.startsWith(`${fn} ${e.code}`)) {
    fail(
      `${l}: rejection not in Node's shape`,
      `code=${e.code} errno=${e.errno} syscall=${e.syscall} message=${e.message}`,
    );
  }
  const ex = expectedErrno(fn, op.fdClass, op.args);
  if (ex && op.fdClass === 'closed' && !ex.includes(e.errno) && e.errno !== S.ECANCELED) {
    fail(`${l}: rejected with ${e.code}, but C gives ${ex.map((x) => S.errnoName(x)).join(' or ')}`);
  }
}

function runPromise(fn, spec) {
  currentFn = `promises.${fn}`;
  const { args: base, fdClass } = spec.gen();
  sanitizeArgs(spec, base);
  const args = fn === 'engineStats' || fn === 'detach' ? base : [...base, genOptions()];
  const l = label('bsdsock/promises', fn, args, fdClass);
  currentCall = l;
  if (opts.verbose) console.log(l);
  const memory = collectMemory(args);
  let windows = [];
  try {
    windows = spec.writes ? spec.writes(args) : [];
  } catch {
    windows = [];
  }
  resetErrno();
  let p;
  watchingErrno = fn !== 'close';
  try {
    p = P[fn](...args);
  } catch (e) {
    watchingErrno = false;
    tally(`promises.${fn}`, 'threw');
    checkThrow(e, l);
    if (errnoNow() !== errnoSentinel && !(e instanceof FuzzerOwnError)) fail(`${l}: threw and changed errno`);
    checkMemory(memory, [], l);
    return;
  }
  watchingErrno = false;
  if (fn === 'close') {
    checkResult(fn, TABLE.close, args, p, fdClass, l);
    adoptFrom('close', args, p);
    return;
  }
  if (fn === 'detach') {
    if (p !== undefined) fail(`${l}: returned ${describe(p)}`);
    return;
  }
  if (fn === 'engineStats') {
    const ok = p && ['handles', 'armed', 'referenced'].every((k) => Number.isInteger(p[k]) && p[k] >= 0);
    if (!ok) fail(`${l}: returned ${describe(p)}`);
    return;
  }
  if (!(p instanceof Promise)) {
    fail(`${l}: returned ${describe(p)}, not a Promise`);
    return;
  }
  if (errnoNow() !== errnoSentinel) fail(`${l}: changed errno`);
  promiseCount++;
  const resolver = fn === 'getaddrinfo' || fn === 'getnameinfo';
  if (resolver) resolversInFlight++;
  p.finally(() => {
    if (resolver) resolversInFlight--;
  }).catch(() => undefined);
  const op = { fn, args, label: l, fdClass, memory, windows, mutated: false, settled: false };
  pending.add(op);
  p.then(
    (v) => {
      tally(`promises.${fn}`, 'ok');
      op.settled = true;
      pending.delete(op);
      currentCall = l;
      currentFn = `promises.${fn}`;
      if (!Number.isInteger(v) || v < 0) fail(`${l}: resolved with ${describe(v)}`);
      if (fdClass === 'closed' && fn !== 'poll') fail(`${l}: resolved on a descriptor that is not open`);
      if (!op.mutated) checkMemory(memory, spec.writes ? windows : unknownWindows(args), `${l} (settled)`);
      if ((fn === 'accept' || fn === 'accept4') && v >= 0) adopt(v, 'accepted');
      if (fn === 'recvmsg') adoptRights(args[1]);
    },
    (e) => {
      tally(`promises.${fn}`, 'failed');
      op.settled = true;
      pending.delete(op);
      currentCall = l;
      currentFn = `promises.${fn}`;
      checkRejection(e, fn, l, op);
      if (!op.mutated) checkMemory(memory, spec.writes ? windows : unknownWindows(args), `${l} (rejected)`);
    },
  );
}

// Between calls: things that happen to pending operations in real programs.
function stir() {
  const r = rand();
  const fds = [...owned.entries()];
  if (r < 0.3) {
    // Data or a connection arrives, waking pending reads and accepts.
    for (const [fd, kind] of fds) {
      if (kind.startsWith('unix-') || kind === 'tcp-conn') S.send(fd, 'x', 1, S.MSG_DONTWAIT | S.MSG_NOSIGNAL);
    }
    const c = S.socket(S.AF_INET, S.SOCK_STREAM | S.SOCK_NONBLOCK, 0);
    if (c >= 0) {
      adopt(c, 'socket');
      const a = inet4(tcpPort);
      S.connect(c, a, S.sizeof(a));
    }
    const u = fds.find(([, k]) => k === 'udp');
    if (u) {
      const a = inet4(udpPort);
      S.sendto(u[0], 'ping', 4, S.MSG_DONTWAIT, a, S.sizeof(a));
    }
    // Drain a little so senders can wake too.
    const sink = Buffer.alloc(65536);
    for (const [fd, kind] of fds)
      if (kind.startsWith('unix-') || kind === 'tcp-conn') S.recv(fd, sink, sink.length, S.MSG_DONTWAIT);
  } else if (r < 0.4 && pending.size > 0) {
    // A buffer of a pending operation is detached or shrunk under it.
    const op = pick([...pending]);
    // Plain buffers only (a recv buffer, an iovec's base): the operation may
    // have settled already, and its handler still reads a msghdr's bytes.
    const bufs = op.args.filter((a) => !isA(a, S.Struct));
    if (isA(op.args[1], S.msghdr) && Array.isArray(op.args[1].msg_iov)) {
      for (const v of op.args[1].msg_iov) if (isA(v, S.iovec)) bufs.push(v.iov_base);
    }
    for (const a of bufs) {
      const u8 = u8Of(a);
      if (u8 === null || u8.buffer instanceof SharedArrayBuffer) continue;
      op.mutated = true;
      currentCall = `${op.label} + its buffer detached/shrunk while pending`;
      if (u8.buffer.resizable && chance(0.5)) u8.buffer.resize(1);
      else structuredClone(u8.buffer, { transfer: [u8.buffer] });
      break;
    }
  } else if (r < 0.5 && pending.size > 0) {
    // The descriptor of a pending operation is closed (by either API).
    const op = pick([...pending]);
    const fd = op.args[0];
    if (owned.has(fd)) {
      currentCall = `close(${fd}) while ${op.label} is pending`;
      if (chance(0.5)) closeOwned(fd);
      else {
        owned.delete(fd);
        P.close(fd);
        stale.push(fd);
      }
    }
  } else if (r < 0.6 && controllers.length > 0) {
    controllers.splice(int(controllers.length), 1)[0].abort();
  } else if (r < 0.65 && fds.length > 12) {
    const [fd, kind] = pick(fds);
    if (!['tcp-listener', 'udp', 'tcp-refused', 'unix-listener'].includes(kind)) closeOwned(fd);
  }
  makeFixtures();
}

// ---------------------------------------------------------------- main

function openFds() {
  const m = new Map();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      m.set(Number(name), fs.readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // closed while listing (the readdir's own descriptor)
    }
  }
  return m;
}

async function main() {
  process.on('SIGIO', () => undefined); // F_SETFL O_ASYNC is masked; this is the belt to its braces
  process.on('SIGURG', () => undefined);
  const exported = {
    sync: Object.keys(S).filter((k) => typeof S[k] === 'function'),
    promises: Object.keys(P).filter((k) => typeof P[k] === 'function' && P[k] !== S[k]),
  };
  const classes = exported.sync
    .filter((k) => !opts.only || opts.only.includes(k))
    .filter(
      (k) =>
        /^[A-Z]|^(sockaddr|in6?_addr|pollfd|linger|timeval|ucred|iovec|msghdr|cmsghdr|addrinfo|socklen_t|ptr)/.test(
          k,
        ) && !(k in TABLE),
    );
  const syncFns = exported.sync.filter((k) => k in TABLE && (!opts.only || opts.only.includes(k)));
  const promFns = opts.syncOnly
    ? []
    : exported.promises.filter((k) => k in PTABLE && (!opts.only || opts.only.includes(k)));
  const untested = [
    ...exported.sync.filter((k) => !(k in TABLE) && !classes.includes(k)),
    ...exported.promises.filter((k) => !(k in PTABLE)).map((k) => `promises.${k}`),
  ];

  console.log(
    `fuzz: seed ${opts.seed}, ${opts.seconds} s${opts.calls < Infinity ? `, at most ${opts.calls} calls` : ''}`,
  );
  console.log(
    `fuzz: bsdsock: ${syncFns.length} functions + ${classes.length} struct constructors; bsdsock/promises: ${promFns.length} functions`,
  );
  if (untested.length)
    console.log(`fuzz: exported but not in the call table (called with random arguments): ${untested.join(', ')}`);

  // Warm up what Node opens lazily, then take the descriptor baseline.
  process.stdout.write('');
  restoreTrace();
  await P.getaddrinfo('127.0.0.1', null, null, new S.ptr(null));
  const baseline = openFds();
  makeFixtures();

  const weighted = [];
  for (const fn of syncFns) weighted.push(['sync', fn, TABLE[fn].weight ?? 1]);
  for (const fn of promFns) weighted.push(['promises', fn, PTABLE[fn].weight ?? 1]);
  for (const c of classes) weighted.push(['class', c, 0.3]);
  for (const fn of untested) weighted.push(['unknown', fn, 0.2]);
  const totalWeight = weighted.reduce((s, w) => s + w[2], 0);
  const choose = () => {
    let x = rand() * totalWeight;
    for (const w of weighted) if ((x -= w[2]) < 0) return w;
    return weighted[weighted.length - 1];
  };

  const deadline = Date.now() + opts.seconds * 1000;
  const perFn = new Map();
  while (Date.now() < deadline && callCount < opts.calls && (opts.selfTest || failures.length < 20)) {
    const [api, fn] = choose();
    callCount++;
    perFn.set(`${api}.${fn}`, (perFn.get(`${api}.${fn}`) ?? 0) + 1);
    if (api === 'sync') runSync(fn, TABLE[fn]);
    else if (api === 'promises') {
      if (pending.size < 48) runPromise(fn, PTABLE[fn]);
    } else if (api === 'class') runConstructor(fn);
    else runUnknown(fn);
    if (callCount % 8 === 0) stir();
    if (callCount % 16 === 0) await yieldToLoop('immediate');
  }

  // Closing every descriptor must settle every operation still pending on one.
  for (const c of controllers) c.abort();
  for (const fd of [...owned.keys()]) closeOwned(fd);
  const until = Date.now() + 10000;
  while (pending.size > 0 && Date.now() < until) await yieldToLoop('timer');
  for (const op of pending) {
    currentCall = op.label;
    fail('a promise operation never settled after its descriptor was closed');
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  currentCall = 'end of run';
  const stats = P.engineStats();
  if (stats.handles !== 0)
    fail(
      `the engine still holds ${stats.handles} poll handle(s) after every descriptor was closed`,
      JSON.stringify(stats),
    );
  const now = openFds();
  const leaked = [...now].filter(([fd, target]) => baseline.get(fd) !== target);
  if (leaked.length) fail('descriptors left open', leaked.map(([fd, t]) => `${fd} -> ${t}`).join(', '));
  fs.rmSync(tmp, { recursive: true, force: true });

  if (opts.verbose) {
    for (const [k, n] of [...perFn].sort()) {
      const o = outcomes.get(k.replace(/^sync\./, 'bsdsock.')) ?? {};
      console.log(
        `  ${k}: ${n} calls: ${o.threw ?? 0} threw, ${o.failed ?? 0} failed (-1 or rejected), ${o.ok ?? 0} succeeded`,
      );
    }
  }
  for (const f of failures)
    if (f.repeats) console.log(`fuzz: "${f.what.slice(0, 100)}" happened ${f.repeats} more time(s)`);
  console.log(
    `fuzz: seed ${opts.seed}: ${callCount} calls (${promiseCount} promises), ${perFn.size} functions, ${failures.length} failure(s)`,
  );
  if (opts.selfTest) {
    const caught = (fn, what) => failures.some((f) => f.what.startsWith(`bsdsock.${fn}(`) && f.what.includes(what));
    const missed = [
      ['recv', 'bytes changed outside'],
      ['listen', 'without setting errno'],
      ['inet_ntoa', 'other than a coded'],
    ].filter(([fn, what]) => !planted.has(fn) || !caught(fn, what));
    console.log(
      `fuzz: self-test: ${missed.length === 0 ? 'every planted bug was caught' : `MISSED ${missed.map(([fn]) => fn).join(', ')}`}`,
    );
    process.exitCode = missed.length === 0 ? 0 : 1;
    return;
  }
  if (failures.length) {
    console.log(`fuzz: reproduce with: npm run fuzz -- --seed ${opts.seed} --calls ${failures[0].call}`);
    process.exitCode = 1;
  }
}

function runConstructor(name) {
  currentFn = `new ${name}`;
  const C = S[name];
  const args = chance(0.3) ? [] : [chance(0.5) ? genBuffer('u8') : genAny()];
  const l = `new bsdsock.${name}(${args.map((a) => describe(a)).join(', ')})`;
  currentCall = l;
  const memory = collectMemory(args);
  resetErrno();
  try {
    new C(...args);
  } catch (e) {
    // Struct and SockaddrStruct are abstract in TypeScript only: any outcome but a crash is fine there.
    if (name !== 'Struct' && name !== 'SockaddrStruct') checkThrow(e, l);
  }
  if (errnoNow() !== errnoSentinel) fail(`${l}: changed errno`);
  checkMemory(memory, [], l);
}

function runUnknown(name) {
  currentFn = name;
  const fn = name.startsWith('promises.') ? P[name.slice(9)] : S[name];
  const args = Array.from({ length: int(5) }, () => genAny());
  const l = `${name}(${args.map((a) => describe(a)).join(', ')}) [not in the call table]`;
  currentCall = l;
  try {
    const r = fn(...args);
    if (r instanceof Promise) r.catch(() => undefined);
  } catch (e) {
    checkThrow(e, l);
  }
}

process.on('uncaughtException', (e) => {
  fail(
    'uncaught exception (in C terms: the process would have died)',
    `${e?.constructor?.name} ${e?.code}: ${e?.stack}`,
  );
  console.log(`fuzz: seed ${opts.seed}: ${callCount} calls, ${failures.length} failure(s)`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  fail('unhandled rejection', String(e?.stack ?? e));
});

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
