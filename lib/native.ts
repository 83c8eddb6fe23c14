// The one place the addon is loaded and typed. Every other module reaches
// the C side through `native`, so the binding's shape is declared once.
import { resolve } from 'path';
import bindings from 'bindings';

/** Memory a call may read or write: what C sees as `void *`. */
export type Memory = ArrayBufferView | ArrayBuffer;

/** One field of a struct layout: [offset, size, signed]. */
export type FieldLayout = readonly [number, number, boolean];

/** A struct's size, alignment and fields as this platform's headers define them. */
export interface StructLayout {
  /** `sizeof` the struct, in bytes. */
  readonly size: number;
  /** Its alignment (`_Alignof`), in bytes. */
  readonly align: number;
  /** Each field under its C name: its offset, size and signedness. */
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

/** [ai_flags, ai_family, ai_socktype, ai_protocol, ai_addr, ai_canonname] */
export type AddrinfoEntry = readonly [number, number, number, number, Buffer | null, string | null];

/** [h_name, h_aliases, h_addrtype, h_length, h_addr_list] of a struct hostent. */
export type HostentEntry = readonly [string, readonly string[], number, number, readonly Buffer[]];

/** [h_errno, errno, entry]: entry null is C's NULL, with h_errno (and errno for NETDB_INTERNAL). */
export type HostentResult = readonly [number, number, HostentEntry | null];

/** [s_name, s_aliases, s_port, s_proto] of a struct servent. */
export type ServentEntry = readonly [string, readonly string[], number, string];

/**
 * The addon's exports. A system call returns its C result, or -errno on
 * failure; the TypeScript wrappers turn that into C's -1 and errno.
 */
export interface NativeBinding {
  readonly constants: Readonly<Record<string, number | undefined>>;
  readonly errnoNames: Readonly<Record<number, string>>;
  readonly layouts: Readonly<Record<string, StructLayout>>;
  readonly typeSizes: Readonly<Record<string, number>>;
  readonly in6addr_any: Buffer;
  readonly in6addr_loopback: Buffer;
  readonly littleEndian: boolean;
  readonly CMSG_DATA_OFFSET: number;
  readonly engine: NativeEngine;

  strerror(errnum: number): string;
  perror(s: string | null, errnum: number): void;

  htons(v: number): number;
  ntohs(v: number): number;
  htonl(v: number): number;
  ntohl(v: number): number;
  inet_pton(af: number, src: string, dst: Memory): number;
  inet_ntop(af: number, src: Memory, dst: Memory | null, size: number): string | number;
  inet_addr(cp: string): number;
  inet_aton(cp: string, inp: Memory): number;
  inet_ntoa(inp: Memory): string;
  if_nametoindex(ifname: string): number;
  if_indextoname(ifindex: number, ifname: Memory): string | number;

  socket(domain: number, type: number, protocol: number): number;
  bind(sockfd: number, addr: Memory, addrlen: number): number;
  connect(sockfd: number, addr: Memory, addrlen: number, validateOnly?: true): number;
  listen(sockfd: number, backlog: number): number;
  /** accept(sockfd) alone is accept(sockfd, NULL, NULL), without the test of two nulls. */
  accept(sockfd: number): number;
  accept(sockfd: number, addr: Memory | null, addrlen: Memory | null, validateOnly?: true): number;
  accept4?(sockfd: number, addr: Memory | null, addrlen: Memory | null, flags: number, validateOnly?: true): number;
  getsockname(sockfd: number, addr: Memory, addrlen: Memory): number;
  getpeername(sockfd: number, addr: Memory, addrlen: Memory): number;
  shutdown(sockfd: number, how: number): number;
  close(fd: number): number;
  socketpair(domain: number, type: number, protocol: number, sv: Int32Array): number;
  fcntl(fd: number, cmd: number, arg?: number): number;
  dup(oldfd: number): number;
  dup2(oldfd: number, newfd: number): number;
  ioctl(fd: number, request: number, argp: Memory): number;

  send(sockfd: number, buf: Memory | string, len: number, flags: number, validateOnly?: true): number;
  /**
   * [fd, len, flags, result], shared with the addon (native/slots.cc): each xxxSlots function takes
   * its integers from it, already checked by the caller, and leaves its result (or -errno) in it.
   */
  readonly slots: Int32Array;
  sendSlots(buf: Memory | string): void;
  recvSlots(buf: Memory): void;
  readSlots(buf: Memory): void;
  writeSlots(buf: Memory | string): void;
  acceptSlots(): void;
  closeSlots(): void;
  read(fd: number, buf: Memory, count: number, validateOnly?: true): number;
  readv(fd: number, iov: (Memory | number)[], iovcnt: number, validateOnly?: true): number;
  writev(fd: number, iov: (Memory | number)[], iovcnt: number, validateOnly?: true): number;
  write(fd: number, buf: Memory | string, count: number, validateOnly?: true): number;
  recv(sockfd: number, buf: Memory, len: number, flags: number, validateOnly?: true): number;
  sendto(
    sockfd: number,
    buf: Memory | string,
    len: number,
    flags: number,
    dest_addr: Memory | null,
    addrlen: number,
    validateOnly?: true,
  ): number;
  recvfrom(
    sockfd: number,
    buf: Memory,
    len: number,
    flags: number,
    src_addr: Memory | null,
    addrlen: Memory | null,
    validateOnly?: true,
  ): number;
  sendmsg(
    sockfd: number,
    msg: Memory,
    name: Memory | null,
    iov: (Memory | number)[],
    control: Memory | null,
    flags: number,
    validateOnly?: true,
  ): number;
  recvmsg(
    sockfd: number,
    msg: Memory,
    name: Memory | null,
    iov: (Memory | number)[],
    control: Memory | null,
    flags: number,
    validateOnly?: true,
  ): number;
  CMSG_SPACE(length: number): number;
  CMSG_LEN(length: number): number;
  cmsgNext(control: Memory | null, controllen: number, offset: number): number;

  setsockopt(sockfd: number, level: number, optname: number, optval: number | Memory | null, optlen: number): number;
  /** setsockopt with a struct sock_fprog built natively from its len and filter bytes (Linux). */
  setsockoptFprog?(
    sockfd: number,
    level: number,
    optname: number,
    len: number,
    filter: Memory | null,
    optlen: number,
  ): number;
  getsockopt(sockfd: number, level: number, optname: number, optval: Memory | null, optlen: Memory | null): number;

  poll(fds: Memory[], nfds: number, timeout: number, validateOnly?: true): number;
  select(
    nfds: number,
    readfds: Memory | null,
    writefds: Memory | null,
    exceptfds: Memory | null,
    timeout: Memory | null,
    validateOnly?: true,
  ): number;
  /** FD_SET (op 0), FD_CLR (1), FD_ISSET (2: its result). */
  fdSet(op: 0 | 1 | 2, fd: number, set: Memory): number;
  FD_ZERO(set: Memory): void;
  clock_gettime(clockid: number, tp: Memory): number;
  epoll_create1?(flags: number): number;
  epoll_ctl?(epfd: number, op: number, fd: number, event: Memory | null): number;
  /** events: the bytes of each struct, or one buffer of contiguous structs (C's array itself). */
  epoll_wait?(epfd: number, events: Memory[] | Buffer, maxevents: number, timeout: number, validateOnly?: true): number;

  getaddrinfo(
    node: string | null,
    service: string | null,
    hints: Memory | null,
  ): readonly [number, number, readonly AddrinfoEntry[]];
  gai_strerror(errcode: number): string;
  getaddrinfoAsync(
    node: string | null,
    service: string | null,
    hints: Memory | null,
    callback: (result: readonly [number, number, readonly AddrinfoEntry[]]) => void,
  ): void;
  getnameinfoAsync(
    addr: Memory,
    addrlen: number,
    host: Memory | null,
    hostlen: number,
    serv: Memory | null,
    servlen: number,
    flags: number,
    callback: (result: readonly [number, number, Error?]) => void,
    validateOnly?: true,
  ): void;
  getnameinfo(
    addr: Memory,
    addrlen: number,
    host: Memory | null,
    hostlen: number,
    serv: Memory | null,
    servlen: number,
    flags: number,
  ): readonly [number, number];

  gethostbyname(name: string): HostentResult;
  gethostbyaddr(addr: Memory, len: number, type: number): HostentResult;
  getservbyname(name: string, proto: string | null): ServentEntry | null;
  getservbyport(port: number, proto: string | null): ServentEntry | null;
  gethostbynameAsync(name: string, callback: (result: HostentResult) => void): void;
  gethostbyaddrAsync(addr: Memory, len: number, type: number, callback: (result: HostentResult) => void): void;
  getservbynameAsync(name: string, proto: string | null, callback: (result: ServentEntry | null) => void): void;
  getservbyportAsync(port: number, proto: string | null, callback: (result: ServentEntry | null) => void): void;
  herror(s: string | null, herr: number): void;
  hstrerror(err: number): string;
}

/** The readiness engine of bsdsock/promises (native/async.cc). */
export interface NativeEngine {
  readonly READABLE: number;
  readonly WRITABLE: number;
  /** [operations waiting (counted by the TypeScript side), 1 while the loop is kept alive]. */
  readonly state: Int32Array;
  attach(fd: number): number;
  watch(fd: number, events: number): number;
  disarm(fd: number, events: number): void;
  keep(keep: boolean): void;
  release(fd: number): void;
  stats(): [number, number];
  setCallback(callback: (batch: Int32Array, count: number) => void): void;
}

// BSDSOCK_ADDON=<path> loads another build of the same addon instead, such
// as the sanitizer build of `npm run build:asan`; by default `bindings`
// finds build/Release/bsdsock.node.
function load(): NativeBinding {
  const file = process.env.BSDSOCK_ADDON;
  if (file === undefined || file === '') return bindings('bsdsock') as NativeBinding;
  const module = { exports: {} };
  process.dlopen(module, resolve(file));
  return module.exports as NativeBinding;
}

// The addon builds its exports object one property at a time, which leaves it
// in dictionary mode; a copy made by spreading it has fast properties, so that
// `native.send` on every call is a plain field load the JIT can inline.
const loaded = load();

/** The loaded addon (build/Release/bsdsock.node, or BSDSOCK_ADDON's). */
export const native: NativeBinding = { ...loaded };

/**
 * The addon's functions as loaded, which fault injection never replaces (it patches `native`): for the
 * package's own look-ups beneath a call, such as a hint reading the socket's state.
 * @internal
 */
export const addon: NativeBinding = loaded;
