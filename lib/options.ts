// Socket options: setsockopt and getsockopt.
import { fail } from './errno';
import { invalidArgType } from './errors';
import { native, type Memory } from './native';
import { Struct, ptr, socklen_t, type BufferLike } from './structs';
import { traceCall } from './trace';
import { tracing } from './trace/sink';

/**
 * Sets a socket option: the setsockopt(2) system call.
 * @param sockfd - the socket.
 * @param level - SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, ...
 * @param optname - SO_REUSEADDR, TCP_NODELAY, SO_LINGER, ...
 * @param optval - a number (C's `int`), a struct (linger, timeval, ...), a
 *   buffer, or null.
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
  const value: number | Memory | null = optval instanceof Struct ? optval.bytes : optval;
  const r = tracing
    ? traceCall('setsockopt', [sockfd, level, optname, optval, optlen], null, () =>
        native.setsockopt(sockfd, level, optname, value, optlen),
      )
    : native.setsockopt(sockfd, level, optname, value, optlen);
  return r < 0 ? fail(r) : r;
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
