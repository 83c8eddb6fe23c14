// The echo server of the echo and idle-memory workloads, written the usual
// node:net way. Runs until killed; SIGUSR2 runs a full GC (with
// --expose-gc) and answers "gc" and its memory figures so the harness can read a settled RSS.
import * as net from 'node:net';
import { BACKLOG, HOST, arg_count, fatal, printPort, usage } from './common';

const argv = process.argv.slice(2);
if (argv.length !== 1) usage('echo-server <port>');
const srv = net.createServer({ noDelay: true }, (sock) => {
  sock.on('data', (chunk) => sock.write(chunk));
  // A peer that resets is the peer's business, as in the C server.
  sock.on('error', () => sock.destroy());
});
srv.on('error', fatal('listen'));
srv.listen(arg_count(argv[0]), HOST, BACKLOG, () => printPort(srv));
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `gc rss=${m.rss} heapUsed=${m.heapUsed} external=${m.external} arrayBuffers=${m.arrayBuffers}\n`,
  );
});
