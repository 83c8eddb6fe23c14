// Socket options: setsockopt and getsockopt.
import { fail } from './errno';
import { invalidArgType, outOfRange } from './errors';
import { native, type Memory } from './native';
import { Struct, isInstance, isStructArray, ptr, sock_filter, sock_fprog, socklen_t, type BufferLike } from './structs';
import { traceCall } from './trace';
import { tracing } from './trace/sink';

/**
 * Sets a socket option: the setsockopt(2) system call.
 * @param sockfd - the socket.
 * @param level - SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, ...
 * @param optname - SO_REUSEADDR, TCP_NODELAY, SO_LINGER, ...
 * @param optval - a number (C's `int`), a struct (linger, timeval, ip_mreq,
 *   ipv6_mreq, ip_mreqn, in6_pktinfo, sock_fprog for SO_ATTACH_FILTER, ...), a
 *   buffer, or null. A sock_fprog goes to the kernel as C's struct, its
 *   `filter` pointer at the instructions; a `len` past them is a RangeError.
 * @param optlen - its size: `sizeof('int')`, `sizeof(lin)`, ...
 * @returns 0, or -1 with errno: ENOPROTOOPT (unknown option at that level),
 *   EINVAL (optlen wrong for the option), EBADF, ENOTSOCK, EPERM/EACCES
 *   (a privileged option).
 * @see https://man7.org/linux/man-pages/man2/setsockopt.2.html
 */
export function setsockopt(
  sockfd: number,
  level: number,
  optname: number,
  optval: number | Struct | BufferLike | null,
  optlen: number,
): number {
  if (isInstance(optval, sock_fprog) && native.setsockoptFprog !== undefined) {
    return setsockoptFprog(sockfd, level, optname, optval, optlen);
  }
  const value: number | Memory | null = optval instanceof Struct ? optval.bytes : optval;
  const r = tracing
    ? traceCall('setsockopt', [sockfd, level, optname, optval, optlen], null, () =>
        native.setsockopt(sockfd, level, optname, value, optlen),
      )
    : native.setsockopt(sockfd, level, optname, value, optlen);
  return r < 0 ? fail(r) : r;
}

// A classic BPF program: its instructions as one C array, then the struct sock_fprog made natively.
function setsockoptFprog(sockfd: number, level: number, optname: number, prog: sock_fprog, optlen: number): number {
  const filter = filterBytes(prog.filter);
  const count = filter === null ? 0 : filter.length / sock_filter.layout.size;
  if (prog.len > count) {
    throw outOfRange('setsockopt', 'optval.len', `<= ${count} (the instructions in optval.filter)`, prog.len);
  }
  const run = (): number => native.setsockoptFprog!(sockfd, level, optname, prog.len, filter, optlen);
  const r = tracing ? traceCall('setsockopt', [sockfd, level, optname, prog, optlen], null, run) : run();
  return r < 0 ? fail(r) : r;
}

// C's `struct sock_filter *`: a C array's own bytes, one instruction's, or a list of them copied together.
function filterBytes(filter: unknown): Buffer | null {
  if (filter === null) return null;
  if (isStructArray(filter) && filter.type === sock_filter) return filter.bytes;
  if (isInstance(filter, sock_filter)) return filter.bytes;
  if (Array.isArray(filter) && filter.every((f) => isInstance(f, sock_filter))) {
    return Buffer.concat(filter.map((f) => f.bytes));
  }
  throw invalidArgType(
    'setsockopt',
    'optval.filter',
    'an array of sock_filter (array(sock_filter, n)) or null',
    filter,
  );
}

/**
 * Reads a socket option: the getsockopt(2) system call.
 * @param sockfd - the socket.
 * @param level - SOL_SOCKET, IPPROTO_TCP, ...
 * @param optname - SO_ERROR, SO_TYPE, SO_RCVBUF, TCP_INFO, ...
 * @param optval - where the value goes: a `ptr<number>` for an int option
 *   (C's `int *`), a struct, a buffer, or null.
 * @param optlen - in: the size of optval; out: the size of the value.
 * @returns 0, or -1 with errno: ENOPROTOOPT, EINVAL, EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/getsockopt.2.html
 */
export function getsockopt(
  sockfd: number,
  level: number,
  optname: number,
  optval: ptr<number> | Struct | BufferLike | null,
  optlen: socklen_t | null,
): number {
  if (optlen !== null && !(optlen instanceof socklen_t)) {
    throw invalidArgType('getsockopt', 'optlen', 'a socklen_t or null', optlen);
  }
  const len = optlen === null ? null : optlen.bytes;
  if (optval instanceof ptr) {
    // An int option: the kernel writes into a C int, then the holder gets it.
    const cell = new Int32Array(1);
    const r = tracing
      ? traceCall('getsockopt', [sockfd, level, optname, optval, optlen], null, () => {
          const rr = native.getsockopt(sockfd, level, optname, cell, len);
          if (rr >= 0) optval.value = cell[0];
          return rr;
        })
      : native.getsockopt(sockfd, level, optname, cell, len);
    if (r < 0) return fail(r);
    optval.value = cell[0];
    return r;
  }
  const value = optval instanceof Struct ? optval.bytes : optval;
  const r = tracing
    ? traceCall('getsockopt', [sockfd, level, optname, optval, optlen], null, () =>
        native.getsockopt(sockfd, level, optname, value, len),
      )
    : native.getsockopt(sockfd, level, optname, value, len);
  return r < 0 ? fail(r) : r;
}
