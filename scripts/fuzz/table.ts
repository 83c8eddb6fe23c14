// The per-call table: for every function of bsdsock and bsdsock/promises, how to make its arguments
// and what it must return. Its keys are the registry's (lib/calls.ts): each C function of CALLS and each
// helper of HELPERS, so a call added to the registry without a generator here does not compile.
//
// Most C functions need no generator of their own: byParams() walks the registry entry's `params` (its
// C parameters, in order) and makes each argument with the generator of that parameter name, so accept
// and accept4, getsockname and getpeername, send and sendto, recv and recvfrom, htons and ntohs share
// one generator and differ only by what their entries say. What the registry also says is used, not
// written again: which parameters are out-pointers (the bytes a call may write, and the null an
// optional out-address may be), the descriptor parameter (a socket or any descriptor), the input
// addresses to make safe, the result of a resolver call (an EAI_* status). Written by hand: each
// library function's and helper's result, and the syscalls whose result is not C's usual 0 or -1.
import { CALLS, HELPERS, callEntry, type CallEntry, type CallName } from '../../lib/calls';
import * as S from '../../lib/index';
import { note } from './describe';
import {
  adopt,
  adoptRights,
  forget,
  genAddrlen,
  genFd,
  genIovec,
  asCArray,
  genMsghdr,
  genPollfds,
  genSockaddr,
  genSocklen,
  keepNonblocking,
  owned,
  sanitizeSockaddr,
  type FdClass,
} from './fixtures';
import {
  genBuffer,
  genStruct,
  hasStruct,
  isA,
  lenOf,
  makeBuffer,
  memSize,
  newStruct,
  span,
  STRUCTS,
  structClass,
  u8Of,
  type Window,
} from './memory';
import { opts } from './options';
import { chance, pick, rand } from './rng';
import {
  FCNTL_CMDS,
  LEVELS,
  OPTNAMES,
  dataSize,
  genAddrinfoList,
  genAny,
  genBufOrString,
  genDomain,
  genHints,
  genHostileNumber,
  genInt,
  genLen,
  genMsgFlags,
  genNode,
  genOptval,
  genProtocol,
  genService,
  genSockFlags,
  genString,
  genType,
  throwingObject,
  throwingProxy,
} from './values';

/** A helper of the registry: an export of either API that is not a C function. */
export type Helper = (typeof HELPERS)[number];
/** Every name the table has: the registry's calls and helpers. */
export type FuzzName = CallName | Helper;
/** Which API a function is called through. */
export type Api = 'bsdsock' | 'bsdsock/promises';

/**
 * What a call must return, besides never crashing: a C result and errno as C sets them.
 * - fd, zero, int, count: a syscall's descriptor, 0, int, byte count, or -1 with errno set;
 *   a library function's count (sizeof, strlen) is never negative;
 * - gai: an EAI_* status (EAI_SYSTEM sets errno); pton: 1, 0, or -1 with EAFNOSUPPORT; ntop: a
 *   string, or null with errno; ifindex: an interface index, or 0 with ENODEV; ifname: a string, or
 *   null with ENXIO; info: an object, or null with errno; stats: engineStats' counters;
 *   netdb: a hostent or servent, or null (a host lookup's null sets h_errno, and errno with NETDB_INTERNAL);
 * - string, undefined, u16, u32: that; any: anything, errno untouched.
 */
export type ResultKind =
  | 'fd'
  | 'zero'
  | 'int'
  | 'count'
  | 'gai'
  | 'pton'
  | 'ntop'
  | 'ifindex'
  | 'ifname'
  | 'info'
  | 'netdb'
  | 'stats'
  | 'string'
  | 'undefined'
  | 'u16'
  | 'u32'
  | 'any';

/** A call's arguments, and what its descriptor argument was (when it has one). */
export interface Generated {
  readonly args: unknown[];
  readonly fdClass?: FdClass;
}

/** What a generator is making arguments for. */
export interface GenContext {
  readonly name: FuzzName;
  readonly api: Api;
}

/** One function's row. */
export interface Spec {
  /** Makes its arguments. */
  readonly gen: (c: GenContext) => Generated;
  /** What it must return; a syscall or resolver call without one returns what its registry entry says. */
  readonly result?: ResultKind;
  /** How often it is called, relative to 1. */
  readonly weight?: number;
  /** It sets errno on success (setErrno). */
  readonly errnoFree?: boolean;
  /** Its descriptor must be a socket (ENOTSOCK otherwise); a C function's entry says this by `sockfd`. */
  readonly socketOnly?: boolean;
  /** Undoes what the call switched on (the tracer, fault injection). */
  readonly after?: () => void;
  /**
   * The bytes it may write, where the registry's out-parameters do not say how many: an out-pointer
   * not followed by its length (socketpair's sv, recvmsg's msg, poll's fds, inet_pton's dst…).
   */
  readonly writes?: (args: readonly unknown[]) => Window[];
  /** Keeps what the call made (a descriptor by fcntl's F_DUPFD) or forgets what it released. */
  readonly adopt?: (args: readonly unknown[], r: unknown) => void;
}

// The registry does not say what a library function returns, nor a helper: their rows must.
type NeedsResult<K extends FuzzName> = K extends CallName
  ? (typeof CALLS)[K]['kind'] extends 'library'
    ? true
    : false
  : true;

/** The table's type: one row per registry name, with a result where the registry gives none. */
export type Table = {
  readonly [K in FuzzName]: NeedsResult<K> extends true ? Spec & { readonly result: ResultKind } : Spec;
};

// ---------------------------------------------------------------- arguments by C parameter name

/** A trailing optional argument left out (fcntl's arg). */
const OMIT = Symbol('omitted');

/** The arguments made so far for one call. */
interface ArgState {
  readonly name: CallName;
  readonly api: Api;
  readonly entry: CallEntry;
  readonly args: unknown[];
  fdClass?: FdClass;
}

type ParamGen = (a: ArgState) => unknown;

// The argument of parameter p, made before the current one.
function arg(a: ArgState, p: string): unknown {
  const i = a.entry.params.indexOf(p);
  return i >= 0 && i < a.args.length ? a.args[i] : undefined;
}

// The argument just before the current one (the pointer a length describes).
function prev(a: ArgState): unknown {
  return a.args[a.args.length - 1];
}

// The current parameter is one the call writes.
function isOut(a: ArgState): boolean {
  return a.entry.out.includes(a.entry.params[a.args.length]);
}

function descriptor(a: ArgState, destructive: boolean): unknown {
  const [fd, cls] = genFd(destructive);
  a.fdClass = cls;
  return fd;
}

const shortValue = (): unknown => genInt([0, 1, 65535, 65536, 0x1234]);
const longValue = (): unknown => genInt([0, 1, 4294967295, 4294967296, 0x12345678]);
// The length of the buffer just made (hostlen after host, servlen after serv).
const lengthOfPrev = (a: ArgState): unknown => genLen(memSize(prev(a)));
const addressBytes = (): unknown =>
  chance(0.3) ? newStruct(pick(['in_addr', 'in6_addr'] as const)) : chance(0.8) ? genBuffer() : genAny();
const text = (): unknown => (chance(0.9) ? genString() : genAny());
const optionalAddress = (): unknown => (chance(0.3) ? null : genSockaddr());

/** Generators by C parameter name, for every parameter of the registry. */
const PARAMS: Readonly<Record<string, ParamGen>> = {
  sockfd: (a) => descriptor(a, false),
  fd: (a) => descriptor(a, false),
  domain: genDomain,
  type: genType,
  protocol: genProtocol,
  // An address the call fills may be NULL where C allows it (accept), and is tried where it does not.
  addr: (a) => (isOut(a) && chance(0.2) ? null : genSockaddr()),
  dest_addr: optionalAddress,
  src_addr: optionalAddress,
  addrlen: (a) => {
    const addr = prev(a);
    if (isOut(a)) return genSocklen(addr);
    return addr === null ? 0 : genAddrlen(addr);
  },
  backlog: () => genInt([0, 1, 16, -1, 2147483647]),
  how: () => genInt([S.SHUT_RD, S.SHUT_WR, S.SHUT_RDWR, 3, -1]),
  flags: genMsgFlags,
  sv: () => {
    const r = rand();
    if (r < 0.5) return [0, 0];
    if (r < 0.75) return makeBuffer(8, 'view');
    if (r < 0.85) return note(new Int32Array(1), 'Int32Array(1)');
    return genAny();
  },
  cmd: () => (chance(0.9) ? pick(FCNTL_CMDS()) : genHostileNumber()),
  // F_SETOWN only to this process, and never O_ASYNC: no signal may go elsewhere.
  arg: (a) => {
    const cmd = arg(a, 'cmd');
    if (cmd === S.F_SETOWN) return chance(0.8) ? pick([0, process.pid]) : genHostileNumber();
    if (cmd === S.F_SETFL) {
      return chance(0.8)
        ? pick([0, S.O_NONBLOCK, 0x7fffffff & ~S.O_ASYNC, S.O_ASYNC]) & ~S.O_ASYNC
        : genHostileNumber();
    }
    if (cmd === S.F_DUPFD || cmd === S.F_DUPFD_CLOEXEC) return genInt([0, 3, 100, 1000, 2147483647, -1]);
    if (chance(0.7)) return genInt([0, 1, S.FD_CLOEXEC]);
    return chance(0.5) ? OMIT : undefined;
  },
  buf: (a) => (isOut(a) ? genBuffer() : genBufOrString()),
  len: (a) => genLen(dataSize(arg(a, 'buf'))),
  msg: genMsghdr,
  msgh: genMsghdr,
  level: () => (chance(0.9) ? pick(LEVELS()) : genHostileNumber()),
  optname: () => (chance(0.9) ? pick(OPTNAMES()) : genHostileNumber()),
  optval: (a) => {
    const level = arg(a, 'level');
    const optname = arg(a, 'optname');
    if (!isOut(a)) return genOptval(level, optname);
    const r = rand();
    if (r < 0.3) return note(new S.ptr(0), 'ptr(0)');
    return r < 0.35 ? null : genOptval(level, optname);
  },
  optlen: (a) => {
    const v = prev(a);
    if (isOut(a)) return genSocklen(isA(v, S.ptr) ? new Int32Array(1) : v);
    return typeof v === 'number' ? pick([4, 0, 1, 8]) : genLen(memSize(v));
  },
  fds: genPollfds,
  nfds: (a) => {
    const fds = arg(a, 'fds');
    const n = Array.isArray(fds) ? fds.length : 1;
    return chance(0.8) ? n : genLen(n);
  },
  // A valid timeout other than 0 could block the synchronous call; a promise waiting for ever on
  // nothing would never settle.
  timeout: (a) => {
    if (a.api === 'bsdsock') return chance(0.9) ? 0 : pick([genHostileNumber(), 0.5, 2 ** 31]);
    return chance(0.9) ? pick([0, 1, 20]) : genHostileNumber();
  },
  node: genNode,
  service: genService,
  hints: genHints,
  res: (a) => {
    if (!isOut(a)) return genAddrinfoList();
    return chance(0.9) ? note(new S.ptr(null), 'ptr(null)') : genAny();
  },
  host: () => (chance(0.2) ? null : genBuffer()),
  serv: () => (chance(0.3) ? null : genBuffer()),
  hostlen: lengthOfPrev,
  servlen: lengthOfPrev,
  count: (a) => genLen(dataSize(arg(a, 'buf'))),
  iov: () => {
    if (chance(0.05)) return genAny();
    const list = Array.from({ length: pick([0, 1, 2, 3]) }, genIovec);
    return chance(0.2) && list.every((v) => isA(v, S.iovec)) ? asCArray(S.iovec, list) : list;
  },
  iovcnt: (a) => {
    const iov = arg(a, 'iov');
    const n = Array.isArray(iov) ? iov.length : 1;
    return chance(0.8) ? n : genLen(n);
  },
  readfds: genFdSet,
  writefds: genFdSet,
  exceptfds: genFdSet,
  set: () => (chance(0.85) ? newStruct('fd_set') : genAny()),
  oldfd: (a) => descriptor(a, false),
  // dup2 closes newfd first: only the run's own descriptors, or numbers that cannot be open. Its class
  // is not the call's: a closed newfd makes dup2 succeed, and oldfd's decides EBADF.
  newfd: () => genFd(true)[0],
  // The interface requests only read (the fuzzer changes no interface: never SIOCSIFFLAGS or SIOCSIFMTU).
  request: () =>
    chance(0.85)
      ? pick([
          S.FIONREAD ?? 0,
          S.FIONBIO ?? 0,
          S.SIOCATMARK ?? 0,
          S.SIOCOUTQ ?? 0,
          S.TCP_NODELAY ?? 1,
          0x5401,
          S.SIOCGIFINDEX ?? 0,
          S.SIOCGIFFLAGS ?? 0,
          S.SIOCGIFADDR ?? 0,
          S.SIOCGIFMTU ?? 0,
          S.SIOCGIFNAME ?? 0,
          S.SIOCGIFHWADDR ?? 0,
        ])
      : genHostileNumber(),
  argp: () => {
    if (chance(0.1)) return genAny();
    if (chance(0.45)) return note(new S.ptr(pick([0, 1, 5])), 'ptr(n)');
    if (!hasStruct('ifreq')) return genAny();
    const ifr = newStruct('ifreq');
    const name = pick(['lo', '', 'nope0', 'eth0', '123456789012345']);
    ifr.ifr_name = name;
    if (chance(0.3)) ifr.ifr_ifindex = pick([1, 0, -1, 2 ** 31 - 1]);
    return note(ifr, `ifreq{${name}}`);
  },
  ifindex: () => (chance(0.85) ? pick([0, 1, 2, 999, 2 ** 32 - 1]) : genHostileNumber()),
  nlh: genNlmsghdr,
  inp: () => (chance(0.8) ? newStruct('in_addr') : chance(0.5) ? genStruct() : genAny()),
  // The watched fd's class is the call's (a closed one is EBADF); a closed epfd is too, unclassed.
  epfd: () => genFd(false)[0],
  op: () => genInt([S.EPOLL_CTL_ADD ?? 1, S.EPOLL_CTL_MOD ?? 3, S.EPOLL_CTL_DEL ?? 2, 0, 4, -1]),
  event: () => (chance(0.15) ? null : genEpollEvent()),
  events: () => {
    if (chance(0.05)) return genAny();
    const list = Array.from({ length: pick([0, 1, 2, 4]) }, () => newStruct('epoll_event'));
    return chance(0.25) ? asCArray(S.epoll_event, list) : list;
  },
  maxevents: (a) => {
    const events = arg(a, 'events');
    const n = Array.isArray(events) ? events.length : 1;
    return chance(0.8) ? n : genLen(n);
  },
  errcode: () => genInt([0, -1, -2, -3, -8, -11, 5, -999]),
  // Names the C library answers from this machine alone (sanitizeArgs makes sure of it).
  name: () => (chance(0.9) ? pick(LOCAL_NAMES) : genAny()),
  proto: () => (chance(0.2) ? null : chance(0.9) ? pick(['tcp', 'udp', '', 'nope', 'a\0b', '\ud800']) : genAny()),
  port: () =>
    chance(0.8) ? pick([S.htons(80), S.htons(22), S.htons(65535), 0, 80, -1, 2 ** 31 - 1]) : genHostileNumber(),
  err: () => genInt([0, 1, 2, 3, 4, -1, 5, 9999]),
  hostshort: shortValue,
  netshort: shortValue,
  hostlong: longValue,
  netlong: longValue,
  af: () => (chance(0.85) ? pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]) : genHostileNumber()),
  src: addressBytes,
  dst: () => (chance(0.2) ? null : genBuffer()),
  size: (a) => (chance(0.3) ? pick([0, 1, 7, 16, 46]) : genLen(memSize(prev(a)))),
  cp: text,
  in: () => (chance(0.6) ? newStruct('in_addr') : chance(0.5) ? genStruct() : genAny()),
  s: () => (chance(0.5) ? genString() : chance(0.5) ? genBuffer('u8') : genAny()),
  errnum: () => genInt([0, 1, 4, 104, 134, 9999, -1]),
  length: () => genInt([0, 4, 8, 12, 2147483647]),
  // A cmsghdr of the message's control buffer, as CMSG_FIRSTHDR gives it, or one that is not.
  cmsg: (a) => {
    if (chance(0.1)) return newStruct('cmsghdr');
    const m = a.entry.params.includes('msgh') ? arg(a, 'msgh') : genMsghdr();
    let c = genAny();
    try {
      if (chance(0.7)) c = S.CMSG_FIRSTHDR(m as S.msghdr) ?? c;
    } catch {
      // a hostile msghdr: keep the hostile cmsg
    }
    return c;
  },
};

// An fd_set holding a few of the run's descriptors (FD_SET refuses the others), or anything.
function genFdSet(): unknown {
  if (chance(0.1)) return null;
  if (chance(0.1)) return genAny();
  const set = newStruct('fd_set');
  for (let k = pick([0, 1, 2, 3]); k > 0; k--) {
    const [fd] = genFd(false);
    if (Number.isInteger(fd) && (fd as number) >= 0 && (fd as number) < (S.FD_SETSIZE ?? 0))
      S.FD_SET(fd as number, set);
  }
  return set;
}

// A timeval for a call that must not wait long: zero in the synchronous API (a null or positive one
// could block the run), up to 20 ms in the promises API; sometimes negative or not a timeval.
function genTimeval(a: ArgState): unknown {
  // Never null: select would wait for ever on sets where nothing comes.
  if (chance(0.05)) return pick<unknown>([{}, 5, 'timeval', newStruct('pollfd'), throwingObject()]);
  const t = newStruct('timeval');
  if (a.api === 'bsdsock/promises') t.tv_usec = pick([0, 1000, 20000]);
  if (chance(0.05)) t.tv_usec = pick([-1, 1000000]);
  return t;
}

// A classic BPF opcode, or a value no u16 holds.
function bpfCode(): unknown {
  return chance(0.85)
    ? pick([(S.BPF_LD ?? 0) | (S.BPF_H ?? 0) | (S.BPF_ABS ?? 0), (S.BPF_RET ?? 0) | (S.BPF_K ?? 0), 0x15, 0xffff])
    : genHostileNumber();
}

// A length for the NLMSG_* macros: small, aligned or not, negative, or hostile.
function netlinkLength(): unknown {
  return chance(0.85) ? pick([0, 1, 4, 15, 16, 17, 20, 64, 4096, -1]) : genHostileNumber();
}

// An nlmsghdr on a buffer (as cast(nlmsghdr, buf) makes one) whose nlmsg_len may lie, or something else.
function genNlmsghdr(): unknown {
  if (chance(0.1) || !hasStruct('nlmsghdr')) return genAny();
  const size = pick([16, 20, 32, 64]);
  const buf = makeBuffer(size, 'u8', { resizable: false });
  buf.fill(0);
  const nh = S.cast(S.nlmsghdr, buf);
  nh.nlmsg_len = pick([0, 15, 16, 17, 20, 32, 64, 65, 0xffffffff]);
  return note(nh, `nlmsghdr{len=${nh.nlmsg_len}}/${size}`);
}

function genEpollEvent(): unknown {
  if (chance(0.1)) return genAny();
  const ev = newStruct('epoll_event');
  ev.events = chance(0.8)
    ? pick([S.EPOLLIN ?? 1, S.EPOLLOUT ?? 4, (S.EPOLLIN ?? 1) | (S.EPOLLET ?? 0), 0])
    : (rand() * 2 ** 32) >>> 0;
  ev.data.u64 = pick([0, 3, 2 ** 40 + 5]);
  return ev;
}

/** Where one call's parameter means something else than the name does elsewhere. */
const BY_CALL: Readonly<Partial<Record<`${CallName}.${string}`, ParamGen>>> = {
  // close releases its descriptor: never a number that may have been handed out again.
  'close.fd': (a) => descriptor(a, true),
  'socketpair.domain': () => (chance(0.8) ? S.AF_UNIX : genDomain()),
  'socketpair.protocol': () => (chance(0.8) ? 0 : genProtocol()),
  'accept4.flags': genSockFlags,
  'recvmsg.flags': () => {
    const f = genMsgFlags();
    return typeof f === 'number' && chance(0.3) ? f | S.MSG_CMSG_CLOEXEC : f;
  },
  'getnameinfo.flags': () =>
    chance(0.8)
      ? pick([S.NI_NUMERICHOST | S.NI_NUMERICSERV, S.NI_NUMERICHOST, S.NI_NAMEREQD | S.NI_NUMERICSERV, -1])
      : genHostileNumber(),
  // inet_pton reads text and fills an address; inet_ntop reads an address and fills text.
  'inet_pton.src': text,
  'inet_pton.dst': addressBytes,
  'select.nfds': () => genInt([0, 1, 8, 64, 1024, 1025, -1]),
  'select.timeout': genTimeval,
  'clock_gettime.clockid': () => genInt([0, 1, 2, 3, 4, 7, -1, 99, 2 ** 31]),
  'clock_gettime.tp': () => (chance(0.85) ? newStruct('timespec') : genAny()),
  'epoll_create1.flags': () => genInt([0, S.EPOLL_CLOEXEC ?? 0, 1, -1]),
  'getservbyname.name': () => (chance(0.9) ? pick(['http', 'www', 'ssh', 'domain', 'nope', '', 'a\0b']) : genAny()),
  'gethostbyaddr.addr': addressBytes,
  'gethostbyaddr.len': (a) => (chance(0.7) ? pick([4, 16, 0, 3]) : genLen(memSize(prev(a)))),
  'if_nametoindex.ifname': () =>
    chance(0.85) ? pick(['lo', '', 'nope0', 'a\0b', '1234567890123456789', 'eth0']) : genAny(),
  'if_indextoname.ifname': () => (chance(0.85) ? genBuffer() : genAny()),
  'NLMSG_ALIGN.len': netlinkLength,
  'NLMSG_LENGTH.len': netlinkLength,
  'NLMSG_SPACE.len': netlinkLength,
  'NLMSG_PAYLOAD.len': netlinkLength,
  'NLMSG_OK.len': () => {
    const n = netlinkLength();
    return chance(0.5) && typeof n === 'number' ? note(new S.ptr(n), `ptr(${n})`) : n;
  },
  'NLMSG_NEXT.len': () => (chance(0.9) ? note(new S.ptr(pick([0, 16, 20, 64, -4])), 'ptr(len)') : genAny()),
  'gethostbyaddr.type': () => (chance(0.9) ? pick([S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]) : genHostileNumber()),
};

/**
 * Host names gethostbyname answers without the network (checked with strace on Debian 12's glibc):
 * /etc/hosts names, numeric addresses, and names glibc refuses before any DNS query (a space, a
 * tab, digits it will not parse, the empty name).
 */
const LOCAL_NAMES = ['localhost', '127.0.0.1', '999.1.1.1', '1.2.3', '::1', '', 'bad name', 'x\ty', '-', 'a\0b'];

/** The generator of parameter `param` of `name`, or undefined when there is none. */
export function paramGenerator(name: CallName, param: string): ParamGen | undefined {
  return BY_CALL[`${name}.${param}`] ?? (Object.hasOwn(PARAMS, param) ? PARAMS[param] : undefined);
}

// Each call's parameter generators, looked up once.
const generators = new Map<CallName, ParamGen[]>();

function generatorsOf(name: CallName): ParamGen[] {
  let list = generators.get(name);
  if (list === undefined) {
    list = CALLS[name].params.map((p) => {
      const g = paramGenerator(name, p);
      if (g === undefined) throw new Error(`fuzz: no generator for parameter ${p} of ${name}`);
      return g;
    });
    generators.set(name, list);
  }
  return list;
}

/** A C function's arguments, one per parameter of its registry entry, each made by its parameter's generator. */
function byParams(c: GenContext): Generated {
  const name = c.name as CallName;
  const a: ArgState = { name, api: c.api, entry: CALLS[name], args: [] };
  for (const g of generatorsOf(name)) a.args.push(g(a));
  while (a.args.length > 0 && a.args[a.args.length - 1] === OMIT) a.args.pop();
  return { args: a.args, fdClass: a.fdClass };
}

// ---------------------------------------------------------------- the helpers' arguments

const call = { gen: byParams } as const;
/** No argument, or now and then one that should be refused. */
const noArgs = (): Generated => ({ args: chance(0.8) ? [] : [genAny()] });
const structClasses = (): unknown => structClass(pick(STRUCTS));
/** One descriptor argument (destructive: the function releases it). */
const descriptorOnly = (destructive: boolean) => (): Generated => {
  const [fd, fdClass] = genFd(destructive);
  return { args: [fd], fdClass };
};

// The tracer writes to a sink that drops everything (with --trace), or is off.
const traceSink = { write: (): boolean => true };

/** Puts the tracer back as the run wants it (after trace() was fuzzed). */
export function restoreTrace(): void {
  S.trace(opts.trace ? traceSink : false);
}

function releasesFd(args: readonly unknown[], r: unknown): void {
  const fd = args[0];
  if (r === 0 && typeof fd === 'number' && owned.has(fd)) forget(fd);
}

/** The table. */
export const TABLE: Table = {
  // ---- C functions: the registry's entries say how to make the arguments
  socket: { ...call, result: 'fd' },
  bind: call,
  listen: call,
  accept: { ...call, result: 'fd' },
  accept4: { ...call, result: 'fd' },
  connect: call,
  shutdown: call,
  close: { ...call, adopt: releasesFd },
  getsockname: call,
  getpeername: call,
  socketpair: { ...call, writes: ([, , , sv]) => [[sv, 0, 8]] },
  fcntl: {
    ...call,
    result: 'int',
    adopt: ([fd, cmd], r) => {
      if (typeof r === 'number' && r >= 0 && (cmd === S.F_DUPFD || cmd === S.F_DUPFD_CLOEXEC)) adopt(r, 'dup');
      keepNonblocking(fd); // F_SETFL may have cleared O_NONBLOCK
    },
  },
  send: call,
  recv: call,
  sendto: call,
  recvfrom: call,
  sendmsg: { ...call, result: 'count' },
  recvmsg: { ...call, result: 'count', writes: ([, m]) => messageWindows(m) },
  setsockopt: call,
  getsockopt: call,
  poll: {
    ...call,
    result: 'count',
    writes: ([fds]) => {
      const list: unknown[] = Array.isArray(fds) ? fds : [fds];
      return list.map((p): Window => [p, S.offsetof(S.pollfd, 'revents'), S.sizeof(S.pollfd)]);
    },
  },
  // A ptr: the call sets its value, which is no bytes.
  getaddrinfo: { ...call, writes: () => [] },
  getnameinfo: call,
  read: { ...call, result: 'count', writes: ([, buf, count]) => [span(buf, count)] },
  write: { ...call, result: 'count' },
  readv: { ...call, result: 'count', writes: ([, iov, n]) => iovWindows(iov, n) },
  writev: { ...call, result: 'count' },
  select: {
    ...call,
    result: 'count',
    writes: ([, r, w, x, t]) => [...[r, w, x].map((s) => span(s, S.sizeof(S.fd_set))), span(t, S.sizeof(S.timeval))],
  },
  FD_ZERO: { ...call, result: 'undefined', writes: ([s]) => [span(s, S.sizeof(S.fd_set))] },
  clock_gettime: { ...call, result: 'zero', writes: ([, tp]) => [span(tp, S.sizeof(S.timespec))] },
  FD_SET: { ...call, result: 'undefined', writes: ([, s]) => [span(s, S.sizeof(S.fd_set))] },
  FD_CLR: { ...call, result: 'undefined', writes: ([, s]) => [span(s, S.sizeof(S.fd_set))] },
  FD_ISSET: { ...call, result: 'any', writes: ([, s]) => [span(s, S.sizeof(S.fd_set))] },
  dup: { ...call, result: 'fd', adopt: (_args, r) => adopt(r, 'dup') },
  // newfd now refers to what oldfd does, whatever it was before.
  dup2: {
    ...call,
    result: 'fd',
    adopt: (_args, r) => {
      if (typeof r === 'number' && owned.has(r)) owned.set(r, 'dup');
      else adopt(r, 'dup');
    },
  },
  // FIONBIO may have cleared O_NONBLOCK, which every descriptor of the run keeps.
  // A ptr argp: the call sets its value, which is no bytes.
  // An ifreq request writes into the ifreq (its union, or ifr_name for SIOCGIFNAME).
  ioctl: {
    ...call,
    adopt: ([fd]) => keepNonblocking(fd),
    writes: ([, , argp]) => (isA(argp, S.ifreq) ? [span(argp, S.sizeof(S.ifreq))] : []),
  },
  inet_aton: { ...call, result: 'any', writes: ([, inp]) => [span(inp, 4)] },
  epoll_create1: { ...call, result: 'fd', adopt: (_args, r) => adopt(r, 'epoll') },
  epoll_ctl: call,
  epoll_wait: {
    ...call,
    result: 'count',
    writes: ([, events]) => (Array.isArray(events) ? events.map((e) => span(e, S.sizeof(S.epoll_event))) : []),
  },
  gethostbyname: { ...call, result: 'netdb' },
  gethostbyaddr: { ...call, result: 'netdb' },
  getservbyname: { ...call, result: 'netdb' },
  getservbyport: { ...call, result: 'netdb' },
  // It writes to stderr.
  herror: { ...call, result: 'undefined', weight: 0.002 },
  hstrerror: { ...call, result: 'string' },
  freeaddrinfo: { ...call, result: 'undefined' },
  gai_strerror: { ...call, result: 'string' },
  htons: { ...call, result: 'u16' },
  ntohs: { ...call, result: 'u16' },
  htonl: { ...call, result: 'u32' },
  ntohl: { ...call, result: 'u32' },
  inet_pton: { ...call, result: 'pton', writes: ([af, , dst]) => [span(dst, af === S.AF_INET6 ? 16 : 4)] },
  inet_ntop: { ...call, result: 'ntop' },
  inet_addr: { ...call, result: 'u32' },
  inet_ntoa: { ...call, result: 'string' },
  strlen: { ...call, result: 'count' },
  strerror: { ...call, result: 'string' },
  // It writes to stderr.
  perror: { ...call, result: 'undefined', weight: 0.002 },
  CMSG_SPACE: { ...call, result: 'count' },
  CMSG_LEN: { ...call, result: 'count' },
  CMSG_FIRSTHDR: { ...call, result: 'any' },
  CMSG_NXTHDR: { ...call, result: 'any' },
  CMSG_DATA: { ...call, result: 'any' },
  if_nametoindex: { ...call, result: 'ifindex' },
  if_indextoname: { ...call, result: 'ifname', writes: ([, ifname]) => [span(ifname, 16)] },
  NLMSG_ALIGN: { ...call, result: 'any' },
  NLMSG_LENGTH: { ...call, result: 'any' },
  NLMSG_SPACE: { ...call, result: 'any' },
  NLMSG_DATA: { ...call, result: 'any' },
  NLMSG_OK: { ...call, result: 'any' },
  NLMSG_NEXT: { ...call, result: 'any', writes: () => [] },
  NLMSG_PAYLOAD: { ...call, result: 'any' },

  // ---- helpers: not C functions, so the registry has no parameters for them
  sizeof: {
    gen: () => {
      let x: unknown;
      if (chance(0.3)) x = structClasses();
      else if (chance(0.5)) x = genStruct();
      else x = chance(0.5) ? pick(['int', 'char', 'long', 'bogus']) : genAny();
      return { args: [x] };
    },
    result: 'count',
  },
  offsetof: {
    gen: () => ({
      args: [
        chance(0.7) ? structClasses() : genAny(),
        pick(['sin_port', 'fd', 'revents', 'msg_iov', 'id', 'idiag_cookie', 'nope', '', 5]),
      ],
    }),
    result: 'count',
  },
  cast: {
    gen: () => ({ args: [chance(0.7) ? structClasses() : genAny(), chance(0.5) ? genStruct() : genBuffer('u8')] }),
    result: 'any',
  },
  assign: {
    gen: () => {
      const dst = chance(0.8) ? genStruct() : genAny();
      return { args: [dst, chance(0.5) ? dst : chance(0.7) ? genStruct() : genAny()] };
    },
    result: 'any',
  },
  array: {
    gen: () => ({ args: [chance(0.8) ? structClasses() : genAny(), genInt([0, 1, 3, 64, -1, 2 ** 31, 0.5])] }),
    result: 'any',
  },
  BPF_STMT: { gen: () => ({ args: [bpfCode(), genInt([0, 12, 0xffffffff, -1, 2 ** 32])] }), result: 'any' },
  BPF_JUMP: {
    gen: () => ({ args: [bpfCode(), genInt([0, 0x800]), genInt([0, 1, 255, 256]), genInt([0, 1, 255, -1])] }),
    result: 'any',
  },
  errnoName: { gen: () => ({ args: [genInt([0, 1, 4, 104, 9999, -1])] }), result: 'any' },
  setErrno: { gen: () => ({ args: [genInt()] }), result: 'any', errnoFree: true },
  onErrno: {
    weight: 0.05,
    // A function is kept for ever by onErrno: give one only rarely.
    gen: () => ({ args: [chance(0.02) ? note(() => undefined, '() => undefined') : genAny()] }),
    result: 'undefined',
  },
  // The tracer: never turned on towards stderr by the fuzzer itself.
  trace: {
    weight: 0.1,
    gen: () => ({
      args: [
        pick<unknown>([
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
  // Fault injection: malformed and valid rules, always cleared right after, so no injected error
  // reaches the C-errno checks of the other calls.
  faults: {
    weight: 0.2,
    gen: () => ({
      args: [
        pick<unknown>([
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
  faultCounts: { gen: noArgs, result: 'any' },
  hint: {
    gen: () => ({
      args: [
        chance(0.8) ? pick(['bind', 'connect', 'accept', 'send', 'sendto', 'write', '', 'nope']) : genAny(),
        genInt([S.EADDRINUSE, S.ECONNREFUSED, S.EBADF, S.EPIPE, 0, -1, 9999]),
        // The language and the descriptor whose state may choose the hint (send's EPIPE reads TCP_INFO).
        ...(chance(0.5) ? [chance(0.8) ? pick<unknown>(['en', 'fr', undefined]) : genAny(), genFd()[0]] : []),
      ],
    }),
    result: 'any',
  },
  hintTable: { gen: noArgs, result: 'any' },
  // Each call reads the whole of /proc/net/tcp (for the queue sizes): 50-100 ms once a few runs have
  // left thousands of TIME_WAIT entries there. As rare as perror, so that it does not slow the run down.
  inspect: { weight: 0.002, gen: descriptorOnly(false), result: 'info', socketOnly: true },
  openSockets: { gen: noArgs, result: 'any' },
  // bsdsock/promises: stops watching fd (pending operations reject with ECANCELED).
  detach: { gen: descriptorOnly(true), result: 'undefined' },
  engineStats: { gen: noArgs, result: 'stats' },
};

// ---------------------------------------------------------------- what the registry says of a call

/** The registry entry of a C function; undefined for a helper. */
export function entryOf(name: FuzzName): CallEntry | undefined {
  return callEntry(name);
}

/** What `name` must return: its row's result, else its registry entry's. */
export function resultOf(name: FuzzName): ResultKind {
  const spec: Spec = TABLE[name];
  if (spec.result !== undefined) return spec.result;
  const entry = entryOf(name);
  if (entry?.status === 'eai') return 'gai';
  // A syscall returns 0 or -1 (the man pages' "On success, zero is returned"), or a count when it has a len.
  return entry?.params.includes('len') ? 'count' : 'zero';
}

/** The position of a call's `len` argument, which a count it returns may not exceed; -1 when none. */
export function lenArgOf(name: FuzzName): number {
  return entryOf(name)?.params.indexOf('len') ?? -1;
}

/** Its descriptor must be a socket: a file, FIFO or /dev/null gives ENOTSOCK. */
export function takesSocket(name: FuzzName): boolean {
  const spec: Spec = TABLE[name];
  return spec.socketOnly === true || entryOf(name)?.params[0] === 'sockfd';
}

/** A system call: a count of -1 is a failure with errno. */
export function isSyscall(name: FuzzName): boolean {
  return entryOf(name)?.kind === 'syscall';
}

/**
 * A resolver call: it runs on the thread pool in bsdsock/promises (its threads open descriptors of
 * their own); getaddrinfo's and getnameinfo's promises may reject with an EAI_* code.
 */
export function isResolver(name: FuzzName): boolean {
  return entryOf(name)?.kind === 'resolver';
}

// An out-pointer followed by its length: a number (len, size, hostlen) or an in/out holder (addrlen).
function lengthParam(params: readonly string[], i: number): string | undefined {
  const next = params[i + 1];
  return next !== undefined && (next.endsWith('len') || next === 'size') ? next : undefined;
}

/** The out-parameters of a call that the registry alone cannot size (no length follows them). */
export function unsizedOut(name: CallName): string[] {
  const { params, out }: CallEntry = CALLS[name];
  return out.filter((p) => !p.endsWith('len') && lengthParam(params, params.indexOf(p)) === undefined);
}

/**
 * The bytes a call may write: a C function's out-parameters (each up to its length), or what its row
 * says; none for a C function without out-parameters; for a helper, any byte of what it was given.
 */
export function writeWindows(name: FuzzName, args: readonly unknown[]): Window[] | null {
  const spec: Spec = TABLE[name];
  if (spec.writes !== undefined) return spec.writes(args);
  const entry = entryOf(name);
  if (entry === undefined) return null;
  const { params, out } = entry;
  const w: Window[] = [];
  for (const p of out) {
    const i = params.indexOf(p);
    if (p.endsWith('len')) {
      w.push([args[i], 0, 4]); // an in/out length holder: its own 4 bytes
      continue;
    }
    const lenName = lengthParam(params, i);
    if (lenName === undefined) continue;
    const len = args[i + 1];
    w.push(span(args[i], out.includes(lenName) ? lenOf(len) : len));
  }
  return w;
}

/**
 * Makes a call's arguments safe: every address it sends to (fixtures.ts), its input `*addr` parameters
 * and a msghdr's name; every pollfd on stdin, stdout or stderr (a zero-filled pollfd struct, one of
 * the hostile values, is fd 0) watches -1 instead, since the promises poll would keep a handle on such
 * a descriptor until it is closed, and make it non-blocking: a pipe or terminal shared with the parent
 * process, which the fuzzer must not touch (genFd never gives 0-2 for the same reason); and the
 * resolver answers from this machine alone (see keepResolverLocal).
 */
export function sanitizeArgs(name: FuzzName, args: unknown[]): void {
  const entry = entryOf(name);
  if (entry === undefined) return;
  entry.params.forEach((p, i) => {
    const a = args[i];
    if (p === 'fds') {
      for (const x of Array.isArray(a) ? (a as unknown[]) : [a])
        if (isA(x, S.pollfd) && x.fd >= 0 && x.fd <= 2) x.fd = -1;
    }
    if (entry.out.includes(p)) return;
    if (p.endsWith('addr')) sanitizeSockaddr(a);
    else if (p === 'msg' && isA(a, S.msghdr)) sanitizeSockaddr(a.msg_name);
  });
  if (entry.status === 'eai') keepResolverLocal(entry, args);
  if (name === 'gethostbyname' || name === 'gethostbyaddr') keepLookupLocal(name, args);
}

/**
 * gethostbyname and gethostbyaddr must not leave the machine either. A name not in LOCAL_NAMES
 * becomes 'localhost' (a string with a NUL stays: it is refused before the C call). gethostbyaddr
 * asks DNS for any AF_INET address but 127.0.0.1 (/etc/hosts has it) and any AF_INET6 address but
 * `::` (which glibc refuses at once), and reads only the first 4 or 16 bytes of a longer len, so
 * with a len that fits the memory given (a longer one is refused before the call) those bytes are
 * made the local address and len the family's size (checked with strace: AF_INET with len 16 asked
 * DNS). Other families and shorter lengths fail at once with EAFNOSUPPORT.
 */
function keepLookupLocal(name: 'gethostbyname' | 'gethostbyaddr', args: unknown[]): void {
  if (name === 'gethostbyname') {
    const n = args[0];
    if (typeof n === 'string' && !n.includes('\0') && !LOCAL_NAMES.includes(n)) args[0] = 'localhost';
    return;
  }
  const [addr, len, type] = args;
  const u8 = u8Of(addr);
  if (u8 === null || typeof len !== 'number' || !Number.isInteger(len) || len > u8.byteLength) return;
  if (type === S.AF_INET && len >= 4) {
    u8.set([127, 0, 0, 1]);
    args[1] = 4;
  } else if (type === S.AF_INET6 && len >= 16) {
    u8.fill(0, 0, 16);
    args[1] = 16;
  }
}

// A node name getaddrinfo would look up (not numeric, and not refused before the C call, as a string
// with a NUL is): asked with AI_NUMERICHOST, which never leaves the machine.
function needsLookup(node: string): boolean {
  const hints = new S.addrinfo();
  hints.ai_flags = S.AI_NUMERICHOST;
  const res = new S.ptr<S.addrinfo | null>(null);
  try {
    if (S.getaddrinfo(node, null, hints, res) !== 0) return true;
  } catch {
    return false;
  }
  if (res.value !== null) S.freeaddrinfo(res.value);
  return false;
}

/**
 * Name resolution must not leave the machine: it did, to the DNS server of /etc/resolv.conf (checked
 * with strace), for getaddrinfo of '999.1.1.1', of 'localhost' for IPv6 (this /etc/hosts names only
 * 127.0.0.1), and getnameinfo of 127.0.0.2, 0.0.0.0 and :: without NI_NUMERICHOST. So a getaddrinfo node
 * that needs a lookup gets AI_NUMERICHOST in its hints (the string still goes through the call, which
 * refuses it), or becomes '127.0.0.1' when the hints are not an addrinfo; getnameinfo's flags always
 * have NI_NUMERICHOST (services are looked up in /etc/services).
 */
function keepResolverLocal(entry: CallEntry, args: unknown[]): void {
  const node = entry.params.indexOf('node');
  const hints = args[entry.params.indexOf('hints')];
  if (node >= 0) {
    const n = args[node];
    if (typeof n === 'string' && needsLookup(n)) {
      if (isA(hints, S.addrinfo)) hints.ai_flags |= S.AI_NUMERICHOST;
      else args[node] = '127.0.0.1';
    }
  }
  // Only an int: a hostile value (NaN, 1.5, 2 ** 31) is refused before the C call, and must stay hostile.
  const flags = entry.params.indexOf('flags');
  const f = args[flags];
  if (flags >= 0 && typeof f === 'number' && Number.isInteger(f) && f >= -(2 ** 31) && f < 2 ** 31) {
    args[flags] = f | S.NI_NUMERICHOST;
  }
}

/** Keeps the descriptors a successful call made (its result, socketpair's sv, recvmsg's SCM_RIGHTS). */
export function adoptFrom(name: FuzzName, args: readonly unknown[], r: unknown): void {
  const spec: Spec = TABLE[name];
  if (resultOf(name) === 'fd' && typeof r === 'number' && r >= 0) adopt(r, name === 'socket' ? 'socket' : 'accepted');
  const entry = entryOf(name);
  if (entry !== undefined && typeof r === 'number' && r >= 0) {
    const sv = args[entry.params.indexOf('sv')];
    if (entry.out.includes('sv') && r === 0 && (Array.isArray(sv) || sv instanceof Int32Array)) {
      adopt(sv[0], 'socket');
      adopt(sv[1], 'socket');
    }
    if (entry.out.includes('msg')) adoptRights(args[entry.params.indexOf('msg')]);
  }
  spec.adopt?.(args, r);
}

/** Every byte recvmsg may write: the msghdr's own, and each of its buffers up to its length. */
function iovWindows(iov: unknown, n: unknown): Window[] {
  if (!Array.isArray(iov) || typeof n !== 'number') return [];
  return iov.slice(0, Math.max(0, n)).flatMap((v) => (isA(v, S.iovec) ? [span(v.iov_base, v.iov_len)] : []));
}

function messageWindows(m: unknown): Window[] {
  if (!isA(m, S.msghdr)) return [];
  const w: Window[] = [[m, 0, S.sizeof(S.msghdr)], span(m.msg_name, m.msg_namelen)];
  if (Array.isArray(m.msg_iov)) {
    for (const v of m.msg_iov.slice(0, m.msg_iovlen)) if (isA(v, S.iovec)) w.push(span(v.iov_base, v.iov_len));
  }
  w.push(span(m.msg_control, m.msg_controllen));
  return w;
}

/** Every name of the table. */
export const NAMES = Object.keys(TABLE) as FuzzName[];

/** Problems of the table the compiler cannot see (a parameter without a generator, an out-pointer of unknown size). */
export function tableProblems(): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(CALLS) as CallName[]) {
    const spec: Spec = TABLE[name];
    if (spec.gen === byParams) {
      for (const p of CALLS[name].params) {
        if (paramGenerator(name, p) === undefined) problems.push(`${name}: no generator for parameter ${p}`);
      }
    }
    const unsized = unsizedOut(name);
    if (unsized.length > 0 && spec.writes === undefined) {
      problems.push(`${name}: out-parameter ${unsized.join(', ')} has no length and the row no writes`);
    }
  }
  for (const h of HELPERS) if (!Object.hasOwn(TABLE, h)) problems.push(`helper ${h} has no row`);
  return problems;
}
