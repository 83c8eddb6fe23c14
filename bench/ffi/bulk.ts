// bench/c/bulk.c on libc through node:ffi, call for call.
import { SHUT_WR } from 'bsdsock';
import { arg_count, connect_to, cpu_us, die, libc, listen_on, now_ns, usage } from './common';

const CHUNK = 65536;

const buf = Buffer.alloc(CHUNK);

function server(port: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  const fd = libc.accept(listen_fd, null, null);
  if (fd < 0) die('accept');
  let total = 0;
  for (;;) {
    const r = libc.recv(fd, buf, CHUNK, 0);
    if (r < 0) die('recv');
    if (r === 0) break;
    total += r;
  }
  libc.close(fd);
  libc.close(listen_fd);
  process.stdout.write(`done n=${total} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function client(port: number, bytes: number): number {
  buf.fill('x');
  const t0 = now_ns();
  const fd = connect_to(port);
  let sent = 0;
  while (sent < bytes) {
    const len = bytes - sent < CHUNK ? bytes - sent : CHUNK;
    const r = libc.send(fd, buf, len, 0);
    if (r < 0) die('send');
    sent += r;
  }
  if (libc.shutdown(fd, SHUT_WR) < 0) die('shutdown');
  if (libc.recv(fd, buf, CHUNK, 0) !== 0) die('recv');
  libc.close(fd);
  process.stdout.write(`done n=${sent} ns=${now_ns() - t0}\n`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'server') process.exitCode = server(arg_count(argv[1]));
else if (argv.length === 3 && argv[0] === 'client') process.exitCode = client(arg_count(argv[1]), arg_count(argv[2]));
else usage('bulk server <port> | bulk client <port> <bytes>');
