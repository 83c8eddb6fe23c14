// Name resolution: getaddrinfo, freeaddrinfo, gai_strerror, getnameinfo.
// These return EAI_* codes, not -1; errno is set only for EAI_SYSTEM.
import { setErrno } from './errno';
import { invalidArgType } from './errors';
import { native, type AddrinfoEntry } from './native';
import {
  addrinfo,
  cast,
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
import { AF_INET, AF_INET6, AF_UNIX, EAI_SYSTEM } from './constants.gen';
import { traceCall } from './trace';
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
