// The bulk workload (bench/c/bulk.c) written the usual node:net way: write
// 64 KiB chunks until write() asks to wait, resume on 'drain'.
import * as net from 'node:net';
import { BACKLOG, HOST, arg_count, cpu_us, fatal, printPort, usage } from './common';

const CHUNK = 65536;

function server(port: number): void {
  let cpu0 = 0;
  const srv = net.createServer((sock) => {
    srv.close();
    let total = 0;
    sock.on('data', (chunk) => {
      total += chunk.length;
    });
    sock.on('error', fatal('server socket'));
    sock.on('close', () => process.stdout.write(`done n=${total} cpu_us=${cpu_us() - cpu0}\n`));
  });
  srv.on('error', fatal('listen'));
  srv.listen(port, HOST, BACKLOG, () => {
    printPort(srv);
    cpu0 = cpu_us();
  });
}

function client(port: number, bytes: number): void {
  const buf = Buffer.alloc(CHUNK, 'x');
  const t0 = process.hrtime.bigint();
  let sent = 0;
  const sock = net.connect({ port, host: HOST });
  const pump = (): void => {
    while (sent < bytes) {
      const len = Math.min(CHUNK, bytes - sent);
      sent += len;
      if (!sock.write(len === CHUNK ? buf : buf.subarray(0, len))) {
        sock.once('drain', pump);
        return;
      }
    }
    sock.end();
  };
  sock.on('connect', pump);
  sock.on('data', () => fatal('bulk')(new Error('the server sent data')));
  sock.on('error', fatal('client socket'));
  sock.on('close', () => process.stdout.write(`done n=${sent} ns=${process.hrtime.bigint() - t0}\n`));
}

const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'server') server(arg_count(argv[1]));
else if (argv.length === 3 && argv[0] === 'client') client(arg_count(argv[1]), arg_count(argv[2]));
else usage('bulk server <port> | bulk client <port> <bytes>');
