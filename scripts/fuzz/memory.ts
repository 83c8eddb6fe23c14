// Memory the fuzzer hands to calls, and the check that a call wrote only where it may.
//
// Every buffer and struct the fuzzer makes is a window on a larger backing store with guard bytes on
// both sides, so a write past either end shows up. Before each call every backing store reachable from
// its arguments is copied; after it, any byte that changed outside the call's write windows fails.
import * as util from 'node:util';
import * as S from '../../lib/index';
import { note } from './describe';
import { fail } from './report';
import { chance, int, pick, rand } from './rng';

const GUARD = 16;
const GUARD_BYTE = 0xa5;

/** `x instanceof C`, false for a Proxy (whose traps the fuzzer makes throw). */
export function isA<T>(x: unknown, C: abstract new (...args: never[]) => T): x is T {
  // A struct class the platform lacks is undefined (S.platformStruct): nothing is one of it.
  if ((C as unknown) === undefined) return false;
  return x !== null && typeof x === 'object' && !util.types.isProxy(x) && x instanceof C;
}

function fillRandom(u8: Uint8Array): void {
  for (let i = 0; i < u8.length; i++) u8[i] = int(256);
}

// ES2024's resizable ArrayBuffer, which the project's ES2022 typings do not declare.
interface Resizable extends ArrayBuffer {
  readonly resizable: boolean;
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  o: { maxByteLength: number },
) => Resizable;

/** Whether `b` is a resizable ArrayBuffer. */
export function isResizable(b: ArrayBufferLike): b is Resizable {
  return (b as Partial<Resizable>).resizable === true;
}

/** Shrinks a resizable ArrayBuffer (views past the new end go out of bounds). */
export function shrink(b: Resizable, byteLength: number): void {
  b.resize(byteLength);
}

interface ViewType {
  readonly name: string;
  /** Bytes per element (1 for Buffer and DataView). */
  readonly size: number;
  readonly make: (backing: ArrayBufferLike, offset: number, count: number) => ArrayBufferView;
}
const typed = (
  name: string,
  C: { new (b: ArrayBufferLike, offset: number, length: number): ArrayBufferView; readonly BYTES_PER_ELEMENT: number },
): ViewType => ({ name, size: C.BYTES_PER_ELEMENT, make: (b, o, n) => new C(b, o, n) });

// The first two are what structs and control buffers need (Uint8Array, Buffer).
const VIEW_TYPES: readonly ViewType[] = [
  typed('Uint8Array', Uint8Array),
  { name: 'Buffer', size: 1, make: (b, o, n) => Buffer.from(b, o, n) },
  typed('Int8Array', Int8Array),
  typed('Uint8ClampedArray', Uint8ClampedArray),
  typed('Uint16Array', Uint16Array),
  typed('Int32Array', Int32Array),
  typed('Float64Array', Float64Array),
  typed('BigInt64Array', BigInt64Array),
  { name: 'DataView', size: 1, make: (b, o, n) => new DataView(b, o, n) },
];

/** What {@link makeBuffer} makes: some typed view, a Uint8Array (or Buffer), or a bare ArrayBuffer. */
export type BufferKind = 'view' | 'u8' | 'ab';

interface BufferOptions {
  readonly shared?: boolean;
  readonly resizable?: boolean;
}

/** A buffer of `size` bytes of random content, between guard bytes (a bare ArrayBuffer has none). */
export function makeBuffer(size: number, kind: 'u8', opt?: BufferOptions): Uint8Array;
export function makeBuffer(size: number, kind?: BufferKind, opt?: BufferOptions): ArrayBufferView | ArrayBufferLike;
export function makeBuffer(
  size: number,
  kind: BufferKind = 'view',
  opt: BufferOptions = {},
): ArrayBufferView | ArrayBufferLike {
  const shared = opt.shared ?? chance(0.08);
  const resizable = !shared && (opt.resizable ?? chance(0.05));
  const type = kind === 'u8' ? pick(VIEW_TYPES.slice(0, 2)) : pick(VIEW_TYPES);
  if (kind === 'ab') {
    const bare = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    fillRandom(new Uint8Array(bare));
    return note(bare, `${shared ? 'SharedArrayBuffer' : 'ArrayBuffer'}(${size})`);
  }
  // Odd offsets only where the element size allows them.
  const odd = type.size === 1 && chance(0.4) ? 1 + int(7) : 0;
  const count = Math.ceil(size / type.size);
  const bytes = count * type.size;
  const total = GUARD + odd + bytes + GUARD;
  const backing = shared
    ? new SharedArrayBuffer(total)
    : resizable
      ? new ResizableArrayBuffer(total, { maxByteLength: total * 2 })
      : new ArrayBuffer(total);
  const raw = new Uint8Array(backing);
  raw.fill(GUARD_BYTE);
  const off = GUARD + odd;
  fillRandom(raw.subarray(off, off + bytes));
  const view = type.make(backing, off, count);
  return note(view, `${type.name}(${bytes} bytes @+${odd}${shared ? ' shared' : ''}${resizable ? ' resizable' : ''})`);
}

/** A buffer of `size` bytes, or now and then a detached, out-of-bounds, bare or empty one. */
export function genBufferOfSize(size: number, kind: BufferKind = 'view'): unknown {
  const r = rand();
  if (r < 0.04) {
    const b = makeBuffer(size, 'u8', { shared: false, resizable: false });
    structuredClone(b.buffer, { transfer: [b.buffer as ArrayBuffer] });
    return note(b, 'detached Uint8Array');
  }
  if (r < 0.06) {
    const ab = new ResizableArrayBuffer(size + 8, { maxByteLength: size + 8 });
    const v = new Uint8Array(ab, 4, size);
    ab.resize(2); // the view is now out of bounds
    return note(v, `out-of-bounds Uint8Array(${size}) on a shrunk resizable ArrayBuffer`);
  }
  if (r < 0.1) return makeBuffer(size, 'ab');
  if (r < 0.12) return note(new SharedArrayBuffer(size), `bare SharedArrayBuffer(${size})`);
  if (r < 0.15) return makeBuffer(0, kind);
  return makeBuffer(size, kind);
}

/** A buffer of one of the sizes that matter (0, 1, odd, struct sizes, a page). */
export function genBuffer(kind: BufferKind = 'view'): unknown {
  return genBufferOfSize(pick([0, 1, 3, 4, 8, 16, 17, 28, 64, 128, 200, 1024, 4096]), kind);
}

/** The bytes of a buffer, struct or socklen_t; null for anything else, or detached or out of bounds. */
export function u8Of(x: unknown): Uint8Array | null {
  if (x === null || typeof x !== 'object' || util.types.isProxy(x)) return null;
  try {
    if (x instanceof S.Struct || x instanceof S.socklen_t) return x.bytes;
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    if (x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) return new Uint8Array(x);
  } catch {
    return null; // detached or out of bounds
  }
  return null;
}

/** The byte length of what {@link u8Of} sees, 0 for anything else. */
export function memSize(x: unknown): number {
  return u8Of(x)?.byteLength ?? 0;
}

// ---------------------------------------------------------------- structs

const STRUCT_CLASSES = {
  sockaddr: S.sockaddr,
  sockaddr_in: S.sockaddr_in,
  sockaddr_in6: S.sockaddr_in6,
  sockaddr_un: S.sockaddr_un,
  sockaddr_storage: S.sockaddr_storage,
  in_addr: S.in_addr,
  in6_addr: S.in6_addr,
  pollfd: S.pollfd,
  linger: S.linger,
  timeval: S.timeval,
  ucred: S.ucred,
  iovec: S.iovec,
  msghdr: S.msghdr,
  cmsghdr: S.cmsghdr,
  addrinfo: S.addrinfo,
  fd_set: S.fd_set,
  epoll_event: S.epoll_event,
  timespec: S.timespec,
  ip_mreq: S.ip_mreq,
  ip_mreqn: S.ip_mreqn,
  ipv6_mreq: S.ipv6_mreq,
  in_pktinfo: S.in_pktinfo,
  in6_pktinfo: S.in6_pktinfo,
  sockaddr_ll: S.sockaddr_ll,
  sockaddr_nl: S.sockaddr_nl,
  nlmsghdr: S.nlmsghdr,
  sockaddr_vm: S.sockaddr_vm,
  sockaddr_can: S.sockaddr_can,
  sockaddr_alg: S.sockaddr_alg,
  tcp_info: S.tcp_info,
  ifreq: S.ifreq,
  sock_filter: S.sock_filter,
  sock_fprog: S.sock_fprog,
  inet_diag_sockid: S.inet_diag_sockid,
  inet_diag_req_v2: S.inet_diag_req_v2,
  inet_diag_msg: S.inet_diag_msg,
} as const;

/** The structs the fuzzer makes, by C name. */
export type StructName = keyof typeof STRUCT_CLASSES;
/**
 * Whether this platform has the struct: a class whose layout the addon lacks is exported as undefined.
 * @param name - its C name.
 */
export function hasStruct(name: StructName): boolean {
  return (STRUCT_CLASSES[name] as unknown) !== undefined;
}

/** Their names, those this platform has. */
export const STRUCTS = (Object.keys(STRUCT_CLASSES) as StructName[]).filter(hasStruct);

/** The class of a struct. */
export function structClass<K extends StructName>(name: K): (typeof STRUCT_CLASSES)[K] {
  return STRUCT_CLASSES[name];
}

/** A zero-filled struct viewing guarded bytes, so a write past its end is caught. */
export function newStruct<K extends StructName>(name: K): InstanceType<(typeof STRUCT_CLASSES)[K]> {
  const C: new (source?: Uint8Array) => S.Struct = STRUCT_CLASSES[name];
  const size = STRUCT_CLASSES[name].layout.size;
  if (size === 0) return new C() as InstanceType<(typeof STRUCT_CLASSES)[K]>;
  const b = makeBuffer(size, 'u8', { resizable: false });
  b.fill(0);
  return note(new C(b), name) as InstanceType<(typeof STRUCT_CLASSES)[K]>;
}

/**
 * A struct of any kind the fuzzer makes; now and then a nested one, a view into its container's guarded
 * memory (the inet_diag_sockid `id` of a sock_diag request or answer).
 */
export function genStruct(): S.Struct {
  if (chance(0.05) && hasStruct('inet_diag_msg') && hasStruct('inet_diag_req_v2')) {
    return newStruct(pick(['inet_diag_msg', 'inet_diag_req_v2'] as const)).id;
  }
  return newStruct(pick(STRUCTS));
}

// ---------------------------------------------------------------- write windows

/** Bytes [start, end) of `memory` (a buffer, struct or socklen_t) that a call may write. */
export type Window = readonly [memory: unknown, start: number, end: number];

/** The first `len` bytes of `memory` (none when len is not a non-negative number). */
export function span(memory: unknown, len: unknown): Window {
  return [memory, 0, typeof len === 'number' && len >= 0 ? len : 0];
}

/** The value of a socklen_t holder (0 for anything else). */
export function lenOf(l: unknown): number {
  return isA(l, S.socklen_t) ? l.value : 0;
}

/** Every distinct backing store reachable from `args`, with a copy of its bytes. */
export type Snapshot = Map<ArrayBufferLike, Uint8Array>;

/** Copies every backing store reachable from the arguments, so any change can be checked against what the call may write. */
export function collectMemory(args: readonly unknown[]): Snapshot {
  const seen: Snapshot = new Map();
  const visit = (x: unknown, depth: number): void => {
    if (x === null || typeof x !== 'object' || depth > 4) return;
    if (util.types.isProxy(x)) return;
    const u8 = u8Of(x);
    if (u8 !== null && !seen.has(u8.buffer)) seen.set(u8.buffer, new Uint8Array(u8.buffer).slice());
    if (Array.isArray(x)) for (const e of (x as unknown[]).slice(0, 64)) visit(e, depth + 1);
    if (x instanceof S.msghdr) {
      visit(x.msg_name, depth + 1);
      visit(x.msg_iov, depth + 1);
      visit(x.msg_control, depth + 1);
    }
    if (x instanceof S.iovec) visit(x.iov_base, depth + 1);
    if (x instanceof S.ptr && typeof x.value === 'object') visit(x.value, depth + 1);
  };
  for (const a of args) visit(a, 0);
  return seen;
}

/** Fails when a byte of `before` changed outside `windows`. */
export function checkMemory(before: Snapshot, windows: readonly Window[], label: string): void {
  const allowed = new Map<ArrayBufferLike, [number, number][]>();
  for (const [mem, start, end] of windows) {
    const u8 = u8Of(mem);
    if (u8 === null) continue;
    const s = Math.max(0, Math.min(start, u8.byteLength));
    const e = Math.max(s, Math.min(end, u8.byteLength));
    let ranges = allowed.get(u8.buffer);
    if (ranges === undefined) allowed.set(u8.buffer, (ranges = []));
    ranges.push([u8.byteOffset + s, u8.byteOffset + e]);
  }
  for (const [buf, copy] of before) {
    let now: Uint8Array;
    try {
      now = new Uint8Array(buf);
    } catch {
      continue;
    }
    const ranges = allowed.get(buf) ?? [];
    const inWindow = (i: number): boolean => ranges.some(([s, e]) => i >= s && i < e);
    const n = Math.min(now.length, copy.length);
    for (let i = 0; i < n; i++) {
      if (now[i] === copy[i] || inWindow(i)) continue;
      let j = i;
      while (j < n && now[j] !== copy[j] && !inWindow(j)) j++;
      fail(
        `${label}: bytes changed outside what the call may write`,
        `backing of ${buf.byteLength} bytes, offsets [${i}, ${j}) changed; allowed ${JSON.stringify(ranges)}`,
      );
      return;
    }
  }
}

/** For a function that says nothing of what it writes: any byte of what it was given (not the guards). */
export function unknownWindows(args: readonly unknown[]): Window[] {
  const w: Window[] = [];
  const visit = (x: unknown, d: number): void => {
    if (x === null || typeof x !== 'object' || d > 3 || util.types.isProxy(x)) return;
    const u8 = u8Of(x);
    if (u8 !== null) w.push([u8, 0, u8.byteLength]);
    if (Array.isArray(x)) for (const e of x as unknown[]) visit(e, d + 1);
  };
  for (const a of args) visit(a, 0);
  return w;
}
