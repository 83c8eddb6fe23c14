// bench/c/common.h on libc itself, called through Node's own foreign function interface (node:ffi,
// Node 26): the peer of a user who binds libc by hand instead of using bsdsock. The same calls and
// stdout protocol as bench/sync/common.ts. The constants come from bsdsock (the platform's headers, as
// C has them); node:ffi has no headers, and bsdsock is used for nothing else.
import { AF_INET, EXIT_FAILURE, INADDR_LOOPBACK, SOCK_STREAM, SOL_SOCKET, SOMAXCONN, SO_REUSEADDR } from 'bsdsock';

type Call = (...args: unknown[]) => number;

// node:ffi as far as these programs use it (its types are not in @types/node 20).
interface Ffi {
  dlopen(
    path: string | null,
    defs: Record<string, { arguments: string[]; return: string }>,
  ): { functions: Record<string, Call> };
}

// process.getBuiltinModule itself is missing before Node 20.16.
const ffi = (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:ffi') : undefined) as
  | Ffi
  | undefined;
if (ffi === undefined) {
  process.stderr.write(`node:ffi is not available on this Node (${process.version})\n`);
  process.exit(EXIT_FAILURE);
}

// The prototypes as a C programmer would declare them. ssize_t results are read as int32: every count
// here is at most 64 KiB, and an int64 result would come back as a BigInt.
const { functions } = ffi.dlopen(null, {
  socket: { arguments: ['i32', 'i32', 'i32'], return: 'i32' },
  setsockopt: { arguments: ['i32', 'i32', 'i32', 'buffer', 'u32'], return: 'i32' },
  bind: { arguments: ['i32', 'buffer', 'u32'], return: 'i32' },
  listen: { arguments: ['i32', 'i32'], return: 'i32' },
  getsockname: { arguments: ['i32', 'buffer', 'buffer'], return: 'i32' },
  accept: { arguments: ['i32', 'pointer', 'pointer'], return: 'i32' },
  connect: { arguments: ['i32', 'buffer', 'u32'], return: 'i32' },
  send: { arguments: ['i32', 'buffer', 'u64', 'i32'], return: 'i32' },
  recv: { arguments: ['i32', 'buffer', 'u64', 'i32'], return: 'i32' },
  shutdown: { arguments: ['i32', 'i32'], return: 'i32' },
  close: { arguments: ['i32'], return: 'i32' },
});

export const libc = functions as {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  getsockname(fd: number, addr: Buffer, len: Buffer): number;
  accept(fd: number, addr: null, len: null): number;
  connect(fd: number, addr: Buffer, len: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
};

// errno does not survive from one node:ffi call to the next (Node's own work in between may change
// it), so a failure is reported by the call's name alone.
export function die(what: string): never {
  process.stderr.write(`${what} failed\n`);
  process.exit(EXIT_FAILURE);
}

export function arg_count(s: string | undefined): number {
  const v = Number(s);
  if (s === undefined || s === '' || !Number.isSafeInteger(v) || v < 0) {
    process.stderr.write(`not a count: ${s}\n`);
    process.exit(EXIT_FAILURE);
  }
  return v;
}

export function now_ns(): bigint {
  return process.hrtime.bigint();
}

export function cpu_us(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export const int1 = (): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(1);
  return b;
};

// struct sockaddr_in {sin_family, sin_port (network order), sin_addr (network order), zero}.
export function sockaddr_in(port: number): Buffer {
  const a = Buffer.alloc(16);
  a.writeUInt16LE(AF_INET, 0);
  a.writeUInt16BE(port, 2);
  a.writeUInt32BE(INADDR_LOOPBACK, 4);
  return a;
}

export function listen_on(port: number): number {
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die('socket');
  if (libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, int1(), 4) < 0) die('setsockopt');
  const addr = sockaddr_in(port);
  if (libc.bind(fd, addr, addr.length) < 0) die('bind');
  if (libc.listen(fd, SOMAXCONN) < 0) die('listen');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(addr.length);
  if (libc.getsockname(fd, addr, len) < 0) die('getsockname');
  process.stdout.write(`port ${addr.readUInt16BE(2)}\n`);
  return fd;
}

export function connect_to(port: number): number {
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die('socket');
  const addr = sockaddr_in(port);
  if (libc.connect(fd, addr, addr.length) < 0) die('connect');
  return fd;
}

export function usage(text: string): never {
  process.stderr.write(`usage: ${text}\n`);
  process.exit(EXIT_FAILURE);
}
