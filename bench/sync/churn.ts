// bench/c/churn.c on bsdsock's synchronous API, call for call.
import {
  AF_INET,
  INADDR_LOOPBACK,
  SOCK_STREAM,
  accept,
  close,
  connect,
  htonl,
  htons,
  sizeof,
  sockaddr_in,
  socket,
} from 'bsdsock';
import { arg_count, cpu_us, die, listen_on, now_ns, usage } from './common';

function server(port: number, count: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  for (let i = 0; i < count; i++) {
    const fd = accept(listen_fd, null, null);
    if (fd < 0) die('accept');
    close(fd);
  }
  close(listen_fd);
  process.stdout.write(`done n=${count} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function client(port: number, count: number): number {
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const t0 = now_ns();
  for (let i = 0; i < count; i++) {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die('socket');
    if (connect(fd, addr, sizeof(addr)) < 0) die('connect');
    close(fd);
  }
  process.stdout.write(`done n=${count} ns=${now_ns() - t0}\n`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv.length === 3 && argv[0] === 'server') process.exitCode = server(arg_count(argv[1]), arg_count(argv[2]));
else if (argv.length === 3 && argv[0] === 'client') process.exitCode = client(arg_count(argv[1]), arg_count(argv[2]));
else usage('churn server <port> <n> | churn client <port> <n>');
