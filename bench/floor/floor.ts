// One row of the call floor (bench/floor/run.sh): n calls of one kind, each taking recv's four
// arguments, in a loop that does nothing else. The loop is first run enough to be optimized; then
// the measured n calls run between two calls of the floor addon's collect(), so that callgrind
// (--collect-atstart=no) counts them alone, on the main thread. It also prints the wall-clock time
// per call of the measured loop.
//   floor <case> <n>
//   cases: js (a JavaScript function: the loop's own cost), addon-api and raw (bench/floor/floor.cc's
//   empty functions), recv (bsdsock's recv, the public wrapper), recv-native (the addon's recv, as
//   the wrapper calls it), ffi (libc's recv through node:ffi, on a Node that has it)
import * as path from 'node:path';
import { AF_UNIX, MSG_DONTWAIT, MSG_PEEK, SOCK_STREAM, recv, send, socketpair } from 'bsdsock';
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

const floor = ((): Floor => {
  const file = path.resolve(__dirname, '..', '..', '..', 'bench', 'floor', 'build', 'Release', 'floor.node');
  const m = { exports: {} as Floor };
  process.dlopen(m, file);
  return m.exports;
})();

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

function pick(name: string): Recv {
  switch (name) {
    case 'js':
      return js;
    case 'addon-api':
      return floor.addonApi;
    case 'raw':
      return floor.raw;
    case 'recv':
      return recv;
    case 'recv-native':
      return native.recv;
    case 'ffi':
      return ffiRecv();
    default:
      throw new Error(`unknown case ${name}`);
  }
}

function loop(call: Recv, n: number, fd: number, buf: Buffer, flags: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += call(fd, buf, 1, flags);
  return sum;
}

function main(): void {
  const [name, count] = process.argv.slice(2);
  const n = Number(count);
  if (name === undefined || !Number.isSafeInteger(n) || n < 0) {
    process.stderr.write('usage: floor js|addon-api|raw|recv|recv-native|ffi <n>\n');
    process.exit(2);
  }
  const call = pick(name);
  const sv = new Int32Array(2);
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || send(sv[0], 'x', 1, 0) !== 1) throw new Error('socketpair');
  const buf = Buffer.alloc(1);
  const flags = MSG_PEEK | MSG_DONTWAIT;
  // The byte stays (MSG_PEEK): each recv row returns 1, the empty functions 0. The sums check that
  // every call ran.
  const each = name === 'recv' || name === 'recv-native' || name === 'ffi' ? 1 : 0;
  // Many short runs first, so that loop() itself is optimized (not only on-stack replaced) and the
  // measured run starts in the code every later call would run.
  for (let k = 0; k < 100; k++) if (loop(call, 5000, sv[1], buf, flags) !== each * 5000) throw new Error('warm-up');
  floor.collect();
  const t0 = process.hrtime.bigint();
  const sum = loop(call, n, sv[1], buf, flags);
  const ns = Number(process.hrtime.bigint() - t0);
  floor.collect();
  if (sum !== each * n) throw new Error(`${name}: ${sum} after ${n} calls, expected ${each * n}`);
  process.stdout.write(`done n=${n} ns_per_call=${n > 0 ? (ns / n).toFixed(1) : 0}\n`);
}

main();
