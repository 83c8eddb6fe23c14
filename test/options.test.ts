// setsockopt(2) and getsockopt(2): int options, struct options (linger,
// timeval), the read-only SO_TYPE/SO_ERROR/SO_DOMAIN, the socklen_t holder,
// the errno failures C reports, and the programming errors thrown before any
// system call.
import { closeSync, openSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAGAIN,
  EBADF,
  ECONNREFUSED,
  EINVAL,
  ENOPROTOOPT,
  ENOTSOCK,
  EOPNOTSUPP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  POLLERR,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_TYPE,
  TCP_NODELAY,
  bind,
  connect,
  errno,
  getsockopt,
  linger,
  ptr,
  recv,
  send,
  setErrno,
  setsockopt,
  sizeof,
  socklen_t,
  timeval,
} from 'bsdsock';
import { bad, expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';
import { closedPort, intOption, loopback6, waitReady } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

const onLinux = process.platform === 'linux' ? test : test.skip;

describe('int options round-trip through setsockopt and getsockopt', () => {
  const cases: [string, number, number, number, number][] = [
    ['SO_REUSEADDR on IPv4 TCP', AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR],
    ['SO_REUSEADDR on IPv6 TCP', AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR],
    ['SO_KEEPALIVE on IPv4 TCP', AF_INET, SOCK_STREAM, SOL_SOCKET, SO_KEEPALIVE],
    ['SO_KEEPALIVE on IPv6 TCP', AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_KEEPALIVE],
    ['TCP_NODELAY on IPv4 TCP', AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY],
    ['TCP_NODELAY on IPv6 TCP', AF_INET6, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY],
    ['IPV6_V6ONLY on IPv6 TCP', AF_INET6, SOCK_STREAM, IPPROTO_IPV6, IPV6_V6ONLY],
    ['IPV6_V6ONLY on IPv6 UDP', AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_V6ONLY],
  ];
  test.each(cases)('%s: set 1 reads 1, set 0 reads 0', (_name, domain, type, level, optname) => {
    const fd = fds.socket(domain, type);
    expect(setsockopt(fd, level, optname, 1, sizeof('int'))).toBe(0);
    expect(intOption(fd, level, optname)).toBe(1);
    expect(setsockopt(fd, level, optname, 0, sizeof('int'))).toBe(0);
    expect(intOption(fd, level, optname)).toBe(0);
  });

  test('a fresh TCP socket has SO_REUSEADDR, SO_KEEPALIVE and TCP_NODELAY off', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(intOption(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
    expect(intOption(fd, SOL_SOCKET, SO_KEEPALIVE)).toBe(0);
    expect(intOption(fd, IPPROTO_TCP, TCP_NODELAY)).toBe(0);
  });

  test('the value of each socket is its own', () => {
    const a = fds.socket(AF_INET, SOCK_STREAM);
    const b = fds.socket(AF_INET, SOCK_STREAM);
    expect(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'))).toBe(0);
    expect(intOption(a, IPPROTO_TCP, TCP_NODELAY)).toBe(1);
    expect(intOption(b, IPPROTO_TCP, TCP_NODELAY)).toBe(0);
  });

  onLinux('SO_RCVBUF: Linux doubles the value set (socket(7)) and getsockopt shows the double', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const asked = 16384; // well above the kernel's minimum and below the default rmem_max
    expect(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, asked, sizeof('int'))).toBe(0);
    expect(intOption(fd, SOL_SOCKET, SO_RCVBUF)).toBe(2 * asked);
  });

  test('IPV6_V6ONLY cannot change once the socket is bound: -1 EINVAL, value unchanged', () => {
    const fd = fds.socket(AF_INET6, SOCK_STREAM);
    expect(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, sizeof('int'))).toBe(0);
    const addr = loopback6();
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    setErrno(0);
    expect(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, sizeof('int'))).toBe(-1);
    expect(errno).toBe(EINVAL);
    expect(intOption(fd, IPPROTO_IPV6, IPV6_V6ONLY)).toBe(1);
  });
});

describe('struct options', () => {
  test('SO_LINGER with a linger struct: getsockopt fills another linger and its length', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const lin = new linger();
    lin.l_onoff = 1;
    lin.l_linger = 7;
    expect(setsockopt(fd, SOL_SOCKET, SO_LINGER, lin, sizeof(lin))).toBe(0);

    const out = new linger();
    const len = new socklen_t(sizeof(out));
    expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, out, len)).toBe(0);
    expect(len.value).toBe(sizeof(linger));
    expect(out.l_onoff).toBe(1);
    expect(out.l_linger).toBe(7);
  });

  test('SO_LINGER through a plain Buffer: the same bytes as the struct, and optlen shrinks to sizeof(linger)', () => {
    const fd = fds.socket(AF_INET6, SOCK_STREAM);
    const lin = new linger();
    lin.l_onoff = 1;
    lin.l_linger = 3;
    const raw = Buffer.from(lin.bytes);
    expect(setsockopt(fd, SOL_SOCKET, SO_LINGER, raw, raw.length)).toBe(0);

    const out = Buffer.alloc(sizeof(linger) + 8, 0xee);
    const len = new socklen_t(out.length);
    expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, out, len)).toBe(0);
    expect(len.value).toBe(sizeof(linger));
    expect(out.subarray(0, sizeof(linger)).equals(lin.bytes)).toBe(true);
    // The kernel wrote only optlen bytes: the rest of the buffer is as it was.
    expect([...out.subarray(sizeof(linger))]).toEqual(new Array(8).fill(0xee));
  });

  test('SO_RCVTIMEO with a timeval reads back the same time', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const tv = new timeval();
    tv.tv_sec = 3; // whole seconds convert to kernel ticks without rounding
    tv.tv_usec = 0;
    expect(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv))).toBe(0);
    const out = new timeval();
    const len = new socklen_t(sizeof(out));
    expect(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, out, len)).toBe(0);
    expect(len.value).toBe(sizeof(timeval));
    expect(out.tv_sec).toBe(3);
    expect(out.tv_usec).toBe(0);
  });

  test('after SO_RCVTIMEO, a blocking recv with nothing to read returns -1 EAGAIN', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const tv = new timeval();
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    expect(setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv))).toBe(0);
    const buf = Buffer.alloc(16);
    setErrno(0);
    expect(recv(b, buf, buf.length, 0)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    // The socket still works once data is there.
    expect(send(a, 'hi', 2, 0)).toBe(2);
    expect(recv(b, buf, buf.length, 0)).toBe(2);
    expect(buf.subarray(0, 2).toString()).toBe('hi');
  });
});

describe('read-only options: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR', () => {
  const kinds: [string, number, number][] = [
    ['AF_INET SOCK_STREAM', AF_INET, SOCK_STREAM],
    ['AF_INET6 SOCK_DGRAM', AF_INET6, SOCK_DGRAM],
    ['AF_UNIX SOCK_SEQPACKET', AF_UNIX, SOCK_SEQPACKET],
  ];
  test.each(kinds)('%s: SO_TYPE and SO_DOMAIN give the type and family socket() was given', (_n, domain, type) => {
    const fd = fds.socket(domain, type);
    expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(type);
    expect(intOption(fd, SOL_SOCKET, SO_DOMAIN)).toBe(domain);
  });

  test('SO_PROTOCOL of a TCP socket is IPPROTO_TCP', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(intOption(fd, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_TCP);
  });

  test('SO_TYPE cannot be set: -1 ENOPROTOOPT', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_TYPE, SOCK_DGRAM, sizeof('int'))).toBe(-1);
    expect(errno).toBe(ENOPROTOOPT);
    expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
  });

  test('SO_ERROR is 0 on a fresh socket', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(intOption(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
  });

  test('SO_ERROR reports a pending ECONNREFUSED once, then reads 0', () => {
    // A connected UDP socket learns of the closed port from the ICMP reply,
    // and keeps the error until it is read.
    const addr = closedPort(SOCK_DGRAM);

    const fd = fds.socket(AF_INET, SOCK_DGRAM);
    expect(connect(fd, addr, sizeof(addr))).toBe(0);
    expect(send(fd, 'ping', 4, 0)).toBe(4);
    // POLLERR is always reported, asked for or not.
    expect(waitReady(fd, 0) & POLLERR).toBe(POLLERR);
    expect(intOption(fd, SOL_SOCKET, SO_ERROR)).toBe(ECONNREFUSED);
    expect(intOption(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
  });
});

describe('the socklen_t holder', () => {
  test('getsockopt writes the option length back into optlen', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const out = Buffer.alloc(32);
    const len = new socklen_t(out.length);
    expect(getsockopt(fd, SOL_SOCKET, SO_TYPE, out, len)).toBe(0);
    expect(len.value).toBe(sizeof('int'));
    expect(out.readInt32LE(0) === SOCK_STREAM || out.readInt32BE(0) === SOCK_STREAM).toBe(true);
  });

  onLinux('an optlen shorter than an int: Linux copies only optlen bytes and keeps that length', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 16384, sizeof('int'))).toBe(0);
    const whole = Buffer.alloc(4);
    expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, whole, new socklen_t(whole.length))).toBe(0);
    const out = Buffer.alloc(4, 0xee);
    const len = new socklen_t(2);
    expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, out, len)).toBe(0);
    expect(len.value).toBe(2);
    expect([...out]).toEqual([whole[0], whole[1], 0xee, 0xee]);
  });
});

describe('errno failures return -1', () => {
  test('a closed descriptor: EBADF from both calls', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    fds.close(fd);
    setErrno(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(-1);
    expect(errno).toBe(EBADF);
    setErrno(0);
    expect(getsockopt(fd, SOL_SOCKET, SO_TYPE, new ptr(0), new socklen_t(sizeof('int')))).toBe(-1);
    expect(errno).toBe(EBADF);
  });

  test('descriptor -1: EBADF', () => {
    setErrno(0);
    expect(setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(-1);
    expect(errno).toBe(EBADF);
  });

  test('a regular file descriptor: ENOTSOCK from both calls', () => {
    const file = openSync(__filename, 'r');
    try {
      setErrno(0);
      expect(setsockopt(file, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(-1);
      expect(errno).toBe(ENOTSOCK);
      setErrno(0);
      const value = new ptr(-1);
      expect(getsockopt(file, SOL_SOCKET, SO_TYPE, value, new socklen_t(sizeof('int')))).toBe(-1);
      expect(errno).toBe(ENOTSOCK);
      expect(value.value).toBe(-1);
    } finally {
      closeSync(file);
    }
  });

  test('a TCP option on a UDP socket: setsockopt ENOPROTOOPT (getsockopt: EOPNOTSUPP on Linux)', () => {
    const fd = fds.socket(AF_INET, SOCK_DGRAM);
    setErrno(0);
    expect(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'))).toBe(-1);
    expect(errno).toBe(ENOPROTOOPT);
    setErrno(0);
    const value = new ptr(-1);
    expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, value, new socklen_t(sizeof('int')))).toBe(-1);
    // Linux's ip_getsockopt answers EOPNOTSUPP for a level it does not know, where setsockopt says ENOPROTOOPT.
    expect(errno).toBe(process.platform === 'linux' ? EOPNOTSUPP : ENOPROTOOPT);
    expect(value.value).toBe(-1);
  });

  test('an IPv6 option on an IPv4 socket: ENOPROTOOPT', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, sizeof('int'))).toBe(-1);
    expect(errno).toBe(ENOPROTOOPT);
  });

  test('an int option with optlen shorter than an int: EINVAL, option unchanged', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 2)).toBe(-1);
    expect(errno).toBe(EINVAL);
    expect(intOption(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
  });

  test('SO_LINGER with optlen shorter than struct linger: EINVAL', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const lin = new linger();
    lin.l_onoff = 1;
    setErrno(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_LINGER, lin, sizeof(lin) - 1)).toBe(-1);
    expect(errno).toBe(EINVAL);
    const out = new linger();
    expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, out, new socklen_t(sizeof(out)))).toBe(0);
    expect(out.l_onoff).toBe(0);
  });

  test('a successful call after a failure leaves errno as the failure set it', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(-1);
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int'))).toBe(0);
    expect(intOption(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(1);
    expect(errno).toBe(EBADF);
  });
});

describe('programming errors throw, errno untouched, nothing reaches the kernel', () => {
  test('wrong types: sockfd, level, optname, optval', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const int = sizeof('int');
    const typeError = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' } as const;
    expectThrown(() => setsockopt(bad(String(fd)), SOL_SOCKET, SO_REUSEADDR, 1, int), {
      ...typeError,
      fn: 'setsockopt',
      param: 'sockfd',
    });
    expectThrown(() => setsockopt(fd, bad(null), SO_REUSEADDR, 1, int), {
      ...typeError,
      fn: 'setsockopt',
      param: 'level',
    });
    expectThrown(() => getsockopt(fd, SOL_SOCKET, bad(undefined), new ptr(0), new socklen_t(int)), {
      ...typeError,
      fn: 'getsockopt',
      param: 'optname',
    });
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, bad('1'), int), {
      ...typeError,
      fn: 'setsockopt',
      param: 'optval',
    });
    expectThrown(() => getsockopt(fd, SOL_SOCKET, SO_TYPE, bad(5), new socklen_t(int)), {
      ...typeError,
      fn: 'getsockopt',
      param: 'optval',
    });
  });

  test('getsockopt optlen must be a socklen_t holder, not a number', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expectThrown(() => getsockopt(fd, SOL_SOCKET, SO_TYPE, new ptr(0), bad(4)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'getsockopt',
      param: 'optlen',
    });
  });

  test('getsockopt with an optval but a null optlen', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expectThrown(() => getsockopt(fd, SOL_SOCKET, SO_TYPE, new ptr(0), null), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'getsockopt',
      param: 'optlen',
    });
  });

  test('fractional and out-of-range integers', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const int = sizeof('int');
    const rangeError = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'setsockopt' } as const;
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1.5, int), { ...rangeError, param: 'optval' });
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 2 ** 31, int), { ...rangeError, param: 'optval' });
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, -1), { ...rangeError, param: 'optlen' });
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 0.5), { ...rangeError, param: 'optlen' });
    expectThrown(() => setsockopt(fd + 0.5, SOL_SOCKET, SO_REUSEADDR, 1, int), { ...rangeError, param: 'sockfd' });
    expect(intOption(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
  });

  test('setsockopt with an int optval and optlen larger than an int', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const before = intOption(fd, SOL_SOCKET, SO_RCVBUF);
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 65536, sizeof('int') + 4), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'setsockopt',
      param: 'optlen',
    });
    expect(intOption(fd, SOL_SOCKET, SO_RCVBUF)).toBe(before);
  });

  test('setsockopt with a struct and optlen larger than the struct', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const lin = new linger();
    lin.l_onoff = 1;
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, lin, sizeof(lin) + 1), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'setsockopt',
      param: 'optlen',
    });
    const out = new linger();
    expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, out, new socklen_t(sizeof(out)))).toBe(0);
    expect(out.l_onoff).toBe(0);
  });

  test('getsockopt with an optlen larger than optval (ptr, struct, buffer)', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const rangeError = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'getsockopt', param: 'optlen' } as const;
    const value = new ptr(-1);
    expectThrown(() => getsockopt(fd, SOL_SOCKET, SO_TYPE, value, new socklen_t(sizeof('int') + 4)), rangeError);
    expect(value.value).toBe(-1);
    expectThrown(
      () => getsockopt(fd, SOL_SOCKET, SO_LINGER, new linger(), new socklen_t(sizeof(linger) + 1)),
      rangeError,
    );
    const small = Buffer.alloc(2);
    expectThrown(() => getsockopt(fd, SOL_SOCKET, SO_TYPE, small, new socklen_t(sizeof('int'))), rangeError);
    expect([...small]).toEqual([0, 0]);
  });

  test('a detached buffer as optval', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const ab = new ArrayBuffer(8);
    structuredClone(ab, { transfer: [ab] });
    expectThrown(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, ab, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'setsockopt',
      param: 'optval',
    });
  });
});
