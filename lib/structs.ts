// The C structs, as classes named and laid out as C has them. Each instance
// is backed by its own bytes in the platform's layout (sizes and offsets
// read from the system headers when the addon was built), zero-filled on
// `new`, with accessors under the C field names. Values are stored as C
// stores them: `sin_port` holds network byte order, so a program writes
// `addr.sin_port = htons(8080)`.
import { markAsUntransferable } from 'node:worker_threads';
import { invalidArgType, invalidArgValue, outOfRange } from './errors';
import { native, type FieldLayout, type Memory, type StructLayout } from './native';

const hostLittleEndian = native.littleEndian;

/** Anything a buffer parameter accepts: a Buffer, any TypedArray, a DataView or an ArrayBuffer. */
export type BufferLike = ArrayBufferView | ArrayBuffer;

/** A struct class: what `sizeof` and `offsetof` accept. */
export interface StructClass {
  /** The struct's size, alignment and field offsets, read from this platform's headers at build time. */
  readonly layout: StructLayout;
  /** The C name of the struct (`sockaddr_in`): the key of its layout in the addon. */
  readonly name: string;
}

/**
 * The common base of every struct class: the bytes and a DataView on them.
 * Not a C type; use the C-named subclasses. A small struct made with `new`
 * has its bytes in a larger shared ArrayBuffer, as Node's small Buffers do
 * (`bytes.byteOffset` may be nonzero); `bytes` covers its own bytes only.
 */
export abstract class Struct {
  /** The struct's bytes, in this platform's layout. A lesson can print them. */
  readonly bytes: Buffer;
  /**
   * A DataView on the memory `bytes` lives in (for a small struct, its slab's: see slabPiece).
   * @internal
   */
  protected readonly view: DataView;
  /**
   * Where `bytes` starts in `view`.
   * @internal
   */
  protected readonly base: number;

  /**
   * A zero-filled struct, or (internal) a view on existing bytes.
   * @param source - bytes to view instead of allocating; what a C cast does.
   */
  constructor(source?: Uint8Array) {
    const size = (this.constructor as unknown as StructClass).layout.size;
    if (source === undefined && size <= SLAB_PIECE_MAX) {
      this.bytes = slabPiece(size);
      this.view = slabView!;
      this.base = this.bytes.byteOffset;
      return;
    }
    if (source === undefined) {
      this.bytes = Buffer.alloc(size);
    } else {
      if (!(source instanceof Uint8Array)) {
        throw invalidArgType(this.constructor.name, 'source', 'a Uint8Array', source);
      }
      if (source.byteLength < size) {
        throw outOfRange(this.constructor.name, 'source', `at least ${size} bytes long`, source.byteLength);
      }
      this.bytes = Buffer.from(source.buffer, source.byteOffset, size);
      // What a C pointer to this struct could still reach: the rest of the memory it was made from.
      if (source.byteLength > size) extents.set(this, source);
    }
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    this.base = 0;
  }
}

// Small structs made with `new` take their bytes from a shared slab, as
// Buffer.allocUnsafe takes from Node's pool: an ArrayBuffer of their own
// costs some 300 bytes (the object, V8's backing store record, the malloc'd
// bytes) for the 8 bytes of a pollfd, held once per connection by a server
// that polls each one. A piece is handed out once and never reused, so it
// is zero until written; the struct's bytes and memoryOf cover only its
// piece, so no call given the struct reaches its neighbours, and its field
// accessors stay inside it (see slabView). Pieces
// start 8-aligned, as malloc would place the struct. A long-lived struct
// keeps its whole slab alive: hence a small slab, and large structs apart.
const SLAB_SIZE = 8192;
const SLAB_PIECE_MAX = 256;
let slab: Buffer | undefined;
// One DataView on the whole slab, shared by its structs, each reading at its
// own base: a DataView per struct would cost 80 bytes more each. Field
// offsets are checked against the struct's size (fieldOf), so an accessor
// never leaves the struct's piece.
let slabView: DataView | undefined;
let slabUsed = SLAB_SIZE;

function slabPiece(size: number): Buffer {
  let at = (slabUsed + 7) & ~7;
  if (slab === undefined || at + size > SLAB_SIZE) {
    slab = Buffer.alloc(SLAB_SIZE);
    slabView = new DataView(slab.buffer);
    // Transferring it to a Worker would detach every struct on it. (Node 22's
    // ArrayBuffer.prototype.transfer() still can, as it can Node's own
    // Buffer pool: the structs then throw, as on any detached buffer.)
    markAsUntransferable(slab.buffer);
    at = 0;
  }
  slabUsed = at + size;
  return slab.subarray(at, at + size);
}

// A struct made on existing memory (a cast, an array element, a nested field) remembers the memory it
// lives in, from its first byte to the end of that memory, as a C pointer into it would; a struct made
// with `new` owns exactly its bytes and needs no entry.
const extents = new WeakMap<Struct, Uint8Array>();

/**
 * The memory a struct's address reaches in C: from its first byte to the end of the allocation it lives
 * in (its own bytes when it was made with `new`).
 * @internal
 */
export function memoryOf(s: Struct): Uint8Array {
  return extents.get(s) ?? s.bytes;
}

function layoutOf(name: string): StructLayout {
  const layout = native.layouts[name];
  if (layout === undefined) throw new Error(`bsdsock: the addon has no layout for struct ${name}`);
  return layout;
}

function fieldOf(layout: StructLayout, struct: string, field: string): FieldLayout {
  const f = layout.fields[field];
  if (f === undefined) throw new Error(`bsdsock: the addon has no field ${struct}.${field}`);
  // Accessors read at the struct's base plus the offset, in a view that may
  // hold other structs after it (see slabView).
  if (f[0] + f[1] > layout.size) throw new Error(`bsdsock: the addon's field ${struct}.${field} ends past the struct`);
  return f;
}

type Accessor = { get: (this: Struct) => unknown; set?: (this: Struct, value: never) => void };

function bytesOf(s: Struct): DataView {
  return (s as unknown as { view: DataView }).view;
}

// Where a field at `offset` is in bytesOf(s).
function at(s: Struct, offset: number): number {
  return (s as unknown as { base: number }).base + offset;
}

// An integer field, read and written in host byte order with its C size and
// signedness. Setting a value the C type cannot hold is a programming error,
// except that a 32-bit unsigned field also takes a negative int32: what
// JavaScript's `|` makes of flags with the top bit (EPOLLIN | EPOLLET), stored
// as C's conversion to unsigned stores it.
function integerField(struct: string, field: string, [offset, size, signed]: FieldLayout): Accessor {
  const bits = size * 8;
  const min = signed || size === 4 ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const check = (value: number): void => {
    if (typeof value !== 'number') throw invalidArgType(struct, field, 'of type number', value);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw outOfRange(struct, field, `an integer >= ${min} and <= ${max}`, value);
    }
  };
  switch (size) {
    case 1:
      return signed
        ? {
            get() {
              return bytesOf(this).getInt8(at(this, offset));
            },
            set(v: number) {
              check(v);
              bytesOf(this).setInt8(at(this, offset), v);
            },
          }
        : {
            get() {
              return bytesOf(this).getUint8(at(this, offset));
            },
            set(v: number) {
              check(v);
              bytesOf(this).setUint8(at(this, offset), v);
            },
          };
    case 2:
      return signed
        ? {
            get() {
              return bytesOf(this).getInt16(at(this, offset), hostLittleEndian);
            },
            set(v: number) {
              check(v);
              bytesOf(this).setInt16(at(this, offset), v, hostLittleEndian);
            },
          }
        : {
            get() {
              return bytesOf(this).getUint16(at(this, offset), hostLittleEndian);
            },
            set(v: number) {
              check(v);
              bytesOf(this).setUint16(at(this, offset), v, hostLittleEndian);
            },
          };
    case 4:
      return signed
        ? {
            get() {
              return bytesOf(this).getInt32(at(this, offset), hostLittleEndian);
            },
            set(v: number) {
              check(v);
              bytesOf(this).setInt32(at(this, offset), v, hostLittleEndian);
            },
          }
        : {
            get() {
              return bytesOf(this).getUint32(at(this, offset), hostLittleEndian);
            },
            set(v: number) {
              check(v);
              bytesOf(this).setUint32(at(this, offset), v, hostLittleEndian);
            },
          };
    case 8: {
      // A 64-bit field holds values beyond 2^53 only in theory here (sizes,
      // times); numbers outside the safe range are refused rather than rounded.
      const safeMin = Math.max(min, Number.MIN_SAFE_INTEGER);
      const safeMax = Math.min(max, Number.MAX_SAFE_INTEGER);
      const check64 = (value: number): void => {
        if (typeof value !== 'number') throw invalidArgType(struct, field, 'of type number', value);
        if (!Number.isInteger(value) || value < safeMin || value > safeMax) {
          throw outOfRange(struct, field, `an integer >= ${safeMin} and <= ${safeMax}`, value);
        }
      };
      return signed
        ? {
            get() {
              return Number(bytesOf(this).getBigInt64(at(this, offset), hostLittleEndian));
            },
            set(v: number) {
              check64(v);
              bytesOf(this).setBigInt64(at(this, offset), BigInt(v), hostLittleEndian);
            },
          }
        : {
            get() {
              return Number(bytesOf(this).getBigUint64(at(this, offset), hostLittleEndian));
            },
            set(v: number) {
              check64(v);
              bytesOf(this).setBigUint64(at(this, offset), BigInt(v), hostLittleEndian);
            },
          };
    }
    default:
      throw new Error(`bsdsock: ${struct}.${field} has an unexpected size ${size}`);
  }
}

// A char array (sa_data, sin_zero): a Uint8Array on the struct's own bytes;
// assigning copies, as C's memcpy would, and must fit the field.
function arrayField(struct: string, field: string, [offset, size]: FieldLayout): Accessor {
  return {
    get() {
      return this.bytes.subarray(offset, offset + size);
    },
    set(v: Uint8Array) {
      if (!(v instanceof Uint8Array)) throw invalidArgType(struct, field, 'a Uint8Array', v);
      if (v.length > size) throw outOfRange(struct, field, `at most ${size} bytes long`, v.length);
      this.bytes.fill(0, offset, offset + size);
      this.bytes.set(v, offset);
    },
  };
}

// A nested struct (sin_addr, sin6_addr): a view on the same bytes; assigning
// another instance copies its bytes, as C struct assignment does.
function nestedField<T extends Struct>(
  struct: string,
  field: string,
  [offset]: FieldLayout,
  Nested: { new (source?: Uint8Array): T; readonly name: string },
): Accessor {
  const cache = new WeakMap<Struct, T>();
  return {
    get() {
      let nested = cache.get(this);
      if (nested === undefined) {
        nested = new Nested(memoryOf(this).subarray(offset));
        cache.set(this, nested);
      }
      return nested;
    },
    set(v: T) {
      if (!(v instanceof Nested)) throw invalidArgType(struct, field, `an ${Nested.name}`, v);
      this.bytes.set(v.bytes, offset);
    },
  };
}

function define(Class: StructClass, accessors: Record<string, Accessor>): void {
  for (const [name, accessor] of Object.entries(accessors)) {
    Object.defineProperty((Class as unknown as { prototype: object }).prototype, name, {
      get: accessor.get,
      set: accessor.set,
      enumerable: true,
      configurable: false,
    });
  }
}

function integers(Class: StructClass, names: readonly string[]): Record<string, Accessor> {
  const out: Record<string, Accessor> = {};
  for (const n of names) out[n] = integerField(Class.name, n, fieldOf(Class.layout, Class.name, n));
  return out;
}

// --- Addresses --------------------------------------------------------------

/** `struct in_addr`: an IPv4 address, `s_addr` in network byte order. */
export class in_addr extends Struct {
  /** `sizeof(struct in_addr)` and its field offsets on this platform. */
  static readonly layout = layoutOf('in_addr');
  /** The address as C's `in_addr_t`, network byte order (use htonl/inet_pton). */
  declare s_addr: number;
}
define(in_addr, integers(in_addr, ['s_addr']));

/** `struct in6_addr`: an IPv6 address, 16 bytes in network order. */
export class in6_addr extends Struct {
  /** `sizeof(struct in6_addr)` and its field offsets on this platform. */
  static readonly layout = layoutOf('in6_addr');
  /** The 16 address bytes (a view; assigning copies). */
  declare s6_addr: Uint8Array;
}
define(in6_addr, { s6_addr: arrayField('in6_addr', 's6_addr', fieldOf(in6_addr.layout, 'in6_addr', 's6_addr')) });

/**
 * The base of the socket address structs: what C's `struct sockaddr *`
 * parameters accept. Each has `sa_family`, the family field every socket
 * address starts with, so that `sa->sa_family` ports whatever `sa` is.
 */
export abstract class SockaddrStruct extends Struct {
  /** The address family (AF_*), under struct sockaddr's name for it. */
  declare sa_family: number;
}

/** `struct sockaddr`: the generic socket address. */
export class sockaddr extends SockaddrStruct {
  /** `sizeof(struct sockaddr)` and its field offsets on this platform. */
  static readonly layout = layoutOf('sockaddr');
  /** The address data (a view; assigning copies). */
  declare sa_data: Uint8Array;
}
// Every socket address starts with its family where struct sockaddr has sa_family.
Object.defineProperty(SockaddrStruct.prototype, 'sa_family', {
  ...integerField('sockaddr', 'sa_family', fieldOf(layoutOf('sockaddr'), 'sockaddr', 'sa_family')),
  enumerable: true,
  configurable: false,
});
define(sockaddr, {
  sa_data: arrayField('sockaddr', 'sa_data', fieldOf(sockaddr.layout, 'sockaddr', 'sa_data')),
});

/** `struct sockaddr_in`: an IPv4 socket address (ip(7)). */
export class sockaddr_in extends SockaddrStruct {
  /** `sizeof(struct sockaddr_in)` and its field offsets on this platform. */
  static readonly layout = layoutOf('sockaddr_in');
  /** AF_INET. */
  declare sin_family: number;
  /** The port in network byte order: write `htons(port)`. */
  declare sin_port: number;
  /** The IPv4 address (a view on these bytes; assigning copies). */
  declare sin_addr: in_addr;
  /** Padding, zero. */
  declare sin_zero: Uint8Array;
}
define(sockaddr_in, {
  ...integers(sockaddr_in, ['sin_family', 'sin_port']),
  sin_addr: nestedField('sockaddr_in', 'sin_addr', fieldOf(sockaddr_in.layout, 'sockaddr_in', 'sin_addr'), in_addr),
  sin_zero: arrayField('sockaddr_in', 'sin_zero', fieldOf(sockaddr_in.layout, 'sockaddr_in', 'sin_zero')),
});

/** `struct sockaddr_in6`: an IPv6 socket address (ipv6(7)). */
export class sockaddr_in6 extends SockaddrStruct {
  /** `sizeof(struct sockaddr_in6)` and its field offsets on this platform. */
  static readonly layout = layoutOf('sockaddr_in6');
  /** AF_INET6. */
  declare sin6_family: number;
  /** The port in network byte order: write `htons(port)`. */
  declare sin6_port: number;
  /** IPv6 flow information, network byte order. */
  declare sin6_flowinfo: number;
  /** The IPv6 address (a view on these bytes; assigning copies). */
  declare sin6_addr: in6_addr;
  /** The scope (interface index) for link-local addresses. */
  declare sin6_scope_id: number;
}
define(sockaddr_in6, {
  ...integers(sockaddr_in6, ['sin6_family', 'sin6_port', 'sin6_flowinfo', 'sin6_scope_id']),
  sin6_addr: nestedField(
    'sockaddr_in6',
    'sin6_addr',
    fieldOf(sockaddr_in6.layout, 'sockaddr_in6', 'sin6_addr'),
    in6_addr,
  ),
});

/**
 * `struct sockaddr_un`: a Unix-domain socket address (unix(7)). `sun_path`
 * reads as the text up to its NUL; an abstract name (Linux) starts with
 * "\0" and reads as "\0" followed by the name up to its next NUL.
 */
export class sockaddr_un extends SockaddrStruct {
  /** `sizeof(struct sockaddr_un)` and its field offsets on this platform. */
  static readonly layout = layoutOf('sockaddr_un');
  /** AF_UNIX. */
  declare sun_family: number;
  /**
   * The path, at most `sizeof(sun_path)` bytes of UTF-8 (108 on Linux).
   * Assigning a longer one throws, where C's strcpy would overflow.
   */
  declare sun_path: string;
}
{
  const [offset, size] = fieldOf(sockaddr_un.layout, 'sockaddr_un', 'sun_path');
  define(sockaddr_un, {
    ...integers(sockaddr_un, ['sun_family']),
    sun_path: {
      get() {
        const path = this.bytes.subarray(offset, offset + size);
        const start = path[0] === 0 && path.some((b) => b !== 0) ? 1 : 0;
        let end = path.indexOf(0, start);
        if (end < 0) end = size;
        return (start === 1 ? '\0' : '') + path.toString('utf8', start, end);
      },
      set(v: string | Uint8Array) {
        let encoded: Uint8Array;
        if (typeof v === 'string') encoded = Buffer.from(v, 'utf8');
        else if (v instanceof Uint8Array) encoded = v;
        else throw invalidArgType('sockaddr_un', 'sun_path', 'of type string or a Uint8Array', v);
        if (encoded.length > size) {
          throw outOfRange('sockaddr_un', 'sun_path', `at most ${size} bytes long (sizeof(sun_path))`, encoded.length);
        }
        this.bytes.fill(0, offset, offset + size);
        this.bytes.set(encoded, offset);
      },
    },
  });
}

/** `struct sockaddr_storage`: room for any socket address; cast it to read it. */
export class sockaddr_storage extends SockaddrStruct {
  /** `sizeof(struct sockaddr_storage)` and its field offsets on this platform. */
  static readonly layout = layoutOf('sockaddr_storage');
  /** The address family of what it holds. */
  declare ss_family: number;
}
define(sockaddr_storage, integers(sockaddr_storage, ['ss_family']));

/** Any socket address struct: what C's `struct sockaddr *` parameters take. */
export type SockaddrLike =
  | sockaddr
  | sockaddr_in
  | sockaddr_in6
  | sockaddr_un
  | sockaddr_storage
  | sockaddr_ll
  | sockaddr_nl
  | sockaddr_vm
  | sockaddr_can
  | sockaddr_alg;

// --- Other structs ----------------------------------------------------------

/** `struct pollfd`: one descriptor for poll(2). */
export class pollfd extends Struct {
  /** `sizeof(struct pollfd)` and its field offsets on this platform. */
  static readonly layout = layoutOf('pollfd');
  /** The descriptor to watch (negative: ignored). */
  declare fd: number;
  /** The events asked for (POLLIN, POLLOUT, ...). */
  declare events: number;
  /** The events that happened, filled by poll(). */
  declare revents: number;
}
define(pollfd, integers(pollfd, ['fd', 'events', 'revents']));

/**
 * `fd_set`: a set of descriptors for select(2), in the platform's layout (FD_SETSIZE bits). Change it
 * with FD_ZERO, FD_SET and FD_CLR, test it with FD_ISSET, as in C.
 */
export class fd_set extends Struct {
  /** `sizeof(fd_set)` on this platform; its field is private to the C library. */
  static readonly layout = layoutOf('fd_set');
}

// The layout of a struct the platform may lack (these are Linux's); where it does, an empty one that
// nothing reaches: the class is exported as undefined there (platformStruct, at the end of this file).
const linuxLayout = (name: string): StructLayout => native.layouts[name] ?? { size: 0, align: 1, fields: {} };

/**
 * A struct class as the package exports it: the class where the addon has its layout (the platform
 * has the struct), else `undefined`, never a class over a guessed layout. As for a constant the
 * platform lacks, its type stays the class: check `if (sockaddr_ll === undefined)` where a program
 * runs on several systems.
 * @param Class - the struct class, named as in C.
 * @param layouts - the layouts to look its name up in (the addon's).
 * @returns Class, or undefined.
 * @internal
 */
export function platformStruct<C extends StructClass>(
  Class: C,
  layouts: Readonly<Record<string, StructLayout | undefined>> = native.layouts,
): C {
  return (layouts[Class.name] === undefined ? undefined : Class) as C;
}

/**
 * Whether a struct class the platform may lack is there (not undefined).
 * @param Class - the struct class, or undefined.
 * @internal
 */
export function present(Class: StructClass): boolean {
  return (Class as unknown) !== undefined;
}

/**
 * `x instanceof Class` for a struct class the platform may lack (undefined there): false where it does.
 * @param x - any value.
 * @param Class - the struct class, or undefined.
 * @internal
 */
export function isInstance<T extends Struct>(x: unknown, Class: abstract new (source?: Uint8Array) => T): x is T {
  return (Class as unknown) !== undefined && x instanceof Class;
}

/** The class of the exported `epoll_data`, documented there. */
class epoll_data extends Struct {
  /** `sizeof(epoll_data_t)` and its member offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('epoll_data');
  /** A descriptor. */
  declare fd: number;
  /** A 32-bit value. */
  declare u32: number;
  /** A 64-bit value (up to 2^53 - 1 here). */
  declare u64: number;
}
if (native.layouts.epoll_data !== undefined) define(epoll_data, integers(epoll_data, ['fd', 'u32', 'u64']));

/** The class of the exported `epoll_event`, documented there. */
class epoll_event extends Struct {
  /** `sizeof(struct epoll_event)` and its field offsets (Linux only; packed on x86-64). */
  static readonly layout: StructLayout = linuxLayout('epoll_event');
  /** EPOLLIN, EPOLLOUT, EPOLLET, ... */
  declare events: number;
  /** Given back as it was set: `ev.data.fd = fd`. */
  declare data: epoll_data;
}
if (native.layouts.epoll_event !== undefined) {
  define(epoll_event, {
    ...integers(epoll_event, ['events']),
    data: nestedField('epoll_event', 'data', fieldOf(epoll_event.layout, 'epoll_event', 'data'), epoll_data),
  });
}

/** `struct linger`: the value of SO_LINGER. */
export class linger extends Struct {
  /** `sizeof(struct linger)` and its field offsets on this platform. */
  static readonly layout = layoutOf('linger');
  /** Nonzero to linger on close. */
  declare l_onoff: number;
  /** How long to linger, in seconds. */
  declare l_linger: number;
}
define(linger, integers(linger, ['l_onoff', 'l_linger']));

/** `struct timeval`: a time, as SO_RCVTIMEO and SO_SNDTIMEO take it. */
export class timeval extends Struct {
  /** `sizeof(struct timeval)` and its field offsets on this platform. */
  static readonly layout = layoutOf('timeval');
  /** Seconds. */
  declare tv_sec: number;
  /** Microseconds. */
  declare tv_usec: number;
}
define(timeval, integers(timeval, ['tv_sec', 'tv_usec']));

/** The class of the exported `ucred`, documented there. */
class ucred extends Struct {
  /** `sizeof(struct ucred)` and its field offsets on this platform (Linux only). */
  static readonly layout: StructLayout = linuxLayout('ucred');
  /** Process ID. */
  declare pid: number;
  /** User ID. */
  declare uid: number;
  /** Group ID. */
  declare gid: number;
}
if (native.layouts.ucred !== undefined) define(ucred, integers(ucred, ['pid', 'uid', 'gid']));

// --- The families and option structs of Linux socket programs --------------

/** `struct timespec`: a time in seconds and nanoseconds, as SO_TIMESTAMPNS's control message carries it. */
export class timespec extends Struct {
  /** `sizeof(struct timespec)` and its field offsets on this platform. */
  static readonly layout = layoutOf('timespec');
  /** Seconds. */
  declare tv_sec: number;
  /** Nanoseconds (0 to 999999999). */
  declare tv_nsec: number;
}
define(timespec, integers(timespec, ['tv_sec', 'tv_nsec']));

// A nested struct field by name, from the class's own layout.
function nested<T extends Struct>(
  Class: StructClass,
  field: string,
  Nested: { new (source?: Uint8Array): T; readonly name: string },
): Accessor {
  return nestedField(Class.name, field, fieldOf(Class.layout, Class.name, field), Nested);
}

/** `struct ip_mreq`: a multicast group to join or leave, IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (ip(7)). */
export class ip_mreq extends Struct {
  /** `sizeof(struct ip_mreq)` and its field offsets on this platform. */
  static readonly layout = layoutOf('ip_mreq');
  /** The group's address (a view; assigning copies). */
  declare imr_multiaddr: in_addr;
  /** The address of the local interface to join on; INADDR_ANY lets the kernel choose. */
  declare imr_interface: in_addr;
}
define(ip_mreq, {
  imr_multiaddr: nested(ip_mreq, 'imr_multiaddr', in_addr),
  imr_interface: nested(ip_mreq, 'imr_interface', in_addr),
});

/** `struct ipv6_mreq`: an IPv6 multicast group to join or leave, IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP (ipv6(7)). */
export class ipv6_mreq extends Struct {
  /** `sizeof(struct ipv6_mreq)` and its field offsets on this platform. */
  static readonly layout = layoutOf('ipv6_mreq');
  /** The group's address (a view; assigning copies). */
  declare ipv6mr_multiaddr: in6_addr;
  /** The interface index to join on (if_nametoindex), 0 for the kernel's choice. */
  declare ipv6mr_interface: number;
}
define(ipv6_mreq, {
  ...integers(ipv6_mreq, ['ipv6mr_interface']),
  ipv6mr_multiaddr: nested(ipv6_mreq, 'ipv6mr_multiaddr', in6_addr),
});

// A struct the platform may lack (these are Linux's): its layout is size 0 and it has no fields.
function defineWhere(Class: StructClass, accessors: () => Record<string, Accessor>): void {
  if (native.layouts[Class.name] !== undefined) define(Class, accessors());
}

/** The class of the exported `ip_mreqn`, documented there. */
class ip_mreqn extends Struct {
  /** `sizeof(struct ip_mreqn)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('ip_mreqn');
  /** The group's address (a view; assigning copies). */
  declare imr_multiaddr: in_addr;
  /** The local interface's address, or INADDR_ANY. */
  declare imr_address: in_addr;
  /** The interface index, or 0 for any. */
  declare imr_ifindex: number;
}
defineWhere(ip_mreqn, () => ({
  ...integers(ip_mreqn, ['imr_ifindex']),
  imr_multiaddr: nested(ip_mreqn, 'imr_multiaddr', in_addr),
  imr_address: nested(ip_mreqn, 'imr_address', in_addr),
}));

/** The class of the exported `in_pktinfo`, documented there. */
class in_pktinfo extends Struct {
  /** `sizeof(struct in_pktinfo)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('in_pktinfo');
  /** The index of the interface the packet came in on. */
  declare ipi_ifindex: number;
  /** The local address the reply would come from (the routing's choice). */
  declare ipi_spec_dst: in_addr;
  /** The packet's destination address, from its IP header. */
  declare ipi_addr: in_addr;
}
defineWhere(in_pktinfo, () => ({
  ...integers(in_pktinfo, ['ipi_ifindex']),
  ipi_spec_dst: nested(in_pktinfo, 'ipi_spec_dst', in_addr),
  ipi_addr: nested(in_pktinfo, 'ipi_addr', in_addr),
}));

/** The class of the exported `in6_pktinfo`, documented there. */
class in6_pktinfo extends Struct {
  /** `sizeof(struct in6_pktinfo)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('in6_pktinfo');
  /** The packet's destination (or the source to send from). */
  declare ipi6_addr: in6_addr;
  /** The interface index. */
  declare ipi6_ifindex: number;
}
defineWhere(in6_pktinfo, () => ({
  ...integers(in6_pktinfo, ['ipi6_ifindex']),
  ipi6_addr: nested(in6_pktinfo, 'ipi6_addr', in6_addr),
}));

/** The class of the exported `sockaddr_ll`, documented there. */
class sockaddr_ll extends SockaddrStruct {
  /** `sizeof(struct sockaddr_ll)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sockaddr_ll');
  /** AF_PACKET. */
  declare sll_family: number;
  /** The Ethernet protocol (ETH_P_*), network byte order. */
  declare sll_protocol: number;
  /** The interface index (if_nametoindex), 0 for any. */
  declare sll_ifindex: number;
  /** The ARP hardware type (ARPHRD_*), filled on receipt. */
  declare sll_hatype: number;
  /** The packet type (PACKET_HOST, PACKET_OUTGOING, ...), filled on receipt. */
  declare sll_pkttype: number;
  /** How many bytes of sll_addr hold the address. */
  declare sll_halen: number;
  /** The link-level (MAC) address, 8 bytes (a view; assigning copies). */
  declare sll_addr: Uint8Array;
}
defineWhere(sockaddr_ll, () => ({
  ...integers(sockaddr_ll, ['sll_family', 'sll_protocol', 'sll_ifindex', 'sll_hatype', 'sll_pkttype', 'sll_halen']),
  sll_addr: arrayField('sockaddr_ll', 'sll_addr', fieldOf(sockaddr_ll.layout, 'sockaddr_ll', 'sll_addr')),
}));

/** The class of the exported `sockaddr_nl`, documented there. */
class sockaddr_nl extends SockaddrStruct {
  /** `sizeof(struct sockaddr_nl)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sockaddr_nl');
  /** AF_NETLINK. */
  declare nl_family: number;
  /** The port ID: 0 for the kernel (or, in bind, for the kernel to choose). */
  declare nl_pid: number;
  /** The multicast groups' bit mask (RTMGRP_*). */
  declare nl_groups: number;
}
defineWhere(sockaddr_nl, () => integers(sockaddr_nl, ['nl_family', 'nl_pid', 'nl_groups']));

/** The class of the exported `nlmsghdr`, documented there. */
class nlmsghdr extends Struct {
  /** `sizeof(struct nlmsghdr)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('nlmsghdr');
  /** The message's length, header included. */
  declare nlmsg_len: number;
  /** The message type (RTM_GETLINK, NLMSG_DONE, NLMSG_ERROR, ...). */
  declare nlmsg_type: number;
  /** NLM_F_* flags. */
  declare nlmsg_flags: number;
  /** A sequence number, echoed in the replies. */
  declare nlmsg_seq: number;
  /** The sender's port ID. */
  declare nlmsg_pid: number;
}
defineWhere(nlmsghdr, () => integers(nlmsghdr, ['nlmsg_len', 'nlmsg_type', 'nlmsg_flags', 'nlmsg_seq', 'nlmsg_pid']));

/** The class of the exported `sockaddr_vm`, documented there. */
class sockaddr_vm extends SockaddrStruct {
  /** `sizeof(struct sockaddr_vm)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sockaddr_vm');
  /** AF_VSOCK. */
  declare svm_family: number;
  /** The port, host byte order (VMADDR_PORT_ANY to bind any). */
  declare svm_port: number;
  /** The context ID (VMADDR_CID_ANY, VMADDR_CID_LOCAL, VMADDR_CID_HOST, ...). */
  declare svm_cid: number;
  /** VMADDR_FLAG_TO_HOST, or 0 (Linux 5.11 and later headers; absent before). */
  declare svm_flags: number;
}
defineWhere(sockaddr_vm, () => integers(sockaddr_vm, Object.keys(sockaddr_vm.layout.fields)));

/** The class of the exported `sockaddr_can`, documented there. */
class sockaddr_can extends SockaddrStruct {
  /** `sizeof(struct sockaddr_can)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sockaddr_can');
  /** AF_CAN. */
  declare can_family: number;
  /** The CAN interface's index, 0 for all. */
  declare can_ifindex: number;
}
defineWhere(sockaddr_can, () => integers(sockaddr_can, ['can_family', 'can_ifindex']));

/** The class of the exported `sockaddr_alg`, documented there. */
class sockaddr_alg extends SockaddrStruct {
  /** `sizeof(struct sockaddr_alg)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sockaddr_alg');
  /** AF_ALG. */
  declare salg_family: number;
  /** The kind of algorithm: "hash", "skcipher", "aead", "rng". */
  declare salg_type: string;
  /** Feature flags (CRYPTO_ALG_*), usually 0. */
  declare salg_feat: number;
  /** The mask for salg_feat, usually 0. */
  declare salg_mask: number;
  /** The algorithm's name: "sha256", "cbc(aes)". */
  declare salg_name: string;
}

// A NUL-terminated text in a char array field (ifr_name, salg_type): read up to the NUL, written with
// room for one; `limit` names the bound in the error, as C's headers do (IFNAMSIZ).
function textField(Class: StructClass, field: string, limit = ''): Accessor {
  const [offset, size] = fieldOf(Class.layout, Class.name, field);
  return {
    get() {
      const text = this.bytes.subarray(offset, offset + size);
      const end = text.indexOf(0);
      return text.toString('utf8', 0, end < 0 ? size : end);
    },
    set(v: string) {
      if (typeof v !== 'string') throw invalidArgType(Class.name, field, 'of type string', v);
      const encoded = Buffer.from(v, 'utf8');
      if (encoded.length > size - 1) {
        throw outOfRange(Class.name, field, `at most ${limit}${size - 1} bytes long (and its NUL)`, encoded.length);
      }
      this.bytes.fill(0, offset, offset + size);
      this.bytes.set(encoded, offset);
    },
  };
}
defineWhere(sockaddr_alg, () => ({
  ...integers(sockaddr_alg, ['salg_family', 'salg_feat', 'salg_mask']),
  salg_type: textField(sockaddr_alg, 'salg_type'),
  salg_name: textField(sockaddr_alg, 'salg_name'),
}));

/** The class of the exported `tcp_info`, documented there. */
class tcp_info extends Struct {
  /** `sizeof(struct tcp_info)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('tcp_info');
  /** TCP_ESTABLISHED, TCP_LISTEN, ... */
  declare tcpi_state: number;
  /** The congestion-avoidance state. */
  declare tcpi_ca_state: number;
  /** Retransmissions of the unacknowledged segment so far. */
  declare tcpi_retransmits: number;
  /** Zero-window probes sent. */
  declare tcpi_probes: number;
  /** The back-off exponent. */
  declare tcpi_backoff: number;
  /** TCPI_OPT_* bits (timestamps, SACK, window scaling, ECN). */
  declare tcpi_options: number;
  /** The send window scale (bit-field). */
  declare tcpi_snd_wscale: number;
  /** The receive window scale (bit-field). */
  declare tcpi_rcv_wscale: number;
  /** Retransmission timeout, microseconds. */
  declare tcpi_rto: number;
  /** Delayed-ACK timeout, microseconds. */
  declare tcpi_ato: number;
  /** Send maximum segment size. */
  declare tcpi_snd_mss: number;
  /** Receive maximum segment size. */
  declare tcpi_rcv_mss: number;
  /** Segments sent, not acknowledged. */
  declare tcpi_unacked: number;
  /** Segments selectively acknowledged. */
  declare tcpi_sacked: number;
  /** Segments deemed lost. */
  declare tcpi_lost: number;
  /** Segments being retransmitted. */
  declare tcpi_retrans: number;
  /** Forward-acknowledged segments (unused by recent kernels). */
  declare tcpi_fackets: number;
  /** Milliseconds since the last data sent. */
  declare tcpi_last_data_sent: number;
  /** Not remembered by the kernel: 0. */
  declare tcpi_last_ack_sent: number;
  /** Milliseconds since the last data received. */
  declare tcpi_last_data_recv: number;
  /** Milliseconds since the last ACK received. */
  declare tcpi_last_ack_recv: number;
  /** Path MTU. */
  declare tcpi_pmtu: number;
  /** Receive slow-start threshold. */
  declare tcpi_rcv_ssthresh: number;
  /** Smoothed round-trip time, microseconds. */
  declare tcpi_rtt: number;
  /** Round-trip time variation, microseconds. */
  declare tcpi_rttvar: number;
  /** Send slow-start threshold. */
  declare tcpi_snd_ssthresh: number;
  /** Congestion window, in segments. */
  declare tcpi_snd_cwnd: number;
  /** Advertised MSS. */
  declare tcpi_advmss: number;
  /** Reordering metric. */
  declare tcpi_reordering: number;
  /** Receiver-side RTT estimate, microseconds. */
  declare tcpi_rcv_rtt: number;
  /** Receive-buffer space the receiver advertises. */
  declare tcpi_rcv_space: number;
  /** Retransmissions over the connection's life. */
  declare tcpi_total_retrans: number;
  /** Pacing rate, bytes per second. */
  declare tcpi_pacing_rate: number;
  /** Maximum pacing rate (SO_MAX_PACING_RATE). */
  declare tcpi_max_pacing_rate: number;
  /** Bytes acknowledged. */
  declare tcpi_bytes_acked: number;
  /** Bytes received. */
  declare tcpi_bytes_received: number;
  /** Segments sent. */
  declare tcpi_segs_out: number;
  /** Segments received. */
  declare tcpi_segs_in: number;
  /** Bytes queued, not yet sent. */
  declare tcpi_notsent_bytes: number;
  /** Minimum RTT seen, microseconds. */
  declare tcpi_min_rtt: number;
  /** Data segments received. */
  declare tcpi_data_segs_in: number;
  /** Data segments sent. */
  declare tcpi_data_segs_out: number;
  /** Delivery rate, bytes per second. */
  declare tcpi_delivery_rate: number;
  /** Time busy sending, microseconds. */
  declare tcpi_busy_time: number;
  /** Time limited by the receive window, microseconds. */
  declare tcpi_rwnd_limited: number;
  /** Time limited by the send buffer, microseconds. */
  declare tcpi_sndbuf_limited: number;
  /** Segments delivered. */
  declare tcpi_delivered: number;
  /** Segments delivered with ECN CE marks. */
  declare tcpi_delivered_ce: number;
  /** Bytes sent, retransmissions included. */
  declare tcpi_bytes_sent: number;
  /** Bytes retransmitted. */
  declare tcpi_bytes_retrans: number;
  /** Duplicate segments reported by DSACK. */
  declare tcpi_dsack_dups: number;
  /** Reordering events seen. */
  declare tcpi_reord_seen: number;
  /** Out-of-order packets received. */
  declare tcpi_rcv_ooopack: number;
  /** The peer's advertised receive window, bytes. */
  declare tcpi_snd_wnd: number;
}
defineWhere(tcp_info, () => {
  const wscaleByte = fieldOf(tcp_info.layout, 'tcp_info', 'tcpi_options')[0] + 1;
  // Which half of the byte holds the first-declared bit-field (tcpi_snd_wscale).
  const sndShift = hostLittleEndian ? 0 : 4;
  const nibble = (field: string, shift: number): Accessor => ({
    get() {
      return (this.bytes[wscaleByte] >> shift) & 0xf;
    },
    set(v: number) {
      if (typeof v !== 'number') throw invalidArgType('tcp_info', field, 'of type number', v);
      if (!Number.isInteger(v) || v < 0 || v > 15) throw outOfRange('tcp_info', field, 'an integer >= 0 and <= 15', v);
      this.bytes[wscaleByte] = (this.bytes[wscaleByte] & ~(0xf << shift)) | (v << shift);
    },
  });
  return {
    ...integers(tcp_info, Object.keys(tcp_info.layout.fields)),
    tcpi_snd_wscale: nibble('tcpi_snd_wscale', sndShift),
    tcpi_rcv_wscale: nibble('tcpi_rcv_wscale', 4 - sndShift),
  };
});

/** The class of the exported `ifreq`, documented there. */
class ifreq extends Struct {
  /** `sizeof(struct ifreq)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('ifreq');
  /**
   * The interface's name ("lo", "eth0"): at most IFNAMSIZ - 1 bytes of UTF-8, for C's terminating NUL.
   * Assigning a longer one is a RangeError, where C's strncpy would leave it unterminated.
   */
  declare ifr_name: string;
  /** The interface index (SIOCGIFINDEX). */
  declare ifr_ifindex: number;
  /** IFF_* flags (SIOCGIFFLAGS, SIOCSIFFLAGS); a C short. */
  declare ifr_flags: number;
  /** An address (SIOCGIFADDR): a view on these bytes; cast it to sockaddr_in. */
  declare ifr_addr: sockaddr;
  /** The MTU (SIOCGIFMTU). */
  declare ifr_mtu: number;
}
defineWhere(ifreq, () => ({
  ...integers(ifreq, ['ifr_ifindex', 'ifr_flags', 'ifr_mtu']),
  ifr_addr: nested(ifreq, 'ifr_addr', sockaddr),
  ifr_name: textField(ifreq, 'ifr_name', 'IFNAMSIZ - 1 = '),
}));

/** The class of the exported `sock_filter`, documented there. */
class sock_filter extends Struct {
  /** `sizeof(struct sock_filter)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sock_filter');
  /** The opcode: BPF_LD | BPF_H | BPF_ABS, BPF_JMP | BPF_JEQ | BPF_K, BPF_RET | BPF_K, ... */
  declare code: number;
  /** Instructions to skip when the jump's test is true. */
  declare jt: number;
  /** Instructions to skip when it is false. */
  declare jf: number;
  /** The instruction's constant operand. */
  declare k: number;
}
defineWhere(sock_filter, () => integers(sock_filter, ['code', 'jt', 'jf', 'k']));

/** The class of the exported `sock_fprog`, documented there. */
class sock_fprog extends Struct {
  /** `sizeof(struct sock_fprog)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('sock_fprog');
  /** How many instructions (C's unsigned short). */
  declare len: number;
  /** The instructions (C's `struct sock_filter *filter`), or null. */
  filter: StructArray<sock_filter> | sock_filter[] | null = null;
}
defineWhere(sock_fprog, () => integers(sock_fprog, ['len']));

/** The class of the exported `inet_diag_sockid`, documented there. */
class inet_diag_sockid extends Struct {
  /** `sizeof(struct inet_diag_sockid)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('inet_diag_sockid');
  /** The source (local) port, network byte order. */
  declare idiag_sport: number;
  /** The destination (peer) port, network byte order. */
  declare idiag_dport: number;
  /** The source address, 16 bytes (a view; assigning copies): inet_ntop reads it. */
  declare idiag_src: Uint8Array;
  /** The destination address, 16 bytes (a view; assigning copies). */
  declare idiag_dst: Uint8Array;
  /** The interface the socket is bound to, or 0. */
  declare idiag_if: number;
  /** The kernel's cookie for the socket, two 32-bit words (a view); INET_DIAG_NOCOOKIE in both for any. */
  declare idiag_cookie: Uint8Array;
}
defineWhere(inet_diag_sockid, () => ({
  ...integers(inet_diag_sockid, ['idiag_sport', 'idiag_dport', 'idiag_if']),
  ...Object.fromEntries(
    ['idiag_src', 'idiag_dst', 'idiag_cookie'].map((f) => [
      f,
      arrayField('inet_diag_sockid', f, fieldOf(inet_diag_sockid.layout, 'inet_diag_sockid', f)),
    ]),
  ),
}));

/** The class of the exported `inet_diag_req_v2`, documented there. */
class inet_diag_req_v2 extends Struct {
  /** `sizeof(struct inet_diag_req_v2)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('inet_diag_req_v2');
  /** AF_INET or AF_INET6. */
  declare sdiag_family: number;
  /** IPPROTO_TCP, IPPROTO_UDP, ... */
  declare sdiag_protocol: number;
  /** The extensions wanted, as bits `1 << (INET_DIAG_INFO - 1)` ... */
  declare idiag_ext: number;
  /** Padding, 0. */
  declare pad: number;
  /** The TCP states wanted, one bit per state: `1 << TCP_ESTABLISHED` ...; ~0 for all. */
  declare idiag_states: number;
  /** Which socket (for a single one) (a view; assigning copies). */
  declare id: inet_diag_sockid;
}
defineWhere(inet_diag_req_v2, () => ({
  ...integers(inet_diag_req_v2, ['sdiag_family', 'sdiag_protocol', 'idiag_ext', 'pad', 'idiag_states']),
  id: nested(inet_diag_req_v2, 'id', inet_diag_sockid),
}));

/** The class of the exported `inet_diag_msg`, documented there. */
class inet_diag_msg extends Struct {
  /** `sizeof(struct inet_diag_msg)` and its field offsets (Linux only). */
  static readonly layout: StructLayout = linuxLayout('inet_diag_msg');
  /** AF_INET or AF_INET6. */
  declare idiag_family: number;
  /** The TCP state (TCP_LISTEN, TCP_ESTABLISHED, ...). */
  declare idiag_state: number;
  /** Which timer runs (0 none, 1 retransmit, 2 keepalive, ...). */
  declare idiag_timer: number;
  /** Retransmits (or probes) so far. */
  declare idiag_retrans: number;
  /** The socket's addresses and ports (a view). */
  declare id: inet_diag_sockid;
  /** Milliseconds until the timer fires. */
  declare idiag_expires: number;
  /** Bytes queued to read (a listener: its accept queue). */
  declare idiag_rqueue: number;
  /** Bytes queued to send (a listener: its backlog). */
  declare idiag_wqueue: number;
  /** The owner's uid. */
  declare idiag_uid: number;
  /** The socket's inode, as in /proc/PID/fd's `socket:[N]`. */
  declare idiag_inode: number;
}
defineWhere(inet_diag_msg, () => ({
  ...integers(inet_diag_msg, [
    'idiag_family',
    'idiag_state',
    'idiag_timer',
    'idiag_retrans',
    'idiag_expires',
    'idiag_rqueue',
    'idiag_wqueue',
    'idiag_uid',
    'idiag_inode',
  ]),
  id: nested(inet_diag_msg, 'id', inet_diag_sockid),
}));

/**
 * C's BPF_STMT(code, k) macro: the instruction `{ code, 0, 0, k }`.
 * @param code - the opcode (BPF_LD | BPF_W | BPF_ABS, BPF_RET | BPF_K, ...).
 * @param k - the operand.
 */
export function BPF_STMT(code: number, k: number): sock_filter {
  if (native.layouts.sock_filter === undefined) throw new Error('bsdsock: this platform has no struct sock_filter');
  const insn = new sock_filter();
  insn.code = code;
  insn.k = k;
  return insn;
}

/**
 * C's BPF_JUMP(code, k, jt, jf) macro: the instruction `{ code, jt, jf, k }`.
 * @param code - the opcode (BPF_JMP | BPF_JEQ | BPF_K, ...).
 * @param k - the value compared with.
 * @param jt - instructions to skip when true.
 * @param jf - instructions to skip when false.
 */
export function BPF_JUMP(code: number, k: number, jt: number, jf: number): sock_filter {
  const insn = BPF_STMT(code, k);
  insn.jt = jt;
  insn.jf = jf;
  return insn;
}

/**
 * `struct iovec`: one piece of a scattered buffer for sendmsg/recvmsg.
 * `iov_base` holds the JavaScript buffer itself (its address is C's
 * business); `iov_len` is in the struct's bytes and may not exceed it.
 */
export class iovec extends Struct {
  /** `sizeof(struct iovec)` and its field offsets on this platform. */
  static readonly layout = layoutOf('iovec');
  /** The memory this piece describes (C's `void *iov_base`). */
  iov_base: BufferLike | null = null;
  /** How many bytes of iov_base to use. */
  declare iov_len: number;
}
define(iovec, integers(iovec, ['iov_len']));

/**
 * `struct msghdr`: the message for sendmsg(2)/recvmsg(2). The pointer
 * fields (`msg_name`, `msg_iov`, `msg_control`) hold JavaScript references;
 * the others live in the struct's bytes, where recvmsg updates them.
 */
export class msghdr extends Struct {
  /** `sizeof(struct msghdr)` and its field offsets on this platform. */
  static readonly layout = layoutOf('msghdr');
  /** The peer's address (optional): a socket address struct or null. */
  msg_name: SockaddrLike | null = null;
  /** The size of msg_name; recvmsg sets it to the address's length. */
  declare msg_namelen: number;
  /** The buffers, as C's array of iovec. */
  msg_iov: iovec[] | null = null;
  /** How many iovecs of msg_iov to use. */
  declare msg_iovlen: number;
  /** The control (ancillary data) buffer, or null. */
  msg_control: Buffer | null = null;
  /** The size of msg_control; recvmsg sets it to the length received. */
  declare msg_controllen: number;
  /** Flags recvmsg sets (MSG_TRUNC, MSG_CTRUNC, ...). */
  declare msg_flags: number;
}
define(msghdr, integers(msghdr, ['msg_namelen', 'msg_iovlen', 'msg_controllen', 'msg_flags']));

/**
 * `struct cmsghdr`: a control-message header inside a msghdr's control
 * buffer. Made by CMSG_FIRSTHDR/CMSG_NXTHDR; it views that buffer.
 */
export class cmsghdr extends Struct {
  /** `sizeof(struct cmsghdr)` and its field offsets on this platform. */
  static readonly layout = layoutOf('cmsghdr');
  /** CMSG_LEN(data length). */
  declare cmsg_len: number;
  /** The originating protocol (SOL_SOCKET). */
  declare cmsg_level: number;
  /** The protocol-specific type (SCM_RIGHTS). */
  declare cmsg_type: number;
}
define(cmsghdr, integers(cmsghdr, ['cmsg_len', 'cmsg_level', 'cmsg_type']));

/**
 * `struct addrinfo`: one result (or the hints) of getaddrinfo(3). As hints,
 * only the four int fields are read. Results are linked by `ai_next`.
 */
export class addrinfo extends Struct {
  /** `sizeof(struct addrinfo)` and its field offsets on this platform. */
  static readonly layout = layoutOf('addrinfo');
  /** AI_* flags. */
  declare ai_flags: number;
  /** AF_INET, AF_INET6 or AF_UNSPEC. */
  declare ai_family: number;
  /** SOCK_STREAM, SOCK_DGRAM, or 0 for any. */
  declare ai_socktype: number;
  /** The protocol, or 0 for any. */
  declare ai_protocol: number;
  /** The length of ai_addr. */
  declare ai_addrlen: number;
  /** The address, ready for connect() or bind(). */
  ai_addr: SockaddrLike | null = null;
  /** The canonical name (first result, with AI_CANONNAME), or null. */
  ai_canonname: string | null = null;
  /** The next result, or null. */
  ai_next: addrinfo | null = null;
}
define(addrinfo, integers(addrinfo, ['ai_flags', 'ai_family', 'ai_socktype', 'ai_protocol', 'ai_addrlen']));

// --- Holders ----------------------------------------------------------------

/**
 * `socklen_t`: the in/out length C passes by pointer (`&addrlen`).
 * `new socklen_t(sizeof(addr))`, then read `.value` after the call.
 */
export class socklen_t {
  /** The holder's bytes: what the call reads and writes. */
  readonly bytes: Uint8Array;
  private readonly cell: Uint32Array;

  /**
   * @param value - the initial length, such as sizeof(addr).
   */
  constructor(value = 0) {
    this.cell = new Uint32Array(1);
    this.bytes = new Uint8Array(this.cell.buffer);
    this.value = value;
  }

  /** The length. */
  get value(): number {
    return this.cell[0];
  }

  /**
   * Sets the length, as C's `len = sizeof(addr)` before the call.
   * @throws TypeError (ERR_INVALID_ARG_TYPE) or RangeError (ERR_OUT_OF_RANGE) for anything but an
   *   integer from 0 to 2^32 - 1.
   */
  set value(v: number) {
    if (typeof v !== 'number') throw invalidArgType('socklen_t', 'value', 'of type number', v);
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw outOfRange('socklen_t', 'value', 'an integer >= 0 and <= 4294967295', v);
    }
    this.cell[0] = v;
  }
}

/**
 * A pointer's target, for C's other out-parameters: `int *optval` of
 * getsockopt (`new ptr(0)`), `struct addrinfo **res` of getaddrinfo
 * (`new ptr<addrinfo | null>(null)`).
 */
export class ptr<T> {
  /**
   * @param value - the initial value.
   */
  constructor(public value: T) {}
}

// --- sizeof, offsetof, casts ------------------------------------------------

/** The C scalar type names `sizeof` knows. */
export type CTypeName =
  | 'char'
  | 'short'
  | 'int'
  | 'long'
  | 'long long'
  | 'size_t'
  | 'ssize_t'
  | 'socklen_t'
  | 'sa_family_t'
  | 'in_port_t'
  | 'in_addr_t'
  | 'uint16_t'
  | 'uint32_t'
  | 'time_t'
  | 'void *';

/**
 * C's `sizeof`: the size of a struct (class or instance), the byte length
 * of a buffer, the size of a socklen_t holder, or of a C scalar type given
 * by name (`sizeof('int')`).
 * @param x - what to measure.
 */
export function sizeof(x: StructClass | Struct | socklen_t | BufferLike | CTypeName): number {
  if (x instanceof Struct) return (x.constructor as unknown as StructClass).layout.size;
  if (x instanceof socklen_t) return native.typeSizes.socklen_t;
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) return x.byteLength;
  if (typeof x === 'string') {
    const size = native.typeSizes[x];
    if (size === undefined) throw invalidArgValue('sizeof', 'x', 'must be a struct, a buffer or a C type name', x);
    return size;
  }
  const layout = typeof x === 'function' ? (x as Partial<StructClass>).layout : undefined;
  if (layout !== undefined) return layout.size;
  throw invalidArgType('sizeof', 'x', 'a struct, a struct class, a buffer or a C type name', x);
}

/**
 * C's `offsetof(type, member)`: where a field starts in a struct.
 * @param type - the struct class.
 * @param member - the C field name.
 */
export function offsetof(type: StructClass, member: string): number {
  const field = type?.layout?.fields[member];
  if (field === undefined) throw invalidArgValue('offsetof', 'member', `must be a field of ${type?.name}`, member);
  return field[0];
}

/**
 * C's pointer cast: a struct of another type that views the same memory,
 * `cast(sockaddr_in, storage)` for `(struct sockaddr_in *)&storage`. As in C
 * the pointer reaches the whole memory the source lives in, not only the
 * source's own size: `cast(sockaddr_in6, cast(sockaddr, ai.ai_addr))` views
 * all 28 bytes of an IPv6 result. A type larger than that memory is a
 * RangeError, where C would read past the allocation.
 * @param type - the struct class to view as.
 * @param source - the struct or buffer whose memory to view.
 */
export function cast<T extends Struct>(
  type: { new (source?: Uint8Array): T; readonly layout: StructLayout; readonly name: string },
  source: Struct | Uint8Array,
): T {
  if (typeof type !== 'function' || !(type.prototype instanceof Struct) || type.layout === undefined) {
    throw invalidArgType('cast', 'type', 'a struct class', type);
  }
  const memory = source instanceof Struct ? memoryOf(source) : source;
  if (!(memory instanceof Uint8Array)) throw invalidArgType('cast', 'source', 'a struct or a Uint8Array', source);
  if (memory.byteLength < type.layout.size) {
    throw outOfRange(
      'cast',
      'source',
      `memory of at least sizeof(${type.name}) = ${type.layout.size} bytes (a larger cast would read past it)`,
      memory.byteLength,
    );
  }
  return new type(memory);
}

/**
 * C's struct assignment `dst = src;`: copies src's bytes (and the pointer
 * fields a JavaScript struct keeps beside them, such as `iov_base`) into
 * dst, which keeps its own memory. JavaScript's `dst = src` would instead
 * make both names one object.
 * @param dst - the struct assigned to.
 * @param src - a struct of the same type.
 * @returns dst.
 */
export function assign<T extends Struct>(dst: T, src: T): T {
  if (!(dst instanceof Struct)) throw invalidArgType('assign', 'dst', 'a struct', dst);
  if (!(src instanceof Struct) || src.constructor !== dst.constructor) {
    throw invalidArgType('assign', 'src', `a ${dst.constructor.name}, as dst is`, src);
  }
  dst.bytes.set(src.bytes);
  for (const key of Object.keys(src)) {
    if (key !== 'bytes' && key !== 'view' && key !== 'base')
      (dst as unknown as Record<string, unknown>)[key] = (src as unknown as Record<string, unknown>)[key];
  }
  return dst;
}

/** A struct class that can be instantiated on existing memory: what `array` takes. */
export type StructType<T extends Struct> = StructClass & { new (source?: Uint8Array): T };

/**
 * A C array of structs (`struct pollfd pfds[N]`): its elements lie one after
 * another in one buffer, in C's layout. `a[i]` is a view on element i;
 * `a[i] = a[j]` copies element j's bytes into element i, as C's assignment
 * does; its length is fixed (grow it with `realloc` from `bsdsock/libc`).
 * Pass it wherever a call takes an array of that struct (poll, epoll_wait,
 * readv, writev, msg_iov).
 */
export interface StructArray<T extends Struct> extends Array<T> {
  /** All elements' bytes, contiguous. */
  readonly bytes: Buffer;
  /** The element type. */
  readonly type: StructType<T>;
}

// Each StructArray's own bytes and type, kept beside it: reading them through the array's Proxy costs
// ≈ 350 instructions a property, and epoll_wait wants them on every call.
const structArrays = new WeakMap<object, { readonly bytes: Buffer; readonly type: StructType<Struct> }>();

/** Whether x is a StructArray. @internal */
export function isStructArray(x: unknown): x is StructArray<Struct> {
  return typeof x === 'object' && x !== null && structArrays.has(x);
}

/**
 * The contiguous bytes of x when it is a StructArray of `type`, else undefined.
 * @internal
 */
export function structArrayBytes(x: unknown, type: StructType<Struct>): Buffer | undefined {
  const info = typeof x === 'object' && x !== null ? structArrays.get(x) : undefined;
  return info !== undefined && info.type === type ? info.bytes : undefined;
}

function isIndex(key: string | symbol): key is string {
  return typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key);
}

/**
 * A StructArray of `count` elements over `bytes`, whose length must be count * sizeof(type).
 * @internal
 */
export function structArrayOn<T extends Struct>(type: StructType<T>, bytes: Buffer, count: number): StructArray<T> {
  const size = type.layout.size;
  const target: T[] = new Array<T>(count);
  for (let k = 0; k < count; k++) target[k] = new type(bytes.subarray(k * size));
  Object.defineProperty(target, 'bytes', { value: bytes, enumerable: false, writable: false });
  Object.defineProperty(target, 'type', { value: type, enumerable: false, writable: false });
  const refuse = (key: string | symbol): never => {
    throw outOfRange(
      `${type.name}[]`,
      String(key),
      `an index >= 0 and < ${count} (a C array cannot grow; use realloc)`,
      key,
    );
  };
  const proxy = new Proxy(target, {
    set(t, key, value: unknown) {
      if (isIndex(key) && Number(key) < count) {
        if (!(value instanceof type)) throw invalidArgType(`${type.name}[]`, key, `a ${type.name}`, value);
        assign(t[Number(key)], value);
        return true;
      }
      return refuse(key);
    },
    defineProperty(_t, key) {
      return refuse(key);
    },
    deleteProperty(_t, key) {
      return refuse(key);
    },
  }) as StructArray<T>;
  structArrays.set(proxy, { bytes, type });
  return proxy;
}

/**
 * C's array declaration `struct T a[count];`: `count` zero-filled structs,
 * contiguous. See StructArray.
 * @param type - the struct class.
 * @param count - how many elements.
 */
export function array<T extends Struct>(type: StructType<T>, count: number): StructArray<T> {
  if (typeof type !== 'function' || !(type.prototype instanceof Struct) || type.layout === undefined) {
    throw invalidArgType('array', 'type', 'a struct class', type);
  }
  if (typeof count !== 'number') throw invalidArgType('array', 'count', 'of type number', count);
  if (!Number.isInteger(count) || count < 0 || count * type.layout.size > 2 ** 31 - 1) {
    throw outOfRange('array', 'count', `an integer >= 0 and <= ${Math.floor((2 ** 31 - 1) / type.layout.size)}`, count);
  }
  return structArrayOn(type, Buffer.alloc(count * type.layout.size), count);
}

// --- Argument helpers for the wrappers -------------------------------------

/**
 * The bytes behind a `struct sockaddr *` argument: a socket address struct
 * (the whole memory its pointer reaches, as for cast: `cast(sockaddr, storage)`
 * with `sizeof(storage)` is C's `(struct sockaddr *)&storage`) or raw memory;
 * anything else is a programming error.
 * @internal
 */
export function sockaddrArg(fn: string, param: string, addr: unknown): Memory {
  if (addr instanceof SockaddrStruct) return memoryOf(addr);
  if (ArrayBuffer.isView(addr) || addr instanceof ArrayBuffer) return addr;
  throw invalidArgType(fn, param, 'a sockaddr struct (sockaddr_in, sockaddr_in6, sockaddr_un, ...)', addr);
}

/** Like sockaddrArg, where C allows NULL. @internal */
export function optionalSockaddrArg(fn: string, param: string, addr: unknown): Memory | null {
  return addr === null ? null : sockaddrArg(fn, param, addr);
}

/** The bytes of a `socklen_t *` argument (or null where C allows NULL). @internal */
export function socklenArg(fn: string, param: string, len: unknown, nullable: boolean): Uint8Array | null {
  if (len instanceof socklen_t) return len.bytes;
  if (len === null && nullable) return null;
  throw invalidArgType(fn, param, nullable ? 'a socklen_t or null' : 'a socklen_t', len);
}

/**
 * C's `struct T *array` with its count (poll's fds, epoll_wait's events): an array of T (or one T),
 * and the bytes of its first `count` entries, each checked to be a T. A count past the array is
 * left for the addon to refuse, with its own message.
 * @internal
 */
export function structArrayArg<T extends Struct>(
  fn: string,
  param: string,
  value: T[] | T,
  count: number,
  type: StructClass & (abstract new () => T),
): [T[], Memory[]] {
  const list = value instanceof type ? [value] : value;
  const article = /^[aeio]/.test(type.name) ? 'an' : 'a';
  if (!Array.isArray(list)) throw invalidArgType(fn, param, `an array of ${type.name}`, value);
  // Rounded up, so that a fractional count (which the addon then refuses with a coded error) walks the
  // entries a plain `k < count` loop would.
  const n = Math.min(list.length, typeof count === 'number' && count > 0 ? Math.ceil(count) : 0);
  // Of exact size: a pending poll holds it, once per waiting connection in a server.
  const bytes = new Array<Memory>(n);
  for (let k = 0; k < n; k++) {
    const entry: unknown = list[k];
    if (!(entry instanceof type)) throw invalidArgType(fn, `${param}[${k}]`, `${article} ${type.name}`, entry);
    bytes[k] = entry.bytes;
  }
  return [list, bytes];
}

/** The bytes of a struct argument of one exact kind. @internal */
export function structArg(
  fn: string,
  param: string,
  value: unknown,
  type: StructClass & (abstract new () => Struct),
): Buffer {
  if (value instanceof type) return value.bytes;
  throw invalidArgType(fn, param, `${/^[aeio]/.test(type.name) ? 'an' : 'a'} ${type.name}`, value);
}

// --- The exported names of the structs the platform may lack -----------------
//
// Each is its class where the addon has its layout, and undefined elsewhere (platformStruct); its type
// is the class either way. Inside this file the classes are used directly: every use is behind a
// layout check (defineWhere, BPF_STMT's).
//
// Each struct's documentation is here, on the name the package exports, not on its class: editors show
// it for `tcp_info`, and TypeDoc's `@class` makes the reference show the constant as the class it holds
// (scripts/typedoc-platform-structs.mjs links the types that name the class itself to that page).
/**
 * `epoll_data_t` (Linux): the union an epoll_event carries back, as the program set it. `fd` and `u32`
 * share its first four bytes, `u64` all eight; C's `ptr` has no meaning here (use `fd` or `u64` as a key).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_epoll_data = platformStruct(epoll_data);
/** The exported `epoll_data`'s type: the class's instances. */
type platform_epoll_data = epoll_data;
/**
 * `struct epoll_event` (Linux): what epoll_ctl watches for, and what epoll_wait reports.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_epoll_event = platformStruct(epoll_event);
/** The exported `epoll_event`'s type: the class's instances. */
type platform_epoll_event = epoll_event;
/**
 * `struct ucred` (Linux): the peer's credentials, from SO_PEERCRED.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_ucred = platformStruct(ucred);
/** The exported `ucred`'s type: the class's instances. */
type platform_ucred = ucred;
/**
 * `struct ip_mreqn` (Linux): a multicast group to join by interface index, or IP_MULTICAST_IF's value
 * (ip(7)).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_ip_mreqn = platformStruct(ip_mreqn);
/** The exported `ip_mreqn`'s type: the class's instances. */
type platform_ip_mreqn = ip_mreqn;
/**
 * `struct in_pktinfo` (Linux): the data of an IP_PKTINFO control message, where and through which
 * interface a datagram came (ip(7)). Read it with `cast(in_pktinfo, CMSG_DATA(cmsg))`.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_in_pktinfo = platformStruct(in_pktinfo);
/** The exported `in_pktinfo`'s type: the class's instances. */
type platform_in_pktinfo = in_pktinfo;
/**
 * `struct in6_pktinfo` (Linux): the data of an IPV6_PKTINFO control message (with IPV6_RECVPKTINFO set),
 * or IPV6_PKTINFO's value to choose the source (ipv6(7)).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_in6_pktinfo = platformStruct(in6_pktinfo);
/** The exported `in6_pktinfo`'s type: the class's instances. */
type platform_in6_pktinfo = in6_pktinfo;
/**
 * `struct sockaddr_ll` (Linux): a link-level address for AF_PACKET sockets (packet(7)). `sll_protocol`
 * is in network byte order: `htons(ETH_P_ALL)`.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sockaddr_ll = platformStruct(sockaddr_ll);
/** The exported `sockaddr_ll`'s type: the class's instances. */
type platform_sockaddr_ll = sockaddr_ll;
/**
 * `struct sockaddr_nl` (Linux): a netlink address (netlink(7)).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sockaddr_nl = platformStruct(sockaddr_nl);
/** The exported `sockaddr_nl`'s type: the class's instances. */
type platform_sockaddr_nl = sockaddr_nl;
/**
 * `struct nlmsghdr` (Linux): the header of each netlink message (netlink(7)). Walk a buffer of them
 * with NLMSG_OK and NLMSG_NEXT, as C does.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_nlmsghdr = platformStruct(nlmsghdr);
/** The exported `nlmsghdr`'s type: the class's instances. */
type platform_nlmsghdr = nlmsghdr;
/**
 * `struct sockaddr_vm` (Linux): a vsock address, CID and port (vsock(7)).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sockaddr_vm = platformStruct(sockaddr_vm);
/** The exported `sockaddr_vm`'s type: the class's instances. */
type platform_sockaddr_vm = sockaddr_vm;
/**
 * `struct sockaddr_can` (Linux): a CAN address (for CAN_RAW, the interface). Its `can_addr` union (the
 * transport protocols' addresses) has no accessors here; its bytes are in `bytes`.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sockaddr_can = platformStruct(sockaddr_can);
/** The exported `sockaddr_can`'s type: the class's instances. */
type platform_sockaddr_can = sockaddr_can;
/**
 * `struct sockaddr_alg` (Linux): the kernel crypto API's address (AF_ALG): the kind of algorithm and
 * its name, `salg_type = "hash"`, `salg_name = "sha256"`. Both read as the text up to their NUL;
 * assigning a text that leaves no room for the NUL is a RangeError, where C's strcpy would overflow.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sockaddr_alg = platformStruct(sockaddr_alg);
/** The exported `sockaddr_alg`'s type: the class's instances. */
type platform_sockaddr_alg = sockaddr_alg;
/**
 * `struct tcp_info` (Linux, linux/tcp.h): what TCP_INFO reports of a connection (tcp(7)). Times are in
 * microseconds (tcpi_rtt, tcpi_rto) or milliseconds (tcpi_last_*). The 4-bit fields
 * `tcpi_snd_wscale` and `tcpi_rcv_wscale` share the byte after `tcpi_options` (snd in its low 4 bits
 * where the compiler fills bit-fields from the low end, as GCC and Clang do on little-endian machines,
 * in its high 4 bits on big-endian ones); the later bit-fields (`tcpi_delivery_rate_app_limited`,
 * `tcpi_fastopen_client_fail`) have no accessors.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_tcp_info = platformStruct(tcp_info);
/** The exported `tcp_info`'s type: the class's instances. */
type platform_tcp_info = tcp_info;
/**
 * `struct ifreq` (Linux): an interface request for ioctl (netdevice(7)): `ifr_name` names the interface,
 * and one member of the union after it is the request's argument or result (`ifr_ifindex` for
 * SIOCGIFINDEX, `ifr_flags` for SIOCGIFFLAGS/SIOCSIFFLAGS, `ifr_addr` for SIOCGIFADDR, `ifr_mtu` for
 * SIOCGIFMTU). The members share their bytes, as in C.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_ifreq = platformStruct(ifreq);
/** The exported `ifreq`'s type: the class's instances. */
type platform_ifreq = ifreq;
/**
 * `struct sock_filter` (Linux): one classic BPF instruction (filter(2) of SO_ATTACH_FILTER). Make it
 * with BPF_STMT or BPF_JUMP, as C does; a program is `array(sock_filter, n)`.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sock_filter = platformStruct(sock_filter);
/** The exported `sock_filter`'s type: the class's instances. */
type platform_sock_filter = sock_filter;
/**
 * `struct sock_fprog` (Linux): a classic BPF program for setsockopt(SO_ATTACH_FILTER): `len`
 * instructions at `filter`. `filter` holds the program itself, a C array `array(sock_filter, n)` (C's
 * `struct sock_filter *`); setsockopt gives the kernel a real struct sock_fprog pointing at its bytes.
 * A `len` past the array is a RangeError there, before the call.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_sock_fprog = platformStruct(sock_fprog);
/** The exported `sock_fprog`'s type: the class's instances. */
type platform_sock_fprog = sock_fprog;
/**
 * `struct inet_diag_sockid` (Linux, linux/inet_diag.h): a socket's addresses and ports in a
 * NETLINK_SOCK_DIAG request or answer (sock_diag(7)). Ports are in network byte order (`ntohs`);
 * `idiag_src` and `idiag_dst` are 16 bytes each (C's `__be32[4]`), an IPv4 address in the first 4.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_inet_diag_sockid = platformStruct(inet_diag_sockid);
/** The exported `inet_diag_sockid`'s type: the class's instances. */
type platform_inet_diag_sockid = inet_diag_sockid;
/**
 * `struct inet_diag_req_v2` (Linux): a NETLINK_SOCK_DIAG request (nlmsg_type SOCK_DIAG_BY_FAMILY) for
 * the TCP or UDP sockets of one family, in the states whose bits `idiag_states` sets (`1 << TCP_LISTEN`
 * ...), as ss(8) sends it (sock_diag(7)).
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_inet_diag_req_v2 = platformStruct(inet_diag_req_v2);
/** The exported `inet_diag_req_v2`'s type: the class's instances. */
type platform_inet_diag_req_v2 = inet_diag_req_v2;
/**
 * `struct inet_diag_msg` (Linux): one socket in a NETLINK_SOCK_DIAG answer, the data of a
 * SOCK_DIAG_BY_FAMILY message (`cast(inet_diag_msg, NLMSG_DATA(nh))`), its attributes after it.
 * `undefined` at runtime where the platform lacks the struct (no layout in the addon), its type
 * staying this class, as a missing constant is `undefined` typed `number`.
 * @class
 */
const platform_inet_diag_msg = platformStruct(inet_diag_msg);
/** The exported `inet_diag_msg`'s type: the class's instances. */
type platform_inet_diag_msg = inet_diag_msg;
export {
  platform_epoll_data as epoll_data,
  platform_epoll_event as epoll_event,
  platform_ucred as ucred,
  platform_ip_mreqn as ip_mreqn,
  platform_in_pktinfo as in_pktinfo,
  platform_in6_pktinfo as in6_pktinfo,
  platform_sockaddr_ll as sockaddr_ll,
  platform_sockaddr_nl as sockaddr_nl,
  platform_nlmsghdr as nlmsghdr,
  platform_sockaddr_vm as sockaddr_vm,
  platform_sockaddr_can as sockaddr_can,
  platform_sockaddr_alg as sockaddr_alg,
  platform_tcp_info as tcp_info,
  platform_ifreq as ifreq,
  platform_sock_filter as sock_filter,
  platform_sock_fprog as sock_fprog,
  platform_inet_diag_sockid as inet_diag_sockid,
  platform_inet_diag_req_v2 as inet_diag_req_v2,
  platform_inet_diag_msg as inet_diag_msg,
};
// The classes themselves, under names of their own, so that a declaration file can name their types
// (`typeof ucred_class`) wherever a program's inferred types reach them. Not exported by the package.
/** @internal */
export {
  epoll_data as epoll_data_class,
  epoll_event as epoll_event_class,
  ucred as ucred_class,
  ip_mreqn as ip_mreqn_class,
  in_pktinfo as in_pktinfo_class,
  in6_pktinfo as in6_pktinfo_class,
  sockaddr_ll as sockaddr_ll_class,
  sockaddr_nl as sockaddr_nl_class,
  nlmsghdr as nlmsghdr_class,
  sockaddr_vm as sockaddr_vm_class,
  sockaddr_can as sockaddr_can_class,
  sockaddr_alg as sockaddr_alg_class,
  tcp_info as tcp_info_class,
  ifreq as ifreq_class,
  sock_filter as sock_filter_class,
  sock_fprog as sock_fprog_class,
  inet_diag_sockid as inet_diag_sockid_class,
  inet_diag_req_v2 as inet_diag_req_v2_class,
  inet_diag_msg as inet_diag_msg_class,
};
