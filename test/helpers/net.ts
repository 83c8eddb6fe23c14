// Small builders for the tests: loopback sockets on ephemeral ports.
import {
  AF_INET,
  AF_INET6,
  INADDR_LOOPBACK,
  SOCK_STREAM,
  bind,
  close,
  getsockname,
  htonl,
  in6addr_loopback,
  listen,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  socket,
  socklen_t,
} from 'bsdsock';

/** 127.0.0.1:port (port in host order; 0 for "any"). */
export function loopback4(port = 0): sockaddr_in {
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = ((port & 0xff) << 8) | (port >> 8); // htons without a call, for any host order
  return addr;
}

/** [::1]:0 */
export function loopback6(): sockaddr_in6 {
  const addr = new sockaddr_in6();
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  return addr;
}

/** A TCP socket listening on 127.0.0.1 at an ephemeral port, and its address. */
export function tcpListener(type = SOCK_STREAM): { fd: number; addr: sockaddr_in } {
  const fd = socket(AF_INET, type, 0);
  if (fd < 0) throw new Error('socket failed');
  const addr = loopback4();
  if (bind(fd, addr, sizeof(addr)) !== 0 || listen(fd, 16) !== 0) {
    close(fd);
    throw new Error('bind/listen failed');
  }
  const len = new socklen_t(sizeof(addr));
  getsockname(fd, addr, len);
  return { fd, addr };
}
