// The table of calls: for each C function the two APIs expose, one entry with everything the rest of
// the package needs to know about it. The tracer's lines, the hints' man pages, fault injection, the
// fuzzer and the README's table of calls read it; test/calls.test.ts walks the addon's exports and
// both APIs and fails when a call is missing here, untraced, unfuzzed or without its man page.
//
// Adding a call: the C++ function (native/), one entry here, the typed wrapper (lib/); the test says
// what else is missing (CONTRIBUTING.md).
import { constantName, hErrnoName } from './names';
import { native, type Memory } from './native';
import {
  UNFILLED,
  bytesOf,
  family,
  iovText,
  flagSet,
  hex,
  hostAddrText,
  ifreqText,
  inOut,
  lenIn,
  level,
  msgFlags,
  msghdrText,
  named,
  openFlags,
  optname,
  optvalText,
  outAddr,
  peek,
  pollIn,
  pollResult,
  protocol,
  quote,
  result,
  sockaddrText,
  sockFlags,
  sockType,
} from './trace/decode';
import * as C from './constants.gen';
import type { hostent, servent } from './resolver';
import type {
  Struct,
  addrinfo,
  epoll_event,
  fd_set,
  ifreq,
  iovec,
  msghdr,
  pollfd,
  ptr,
  SockaddrLike,
  socklen_t,
  timeval,
} from './structs';

/**
 * A call's line in the trace, split where the call may wait: the start (its inputs, written when the
 * call starts) and the rest, made from the result (its outputs and what it returned).
 * @internal
 */
export type TraceText = readonly [start: string, rest: (r: number) => string];

/** What kind of C function a call is, which decides whether the tracer writes it. */
export type CallKind =
  /** A system call: traced, as strace shows it. */
  | 'syscall'
  /** The resolver (getaddrinfo, getnameinfo): traced, since it may wait on the network. */
  | 'resolver'
  /** A C library function that asks the kernel nothing (htons, inet_pton): not traced, as strace. */
  | 'library';

/**
 * One entry of the table of calls.
 * @internal
 */
export interface CallEntry<A extends readonly unknown[] = never> {
  /** What kind of function it is. */
  readonly kind: CallKind;
  /** Its man page, as `accept(2)`. */
  readonly man: string;
  /** What it returns, in the README's table of calls. */
  readonly returns: string;
  /** Its parameters under their C names, in C order. */
  readonly params: readonly string[];
  /** The parameters the call writes into (C's out-pointers). */
  readonly out: readonly string[];
  /** The synchronous form may wait: its start is written before the call, with its check made first. */
  readonly blocks: boolean;
  /** bsdsock/promises has it too. */
  readonly promises: boolean;
  /**
   * What fault injection may do to it, or null when it never may (close must release its
   * descriptor whatever it reports; a library function makes no system call).
   */
  readonly fault: {
    /** Index of the addon's trailing validate-only `true` (native/args.h), or -1 when it has none. */
    readonly validateAt: number;
    /** Its len (argument 2) may be cut. */
    readonly short: boolean;
  } | null;
  /** The call whose hints it shares (recvfrom fails as recv does), if any. */
  readonly hintsOf?: string;
  /**
   * Its result is not C's -1 and errno: an EAI_* status (`eai`: getaddrinfo); a pointer, or NULL with
   * h_errno (`h_errno`: gethostbyname); a pointer or NULL (`null`: getservbyname). For the last two
   * the trace's number is 0 for a pointer, else the h_errno set (1 for `null`).
   */
  readonly status?: 'eai' | 'h_errno' | 'null';
  /** Its line in the trace, from its arguments as the wrapper got them; may throw (shown as `...`). */
  readonly text?: (...args: A) => TraceText;
}

// Keeps each entry's own types (its `text` parameters, a null `fault`) while the table stays one record.
function entry<const E extends CallEntry>(e: E): E {
  return e;
}

const done = (r: number): string => `)${result(r)}`;

// accept and accept4: the address the call filled, and the length before and after.
function acceptText(fd: number, addr: SockaddrLike | null, len: socklen_t | null, flags?: number): TraceText {
  const before = peek(() => len?.value);
  const call = flags === undefined ? 'accept' : 'accept4';
  return [
    `${call}(${fd}, `,
    (r) => {
      const l = r < 0 ? lenIn(len) : inOut(before, len);
      return `${outAddr(addr, len, r)}, ${l}${flags === undefined ? '' : `, ${sockFlags(flags)}`})${result(r)}`;
    },
  ];
}

function nameText(call: string, fd: number, addr: SockaddrLike, len: socklen_t): TraceText {
  const before = peek(() => len?.value);
  return [
    `${call}(${fd}, `,
    (r) => `${outAddr(addr, len, r)}, ${r < 0 ? lenIn(len) : inOut(before, len)})${result(r)}`,
  ];
}

function fcntlText(fd: number, cmd: number, arg: number | undefined): TraceText {
  let argText = '';
  if (arg !== undefined) {
    if (cmd === C.F_SETFL) argText = `, ${openFlags(arg)}`;
    else if (cmd === C.F_SETFD) argText = `, ${arg === C.FD_CLOEXEC ? 'FD_CLOEXEC' : arg}`;
    else argText = `, ${arg}`;
  }
  return [
    `fcntl(${fd}, ${named('F_', cmd)}${argText}`,
    (r) => {
      if (r >= 0 && cmd === C.F_GETFL) return `) = ${r === 0 ? '0' : hex(r)} (flags ${openFlags(r)})`;
      if (r > 0 && cmd === C.F_GETFD) return `) = ${hex(r)} (flags ${r === C.FD_CLOEXEC ? 'FD_CLOEXEC' : hex(r)})`;
      return done(r);
    },
  ];
}

function recvmsgText(fd: number, msg: msghdr, flags: number): TraceText {
  const namelen = msg.msg_namelen;
  return [
    `recvmsg(${fd}, `,
    (r) => `${r < 0 ? UNFILLED : msghdrText(msg, r, namelen)}, ${msgFlags(flags)})${result(r)}`,
  ];
}

/**
 * ` = 0`, or the EAI_* status with its message (` = EAI_NONAME (Name or service not known)`).
 * @internal
 */
export function statusText(status: number): string {
  if (status === 0) return ' = 0';
  return ` = ${constantName('EAI_', status) ?? status} (${native.gai_strerror(status)})`;
}

/**
 * What a netdb lookup returned, after ` = `: the struct (`{h_name="localhost", ...}`), or `NULL` with
 * the h_errno set and its message (`NULL HOST_NOT_FOUND (Unknown host)`), for `h_errno` entries.
 * @internal
 */
export function lookupText(status: 'h_errno' | 'null', r: number, answer?: string): string {
  if (r === 0 && answer !== undefined) return ` = ${answer}`;
  if (r === 0) return ' = {...}';
  if (status === 'null') return ' = NULL';
  return ` = NULL ${hErrnoName(r) ?? r} (${native.hstrerror(r)})`;
}

const strings = (list: readonly string[]): string => `[${list.map((a) => nodeText(a)).join(', ')}]`;

function hostentText(he: hostent): string {
  const addrs = he.h_addr_list.map((a) => hostAddrText(a, he.h_length, he.h_addrtype));
  return (
    `{h_name=${nodeText(he.h_name)}, h_aliases=${strings(he.h_aliases)}, h_addrtype=${family(he.h_addrtype)}, ` +
    `h_length=${he.h_length}, h_addr_list=[${addrs.join(', ')}]}`
  );
}

function serventText(se: servent): string {
  return (
    `{s_name=${nodeText(se.s_name)}, s_aliases=${strings(se.s_aliases)}, ` +
    `s_port=htons(${hostPort(se.s_port)}), s_proto=${nodeText(se.s_proto)}}`
  );
}

// The bytes of a struct or raw memory argument.
function memoryOf(addr: Struct | Memory): Memory {
  return ArrayBuffer.isView(addr) || addr instanceof ArrayBuffer ? addr : addr.bytes;
}

// ntohs of a port stored as C stores it (network byte order), for `htons(80)`.
function hostPort(port: number): number {
  return native.littleEndian ? ((port & 0xff) << 8) | ((port >>> 8) & 0xff) : port & 0xffff;
}

// The rest of a lookup's line: the struct it returned (through `out`, which the wrapper fills), or NULL.
function hostRest(out: ptr<hostent | null> | undefined): (r: number) => string {
  return (r) => `)${lookupText('h_errno', r, out?.value == null ? undefined : hostentText(out.value))}`;
}

function servRest(out: ptr<servent | null> | undefined): (r: number) => string {
  return (r) => `)${lookupText('null', r, out?.value == null ? undefined : serventText(out.value))}`;
}

function aiText(ai: addrinfo): string {
  const addr = ai.ai_addr === null ? 'NULL' : sockaddrText(ai.ai_addr, ai.ai_addrlen);
  const canon = ai.ai_canonname === null ? 'NULL' : quote(ai.ai_canonname, Buffer.byteLength(ai.ai_canonname));
  return (
    `{ai_flags=${flagSet('AI_', ai.ai_flags)}, ai_family=${family(ai.ai_family)}, ` +
    `ai_socktype=${ai.ai_socktype === 0 ? '0' : named('SOCK_', ai.ai_socktype)}, ` +
    `ai_protocol=${protocol(ai.ai_family === C.AF_UNSPEC ? C.AF_INET : ai.ai_family, ai.ai_protocol)}, ` +
    `ai_addrlen=${ai.ai_addrlen}, ai_addr=${addr}, ai_canonname=${canon}}`
  );
}

// strace names FIONREAD so, though SIOCINQ has its value on Linux.
function ioctlName(request: number): string {
  for (const name of [
    'FIONREAD',
    'FIONBIO',
    'SIOCATMARK',
    'SIOCOUTQ',
    'SIOCGIFNAME',
    'SIOCGIFINDEX',
    'SIOCGIFFLAGS',
    'SIOCSIFFLAGS',
    'SIOCGIFADDR',
    'SIOCGIFNETMASK',
    'SIOCGIFBRDADDR',
    'SIOCGIFMTU',
    'SIOCSIFMTU',
    'SIOCGIFHWADDR',
  ] as const)
    if (C[name] === request) return name;
  return hex(request);
}

// `{events=EPOLLIN, data={u32=4, u64=4}}`, as strace prints an epoll_event.
function epollEventText(ev: epoll_event): string {
  return `{events=${flagSet('EPOLL', ev.events)}, data={u32=${ev.data.u32}, u64=${ev.data.u64}}}`;
}

// A set as strace prints it: the descriptors below nfds that it holds, `[3 4]`.
function fdSetText(set: fd_set | null, nfds: number): string {
  if (set === null) return 'NULL';
  const held: number[] = [];
  for (let fd = 0; fd < Math.min(nfds, C.FD_SETSIZE ?? 0); fd++)
    if (native.fdSet(2, fd, set.bytes) === 1) held.push(fd);
  return `[${held.join(' ')}]`;
}

function timevalText(t: timeval | null): string {
  return t === null ? 'NULL' : `{tv_sec=${t.tv_sec}, tv_usec=${t.tv_usec}}`;
}

function nodeText(s: string | null): string {
  return s === null ? 'NULL' : quote(s, Buffer.byteLength(s));
}

// A char buffer the call filled, up to its NUL, as C would print it.
function cString(buf: Memory | null, r: number): string {
  if (buf === null) return 'NULL';
  if (r !== 0) return UNFILLED;
  const bytes = bytesOf(buf);
  const end = bytes.indexOf(0);
  return quote(bytes, end < 0 ? bytes.length : end);
}

/**
 * The table. Keys are the calls' C names.
 * @internal
 */
export const CALLS = {
  socket: entry({
    kind: 'syscall',
    man: 'socket(2)',
    returns: 'a descriptor, or -1',
    params: ['domain', 'type', 'protocol'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (domain: number, type: number, proto: number): TraceText => [
      `socket(${family(domain)}, ${sockType(type)}, ${protocol(domain, proto)}`,
      done,
    ],
  }),
  bind: entry({
    kind: 'syscall',
    man: 'bind(2)',
    returns: '0, or -1',
    params: ['sockfd', 'addr', 'addrlen'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (fd: number, addr: SockaddrLike, addrlen: number): TraceText => [
      `bind(${fd}, ${sockaddrText(addr, addrlen)}, ${addrlen}`,
      done,
    ],
  }),
  listen: entry({
    kind: 'syscall',
    man: 'listen(2)',
    returns: '0, or -1',
    params: ['sockfd', 'backlog'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (fd: number, backlog: number): TraceText => [`listen(${fd}, ${backlog}`, done],
  }),
  accept: entry({
    kind: 'syscall',
    man: 'accept(2)',
    returns: 'a new descriptor, or -1; fills `addr` and `addrlen` (either may be `null`)',
    params: ['sockfd', 'addr', 'addrlen'],
    out: ['addr', 'addrlen'],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: false },
    text: (fd: number, addr: SockaddrLike | null, len: socklen_t | null): TraceText => acceptText(fd, addr, len),
  }),
  accept4: entry({
    kind: 'syscall',
    man: 'accept4(2)',
    returns: 'as `accept`; `undefined` where the platform lacks it (Linux and the BSDs have it)',
    params: ['sockfd', 'addr', 'addrlen', 'flags'],
    out: ['addr', 'addrlen'],
    blocks: true,
    promises: true,
    fault: { validateAt: 4, short: false },
    hintsOf: 'accept',
    text: (fd: number, addr: SockaddrLike | null, len: socklen_t | null, flags: number): TraceText =>
      acceptText(fd, addr, len, flags),
  }),
  connect: entry({
    kind: 'syscall',
    man: 'connect(2)',
    returns: '0, or -1 (`EINPROGRESS` on a non-blocking socket)',
    params: ['sockfd', 'addr', 'addrlen'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: false },
    text: (fd: number, addr: SockaddrLike, addrlen: number): TraceText => [
      `connect(${fd}, ${sockaddrText(addr, addrlen)}, ${addrlen}`,
      done,
    ],
  }),
  shutdown: entry({
    kind: 'syscall',
    man: 'shutdown(2)',
    returns: '0, or -1',
    params: ['sockfd', 'how'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (fd: number, how: number): TraceText => [`shutdown(${fd}, ${named('SHUT_', how)}`, done],
  }),
  close: entry({
    kind: 'syscall',
    man: 'close(2)',
    returns: '0, or -1',
    params: ['fd'],
    out: [],
    blocks: false,
    // bsdsock/promises exports the same close: it also settles what waits on fd.
    promises: true,
    fault: null,
    text: (fd: number): TraceText => [`close(${fd}`, done],
  }),
  getsockname: entry({
    kind: 'syscall',
    man: 'getsockname(2)',
    returns: '0, or -1; fills `addr` and `addrlen`',
    params: ['sockfd', 'addr', 'addrlen'],
    out: ['addr', 'addrlen'],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    hintsOf: 'getpeername',
    text: (fd: number, addr: SockaddrLike, len: socklen_t): TraceText => nameText('getsockname', fd, addr, len),
  }),
  getpeername: entry({
    kind: 'syscall',
    man: 'getpeername(2)',
    returns: '0, or -1; fills `addr` and `addrlen`',
    params: ['sockfd', 'addr', 'addrlen'],
    out: ['addr', 'addrlen'],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (fd: number, addr: SockaddrLike, len: socklen_t): TraceText => nameText('getpeername', fd, addr, len),
  }),
  socketpair: entry({
    kind: 'syscall',
    man: 'socketpair(2)',
    returns: '0, or -1; fills `sv`',
    params: ['domain', 'type', 'protocol', 'sv'],
    out: ['sv'],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (domain: number, type: number, proto: number, sv: ArrayLike<number>): TraceText => [
      `socketpair(${family(domain)}, ${sockType(type)}, ${protocol(domain, proto)}, `,
      (r) => `${r < 0 ? UNFILLED : `[${sv[0]}, ${sv[1]}]`})${result(r)}`,
    ],
  }),
  fcntl: entry({
    kind: 'syscall',
    man: 'fcntl(2)',
    returns: 'depends on `cmd`, or -1 (integer commands only; `arg` is optional)',
    params: ['fd', 'cmd', 'arg'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: fcntlText,
  }),
  dup: entry({
    kind: 'syscall',
    man: 'dup(2)',
    returns: 'a new descriptor for the same socket, or -1',
    params: ['oldfd'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (oldfd: number): TraceText => [`dup(${oldfd}`, done],
  }),
  dup2: entry({
    kind: 'syscall',
    man: 'dup2(2)',
    returns: '`newfd`, now a copy of `oldfd`, or -1',
    params: ['oldfd', 'newfd'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (oldfd: number, newfd: number): TraceText => [`dup2(${oldfd}, ${newfd}`, done],
  }),
  ioctl: entry({
    kind: 'syscall',
    man: 'ioctl(2)',
    returns:
      '0, or -1; for the int requests of sockets (FIONREAD, FIONBIO, SIOCATMARK, SIOCINQ, SIOCOUTQ) and the `ifreq` requests of interfaces (SIOCGIFINDEX, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFADDR, SIOCGIFMTU, ...)',
    params: ['fd', 'request', 'argp'],
    out: ['argp'],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (fd: number, request: number, argp: ptr<number> | ifreq): TraceText => {
      if (!('value' in argp)) {
        // An interface request: what the kernel read, and on success what it wrote (netdevice(7)).
        const name = ioctlName(request);
        return [`ioctl(${fd}, ${name}, `, (r) => `${ifreqText(name, argp, r)})${result(r)}`];
      }
      // strace shows what FIONBIO gives the kernel, and what the other requests get back.
      const given = request === C.FIONBIO ? `[${argp.value}]` : undefined;
      return [
        `ioctl(${fd}, ${ioctlName(request)}, `,
        (r) => `${given ?? (r < 0 ? UNFILLED : `[${argp.value}]`)})${result(r)}`,
      ];
    },
  }),
  send: entry({
    kind: 'syscall',
    man: 'send(2)',
    returns: 'bytes sent, or -1',
    params: ['sockfd', 'buf', 'len', 'flags'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 4, short: true },
    text: (fd: number, buf: Memory | string, len: number, flags: number): TraceText => [
      `send(${fd}, ${quote(buf, len)}, ${len}, ${msgFlags(flags)}`,
      done,
    ],
  }),
  recv: entry({
    kind: 'syscall',
    man: 'recv(2)',
    returns: 'bytes received, 0 at end of stream, or -1',
    params: ['sockfd', 'buf', 'len', 'flags'],
    out: ['buf'],
    blocks: true,
    promises: true,
    fault: { validateAt: 4, short: true },
    text: (fd: number, buf: Memory, len: number, flags: number): TraceText => [
      `recv(${fd}, `,
      // With MSG_TRUNC the result may exceed len: only len bytes were written (strace shows those).
      (r) => `${r < 0 ? UNFILLED : quote(buf, Math.min(r, len))}, ${len}, ${msgFlags(flags)})${result(r)}`,
    ],
  }),
  read: entry({
    kind: 'syscall',
    man: 'read(2)',
    returns: 'bytes read, 0 at end of stream, or -1',
    params: ['fd', 'buf', 'count'],
    out: ['buf'],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: true },
    hintsOf: 'recv',
    text: (fd: number, buf: Memory, count: number): TraceText => [
      `read(${fd}, `,
      (r) => `${r < 0 ? UNFILLED : quote(buf, r)}, ${count})${result(r)}`,
    ],
  }),
  write: entry({
    kind: 'syscall',
    man: 'write(2)',
    returns: 'bytes written, or -1',
    params: ['fd', 'buf', 'count'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: true },
    hintsOf: 'send',
    text: (fd: number, buf: Memory | string, count: number): TraceText => [
      `write(${fd}, ${quote(buf, count)}, ${count}`,
      done,
    ],
  }),
  readv: entry({
    kind: 'syscall',
    man: 'readv(2)',
    returns: 'bytes read into the iovecs in turn, 0 at end of stream, or -1',
    params: ['fd', 'iov', 'iovcnt'],
    out: ['iov'],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: false },
    hintsOf: 'recv',
    text: (fd: number, iov: readonly iovec[], iovcnt: number): TraceText => [
      `readv(${fd}, `,
      (r) => `${r < 0 ? UNFILLED : iovText(iov, iovcnt, r)}, ${iovcnt})${result(r)}`,
    ],
  }),
  writev: entry({
    kind: 'syscall',
    man: 'writev(2)',
    returns: 'bytes written from the iovecs in turn, or -1',
    params: ['fd', 'iov', 'iovcnt'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: false },
    hintsOf: 'send',
    text: (fd: number, iov: readonly iovec[], iovcnt: number): TraceText => [
      `writev(${fd}, ${iovText(iov, iovcnt, -1)}, ${iovcnt}`,
      done,
    ],
  }),
  sendto: entry({
    kind: 'syscall',
    man: 'sendto(2)',
    returns: 'bytes sent, or -1 (`dest_addr` may be `null`)',
    params: ['sockfd', 'buf', 'len', 'flags', 'dest_addr', 'addrlen'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 6, short: true },
    hintsOf: 'send',
    text: (
      fd: number,
      buf: Memory | string,
      len: number,
      flags: number,
      dest: SockaddrLike | null,
      addrlen: number,
    ): TraceText => [
      `sendto(${fd}, ${quote(buf, len)}, ${len}, ${msgFlags(flags)}, ${sockaddrText(dest, addrlen)}, ${addrlen}`,
      done,
    ],
  }),
  recvfrom: entry({
    kind: 'syscall',
    man: 'recvfrom(2)',
    returns: "bytes received, or -1; fills the sender's address (`src_addr` and `addrlen` may be `null`)",
    params: ['sockfd', 'buf', 'len', 'flags', 'src_addr', 'addrlen'],
    out: ['buf', 'src_addr', 'addrlen'],
    blocks: true,
    promises: true,
    fault: { validateAt: 6, short: true },
    hintsOf: 'recv',
    text: (
      fd: number,
      buf: Memory,
      len: number,
      flags: number,
      src: SockaddrLike | null,
      addrlen: socklen_t | null,
    ): TraceText => {
      const before = peek(() => addrlen?.value);
      return [
        `recvfrom(${fd}, `,
        (r) => {
          const l = r < 0 ? lenIn(addrlen) : inOut(before, addrlen);
          return `${r < 0 ? UNFILLED : quote(buf, Math.min(r, len))}, ${len}, ${msgFlags(flags)}, ${outAddr(src, addrlen, r)}, ${l})${result(r)}`;
        },
      ];
    },
  }),
  sendmsg: entry({
    kind: 'syscall',
    man: 'sendmsg(2)',
    returns: 'bytes sent, or -1; iovecs and control messages (`SCM_RIGHTS`)',
    params: ['sockfd', 'msg', 'flags'],
    out: [],
    blocks: true,
    promises: true,
    fault: { validateAt: 6, short: false },
    hintsOf: 'send',
    text: (fd: number, msg: msghdr, flags: number): TraceText => [
      `sendmsg(${fd}, ${msghdrText(msg, -1, undefined)}, ${msgFlags(flags)}`,
      done,
    ],
  }),
  recvmsg: entry({
    kind: 'syscall',
    man: 'recvmsg(2)',
    returns: 'bytes received, or -1; fills iovecs, `msg_controllen`, `msg_flags`',
    params: ['sockfd', 'msg', 'flags'],
    out: ['msg'],
    blocks: true,
    promises: true,
    fault: { validateAt: 6, short: false },
    hintsOf: 'recv',
    text: recvmsgText,
  }),
  setsockopt: entry({
    kind: 'syscall',
    man: 'setsockopt(2)',
    returns: '0, or -1; `optval` is a number (C `int`), a struct or a buffer',
    params: ['sockfd', 'level', 'optname', 'optval', 'optlen'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (
      fd: number,
      lvl: number,
      name: number,
      optval: number | Struct | Memory | null,
      optlen: number,
    ): TraceText => [
      `setsockopt(${fd}, ${level(lvl)}, ${optname(lvl, name)}, ${optvalText(optval, optlen)}, ${optlen}`,
      done,
    ],
  }),
  getsockopt: entry({
    kind: 'syscall',
    man: 'getsockopt(2)',
    returns: '0, or -1; fills `optval` (`ptr<number>`, struct, buffer) and `optlen`',
    params: ['sockfd', 'level', 'optname', 'optval', 'optlen'],
    out: ['optval', 'optlen'],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (
      fd: number,
      lvl: number,
      name: number,
      optval: ptr<number> | Struct | Memory | null,
      optlen: socklen_t | null,
    ): TraceText => {
      const before = peek(() => optlen?.value);
      return [
        `getsockopt(${fd}, ${level(lvl)}, ${optname(lvl, name)}, `,
        (r) => {
          const v = r < 0 ? UNFILLED : optvalText(optval, optlen === null ? 0 : optlen.value);
          const l = r < 0 ? lenIn(optlen) : inOut(before, optlen);
          return `${v}, ${l})${result(r)}`;
        },
      ];
    },
  }),
  poll: entry({
    kind: 'syscall',
    man: 'poll(2)',
    returns: 'number of ready entries, 0 on timeout, or -1; fills `revents`',
    params: ['fds', 'nfds', 'timeout'],
    out: ['fds'],
    blocks: true,
    promises: true,
    fault: { validateAt: 3, short: false },
    text: (fds: readonly pollfd[], nfds: number, timeout: number): TraceText => [
      `poll(${pollIn(fds, nfds)}, ${nfds}, ${timeout}`,
      (r) => `)${pollResult(fds, nfds, r)}`,
    ],
  }),
  select: entry({
    kind: 'syscall',
    man: 'select(2)',
    returns: 'number of ready descriptors, 0 on timeout, or -1; leaves only the ready ones in the sets',
    params: ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout'],
    out: ['readfds', 'writefds', 'exceptfds', 'timeout'],
    blocks: true,
    promises: true,
    fault: { validateAt: 5, short: false },
    text: (
      nfds: number,
      readfds: fd_set | null,
      writefds: fd_set | null,
      exceptfds: fd_set | null,
      timeout: timeval | null,
    ): TraceText => {
      const sets = [readfds, writefds, exceptfds] as const;
      return [
        `select(${nfds}, ${sets.map((set) => fdSetText(set, nfds)).join(', ')}, ${timevalText(timeout)}`,
        (r) => {
          if (r <= 0) return `)${r === 0 ? ' = 0 (Timeout)' : result(r)}`;
          const ready = sets
            .map((set, k) => (set === null ? '' : `${['in', 'out', 'except'][k]} ${fdSetText(set, nfds)}`))
            .filter((part) => part !== '' && !part.endsWith('[]'));
          if (timeout !== null) ready.push(`left ${timevalText(timeout)}`);
          return `) = ${r} (${ready.join(', ')})`;
        },
      ];
    },
  }),
  epoll_create1: entry({
    kind: 'syscall',
    man: 'epoll_create1(2)',
    returns: 'an epoll descriptor, or -1 (Linux; `undefined` elsewhere)',
    params: ['flags'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (flags: number): TraceText => [`epoll_create1(${flagSet('EPOLL_CLOEXEC', flags)}`, done],
  }),
  epoll_ctl: entry({
    kind: 'syscall',
    man: 'epoll_ctl(2)',
    returns: '0, or -1 (Linux; `undefined` elsewhere)',
    params: ['epfd', 'op', 'fd', 'event'],
    out: [],
    blocks: false,
    promises: false,
    fault: { validateAt: -1, short: false },
    text: (epfd: number, op: number, fd: number, event: epoll_event | null): TraceText => [
      `epoll_ctl(${epfd}, ${named('EPOLL_CTL_', op)}, ${fd}, ${event === null ? 'NULL' : epollEventText(event)}`,
      done,
    ],
  }),
  epoll_wait: entry({
    kind: 'syscall',
    man: 'epoll_wait(2)',
    returns: 'number of events filled in, 0 on timeout, or -1 (Linux; `undefined` elsewhere)',
    params: ['epfd', 'events', 'maxevents', 'timeout'],
    out: ['events'],
    blocks: true,
    promises: true,
    fault: { validateAt: 4, short: false },
    text: (epfd: number, events: readonly epoll_event[], maxevents: number, timeout: number): TraceText => [
      `epoll_wait(${epfd}, `,
      (r) =>
        `${r < 0 ? UNFILLED : `[${events.slice(0, r).map(epollEventText).join(', ')}]`}, ${maxevents}, ${timeout})${result(r)}`,
    ],
  }),
  FD_ZERO: library('select(2)', 'nothing; empties the set', ['set'], ['set']),
  clock_gettime: library('clock_gettime(2)', '0, or -1 with `errno` (`EINVAL`)', ['clockid', 'tp'], ['tp']),
  FD_SET: library('select(2)', 'nothing; adds `fd` to the set', ['fd', 'set'], ['set']),
  FD_CLR: library('select(2)', 'nothing; removes `fd` from the set', ['fd', 'set'], ['set']),
  FD_ISSET: library('select(2)', '1 when `fd` is in the set, else 0', ['fd', 'set']),
  getaddrinfo: entry({
    kind: 'resolver',
    man: 'getaddrinfo(3)',
    returns: '0 or an `EAI_*` code; fills `res` with an `addrinfo` list',
    params: ['node', 'service', 'hints', 'res'],
    out: ['res'],
    blocks: false,
    promises: true,
    fault: null,
    status: 'eai',
    text: (
      node: string | null,
      service: string | null,
      hints: addrinfo | null,
      res: ptr<addrinfo | null>,
    ): TraceText => [
      `getaddrinfo(${nodeText(node)}, ${nodeText(service)}, ${hints === null ? 'NULL' : aiText(hints)}, `,
      (r) => {
        let list = UNFILLED;
        if (r === 0) {
          const items: string[] = [];
          for (let ai = res.value; ai !== null; ai = ai.ai_next) items.push(aiText(ai));
          list = `[${items.join(', ')}]`;
        }
        return `${list})${statusText(r)}`;
      },
    ],
  }),
  getnameinfo: entry({
    kind: 'resolver',
    man: 'getnameinfo(3)',
    returns: '0 or an `EAI_*` code; fills `host`, `serv`',
    params: ['addr', 'addrlen', 'host', 'hostlen', 'serv', 'servlen', 'flags'],
    out: ['host', 'serv'],
    blocks: false,
    promises: true,
    fault: null,
    status: 'eai',
    text: (
      addr: SockaddrLike,
      addrlen: number,
      host: Memory | null,
      hostlen: number,
      serv: Memory | null,
      servlen: number,
      flags: number,
    ): TraceText => [
      `getnameinfo(${sockaddrText(addr, addrlen)}, ${addrlen}, `,
      (r) =>
        `${cString(host, r)}, ${hostlen}, ${cString(serv, r)}, ${servlen}, ${flagSet('NI_', flags)})${statusText(r)}`,
    ],
  }),
  // The wrappers give `text` one argument more than C's: `out`, the holder of what the call returned.
  gethostbyname: entry({
    kind: 'resolver',
    man: 'gethostbyname(3)',
    returns: 'a `hostent`, or `null` with `h_errno` (`HOST_NOT_FOUND`, `TRY_AGAIN`, `NO_RECOVERY`, `NO_DATA`)',
    params: ['name'],
    out: [],
    blocks: false,
    promises: true,
    fault: null,
    status: 'h_errno',
    text: (name: string, out?: ptr<hostent | null>): TraceText => [`gethostbyname(${nodeText(name)}`, hostRest(out)],
  }),
  gethostbyaddr: entry({
    kind: 'resolver',
    man: 'gethostbyaddr(3)',
    returns: 'a `hostent`, or `null` with `h_errno`; `addr` is an `in_addr`, an `in6_addr` or a buffer',
    params: ['addr', 'len', 'type'],
    out: [],
    blocks: false,
    promises: true,
    fault: null,
    status: 'h_errno',
    hintsOf: 'gethostbyname',
    text: (addr: Struct | Memory, len: number, type: number, out?: ptr<hostent | null>): TraceText => [
      `gethostbyaddr(${hostAddrText(memoryOf(addr), len, type)}, ${len}, ${family(type)}`,
      hostRest(out),
    ],
  }),
  getservbyname: entry({
    kind: 'resolver',
    man: 'getservbyname(3)',
    returns: 'a `servent` (`s_port` in network byte order), or `null`',
    params: ['name', 'proto'],
    out: [],
    blocks: false,
    promises: true,
    fault: null,
    status: 'null',
    text: (name: string, proto: string | null, out?: ptr<servent | null>): TraceText => [
      `getservbyname(${nodeText(name)}, ${nodeText(proto)}`,
      servRest(out),
    ],
  }),
  getservbyport: entry({
    kind: 'resolver',
    man: 'getservbyport(3)',
    returns: 'a `servent`, or `null`; `port` in network byte order (`htons(80)`)',
    params: ['port', 'proto'],
    out: [],
    blocks: false,
    promises: true,
    fault: null,
    status: 'null',
    text: (port: number, proto: string | null, out?: ptr<servent | null>): TraceText => [
      `getservbyport(htons(${hostPort(port)}), ${nodeText(proto)}`,
      servRest(out),
    ],
  }),
  herror: library('herror(3)', 'nothing; writes `s: message` for `h_errno` to stderr', ['s']),
  hstrerror: library('hstrerror(3)', "the C library's message for an `h_errno` value", ['err']),
  freeaddrinfo: library('freeaddrinfo(3)', 'nothing; unlinks the list', ['res']),
  gai_strerror: library('gai_strerror(3)', "the C library's message", ['errcode']),
  htons: library('byteorder(3)', 'the value in network byte order', ['hostshort']),
  htonl: library('byteorder(3)', 'the value in network byte order', ['hostlong']),
  ntohs: library('byteorder(3)', 'the value in host byte order', ['netshort']),
  ntohl: library('byteorder(3)', 'the value in host byte order', ['netlong']),
  inet_pton: library(
    'inet_pton(3)',
    '1, 0 (not an address), or -1 (`EAFNOSUPPORT`); fills `dst`',
    ['af', 'src', 'dst'],
    ['dst'],
  ),
  inet_ntop: library(
    'inet_ntop(3)',
    'the text, or `null` with `errno` (`ENOSPC`)',
    ['af', 'src', 'dst', 'size'],
    ['dst'],
  ),
  inet_aton: library('inet_aton(3)', '1, or 0 when `cp` is not an address; fills `inp`', ['cp', 'inp'], ['inp']),
  inet_addr: library('inet_addr(3)', 'the address in network order, or `INADDR_NONE`', ['cp']),
  inet_ntoa: library('inet_ntoa(3)', 'dotted-decimal text', ['in']),
  strlen: library('strlen(3)', 'byte length (UTF-8 for strings; up to the first NUL for buffers)', ['s']),
  strerror: library('strerror(3)', "the C library's message", ['errnum']),
  perror: library('perror(3)', 'nothing; writes `s: message` to stderr', ['s']),
  CMSG_SPACE: library('cmsg(3)', 'the bytes a control message with `length` bytes of data takes, padding included', [
    'length',
  ]),
  CMSG_LEN: library('cmsg(3)', 'the `cmsg_len` of a control message with `length` bytes of data', ['length']),
  CMSG_FIRSTHDR: library('cmsg(3)', 'the first `cmsghdr` of `msg_control`, or `null`', ['msgh']),
  CMSG_NXTHDR: library('cmsg(3)', 'the `cmsghdr` after `cmsg`, or `null`', ['msgh', 'cmsg']),
  CMSG_DATA: library('cmsg(3)', "a `Buffer` over the control message's data", ['cmsg']),
  if_nametoindex: library('if_nametoindex(3)', 'the interface index, or 0 with `errno` (`ENODEV`)', ['ifname']),
  if_indextoname: library(
    'if_indextoname(3)',
    'the interface name (also written into `ifname`), or `null` with `errno` (`ENXIO`)',
    ['ifindex', 'ifname'],
    ['ifname'],
  ),
  NLMSG_ALIGN: library('netlink(3)', '`len` rounded up to a multiple of 4', ['len']),
  NLMSG_LENGTH: library('netlink(3)', 'the `nlmsg_len` of a message with `len` bytes of payload', ['len']),
  NLMSG_SPACE: library('netlink(3)', 'the bytes a message with `len` bytes of payload takes, padding included', [
    'len',
  ]),
  NLMSG_DATA: library('netlink(3)', "a `Buffer` from the message's payload to the end of its buffer", ['nlh']),
  NLMSG_OK: library('netlink(3)', '1 while `nlh` is a whole message within `len` bytes, else 0', ['nlh', 'len']),
  NLMSG_NEXT: library(
    'netlink(3)',
    'the next `nlmsghdr` (subtracting from `len`, a `ptr<number>`)',
    ['nlh', 'len'],
    ['len'],
  ),
  NLMSG_PAYLOAD: library('netlink(3)', "the payload's length after a fixed part of `len` bytes", ['nlh', 'len']),
} as const;

function library(
  man: string,
  returns: string,
  params: readonly string[],
  out: readonly string[] = [],
): CallEntry & { readonly kind: 'library'; readonly fault: null } {
  return { kind: 'library', man, returns, params, out, blocks: false, promises: false, fault: null };
}

/**
 * A call of the table.
 * @internal
 */
export type CallName = keyof typeof CALLS;

/**
 * The arguments of a traced call, as its entry's `text` takes them.
 * @internal
 */
export type TraceArgs<N extends CallName> = (typeof CALLS)[N] extends { text: (...args: infer A) => TraceText }
  ? A
  : never;

/**
 * The exports of both APIs that are not C functions: the package's own helpers. Listed so that the
 * table's test can tell a forgotten call from a helper.
 * @internal
 */
export const HELPERS = [
  'sizeof',
  'offsetof',
  'cast',
  'assign',
  'array',
  'BPF_STMT',
  'BPF_JUMP',
  'errnoName',
  'setErrno',
  'onErrno',
  'trace',
  'faults',
  'faultCounts',
  'hint',
  'hintTable',
  'inspect',
  'openSockets',
  'detach',
  'engineStats',
] as const;

/**
 * The entry of `name`, or undefined when it names no call of the table.
 * @internal
 */
export function callEntry(name: string): CallEntry | undefined {
  return Object.hasOwn(CALLS, name) ? CALLS[name as CallName] : undefined;
}

/**
 * The man page's address on man7.org, as the wrappers' TSDoc cites it.
 * @internal
 */
export function manUrl(man: string): string {
  const m = /^(.+)\((\d)\)$/.exec(man);
  if (m === null) throw new Error(`not a man page: ${man}`);
  return `https://man7.org/linux/man-pages/man${m[2]}/${m[1]}.${m[2]}.html`;
}

/**
 * The README's table of calls, made from the table (scripts/readme-calls.js writes it; a test checks
 * the README holds it).
 * @internal
 */
export function callsTable(): string {
  const rows = ['| function | man page | returns | in bsdsock/promises |', '|---|---|---|---|'];
  for (const [name, e] of Object.entries(CALLS) as [CallName, CallEntry][]) {
    const signature = `\`${name}(${e.params.join(', ')})\``;
    rows.push(`| ${signature} | ${e.man} | ${e.returns} | ${e.promises ? 'yes' : '—'} |`);
  }
  return rows.join('\n');
}
