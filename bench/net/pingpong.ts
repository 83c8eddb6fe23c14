// The ping-pong workload (bench/c/pingpong.c) written the usual node:net way.
import * as net from 'node:net';
import { BACKLOG, HOST, arg_count, cpu_us, fatal, printPort, usage } from './common';

function server(port: number): void {
  const srv = net.createServer({ noDelay: true }, (sock) => {
    srv.close();
    let n = 0;
    sock.on('data', (chunk) => {
      n += chunk.length;
      sock.write(chunk);
    });
    sock.on('error', fatal('server socket'));
    sock.on('close', () => process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`));
  });
  let cpu0 = 0;
  srv.on('error', fatal('listen'));
  srv.listen(port, HOST, BACKLOG, () => {
    printPort(srv);
    cpu0 = cpu_us();
  });
}

function client(port: number, count: number): void {
  // One immutable buffer per byte value: a write may still hold its buffer.
  const bytes = Array.from({ length: 256 }, (_, v) => Buffer.from([v]));
  const t0 = process.hrtime.bigint();
  let i = 0;
  const sock = net.connect({ port, host: HOST, noDelay: true }, () => sock.write(bytes[0]));
  sock.on('data', (chunk) => {
    for (const b of chunk) {
      if (b !== (i & 0xff)) fatal('pingpong')(new Error(`byte ${i} came back as ${b}, sent ${i & 0xff}`));
      i++;
    }
    if (i < count) sock.write(bytes[i & 0xff]);
    else sock.end();
  });
  sock.on('error', fatal('client socket'));
  sock.on('close', () => process.stdout.write(`done n=${i} ns=${process.hrtime.bigint() - t0}\n`));
}

const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'server') server(arg_count(argv[1]));
else if (argv.length === 3 && argv[0] === 'client') client(arg_count(argv[1]), arg_count(argv[2]));
else usage('pingpong server <port> | pingpong client <port> <round-trips>');
