// bsdsock/promises, call by call: each resolves with what the C call
// returns and fills its out-parameters as C does; failures reject with
// Node-shaped system errors and leave errno alone; programming errors throw
// synchronously; operations on one descriptor and direction complete in the
// order they started; send writes everything or says how much it wrote.
import { createHash, randomFillSync } from 'node:crypto';
import { endianness } from 'node:os';
import {
  AF_INET,
  AF_INET6,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  CMSG_DATA,
  CMSG_FIRSTHDR,
  CMSG_LEN,
  CMSG_SPACE,
  EAI_FAMILY,
  EAI_NONAME,
  ECONNREFUSED,
  ECONNRESET,
  ENOTTY,
  EPIPE,
  FD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  INADDR_LOOPBACK,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  O_NONBLOCK,
  POLLIN,
  POLLOUT,
  SCM_RIGHTS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_SNDBUF,
  addrinfo,
  errno,
  fcntl,
  gai_strerror,
  getpeername,
  getsockname,
  htonl,
  htons,
  msghdr,
  ntohs,
  pollfd,
  ptr,
  recv,
  setErrno,
  setsockopt,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  socklen_t,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { bad, expectSystemError, expectThrown, rejection } from './helpers/errors';
import { Fds } from './helpers/fds';
import { iov, recvExactly } from './helpers/io';
import { loopback4 } from './helpers/net';
import { nextTurn, track } from './helpers/wait';

const fds = new Fds();
afterEach(() => fds.closeAll());

const LE = endianness() === 'LE';

/** A TCP listener on 127.0.0.1 (ephemeral port) with a backlog for many clients. */
const listener = (): { fd: number; addr: sockaddr_in } => fds.listener(SOCK_STREAM, 128);

/** A connected TCP pair made with the promises API: [client, server]. */
async function tcpPair(): Promise<[number, number]> {
  const l = listener();
  const client = fds.socket(AF_INET, SOCK_STREAM);
  const accepted = P.accept(l.fd, null, null);
  expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
  const server = fds.add(await accepted);
  fds.close(l.fd);
  return [client, server];
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('accept and accept4', () => {
  test('a pending accept resolves with the new descriptor and fills sockaddr and socklen_t', async () => {
    const l = listener();
    const peer = new sockaddr_in();
    const len = new socklen_t(sizeof(peer));
    const pending = track(P.accept(l.fd, peer, len));
    await nextTurn();
    expect(pending.settled()).toBe(false);

    const client = fds.socket(AF_INET, SOCK_STREAM);
    expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
    const outcome = await pending.done;
    if (!outcome.ok) throw outcome.error;
    const server = fds.add(outcome.value);

    const clientName = new sockaddr_in();
    getsockname(client, clientName, new socklen_t(sizeof(clientName)));
    expect(len.value).toBe(sizeof(sockaddr_in));
    expect(peer.sin_family).toBe(AF_INET);
    expect(peer.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(ntohs(peer.sin_port)).toBe(ntohs(clientName.sin_port));
    // accept(2) makes a blocking descriptor whatever the listener is.
    expect(fcntl(server, F_GETFL) & O_NONBLOCK).toBe(0);
  });

  test('accept on an IPv6 listener fills a sockaddr_in6', async () => {
    const { fd, addr } = fds.listener6(SOCK_STREAM, 4);
    const peer = new sockaddr_in6();
    const len = new socklen_t(sizeof(peer));
    const accepted = P.accept(fd, peer, len);
    const client = fds.socket(AF_INET6, SOCK_STREAM);
    expect(await P.connect(client, addr, sizeof(addr))).toBe(0);
    fds.add(await accepted);
    const clientName = new sockaddr_in6();
    getsockname(client, clientName, new socklen_t(sizeof(clientName)));
    expect(len.value).toBe(sizeof(sockaddr_in6));
    expect(peer.sin6_family).toBe(AF_INET6);
    expect(peer.sin6_port).toBe(clientName.sin6_port);
  });

  test('accept4 applies SOCK_NONBLOCK and SOCK_CLOEXEC to the new descriptor', async () => {
    if (P.accept4 === undefined) return; // no accept4 on this platform: nothing to check
    const l = listener();
    const peer = new sockaddr_in();
    const len = new socklen_t(sizeof(peer));
    const accepted = track(P.accept4(l.fd, peer, len, SOCK_NONBLOCK | SOCK_CLOEXEC));
    await nextTurn();
    expect(accepted.settled()).toBe(false);
    const client = fds.socket(AF_INET, SOCK_STREAM);
    expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
    const outcome = await accepted.done;
    if (!outcome.ok) throw outcome.error;
    const server = fds.add(outcome.value);
    expect(fcntl(server, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fcntl(server, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(len.value).toBe(sizeof(sockaddr_in));
    const clientName = new sockaddr_in();
    getsockname(client, clientName, new socklen_t(sizeof(clientName)));
    expect(peer.sin_port).toBe(clientName.sin_port);
  });

  test('accept4 without flags gives a blocking descriptor', async () => {
    if (P.accept4 === undefined) return;
    const l = listener();
    const accepted = P.accept4(l.fd, null, null, 0);
    const client = fds.socket(AF_INET, SOCK_STREAM);
    await P.connect(client, l.addr, sizeof(l.addr));
    const server = fds.add(await accepted);
    expect(fcntl(server, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(fcntl(server, F_GETFD) & FD_CLOEXEC).toBe(0);
  });
});

describe('connect', () => {
  test('resolves 0 once connected; getpeername shows the listener', async () => {
    const l = listener();
    const client = fds.socket(AF_INET, SOCK_STREAM);
    const accepted = P.accept(l.fd, null, null);
    expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
    fds.add(await accepted);
    const peer = new sockaddr_in();
    expect(getpeername(client, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(peer.sin_port).toBe(l.addr.sin_port);
    expect(peer.sin_addr.s_addr).toBe(l.addr.sin_addr.s_addr);
  });

  test('a closed port rejects with ECONNREFUSED in Node shape, errno untouched', async () => {
    // A bound socket that does not listen holds the port and answers SYN with RST.
    const { addr } = fds.bound(SOCK_STREAM);
    const client = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(ENOTTY);
    const error = await rejection(P.connect(client, addr, sizeof(addr)));
    expectSystemError(error, 'connect', ECONNREFUSED);
    expect(error.message).toBe('connect ECONNREFUSED (Connection refused)');
    expect(errno).toBe(ENOTTY);
  });
});

describe('send and recv', () => {
  test('a pending recv resolves with the byte count of what arrived; send resolves len', async () => {
    const [a, b] = await tcpPair();
    const buf = Buffer.alloc(64);
    const pending = track(P.recv(b, buf, buf.length, 0));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    expect(await P.send(a, 'hello', 5, 0)).toBe(5);
    const outcome = await pending.done;
    expect(outcome).toEqual({ ok: true, value: 5 });
    expect(buf.toString('utf8', 0, 5)).toBe('hello');
  });

  test('send takes any buffer kind; recv fills any buffer kind', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await P.send(a, new DataView(bytes.buffer), 8, 0)).toBe(8);
    const words = new Uint16Array(4);
    expect(await P.recv(b, words, 8, 0)).toBe(8);
    expect(Buffer.from(words.buffer).equals(Buffer.from(bytes))).toBe(true);
    expect(await P.send(a, bytes.buffer, 3, 0)).toBe(3);
    const into = new ArrayBuffer(3);
    expect(await P.recv(b, into, 3, 0)).toBe(3);
    expect([...new Uint8Array(into)]).toEqual([1, 2, 3]);
  });

  test('a string is sent as its UTF-8 bytes', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const text = 'héllo wörld';
    const size = Buffer.byteLength(text);
    expect(await P.send(a, text, size, 0)).toBe(size);
    expect((await recvExactly(b, size)).toString('utf8')).toBe(text);
  });

  test('a pending recv resolves 0 when the peer closes', async () => {
    const [a, b] = await tcpPair();
    const pending = track(P.recv(b, Buffer.alloc(16), 16, 0));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    fds.close(a);
    expect(await pending.done).toEqual({ ok: true, value: 0 });
  });

  test('recv on a reset connection rejects with ECONNRESET', async () => {
    const [a, b] = await tcpPair();
    const pending = P.recv(b, Buffer.alloc(16), 16, 0);
    // Unread data at close also makes Linux reset; the zero linger makes it certain.
    fds.reset(a);
    expectSystemError(await rejection(pending), 'recv', ECONNRESET);
  });
});

describe('sendto and recvfrom on UDP', () => {
  test('a pending recvfrom resolves with the datagram size and fills the sender address', async () => {
    const { fd: receiver, addr: raddr } = fds.bound(SOCK_DGRAM);
    const { fd: sender, addr: saddr } = fds.bound(SOCK_DGRAM);

    const buf = Buffer.alloc(100);
    const from = new sockaddr_in();
    const fromLen = new socklen_t(sizeof(from));
    const pending = track(P.recvfrom(receiver, buf, buf.length, 0, from, fromLen));
    await nextTurn();
    expect(pending.settled()).toBe(false);

    expect(await P.sendto(sender, 'datagram!', 9, 0, raddr, sizeof(raddr))).toBe(9);
    expect(await pending.done).toEqual({ ok: true, value: 9 });
    expect(buf.toString('utf8', 0, 9)).toBe('datagram!');
    expect(fromLen.value).toBe(sizeof(sockaddr_in));
    expect(from.sin_family).toBe(AF_INET);
    expect(from.sin_port).toBe(saddr.sin_port);
    expect(from.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
  });

  test('recvfrom truncates a datagram larger than len and returns len', async () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    expect(await P.sendto(a, 'abcdefgh', 8, 0, null, 0)).toBe(8);
    const buf = Buffer.alloc(8, '.');
    expect(await P.recvfrom(b, buf, 3, 0, null, null)).toBe(3);
    expect(buf.toString()).toBe('abc.....');
  });
});

describe('sendmsg and recvmsg', () => {
  test('iovecs scatter and gather; SCM_RIGHTS passes a working descriptor over AF_UNIX', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const [x, y] = fds.unixPair(SOCK_STREAM);
    const INT = sizeof('int');

    const inParts = [Buffer.alloc(2, '.'), Buffer.alloc(8, '.')];
    const incoming = new msghdr();
    incoming.msg_iov = inParts.map((part) => iov(part));
    incoming.msg_iovlen = 2;
    incoming.msg_control = Buffer.alloc(CMSG_SPACE(INT));
    incoming.msg_controllen = incoming.msg_control.length;
    const pending = track(P.recvmsg(b, incoming, 0));
    await nextTurn();
    expect(pending.settled()).toBe(false);

    const outgoing = new msghdr();
    outgoing.msg_iov = [iov(Buffer.from('he')), iov(Buffer.from('lloXX'), 3)];
    outgoing.msg_iovlen = 2;
    outgoing.msg_control = Buffer.alloc(CMSG_SPACE(INT));
    outgoing.msg_controllen = outgoing.msg_control.length;
    const cmsg = CMSG_FIRSTHDR(outgoing)!;
    cmsg.cmsg_level = SOL_SOCKET;
    cmsg.cmsg_type = SCM_RIGHTS;
    cmsg.cmsg_len = CMSG_LEN(INT);
    const data = CMSG_DATA(cmsg);
    new DataView(data.buffer, data.byteOffset, INT).setInt32(0, x, LE);
    expect(await P.sendmsg(a, outgoing, 0)).toBe(5);

    expect(await pending.done).toEqual({ ok: true, value: 5 });
    expect(inParts[0].toString()).toBe('he');
    expect(inParts[1].toString('utf8', 0, 3)).toBe('llo');
    expect(inParts[1].toString('utf8', 3)).toBe('.....');
    const got = CMSG_FIRSTHDR(incoming);
    expect(got).not.toBeNull();
    expect(got!.cmsg_level).toBe(SOL_SOCKET);
    expect(got!.cmsg_type).toBe(SCM_RIGHTS);
    expect(got!.cmsg_len).toBe(CMSG_LEN(INT));
    const passed = CMSG_DATA(got!);
    const received = fds.add(new DataView(passed.buffer, passed.byteOffset, INT).getInt32(0, LE));
    expect(received).not.toBe(x);

    // The passed descriptor is the same socket as x: what it sends reaches y.
    expect(await P.send(received, 'via passed fd', 13, 0)).toBe(13);
    expect((await recvExactly(y, 13)).toString()).toBe('via passed fd');
  });

  test('recvmsg on a datagram socket fills msg_name and resolves with the size', async () => {
    const { fd: receiver, addr: raddr } = fds.bound(SOCK_DGRAM);
    const sender = fds.socket(AF_INET, SOCK_DGRAM);
    const into = Buffer.alloc(16);
    const msg = new msghdr();
    const from = new sockaddr_in();
    msg.msg_name = from;
    msg.msg_namelen = sizeof(sockaddr_in);
    msg.msg_iov = [iov(into)];
    msg.msg_iovlen = 1;
    const pending = P.recvmsg(receiver, msg, 0);

    const out = new msghdr();
    out.msg_name = raddr;
    out.msg_namelen = sizeof(raddr);
    out.msg_iov = [iov(Buffer.from('udp'))];
    out.msg_iovlen = 1;
    expect(await P.sendmsg(sender, out, 0)).toBe(3);
    expect(await pending).toBe(3);
    expect(into.toString('utf8', 0, 3)).toBe('udp');
    const saddr = new sockaddr_in();
    getsockname(sender, saddr, new socklen_t(sizeof(saddr)));
    expect(msg.msg_namelen).toBe(sizeof(sockaddr_in));
    expect(from.sin_port).toBe(saddr.sin_port);
  });
});

describe('poll', () => {
  test('a pending poll resolves with the ready count once data arrives, revents filled', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    const pending = track(P.poll([entry], 1, -1));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    expect(await P.send(a, 'x', 1, 0)).toBe(1);
    expect(await pending.done).toEqual({ ok: true, value: 1 });
    expect(entry.revents & POLLIN).toBe(POLLIN);
  });

  test('a fractional nfds throws the coded range error, as the synchronous poll does', () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    // Found by the fuzzer: a denormal nfds once reached `new Array(nfds)` and threw an uncoded RangeError.
    for (const nfds of [5e-324, 1.5]) {
      expectThrown(() => P.poll([entry], nfds, 0), {
        type: RangeError,
        code: 'ERR_OUT_OF_RANGE',
        fn: 'poll',
        param: 'nfds',
      });
    }
  });

  test('several polls pending on one descriptor all wake, and leave nothing armed or referenced', async () => {
    const before = P.engineStats();
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const entries = [0, 1, 2].map(() => {
      const e = new pollfd();
      e.fd = b;
      e.events = POLLIN;
      return e;
    });
    const pending = entries.map((e) => track(P.poll(e, 1, -1)));
    await nextTurn();
    expect(pending.map((p) => p.settled())).toEqual([false, false, false]);
    expect(await P.send(a, 'x', 1, 0)).toBe(1);
    for (const p of pending) expect(await p.done).toEqual({ ok: true, value: 1 });
    for (const e of entries) expect(e.revents & POLLIN).toBe(POLLIN);
    expect(P.engineStats().referenced).toBe(before.referenced);
    expect(P.engineStats().armed).toBe(before.armed);
  });

  test('a descriptor listed twice: the poll counts both entries, settles once and leaves nothing behind', async () => {
    const before = P.engineStats();
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const twice = [0, 1].map(() => {
      const e = new pollfd();
      e.fd = b;
      e.events = POLLIN;
      return e;
    });
    const pending = track(P.poll(twice, 2, -1));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    expect(await P.send(a, 'x', 1, 0)).toBe(1);
    expect(await pending.done).toEqual({ ok: true, value: 2 });
    expect(P.engineStats().referenced).toBe(before.referenced);
    expect(P.engineStats().armed).toBe(before.armed);
    // Timed out instead of woken, it leaves nothing behind either.
    twice.forEach((e) => (e.revents = 0));
    expect(await P.poll(twice, 2, 20)).toBe(2);
    expect(recv(b, Buffer.alloc(1), 1, 0)).toBe(1);
    expect(await P.poll(twice, 2, 20)).toBe(0);
    expect(P.engineStats().referenced).toBe(before.referenced);
    expect(P.engineStats().armed).toBe(before.armed);
  });

  test('counts every ready entry at once', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const entries = [a, b].map((fd) => {
      const e = new pollfd();
      e.fd = fd;
      e.events = POLLIN | POLLOUT;
      return e;
    });
    expect(await P.poll(entries, 2, 1000)).toBe(2);
    for (const e of entries) {
      expect(e.revents & POLLOUT).toBe(POLLOUT);
      expect(e.revents & POLLIN).toBe(0);
    }
  });

  test('timeout 0 with nothing ready resolves 0', async () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    expect(await P.poll(entry, 1, 0)).toBe(0);
    expect(entry.revents).toBe(0);
  });

  test('a timeout that expires resolves 0 and leaves nothing armed or referenced', async () => {
    const before = P.engineStats();
    const [, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    expect(await P.poll([entry], 1, 30)).toBe(0);
    expect(entry.revents).toBe(0);
    const after = P.engineStats();
    expect(after.armed).toBe(before.armed);
    expect(after.referenced).toBe(before.referenced);
  });
});

describe('getaddrinfo and getnameinfo (numeric, loopback)', () => {
  test('getaddrinfo fills res with a walkable list for a numeric host and service', async () => {
    const hints = new addrinfo();
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    const res = new ptr<addrinfo | null>(null);
    expect(await P.getaddrinfo('127.0.0.1', '8080', hints, res)).toBe(0);
    const first = res.value;
    expect(first).not.toBeNull();
    expect(first!.ai_family).toBe(AF_INET);
    expect(first!.ai_socktype).toBe(SOCK_STREAM);
    expect(first!.ai_addrlen).toBe(sizeof(sockaddr_in));
    const addr = first!.ai_addr as sockaddr_in;
    expect(addr.sin_port).toBe(htons(8080));
    expect(addr.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(first!.ai_next).toBeNull();
  });

  test('getaddrinfo of ::1 gives an IPv6 address usable with connect', async () => {
    const { fd, addr } = fds.listener6(SOCK_STREAM, 4);
    const hints = new addrinfo();
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    const res = new ptr<addrinfo | null>(null);
    expect(await P.getaddrinfo('::1', String(ntohs(addr.sin6_port)), hints, res)).toBe(0);
    const ai = res.value!;
    expect(ai.ai_family).toBe(AF_INET6);
    const client = fds.socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    const accepted = P.accept(fd, null, null);
    expect(await P.connect(client, ai.ai_addr!, ai.ai_addrlen)).toBe(0);
    fds.add(await accepted);
  });

  test('getaddrinfo of a non-numeric host under AI_NUMERICHOST rejects with EAI_NONAME', async () => {
    const hints = new addrinfo();
    hints.ai_flags = AI_NUMERICHOST;
    const res = new ptr<addrinfo | null>(null);
    setErrno(ENOTTY);
    const error = await rejection(P.getaddrinfo('not-a-number.invalid', null, hints, res));
    expect(error.code).toBe('EAI_NONAME');
    expect(error.errno).toBe(EAI_NONAME);
    expect(error.syscall).toBe('getaddrinfo');
    expect(error.message).toBe(`getaddrinfo EAI_NONAME (${gai_strerror(EAI_NONAME)})`);
    expect(res.value).toBeNull();
    expect(errno).toBe(ENOTTY);
  });

  test('getnameinfo fills host and service numerically', async () => {
    const addr = loopback4(8080);
    const host = Buffer.alloc(64, 0xff);
    const serv = Buffer.alloc(32, 0xff);
    expect(await P.getnameinfo(addr, sizeof(addr), host, 64, serv, 32, NI_NUMERICHOST | NI_NUMERICSERV)).toBe(0);
    expect(host.toString('latin1', 0, host.indexOf(0))).toBe('127.0.0.1');
    expect(serv.toString('latin1', 0, serv.indexOf(0))).toBe('8080');
  });

  test('getnameinfo of an unknown address family rejects with EAI_FAMILY', async () => {
    const addr = loopback4(8080);
    addr.sin_family = 255; // no such address family: getnameinfo cannot translate it
    const host = Buffer.alloc(64);
    const error = await rejection(P.getnameinfo(addr, sizeof(addr), host, 64, null, 0, NI_NUMERICHOST));
    expect(error.code).toBe('EAI_FAMILY');
    expect(error.errno).toBe(EAI_FAMILY);
    expect(error.syscall).toBe('getnameinfo');
  });
});

describe('programming errors throw synchronously', () => {
  test('a wrong buffer type is a TypeError before any call', () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    expectThrown(() => P.recv(b, bad(42), 4, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'recv',
      param: 'buf',
    });
  });

  test('a len larger than the buffer is a RangeError', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expectThrown(() => P.recv(b, Buffer.alloc(4), 8, 0), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'recv',
      param: 'len',
    });
    expectThrown(() => P.send(a, Buffer.alloc(4), 8, 0), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'send',
      param: 'len',
    });
  });

  test('a fractional descriptor is a RangeError; a string descriptor a TypeError', () => {
    expectThrown(() => P.accept(1.5, null, null), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'accept',
      param: 'sockfd',
    });
    expectThrown(() => P.recv(bad('3'), Buffer.alloc(1), 1, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'recv',
      param: 'sockfd',
    });
  });

  test('a wrong struct for connect and a non-AbortSignal signal are TypeErrors', () => {
    const client = fds.socket(AF_INET, SOCK_STREAM);
    expectThrown(() => P.connect(client, bad({}), 16), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'connect',
      param: 'addr',
    });
    expectThrown(() => P.recv(client, Buffer.alloc(1), 1, 0, { signal: bad('nope') }), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'recv',
      param: 'options.signal',
    });
  });

  test('getaddrinfo with a wrong node type and getnameinfo with a wrong addr throw TypeErrors', () => {
    const res = new ptr<addrinfo | null>(null);
    expectThrown(() => P.getaddrinfo(bad(42), '80', null, res), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'getaddrinfo',
      param: 'node',
    });
    expectThrown(() => P.getnameinfo(bad(null), 16, null, 0, null, 0, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'getnameinfo',
      param: 'addr',
    });
  });

  test('an operation queued behind a pending one still throws at once for bad arguments', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const first = track(P.recv(b, Buffer.alloc(4), 4, 0));
    expectThrown(() => P.recv(b, Buffer.alloc(4), 99, 0), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'recv',
      param: 'len',
    });
    expect(await P.send(a, 'abcd', 4, 0)).toBe(4);
    // The bad call took no place in the queue: the first recv gets the data.
    expect(await first.done).toEqual({ ok: true, value: 4 });
  });
});

describe('order on one descriptor and direction', () => {
  test('pending recvs complete in the order they started, each with the next bytes', async () => {
    const [a, b] = await tcpPair();
    const finished: number[] = [];
    const bufs = [0, 1, 2, 3].map(() => Buffer.alloc(4));
    const pending = bufs.map((buf, k) =>
      P.recv(b, buf, 4, 0).then((n) => {
        finished.push(k);
        return n;
      }),
    );
    await nextTurn();
    expect(finished).toEqual([]);
    expect(await P.send(a, 'AAAABBBBCCCCDDDD', 16, 0)).toBe(16);
    expect(await Promise.all(pending)).toEqual([4, 4, 4, 4]);
    expect(finished).toEqual([0, 1, 2, 3]);
    expect(bufs.map((buf) => buf.toString())).toEqual(['AAAA', 'BBBB', 'CCCC', 'DDDD']);
  });

  test('pending recvs fed a few bytes at a time still complete in order', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const finished: number[] = [];
    const bufs = [0, 1, 2].map(() => Buffer.alloc(8));
    const pending = bufs.map((buf, k) =>
      P.recv(b, buf, 8, 0).then((n) => {
        finished.push(k);
        return n;
      }),
    );
    for (const piece of ['one', 'two', 'six']) {
      await P.send(a, piece, 3, 0);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await Promise.all(pending)).toEqual([3, 3, 3]);
    expect(finished).toEqual([0, 1, 2]);
    expect(bufs.map((buf) => buf.toString('utf8', 0, 3))).toEqual(['one', 'two', 'six']);
  });

  test('pending datagram recvs take the datagrams in order', async () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    const bufs = [0, 1, 2].map(() => Buffer.alloc(16));
    const pending = bufs.map((buf) => P.recv(b, buf, 16, 0));
    for (const d of ['first', 'second', 'third']) await P.send(a, d, d.length, 0);
    expect(await Promise.all(pending)).toEqual([5, 6, 5]);
    expect(bufs.map((buf, k) => buf.toString('utf8', 0, [5, 6, 5][k]))).toEqual(['first', 'second', 'third']);
  });

  test('sends that must wait complete in the order they started, their bytes in that order', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const SIZE = 1 << 20;
    const finished: number[] = [];
    const chunks = [0x41, 0x42, 0x43, 0x44].map((byte) => Buffer.alloc(SIZE, byte));
    // Each is larger than the socket buffer, so each one waits behind the previous.
    const pending = chunks.map((chunk, k) =>
      P.send(a, chunk, SIZE, 0).then((n) => {
        finished.push(k);
        return n;
      }),
    );
    const received = await recvExactly(b, SIZE * chunks.length);
    expect(await Promise.all(pending)).toEqual(chunks.map(() => SIZE));
    expect(finished).toEqual([0, 1, 2, 3]);
    for (let k = 0; k < chunks.length; k++) {
      expect(received.subarray(k * SIZE, (k + 1) * SIZE).equals(chunks[k])).toBe(true);
    }
  });
});

describe('send of 64 MiB', () => {
  const TOTAL = 64 * 1024 * 1024;

  test('to a slow reader completes with 67108864 and every byte arrives in order', async () => {
    const [a, b] = await tcpPair();
    const data = randomFillSync(Buffer.alloc(TOTAL));
    const expected = sha256(data);
    const sending = track(P.send(a, data, TOTAL, 0));

    const hash = createHash('sha256');
    const chunk = Buffer.alloc(64 * 1024);
    let got = 0;
    let reads = 0;
    while (got < TOTAL) {
      const n = await P.recv(b, chunk, chunk.length, 0);
      expect(n).toBeGreaterThan(0);
      hash.update(chunk.subarray(0, n));
      got += n;
      // The reader lags: the sender must wait for room again and again.
      if (++reads % 64 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await sending.done).toEqual({ ok: true, value: TOTAL });
    expect(got).toBe(TOTAL);
    expect(hash.digest('hex')).toBe(expected);
  }, 120000);

  test('to a peer that resets part way rejects with EPIPE or ECONNRESET and bytesWritten', async () => {
    const [a, b] = await tcpPair();
    // Small buffers so that most of the 64 MiB is still unsent when the peer resets.
    expect(setsockopt(a, SOL_SOCKET, SO_SNDBUF, 65536, sizeof('int'))).toBe(0);
    expect(setsockopt(b, SOL_SOCKET, SO_RCVBUF, 65536, sizeof('int'))).toBe(0);
    const data = Buffer.alloc(TOTAL, 0x5a);
    const sending = P.send(a, data, TOTAL, 0);
    const peerRead = (await recvExactly(b, 256 * 1024)).length;
    fds.reset(b);

    const error = await rejection(sending);
    expect(error.syscall).toBe('send');
    expect(['EPIPE', 'ECONNRESET']).toContain(error.code);
    expect([EPIPE, ECONNRESET]).toContain(error.errno);
    expect(typeof error.bytesWritten).toBe('number');
    expect(error.bytesWritten as number).toBeGreaterThanOrEqual(peerRead);
    expect(error.bytesWritten as number).toBeLessThan(TOTAL);
    // The process lives on (no SIGPIPE death) and the next send fails as a rejection too.
    const again = await rejection(P.send(a, 'x', 1, 0));
    expect(['EPIPE', 'ECONNRESET']).toContain(again.code);
  }, 60000);
});
