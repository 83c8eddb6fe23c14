// One row of the call floor (bench/floor/run.sh): n calls of one kind in a loop that does nothing
// else. The loop is first run enough to be optimized; then the measured n calls run between two
// calls of the floor addon's collect(), so that callgrind (--collect-atstart=no) counts them alone,
// on the main thread. It also prints the wall-clock time per call of the measured loop.
//   floor <case> <n>
// The floor itself, each call taking recv's four arguments: js (a JavaScript function: the loop's
// own cost), addon-api and raw (bench/floor/floor.cc's empty functions), recv (bsdsock's recv, the
// public wrapper, one byte always waiting: MSG_PEEK|MSG_DONTWAIT on a socketpair), recv-native (the
// addon's recv, the ordinary binding), recv-slots (the addon's recvSlots with the integers in shared
// slots, as the wrapper calls it: lib/io.ts's recvNow), ffi (libc's recv through node:ffi, on a Node
// that has it); recv-untraced (the public wrapper without the tracer's branch, bench/sync/untraced-io.ts).
// The other calls of the sync workloads, through their public wrappers, each made so that it
// returns at once and the same way every time: send, write, read (0 bytes), setsockopt (SO_REUSEADDR),
// epoll_wait (64 events as a C array, one ready), accept (non-blocking, nothing pending: EAGAIN),
// connect (already connected: EISCONN), close (1000, not open: EBADF), socket+close (a pair of calls).
import { loadFloor } from './addon';
import {
  AF_INET,
  AF_UNIX,
  EPOLLIN,
  EPOLL_CTL_ADD,
  INADDR_LOOPBACK,
  MSG_DONTWAIT,
  MSG_PEEK,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  accept,
  array,
  bind,
  close,
  connect,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  getsockname,
  htonl,
  listen,
  read,
  recv,
  send,
  setsockopt,
  sizeof,
  sockaddr_in,
  socket,
  socketpair,
  socklen_t,
  write,
} from 'bsdsock';
import { recvNow } from '../../lib/io';
import { recv as recvUntraced } from '../sync/untraced-io';
import { native } from '../../lib/native';

type Recv = (fd: number, buf: Buffer, len: number, flags: number) => number;

interface Floor {
  addonApi: Recv;
  raw: Recv;
  collect(): void;
}

// node:ffi as far as this program uses it (its types are not in @types/node 20).
interface Ffi {
  dlopen(
    lib: string,
    defs: Record<string, { arguments: string[]; return: string }>,
  ): { functions: Record<string, (...args: unknown[]) => number | bigint> };
}

const floor = loadFloor<Floor>();

function ffiRecv(): Recv {
  const ffi = process.getBuiltinModule('node:ffi') as Ffi | undefined;
  if (ffi === undefined) throw new Error('node:ffi is not available on this Node');
  // ssize_t comes back as int32: a byte count of one call fits, and an i64 result would be a BigInt.
  const { functions } = ffi.dlopen('libc.so.6', {
    recv: { arguments: ['i32', 'buffer', 'u64', 'i32'], return: 'i32' },
  });
  return functions.recv as Recv;
}

function js(fd: number, buf: Buffer, len: number, flags: number): number {
  return (fd & 0) + (len & 0) + (flags & 0) + (buf.length & 0);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`set-up: ${what}`);
}

/** The case's one call, and what it returns each time. */
function pick(name: string): [() => number, number] {
  const sv = new Int32Array(2);
  check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) === 0 && send(sv[0], 'x', 1, 0) === 1, 'socketpair');
  const [a, b] = [sv[0], sv[1]];
  const buf = Buffer.alloc(1);
  const peek = MSG_PEEK | MSG_DONTWAIT;
  const viaRecv = (call: Recv, each: number): [() => number, number] => [() => call(b, buf, 1, peek), each];
  switch (name) {
    case 'js':
      return viaRecv(js, 0);
    case 'addon-api':
      return viaRecv(floor.addonApi, 0);
    case 'raw':
      return viaRecv(floor.raw, 0);
    case 'recv':
      return viaRecv(recv, 1);
    case 'recv-native':
      // The addon's functions use no `this`: the row calls the function itself.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      return viaRecv(native.recv, 1);
    case 'recv-untraced':
      // The public wrapper without the tracer's `tracing ?` branch (bench/sync/untraced-io.ts): the
      // difference with recv is what tracing costs when it is off.
      return viaRecv(recvUntraced, 1);
    case 'recv-slots':
      // What the wrapper calls now: the integers through the shared slots (lib/io.ts).
      return viaRecv(recvNow, 1);
    case 'ffi':
      return viaRecv(ffiRecv(), 1);
    case 'send':
      return [() => send(a, buf, 0, MSG_DONTWAIT), 0];
    case 'write':
      return [() => write(a, buf, 0), 0];
    case 'read':
      return [() => read(b, buf, 0), 0];
    case 'setsockopt': {
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      return [() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int')), 0];
    }
    case 'epoll_wait': {
      const ep = epoll_create1!(0);
      const ev = new epoll_event();
      ev.events = EPOLLIN;
      ev.data.fd = b;
      check(epoll_ctl!(ep, EPOLL_CTL_ADD, b, ev) === 0, 'epoll_ctl');
      const events = array(epoll_event, 64);
      return [() => epoll_wait!(ep, events, 64, 0), 1];
    }
    case 'accept':
    case 'connect': {
      const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      const addr = new sockaddr_in();
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      check(bind(lfd, addr, sizeof(addr)) === 0 && listen(lfd, 8) === 0, 'listen');
      check(getsockname(lfd, addr, new socklen_t(sizeof(addr))) === 0, 'getsockname');
      if (name === 'accept') return [() => accept(lfd, null, null), -1];
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      check(connect(fd, addr, sizeof(addr)) === 0, 'connect');
      return [() => connect(fd, addr, sizeof(addr)), -1];
    }
    case 'close':
      return [() => close(1000), -1];
    case 'socket+close':
      return [() => close(socket(AF_INET, SOCK_STREAM, 0)), 0];
    default:
      throw new Error(`unknown case ${name}`);
  }
}

function loop(call: () => number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += call();
  return sum;
}

function main(): void {
  const [name, count] = process.argv.slice(2);
  const n = Number(count);
  if (name === undefined || !Number.isSafeInteger(n) || n < 0) {
    process.stderr.write('usage: floor <case> <n> (cases: see bench/floor/floor.ts)\n');
    process.exit(2);
  }
  const [call, each] = pick(name);
  // Many short runs first, so that loop() itself is optimized (not only on-stack replaced) and the
  // measured run starts in the code every later call would run. The sums check that every call
  // returned what it should.
  for (let k = 0; k < 100; k++) if (loop(call, 2000) !== each * 2000) throw new Error(`${name}: warm-up`);
  floor.collect();
  const t0 = process.hrtime.bigint();
  const sum = loop(call, n);
  const ns = Number(process.hrtime.bigint() - t0);
  floor.collect();
  if (sum !== each * n) throw new Error(`${name}: ${sum} after ${n} calls, expected ${each * n}`);
  process.stdout.write(`done n=${n} ns_per_call=${n > 0 ? (ns / n).toFixed(1) : 0}\n`);
}

main();
