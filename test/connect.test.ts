// connect(2): TCP handshakes over loopback, UDP default peers, Unix paths.
// A blocking connect is only made to a listener (the kernel completes it
// through the backlog) or to a loopback port that refuses at once.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAFNOSUPPORT,
  ECONNREFUSED,
  EDESTADDRREQ,
  EINPROGRESS,
  EISCONN,
  ENOENT,
  INADDR_LOOPBACK,
  MSG_DONTWAIT,
  POLLOUT,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  accept,
  bind,
  connect,
  errno,
  getpeername,
  getsockname,
  htonl,
  in6addr_loopback,
  listen,
  recv,
  recvfrom,
  send,
  setErrno,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  socklen_t,
} from 'bsdsock';
import { tempDir } from './helpers/build';
import { Fds } from './helpers/fds';
import { closedPort, intOption, loopback6, portOf, unixAddr, waitReady } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

describe('connect() over TCP/IPv4', () => {
  test('to a listening port succeeds, and getpeername shows the listener address', () => {
    const { fd: listener, addr } = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    expect(errno).toBe(0);

    const peer = new sockaddr_in();
    const len = new socklen_t(sizeof(peer));
    expect(getpeername(fd, peer, len)).toBe(0);
    expect(len.value).toBe(sizeof(sockaddr_in));
    expect(peer.sin_family).toBe(AF_INET);
    expect(peer.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(portOf(peer)).toBe(portOf(addr));

    // The server side sees the client's own address as its peer.
    const conn = fds.add(accept(listener, null, null));
    expect(conn).toBeGreaterThanOrEqual(0);
    const mine = new sockaddr_in();
    expect(getsockname(fd, mine, new socklen_t(sizeof(mine)))).toBe(0);
    const theirs = new sockaddr_in();
    expect(getpeername(conn, theirs, new socklen_t(sizeof(theirs)))).toBe(0);
    expect(portOf(theirs)).toBe(portOf(mine));
  });

  test('an unbound client gets an ephemeral local port from connect', () => {
    const { addr } = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    const mine = new sockaddr_in();
    expect(getsockname(fd, mine, new socklen_t(sizeof(mine)))).toBe(0);
    expect(portOf(mine)).toBeGreaterThan(0);
    expect(mine.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
  });

  test('to a closed port: -1 ECONNREFUSED', () => {
    const addr = closedPort();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(connect(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(ECONNREFUSED);
  });

  test('to a port that is bound but not listening: -1 ECONNREFUSED', () => {
    const { addr: name } = fds.bound(SOCK_STREAM);

    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(connect(fd, name, sizeof(name))).toBe(-1);
    expect(errno).toBe(ECONNREFUSED);
  });

  test('non-blocking: returns 0 or -1 EINPROGRESS, then completes (POLLOUT, SO_ERROR 0)', () => {
    const { fd: listener, addr } = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    setErrno(0);
    const r = connect(fd, addr, sizeof(addr));
    if (r === -1) expect(errno).toBe(EINPROGRESS);
    else expect(r).toBe(0);

    expect(waitReady(fd, POLLOUT) & POLLOUT).toBe(POLLOUT);
    expect(intOption(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
    // Connected: the peer address is there and data goes through.
    const peer = new sockaddr_in();
    expect(getpeername(fd, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(portOf(peer)).toBe(portOf(addr));
    const conn = fds.add(accept(listener, null, null));
    expect(send(fd, 'hi', 2, 0)).toBe(2);
    const buf = Buffer.alloc(8);
    expect(recv(conn, buf, buf.length, 0)).toBe(2);
    expect(buf.toString('utf8', 0, 2)).toBe('hi');
  });

  test('non-blocking to a closed port: refused now, or later through SO_ERROR', () => {
    const addr = closedPort();
    const fd = fds.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    setErrno(0);
    const r = connect(fd, addr, sizeof(addr));
    expect(r).toBe(-1);
    if (errno === EINPROGRESS) {
      waitReady(fd, POLLOUT);
      expect(intOption(fd, SOL_SOCKET, SO_ERROR)).toBe(ECONNREFUSED);
    } else {
      expect(errno).toBe(ECONNREFUSED);
    }
  });

  test('connecting a connected socket again: -1 EISCONN', () => {
    const { addr } = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    setErrno(0);
    expect(connect(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EISCONN);
  });

  test('an IPv6 address on an IPv4 socket: -1 EAFNOSUPPORT', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const addr = loopback6();
    addr.sin6_port = 0x0100; // port 1, network order on either host
    setErrno(0);
    expect(connect(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('a successful connect leaves the errno of an earlier failure unchanged', () => {
    const { addr } = fds.listener();
    const refused = closedPort();
    const first = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(first, refused, sizeof(refused))).toBe(-1);
    expect(errno).toBe(ECONNREFUSED);
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    expect(errno).toBe(ECONNREFUSED);
  });
});

describe('connect() over UDP', () => {
  test('sets the default peer: send() without an address reaches it', () => {
    const { fd: receiver, addr: to } = fds.bound(SOCK_DGRAM);

    const sender = fds.socket(AF_INET, SOCK_DGRAM);
    setErrno(0);
    expect(send(sender, 'before', 6, 0)).toBe(-1);
    expect(errno).toBe(EDESTADDRREQ);

    expect(connect(sender, to, sizeof(to))).toBe(0);
    const peer = new sockaddr_in();
    expect(getpeername(sender, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(portOf(peer)).toBe(portOf(to));

    expect(send(sender, 'datagram', 8, 0)).toBe(8);
    const buf = Buffer.alloc(32);
    const from = new sockaddr_in();
    const fromLen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver, buf, buf.length, MSG_DONTWAIT, from, fromLen)).toBe(8);
    expect(buf.toString('utf8', 0, 8)).toBe('datagram');
    const mine = new sockaddr_in();
    expect(getsockname(sender, mine, new socklen_t(sizeof(mine)))).toBe(0);
    expect(portOf(from)).toBe(portOf(mine));
  });
});

describe('connect() over AF_UNIX', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('lifecycle');
  });
  afterEach(() => tmp.remove());

  test('to a path that does not exist: -1 ENOENT', () => {
    const fd = fds.socket(AF_UNIX, SOCK_STREAM);
    const addr = unixAddr(tmp.path('missing.sock'));
    setErrno(0);
    expect(connect(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(ENOENT);
  });

  test('to a listening path succeeds and getpeername returns the path', () => {
    const path = tmp.path('server.sock');
    const addr = unixAddr(path);
    const listener = fds.socket(AF_UNIX, SOCK_STREAM);
    expect(bind(listener, addr, sizeof(addr))).toBe(0);
    expect(listen(listener, 4)).toBe(0);

    const fd = fds.socket(AF_UNIX, SOCK_STREAM);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    const peer = new sockaddr_un();
    expect(getpeername(fd, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(peer.sun_family).toBe(AF_UNIX);
    expect(peer.sun_path).toBe(path);
    expect(fds.add(accept(listener, null, null))).toBeGreaterThanOrEqual(0);
  });
});

describe('connect() over TCP/IPv6', () => {
  test('to a listener on [::1] succeeds and getpeername shows ::1 and its port', () => {
    const { fd: listener, addr: bound } = fds.listener6();

    const fd = fds.socket(AF_INET6, SOCK_STREAM);
    expect(connect(fd, bound, sizeof(bound))).toBe(0);
    const peer = new sockaddr_in6();
    const len = new socklen_t(sizeof(peer));
    expect(getpeername(fd, peer, len)).toBe(0);
    expect(len.value).toBe(sizeof(sockaddr_in6));
    expect(peer.sin6_family).toBe(AF_INET6);
    expect(Buffer.from(peer.sin6_addr.s6_addr)).toEqual(Buffer.from(in6addr_loopback.s6_addr));
    expect(portOf(peer)).toBe(portOf(bound));
    expect(fds.add(accept(listener, null, null))).toBeGreaterThanOrEqual(0);
  });
});
