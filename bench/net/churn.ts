// The churn workload (bench/c/churn.c) written the usual node:net way: one
// connection at a time, destroyed as soon as it is up, on both sides.
import * as net from 'node:net';
import { BACKLOG, HOST, arg_count, cpu_us, fatal, printPort, usage } from './common';

function server(port: number, count: number): void {
  let cpu0 = 0;
  let n = 0;
  const srv = net.createServer((sock) => {
    sock.destroy();
    if (++n === count) {
      srv.close();
      process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`);
    }
  });
  srv.on('error', fatal('listen'));
  srv.listen(port, HOST, BACKLOG, () => {
    printPort(srv);
    cpu0 = cpu_us();
  });
}

function client(port: number, count: number): void {
  const t0 = process.hrtime.bigint();
  let i = 0;
  const next = (): void => {
    if (i === count) {
      process.stdout.write(`done n=${i} ns=${process.hrtime.bigint() - t0}\n`);
      return;
    }
    i++;
    const sock = net.connect({ port, host: HOST }, () => {
      sock.destroy();
      next();
    });
    sock.on('error', fatal('connect'));
  };
  next();
}

const argv = process.argv.slice(2);
if (argv.length === 3 && argv[0] === 'server') server(arg_count(argv[1]), arg_count(argv[2]));
else if (argv.length === 3 && argv[0] === 'client') client(arg_count(argv[1]), arg_count(argv[2]));
else usage('churn server <port> <n> | churn client <port> <n>');
