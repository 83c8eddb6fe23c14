// bench/c/churn.c on libc through node:ffi, call for call.
import { AF_INET, SOCK_STREAM } from 'bsdsock';
import { arg_count, cpu_us, die, libc, listen_on, now_ns, sockaddr_in, usage } from './common';

function server(port: number, count: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  for (let i = 0; i < count; i++) {
    const fd = libc.accept(listen_fd, null, null);
    if (fd < 0) die('accept');
    libc.close(fd);
  }
  libc.close(listen_fd);
  process.stdout.write(`done n=${count} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function client(port: number, count: number): number {
  const addr = sockaddr_in(port);
  const t0 = now_ns();
  for (let i = 0; i < count; i++) {
    const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die('socket');
    if (libc.connect(fd, addr, addr.length) < 0) die('connect');
    libc.close(fd);
  }
  process.stdout.write(`done n=${count} ns=${now_ns() - t0}\n`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv.length === 3 && argv[0] === 'server') process.exitCode = server(arg_count(argv[1]), arg_count(argv[2]));
else if (argv.length === 3 && argv[0] === 'client') process.exitCode = client(arg_count(argv[1]), arg_count(argv[2]));
else usage('churn server <port> <n> | churn client <port> <n>');
