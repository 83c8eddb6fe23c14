// The servers of the ping-pong and churn workloads with their loops in C (bench/floor/floor.cc)
// inside a Node process: set up as bench/sync/pingpong.ts and bench/sync/churn.ts do, then one call
// into the addon that runs every recv/send or accept/close from C. No JavaScript and no N-API per
// operation, so its server CPU is the floor a Node process sets for these workloads, whatever the
// binding: what the process costs beyond the C program (its memory, its threads, the caches the
// kernel finds after each switch), measured beside the C server and bsdsock's.
//   in-node pingpong server <port> | in-node churn server <port> <n>
import { loadFloor } from './addon';
import { IPPROTO_TCP, TCP_NODELAY, accept, close, setsockopt, sizeof } from 'bsdsock';
import { arg_count, cpu_us, die, listen_on, usage } from '../sync/common';

interface Loops {
  pingpongServer(fd: number): number;
  churnServer(listenFd: number, n: number): number;
}

const loops = loadFloor<Loops>();

// The C loop's errno comes back as its negative result (bsdsock's errno did not see the call).
function fail(what: string, r: number): never {
  process.stderr.write(`in-node: ${what} failed with errno ${-r}\n`);
  process.exit(1);
}

function pingpong(port: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  const fd = accept(listen_fd, null, null);
  if (fd < 0) die('accept');
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int')) < 0) die('setsockopt');
  const n = loops.pingpongServer(fd);
  if (n < 0) fail('recv/send', n);
  close(fd);
  close(listen_fd);
  process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

function churn(port: number, count: number): number {
  const listen_fd = listen_on(port);
  const cpu0 = cpu_us();
  const n = loops.churnServer(listen_fd, count);
  if (n < 0) fail('accept', n);
  close(listen_fd);
  process.stdout.write(`done n=${n} cpu_us=${cpu_us() - cpu0}\n`);
  return 0;
}

const argv = process.argv.slice(2);
if (argv.length === 3 && argv[0] === 'pingpong' && argv[1] === 'server')
  process.exitCode = pingpong(arg_count(argv[2]));
else if (argv.length === 4 && argv[0] === 'churn' && argv[1] === 'server') {
  process.exitCode = churn(arg_count(argv[2]), arg_count(argv[3]));
} else usage('in-node pingpong server <port> | in-node churn server <port> <n>');
