// Name resolution: getaddrinfo, freeaddrinfo, gai_strerror, getnameinfo.
// These return EAI_* codes, not -1; errno is set only for EAI_SYSTEM.
// And the older lookups: gethostbyname, gethostbyaddr (a hostent, or null
// with h_errno), getservbyname, getservbyport (a servent, or null).
import { setErrno, setHErrno } from './errno';
import { invalidArgType } from './errors';
import { native, type AddrinfoEntry, type HostentEntry, type HostentResult, type ServentEntry } from './native';
import {
  addrinfo,
  cast,
  in6_addr,
  in_addr,
  ptr,
  sockaddr,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  sockaddrArg,
  structArg,
  type BufferLike,
  type SockaddrLike,
} from './structs';
import { AF_INET, AF_INET6, AF_UNIX, EAI_SYSTEM, NETDB_INTERNAL } from './constants.gen';
import { traceCall } from './trace';
import type { TraceArgs } from './calls';
import { tracing } from './trace/sink';

function addressOf(family: number, bytes: Buffer): SockaddrLike {
  // Each result owns a struct of its family, sized as the C result was.
  const room = Buffer.alloc(Math.max(bytes.length, sockaddr.layout.size));
  bytes.copy(room);
  if (family === AF_INET && bytes.length >= sockaddr_in.layout.size) return cast(sockaddr_in, room);
  if (family === AF_INET6 && bytes.length >= sockaddr_in6.layout.size) return cast(sockaddr_in6, room);
  if (family === AF_UNIX && bytes.length >= sockaddr_un.layout.size) return cast(sockaddr_un, room);
  return cast(sockaddr, room);
}

// One addon result as an addrinfo.
function addrinfoFromEntry([flags, family, socktype, protocol, addr, canonname]: AddrinfoEntry): addrinfo {
  const ai = new addrinfo();
  ai.ai_flags = flags;
  ai.ai_family = family;
  ai.ai_socktype = socktype;
  ai.ai_protocol = protocol;
  ai.ai_addrlen = addr === null ? 0 : addr.length;
  ai.ai_addr = addr === null ? null : addressOf(family, addr);
  ai.ai_canonname = canonname;
  return ai;
}

/**
 * Translates a host name and a service into socket addresses: the
 * getaddrinfo(3) library call. The resolver may block the thread (DNS);
 * `bsdsock/promises` runs it off the event loop.
 * @param node - a host name or numeric address, or null (with AI_PASSIVE:
 *   the wildcard address).
 * @param service - a port number or service name ("8080", "http"), or null.
 * @param hints - an addrinfo whose ai_flags, ai_family, ai_socktype and
 *   ai_protocol narrow the results, or null.
 * @param res - C's `struct addrinfo **res`: receives the first result;
 *   walk the list with `ai_next`.
 * @returns 0, or an EAI_* code for gai_strerror: EAI_NONAME (unknown host
 *   or service), EAI_AGAIN (try later), EAI_FAMILY, EAI_SOCKTYPE,
 *   EAI_SERVICE, EAI_BADFLAGS, EAI_SYSTEM (then see errno).
 * @see https://man7.org/linux/man-pages/man3/getaddrinfo.3.html
 */
export function getaddrinfo(
  node: string | null,
  service: string | null,
  hints: addrinfo | null,
  res: ptr<addrinfo | null>,
): number {
  if (!(res instanceof ptr)) throw invalidArgType('getaddrinfo', 'res', 'a ptr<addrinfo | null>', res);
  const hintBytes = hints === null ? null : structArg('getaddrinfo', 'hints', hints, addrinfo);
  const run = (): number => {
    const [status, errnum, entries] = native.getaddrinfo(node, service, hintBytes);
    if (status === 0) res.value = addrinfoList(entries);
    else if (status === EAI_SYSTEM) setErrno(errnum);
    return status;
  };
  return tracing ? traceCall('getaddrinfo', [node, service, hints, res], null, run) : run();
}

/**
 * The addon's results as the linked list C's getaddrinfo makes.
 * @internal
 */
export function addrinfoList(entries: readonly AddrinfoEntry[]): addrinfo | null {
  let first: addrinfo | null = null;
  let last: addrinfo | null = null;
  for (const entry of entries) {
    const ai = addrinfoFromEntry(entry);
    if (last === null) first = ai;
    else last.ai_next = ai;
    last = ai;
  }
  return first;
}

/**
 * Releases a list from getaddrinfo: the freeaddrinfo(3) library call. The
 * list is garbage-collected memory here, so nothing can be freed twice;
 * this unlinks it (ai_next, ai_addr and ai_canonname become null), so that
 * code reading it afterwards finds nothing, as it must not read it in C.
 * @param res - the first entry, or the holder getaddrinfo filled: C's
 *   `freeaddrinfo(res)` ports as it is written, whether `res` is the holder
 *   or `res.value`. A holder is left holding null.
 * @see https://man7.org/linux/man-pages/man3/freeaddrinfo.3.html
 */
export function freeaddrinfo(res: addrinfo | ptr<addrinfo | null>): void {
  let first: addrinfo | null;
  if (res instanceof ptr) {
    first = res.value;
    if (first !== null) structArg('freeaddrinfo', 'res.value', first, addrinfo);
    res.value = null;
  } else {
    first = res;
    if (!(res instanceof addrinfo))
      throw invalidArgType('freeaddrinfo', 'res', 'an addrinfo or a ptr<addrinfo | null>', res);
  }
  for (let p: addrinfo | null = first; p !== null; ) {
    const next: addrinfo | null = p.ai_next;
    p.ai_next = null;
    p.ai_addr = null;
    p.ai_canonname = null;
    p = next;
  }
}

/**
 * The message for an EAI_* code from getaddrinfo or getnameinfo: the
 * gai_strerror(3) library call.
 * @param errcode - the code.
 * @see https://man7.org/linux/man-pages/man3/gai_strerror.3.html
 */
export function gai_strerror(errcode: number): string {
  return native.gai_strerror(errcode);
}

/**
 * Translates a socket address into a host and a service name: the
 * getnameinfo(3) library call. host and serv are char buffers, filled
 * NUL-terminated (read them with `buf.toString('utf8', 0, strlen(buf))`).
 * @param addr - the address.
 * @param addrlen - its size.
 * @param host - a buffer of hostlen bytes (NI_MAXHOST), or null.
 * @param hostlen - its size.
 * @param serv - a buffer of servlen bytes (NI_MAXSERV), or null.
 * @param servlen - its size.
 * @param flags - NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM, ...
 * @returns 0, or an EAI_* code: EAI_NONAME, EAI_FAMILY, EAI_OVERFLOW (a
 *   buffer is too small), EAI_AGAIN, EAI_SYSTEM (then see errno).
 * @see https://man7.org/linux/man-pages/man3/getnameinfo.3.html
 */
export function getnameinfo(
  addr: SockaddrLike,
  addrlen: number,
  host: BufferLike | null,
  hostlen: number,
  serv: BufferLike | null,
  servlen: number,
  flags: number,
): number {
  const a = sockaddrArg('getnameinfo', 'addr', addr);
  const run = (): number => {
    const [status, errnum] = native.getnameinfo(a, addrlen, host, hostlen, serv, servlen, flags);
    if (status === EAI_SYSTEM) setErrno(errnum);
    return status;
  };
  return tracing ? traceCall('getnameinfo', [addr, addrlen, host, hostlen, serv, servlen, flags], null, run) : run();
}

/**
 * C's `struct hostent` (netdb.h), as gethostbyname and gethostbyaddr return
 * it: a plain object here, since C gives pointers into the C library's own
 * storage; bsdsock copies the answer, so it stays valid after the next lookup
 * (in C it does not: copy what you need before calling again).
 */
export class hostent {
  /** The official name of the host. */
  h_name = '';
  /** Its other names (C's NULL-terminated `char **h_aliases`). */
  h_aliases: string[] = [];
  /** The address family: AF_INET or AF_INET6. */
  h_addrtype = 0;
  /** The length of each address in bytes: 4 for AF_INET, 16 for AF_INET6. */
  h_length = 0;
  /**
   * The addresses, each `h_length` raw bytes in network byte order (C's
   * `char **h_addr_list`, whose entries point at a `struct in_addr` or
   * `struct in6_addr`): view one as a struct with `cast(in_addr, he.h_addr_list[0])`.
   */
  h_addr_list: Buffer[] = [];

  /**
   * C's macro `h_addr`: the first address, `h_addr_list[0]` (null when the
   * list is empty). `inet_ntoa(*(struct in_addr *)he->h_addr)` is
   * `inet_ntoa(cast(in_addr, he.h_addr))`.
   */
  get h_addr(): Buffer | null {
    return this.h_addr_list[0] ?? null;
  }
}

/**
 * C's `struct servent` (netdb.h), as getservbyname and getservbyport return
 * it: a plain object, copied from the C library's storage.
 */
export class servent {
  /** The official name of the service ("http"). */
  s_name = '';
  /** Its other names ("www"). */
  s_aliases: string[] = [];
  /** The port, in network byte order as C stores it: `ntohs(se.s_port)` is 80 for http. */
  s_port = 0;
  /** The protocol to use with it ("tcp"). */
  s_proto = '';
}

function hostentFrom([name, aliases, addrtype, length, addrs]: HostentEntry): hostent {
  const he = new hostent();
  he.h_name = name;
  he.h_aliases = [...aliases];
  he.h_addrtype = addrtype;
  he.h_length = length;
  he.h_addr_list = [...addrs];
  return he;
}

/**
 * A host lookup's answer as C returns it: the hostent, or null with h_errno
 * (and errno for NETDB_INTERNAL, unless `errnoToo` is false: bsdsock/promises
 * never touches errno) set on this thread.
 * @internal
 */
export function hostentResult([herr, errnum, entry]: HostentResult, errnoToo = true): hostent | null {
  if (entry !== null) return hostentFrom(entry);
  setHErrno(herr);
  if (herr === NETDB_INTERNAL && errnoToo) setErrno(errnum);
  return null;
}

/**
 * A service lookup's answer: the servent, or null.
 * @internal
 */
export function serventResult(entry: ServentEntry | null): servent | null {
  if (entry === null) return null;
  const se = new servent();
  [se.s_name, se.s_aliases, se.s_port, se.s_proto] = [entry[0], [...entry[1]], entry[2], entry[3]];
  return se;
}

/**
 * The bytes behind gethostbyaddr's `const void *addr`: an in_addr, an
 * in6_addr, or raw memory.
 * @internal
 */
export function hostAddrArg(addr: unknown): BufferLike {
  if (addr instanceof in_addr || addr instanceof in6_addr) return addr.bytes;
  if (ArrayBuffer.isView(addr) || addr instanceof ArrayBuffer) return addr;
  throw invalidArgType(
    'gethostbyaddr',
    'addr',
    'an in_addr, in6_addr, Buffer, TypedArray, DataView or ArrayBuffer',
    addr,
  );
}

// A traced lookup: the trace sees 0 when it returned an answer, else the h_errno it set (a service
// lookup sets none: 1); the answer itself reaches the line through `out`.
function tracedHost(
  name: 'gethostbyname' | 'gethostbyaddr',
  args: TraceArgs<'gethostbyname'> | TraceArgs<'gethostbyaddr'>,
  out: ptr<hostent | null>,
  call: () => HostentResult,
): hostent | null {
  traceCall(name, args as TraceArgs<typeof name>, null, () => {
    const result = call();
    out.value = hostentResult(result);
    return out.value === null ? result[0] : 0;
  });
  return out.value;
}

function tracedServ(
  name: 'getservbyname' | 'getservbyport',
  args: TraceArgs<'getservbyname'> | TraceArgs<'getservbyport'>,
  out: ptr<servent | null>,
  call: () => ServentEntry | null,
): servent | null {
  traceCall(name, args as TraceArgs<typeof name>, null, () => {
    out.value = serventResult(call());
    return out.value === null ? 1 : 0;
  });
  return out.value;
}

/**
 * Looks up a host by name: the gethostbyname(3) library call, through the
 * reentrant gethostbyname_r on glibc. /etc/hosts first, then DNS, as
 * /etc/nsswitch.conf says; it may block the thread (DNS), so
 * `bsdsock/promises` runs it off the event loop. IPv4 only: use getaddrinfo
 * for IPv6 and for new code.
 * @param name - a host name ("localhost") or a dotted IPv4 address.
 * @returns a hostent, or null with h_errno set: HOST_NOT_FOUND (no such
 *   name), TRY_AGAIN (the DNS server did not answer: no network?),
 *   NO_RECOVERY, NO_DATA (the name exists but has no IPv4 address),
 *   NETDB_INTERNAL (then see errno). Success leaves h_errno unchanged.
 * @see https://man7.org/linux/man-pages/man3/gethostbyname.3.html
 */
export function gethostbyname(name: string): hostent | null {
  if (!tracing) return hostentResult(native.gethostbyname(name));
  const out = new ptr<hostent | null>(null);
  return tracedHost('gethostbyname', [name, out], out, () => native.gethostbyname(name));
}

/**
 * Looks up a host by address: the gethostbyaddr(3) library call, through
 * gethostbyaddr_r on glibc (/etc/hosts, then a DNS PTR query). It may block
 * the thread; `bsdsock/promises` runs it off the event loop.
 * @param addr - C's `(char *)&addr`: an in_addr (AF_INET), an in6_addr
 *   (AF_INET6), or a buffer holding the address in network byte order.
 * @param len - its size: 4 for AF_INET, 16 for AF_INET6; at most the
 *   memory given.
 * @param type - AF_INET or AF_INET6.
 * @returns a hostent, or null with h_errno set, as gethostbyname
 *   (NETDB_INTERNAL with errno EAFNOSUPPORT when len is not the family's).
 * @see https://man7.org/linux/man-pages/man3/gethostbyaddr.3.html
 */
export function gethostbyaddr(addr: in_addr | in6_addr | BufferLike, len: number, type: number): hostent | null {
  const a = hostAddrArg(addr);
  if (!tracing) return hostentResult(native.gethostbyaddr(a, len, type));
  const out = new ptr<hostent | null>(null);
  return tracedHost('gethostbyaddr', [addr, len, type, out], out, () => native.gethostbyaddr(a, len, type));
}

/**
 * Looks up a service by name: the getservbyname(3) library call, through
 * getservbyname_r on glibc (/etc/services).
 * @param name - the service ("http") or one of its aliases.
 * @param proto - "tcp", "udp", or null for any.
 * @returns a servent (its s_port in network byte order), or null when there
 *   is no such service; h_errno and errno are left alone, as C leaves them.
 * @see https://man7.org/linux/man-pages/man3/getservbyname.3.html
 */
export function getservbyname(name: string, proto: string | null): servent | null {
  if (!tracing) return serventResult(native.getservbyname(name, proto));
  const out = new ptr<servent | null>(null);
  return tracedServ('getservbyname', [name, proto, out], out, () => native.getservbyname(name, proto));
}

/**
 * Looks up a service by port: the getservbyport(3) library call, through
 * getservbyport_r on glibc (/etc/services).
 * @param port - the port in network byte order, as C takes it: `htons(80)`.
 * @param proto - "tcp", "udp", or null for any.
 * @returns a servent, or null when no service has that port.
 * @see https://man7.org/linux/man-pages/man3/getservbyport.3.html
 */
export function getservbyport(port: number, proto: string | null): servent | null {
  if (!tracing) return serventResult(native.getservbyport(port, proto));
  const out = new ptr<servent | null>(null);
  return tracedServ('getservbyport', [port, proto, out], out, () => native.getservbyport(port, proto));
}
