// inspect(fd): what ss would say of one descriptor, checked against what the test did to it.
import { closeSync, openSync } from 'node:fs';
import * as util from 'node:util';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EBADF,
  ENOTSOCK,
  F_GETFL,
  F_SETFL,
  IPPROTO_TCP,
  O_NONBLOCK,
  POLLIN,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  TCP_NODELAY,
  SocketInfo,
  bind,
  connect,
  errno,
  fcntl,
  inspect,
  listen,
  ntohs,
  offsetof,
  send,
  setErrno,
  setsockopt,
  sizeof,
  sockaddr_un,
  socket,
} from 'bsdsock';
import { tempDir } from './helpers/build';
import { Fds } from './helpers/fds';
import { loopback4, loopback6, unixAddr, waitReady } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

function info(fd: number): SocketInfo {
  const i = inspect(fd);
  if (i === null) throw new Error(`inspect(${fd}) failed: errno ${errno}`);
  return i;
}

describe('a listening TCP socket', () => {
  test('LISTEN, its bound address, SO_ACCEPTCONN, no peer', () => {
    const { fd, addr } = fds.listener();
    const i = info(fd);
    expect(i).toBeInstanceOf(SocketInfo);
    expect(i.fd).toBe(fd);
    expect(i.family).toBe('AF_INET');
    expect(i.type).toBe('SOCK_STREAM');
    expect(i.protocol).toBe('IPPROTO_TCP');
    expect(i.netid).toBe('tcp');
    expect(i.state).toBe('LISTEN');
    expect(i.local).toBe(`127.0.0.1:${ntohs(addr.sin_port)}`);
    expect(i.peer).toBeNull();
    expect(i.options.SO_ACCEPTCONN).toBe(true);
  });

  test('Recv-Q counts the connections waiting to be accepted', () => {
    const { fd, addr } = fds.listener();
    expect(info(fd).recvQ).toBe(0);
    for (let k = 0; k < 2; k++) {
      const c = fds.socket(AF_INET, SOCK_STREAM);
      // A blocking connect returns once the handshake is done: the connection is in the accept queue.
      expect(connect(c, addr, sizeof(addr))).toBe(0);
    }
    expect(info(fd).recvQ).toBe(2);
  });

  test('SO_REUSEADDR and O_NONBLOCK as set, over IPv6', () => {
    const fd = fds.socket(AF_INET6, SOCK_STREAM);
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(0);
    expect(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)).toBe(0);
    const addr = loopback6();
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    expect(listen(fd, 4)).toBe(0);
    const i = info(fd);
    expect(i.family).toBe('AF_INET6');
    expect(i.local).toMatch(/^\[::1\]:[1-9]\d*$/);
    expect(i.options.SO_REUSEADDR).toBe(true);
    expect(i.options.O_NONBLOCK).toBe(true);
    expect(typeof i.options.IPV6_V6ONLY).toBe('boolean');
  });
});

describe('a connected TCP pair', () => {
  test('ESTAB both ways, each peer the other local address', () => {
    const [a, b] = fds.tcpPair();
    const ia = info(a);
    const ib = info(b);
    expect(ia.state).toBe('ESTAB');
    expect(ib.state).toBe('ESTAB');
    expect(ia.peer).toBe(ib.local);
    expect(ib.peer).toBe(ia.local);
    expect(ia.options.SO_ACCEPTCONN).toBe(false);
    expect(ia.options.O_NONBLOCK).toBe(false);
  });

  test('Recv-Q shows the 5 bytes the peer sent and nobody read', () => {
    const [a, b] = fds.tcpPair();
    expect(info(b).recvQ).toBe(0);
    expect(send(a, 'hello', 5, 0)).toBe(5);
    waitReady(b, POLLIN);
    expect(info(b).recvQ).toBe(5);
    expect(info(a).recvQ).toBe(0);
  });

  test('TCP_NODELAY follows setsockopt', () => {
    const [a] = fds.tcpPair();
    expect(info(a).options.TCP_NODELAY).toBe(false);
    expect(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'))).toBe(0);
    expect(info(a).options.TCP_NODELAY).toBe(true);
    expect(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, 0, sizeof('int'))).toBe(0);
    expect(info(a).options.TCP_NODELAY).toBe(false);
  });

  test('after the peer closes, CLOSE-WAIT', () => {
    const [a, b] = fds.tcpPair();
    fds.close(a);
    waitReady(b, POLLIN);
    expect(info(b).state).toBe('CLOSE-WAIT');
  });
});

describe('a UDP socket', () => {
  test('UNCONN when bound, ESTAB once connected; Recv-Q grows with a queued datagram', () => {
    const u = fds.socket(AF_INET, SOCK_DGRAM);
    const addr = loopback4();
    expect(bind(u, addr, sizeof(addr))).toBe(0);
    let i = info(u);
    expect(i.type).toBe('SOCK_DGRAM');
    expect(i.protocol).toBe('IPPROTO_UDP');
    expect(i.netid).toBe('udp');
    expect(i.state).toBe('UNCONN');
    expect(i.local).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(i.peer).toBeNull();
    expect(i.recvQ).toBe(0);
    expect(i.options.SO_BROADCAST).toBe(false);
    expect(i.options.TCP_NODELAY).toBeUndefined();

    const [host, port] = i.local.split(':');
    const to = loopback4(Number(port));
    expect(host).toBe('127.0.0.1');
    const v = fds.socket(AF_INET, SOCK_DGRAM);
    expect(connect(v, to, sizeof(to))).toBe(0);
    expect(send(v, 'ping', 4, 0)).toBe(4);
    waitReady(u, POLLIN);
    // The kernel counts the datagram's buffer memory, as ss does: more than its 4 bytes.
    expect(info(u).recvQ).toBeGreaterThanOrEqual(4);
    i = info(v);
    expect(i.state).toBe('ESTAB');
    expect(i.peer).toBe(`127.0.0.1:${port}`);
  });
});

describe('Unix sockets', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('inspect');
  });
  afterAll(() => tmp.remove());

  test('a listening path, a connected client, an abstract name', () => {
    const server = fds.socket(AF_UNIX, SOCK_STREAM);
    const addr = unixAddr(tmp.path('s'));
    expect(bind(server, addr, sizeof(addr))).toBe(0);
    expect(listen(server, 4)).toBe(0);
    const s = info(server);
    expect(s.family).toBe('AF_UNIX');
    expect(s.netid).toBe('u_str');
    expect(s.state).toBe('LISTEN');
    expect(s.local).toBe(tmp.path('s'));
    expect(s.recvQ).toBeUndefined();

    const client = fds.socket(AF_UNIX, SOCK_STREAM);
    expect(connect(client, addr, sizeof(addr))).toBe(0);
    const c = info(client);
    expect(c.state).toBe('ESTAB');
    expect(c.local).toBe('*');
    expect(c.peer).toBe(tmp.path('s'));

    const abstract = fds.socket(AF_UNIX, SOCK_DGRAM);
    const name = new sockaddr_un();
    name.sun_family = AF_UNIX;
    name.sun_path = `\0bsdsock-inspect-${process.pid}`;
    // An abstract name is as long as addrlen says: exactly the name, no trailing NULs.
    const namelen = offsetof(sockaddr_un, 'sun_path') + 1 + Buffer.byteLength(`bsdsock-inspect-${process.pid}`);
    expect(bind(abstract, name, namelen)).toBe(0);
    const d = info(abstract);
    expect(d.netid).toBe('u_dgr');
    expect(d.local).toBe(`@bsdsock-inspect-${process.pid}`);
    expect(d.state).toBe('UNCONN');
  });

  test('a socketpair end: unnamed, connected', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const i = info(a);
    expect(i.state).toBe('ESTAB');
    expect(i.local).toBe('*');
    expect(i.peer).toBe('*');
  });
});

describe('not a socket', () => {
  test('a closed descriptor: null and EBADF', () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    fds.add(fd);
    fds.close(fd);
    setErrno(0);
    expect(inspect(fd)).toBeNull();
    expect(errno).toBe(EBADF);
  });

  test('a file: null and ENOTSOCK', () => {
    const file = openSync(__filename, 'r');
    try {
      setErrno(0);
      expect(inspect(file)).toBeNull();
      expect(errno).toBe(ENOTSOCK);
    } finally {
      closeSync(file);
    }
  });

  test('success leaves errno alone, though getpeername fails inside', () => {
    const { fd } = fds.listener();
    setErrno(EBADF);
    expect(inspect(fd)).not.toBeNull();
    expect(errno).toBe(EBADF);
  });
});

describe('printing', () => {
  test('util.inspect prints one ss-like line', () => {
    const { fd, addr } = fds.listener();
    const port = ntohs(addr.sin_port);
    const text = util.inspect(info(fd));
    expect(text).toBe(
      `SocketInfo <fd ${fd}: tcp LISTEN 0 - 127.0.0.1:${port} 0.0.0.0:* SO_ACCEPTCONN ` +
        `SO_RCVBUF=${info(fd).options.SO_RCVBUF} SO_SNDBUF=${info(fd).options.SO_SNDBUF}>`,
    );
  });

  test('a connected socket shows its queues, peer and set options', () => {
    const [a, b] = fds.tcpPair();
    expect(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'))).toBe(0);
    const ia = info(a);
    const ib = info(b);
    expect(String(ia)).toMatch(
      new RegExp(`^fd ${a}: tcp ESTAB 0 \\d+ ${ia.local.replace(/\./g, '\\.')} ${ib.local.replace(/\./g, '\\.')} `),
    );
    expect(String(ia)).toContain(' TCP_NODELAY');
    expect(String(ib)).not.toContain('TCP_NODELAY');
  });
});
