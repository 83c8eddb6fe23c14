// Socket lifecycle: socket, bind, listen, accept, accept4, connect,
// shutdown, close, getsockname, getpeername, socketpair, fcntl.
// Each returns what C returns; on failure -1, with errno set.
import { isAttached, release } from './engine';
import { fail } from './errno';
import { invalidArgType, outOfRange } from './errors';
import { int32 } from './io';
import { native, type Memory } from './native';
import { ifreq, isInstance, ptr } from './structs';
import * as C from './constants.gen';
import { optionalSockaddrArg, sockaddrArg, socklenArg, type SockaddrLike, type socklen_t } from './structs';
import { closed, opened, openedByFcntl, openedPair } from './ledger';
import { traceCall } from './trace';
import { tracing } from './trace/sink';

const slots = native.slots;

/**
 * Creates an endpoint for communication and returns its descriptor: the
 * socket(2) system call.
 * @param domain - the address family: AF_INET, AF_INET6, AF_UNIX, ...
 * @param type - SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, optionally ORed with
 *   SOCK_NONBLOCK and SOCK_CLOEXEC (Linux).
 * @param protocol - 0 for the family's default, or IPPROTO_*.
 * @returns the new descriptor, or -1 with errno: EAFNOSUPPORT (unknown
 *   family), EINVAL (unknown type or flags), EPROTONOSUPPORT, EACCES/EPERM
 *   (SOCK_RAW without privilege), EMFILE/ENFILE (out of descriptors).
 * @see https://man7.org/linux/man-pages/man2/socket.2.html
 */
export function socket(domain: number, type: number, protocol: number): number {
  const r = tracing ? tracedSocket(domain, type, protocol) : native.socket(domain, type, protocol);
  return r < 0 ? fail(r) : opened(r, 'socket');
}

// The traced branch of a call a loop makes (socket, accept, connect, close)
// is a function of its own: closures over the arguments in the wrapper itself
// would make V8 allocate a context for them on every call, traced or not.
function tracedSocket(domain: number, type: number, protocol: number): number {
  return traceCall('socket', [domain, type, protocol], null, () => native.socket(domain, type, protocol));
}

/**
 * Assigns a local address to a socket: the bind(2) system call.
 * @param sockfd - the socket.
 * @param addr - a sockaddr_in, sockaddr_in6, sockaddr_un, ... (C's
 *   `const struct sockaddr *`).
 * @param addrlen - its size, usually `sizeof(addr)`.
 * @returns 0, or -1 with errno: EADDRINUSE (the address is taken, or in
 *   TIME_WAIT without SO_REUSEADDR), EACCES (a port below 1024 without
 *   privilege, or a Unix path you cannot write), EADDRNOTAVAIL (not a local
 *   address), EINVAL (already bound, or a bad addrlen), EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/bind.2.html
 */
export function bind(sockfd: number, addr: SockaddrLike, addrlen: number): number {
  const a = sockaddrArg('bind', 'addr', addr);
  const r = tracing
    ? traceCall('bind', [sockfd, addr, addrlen], null, () => native.bind(sockfd, a, addrlen))
    : native.bind(sockfd, a, addrlen);
  return r < 0 ? fail(r) : r;
}

/**
 * Marks a socket as passive, ready to accept connections: the listen(2)
 * system call.
 * @param sockfd - a bound SOCK_STREAM or SOCK_SEQPACKET socket.
 * @param backlog - how many pending connections may queue (capped at
 *   SOMAXCONN by the kernel).
 * @returns 0, or -1 with errno: EADDRINUSE (another socket listens on the
 *   port), EOPNOTSUPP (a datagram socket), EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/listen.2.html
 */
export function listen(sockfd: number, backlog: number): number {
  const r = tracing
    ? traceCall('listen', [sockfd, backlog], null, () => native.listen(sockfd, backlog))
    : native.listen(sockfd, backlog);
  return r < 0 ? fail(r) : r;
}

/**
 * Takes the first pending connection of a listening socket and returns a
 * new descriptor for it: the accept(2) system call. Blocks (the whole
 * thread, as in C) until a client connects, unless the socket is
 * non-blocking. Use `bsdsock/promises` to wait without blocking.
 * @param sockfd - the listening socket.
 * @param addr - filled with the client's address, or null.
 * @param addrlen - in: the size of addr; out: the size of the address.
 * @returns the connected descriptor, or -1 with errno: EAGAIN (non-blocking
 *   and nothing pending), EINVAL (not listening), EINTR (a signal
 *   arrived), EMFILE, ECONNABORTED, EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/accept.2.html
 */
export function accept(sockfd: number, addr: SockaddrLike | null, addrlen: socklen_t | null): number {
  const a = optionalSockaddrArg('accept', 'addr', addr);
  const l = socklenArg('accept', 'addrlen', addrlen, true);
  // With no address wanted, the binding's short forms spare it the test of two nulls: acceptSlots
  // for an int32 descriptor (lib/io.ts), else accept(sockfd), whose check throws the error.
  let r: number;
  if (tracing) r = tracedAccept(sockfd, addr, addrlen, a, l);
  else if (a !== null || l !== null) r = native.accept(sockfd, a, l);
  else if (int32(sockfd)) {
    slots[0] = sockfd;
    native.acceptSlots();
    r = slots[3];
  } else r = native.accept(sockfd);
  return r < 0 ? fail(r) : opened(r, 'accept');
}

function tracedAccept(
  sockfd: number,
  addr: SockaddrLike | null,
  addrlen: socklen_t | null,
  a: Memory | null,
  l: Memory | null,
): number {
  return traceCall(
    'accept',
    [sockfd, addr, addrlen],
    () => native.accept(sockfd, a, l, true),
    () => native.accept(sockfd, a, l),
  );
}

/**
 * accept(2) with flags for the new descriptor (SOCK_NONBLOCK,
 * SOCK_CLOEXEC): the accept4(2) system call. Linux and the BSDs; undefined
 * on macOS, which has no accept4.
 * @param sockfd - the listening socket.
 * @param addr - filled with the client's address, or null.
 * @param addrlen - in: the size of addr; out: the size of the address.
 * @param flags - SOCK_NONBLOCK | SOCK_CLOEXEC, or 0.
 * @returns as accept; errno EINVAL also for unknown flags.
 * @see https://man7.org/linux/man-pages/man2/accept4.2.html
 */
export const accept4:
  | ((sockfd: number, addr: SockaddrLike | null, addrlen: socklen_t | null, flags: number) => number)
  | undefined =
  native.accept4 === undefined
    ? undefined
    : function accept4(sockfd: number, addr: SockaddrLike | null, addrlen: socklen_t | null, flags: number): number {
        const a = optionalSockaddrArg('accept4', 'addr', addr);
        const l = socklenArg('accept4', 'addrlen', addrlen, true);
        const r = tracing
          ? traceCall(
              'accept4',
              [sockfd, addr, addrlen, flags],
              () => native.accept4!(sockfd, a, l, flags, true),
              () => native.accept4!(sockfd, a, l, flags),
            )
          : native.accept4!(sockfd, a, l, flags);
        return r < 0 ? fail(r) : opened(r, 'accept4');
      };

/**
 * Connects a socket to an address: the connect(2) system call. For TCP
 * this performs the three-way handshake (blocking, unless non-blocking,
 * when it returns -1 with EINPROGRESS); for UDP it sets the default peer.
 * @param sockfd - the socket.
 * @param addr - the peer's address.
 * @param addrlen - its size.
 * @returns 0, or -1 with errno: ECONNREFUSED (nothing listens there),
 *   ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, EINPROGRESS (non-blocking),
 *   EISCONN (already connected), EAFNOSUPPORT (wrong family for the
 *   socket), EINTR, ENOENT (a Unix path that does not exist).
 * @see https://man7.org/linux/man-pages/man2/connect.2.html
 */
export function connect(sockfd: number, addr: SockaddrLike, addrlen: number): number {
  const a = sockaddrArg('connect', 'addr', addr);
  const r = tracing ? tracedConnect(sockfd, addr, addrlen, a) : native.connect(sockfd, a, addrlen);
  return r < 0 ? fail(r) : r;
}

function tracedConnect(sockfd: number, addr: SockaddrLike, addrlen: number, a: Memory): number {
  return traceCall(
    'connect',
    [sockfd, addr, addrlen],
    () => native.connect(sockfd, a, addrlen, true),
    () => native.connect(sockfd, a, addrlen),
  );
}

/**
 * Shuts down part of a full-duplex connection: the shutdown(2) system call.
 * SHUT_WR sends EOF to the peer while this side can still read.
 * @param sockfd - the socket.
 * @param how - SHUT_RD, SHUT_WR or SHUT_RDWR.
 * @returns 0, or -1 with errno: ENOTCONN (not connected), EINVAL (bad how),
 *   EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/shutdown.2.html
 */
export function shutdown(sockfd: number, how: number): number {
  const r = tracing
    ? traceCall('shutdown', [sockfd, how], null, () => native.shutdown(sockfd, how))
    : native.shutdown(sockfd, how);
  return r < 0 ? fail(r) : r;
}

/**
 * Closes a descriptor: the close(2) system call. Not retried on EINTR (on
 * Linux the descriptor is gone even then). Operations of bsdsock/promises
 * pending on fd reject with ECANCELED.
 * @param fd - the descriptor.
 * @returns 0, or -1 with errno: EBADF (not open: closed twice?), EINTR, EIO.
 * @see https://man7.org/linux/man-pages/man2/close.2.html
 */
export function close(fd: number): number {
  // A descriptor bsdsock/promises watches loses its poll handle first, so
  // no handle is left on a number the kernel will hand out again.
  if (isAttached(fd)) release(fd);
  let r: number;
  if (tracing) r = tracedClose(fd);
  else if (int32(fd)) {
    // Through the slots (lib/io.ts), as accept.
    slots[0] = fd;
    native.closeSlots();
    r = slots[3];
  } else r = native.close(fd);
  return closed(fd, r) < 0 ? fail(r) : r;
}

function tracedClose(fd: number): number {
  return traceCall('close', [fd], null, () => native.close(fd));
}

/**
 * Returns the address a socket is bound to: the getsockname(2) system
 * call. After bind to port 0 it shows the port the kernel chose.
 * @param sockfd - the socket.
 * @param addr - filled with the address.
 * @param addrlen - in: the size of addr; out: the size of the address
 *   (larger than given means it was truncated).
 * @returns 0, or -1 with errno: EBADF, ENOTSOCK, EINVAL.
 * @see https://man7.org/linux/man-pages/man2/getsockname.2.html
 */
export function getsockname(sockfd: number, addr: SockaddrLike, addrlen: socklen_t): number {
  return nameCall('getsockname', sockfd, addr, addrlen);
}

// getsockname and getpeername take the same arguments the same way.
function nameCall(call: 'getsockname' | 'getpeername', sockfd: number, addr: SockaddrLike, addrlen: socklen_t): number {
  const a = sockaddrArg(call, 'addr', addr);
  const l = socklenArg(call, 'addrlen', addrlen, false)!;
  const r = tracing
    ? traceCall(call, [sockfd, addr, addrlen], null, () => native[call](sockfd, a, l))
    : native[call](sockfd, a, l);
  return r < 0 ? fail(r) : r;
}

/**
 * Returns the address of the connected peer: the getpeername(2) system call.
 * @param sockfd - the socket.
 * @param addr - filled with the peer's address.
 * @param addrlen - in: the size of addr; out: the size of the address.
 * @returns 0, or -1 with errno: ENOTCONN (not connected), EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/getpeername.2.html
 */
export function getpeername(sockfd: number, addr: SockaddrLike, addrlen: socklen_t): number {
  return nameCall('getpeername', sockfd, addr, addrlen);
}

/**
 * Creates a pair of connected sockets: the socketpair(2) system call.
 * @param domain - AF_UNIX.
 * @param type - SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (with flags).
 * @param protocol - 0.
 * @param sv - C's `int sv[2]`: an Int32Array(2), or an array that receives
 *   the two descriptors.
 * @returns 0, or -1 with errno: EAFNOSUPPORT (not AF_UNIX), EOPNOTSUPP,
 *   EPROTONOSUPPORT, EMFILE.
 * @see https://man7.org/linux/man-pages/man2/socketpair.2.html
 */
export function socketpair(domain: number, type: number, protocol: number, sv: Int32Array | number[]): number {
  if (Array.isArray(sv)) {
    const pair = new Int32Array(2);
    const r = tracing
      ? traceCall('socketpair', [domain, type, protocol, pair], null, () =>
          native.socketpair(domain, type, protocol, pair),
        )
      : native.socketpair(domain, type, protocol, pair);
    if (openedPair(r, pair) < 0) return fail(r);
    sv[0] = pair[0];
    sv[1] = pair[1];
    return r;
  }
  if (!(sv instanceof Int32Array)) throw invalidArgType('socketpair', 'sv', 'an Int32Array(2) or an array', sv);
  const r = tracing
    ? traceCall('socketpair', [domain, type, protocol, sv], null, () => native.socketpair(domain, type, protocol, sv))
    : native.socketpair(domain, type, protocol, sv);
  return openedPair(r, sv) < 0 ? fail(r) : r;
}

/**
 * Manipulates a descriptor: the fcntl(2) system call, for the commands that
 * take an int or nothing: F_GETFL/F_SETFL (O_NONBLOCK), F_GETFD/F_SETFD
 * (FD_CLOEXEC), F_DUPFD, F_DUPFD_CLOEXEC, F_GETOWN/F_SETOWN. Others throw.
 * @param fd - the descriptor.
 * @param cmd - the command.
 * @param arg - its int argument, where it takes one.
 * @returns what the command returns (flags, a descriptor, 0), or -1 with
 *   errno: EBADF, EINVAL, EMFILE (F_DUPFD).
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 */
export function fcntl(fd: number, cmd: number, arg?: number): number {
  const r = tracing
    ? traceCall('fcntl', [fd, cmd, arg], null, () =>
        arg === undefined ? native.fcntl(fd, cmd) : native.fcntl(fd, cmd, arg),
      )
    : arg === undefined
      ? native.fcntl(fd, cmd)
      : native.fcntl(fd, cmd, arg);
  return r < 0 ? fail(r) : openedByFcntl(r, cmd);
}

/**
 * Makes a second descriptor for the same open socket (or file), the lowest
 * number free: the dup(2) system call. Both share the file offset and the
 * flags (O_NONBLOCK); the socket closes when the last of them is closed.
 * @param oldfd - the descriptor.
 * @returns the new descriptor, or -1 with errno: EBADF, EMFILE.
 * @see https://man7.org/linux/man-pages/man2/dup.2.html
 */
export function dup(oldfd: number): number {
  const r = tracing ? traceCall('dup', [oldfd], null, () => native.dup(oldfd)) : native.dup(oldfd);
  return r < 0 ? fail(r) : opened(r, 'dup');
}

/**
 * Makes newfd a copy of oldfd, closing what newfd was first: the dup2(2)
 * system call (how a server hands a socket to a child's standard input).
 * @param oldfd - the descriptor.
 * @param newfd - the number it should also have.
 * @returns newfd, or -1 with errno: EBADF (oldfd not open, or newfd out of
 *   range), EINTR, EBUSY.
 * @see https://man7.org/linux/man-pages/man2/dup2.2.html
 */
export function dup2(oldfd: number, newfd: number): number {
  // newfd is closed by the call: bsdsock/promises stops watching it first, as close() does.
  if (oldfd !== newfd && isAttached(newfd)) release(newfd);
  const r = tracing
    ? traceCall('dup2', [oldfd, newfd], null, () => native.dup2(oldfd, newfd))
    : native.dup2(oldfd, newfd);
  return r < 0 ? fail(r) : opened(r, 'dup2');
}

/**
 * Controls a socket: the ioctl(2) system call, for the requests of sockets whose argument is an int
 * (C's `int *argp`, a `ptr<number>`): FIONREAD (SIOCINQ; bytes waiting to be read), SIOCOUTQ (bytes
 * not yet sent), SIOCATMARK (1 at the urgent-data mark) and FIONBIO (set or clear non-blocking mode);
 * and (Linux) for the interface requests of netdevice(7), whose argument is a `struct ifreq`
 * naming the interface in `ifr_name`: SIOCGIFINDEX (fills ifr_ifindex), SIOCGIFNAME (from
 * ifr_ifindex, fills ifr_name), SIOCGIFFLAGS / SIOCSIFFLAGS (ifr_flags: IFF_UP, IFF_LOOPBACK, ...),
 * SIOCGIFADDR / SIOCGIFNETMASK / SIOCGIFBRDADDR / SIOCGIFHWADDR (ifr_addr), SIOCGIFMTU / SIOCSIFMTU
 * (ifr_mtu). An ifreq with an int request, or a ptr with an ifreq request, is a TypeError; other
 * requests are refused.
 * @param fd - the socket.
 * @param request - FIONREAD, FIONBIO, SIOCATMARK, SIOCINQ, SIOCOUTQ, or an SIOC*IF* request.
 * @param argp - a `ptr<number>` for the int requests, an `ifreq` for the interface ones; read, filled,
 *   or both.
 * @returns 0, or -1 with errno: EBADF, ENOTTY (a request the descriptor does not support), EINVAL
 *   (SIOCINQ on a listening socket), ENODEV (no interface of that name), EPERM (SIOCSIFFLAGS without
 *   CAP_NET_ADMIN), EADDRNOTAVAIL (SIOCGIFADDR on an interface with no IPv4 address).
 * @see https://man7.org/linux/man-pages/man2/ioctl.2.html
 */
export function ioctl(fd: number, request: number, argp: ptr<number> | ifreq): number {
  if (isInstance(argp, ifreq)) {
    if (!ifreqRequest(request)) {
      throw invalidArgType(
        'ioctl',
        'argp',
        'a ptr<number> for this request (an ifreq goes with SIOC*IF* requests)',
        argp,
      );
    }
    const run = (): number => native.ioctl(fd, request, argp.bytes);
    const r = tracing ? traceCall('ioctl', [fd, request, argp], null, run) : run();
    return r < 0 ? fail(r) : r;
  }
  if (!(argp instanceof ptr)) throw invalidArgType('ioctl', 'argp', 'a ptr<number> or an ifreq', argp);
  if (ifreqRequest(request)) throw invalidArgType('ioctl', 'argp', 'an ifreq, as this request takes', argp);
  const cell = new Int32Array([argp.value]);
  if (cell[0] !== argp.value) throw outOfRange('ioctl', 'argp.value', 'a C int', argp.value);
  const run = (): number => {
    const r = native.ioctl(fd, request, cell);
    if (r >= 0) argp.value = cell[0];
    return r;
  };
  const r = tracing ? traceCall('ioctl', [fd, request, argp], null, run) : run();
  return r < 0 ? fail(r) : r;
}

// The requests whose argument is a struct ifreq (netdevice(7)).
const IFREQ_REQUESTS: ReadonlySet<number> = new Set(
  [
    C.SIOCGIFNAME,
    C.SIOCGIFINDEX,
    C.SIOCGIFFLAGS,
    C.SIOCSIFFLAGS,
    C.SIOCGIFADDR,
    C.SIOCGIFNETMASK,
    C.SIOCGIFBRDADDR,
    C.SIOCGIFMTU,
    C.SIOCSIFMTU,
    C.SIOCGIFHWADDR,
  ].filter((v): v is number => v !== undefined),
);

/** Whether ioctl's request takes a struct ifreq. @internal */
export function ifreqRequest(request: number): boolean {
  return IFREQ_REQUESTS.has(request);
}
