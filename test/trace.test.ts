// The tracer: each call's line in strace's notation, for success and failure; the blocking
// start/resume form; the promises' unfinished/resumed form; timestamps and the JSON form; trace(false)
// and tracing off print nothing.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAFNOSUPPORT,
  EADDRINUSE,
  EBADF,
  ECONNREFUSED,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  FD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_PEEK,
  O_NONBLOCK,
  POLLIN,
  POLLOUT,
  POLLPRI,
  SCM_RIGHTS,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SO_LINGER,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  accept,
  accept4,
  bind,
  close,
  cmsghdr,
  CMSG_DATA,
  CMSG_FIRSTHDR,
  CMSG_LEN,
  CMSG_SPACE,
  connect,
  errno,
  fcntl,
  getpeername,
  getsockname,
  getsockopt,
  iovec,
  linger,
  listen,
  msghdr,
  poll,
  pollfd,
  ptr,
  recv,
  recvfrom,
  recvmsg,
  send,
  sendmsg,
  sendto,
  setsockopt,
  shutdown,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  socket,
  socketpair,
  socklen_t,
  strerror,
  timeval,
  trace,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { compiledLib, tempDir } from './helpers/build';
import { Child, runNode } from './helpers/child';
import { expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';
import { loopback4, loopback6, pollfdFor, portOf as port, unixAddr } from './helpers/net';
import { capture, captureAsync } from './helpers/trace';
import { waitFor } from './helpers/wait';

/** `= -1 NAME (message)`, with the C library's own message. */
const fails = (name: string, value: number): string => `= -1 ${name} (${strerror(value)})`;

const bag = new Fds();
afterEach(() => {
  trace(false);
  bag.closeAll();
});

describe('socket', () => {
  test.each([
    [AF_INET, SOCK_STREAM, 0, 'socket(AF_INET, SOCK_STREAM, IPPROTO_IP)'],
    [AF_INET6, SOCK_DGRAM, 0, 'socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP)'],
    [AF_INET, SOCK_DGRAM, 17, 'socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)'],
    [AF_UNIX, SOCK_STREAM, 0, 'socket(AF_UNIX, SOCK_STREAM, 0)'],
    [AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)'],
    [
      AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
      'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP)',
    ],
  ])('socket(%i, %i, %i) is written as %s = fd', (domain, type, protocol, text) => {
    let fd = -1;
    const out = capture(() => {
      fd = bag.add(socket(domain, type, protocol));
    });
    expect(out.lines).toEqual([`${text} = ${fd}`]);
  });

  test('an unknown family: hex with /* AF_??? */, and the error', () => {
    const out = capture(() => {
      expect(socket(12345, SOCK_STREAM, 0)).toBe(-1);
    });
    expect(out.lines).toEqual([`socket(0x3039 /* AF_??? */, SOCK_STREAM, 0) ${fails('EAFNOSUPPORT', EAFNOSUPPORT)}`]);
    expect(errno).toBe(EAFNOSUPPORT);
  });
});

describe('bind, listen, getsockname, getpeername', () => {
  test('IPv4: the sockaddr decoded, then the port the kernel chose as [16]', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const addr = loopback4();
    const len = new socklen_t(sizeof(addr));
    const out = capture(() => {
      bind(fd, addr, sizeof(addr));
      listen(fd, 5);
      getsockname(fd, addr, len);
    });
    expect(out.lines).toEqual([
      `bind(${fd}, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
      `listen(${fd}, 5) = 0`,
      `getsockname(${fd}, {sa_family=AF_INET, sin_port=htons(${port(addr)}), sin_addr=inet_addr("127.0.0.1")}, [16]) = 0`,
    ]);
  });

  test('a length the call changed is written [in => out]', () => {
    const { fd } = bag.listener();
    const ss = new sockaddr_storage();
    const len = new socklen_t(sizeof(ss));
    const out = capture(() => getsockname(fd, ss, len));
    expect(out.lines[0]).toMatch(
      new RegExp(
        `^getsockname\\(${fd}, \\{sa_family=AF_INET, sin_port=htons\\(\\d+\\), sin_addr=inet_addr\\("127\\.0\\.0\\.1"\\)\\}, \\[${sizeof(ss)} => 16\\]\\) = 0$`,
      ),
    );
  });

  test('IPv6: port, flowinfo, inet_pton and scope id as strace writes them', () => {
    const fd = bag.socket(AF_INET6, SOCK_DGRAM);
    const addr = loopback6();
    addr.sin6_flowinfo = 0x45230100; // htonl(74565) on a little-endian host; decoded by value below
    const flow = ((addr.bytes[4] << 24) | (addr.bytes[5] << 16) | (addr.bytes[6] << 8) | addr.bytes[7]) >>> 0;
    const out = capture(() => bind(fd, addr, sizeof(addr)));
    expect(out.lines).toEqual([
      `bind(${fd}, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(${flow}), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
    ]);
  });

  test('Unix: a path, cut at the length given; an abstract name as @"..."', () => {
    const tmp = tempDir('trace');
    try {
      const fd = bag.socket(AF_UNIX, SOCK_DGRAM);
      const addr = unixAddr(tmp.path('s'));
      const abs = unixAddr(`\0bsdsock-trace-${process.pid}`);
      const absLen = 2 + 1 + `bsdsock-trace-${process.pid}`.length;
      const fd2 = bag.socket(AF_UNIX, SOCK_DGRAM);
      const out = capture(() => {
        bind(fd, addr, sizeof(addr));
        bind(fd2, abs, absLen);
      });
      expect(out.lines).toEqual([
        `bind(${fd}, {sa_family=AF_UNIX, sun_path="${addr.sun_path}"}, 110) = 0`,
        `bind(${fd2}, {sa_family=AF_UNIX, sun_path=@"bsdsock-trace-${process.pid}"}, ${absLen}) = 0`,
      ]);
    } finally {
      tmp.remove();
    }
  });

  test('bind failure: EADDRINUSE', () => {
    const { addr } = bag.listener();
    const other = bag.socket(AF_INET, SOCK_STREAM);
    const out = capture(() => expect(bind(other, addr, sizeof(addr))).toBe(-1));
    expect(out.lines).toEqual([
      `bind(${other}, {sa_family=AF_INET, sin_port=htons(${port(addr)}), sin_addr=inet_addr("127.0.0.1")}, 16) ${fails('EADDRINUSE', EADDRINUSE)}`,
    ]);
  });

  test('listen failure: EOPNOTSUPP on a datagram socket', () => {
    const fd = bag.socket(AF_INET, SOCK_DGRAM);
    const out = capture(() => listen(fd, 3));
    expect(out.lines).toEqual([`listen(${fd}, 3) ${fails('EOPNOTSUPP', EOPNOTSUPP)}`]);
  });

  test('getpeername failure: the unfilled address as ..., the length as given', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const addr = new sockaddr_in();
    const out = capture(() => getpeername(fd, addr, new socklen_t(16)));
    expect(out.lines).toEqual([`getpeername(${fd}, ..., [16]) ${fails('ENOTCONN', ENOTCONN)}`]);
  });
});

describe('accept, connect: the blocking calls', () => {
  test('connect and accept: accept written in two parts, the start before the call is made', () => {
    const { fd: lfd, addr } = bag.listener();
    const c = bag.socket(AF_INET, SOCK_STREAM);
    const peer = new sockaddr_in();
    const len = new socklen_t(sizeof(peer));
    let s = -1;
    const out = capture(() => {
      connect(c, addr, sizeof(addr));
      s = bag.add(accept(lfd, peer, len));
    });
    const cl = new sockaddr_in();
    getsockname(c, cl, new socklen_t(16));
    const p = port(addr);
    expect(out.lines).toEqual([
      `connect(${c}, {sa_family=AF_INET, sin_port=htons(${p}), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
      `accept(${lfd}, {sa_family=AF_INET, sin_port=htons(${port(cl)}), sin_addr=inet_addr("127.0.0.1")}, [16]) = ${s}`,
    ]);
    // The start is its own write, made before the result (the new fd) could be known.
    expect(out.chunks).toContain(`accept(${lfd}, `);
    expect(out.chunks.indexOf(`accept(${lfd}, `)).toBeLessThan(out.chunks.findIndex((c2) => c2.includes(`= ${s}`)));
  });

  test('accept(fd, NULL, NULL) and accept4 with flags', () => {
    const { fd: lfd, addr } = bag.listener();
    const c1 = bag.socket(AF_INET, SOCK_STREAM);
    const c2 = bag.socket(AF_INET, SOCK_STREAM);
    connect(c1, addr, sizeof(addr));
    connect(c2, addr, sizeof(addr));
    let a = -1;
    let b = -1;
    const out = capture(() => {
      a = bag.add(accept(lfd, null, null));
      b = bag.add(accept4!(lfd, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK));
    });
    expect(out.lines).toEqual([
      `accept(${lfd}, NULL, NULL) = ${a}`,
      `accept4(${lfd}, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK) = ${b}`,
    ]);
  });

  test('accept failure: EINVAL on a socket that does not listen', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const out = capture(() => accept(fd, new sockaddr_in(), new socklen_t(16)));
    expect(out.lines).toEqual([`accept(${fd}, ..., [16]) ${fails('EINVAL', 22)}`]);
  });

  test('connect failure: ECONNREFUSED', () => {
    const { addr } = bag.bound(SOCK_STREAM); // bound, not listening: nobody accepts on its port
    const c = bag.socket(AF_INET, SOCK_STREAM);
    const out = capture(() => connect(c, addr, sizeof(addr)));
    expect(out.lines).toEqual([
      `connect(${c}, {sa_family=AF_INET, sin_port=htons(${port(addr)}), sin_addr=inet_addr("127.0.0.1")}, 16) ${fails('ECONNREFUSED', ECONNREFUSED)}`,
    ]);
  });

  test('a program blocked in accept has written its start while it waits', async () => {
    const lib = compiledLib();
    const script = `
      const b = require(${JSON.stringify(lib.index)});
      const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
      const a = new b.sockaddr_in(); a.sin_family = b.AF_INET; a.sin_addr.s_addr = b.htonl(b.INADDR_LOOPBACK);
      b.bind(fd, a, 16); b.listen(fd, 1);
      const l = new b.socklen_t(16); b.getsockname(fd, a, l);
      process.stdout.write(String(b.ntohs(a.sin_port)) + '\\n');
      const c = b.accept(fd, null, null);
      b.close(c); b.close(fd);`;
    const child = Child.spawn(process.execPath, ['-e', script], { env: { ...process.env, BSDSOCK_TRACE: '1' } });
    try {
      await waitFor(
        () => child.stdout().includes('\n') && /accept\(\d+, $/.test(child.stderr()),
        () => `the child to wait in accept; stderr so far: ${child.stderr()}`,
      );
      // Blocked: the start is there and nothing after it.
      expect(child.stderr()).toMatch(/\naccept\((\d+), $/);
      const c = bag.socket(AF_INET, SOCK_STREAM);
      const to = loopback4(Number(child.stdout().trim()));
      expect(connect(c, to, sizeof(to))).toBe(0);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.stderr()).toMatch(/\naccept\((\d+), NULL, NULL\) = (\d+)\nclose\(\2\) = 0\nclose\(\1\) = 0\n$/);
    } finally {
      await child.kill();
    }
  });
});

describe('send, recv, sendto, recvfrom: data as quoted C strings', () => {
  test('escapes, octal (three digits before a digit) and the 32-byte cut', () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const data = Buffer.concat([
      Buffer.from([0, 1, 2, 0xff, 9, 0x61, 0x22, 0x5c, 10, 13, 11, 12]),
      Buffer.from('x'.repeat(40)),
    ]);
    const buf = Buffer.alloc(100);
    const out = capture(() => {
      send(a, data, data.length, 0);
      recv(b, buf, 100, 0);
      send(a, Buffer.from([0, 0x31, 0x38, 7, 0xc3, 0xa9]), 6, MSG_DONTWAIT | MSG_NOSIGNAL);
      recv(b, buf, 100, MSG_PEEK);
    });
    const cut = '"\\0\\1\\2\\377\\ta\\"\\\\\\n\\r\\v\\f' + 'x'.repeat(20) + '"...';
    expect(out.lines).toEqual([
      `send(${a}, ${cut}, 52, 0) = 52`,
      `recv(${b}, ${cut}, 100, 0) = 52`,
      `send(${a}, "\\00018\\7\\303\\251", 6, MSG_DONTWAIT|MSG_NOSIGNAL) = 6`,
      `recv(${b}, "\\00018\\7\\303\\251", 100, MSG_PEEK) = 6`,
    ]);
  });

  test('a string is written as its UTF-8 bytes; exactly 32 bytes has no ...', () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const s = 'é'.repeat(16); // 32 bytes
    const out = capture(() => send(a, s, 32, 0));
    expect(out.lines).toEqual([`send(${a}, "${'\\303\\251'.repeat(16)}", 32, 0) = 32`]);
    void b;
  });

  test('send failure: EPIPE, and recv on a non-blocking socket: EAGAIN with the buffer unfilled', () => {
    const [a, b] = bag.unixPair(SOCK_STREAM | SOCK_NONBLOCK);
    const buf = Buffer.alloc(8);
    const out = capture(() => {
      recv(a, buf, 8, 0);
      bag.close(b);
      send(a, 'hi', 2, MSG_NOSIGNAL);
    });
    expect(out.lines).toEqual([
      `recv(${a}, ..., 8, 0) ${fails('EAGAIN', 11)}`,
      `close(${b}) = 0`,
      `send(${a}, "hi", 2, MSG_NOSIGNAL) ${fails('EPIPE', 32)}`,
    ]);
  });

  test('sendto and recvfrom over UDP/IPv6 with their addresses', () => {
    const fd = bag.socket(AF_INET6, SOCK_DGRAM);
    const addr = loopback6();
    bind(fd, addr, sizeof(addr));
    getsockname(fd, addr, new socklen_t(28));
    const from = new sockaddr_in6();
    const fromLen = new socklen_t(sizeof(from));
    const buf = Buffer.alloc(10);
    const out = capture(() => {
      sendto(fd, 'x', 1, 0, addr, sizeof(addr));
      recvfrom(fd, buf, 10, 0, from, fromLen);
      sendto(fd, 'y', 1, 0, addr, sizeof(addr));
      recvfrom(fd, buf, 10, 0, null, null);
    });
    const a6 = `{sa_family=AF_INET6, sin6_port=htons(${port(addr)}), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}`;
    expect(out.lines).toEqual([
      `sendto(${fd}, "x", 1, 0, ${a6}, 28) = 1`,
      `recvfrom(${fd}, "x", 10, 0, ${a6}, [28]) = 1`,
      `sendto(${fd}, "y", 1, 0, ${a6}, 28) = 1`,
      `recvfrom(${fd}, "y", 10, 0, NULL, NULL) = 1`,
    ]);
  });
});

describe('the other calls', () => {
  test('shutdown, close, close failure, socketpair', () => {
    const sv = new Int32Array(2);
    const out = capture(() => {
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
      shutdown(sv[0], SHUT_WR);
      close(sv[0]);
      close(sv[1]);
      close(-1);
    });
    expect(out.lines).toEqual([
      `socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [${sv[0]}, ${sv[1]}]) = 0`,
      `shutdown(${sv[0]}, SHUT_WR) = 0`,
      `close(${sv[0]}) = 0`,
      `close(${sv[1]}) = 0`,
      `close(-1) ${fails('EBADF', EBADF)}`,
    ]);
  });

  test('fcntl: flags by name, F_GETFL and F_GETFD results as strace writes them', () => {
    const fd = bag.socket(AF_INET, SOCK_DGRAM);
    const out = capture(() => {
      const fl = fcntl(fd, F_GETFL);
      fcntl(fd, F_SETFL, fl | O_NONBLOCK);
      fcntl(fd, F_GETFL);
      fcntl(fd, F_GETFD);
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      fcntl(fd, F_GETFD);
    });
    expect(out.lines).toEqual([
      `fcntl(${fd}, F_GETFL) = 0x2 (flags O_RDWR)`,
      `fcntl(${fd}, F_SETFL, O_RDWR|O_NONBLOCK) = 0`,
      `fcntl(${fd}, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)`,
      `fcntl(${fd}, F_GETFD) = 0`,
      `fcntl(${fd}, F_SETFD, FD_CLOEXEC) = 0`,
      `fcntl(${fd}, F_GETFD) = 0x1 (flags FD_CLOEXEC)`,
    ]);
  });

  test('setsockopt and getsockopt: ints as [n], structs decoded, unknown options as /* SO_??? */', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const lin = new linger();
    lin.l_onoff = 1;
    const tv = new timeval();
    tv.tv_sec = 2;
    const err = new ptr(0);
    const out = capture(() => {
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 4);
      setsockopt(fd, SOL_SOCKET, SO_LINGER, lin, sizeof(lin));
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv));
      getsockopt(fd, SOL_SOCKET, SO_ERROR, err, new socklen_t(4));
      getsockopt(fd, SOL_SOCKET, SO_LINGER, new linger(), new socklen_t(sizeof(lin)));
      setsockopt(fd, SOL_SOCKET, 9999, 1, 4);
    });
    expect(out.lines).toEqual([
      `setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0`,
      `setsockopt(${fd}, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, ${sizeof(lin)}) = 0`,
      `setsockopt(${fd}, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=2, tv_usec=0}, ${sizeof(tv)}) = 0`,
      `getsockopt(${fd}, SOL_SOCKET, SO_ERROR, [0], [4]) = 0`,
      `getsockopt(${fd}, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [${sizeof(lin)}]) = 0`,
      `setsockopt(${fd}, SOL_SOCKET, 0x270f /* SO_??? */, [1], 4) ${fails('ENOPROTOOPT', ENOPROTOOPT)}`,
    ]);
  });

  test('poll: the events in, the revents out; a timeout as = 0 (Timeout)', () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const p1 = new pollfd();
    p1.fd = a;
    p1.events = POLLIN | POLLPRI;
    const p2 = new pollfd();
    p2.fd = b;
    p2.events = POLLOUT;
    const out = capture(() => {
      poll([p1], 1, 0);
      poll([p1, p2], 2, 10);
    });
    expect(out.lines).toEqual([
      `poll([{fd=${a}, events=POLLIN|POLLPRI}], 1, 0) = 0 (Timeout)`,
      `poll([{fd=${a}, events=POLLIN|POLLPRI}, {fd=${b}, events=POLLOUT}], 2, 10) = 1 ([{fd=${b}, revents=POLLOUT}])`,
    ]);
  });

  test('sendmsg and recvmsg: iovecs and an SCM_RIGHTS control message', () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const space = CMSG_SPACE(4);
    const send = new msghdr();
    const i1 = new iovec();
    i1.iov_base = Buffer.from('ab');
    i1.iov_len = 2;
    const i2 = new iovec();
    i2.iov_base = Buffer.from('cd');
    i2.iov_len = 2;
    send.msg_iov = [i1, i2];
    send.msg_iovlen = 2;
    send.msg_control = Buffer.alloc(space);
    send.msg_controllen = space;
    const h = CMSG_FIRSTHDR(send)!;
    h.cmsg_level = SOL_SOCKET;
    h.cmsg_type = SCM_RIGHTS;
    h.cmsg_len = CMSG_LEN(4);
    CMSG_DATA(h).writeInt32LE(a, 0);
    const got = new msghdr();
    const r1 = new iovec();
    r1.iov_base = Buffer.alloc(10);
    r1.iov_len = 10;
    got.msg_iov = [r1];
    got.msg_iovlen = 1;
    got.msg_control = Buffer.alloc(space);
    got.msg_controllen = space;
    const out = capture(() => {
      sendmsg(a, send, 0);
      recvmsg(b, got, 0);
    });
    const passed = CMSG_DATA(CMSG_FIRSTHDR(got) as cmsghdr).readInt32LE(0);
    bag.add(passed);
    const cm = (fd: number): string =>
      `msg_control=[{cmsg_len=${CMSG_LEN(4)}, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[${fd}]}], msg_controllen=${space}`;
    expect(out.lines).toEqual([
      `sendmsg(${a}, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ab", iov_len=2}, {iov_base="cd", iov_len=2}], msg_iovlen=2, ${cm(a)}, msg_flags=0}, 0) = 4`,
      `recvmsg(${b}, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="abcd", iov_len=10}], msg_iovlen=1, ${cm(passed)}, msg_flags=0}, 0) = 4`,
    ]);
  });

  test('a call that throws (a programming error) writes no line', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const out = capture(() => {
      expectThrown(() => send(fd, Buffer.alloc(2), 5, 0), {
        type: RangeError,
        code: 'ERR_OUT_OF_RANGE',
        fn: 'send',
        param: 'len',
      });
      expectThrown(() => accept(fd, {} as sockaddr_in, null), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        fn: 'accept',
        param: 'addr',
      });
      expectThrown(() => bind(fd, 'x' as unknown as sockaddr_in, 16), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        fn: 'bind',
        param: 'addr',
      });
    });
    expect(out.text).toBe('');
  });
});

describe('on and off', () => {
  test('trace(false) silences; trace(stream) writes there; calls behave the same either way', () => {
    const chunks: string[] = [];
    trace({ write: (s: string) => chunks.push(s) });
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    trace(false);
    expect(close(fd)).toBe(0);
    bag.close(fd);
    expect(close(fd)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(chunks.join('')).toBe(`socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = ${fd}\n`);
  });

  test('trace() with something that is not a boolean, a stream or options throws, and leaves tracing off', () => {
    expectThrown(() => trace(3 as never), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'trace', param: 'how' });
    const fd = bag.socket(AF_INET, SOCK_DGRAM);
    const chunks: string[] = [];
    trace({ write: (s: string) => chunks.push(s) });
    trace(false);
    bag.close(fd);
    expect(chunks).toEqual([]);
  });

  test('a program run without BSDSOCK_TRACE prints nothing on stderr; with it, its calls', () => {
    const lib = compiledLib();
    const script = `const b = require(${JSON.stringify(lib.index)});
      const fd = b.socket(b.AF_INET, b.SOCK_DGRAM, 0); b.close(fd); b.close(fd);
      process.stdout.write(String(fd));`;
    const off = runNode({ code: script }, { env: { BSDSOCK_TRACE: undefined } });
    expect(off.status).toBe(0);
    expect(off.stderr).toBe('');
    const on = runNode({ code: script }, { env: { BSDSOCK_TRACE: '1' } });
    const fd = on.stdout;
    expect(on.stderr).toBe(
      `socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = ${fd}\nclose(${fd}) = 0\nclose(${fd}) ${fails('EBADF', EBADF)}\n` +
        `+++ warning: close(${fd}): descriptor ${fd} was already closed at [eval]:2 +++\n`,
    );
  });
});

describe('timestamps and the JSON form', () => {
  test.each([
    ['tt', /^\d\d:\d\d:\d\d\.\d{6} /],
    ['r', /^ +\d+\.\d{6} /],
    ['ttt', /^\d{10}\.\d{6} /],
  ] as const)("time '%s' stamps each line", (time, stamp) => {
    let fd = -1;
    const out = capture(
      () => {
        fd = bag.add(socket(AF_INET, SOCK_DGRAM, 0));
        bag.close(fd);
      },
      { time },
    );
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toMatch(new RegExp(stamp.source + 'socket\\(AF_INET, SOCK_DGRAM, IPPROTO_IP\\) = \\d+$'));
    expect(out.lines[1]).toMatch(new RegExp(stamp.source + `close\\(${fd}\\) = 0$`));
    // -r: the first line is 0, the time since the previous call after.
    if (time === 'r') expect(out.lines[0]).toMatch(/^ {5}0\.000000 /);
  });

  test('json: one object a line; a blocking call as start and end with one id, in time order', () => {
    const { fd: lfd, addr } = bag.listener();
    const c = bag.socket(AF_INET, SOCK_STREAM);
    let s = -1;
    const out = capture(
      () => {
        connect(c, addr, sizeof(addr));
        s = bag.add(accept(lfd, null, null));
        close(s);
      },
      { format: 'json' },
    );
    bag.close(s);
    const recs = out.lines.map(
      (l) => JSON.parse(l) as { t: number; pid: number; ph: string; id: number; call: string; text: string },
    );
    expect(recs.map((r) => [r.ph, r.call])).toEqual([
      ['start', 'connect'],
      ['end', 'connect'],
      ['start', 'accept'],
      ['end', 'accept'],
      ['line', 'close'],
    ]);
    expect(recs[3].text).toBe(`accept(${lfd}, NULL, NULL) = ${s}`);
    expect(recs[2].id).toBe(recs[3].id);
    expect(recs.every((r) => r.pid === process.pid)).toBe(true);
    for (let k = 1; k < recs.length; k++) expect(recs[k].t).toBeGreaterThanOrEqual(recs[k - 1].t);
  });
});

describe('bsdsock/promises', () => {
  test('accept: a start line with <unfinished ...> when made, <... accept resumed> when it settles', async () => {
    const { fd: lfd, addr } = bag.listener();
    const c = bag.socket(AF_INET, SOCK_STREAM);
    let s = -1;
    const peer = new sockaddr_in();
    const out = await captureAsync(async () => {
      const pending = P.accept(lfd, peer, new socklen_t(sizeof(peer)));
      connect(c, addr, sizeof(addr));
      s = bag.add(await pending);
    });
    const cl = new sockaddr_in();
    getsockname(c, cl, new socklen_t(16));
    expect(out.lines).toEqual([
      `accept(${lfd},  <unfinished ...>`,
      `connect(${c}, {sa_family=AF_INET, sin_port=htons(${port(addr)}), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
      `<... accept resumed>{sa_family=AF_INET, sin_port=htons(${port(cl)}), sin_addr=inet_addr("127.0.0.1")}, [16]) = ${s}`,
    ]);
  });

  test('send and recv; a rejection written as the error', async () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const buf = Buffer.alloc(16);
    const { addr: to } = bag.bound(SOCK_STREAM);
    const c = bag.socket(AF_INET, SOCK_STREAM);
    const out = await captureAsync(async () => {
      const r = P.recv(b, buf, 16, 0);
      await P.send(a, 'hello', 5, 0);
      await r;
      await expect(P.connect(c, to, sizeof(to))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
    expect(out.lines).toEqual([
      `recv(${b},  <unfinished ...>`,
      `send(${a}, "hello", 5, 0 <unfinished ...>`,
      '<... send resumed>) = 5',
      '<... recv resumed>"hello", 16, 0) = 5',
      `connect(${c}, {sa_family=AF_INET, sin_port=htons(${port(to)}), sin_addr=inet_addr("127.0.0.1")}, 16 <unfinished ...>`,
      `<... connect resumed>) ${fails('ECONNREFUSED', ECONNREFUSED)}`,
    ]);
  });

  test('poll, sendto and recvfrom: the same forms as the synchronous calls, in two lines', async () => {
    const { fd, addr } = bag.bound(SOCK_DGRAM);
    const pfd = pollfdFor(fd, POLLIN);
    const from = new sockaddr_in();
    const buf = Buffer.alloc(8);
    const out = await captureAsync(async () => {
      await P.poll([pfd], 1, 0);
      await P.sendto(fd, 'ping', 4, 0, addr, sizeof(addr));
      await P.poll([pfd], 1, 5000);
      await P.recvfrom(fd, buf, 8, 0, from, new socklen_t(sizeof(from)));
    });
    const a4 = `{sa_family=AF_INET, sin_port=htons(${port(addr)}), sin_addr=inet_addr("127.0.0.1")}`;
    expect(out.lines).toEqual([
      `poll([{fd=${fd}, events=POLLIN}], 1, 0 <unfinished ...>`,
      '<... poll resumed>) = 0 (Timeout)',
      `sendto(${fd}, "ping", 4, 0, ${a4}, 16 <unfinished ...>`,
      '<... sendto resumed>) = 4',
      `poll([{fd=${fd}, events=POLLIN}], 1, 5000 <unfinished ...>`,
      `<... poll resumed>) = 1 ([{fd=${fd}, revents=POLLIN}])`,
      `recvfrom(${fd},  <unfinished ...>`,
      `<... recvfrom resumed>"ping", 8, 0, ${a4}, [16]) = 4`,
    ]);
  });

  test('an aborted call is resumed as = ? <aborted>', async () => {
    const [a] = bag.unixPair(SOCK_STREAM);
    const ac = new AbortController();
    const out = await captureAsync(async () => {
      const r = P.recv(a, Buffer.alloc(4), 4, 0, { signal: ac.signal });
      ac.abort();
      await expect(r).rejects.toMatchObject({ name: 'AbortError' });
    });
    expect(out.lines).toEqual([`recv(${a},  <unfinished ...>`, '<... recv resumed>) = ? <aborted>']);
  });
});

describe('arguments the tracer cannot show', () => {
  // Found by `npm run fuzz -- --trace`: the tracer formatted arguments before the call checked
  // them, and out-parameters after the kernel had written them, so a call it could not show threw
  // an uncoded error (or, for a promise, an unhandled rejection that ends the process).
  test("a wrong argument throws the call's own coded error, and nothing is written", () => {
    const [a] = bag.unixPair(SOCK_STREAM);
    const out = capture(() => {
      const coded = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' } as const;
      expectThrown(() => send(Symbol('fd') as unknown as number, 'x', 1, 0), { ...coded, fn: 'send', param: 'sockfd' });
      expectThrown(() => send(a, Buffer.alloc(1), 1n as unknown as number, 0), { ...coded, fn: 'send', param: 'len' });
      expectThrown(() => P.connect(Symbol('fd') as unknown as number, loopback4(), 16), {
        ...coded,
        fn: 'connect',
        param: 'sockfd',
      });
    });
    expect(out.text).toBe('');
  });

  test('an out-parameter it cannot decode is written as ..., and the call returns what C returns', () => {
    const { fd } = bag.listener();
    const addr = new Float64Array(2); // 16 bytes, but no sockaddr the tracer can decode
    const len = new socklen_t(16);
    const out = capture(() => {
      expect(getsockname(fd, addr as unknown as sockaddr_in, len)).toBe(0);
    });
    expect(len.value).toBe(16);
    expect(out.lines).toHaveLength(1);
    expect(out.lines).toEqual([`getsockname(${fd}, ..., [16]) = 0`]);
  });

  test('a promise that fails with a programming error while it waits is written as ending in an error', async () => {
    const [a, b] = bag.unixPair(SOCK_STREAM);
    const buf = new Uint8Array(new ArrayBuffer(8));
    const out = await captureAsync(async () => {
      const pending = P.recv(b, buf, 8, 0);
      // Detached while the call waits: the engine rejects the retry with a coded error, and the
      // tracer must not throw while writing that.
      structuredClone(buf.buffer, { transfer: [buf.buffer] });
      send(a, 'x', 1, 0);
      await expect(pending).rejects.toMatchObject({ name: 'TypeError' });
    });
    expect(out.lines).toEqual([
      `recv(${b},  <unfinished ...>`,
      `send(${a}, "x", 1, 0) = 1`,
      '<... recv resumed>) = ? <error>',
    ]);
  });
});
