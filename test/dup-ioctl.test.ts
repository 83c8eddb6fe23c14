// dup(2), dup2(2), ioctl(2) for the int requests of sockets, and inet_aton(3).
import {
  EAGAIN,
  EBADF,
  FIONBIO,
  FIONREAD,
  F_GETFL,
  O_NONBLOCK,
  SIOCATMARK,
  SIOCOUTQ,
  SOCK_STREAM,
  TCP_NODELAY,
  dup,
  dup2,
  errno,
  fcntl,
  in_addr,
  inet_aton,
  ioctl,
  ntohl,
  ptr,
  recv,
  send,
  setErrno,
} from 'bsdsock';
import { expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';

const fds = new Fds();
afterEach(() => fds.closeAll());

describe('dup and dup2', () => {
  test('dup gives a second descriptor for the same socket: data sent on it reaches the peer', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const copy = fds.add(dup(a));
    expect(copy).not.toBe(a);
    expect(send(copy, 'via the copy', 12, 0)).toBe(12);
    const buf = Buffer.alloc(32);
    expect(recv(b, buf, 32, 0)).toBe(12);
    // The socket stays open while one descriptor for it does.
    fds.close(a);
    expect(send(copy, 'x', 1, 0)).toBe(1);
  });

  test('dup2 gives the copy the number asked for, closing what was there', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const [c] = fds.unixPair(SOCK_STREAM);
    // c now names a's socket: recorded again, so that closeAll still closes it.
    expect(fds.add(dup2(a, c))).toBe(c);
    expect(send(c, 'y', 1, 0)).toBe(1);
    expect(recv(b, Buffer.alloc(4), 4, 0)).toBe(1);
  });

  test('a descriptor that is not open: -1 and EBADF', () => {
    setErrno(0);
    expect(dup(-1)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(dup2(-1, 100)).toBe(-1);
    expect(errno).toBe(EBADF);
  });
});

describe('ioctl', () => {
  test('FIONREAD says how many bytes wait to be read; SIOCOUTQ how many are not yet sent', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, 'hello', 5, 0)).toBe(5);
    const n = new ptr(-1);
    expect(ioctl(b, FIONREAD, n)).toBe(0);
    expect(n.value).toBe(5);
    const out = new ptr(-1);
    expect(ioctl(b, SIOCOUTQ, out)).toBe(0);
    expect(out.value).toBe(0);
  });

  test('FIONBIO makes the socket non-blocking, as fcntl O_NONBLOCK does', () => {
    const [, b] = fds.tcpPair();
    expect(ioctl(b, FIONBIO, new ptr(1))).toBe(0);
    expect(fcntl(b, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(recv(b, Buffer.alloc(1), 1, 0)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    const mark = new ptr(-1);
    expect(ioctl(b, SIOCATMARK, mark)).toBe(0);
    expect(mark.value).toBe(0);
  });

  test('a request whose argument is not an int is refused before the call; a closed descriptor is EBADF', () => {
    expectThrown(() => ioctl(0, TCP_NODELAY, new ptr(0)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'ioctl',
      param: 'request',
    });
    expectThrown(() => ioctl(0, FIONREAD, 5 as never), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'ioctl',
      param: 'argp',
    });
    setErrno(0);
    expect(ioctl(-1, FIONREAD, new ptr(0))).toBe(-1);
    expect(errno).toBe(EBADF);
  });
});

describe('inet_aton', () => {
  test('fills the in_addr and returns 1; tells 255.255.255.255 from an error (inet_addr cannot)', () => {
    const a = new in_addr();
    expect(inet_aton('127.0.0.1', a)).toBe(1);
    expect(ntohl(a.s_addr)).toBe(0x7f000001);
    expect(inet_aton('255.255.255.255', a)).toBe(1);
    expect(a.s_addr).toBe(0xffffffff);
    // The older forms C accepts.
    expect(inet_aton('127.1', a)).toBe(1);
    expect(ntohl(a.s_addr)).toBe(0x7f000001);
  });

  test('text that is no address returns 0 and leaves inp alone; a wrong inp throws', () => {
    const a = new in_addr();
    a.s_addr = 1234;
    expect(inet_aton('not an address', a)).toBe(0);
    expect(a.s_addr).toBe(1234);
    expectThrown(() => inet_aton('1.2.3.4', new ptr(0) as never), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_aton',
      param: 'inp',
    });
  });
});
