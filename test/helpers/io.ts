// Moving bytes in tests: exactly n bytes from a descriptor (bsdsock/promises), iovecs, and a
// node:net socket read as a byte stream.
import { connect as netConnect, type Socket } from 'node:net';
import { iovec } from 'bsdsock';
import * as P from 'bsdsock/promises';

/**
 * Exactly n bytes from fd, with bsdsock/promises; throws at an early EOF. With `chunk`, no recv
 * asks for more than that many bytes at once.
 */
export async function recvExactly(fd: number, n: number, chunk = n): Promise<Buffer> {
  const out = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = await P.recv(fd, out.subarray(got), Math.min(chunk, n - got), 0);
    if (r === 0) throw new Error(`EOF after ${got} of ${n} bytes`);
    got += r;
  }
  return out;
}

/** An iovec over base (its first len bytes). */
export function iov(base: Uint8Array, len = base.length): iovec {
  const v = new iovec();
  v.iov_base = base;
  v.iov_len = len;
  return v;
}

/** A node:net connection to 127.0.0.1:port, once connected; the socket goes into `sockets` first, for the suite to destroy. */
export function connectTo(port: number, sockets: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** A node:net socket read as a byte stream: what has arrived and not been taken, and whether it ended. */
export class StreamReader {
  /** The bytes received and not yet taken. */
  data: Buffer = Buffer.alloc(0);
  /** True once the peer ended the stream. */
  ended = false;
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>;
  private error: Error | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e: Error) => {
      this.error = e;
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  /** Waits until more data arrives, the stream ends or fails (a failure is thrown). */
  async more(): Promise<void> {
    if (this.error === undefined && !this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const error = this.error;
    if (error !== undefined) throw error;
  }

  /** Exactly n bytes, taken from the front; throws if the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.data.length < n) {
      if (this.ended) throw new Error(`connection ended after ${this.data.length} of ${n} bytes`);
      await this.more();
    }
    const out = this.data.subarray(0, n);
    this.data = this.data.subarray(n);
    return out;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
