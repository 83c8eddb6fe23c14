// send(2) and recv(2) over connected TCP and AF_UNIX stream pairs.
import {
  AF_INET,
  EAGAIN,
  EBADF,
  ECONNRESET,
  ENOTCONN,
  EPIPE,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  POLLIN,
  POLLOUT,
  SHUT_WR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  accept,
  errno,
  poll,
  pollfd,
  recv,
  send,
  setErrno,
  setsockopt,
  shutdown,
  sizeof,
  strlen,
  timeval,
} from 'bsdsock';
import { Child } from './helpers/child';
import { Fds } from './helpers/fds';
import { portOf } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

/** Receives exactly what is queued (at most size bytes), without blocking. */
function drain(fd: number, size = 256): Buffer {
  const buf = Buffer.alloc(size);
  const n = recv(fd, buf, buf.length, MSG_DONTWAIT);
  if (n < 0) throw new Error(`recv failed: errno ${errno}`);
  return buf.subarray(0, n);
}

describe('send/recv with each kind of buffer', () => {
  test('a Buffer goes through as its bytes', () => {
    const [a, b] = fds.tcpPair();
    const data = Buffer.from('hello, world');
    expect(send(a, data, data.length, 0)).toBe(12);
    const got = Buffer.alloc(64);
    expect(recv(b, got, got.length, 0)).toBe(12);
    expect(got.subarray(0, 12).toString()).toBe('hello, world');
  });

  test('a Uint8Array, sent and received', () => {
    const [a, b] = fds.tcpPair();
    const data = new Uint8Array([1, 2, 3, 250, 251]);
    expect(send(a, data, 5, 0)).toBe(5);
    const got = new Uint8Array(8);
    expect(recv(b, got, got.length, 0)).toBe(5);
    expect(Array.from(got.subarray(0, 5))).toEqual([1, 2, 3, 250, 251]);
  });

  test('a DataView sends only its window of the ArrayBuffer, and recv fills a window', () => {
    const [a, b] = fds.tcpPair();
    const ab = new Uint8Array([10, 11, 12, 13, 14, 15, 16, 17]).buffer;
    const window = new DataView(ab, 2, 4);
    expect(send(a, window, window.byteLength, 0)).toBe(4);
    const target = new ArrayBuffer(10);
    const into = new DataView(target, 3, 4);
    expect(recv(b, into, into.byteLength, 0)).toBe(4);
    expect(Array.from(new Uint8Array(target))).toEqual([0, 0, 0, 12, 13, 14, 15, 0, 0, 0]);
  });

  test('an ArrayBuffer, sent and received whole', () => {
    const [a, b] = fds.tcpPair();
    const ab = new Uint8Array([9, 8, 7, 6]).buffer;
    expect(send(a, ab, ab.byteLength, 0)).toBe(4);
    const got = new ArrayBuffer(4);
    expect(recv(b, got, got.byteLength, 0)).toBe(4);
    expect(Array.from(new Uint8Array(got))).toEqual([9, 8, 7, 6]);
  });

  test('an Int32Array: len counts bytes, not elements', () => {
    const [a, b] = fds.tcpPair();
    const data = new Int32Array([1, -2, 0x12345678]);
    expect(send(a, data, sizeof(data), 0)).toBe(12);
    const got = new Int32Array(3);
    expect(recv(b, got, sizeof(got), 0)).toBe(12);
    expect(Array.from(got)).toEqual([1, -2, 0x12345678]);
  });

  test('a string is sent as UTF-8; strlen counts its bytes (é is two)', () => {
    const [a, b] = fds.tcpPair();
    const message = 'Bonjour, café !';
    expect(strlen(message)).toBe(Buffer.byteLength(message, 'utf8'));
    expect(strlen(message)).toBe(message.length + 1);
    expect(send(a, message, strlen(message), 0)).toBe(16);
    const got = Buffer.alloc(64);
    expect(recv(b, got, got.length, 0)).toBe(16);
    expect(got.toString('utf8', 0, 16)).toBe(message);
  });

  test('len sends only the first len bytes', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, Buffer.from('abcdefgh'), 3, 0)).toBe(3);
    expect(send(a, 'été', 3, 0)).toBe(3); // "é" (2 bytes) and "t"
    expect(drain(b).toString()).toBe('abcét');
  });

  test('recv never writes past len', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, 'abcdef', 6, 0)).toBe(6);
    const got = Buffer.alloc(6, '.');
    expect(recv(b, got, 2, 0)).toBe(2);
    expect(got.toString()).toBe('ab....');
    expect(drain(b).toString()).toBe('cdef');
  });
});

describe('flags', () => {
  test('MSG_PEEK returns the data without consuming it', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, 'peekaboo', 8, 0)).toBe(8);
    const peeked = Buffer.alloc(16);
    expect(recv(b, peeked, peeked.length, MSG_PEEK)).toBe(8);
    const again = Buffer.alloc(16);
    expect(recv(b, again, again.length, MSG_PEEK)).toBe(8);
    const got = Buffer.alloc(16);
    expect(recv(b, got, got.length, 0)).toBe(8);
    expect(peeked.subarray(0, 8).toString()).toBe('peekaboo');
    expect(got).toEqual(peeked);
    expect(recv(b, got, got.length, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  test('MSG_DONTWAIT with nothing queued returns -1 with EAGAIN', () => {
    const [, b] = fds.tcpPair();
    setErrno(0);
    const buf = Buffer.alloc(8);
    expect(recv(b, buf, buf.length, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  test('a successful call leaves errno as it was', () => {
    const [a, b] = fds.tcpPair();
    setErrno(EAGAIN);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(recv(b, Buffer.alloc(1), 1, 0)).toBe(1);
    expect(errno).toBe(EAGAIN);
  });

  test('recv returns 0 once the peer has closed, after the queued data', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, 'bye', 3, 0)).toBe(3);
    expect(fds.close(a)).toBe(0);
    const buf = Buffer.alloc(8);
    expect(recv(b, buf, buf.length, 0)).toBe(3);
    expect(recv(b, buf, buf.length, 0)).toBe(0);
    expect(recv(b, buf, buf.length, MSG_DONTWAIT)).toBe(0);
  });

  test('MSG_WAITALL returns early only at EOF, with what arrived', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, 'abc', 3, 0)).toBe(3);
    expect(shutdown(a, SHUT_WR)).toBe(0);
    const buf = Buffer.alloc(10);
    expect(recv(b, buf, buf.length, MSG_WAITALL)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('abc');
  });

  test('MSG_WAITALL waits for the whole length across separate writes', async () => {
    // The peer is another process: it writes "abc", pauses, then "def".
    const listener = fds.listener();
    const script =
      "const s=require('net').connect(Number(process.argv[1]),'127.0.0.1',()=>{s.write('abc');" +
      "setTimeout(()=>s.end('def'),150)});s.on('error',()=>process.exit(2));";
    const child = Child.spawn(process.execPath, ['-e', script, String(portOf(listener.addr))]);
    try {
      // A safety net: if the child never connects or writes, accept/recv fail with EAGAIN.
      const limit = new timeval();
      limit.tv_sec = 10;
      expect(setsockopt(listener.fd, SOL_SOCKET, SO_RCVTIMEO, limit, sizeof(limit))).toBe(0);
      const conn = fds.add(accept(listener.fd, null, null));
      expect(setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, limit, sizeof(limit))).toBe(0);
      const buf = Buffer.alloc(6);
      expect(recv(conn, buf, 6, MSG_WAITALL)).toBe(6);
      expect(buf.toString()).toBe('abcdef');
    } finally {
      await child.kill();
    }
  });
});

describe('errors from the kernel', () => {
  test('send on a TCP socket that never connected: -1 with EPIPE (Linux)', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    setErrno(0);
    expect(send(fd, 'x', 1, 0)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  test('recv on a TCP socket that never connected: -1 with ENOTCONN', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(recv(fd, Buffer.alloc(4), 4, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(ENOTCONN);
  });

  test('recv on a listening socket: -1 with ENOTCONN', () => {
    const listener = fds.listener();
    expect(recv(listener.fd, Buffer.alloc(4), 4, 0)).toBe(-1);
    expect(errno).toBe(ENOTCONN);
  });

  test('recv and send on a closed descriptor: -1 with EBADF', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(fds.close(fd)).toBe(0);
    expect(recv(fd, Buffer.alloc(4), 4, 0)).toBe(-1);
    expect(errno).toBe(EBADF);
    setErrno(0);
    expect(send(fd, 'x', 1, 0)).toBe(-1);
    expect(errno).toBe(EBADF);
  });

  test('send after the peer closed and reset: -1 with EPIPE or ECONNRESET, and the process lives', () => {
    const [a, b] = fds.tcpPair();
    expect(send(a, 'unread', 6, 0)).toBe(6);
    // Closing with unread data makes the kernel send a RST.
    expect(fds.close(b)).toBe(0);
    // The first send may still succeed locally; keep sending until the error shows.
    let r = 0;
    for (let k = 0; k < 10 && r >= 0; k++) r = send(a, 'more', 4, MSG_DONTWAIT);
    expect(r).toBe(-1);
    expect([EPIPE, ECONNRESET]).toContain(errno);
  });
});

describe('a large transfer', () => {
  test('1 MiB arrives whole and in order through partial sends and recvs', () => {
    const [a, b] = fds.tcpPair();
    const size = 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let k = 0; k < size; k++) data[k] = (k * 31 + (k >> 10)) & 0xff;
    const received = Buffer.alloc(size);
    let sent = 0;
    let got = 0;
    const sender = new pollfd();
    sender.fd = a;
    const receiver = new pollfd();
    receiver.fd = b;
    receiver.events = POLLIN;
    while (got < size) {
      if (sent < size) {
        const n = send(a, data.subarray(sent), size - sent, MSG_DONTWAIT);
        if (n < 0) {
          expect(errno).toBe(EAGAIN);
        } else {
          sent += n;
        }
      }
      const n = recv(b, received.subarray(got), size - got, MSG_DONTWAIT);
      if (n < 0) {
        expect(errno).toBe(EAGAIN);
        // Nothing to read yet: wait until either side can move.
        sender.events = sent < size ? POLLOUT : 0;
        expect(poll([sender, receiver], 2, 5000)).toBeGreaterThan(0);
      } else {
        expect(n).toBeGreaterThan(0);
        got += n;
      }
    }
    expect(sent).toBe(size);
    expect(got).toBe(size);
    expect(received.equals(data)).toBe(true);
    expect(recv(b, Buffer.alloc(1), 1, MSG_DONTWAIT)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });
});
