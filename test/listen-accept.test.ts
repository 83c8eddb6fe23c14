// listen(2), accept(2), accept4(2): the passive side of a TCP connection.
// Every accept here has a connection already queued (connect() completes
// through the backlog) or runs on a non-blocking socket, so none can block.
import {
  AF_INET,
  AF_INET6,
  EAGAIN,
  EINVAL,
  EOPNOTSUPP,
  EWOULDBLOCK,
  FD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  INADDR_LOOPBACK,
  O_NONBLOCK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  accept,
  accept4,
  bind,
  cast,
  connect,
  errno,
  fcntl,
  getsockname,
  htonl,
  in6addr_loopback,
  listen,
  recv,
  send,
  setErrno,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  socklen_t,
} from 'bsdsock';
import { Fds } from './helpers/fds';
import { intOption, localPort, loopback4, portOf } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

/** A listener on 127.0.0.1 and a client already connected to it (queued, not accepted). */
function pending(listenerType = SOCK_STREAM): { listener: number; client: number; clientPort: number } {
  const { fd: listener, addr } = fds.listener(listenerType);
  const client = fds.socket(AF_INET, SOCK_STREAM);
  expect(connect(client, addr, sizeof(addr))).toBe(0);
  return { listener, client, clientPort: localPort(client) };
}

describe('listen()', () => {
  test('marks a bound TCP socket as listening (SO_ACCEPTCONN)', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const addr = loopback4(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    expect(intOption(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(0);
    setErrno(0);
    expect(listen(fd, 8)).toBe(0);
    expect(errno).toBe(0);
    expect(intOption(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
  });

  test('on an unbound TCP socket binds it to an ephemeral port first', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(listen(fd, 8)).toBe(0);
    const name = new sockaddr_in();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(portOf(name)).toBeGreaterThan(0);
  });

  test('on a UDP socket: -1 EOPNOTSUPP', () => {
    const fd = fds.socket(AF_INET, SOCK_DGRAM);
    const addr = loopback4(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    setErrno(0);
    expect(listen(fd, 8)).toBe(-1);
    expect(errno).toBe(EOPNOTSUPP);
  });
});

describe('accept()', () => {
  test('returns a new descriptor and fills client_addr and client_len (16 for IPv4)', () => {
    const { listener, client, clientPort } = pending();
    const client_addr = new sockaddr_in();
    const client_len = new socklen_t(sizeof(client_addr));
    setErrno(0);
    const conn = fds.add(accept(listener, client_addr, client_len));
    expect(conn).toBeGreaterThanOrEqual(0);
    expect(conn).not.toBe(listener);
    expect(conn).not.toBe(client);
    expect(errno).toBe(0);
    expect(client_len.value).toBe(16);
    expect(client_addr.sin_family).toBe(AF_INET);
    expect(client_addr.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(portOf(client_addr)).toBe(clientPort);

    // The new descriptor is the server end of the client's connection.
    expect(send(client, 'ping', 4, 0)).toBe(4);
    const buf = Buffer.alloc(16);
    expect(recv(conn, buf, buf.length, 0)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('ping');
  });

  test('with null, null returns the connection without an address', () => {
    const { listener, client } = pending();
    const conn = fds.add(accept(listener, null, null));
    expect(conn).toBeGreaterThanOrEqual(0);
    expect(send(conn, 'pong', 4, 0)).toBe(4);
    const buf = Buffer.alloc(16);
    expect(recv(client, buf, buf.length, 0)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('pong');
  });

  test('into a sockaddr_storage, cast to sockaddr_in afterwards', () => {
    const { listener, clientPort } = pending();
    const storage = new sockaddr_storage();
    const len = new socklen_t(sizeof(storage));
    expect(fds.add(accept(listener, storage, len))).toBeGreaterThanOrEqual(0);
    expect(len.value).toBe(sizeof(sockaddr_in));
    expect(storage.ss_family).toBe(AF_INET);
    expect(portOf(cast(sockaddr_in, storage))).toBe(clientPort);
  });

  test('an IPv6 connection on [::1] fills a sockaddr_in6 (client_len 28)', () => {
    const { fd: listener, addr: bound } = fds.listener6();
    const client = fds.socket(AF_INET6, SOCK_STREAM);
    expect(connect(client, bound, sizeof(bound))).toBe(0);

    const peer = new sockaddr_in6();
    const len = new socklen_t(sizeof(peer));
    expect(fds.add(accept(listener, peer, len))).toBeGreaterThanOrEqual(0);
    expect(len.value).toBe(sizeof(sockaddr_in6));
    expect(peer.sin6_family).toBe(AF_INET6);
    expect(Buffer.from(peer.sin6_addr.s6_addr)).toEqual(Buffer.from(in6addr_loopback.s6_addr));
    expect(portOf(peer)).toBeGreaterThan(0);
  });

  test('a client_len smaller than the address truncates the struct and reports the full size', () => {
    const { listener, clientPort } = pending();
    const client_addr = new sockaddr_in();
    client_addr.bytes.fill(0xaa);
    const client_len = new socklen_t(8);
    expect(fds.add(accept(listener, client_addr, client_len))).toBeGreaterThanOrEqual(0);
    expect(client_len.value).toBe(16);
    // The first 8 bytes (family, port, address) were written ...
    expect(client_addr.sin_family).toBe(AF_INET);
    expect(portOf(client_addr)).toBe(clientPort);
    expect(client_addr.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    // ... and nothing past them.
    expect([...client_addr.bytes.subarray(8)]).toEqual(new Array<number>(8).fill(0xaa));
  });

  test('a client_len of 0 writes nothing and reports the full size', () => {
    const { listener } = pending();
    const client_addr = new sockaddr_in();
    client_addr.bytes.fill(0x55);
    const client_len = new socklen_t(0);
    expect(fds.add(accept(listener, client_addr, client_len))).toBeGreaterThanOrEqual(0);
    expect(client_len.value).toBe(16);
    expect([...client_addr.bytes]).toEqual(new Array<number>(16).fill(0x55));
  });

  test('on a non-blocking listener with nothing pending: -1 EAGAIN', () => {
    const { fd: listener } = fds.listener(SOCK_STREAM | SOCK_NONBLOCK);
    setErrno(0);
    expect(accept(listener, null, null)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    expect(errno).toBe(EWOULDBLOCK);
  });

  test('a non-blocking listener still accepts a queued connection', () => {
    const { listener } = pending(SOCK_STREAM | SOCK_NONBLOCK);
    expect(fds.add(accept(listener, null, null))).toBeGreaterThanOrEqual(0);
    // And then the queue is empty again.
    setErrno(0);
    expect(accept(listener, null, null)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  test('on a socket that is not listening: -1 EINVAL', () => {
    // Non-blocking so that a wrong implementation could not hang the suite.
    const fd = fds.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    const addr = loopback4(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    setErrno(0);
    expect(accept(fd, null, null)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('on a UDP socket: -1 EOPNOTSUPP', () => {
    const fd = fds.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK);
    setErrno(0);
    expect(accept(fd, null, null)).toBe(-1);
    expect(errno).toBe(EOPNOTSUPP);
  });
});

describe('accept4()', () => {
  test('is a function on Linux', () => {
    if (process.platform === 'linux') expect(typeof accept4).toBe('function');
    else expect(['function', 'undefined']).toContain(typeof accept4);
  });

  const withAccept4 = accept4 === undefined ? test.skip : test;

  withAccept4('SOCK_NONBLOCK | SOCK_CLOEXEC apply to the new descriptor and the address is filled', () => {
    const { listener, clientPort } = pending();
    const client_addr = new sockaddr_in();
    const client_len = new socklen_t(sizeof(client_addr));
    const conn = fds.add(accept4!(listener, client_addr, client_len, SOCK_NONBLOCK | SOCK_CLOEXEC));
    expect(conn).toBeGreaterThanOrEqual(0);
    expect(fcntl(conn, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fcntl(conn, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(client_len.value).toBe(16);
    expect(portOf(client_addr)).toBe(clientPort);
    // Non-blocking indeed: nothing was sent, so recv does not wait.
    setErrno(0);
    expect(recv(conn, Buffer.alloc(4), 4, 0)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  withAccept4('flags 0 gives a blocking, inheritable descriptor (null, null)', () => {
    const { listener } = pending();
    const conn = fds.add(accept4!(listener, null, null, 0));
    expect(conn).toBeGreaterThanOrEqual(0);
    expect(fcntl(conn, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(fcntl(conn, F_GETFD) & FD_CLOEXEC).toBe(0);
  });

  withAccept4('unknown flags: -1 EINVAL', () => {
    const { listener } = pending(SOCK_STREAM | SOCK_NONBLOCK);
    setErrno(0);
    expect(accept4!(listener, null, null, 1 << 30)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  withAccept4('on a non-blocking listener with nothing pending: -1 EAGAIN', () => {
    const { fd: listener } = fds.listener(SOCK_STREAM | SOCK_NONBLOCK);
    setErrno(0);
    expect(accept4!(listener, null, null, SOCK_CLOEXEC)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });
});
