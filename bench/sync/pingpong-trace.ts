// The trace-cost workload: pingpong.ts with send and recv taken either from
// lib/io.ts itself ("checked": the library's path, with the tracer's branch)
// or from untraced-io.ts ("untraced": the same code without that branch).
// Both are bound to local constants, so the call sites are identical and the
// difference is the branch alone; with BSDSOCK_TRACE=1 "checked" traces.
//   pingpong-trace checked|untraced server <port>
//   pingpong-trace checked|untraced client <port> <round-trips>
import { IPPROTO_TCP, TCP_NODELAY, accept, close, setsockopt, sizeof } from 'bsdsock';
import * as io from '../../lib/io';
import * as untraced from './untraced-io';
import { arg_count, connect_to, cpu_us, die, listen_on, now_ns, usage } from './common';

const variant = process.argv[2];
const { send, recv } = variant === 'untraced' ? untraced : io;

function server(port: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  const fd = accept(listen_fd, null, null);
  if (fd < 0) die('accept');
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int')) < 0) die('setsockopt');
  const byte = Buffer.alloc(1);
  let n = 0;
  for (;;) {
    const r = recv(fd, byte, 1, 0);
    if (r < 0) die('recv');
    if (r === 0) break;
    if (send(fd, byte, 1, 0) !== 1) die('send');
    n++;
  }
  close(fd);
  close(listen_fd);
  process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function client(port: number, count: number): number {
  const t0 = now_ns();
  const fd = connect_to(port);
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int')) < 0) die('setsockopt');
  const out = Buffer.alloc(1);
  const inb = Buffer.alloc(1);
  for (let i = 0; i < count; i++) {
    out[0] = i & 0xff;
    if (send(fd, out, 1, 0) !== 1) die('send');
    const r = recv(fd, inb, 1, 0);
    if (r !== 1) die('recv');
    if (inb[0] !== out[0]) {
      process.stderr.write(`pingpong: byte ${i} came back as ${inb[0]}, sent ${out[0]}\n`);
      return 1;
    }
  }
  close(fd);
  process.stdout.write(`done n=${count} ns=${now_ns() - t0}\n`);
  return 0;
}

const argv = process.argv.slice(3);
if (variant !== 'checked' && variant !== 'untraced') usage('pingpong-trace checked|untraced server|client ...');
else if (argv.length === 2 && argv[0] === 'server') process.exitCode = server(arg_count(argv[1]));
else if (argv.length === 3 && argv[0] === 'client') process.exitCode = client(arg_count(argv[1]), arg_count(argv[2]));
else usage('pingpong-trace checked|untraced server <port> | client <port> <round-trips>');
