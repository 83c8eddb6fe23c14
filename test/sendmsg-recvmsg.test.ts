// sendmsg(2) and recvmsg(2): scatter/gather, addresses, and control
// messages (SCM_RIGHTS descriptor passing, SCM_CREDENTIALS) walked with the
// cmsg(3) macros.
import { endianness } from 'node:os';
import {
  AF_INET,
  AF_INET6,
  CMSG_DATA,
  CMSG_FIRSTHDR,
  CMSG_LEN,
  CMSG_NXTHDR,
  CMSG_SPACE,
  EAGAIN,
  EBADF,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_TRUNC,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_PASSCRED,
  cast,
  cmsghdr,
  errno,
  getsockname,
  iovec,
  msghdr,
  recv,
  recvmsg,
  send,
  sendmsg,
  setErrno,
  setsockopt,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  socklen_t,
  ucred,
} from 'bsdsock';
import { Fds } from './helpers/fds';
import { iov } from './helpers/io';

const fds = new Fds();
afterEach(() => fds.closeAll());

const LE = endianness() === 'LE';
const INT = sizeof('int');

function putInts(data: Buffer, values: number[]): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  values.forEach((v, k) => view.setInt32(k * INT, v, LE));
}

function getInts(data: Buffer): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  for (let at = 0; at + INT <= data.byteLength; at += INT) out.push(view.getInt32(at, LE));
  return out;
}

/** A msghdr over the given iovecs, no name, no control. */
function message(iovs: iovec[], iovlen = iovs.length): msghdr {
  const msg = new msghdr();
  msg.msg_iov = iovs;
  msg.msg_iovlen = iovlen;
  return msg;
}

/** Fills msg's control buffer with one SCM_RIGHTS message carrying descriptors. */
function attachRights(msg: msghdr, descriptors: number[]): void {
  const len = descriptors.length * INT;
  msg.msg_control = Buffer.alloc(CMSG_SPACE(len));
  msg.msg_controllen = msg.msg_control.length;
  const cmsg = CMSG_FIRSTHDR(msg);
  if (cmsg === null) throw new Error('CMSG_FIRSTHDR returned null on a large enough buffer');
  cmsg.cmsg_level = SOL_SOCKET;
  cmsg.cmsg_type = SCM_RIGHTS;
  cmsg.cmsg_len = CMSG_LEN(len);
  putInts(CMSG_DATA(cmsg), descriptors);
}

/** Every control message of a received msghdr, in order. */
function controlMessages(msg: msghdr): cmsghdr[] {
  const out: cmsghdr[] = [];
  for (let c = CMSG_FIRSTHDR(msg); c !== null; c = CMSG_NXTHDR(msg, c)) out.push(c);
  return out;
}

/** The descriptors received in msg's SCM_RIGHTS messages, recorded to be closed. */
function receivedFds(msg: msghdr): number[] {
  const out: number[] = [];
  for (const c of controlMessages(msg)) {
    if (c.cmsg_level === SOL_SOCKET && c.cmsg_type === SCM_RIGHTS) {
      for (const fd of getInts(CMSG_DATA(c))) out.push(fds.add(fd));
    }
  }
  return out;
}

/** Sends one byte with the descriptors attached, over an AF_UNIX socket. */
function sendFds(sock: number, descriptors: number[]): number {
  const msg = message([iov(Buffer.from('F'))]);
  attachRights(msg, descriptors);
  return sendmsg(sock, msg, 0);
}

/** A recvmsg msghdr with room for one byte and `controlSize` bytes of control. */
function receiver(controlSize: number): msghdr {
  const msg = message([iov(Buffer.alloc(1))]);
  msg.msg_control = Buffer.alloc(controlSize);
  msg.msg_controllen = controlSize;
  return msg;
}

/** Proves a and b are the two ends of one connection, both ways. */
function expectConnected(a: number, b: number, text: string): void {
  expect(send(a, text, text.length, 0)).toBe(text.length);
  const got = Buffer.alloc(64);
  expect(recv(b, got, got.length, MSG_DONTWAIT)).toBe(text.length);
  expect(got.toString('utf8', 0, text.length)).toBe(text);
  expect(send(b, 'ack', 3, 0)).toBe(3);
  expect(recv(a, got, got.length, MSG_DONTWAIT)).toBe(3);
  expect(got.toString('utf8', 0, 3)).toBe('ack');
}

describe('scatter/gather', () => {
  test('sendmsg gathers msg_iovlen iovecs; recvmsg scatters into its own', () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    const parts = [
      iov(Buffer.from('ab')),
      iov(Buffer.from('cdeXX'), 3),
      iov(Buffer.from('f')),
      iov(Buffer.from('NOT')),
    ];
    // Only the first three are used: msg_iovlen says so.
    expect(sendmsg(a, message(parts, 3), 0)).toBe(6);
    const out = [Buffer.alloc(2, '.'), Buffer.alloc(3, '.'), Buffer.alloc(8, '.')];
    const msg = message(out.map((buf) => iov(buf)));
    expect(recvmsg(b, msg, 0)).toBe(6);
    expect(out.map((buf) => buf.toString())).toEqual(['ab', 'cde', 'f.......']);
    expect(msg.msg_flags & MSG_TRUNC).toBe(0);
  });

  test('gather over TCP, then one recv sees the bytes in order', () => {
    const [a, b] = fds.tcpPair();
    const parts = [iov(Buffer.from('Hello')), iov(Buffer.from(', ')), iov(Buffer.from('world'))];
    expect(sendmsg(a, message(parts), 0)).toBe(12);
    const got = Buffer.alloc(32);
    expect(recv(b, got, got.length, 0)).toBe(12);
    expect(got.toString('utf8', 0, 12)).toBe('Hello, world');
  });

  test('a datagram larger than the iovecs is cut and msg_flags has MSG_TRUNC', () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    expect(send(a, '0123456789', 10, 0)).toBe(10);
    const small = [Buffer.alloc(2), Buffer.alloc(2)];
    const msg = message(small.map((buf) => iov(buf)));
    expect(recvmsg(b, msg, 0)).toBe(4);
    expect(msg.msg_flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(Buffer.concat(small).toString()).toBe('0123');
    // A datagram that fits clears the flag again.
    expect(send(a, 'ok', 2, 0)).toBe(2);
    expect(recvmsg(b, msg, 0)).toBe(2);
    expect(msg.msg_flags & MSG_TRUNC).toBe(0);
  });

  test('with the MSG_TRUNC flag recvmsg returns the real datagram length', () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    expect(send(a, '0123456789', 10, 0)).toBe(10);
    const msg = message([iov(Buffer.alloc(4))]);
    expect(recvmsg(b, msg, MSG_TRUNC)).toBe(10);
    expect(msg.msg_flags & MSG_TRUNC).toBe(MSG_TRUNC);
  });
});

describe('msg_name on UDP', () => {
  test('sendmsg to msg_name; recvmsg fills msg_name and msg_namelen with the sender', () => {
    const { fd: rx, addr: rxAddr } = fds.bound(SOCK_DGRAM);
    const { fd: tx, addr: txAddr } = fds.bound(SOCK_DGRAM);

    const out = message([iov(Buffer.from('named'))]);
    out.msg_name = rxAddr;
    out.msg_namelen = sizeof(rxAddr);
    expect(sendmsg(tx, out, 0)).toBe(5);

    const from = new sockaddr_in();
    const data = Buffer.alloc(16);
    const msg = message([iov(data)]);
    msg.msg_name = from;
    msg.msg_namelen = sizeof(from);
    expect(recvmsg(rx, msg, 0)).toBe(5);
    expect(data.toString('utf8', 0, 5)).toBe('named');
    expect(msg.msg_namelen).toBe(16);
    expect(from.sin_family).toBe(AF_INET);
    expect(from.sin_port).toBe(txAddr.sin_port);
    expect(from.sin_addr.s_addr).toBe(txAddr.sin_addr.s_addr);
  });

  test('a msg_name shorter than the address gets what fits, msg_namelen the full length, nothing beyond', () => {
    const { fd: rx, addr: rxAddr } = fds.bound(SOCK_DGRAM);
    const tx = fds.socket(AF_INET, SOCK_DGRAM);
    const out = message([iov(Buffer.from('short'))]);
    out.msg_name = rxAddr;
    out.msg_namelen = sizeof(rxAddr);
    expect(sendmsg(tx, out, 0)).toBe(5);

    // A sockaddr_in viewing the middle of a guard-filled allocation, of which only msg_namelen = 4 bytes
    // may be written.
    const backing = Buffer.alloc(4 + sizeof(sockaddr_in) + 4, 0xee);
    const from = new sockaddr_in(backing.subarray(4, 4 + sizeof(sockaddr_in)));
    const name = backing.subarray(4, 8);
    const msg = message([iov(Buffer.alloc(8))]);
    msg.msg_name = from;
    msg.msg_namelen = 4;
    expect(recvmsg(rx, msg, 0)).toBe(5);
    expect(msg.msg_namelen).toBe(sizeof(sockaddr_in));
    // sa_family (host order) then sin_port (network order): the first four bytes of the address.
    const family = Buffer.alloc(2);
    if (LE) family.writeUInt16LE(AF_INET);
    else family.writeUInt16BE(AF_INET);
    expect([...name.subarray(0, 2)]).toEqual([...family]);
    const txAddr = new sockaddr_in();
    expect(getsockname(tx, txAddr, new socklen_t(sizeof(txAddr)))).toBe(0);
    expect([...name.subarray(2, 4)]).toEqual([...txAddr.bytes.subarray(2, 4)]);
    expect([...backing.subarray(0, 4), ...backing.subarray(8)]).toEqual(new Array(backing.length - 4).fill(0xee));
  });

  test('IPv6: a sockaddr_storage msg_name, read through a cast', () => {
    const { fd: rx, addr: rxAddr } = fds.bound6(SOCK_DGRAM);
    const { fd: tx, addr: txAddr } = fds.bound6(SOCK_DGRAM);

    const out = message([iov(Buffer.from('six'))]);
    out.msg_name = rxAddr;
    out.msg_namelen = sizeof(rxAddr);
    expect(sendmsg(tx, out, 0)).toBe(3);

    const storage = new sockaddr_storage();
    const msg = message([iov(Buffer.alloc(8))]);
    msg.msg_name = storage;
    msg.msg_namelen = sizeof(storage);
    expect(recvmsg(rx, msg, 0)).toBe(3);
    expect(msg.msg_namelen).toBe(sizeof(sockaddr_in6));
    expect(storage.ss_family).toBe(AF_INET6);
    expect(cast(sockaddr_in6, storage).sin6_port).toBe(txAddr.sin6_port);
  });
});

describe('SCM_RIGHTS descriptor passing', () => {
  test('a passed TCP socket is the same socket on the receiving side', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [client, server] = fds.tcpPair();
    expect(sendFds(u0, [server])).toBe(1);

    const msg = receiver(CMSG_SPACE(INT));
    expect(recvmsg(u1, msg, 0)).toBe(1);
    expect(msg.msg_flags & MSG_CTRUNC).toBe(0);
    expect(msg.msg_controllen).toBe(CMSG_SPACE(INT));
    const cmsg = CMSG_FIRSTHDR(msg);
    expect(cmsg).not.toBeNull();
    expect(cmsg!.cmsg_level).toBe(SOL_SOCKET);
    expect(cmsg!.cmsg_type).toBe(SCM_RIGHTS);
    expect(cmsg!.cmsg_len).toBe(CMSG_LEN(INT));
    expect(CMSG_DATA(cmsg!).length).toBe(INT);
    expect(CMSG_NXTHDR(msg, cmsg!)).toBeNull();
    const [passed] = receivedFds(msg);
    expect(passed).not.toBe(server);

    // With the original closed, only the passed descriptor holds the connection.
    expect(fds.close(server)).toBe(0);
    expectConnected(passed, client, 'through the passed descriptor');
  });

  test('two descriptors in one message', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [p0, p1] = fds.unixPair(SOCK_STREAM);
    const [q0, q1] = fds.unixPair(SOCK_STREAM);
    expect(sendFds(u0, [p1, q1])).toBe(1);

    const msg = receiver(CMSG_SPACE(2 * INT));
    expect(recvmsg(u1, msg, 0)).toBe(1);
    expect(msg.msg_flags & MSG_CTRUNC).toBe(0);
    expect(CMSG_FIRSTHDR(msg)!.cmsg_len).toBe(CMSG_LEN(2 * INT));
    const received = receivedFds(msg);
    expect(received).toHaveLength(2);
    expect(fds.close(p1)).toBe(0);
    expect(fds.close(q1)).toBe(0);
    expectConnected(received[0], p0, 'first');
    expectConnected(received[1], q0, 'second');
  });

  test('a control buffer too small for the descriptors: MSG_CTRUNC, the rest are dropped', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [p0, p1] = fds.unixPair(SOCK_STREAM);
    const [, q1] = fds.unixPair(SOCK_STREAM);
    expect(sendFds(u0, [p1, q1])).toBe(1);

    // Room for the header and one int only.
    const msg = receiver(CMSG_LEN(INT));
    expect(recvmsg(u1, msg, 0)).toBe(1);
    expect(msg.msg_flags & MSG_CTRUNC).toBe(MSG_CTRUNC);
    expect(msg.msg_controllen).toBeLessThanOrEqual(CMSG_LEN(INT));
    // The one that fit arrived (Linux), and it works; afterEach closes it.
    const arrived = receivedFds(msg);
    expect(arrived).toHaveLength(1);
    expect(fds.close(p1)).toBe(0);
    expectConnected(arrived[0], p0, 'the one that fit');
  });

  test('no control buffer at all: MSG_CTRUNC and no descriptor arrives', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [, p1] = fds.unixPair(SOCK_STREAM);
    expect(sendFds(u0, [p1])).toBe(1);
    const msg = message([iov(Buffer.alloc(1))]);
    expect(recvmsg(u1, msg, 0)).toBe(1);
    expect(msg.msg_flags & MSG_CTRUNC).toBe(MSG_CTRUNC);
    expect(msg.msg_controllen).toBe(0);
    expect(CMSG_FIRSTHDR(msg)).toBeNull();
  });

  test('sendmsg with a closed descriptor in SCM_RIGHTS: -1 with EBADF, nothing sent', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const gone = fds.socket(AF_INET, SOCK_STREAM);
    expect(fds.close(gone)).toBe(0);
    setErrno(0);
    expect(sendFds(u0, [gone])).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(recv(u1, Buffer.alloc(1), 1, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });
});

describe('walking control messages', () => {
  test('CMSG_NXTHDR walks headers built in a buffer and returns null after the last', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [p0, p1] = fds.unixPair(SOCK_STREAM);
    const [q0, q1] = fds.unixPair(SOCK_STREAM);

    const msg = message([iov(Buffer.from('F'))]);
    msg.msg_control = Buffer.alloc(2 * CMSG_SPACE(INT));
    msg.msg_controllen = msg.msg_control.length;
    const first = CMSG_FIRSTHDR(msg)!;
    expect(first).not.toBeNull();
    first.cmsg_level = SOL_SOCKET;
    first.cmsg_type = SCM_RIGHTS;
    first.cmsg_len = CMSG_LEN(INT);
    putInts(CMSG_DATA(first), [p1]);
    const second = CMSG_NXTHDR(msg, first)!;
    expect(second).not.toBeNull();
    // The second header starts CMSG_SPACE(int) bytes after the first.
    expect(second.bytes.byteOffset - first.bytes.byteOffset).toBe(CMSG_SPACE(INT));
    second.cmsg_level = SOL_SOCKET;
    second.cmsg_type = SCM_RIGHTS;
    second.cmsg_len = CMSG_LEN(INT);
    putInts(CMSG_DATA(second), [q1]);
    expect(CMSG_NXTHDR(msg, second)).toBeNull();

    expect(sendmsg(u0, msg, 0)).toBe(1);
    const rx = receiver(CMSG_SPACE(2 * INT) + CMSG_SPACE(INT));
    expect(recvmsg(u1, rx, 0)).toBe(1);
    const received = receivedFds(rx);
    expect(received).toHaveLength(2);
    expect(fds.close(p1)).toBe(0);
    expect(fds.close(q1)).toBe(0);
    expectConnected(received[0], p0, 'one');
    expectConnected(received[1], q0, 'two');
  });

  test('recvmsg with two kinds of control message: SCM_CREDENTIALS and SCM_RIGHTS, then null', () => {
    const [u0, u1] = fds.unixPair(SOCK_STREAM);
    const [p0, p1] = fds.unixPair(SOCK_STREAM);
    expect(setsockopt(u1, SOL_SOCKET, SO_PASSCRED, 1, INT)).toBe(0);
    expect(sendFds(u0, [p1])).toBe(1);

    const rx = receiver(CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(INT));
    expect(recvmsg(u1, rx, 0)).toBe(1);
    expect(rx.msg_flags & MSG_CTRUNC).toBe(0);
    const all = controlMessages(rx);
    expect(all).toHaveLength(2);
    expect(all.map((c) => c.cmsg_type).sort()).toEqual([SCM_CREDENTIALS, SCM_RIGHTS].sort());
    expect(CMSG_NXTHDR(rx, all[1])).toBeNull();

    const creds = all.find((c) => c.cmsg_type === SCM_CREDENTIALS)!;
    expect(creds.cmsg_level).toBe(SOL_SOCKET);
    expect(creds.cmsg_len).toBe(CMSG_LEN(sizeof(ucred)));
    const cred = cast(ucred, CMSG_DATA(creds));
    expect(cred.pid).toBe(process.pid);
    expect(cred.uid).toBe(process.getuid!());
    expect(cred.gid).toBe(process.getgid!());

    const [passed] = receivedFds(rx);
    expect(fds.close(p1)).toBe(0);
    expectConnected(passed, p0, 'with credentials');
  });
});
