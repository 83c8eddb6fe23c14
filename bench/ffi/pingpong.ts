// bench/c/pingpong.c on libc through node:ffi, call for call.
import { IPPROTO_TCP, TCP_NODELAY } from 'bsdsock';
import { arg_count, connect_to, cpu_us, die, int1, libc, listen_on, now_ns, usage } from './common';

function server(port: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  const fd = libc.accept(listen_fd, null, null);
  if (fd < 0) die('accept');
  if (libc.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, int1(), 4) < 0) die('setsockopt');
  const byte = Buffer.alloc(1);
  let n = 0;
  for (;;) {
    const r = libc.recv(fd, byte, 1, 0);
    if (r < 0) die('recv');
    if (r === 0) break;
    if (libc.send(fd, byte, 1, 0) !== 1) die('send');
    n++;
  }
  libc.close(fd);
  libc.close(listen_fd);
  process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function client(port: number, count: number): number {
  const t0 = now_ns();
  const fd = connect_to(port);
  if (libc.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, int1(), 4) < 0) die('setsockopt');
  const out = Buffer.alloc(1);
  const inb = Buffer.alloc(1);
  for (let i = 0; i < count; i++) {
    out[0] = i & 0xff;
    if (libc.send(fd, out, 1, 0) !== 1) die('send');
    const r = libc.recv(fd, inb, 1, 0);
    if (r !== 1) die('recv');
    if (inb[0] !== out[0]) {
      process.stderr.write(`pingpong: byte ${i} came back as ${inb[0]}, sent ${out[0]}\n`);
      return 1;
    }
  }
  libc.close(fd);
  process.stdout.write(`done n=${count} ns=${now_ns() - t0}\n`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'server') process.exitCode = server(arg_count(argv[1]));
else if (argv.length === 3 && argv[0] === 'client') process.exitCode = client(arg_count(argv[1]), arg_count(argv[2]));
else usage('pingpong server <port> | pingpong client <port> <round-trips>');
