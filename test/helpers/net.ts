// Addresses and loopback sockets for the tests: 127.0.0.1 and [::1] at ephemeral ports, Unix paths,
// ports in host order, int options, and waiting for a descriptor to become ready. The sockets made
// here are not recorded: suites make them through their Fds tracker (helpers/fds.ts).
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  INADDR_LOOPBACK,
  SOCK_STREAM,
  bind,
  close,
  errno,
  errnoName,
  getsockname,
  getsockopt,
  htonl,
  htons,
  in6addr_loopback,
  listen,
  ntohs,
  poll,
  pollfd,
  ptr,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  socket,
  socklen_t,
} from 'bsdsock';

/** 127.0.0.1:port (port in host order; 0 for "any"). */
export function loopback4(port = 0): sockaddr_in {
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

/** [::1]:port (port in host order; 0 for "any"). */
export function loopback6(port = 0): sockaddr_in6 {
  const addr = new sockaddr_in6();
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  addr.sin6_port = htons(port);
  return addr;
}

/** A sockaddr_un for a path (or, with a leading "\0", a Linux abstract name). */
export function unixAddr(path: string): sockaddr_un {
  const addr = new sockaddr_un();
  addr.sun_family = AF_UNIX;
  addr.sun_path = path;
  return addr;
}

/** The port of an IPv4 or IPv6 socket address, in host order. */
export function portOf(addr: sockaddr_in | sockaddr_in6): number {
  return ntohs('sin_port' in addr ? addr.sin_port : addr.sin6_port);
}

/** The local port of a bound IPv4 socket, in host order. */
export function localPort(fd: number): number {
  const addr = new sockaddr_in();
  if (getsockname(fd, addr, new socklen_t(sizeof(addr))) !== 0) failed('getsockname');
  return portOf(addr);
}

/** An int socket option, read with getsockopt; throws if the call fails or the length it gives is not an int's. */
export function intOption(fd: number, level: number, name: number): number {
  const value = new ptr(-1);
  const len = new socklen_t(sizeof('int'));
  if (getsockopt(fd, level, name, value, len) !== 0) failed(`getsockopt(${level}, ${name})`);
  if (len.value !== sizeof('int')) throw new Error(`getsockopt(${level}, ${name}) gave ${len.value} bytes`);
  return value.value;
}

/** Throws for a call that failed, naming it and errno. */
function failed(what: string): never {
  throw new Error(`${what} failed: errno ${errnoName(errno) ?? errno}`);
}

/**
 * A new socket of `type` bound to `addr` (port 0: the kernel picks one), listening when `backlog`
 * is given; addr is filled from getsockname. The socket is closed again if any step fails.
 */
function bindTo<A extends sockaddr_in | sockaddr_in6>(
  addr: A,
  type: number,
  backlog?: number,
): { fd: number; addr: A } {
  const fd = socket(addr instanceof sockaddr_in ? AF_INET : AF_INET6, type, 0);
  if (fd < 0) failed('socket');
  try {
    if (bind(fd, addr, sizeof(addr)) !== 0) failed('bind');
    if (backlog !== undefined && listen(fd, backlog) !== 0) failed('listen');
    if (getsockname(fd, addr, new socklen_t(sizeof(addr))) !== 0) failed('getsockname');
  } catch (e) {
    close(fd);
    throw e;
  }
  return { fd, addr };
}

/** A socket (TCP unless `type` says otherwise) listening on 127.0.0.1 at an ephemeral port, and its address. */
export function tcpListener(type = SOCK_STREAM, backlog = 16): { fd: number; addr: sockaddr_in } {
  return bindTo(loopback4(), type, backlog);
}

/** The same on [::1]. */
export function tcpListener6(type = SOCK_STREAM, backlog = 16): { fd: number; addr: sockaddr_in6 } {
  return bindTo(loopback6(), type, backlog);
}

/** A socket of `type` bound to 127.0.0.1 at an ephemeral port, not listening, and its address. */
export function bound4(type: number): { fd: number; addr: sockaddr_in } {
  return bindTo(loopback4(), type);
}

/** The same on [::1]. */
export function bound6(type: number): { fd: number; addr: sockaddr_in6 } {
  return bindTo(loopback6(), type);
}

/** A 127.0.0.1 address with no socket of `type` behind it: a port that was bound, then closed. */
export function closedPort(type = SOCK_STREAM): sockaddr_in {
  const { fd, addr } = bound4(type);
  close(fd);
  return addr;
}

/** A pollfd for fd and events. */
export function pollfdFor(fd: number, events: number): pollfd {
  const p = new pollfd();
  p.fd = fd;
  p.events = events;
  return p;
}

/**
 * Waits with poll until fd reports one of `events` (or an error: events 0 waits for POLLERR/POLLHUP)
 * and returns revents; throws if nothing happens within limitMs (a liveness bound, not a timing check).
 */
export function waitReady(fd: number, events: number, limitMs = 20000): number {
  const p = pollfdFor(fd, events);
  const r = poll([p], 1, limitMs);
  if (r !== 1)
    throw new Error(r < 0 ? `poll failed: errno ${errnoName(errno)}` : `fd ${fd} not ready in ${limitMs} ms`);
  return p.revents;
}
