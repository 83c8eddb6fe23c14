// sendto(2) and recvfrom(2): UDP over IPv4 and IPv6 loopback, and AF_UNIX
// datagrams at a path.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAGAIN,
  ECONNREFUSED,
  EDESTADDRREQ,
  MSG_DONTWAIT,
  MSG_TRUNC,
  POLLERR,
  POLLIN,
  SOCK_DGRAM,
  bind,
  connect,
  errno,
  in6addr_loopback,
  inet_ntop,
  recv,
  recvfrom,
  send,
  sendto,
  setErrno,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  socklen_t,
  INET6_ADDRSTRLEN,
} from 'bsdsock';
import { tempDir } from './helpers/build';
import { Fds } from './helpers/fds';
import { loopback4, unixAddr, waitReady } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

describe('UDP on 127.0.0.1', () => {
  test('sendto a bound receiver; recvfrom reports the sender address and port', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, 'ping', 4, 0, receiver.addr, sizeof(receiver.addr))).toBe(4);
    const buf = Buffer.alloc(32);
    const from = new sockaddr_in();
    const fromlen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver.fd, buf, buf.length, 0, from, fromlen)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('ping');
    expect(fromlen.value).toBe(16);
    expect(from.sin_family).toBe(AF_INET);
    expect(from.sin_port).toBe(sender.addr.sin_port);
    expect(from.sin_port).not.toBe(0);
    expect(from.sin_addr.s_addr).toBe(sender.addr.sin_addr.s_addr);
    expect(from.bytes.equals(sender.addr.bytes)).toBe(true);
  });

  test('recvfrom with null address and length receives the datagram alone', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, Buffer.from('no address'), 10, 0, receiver.addr, sizeof(receiver.addr))).toBe(10);
    const buf = Buffer.alloc(32);
    expect(recvfrom(receiver.fd, buf, buf.length, 0, null, null)).toBe(10);
    expect(buf.toString('utf8', 0, 10)).toBe('no address');
  });

  test('each recvfrom takes exactly one datagram, whatever its size', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, 'one', 3, 0, receiver.addr, sizeof(receiver.addr))).toBe(3);
    expect(sendto(sender.fd, 'two!', 4, 0, receiver.addr, sizeof(receiver.addr))).toBe(4);
    const buf = Buffer.alloc(32);
    expect(recvfrom(receiver.fd, buf, buf.length, 0, null, null)).toBe(3);
    expect(recvfrom(receiver.fd, buf, buf.length, 0, null, null)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('two!');
  });

  test('a short buffer cuts the datagram: the rest is lost', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, '0123456789', 10, 0, receiver.addr, sizeof(receiver.addr))).toBe(10);
    expect(sendto(sender.fd, 'next', 4, 0, receiver.addr, sizeof(receiver.addr))).toBe(4);
    const small = Buffer.alloc(4);
    expect(recvfrom(receiver.fd, small, 4, 0, null, null)).toBe(4);
    expect(small.toString()).toBe('0123');
    // The next read starts at the next datagram, not at "4567".
    expect(recvfrom(receiver.fd, small, 4, 0, null, null)).toBe(4);
    expect(small.toString()).toBe('next');
  });

  test('MSG_TRUNC returns the datagram real length while filling only len bytes', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, '0123456789', 10, 0, receiver.addr, sizeof(receiver.addr))).toBe(10);
    const small = Buffer.alloc(6, '.');
    expect(recv(receiver.fd, small, 4, MSG_TRUNC)).toBe(10);
    expect(small.toString()).toBe('0123..');
    expect(recv(receiver.fd, small, 4, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  test('an empty datagram is received as 0 bytes, with its sender', () => {
    const receiver = fds.bound(SOCK_DGRAM);
    const sender = fds.bound(SOCK_DGRAM);
    expect(sendto(sender.fd, Buffer.alloc(0), 0, 0, receiver.addr, sizeof(receiver.addr))).toBe(0);
    const buf = Buffer.alloc(8);
    const from = new sockaddr_in();
    const fromlen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver.fd, buf, buf.length, MSG_DONTWAIT, from, fromlen)).toBe(0);
    expect(from.sin_port).toBe(sender.addr.sin_port);
    // It was a real datagram, and it is gone now.
    expect(recvfrom(receiver.fd, buf, buf.length, MSG_DONTWAIT, null, null)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  test('sendto with a null dest_addr on an unconnected UDP socket: -1 with EDESTADDRREQ', () => {
    const sender = fds.bound(SOCK_DGRAM);
    setErrno(0);
    expect(sendto(sender.fd, 'x', 1, 0, null, 0)).toBe(-1);
    expect(errno).toBe(EDESTADDRREQ);
    setErrno(0);
    expect(send(sender.fd, 'x', 1, 0)).toBe(-1);
    expect(errno).toBe(EDESTADDRREQ);
  });

  test('a connected UDP socket sends with a null dest_addr and hears ECONNREFUSED from a closed port', () => {
    const gone = fds.bound(SOCK_DGRAM);
    const port = gone.addr.sin_port;
    expect(fds.close(gone.fd)).toBe(0);
    const client = fds.bound(SOCK_DGRAM);
    const target = loopback4();
    target.sin_port = port;
    expect(connect(client.fd, target, sizeof(target))).toBe(0);
    expect(sendto(client.fd, 'anyone?', 7, 0, null, 0)).toBe(7);
    // The ICMP port-unreachable comes back as a pending error.
    expect(waitReady(client.fd, POLLIN) & POLLERR).toBe(POLLERR);
    setErrno(0);
    const buf = Buffer.alloc(8);
    expect(recv(client.fd, buf, buf.length, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(ECONNREFUSED);
    // Reported once: the error is cleared.
    expect(recv(client.fd, buf, buf.length, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });
});

describe('UDP on ::1', () => {
  test('sendto and recvfrom with sockaddr_in6', () => {
    const receiver = fds.bound6(SOCK_DGRAM);
    const sender = fds.bound6(SOCK_DGRAM);
    expect(sendto(sender.fd, 'six', 3, 0, receiver.addr, sizeof(receiver.addr))).toBe(3);
    const buf = Buffer.alloc(16);
    const from = new sockaddr_in6();
    const fromlen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver.fd, buf, buf.length, 0, from, fromlen)).toBe(3);
    expect(buf.toString('utf8', 0, 3)).toBe('six');
    expect(fromlen.value).toBe(sizeof(sockaddr_in6));
    expect(fromlen.value).toBe(28);
    expect(from.sin6_family).toBe(AF_INET6);
    expect(from.sin6_port).toBe(sender.addr.sin6_port);
    expect(from.sin6_addr.bytes.equals(in6addr_loopback.bytes)).toBe(true);
    expect(inet_ntop(AF_INET6, from.sin6_addr, Buffer.alloc(INET6_ADDRSTRLEN), INET6_ADDRSTRLEN)).toBe('::1');
  });
});

describe('AF_UNIX datagrams at a path', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('dgram');
  });
  afterEach(() => {
    fds.closeAll();
    tmp.remove();
  });

  function unixDgram(name: string): { fd: number; addr: sockaddr_un } {
    const fd = fds.socket(AF_UNIX, SOCK_DGRAM);
    const addr = unixAddr(tmp.path(name));
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    return { fd, addr };
  }

  test('sendto a path; recvfrom reports the sender path', () => {
    const receiver = unixDgram('receiver.sock');
    const sender = unixDgram('sender.sock');
    expect(sendto(sender.fd, 'local', 5, 0, receiver.addr, sizeof(receiver.addr))).toBe(5);
    const buf = Buffer.alloc(16);
    const from = new sockaddr_un();
    const fromlen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver.fd, buf, buf.length, 0, from, fromlen)).toBe(5);
    expect(buf.toString('utf8', 0, 5)).toBe('local');
    expect(from.sun_family).toBe(AF_UNIX);
    expect(from.sun_path).toBe(sender.addr.sun_path);
    // The family (2 bytes) and the path with its NUL.
    expect(fromlen.value).toBe(2 + Buffer.byteLength(sender.addr.sun_path) + 1);
  });

  test('an unbound sender has no address: addrlen comes back 0 (Linux)', () => {
    const receiver = unixDgram('receiver.sock');
    const sender = fds.socket(AF_UNIX, SOCK_DGRAM);
    expect(sendto(sender, 'anon', 4, 0, receiver.addr, sizeof(receiver.addr))).toBe(4);
    const buf = Buffer.alloc(16);
    const from = new sockaddr_un();
    const fromlen = new socklen_t(sizeof(from));
    expect(recvfrom(receiver.fd, buf, buf.length, 0, from, fromlen)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('anon');
    expect(fromlen.value).toBe(0);
  });
});
