// The echo server of the echo and idle-memory workloads on bsdsock/promises,
// written as a user would: the listening socket set up with the synchronous
// calls, then one async loop per connection. Two ways to wait:
//   --wait recv (default): a pending recv into the connection's own buffer
//     (--buf bytes, 4096 by default);
//   --wait poll: a pending poll for POLLIN, then a non-blocking recv into one
//     buffer shared by all connections, and the echo sent straight away; only
//     a reply the socket cannot take at once is copied and awaited.
// Runs until killed; SIGUSR2 runs a full GC (with --expose-gc) and answers
// "gc" so the harness can read a settled RSS.
//   echo-server <port> [--wait recv|poll] [--buf <bytes>]
import { parseArgs } from 'node:util';
import {
  EAGAIN,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  POLLIN,
  TCP_NODELAY,
  close,
  errno,
  pollfd,
  recv as recvNow,
  send as sendNow,
  setsockopt,
  sizeof,
} from 'bsdsock';
import { accept, poll, recv, send } from 'bsdsock/promises';
import { arg_count, listen_on, usage } from '../sync/common';

async function serveRecv(fd: number, size: number): Promise<void> {
  const buf = Buffer.alloc(size);
  try {
    for (;;) {
      const n = await recv(fd, buf, size, 0);
      if (n === 0) break;
      await send(fd, buf, n, 0);
    }
  } catch {
    // A peer that resets is the peer's business, as in the C server.
  } finally {
    close(fd);
  }
}

async function servePoll(fd: number, shared: Buffer): Promise<void> {
  const pfd = new pollfd();
  pfd.fd = fd;
  pfd.events = POLLIN;
  try {
    for (;;) {
      await poll(pfd, 1, -1);
      const n = recvNow(fd, shared, shared.length, MSG_DONTWAIT);
      if (n === 0) break;
      if (n < 0) {
        if (errno === EAGAIN) continue;
        break;
      }
      const w = sendNow(fd, shared, n, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w === n) continue;
      if (w < 0 && errno !== EAGAIN) break;
      // The shared buffer is reused by the next connection that speaks: keep
      // what is left of this reply in its own copy while it waits.
      const rest = Buffer.from(shared.subarray(Math.max(w, 0), n));
      await send(fd, rest, rest.length, MSG_NOSIGNAL);
    }
  } catch {
    // As above.
  } finally {
    close(fd);
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { wait: { type: 'string', default: 'recv' }, buf: { type: 'string', default: '4096' } },
    });
  } catch {
    usage('echo-server <port> [--wait recv|poll] [--buf <bytes>]');
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || (values.wait !== 'recv' && values.wait !== 'poll')) {
    usage('echo-server <port> [--wait recv|poll] [--buf <bytes>]');
  }
  const size = arg_count(values.buf);
  const shared = Buffer.alloc(65536);
  // Before the port is printed: the harness may signal as soon as it reads it.
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.stdout.write(
      `gc rss=${m.rss} heapUsed=${m.heapUsed} external=${m.external} arrayBuffers=${m.arrayBuffers}\n`,
    );
  });
  const listen_fd = listen_on(arg_count(positionals[0]));
  for (;;) {
    const fd = await accept(listen_fd, null, null);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'));
    void (values.wait === 'poll' ? servePoll(fd, shared) : serveRecv(fd, size));
  }
}

void main();
