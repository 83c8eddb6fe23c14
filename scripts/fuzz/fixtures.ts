// The descriptors a run owns (listeners, connected pairs, a file, a FIFO, /dev/null…), the values made
// from them (descriptor arguments, socket addresses of the fuzzer's own ports and paths, control
// messages carrying its descriptors, pollfd arrays, msghdrs), and the safety filter every address goes
// through before a call sees it.
//
// Safety: the process may be root on a shared machine. Sockets are limited to AF_INET/AF_INET6/AF_UNIX
// without SOCK_RAW, IP addresses are rewritten to loopback or TEST-NET, ports to the fuzzer's own, Unix
// paths into a temporary directory: a fuzzer must not send traffic elsewhere. Every descriptor it passes
// to a call that could block is O_NONBLOCK, and close() is only ever given its own descriptors or numbers
// that cannot be open, never one Node or a resolver thread may own.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import * as S from '../../lib/index';
import { describe, note } from './describe';
import { genBuffer, isA, makeBuffer, memSize, newStruct, STRUCTS, u8Of } from './memory';
import { fail } from './report';
import { chance, int, pick, rand } from './rng';
import { genAny, genHostileNumber, genLen } from './values';

/** What an owned descriptor is. */
export type FdKind =
  | 'tcp-listener'
  | 'tcp-refused'
  | 'tcp-conn'
  | 'tcp6'
  | 'udp'
  | 'unix-listener'
  | 'unix-stream'
  | 'unix-dgram'
  | 'unix-seqpacket'
  | 'file'
  | 'devnull'
  | 'fifo'
  | 'socket'
  | 'accepted'
  | 'dup'
  | 'epoll'
  | 'received';

/** What a descriptor argument was: one of the run's own, a number that is not open, or not a descriptor. */
export type FdClass = `owned:${FdKind}` | 'closed' | 'hostile';

/** The run's own descriptors. */
export const owned = new Map<number, FdKind>();
/** Numbers the run closed (the last 32). */
export const stale: number[] = [];

/** The fixtures' ports and paths. */
export const fixture = {
  /** The run's temporary directory (Unix socket paths, the file, the FIFO). */
  tmp: '',
  /** The listener's port. */
  tcpPort: 0,
  udpPort: 0,
  /** Bound, not listening: connect gets ECONNREFUSED. */
  refusedPort: 0,
  listenerFd: -1,
  /** The Unix listener's path, relative to tmp (the run's working directory). */
  unixPath: '',
  pathCounter: 0,
  /** Resolver calls of the promises API in flight: their thread opens and closes descriptors of its own. */
  resolversInFlight: 0,
};

const startedIn = process.cwd();

/**
 * Makes the run's temporary directory and works in it: a Unix socket address with a relative path (or
 * random bytes for one) is bound there, not in the directory the fuzzer was started from.
 */
export function setUp(): void {
  fixture.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-fuzz-'));
  process.chdir(fixture.tmp);
}

/** Leaves and removes it. */
export function tearDown(): void {
  process.chdir(startedIn);
  if (fixture.tmp !== '') fs.rmSync(fixture.tmp, { recursive: true, force: true });
}

function setNonblock(fd: number): void {
  const fl = S.fcntl(fd, S.F_GETFL);
  if (fl >= 0 && (fl & S.O_NONBLOCK) === 0) S.fcntl(fd, S.F_SETFL, fl | S.O_NONBLOCK);
}

/** Keeps `fd` (a call's result) to close it in the end; non-blocking, so no call on it can block. */
export function adopt(fd: unknown, kind: FdKind): void {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) return;
  if (owned.has(fd)) return;
  owned.set(fd, kind);
  const at = stale.indexOf(fd);
  if (at >= 0) stale.splice(at, 1);
  setNonblock(fd);
}

/** Forgets `fd`, which a call closed. */
export function forget(fd: number): void {
  owned.delete(fd);
  stale.push(fd);
  if (stale.length > 32) stale.shift();
}

/** Closes one of the run's descriptors. */
export function closeOwned(fd: number): void {
  S.close(fd);
  forget(fd);
}

/** After F_SETFL, which may have cleared O_NONBLOCK on one of the run's descriptors. */
export function keepNonblocking(fd: unknown): void {
  if (typeof fd === 'number' && owned.has(fd)) setNonblock(fd);
}

/** `struct sockaddr_in` for `port` on `addr` (host order). */
export function inet4(port: number, addr: number = S.INADDR_LOOPBACK): S.sockaddr_in {
  const a = new S.sockaddr_in();
  a.sin_family = S.AF_INET;
  a.sin_port = S.htons(port);
  a.sin_addr.s_addr = S.htonl(addr);
  return a;
}

function must(r: number, what: string): number {
  if (r < 0) throw new Error(`fuzz set-up: ${what} failed: ${S.errnoName(S.errno)}`);
  return r;
}

// getsockname or getpeername of fd, as an IPv4 address.
function nameOf(call: typeof S.getsockname, fd: number, what: string): S.sockaddr_in {
  const a = new S.sockaddr_in();
  const l = new S.socklen_t(S.sizeof(a));
  must(call(fd, a, l), `${what}(${fd})`);
  return a;
}

function portOf(fd: number): number {
  return S.ntohs(nameOf(S.getsockname, fd, 'getsockname').sin_port);
}

function show(a: S.sockaddr_in): string {
  return `${S.inet_ntoa(a.sin_addr)}:${S.ntohs(a.sin_port)}`;
}

/**
 * Two TCP sockets connected to each other. They meet on a listener of their own, closed once it has
 * accepted, so no other connection (stir()'s, a fuzzed connect's) can be accepted in place of the
 * client's; and each one's local address is checked to be the other's peer.
 */
function connectedTcpPair(flags: number): [number, number] {
  const listener = must(S.socket(S.AF_INET, S.SOCK_STREAM | flags, 0), 'socket');
  try {
    const any = inet4(0);
    must(S.bind(listener, any, S.sizeof(any)), 'bind');
    must(S.listen(listener, 1), 'listen');
    const client = must(S.socket(S.AF_INET, S.SOCK_STREAM | flags, 0), 'socket');
    adopt(client, 'tcp-conn');
    const to = inet4(portOf(listener));
    if (S.connect(client, to, S.sizeof(to)) < 0 && S.errno !== S.EINPROGRESS) must(-1, 'connect');
    const ready = new S.pollfd();
    ready.fd = listener;
    ready.events = S.POLLIN;
    must(S.poll(ready, 1, 5000), 'poll');
    const accept4 = S.accept4;
    const server = must(
      accept4 === undefined ? S.accept(listener, null, null) : accept4(listener, null, null, flags),
      'accept',
    );
    adopt(server, 'tcp-conn');
    const pairs: [S.sockaddr_in, S.sockaddr_in][] = [
      [nameOf(S.getsockname, client, 'getsockname'), nameOf(S.getpeername, server, 'getpeername')],
      [nameOf(S.getpeername, client, 'getpeername'), nameOf(S.getsockname, server, 'getsockname')],
    ];
    for (const [a, b] of pairs) {
      if (!a.bytes.equals(b.bytes)) {
        throw new Error(`fuzz set-up: the TCP pair ${client}, ${server} is not connected: ${show(a)} != ${show(b)}`);
      }
    }
    return [client, server];
  } finally {
    S.close(listener);
  }
}

function count(kind: FdKind): number {
  let n = 0;
  for (const k of owned.values()) if (k === kind) n++;
  return n;
}

/** Makes (again) every fixture that is missing: listeners, a connected TCP pair, Unix pairs, a file… */
export function makeFixtures(): void {
  const NB = S.SOCK_NONBLOCK | S.SOCK_CLOEXEC;
  const boundInet = (kind: FdKind, type: number): number => {
    const fd = must(S.socket(S.AF_INET, type | NB, 0), 'socket');
    adopt(fd, kind);
    const a = inet4(0);
    must(S.bind(fd, a, S.sizeof(a)), 'bind');
    return fd;
  };
  if (fixture.listenerFd < 0 || !owned.has(fixture.listenerFd)) {
    fixture.listenerFd = boundInet('tcp-listener', S.SOCK_STREAM);
    must(S.listen(fixture.listenerFd, 64), 'listen');
    fixture.tcpPort = portOf(fixture.listenerFd);
  }
  if (fixture.udpPort === 0 || count('udp') === 0) fixture.udpPort = portOf(boundInet('udp', S.SOCK_DGRAM));
  if (fixture.refusedPort === 0 || count('tcp-refused') === 0) {
    fixture.refusedPort = portOf(boundInet('tcp-refused', S.SOCK_STREAM));
  }
  if (count('tcp-conn') < 2) connectedTcpPair(NB);
  const unixPairs = [
    ['unix-stream', S.SOCK_STREAM],
    ['unix-dgram', S.SOCK_DGRAM],
    ['unix-seqpacket', S.SOCK_SEQPACKET],
  ] as const;
  for (const [kind, type] of unixPairs) {
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
  if (count('file') < 1) adopt(fs.openSync(path.join(fixture.tmp, 'file'), 'w+'), 'file');
  if (count('devnull') < 1) adopt(fs.openSync('/dev/null', 'r+'), 'devnull');
  if (count('fifo') < 1) {
    const p = path.join(fixture.tmp, 'fifo');
    if (!fs.existsSync(p)) execFileSync('mkfifo', [p]);
    adopt(fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), 'fifo');
  }
  if (!fixture.unixPath) {
    fixture.unixPath = 'listener.sock';
    const u = must(S.socket(S.AF_UNIX, S.SOCK_STREAM | NB, 0), 'socket');
    adopt(u, 'unix-listener');
    const a = new S.sockaddr_un();
    a.sun_family = S.AF_UNIX;
    a.sun_path = fixture.unixPath;
    must(S.bind(u, a, S.sizeof(a)), 'bind');
    must(S.listen(u, 16), 'listen');
  }
  // Too many accepted or duplicated descriptors: close the oldest.
  const extra = [...owned].filter(([, k]) => k === 'accepted' || k === 'dup' || k === 'received' || k === 'socket');
  while (extra.length > 24) closeOwned(extra.shift()![0]);
}

/** The fixtures a run keeps for its whole length (stir() does not close them). */
export function isLasting(kind: FdKind): boolean {
  return kind === 'tcp-listener' || kind === 'udp' || kind === 'tcp-refused' || kind === 'unix-listener';
}

/** The process's open descriptors and what they are. */
export function openFds(): Map<number, string> {
  const m = new Map<number, string>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      m.set(Number(name), fs.readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // closed while listing (the readdir's own descriptor)
    }
  }
  return m;
}

function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

// Numbers that cannot name an open descriptor (beyond RLIMIT_NOFILE, or negative).
const NEVER_OPEN = [-1, -2147483648, 2147483647, 1000000, -7];

/**
 * A descriptor argument and what it is. Never 0-2 nor a number Node may own. `destructive`: the call
 * releases the descriptor (close, detach), so it never gets a number it has not seen closed for good.
 */
export function genFd(destructive = false): [unknown, FdClass] {
  const r = rand();
  if (r < 0.7 && owned.size > 0) {
    const fd = pick([...owned.keys()]);
    return [fd, `owned:${owned.get(fd)!}`];
  }
  // A resolver thread (promises getaddrinfo/getnameinfo) opens and closes descriptors of its own: while
  // one runs, a closed number may be reused.
  if (r < 0.78 && !destructive && stale.length > 0 && fixture.resolversInFlight === 0) {
    const fd = pick(stale);
    if (!isOpen(fd)) return [fd, 'closed'];
  }
  if (r < 0.88) return [pick(NEVER_OPEN), 'closed'];
  return [genHostileNumber(), 'hostile'];
}

// ---------------------------------------------------------------- addresses

function loopbackPort(): number {
  return pick([0, fixture.tcpPort, fixture.udpPort, fixture.refusedPort]);
}

/** A socket address: of the fuzzer's own ports and paths, of another family, not a sockaddr, or anything. */
export function genSockaddr(): unknown {
  const r = rand();
  if (r < 0.3) {
    const a = newStruct('sockaddr_in');
    a.sin_family = chance(0.9) ? S.AF_INET : pick([S.AF_INET6, S.AF_UNIX, 0, 255]);
    const port = loopbackPort();
    a.sin_port = S.htons(port);
    a.sin_addr.s_addr = S.htonl(pick([S.INADDR_LOOPBACK, S.INADDR_ANY, 0x7f000002]));
    return note(a, `sockaddr_in{family=${a.sin_family}, port=${port}}`);
  }
  if (r < 0.45) {
    const a = newStruct('sockaddr_in6');
    a.sin6_family = chance(0.9) ? S.AF_INET6 : S.AF_INET;
    const port = loopbackPort();
    a.sin6_port = S.htons(port);
    a.sin6_addr.s6_addr = chance(0.5) ? S.in6addr_loopback.bytes : S.in6addr_any.bytes;
    a.sin6_scope_id = pick([0, 1, 4294967295]);
    return note(a, `sockaddr_in6{family=${a.sin6_family}, port=${port}}`);
  }
  if (r < 0.6) {
    const a = newStruct('sockaddr_un');
    a.sun_family = S.AF_UNIX;
    const p = pick([
      fixture.unixPath,
      `s${fixture.pathCounter++}`,
      `\0bsdsock-fuzz-${process.pid}-${int(4)}`,
      '',
      `relative-${int(4)}`,
    ]);
    a.sun_path = p;
    return note(a, `sockaddr_un{${JSON.stringify(p)}}`);
  }
  if (r < 0.7) return newStruct(pick(['sockaddr', 'sockaddr_storage'] as const));
  if (r < 0.8) return newStruct(pick(STRUCTS)); // not a sockaddr at all
  if (r < 0.9) return genBuffer();
  return genAny();
}

/** An address length for `addr`: its size, or a length around it. */
export function genAddrlen(addr: unknown): unknown {
  const size = memSize(addr);
  return chance(0.6) ? size : genLen(size);
}

/** An in/out length holder for `addr`: a socklen_t of its size or another, null, or a look-alike. */
export function genSocklen(addr: unknown): unknown {
  const r = rand();
  if (r < 0.1) return null;
  if (r < 0.2) return genAny();
  if (r < 0.25) return note({ value: 16 }, '{value: 16}');
  const size = memSize(addr);
  const v = chance(0.7) ? size : pick([0, 1, size + 1, 128, 4294967295]);
  return note(new S.socklen_t(v), `socklen_t(${v})`);
}

// Rewrites any IPv4/IPv6 address to loopback (or TEST-NET for variety), any port to one of the
// fuzzer's, and a Unix path with a slash to a name in tmp, the run's working directory. Every path the
// fuzzer binds is relative, so that an addrlen that cuts it short still names a file in tmp: an
// absolute one cut short (/tmp/bsdsock-fuzz-Ab12/s3 at 17 bytes) was bound as /tmp/bsdsock-fu.
function sanitizeBytes(u8: Uint8Array): void {
  const fam = u8[0] | (u8[1] << 8);
  const port = (u8[2] << 8) | u8[3];
  const fixPort = (): void => {
    if (![0, fixture.tcpPort, fixture.udpPort, fixture.refusedPort].includes(port)) {
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
    const zeroTo = (n: number): boolean => a.subarray(0, n).every((b) => b === 0);
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
    if (p.includes('/')) {
      const safe = Buffer.from(`u${fixture.pathCounter++}\0`, 'latin1');
      if (safe.length <= u8.byteLength - 2) u8.set(safe, 2);
      else u8[2] = 0;
    }
  }
  // Any other family only meets the fuzzer's INET/UNIX sockets, which refuse it.
}

/** Makes an address argument safe to send to (see the file's comment); leaves anything else alone. */
export function sanitizeSockaddr(x: unknown): void {
  if (util.types.isProxy(x)) return;
  const u8 = u8Of(x);
  if (u8 !== null && u8.byteLength >= 4) sanitizeBytes(u8);
}

// ---------------------------------------------------------------- messages

/** Assigns a field of a struct whatever the generator made, bypassing its type (the setter checks it). */
function poke(target: object, field: string, value: unknown): void {
  (target as Record<string, unknown>)[field] = value;
}

/** A control buffer: SCM_RIGHTS with the run's descriptors or closed numbers, odd, empty, or anything. */
export function genControl(): unknown {
  const r = rand();
  if (r < 0.3) return null;
  if (r < 0.6) {
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
      const fd = chance(0.8) && fds.length > 0 ? pick(fds) : pick([-1, 1000000]);
      b.writeInt32LE(fd, S.CMSG_LEN(0) + 4 * i);
    }
    return note(b, `control(SCM_RIGHTS x${n}, ${space} bytes)`);
  }
  if (r < 0.8) return makeBuffer(pick([0, 8, 16, 64]), 'u8');
  return genAny();
}

/** An iovec on a guarded buffer, its length right or not, or something that is not one. */
export function genIovec(): unknown {
  if (chance(0.05)) return genAny();
  const v = newStruct('iovec');
  const k = rand();
  poke(v, 'iov_base', k < 0.1 ? null : k < 0.2 ? genAny() : genBuffer());
  const size = memSize(v.iov_base);
  try {
    poke(v, 'iov_len', chance(0.7) ? size : genLen(size));
  } catch {
    v.iov_len = 0;
  }
  return v;
}

/** A msghdr: iovecs on guarded buffers, an address, a control buffer, with lengths right or not. */
export function genMsghdr(): unknown {
  if (chance(0.08)) return genAny();
  if (chance(0.04)) return newStruct(pick(STRUCTS));
  const m = newStruct('msghdr');
  const r = rand();
  const iov: unknown[] = [];
  const n = pick([0, 1, 2, 3, 8]);
  for (let i = 0; i < n; i++) iov.push(genIovec());
  poke(m, 'msg_iov', r < 0.05 ? null : r < 0.1 ? genAny() : iov);
  try {
    poke(m, 'msg_iovlen', chance(0.8) ? n : genLen(n));
  } catch {
    m.msg_iovlen = n;
  }
  if (chance(0.3)) {
    poke(m, 'msg_name', chance(0.9) ? genSockaddr() : genAny());
    const size = memSize(m.msg_name);
    try {
      poke(m, 'msg_namelen', chance(0.7) ? size : genLen(size));
    } catch {
      m.msg_namelen = 0;
    }
  }
  poke(m, 'msg_control', genControl());
  try {
    const size = memSize(m.msg_control);
    poke(m, 'msg_controllen', chance(0.7) ? size : genLen(size));
  } catch {
    m.msg_controllen = 0;
  }
  note(
    m,
    `msghdr{name=${describe(m.msg_name)}, namelen=${m.msg_namelen}, iov=${describe(m.msg_iov)}, ` +
      `iovlen=${m.msg_iovlen}, control=${describe(m.msg_control)}, controllen=${m.msg_controllen}}`,
  );
  for (const v of iov) if (isA(v, S.iovec)) note(v, `iovec{${describe(v.iov_base)}, ${v.iov_len}}`);
  return m;
}

/** A pollfd array (or one pollfd) on the run's descriptors and closed numbers, or anything. */
export function genPollfds(): unknown {
  if (chance(0.1)) return genAny();
  const list: unknown[] = [];
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
    list.push(note(p, `pollfd{fd=${p.fd}, events=${p.events}}`));
  }
  if (n === 1 && chance(0.3)) return list[0];
  if (chance(0.25) && list.every((p) => isA(p, S.pollfd))) return asCArray(S.pollfd, list);
  return list;
}

/**
 * The same structs as a C array (`array(T, n)`, one contiguous buffer), which the calls take wherever
 * they take an array of T; sometimes one element longer, so that a count past the entries given is
 * within the array.
 */
export function asCArray<T extends InstanceType<typeof S.Struct>>(
  type: S.StructType<T>,
  entries: readonly unknown[],
): unknown {
  const out = S.array(type, entries.length + (chance(0.3) ? 1 : 0));
  entries.forEach((e, k) => {
    out[k] = e as T;
  });
  return note(out, `array(${type.name}, ${out.length})`);
}

/** The descriptors a received control buffer carried, adopted so they are closed in the end. */
export function adoptRights(m: unknown): void {
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
