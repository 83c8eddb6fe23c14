// read(2), write(2), readv(2) and writev(2): on sockets, where they are recv and send with no flags, and on any other
// descriptor (a pipe), as in C; in both APIs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { EAGAIN, EBADF, EPIPE, SOCK_NONBLOCK, SOCK_STREAM, errno, read, readv, setErrno, write, writev } from 'bsdsock';
import * as P from 'bsdsock/promises';
import { tempDir } from './helpers/build';
import { expectSystemError, expectThrown, rejection } from './helpers/errors';
import { Fds } from './helpers/fds';
import { iov } from './helpers/io';
import { nextTurn, track } from './helpers/wait';

const fds = new Fds();
afterEach(() => fds.closeAll());

describe('read and write (bsdsock)', () => {
  test('write then read on a connected TCP pair moves the bytes; a string is written as UTF-8', () => {
    const [a, b] = fds.tcpPair();
    expect(write(a, 'héllo', 6)).toBe(6);
    const buf = Buffer.alloc(16);
    expect(read(b, buf, buf.length)).toBe(6);
    expect(buf.subarray(0, 6).toString('utf8')).toBe('héllo');
  });

  test('read returns 0 at end of stream, once the peer closed', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    fds.close(a);
    expect(read(b, Buffer.alloc(4), 4)).toBe(0);
  });

  test('they work on a pipe, which is not a socket (recv would fail with ENOTSOCK)', () => {
    const [r, w] = pipe();
    expect(write(w, Buffer.from('abc'), 3)).toBe(3);
    const buf = new Uint8Array(8);
    expect(read(r, buf, 8)).toBe(3);
    expect(Array.from(buf.subarray(0, 3))).toEqual([0x61, 0x62, 0x63]);
  });

  test('a failure returns -1 and sets errno: EBADF, EAGAIN on a non-blocking socket, EPIPE', () => {
    setErrno(0);
    expect(read(-1, Buffer.alloc(1), 1)).toBe(-1);
    expect(errno).toBe(EBADF);
    const [a, b] = fds.unixPair(SOCK_STREAM | SOCK_NONBLOCK);
    expect(read(a, Buffer.alloc(1), 1)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    fds.close(b);
    expect(write(a, 'x', 1)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  test('a count larger than the buffer, or a wrong type, throws before any call, errno untouched', () => {
    expectThrown(() => read(0, Buffer.alloc(2), 3), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'read',
      param: 'count',
    });
    expectThrown(() => write(0, 'ab', 3), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'write', param: 'count' });
    expectThrown(() => read('0' as never, Buffer.alloc(2), 1), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'read',
      param: 'fd',
    });
  });
});

describe('readv and writev', () => {
  test('writev gathers the buffers in order; readv scatters what arrives over its buffers in turn', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(writev(a, [iov(Buffer.from('abc')), iov(Buffer.from('--'), 0), iov(Buffer.from('defgh'), 3)], 3)).toBe(6);
    const first = Buffer.alloc(2);
    const second = Buffer.alloc(8);
    expect(readv(b, [iov(first), iov(second)], 2)).toBe(6);
    expect([first.toString(), second.subarray(0, 4).toString()]).toEqual(['ab', 'cdef']);
  });

  test('iovcnt counts from the first iovec; more than the array holds, or an iov_len past its buffer, throws', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    expect(writev(a, [iov(Buffer.from('x')), iov(Buffer.from('yy'))], 1)).toBe(1);
    expectThrown(() => writev(a, [iov(Buffer.from('x'))], 2), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'writev',
      param: 'iovcnt',
    });
    const short = iov(Buffer.alloc(2));
    short.bytes.fill(0xff, short.bytes.length - 8);
    expect(() => readv(a, [short], 1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    setErrno(0);
    expect(readv(-1, [iov(Buffer.alloc(1))], 1)).toBe(-1);
    expect(errno).toBe(EBADF);
  });

  test('in bsdsock/promises, readv waits for data and writev resolves with what one call wrote', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const into = Buffer.alloc(4);
    const pending = P.readv(b, [iov(into)], 1);
    expect(await P.writev(a, [iov(Buffer.from('hi')), iov(Buffer.from('!'))], 2)).toBe(3);
    expect(await pending).toBe(3);
    expect(into.subarray(0, 3).toString()).toBe('hi!');
  });
});

describe('read and write (bsdsock/promises)', () => {
  test('read waits for data without blocking the loop; write writes all of count', async () => {
    const [a, b] = fds.tcpPair();
    const buf = Buffer.alloc(8);
    const pending = track(P.read(b, buf, 8));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    const big = Buffer.alloc(4 << 20, 7);
    const written = P.write(a, big, big.length);
    let total = await pending.promise;
    expect(total).toBeGreaterThan(0);
    // The rest of the 4 MiB, read while write goes on: every byte arrives.
    const chunk = Buffer.alloc(65536);
    while (total < big.length) {
      const n = await P.read(b, chunk, chunk.length);
      expect(n).toBeGreaterThan(0);
      total += n;
    }
    expect(await written).toBe(big.length);
  });

  test('a failure rejects with the errno in Node shape; bad arguments throw at once', async () => {
    expectSystemError(await rejection(P.read(-1, Buffer.alloc(1), 1)), 'read', EBADF);
    expect(() => P.write(0, 'ab', 3)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

/** A pipe's two ends, recorded so the suite closes them. */
function pipe(): [number, number] {
  // Node has no pipe(2); a FIFO in a temporary directory gives the same two descriptors.
  const dir = tempDir('rw');
  try {
    const fifo = dir.path('fifo');
    execFileSync('mkfifo', [fifo]);
    const r = fds.add(fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    return [r, fds.add(fs.openSync(fifo, fs.constants.O_WRONLY))];
  } finally {
    dir.remove();
  }
}
