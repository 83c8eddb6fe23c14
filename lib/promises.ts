/**
 * bsdsock/promises: the calls that can wait, with the synchronous API's
 * names and parameters plus an optional last `{ signal }`, each returning a
 * Promise of the C return value. They never block the event loop: the
 * descriptor is made non-blocking (O_NONBLOCK) the first time this API
 * uses it, the call is tried at once, and only on EAGAIN does it wait for
 * readiness on libuv's poll handle (epoll/kqueue). No thread-pool thread is
 * held by socket I/O; only the resolver (getaddrinfo, getnameinfo,
 * gethostbyname, gethostbyaddr, getservbyname, getservbyport) uses the pool.
 *
 * Because the descriptor stays non-blocking, a later synchronous call on it
 * behaves as C does on a non-blocking socket: `recv` with nothing queued
 * returns -1 with errno EAGAIN instead of waiting.
 *
 * A failure rejects with an Error carrying `code` ('ECONNREFUSED'), `errno`
 * (the C value), `syscall` and a message such as
 * `connect ECONNREFUSED (Connection refused)`; errno is not touched.
 * Programming errors throw synchronously, as in the synchronous API.
 * A call interrupted by a signal (EINTR) is retried. Operations on one
 * descriptor and direction complete in the order they started. close(fd)
 * of either API rejects every pending operation on fd with ECANCELED.
 * @packageDocumentation
 * @module bsdsock/promises
 */
import { CALLS, type CallName } from './calls';
import {
  attach,
  attached,
  isAttached,
  mayTry,
  observe,
  observeWaiting,
  settledAlready,
  release,
  start,
  startCall,
  tried,
  wait,
  waitCall,
  type Call,
  type Descriptor,
  type Waiting,
  READABLE,
  WRITABLE,
} from './engine';
import { native, type Memory } from './native';
import { addrinfoList, hostAddrArg, hostentResult, serventResult, type hostent, type servent } from './resolver';
import { iovParts, messageParts, readWriteNow, recvNow, sendNow } from './io';
import { eventsArg, setArg } from './poll';
import * as C from './constants.gen';
import {
  addrinfo,
  epoll_event,
  in6_addr,
  in_addr,
  iovec,
  fd_set,
  timeval,
  msghdr,
  optionalSockaddrArg,
  pollfd,
  ptr,
  sockaddrArg,
  socklenArg,
  structArg,
  structArrayArg,
  type BufferLike,
  type SockaddrLike,
  type socklen_t,
} from './structs';
import { abortError, invalidArgType, onAbort, outOfRange, resolverError, systemError } from './errors';
import { ledgerSite, opened } from './ledger';
import { tracePromise, traceText } from './trace';
import { tracing } from './trace/sink';
import { plainExports } from './exports';

export { close } from './sockets';
export { engineStats } from './engine';

/**
 * Stops this API watching fd, without closing it: frees the libuv poll handle
 * kept for fd and rejects every operation pending on it with ECANCELED. Call
 * it before handing fd to code that will close it by other means (node:net's
 * `new net.Socket({ fd })`, `fs.closeSync`), so that no handle outlives the
 * descriptor and watches the number the kernel hands out next. The
 * descriptor stays open and non-blocking; a later call of this API on it
 * watches it again. Not a C call: C has no watcher to detach.
 * @param fd - the descriptor.
 */
export function detach(fd: number): void {
  if (typeof fd !== 'number') throw invalidArgType('detach', 'fd', 'a number', fd);
  if (!Number.isInteger(fd)) throw outOfRange('detach', 'fd', 'an integer', fd);
  if (isAttached(fd)) release(fd);
}
export { trace } from './trace';
export { faults, faultCounts, type FaultRule, type FaultCall } from './faults';
export type { SystemError } from './errors';

/** The options every call takes last. */
export interface CallOptions {
  /** Aborting rejects the pending call with an AbortError and stops its watch. */
  signal?: AbortSignal;
}

function signalOf(fn: string, options: CallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalidArgType(fn, 'options', 'an object', options);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgType(fn, 'options.signal', 'an AbortSignal', signal);
  }
  return signal;
}

// The native call checks fd too, but the engine keys its queues by fd
// before any call is made.
function fdArg(fn: CallName, fd: unknown): number {
  if (typeof fd !== 'number') throw invalidArgType(fn, CALLS[fn].params[0], 'of type number', fd);
  if (!Number.isInteger(fd) || fd < -(2 ** 31) || fd > 2 ** 31 - 1) {
    throw outOfRange(fn, CALLS[fn].params[0], 'an integer >= -2147483648 and <= 2147483647', fd);
  }
  return fd;
}

/**
 * Waits for a connection and returns its descriptor: accept(2), without
 * blocking the event loop.
 * @param sockfd - the listening socket.
 * @param addr - filled with the client's address, or null.
 * @param addrlen - in/out size of addr, or null.
 * @param options - `{ signal }`.
 * @returns the new descriptor (blocking, as accept(2) makes it). Rejects
 *   with EINVAL (not listening), EMFILE, ECONNABORTED, ECANCELED (closed).
 * @see https://man7.org/linux/man-pages/man2/accept.2.html
 */
export function accept(
  sockfd: number,
  addr: SockaddrLike | null,
  addrlen: socklen_t | null,
  options?: CallOptions,
): Promise<number> {
  const a = optionalSockaddrArg('accept', 'addr', addr);
  const l = socklenArg('accept', 'addrlen', addrlen, true);
  const signal = signalOf('accept', options);
  const site = ledgerSite();
  const text = tracing ? traceText('accept', [sockfd, addr, addrlen]) : undefined;
  const promise = start(
    fdArg('accept', sockfd),
    'accept',
    READABLE,
    () => opened(native.accept(sockfd, a, l), 'accept', site),
    () => native.accept(sockfd, a, l, true),
    signal,
  );
  return tracePromise(text, promise);
}

/**
 * accept4(2) without blocking the event loop: as accept, with flags
 * (SOCK_NONBLOCK, SOCK_CLOEXEC) for the new descriptor. Undefined where the
 * platform has no accept4 (macOS).
 * @see https://man7.org/linux/man-pages/man2/accept4.2.html
 */
export const accept4:
  | ((
      sockfd: number,
      addr: SockaddrLike | null,
      addrlen: socklen_t | null,
      flags: number,
      options?: CallOptions,
    ) => Promise<number>)
  | undefined =
  native.accept4 === undefined
    ? undefined
    : function accept4(sockfd, addr, addrlen, flags, options) {
        const a = optionalSockaddrArg('accept4', 'addr', addr);
        const l = socklenArg('accept4', 'addrlen', addrlen, true);
        const signal = signalOf('accept4', options);
        const site = ledgerSite();
        const text = tracing ? traceText('accept4', [sockfd, addr, addrlen, flags]) : undefined;
        const promise = start(
          fdArg('accept4', sockfd),
          'accept4',
          READABLE,
          () => opened(native.accept4!(sockfd, a, l, flags), 'accept4', site),
          () => native.accept4!(sockfd, a, l, flags, true),
          signal,
        );
        return tracePromise(text, promise);
      };

/**
 * Connects without blocking the event loop: connect(2) on the non-blocking
 * descriptor, then a wait for writability and SO_ERROR, as C programs do
 * after EINPROGRESS.
 * @param sockfd - the socket.
 * @param addr - the peer's address.
 * @param addrlen - its size.
 * @param options - `{ signal }`.
 * @returns 0. Rejects with ECONNREFUSED, ETIMEDOUT, ENETUNREACH,
 *   EHOSTUNREACH, EISCONN, ENOENT (Unix path), ECANCELED (closed).
 * @see https://man7.org/linux/man-pages/man2/connect.2.html
 */
export function connect(sockfd: number, addr: SockaddrLike, addrlen: number, options?: CallOptions): Promise<number> {
  const a = sockaddrArg('connect', 'addr', addr);
  const signal = signalOf('connect', options);
  let started = false;
  const soError = new Int32Array(1);
  const soErrorLen = new Uint32Array([4]);
  const text = tracing ? traceText('connect', [sockfd, addr, addrlen]) : undefined;
  const promise = start(
    fdArg('connect', sockfd),
    'connect',
    WRITABLE,
    () => {
      if (!started) {
        const r = native.connect(sockfd, a, addrlen);
        // In progress (or interrupted, when the handshake goes on anyway):
        // wait for writability, then read the outcome from SO_ERROR.
        if (r === -C.EINPROGRESS || r === -C.EINTR || r === -C.EAGAIN) {
          started = true;
          return -C.EAGAIN;
        }
        return r;
      }
      soErrorLen[0] = soError.byteLength;
      const r = native.getsockopt(sockfd, C.SOL_SOCKET, C.SO_ERROR, soError, new Uint8Array(soErrorLen.buffer));
      if (r < 0) return r;
      return soError[0] === 0 ? 0 : -soError[0];
    },
    () => native.connect(sockfd, a, addrlen, true),
    signal,
  );
  return tracePromise(text, promise);
}

function bytesOf(fn: string, buf: BufferLike | string): Uint8Array | string {
  if (typeof buf === 'string' || buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  throw invalidArgType(fn, 'buf', 'a string, Buffer, TypedArray, DataView or ArrayBuffer', buf);
}

// The send loop shared by send and sendto, as one object per call: the
// promise settles when all len bytes are written. A failure after some bytes
// were written rejects with `bytesWritten` set, so the caller knows where the
// stream stands. `dest` undefined makes it send(2), else sendto(2).
class SendAll implements Call {
  private data: Uint8Array | string;
  private written = 0;
  constructor(
    private readonly fn: 'send' | 'sendto' | 'write',
    private readonly sockfd: number,
    buf: BufferLike | string,
    private readonly len: number,
    private readonly flags: number,
    private readonly dest: Memory | null | undefined,
    private readonly addrlen: number,
  ) {
    this.data = bytesOf(fn, buf);
  }

  private write(data: Memory | string, count: number): number {
    if (this.fn === 'send') return sendNow(this.sockfd, data, count, this.flags);
    if (this.fn === 'write') return readWriteNow('write', this.sockfd, data, count);
    return native.sendto(this.sockfd, data, count, this.flags, this.dest!, this.addrlen);
  }

  run(): number {
    const { len, written } = this;
    // len goes to the addon unchanged on the first try, so it is checked there
    // (a BigInt or an object with valueOf must throw, not be coerced).
    const r =
      written === 0
        ? this.write(this.data, len)
        : this.write((this.data as Uint8Array).subarray(written), len - written);
    if (r < 0) return r;
    this.written += r;
    if (this.written === len) return len;
    // A string becomes bytes once a partial write needs an offset into it.
    if (typeof this.data === 'string') this.data = Buffer.from(this.data, 'utf8');
    return -C.EAGAIN;
  }

  /** Counts bytes a first attempt made outside run() wrote. */
  wrote(count: number): void {
    this.written = count;
  }

  check(): void {
    if (this.fn === 'send') native.send(this.sockfd, this.data, this.len, this.flags, true);
    else if (this.fn === 'write') native.write(this.sockfd, this.data, this.len, true);
    else native.sendto(this.sockfd, this.data, this.len, this.flags, this.dest!, this.addrlen, true);
  }

  error(errnum: number): Error {
    const error = systemError(this.fn, errnum);
    if (this.written > 0) error.bytesWritten = this.written;
    return error;
  }
}

/**
 * Sends all of `len` bytes without blocking the event loop: send(2),
 * repeated until every byte is written (unlike C's send, which may write
 * fewer). Rejects on error; if some bytes were written first, the error
 * carries `bytesWritten`.
 * @param sockfd - the socket.
 * @param buf - the data; a string is sent as its UTF-8 bytes.
 * @param len - how many bytes.
 * @param flags - as for send(2).
 * @param options - `{ signal }`.
 * @returns len. Rejects with EPIPE, ECONNRESET, ENOTCONN, ECANCELED.
 * @see https://man7.org/linux/man-pages/man2/send.2.html
 */
export function send(
  sockfd: number,
  buf: BufferLike | string,
  len: number,
  flags: number,
  options?: CallOptions,
): Promise<number> {
  if (options === undefined && !tracing && typeof sockfd === 'number') {
    const d = attached(sockfd);
    if (d !== undefined && mayTry(d, WRITABLE) && plainBuffer(buf, len, flags))
      return sendAtOnce(d, sockfd, buf, len, flags);
  }
  const signal = signalOf('send', options);
  const text = tracing ? traceText('send', [sockfd, buf, len, flags]) : undefined;
  const call = new SendAll('send', sockfd, buf, len, flags, undefined, 0);
  const promise = startCall(fdArg('send', sockfd), 'send', WRITABLE, call, signal, 0);
  return tracePromise(text, promise);
}

// send's way when the descriptor is attached, nothing waits ahead and the
// arguments are plain: the send is tried here, and an object is made only if
// the call must wait (EAGAIN) or wrote part of the data.
function sendAtOnce(d: Descriptor, sockfd: number, buf: Uint8Array, len: number, flags: number): Promise<number> {
  let r = sendNow(sockfd, buf, len, flags);
  while (r === -C.EINTR) r = sendNow(sockfd, buf, len, flags);
  tried(d, WRITABLE, r, 0);
  if (r === len) return Promise.resolve(r);
  const call = new SendAll('send', sockfd, buf, len, flags, undefined, 0);
  if (r >= 0) call.wrote(r);
  else if (r !== -C.EAGAIN && r !== -C.EWOULDBLOCK) return Promise.reject(call.error(-r));
  return waitCall(d, 'send', WRITABLE, call);
}

/**
 * Receives without blocking the event loop: recv(2) once data is there.
 * @param sockfd - the socket.
 * @param buf - where to put the data (kept alive until the call settles).
 * @param len - at most how many bytes.
 * @param flags - as for recv(2).
 * @param options - `{ signal }`.
 * @returns the byte count, 0 at EOF. Rejects with ECONNRESET, ENOTCONN,
 *   ECANCELED.
 * @see https://man7.org/linux/man-pages/man2/recv.2.html
 */
export function recv(
  sockfd: number,
  buf: BufferLike,
  len: number,
  flags: number,
  options?: CallOptions,
): Promise<number> {
  if (options === undefined && !tracing && typeof sockfd === 'number' && plainRead(buf, len, flags)) {
    const d = attached(sockfd) ?? attachedNow(sockfd);
    if (d !== undefined) return recvAtOnce(d, sockfd, buf, len, flags);
  }
  const signal = signalOf('recv', options);
  const text = tracing ? traceText('recv', [sockfd, buf, len, flags]) : undefined;
  const promise = startCall(
    fdArg('recv', sockfd),
    'recv',
    READABLE,
    new RecvCall(sockfd, buf, len, flags),
    signal,
    len,
  );
  return tracePromise(text, promise);
}

// A descriptor's engine state, attaching it now if it can be: a connection's
// first recv then takes recvAtOnce's way too, and if it waits, which is what
// an idle connection does, it waits as one RecvWait instead of a Pending and
// a RecvCall. Undefined for what start() must handle: an fd that is not an
// int32, or that cannot be attached (start() then makes its one attempt).
function attachedNow(fd: number): Descriptor | undefined {
  return (fd | 0) === fd && attach(fd) === 0 ? attached(fd) : undefined;
}

// recv's way when the descriptor is attached and the arguments are plain:
// tried here when start() would try it, else queued as one object.
function recvAtOnce(d: Descriptor, sockfd: number, buf: Uint8Array, len: number, flags: number): Promise<number> {
  if (mayTry(d, READABLE)) {
    let r = recvNow(sockfd, buf, len, flags);
    while (r === -C.EINTR) r = recvNow(sockfd, buf, len, flags);
    tried(d, READABLE, r, len);
    if (r >= 0) return Promise.resolve(r);
    if (r !== -C.EAGAIN && r !== -C.EWOULDBLOCK) return Promise.reject(systemError('recv', -r));
  }
  return wait(d, new RecvWait(sockfd, buf, len, flags));
}

// recv as one object rather than two closures and their context: an echo
// server makes one per message.
class RecvCall implements Call {
  readonly error = undefined;
  constructor(
    readonly sockfd: number,
    readonly buf: BufferLike,
    readonly len: number,
    readonly flags: number,
  ) {}

  run(): number {
    return recvNow(this.sockfd, this.buf, this.len, this.flags);
  }

  check(): void {
    if (!plainRead(this.buf, this.len, this.flags)) native.recv(this.sockfd, this.buf, this.len, this.flags, true);
  }
}

// A waiting recv whose arguments were found plain: the pending operation and
// its call in one object, whose constant parts live on its prototype so that
// an idle connection's wait holds six fields.
class RecvWait implements Waiting, Call {
  // Values on the prototype (below).
  declare readonly syscall: string;
  declare readonly direction: number;
  declare readonly error: undefined;
  resolve: (value: number) => void = settledAlready;
  reject: (error: Error) => void = settledAlready;
  constructor(
    readonly sockfd: number,
    readonly buf: Uint8Array,
    readonly len: number,
    readonly flags: number,
  ) {}

  get call(): Call {
    return this;
  }

  get want(): number {
    return this.len;
  }

  // Never set on a RecvWait: no timer, no poll, no signal (those take start()'s way).
  get timer(): undefined {
    return undefined;
  }

  get watching(): undefined {
    return undefined;
  }

  get unhook(): () => void {
    return settledAlready;
  }

  run(): number {
    return recvNow(this.sockfd, this.buf, this.len, this.flags);
  }

  check(): void {}

  cleanup(): void {}
}
Object.defineProperties(RecvWait.prototype, {
  syscall: { value: 'recv' },
  direction: { value: READABLE },
  error: { value: undefined },
});

// A read that waits is checked first. The common case, a non-empty
// Uint8Array (a Buffer), a length that fits it and int flags, passes here
// without a call into the addon, which stays the judge of everything else
// and the author of every error message.
function plainRead(buf: unknown, len: unknown, flags: unknown): buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) return false;
  const size = typedArrayByteLength.call(buf);
  return (
    size > 0 &&
    Number.isInteger(len) &&
    (len as number) >= 0 &&
    (len as number) <= size &&
    typeof flags === 'number' &&
    (flags | 0) === flags
  );
}

// A write the fast path may try: a Uint8Array (a Buffer), int32 len and
// flags. The addon checks that len fits the buffer, and throws if not.
function plainBuffer(buf: unknown, len: unknown, flags: unknown): buf is Uint8Array {
  return (
    buf instanceof Uint8Array &&
    typeof len === 'number' &&
    (len | 0) === len &&
    len >= 0 &&
    typeof flags === 'number' &&
    (flags | 0) === flags
  );
}

// %TypedArray%.prototype.byteLength's getter, called directly: the JIT
// compiles that call inline, where `buf.byteLength` on a Buffer was compiled
// as a generic property load (≈ 250 instructions, bench/PROFILE.md).
// eslint-disable-next-line @typescript-eslint/unbound-method -- a getter, called with .call(buf)
const typedArrayByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!
  .get as (this: Uint8Array) => number;

/**
 * Writes all of `count` bytes without blocking the event loop: write(2),
 * repeated until every byte is written, as send does here. Rejects on error;
 * if some bytes were written first, the error carries `bytesWritten`.
 * @param fd - the descriptor (a socket, or a pipe).
 * @param buf - the data; a string is written as its UTF-8 bytes.
 * @param count - how many bytes.
 * @param options - `{ signal }`.
 * @returns count. Rejects with EPIPE, ECONNRESET, ENOTCONN, ECANCELED.
 * @see https://man7.org/linux/man-pages/man2/write.2.html
 */
export function write(fd: number, buf: BufferLike | string, count: number, options?: CallOptions): Promise<number> {
  const signal = signalOf('write', options);
  const text = tracing ? traceText('write', [fd, buf, count]) : undefined;
  const call = new SendAll('write', fd, buf, count, 0, undefined, 0);
  const promise = startCall(fdArg('write', fd), 'write', WRITABLE, call, signal, 0);
  return tracePromise(text, promise);
}

/**
 * Reads without blocking the event loop: read(2) once data is there.
 * @param fd - the descriptor (a socket, or a pipe).
 * @param buf - where to put the data (kept alive until the call settles).
 * @param count - at most how many bytes.
 * @param options - `{ signal }`.
 * @returns the byte count, 0 at end of stream. Rejects with ECONNRESET,
 *   ENOTCONN, ECANCELED.
 * @see https://man7.org/linux/man-pages/man2/read.2.html
 */
export function read(fd: number, buf: BufferLike, count: number, options?: CallOptions): Promise<number> {
  const signal = signalOf('read', options);
  const text = tracing ? traceText('read', [fd, buf, count]) : undefined;
  const promise = start(
    fdArg('read', fd),
    'read',
    READABLE,
    () => native.read(fd, buf, count),
    () => native.read(fd, buf, count, true),
    signal,
    undefined,
    count,
  );
  return tracePromise(text, promise);
}

/**
 * readv(2) without blocking the event loop: fills the iovecs in turn once
 * data is there.
 * @param fd - the descriptor.
 * @param iov - an array of iovec (kept alive until the call settles).
 * @param iovcnt - how many of them to fill.
 * @param options - `{ signal }`.
 * @returns the byte count, 0 at end of stream. Rejects as readv(2) fails.
 * @see https://man7.org/linux/man-pages/man2/readv.2.html
 */
export function readv(fd: number, iov: iovec[], iovcnt: number, options?: CallOptions): Promise<number> {
  return vectorCall('readv', READABLE, fd, iov, iovcnt, options);
}

/**
 * writev(2) without blocking the event loop. Resolves with what one
 * successful writev returned, which on a stream may be fewer bytes than the
 * iovecs hold, as in C (write the rest with another call).
 * @param fd - the descriptor.
 * @param iov - an array of iovec.
 * @param iovcnt - how many of them to write.
 * @param options - `{ signal }`.
 * @returns the byte count. Rejects as writev(2) fails.
 * @see https://man7.org/linux/man-pages/man2/writev.2.html
 */
export function writev(fd: number, iov: iovec[], iovcnt: number, options?: CallOptions): Promise<number> {
  return vectorCall('writev', WRITABLE, fd, iov, iovcnt, options);
}

// readv and writev take the same arguments the same way, and wait in opposite directions.
function vectorCall(
  call: 'readv' | 'writev',
  direction: number,
  fd: number,
  iov: iovec[],
  iovcnt: number,
  options: CallOptions | undefined,
): Promise<number> {
  const flat = iovParts(call, 'iov', iov, iovcnt);
  const signal = signalOf(call, options);
  const text = tracing ? traceText(call, [fd, iov, iovcnt]) : undefined;
  const promise = start(
    fdArg(call, fd),
    call,
    direction,
    () => native[call](fd, flat, iovcnt),
    () => native[call](fd, flat, iovcnt, true),
    signal,
  );
  return tracePromise(text, promise);
}

/**
 * sendto(2) without blocking the event loop. On a stream socket all len
 * bytes are written, as with send; a datagram is sent whole or not at all.
 * @param sockfd - the socket.
 * @param buf - the data; a string is sent as its UTF-8 bytes.
 * @param len - how many bytes.
 * @param flags - as for send(2).
 * @param dest_addr - the destination, or null.
 * @param addrlen - its size.
 * @param options - `{ signal }`.
 * @returns len. Rejects with EMSGSIZE, EDESTADDRREQ, ECONNREFUSED, EACCES.
 * @see https://man7.org/linux/man-pages/man2/sendto.2.html
 */
export function sendto(
  sockfd: number,
  buf: BufferLike | string,
  len: number,
  flags: number,
  dest_addr: SockaddrLike | null,
  addrlen: number,
  options?: CallOptions,
): Promise<number> {
  const dest = optionalSockaddrArg('sendto', 'dest_addr', dest_addr);
  const signal = signalOf('sendto', options);
  const text = tracing ? traceText('sendto', [sockfd, buf, len, flags, dest_addr, addrlen]) : undefined;
  const call = new SendAll('sendto', sockfd, buf, len, flags, dest, addrlen);
  const promise = startCall(fdArg('sendto', sockfd), 'sendto', WRITABLE, call, signal, 0);
  return tracePromise(text, promise);
}

/**
 * recvfrom(2) without blocking the event loop.
 * @param sockfd - the socket.
 * @param buf - where to put the data.
 * @param len - at most how many bytes.
 * @param flags - as for recv(2).
 * @param src_addr - filled with the sender's address, or null.
 * @param addrlen - in/out size of src_addr, or null.
 * @param options - `{ signal }`.
 * @returns the byte count. Rejects with ECONNREFUSED, ECANCELED.
 * @see https://man7.org/linux/man-pages/man2/recvfrom.2.html
 */
export function recvfrom(
  sockfd: number,
  buf: BufferLike,
  len: number,
  flags: number,
  src_addr: SockaddrLike | null,
  addrlen: socklen_t | null,
  options?: CallOptions,
): Promise<number> {
  const src = optionalSockaddrArg('recvfrom', 'src_addr', src_addr);
  const l = socklenArg('recvfrom', 'addrlen', addrlen, true);
  const signal = signalOf('recvfrom', options);
  const text = tracing ? traceText('recvfrom', [sockfd, buf, len, flags, src_addr, addrlen]) : undefined;
  const promise = start(
    fdArg('recvfrom', sockfd),
    'recvfrom',
    READABLE,
    () => native.recvfrom(sockfd, buf, len, flags, src, l),
    () => native.recvfrom(sockfd, buf, len, flags, src, l, true),
    signal,
    undefined,
    len,
  );
  return tracePromise(text, promise);
}

/**
 * sendmsg(2) without blocking the event loop. Resolves with what one
 * successful sendmsg returned: on a stream socket that may be fewer bytes
 * than the iovecs hold (control data must go exactly once, so the rest is
 * not sent again for you).
 * @param sockfd - the socket.
 * @param msg - the msghdr.
 * @param flags - as for sendmsg(2).
 * @param options - `{ signal }`.
 * @returns the byte count. Rejects as sendmsg(2) fails.
 * @see https://man7.org/linux/man-pages/man2/sendmsg.2.html
 */
export function sendmsg(sockfd: number, msg: msghdr, flags: number, options?: CallOptions): Promise<number> {
  return messageCall('sendmsg', WRITABLE, sockfd, msg, flags, options);
}

// sendmsg and recvmsg take the same arguments the same way, and wait in opposite directions.
function messageCall(
  call: 'sendmsg' | 'recvmsg',
  direction: number,
  sockfd: number,
  msg: msghdr,
  flags: number,
  options: CallOptions | undefined,
): Promise<number> {
  const [hdr, name, iov, control] = messageParts(call, msg);
  const signal = signalOf(call, options);
  const text = tracing ? traceText(call, [sockfd, msg, flags]) : undefined;
  const promise = start(
    fdArg(call, sockfd),
    call,
    direction,
    () => native[call](sockfd, hdr, name, iov, control, flags),
    () => native[call](sockfd, hdr, name, iov, control, flags, true),
    signal,
  );
  return tracePromise(text, promise);
}

/**
 * recvmsg(2) without blocking the event loop; fills msg as recvmsg does.
 * @param sockfd - the socket.
 * @param msg - the msghdr to fill.
 * @param flags - as for recvmsg(2).
 * @param options - `{ signal }`.
 * @returns the byte count, 0 at EOF.
 * @see https://man7.org/linux/man-pages/man2/recvmsg.2.html
 */
export function recvmsg(sockfd: number, msg: msghdr, flags: number, options?: CallOptions): Promise<number> {
  return messageCall('recvmsg', READABLE, sockfd, msg, flags, options);
}

/**
 * poll(2) without blocking the event loop: resolves when one of the
 * descriptors is ready (the count, revents filled) or after `timeout` ms
 * (0). A negative timeout waits for ever.
 * @param fds - an array of pollfd (or one pollfd).
 * @param nfds - how many entries to watch.
 * @param timeout - milliseconds, or -1.
 * @param options - `{ signal }`.
 * @returns the number of ready entries, 0 on timeout.
 * @see https://man7.org/linux/man-pages/man2/poll.2.html
 */
export function poll(fds: pollfd[] | pollfd, nfds: number, timeout: number, options?: CallOptions): Promise<number> {
  const text = tracing ? traceText('poll', [fds instanceof pollfd ? [fds] : fds, nfds, timeout]) : undefined;
  const promise = pollNow(fds, nfds, timeout, options);
  return tracePromise(text, promise);
}

function pollNow(fds: pollfd[] | pollfd, nfds: number, timeout: number, options?: CallOptions): Promise<number> {
  const [list, bytes] = structArrayArg('poll', 'fds', fds, nfds, pollfd);
  const count = bytes.length;
  const signal = signalOf('poll', options);
  native.poll(bytes, nfds, timeout, true);
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const first = native.poll(bytes, nfds, 0);
  if (first !== 0 || timeout === 0) {
    return first < 0 ? Promise.reject(systemError('poll', -first)) : Promise.resolve(first);
  }
  const interests = new Array<readonly [number, number]>(count);
  let watched = 0;
  for (let k = 0; k < count; k++) {
    const { fd, events } = list[k];
    if (fd < 0) continue;
    let direction = 0;
    if (events & (C.POLLIN | C.POLLPRI)) direction |= READABLE;
    if (events & C.POLLOUT) direction |= WRITABLE;
    interests[watched++] = [fd, direction === 0 ? READABLE : direction];
  }
  interests.length = watched;
  return observeWaiting(interests, new PollWait(bytes.length === 1 ? bytes[0] : bytes, nfds), timeout, signal);
}

// A pending poll: the engine's Waiting and its Call in one object, as
// RecvWait is for recv, where a Pending, a Call of closures and their
// context took four. A server that polls each connection holds one per
// idle connection.
class PollWait implements Waiting, Call {
  // Values on the prototype (below).
  declare readonly syscall: string;
  declare readonly direction: number;
  declare readonly error: undefined;
  declare readonly want: number;
  resolve: (value: number) => void = settledAlready;
  reject: (error: Error) => void = settledAlready;
  timer: NodeJS.Timeout | undefined = undefined;
  watching: number | number[] | undefined = undefined;
  unhook: () => void = settledAlready;
  constructor(
    // One pollfd's bytes as themselves, not in an array of one, while it waits.
    readonly bytes: Memory | Memory[],
    readonly nfds: number,
  ) {}

  get call(): Call {
    return this;
  }

  run(): number {
    const bytes = this.bytes;
    return native.poll(Array.isArray(bytes) ? bytes : [bytes], this.nfds, 0) || -C.EAGAIN;
  }

  check(): void {}

  cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unhook();
  }
}
Object.defineProperties(PollWait.prototype, {
  syscall: { value: 'poll' },
  direction: { value: READABLE | WRITABLE },
  error: { value: undefined },
  want: { value: 0 },
});

/**
 * epoll_wait(2) without blocking the event loop (Linux; undefined
 * elsewhere): resolves with the number of events filled in once the epoll
 * descriptor reports some, or 0 after `timeout` ms (-1: no timeout). The
 * epoll descriptor itself is what waits: this API watches it for
 * readability, as a C event loop would nest one epoll in another.
 * @param epfd - the epoll descriptor.
 * @param events - an array of epoll_event, filled from the first.
 * @param maxevents - at most how many events to report (> 0).
 * @param timeout - milliseconds, or -1.
 * @param options - `{ signal }`.
 * @returns the number of events, 0 on timeout. Rejects with EINVAL, EBADF.
 * @see https://man7.org/linux/man-pages/man2/epoll_wait.2.html
 */
export const epoll_wait:
  | ((
      epfd: number,
      events: epoll_event[] | epoll_event,
      maxevents: number,
      timeout: number,
      options?: CallOptions,
    ) => Promise<number>)
  | undefined =
  native.epoll_wait === undefined
    ? undefined
    : function epoll_wait(epfd, events, maxevents, timeout, options) {
        const [list, bytes] = eventsArg(events, maxevents);
        const text = tracing ? traceText('epoll_wait', [epfd, list, maxevents, timeout]) : undefined;
        const signal = signalOf('epoll_wait', options);
        native.epoll_wait!(epfd, bytes, maxevents, timeout, true);
        const attempt = (): number => native.epoll_wait!(epfd, bytes, maxevents, 0) || -C.EAGAIN;
        let promise: Promise<number>;
        if (signal?.aborted) promise = Promise.reject(abortError(signal));
        else {
          const first = attempt();
          if (first !== -C.EAGAIN || timeout === 0) {
            promise =
              first === -C.EAGAIN
                ? Promise.resolve(0)
                : first < 0
                  ? Promise.reject(systemError('epoll_wait', -first))
                  : Promise.resolve(first);
          } else promise = observe([[fdArg('epoll_wait', epfd), READABLE]], 'epoll_wait', attempt, timeout, signal);
        }
        return tracePromise(text, promise);
      };

/**
 * select(2) without blocking the event loop: resolves when a descriptor of
 * the sets is ready (the count; each set then holds only its ready
 * descriptors, as C's select leaves it) or when `timeout` runs out (0, sets
 * emptied). null waits for ever. On Linux, timeout then holds the time left.
 * @param nfds - the highest descriptor in any set, plus one.
 * @param readfds - descriptors to watch for reading, or null.
 * @param writefds - descriptors to watch for writing, or null.
 * @param exceptfds - descriptors to watch for urgent data, or null.
 * @param timeout - how long to wait at most, or null.
 * @param options - `{ signal }`.
 * @returns the number of ready descriptors, 0 on timeout. Rejects with
 *   EBADF (a set holds a closed descriptor), EINVAL.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function select(
  nfds: number,
  readfds: fd_set | null,
  writefds: fd_set | null,
  exceptfds: fd_set | null,
  timeout: timeval | null,
  options?: CallOptions,
): Promise<number> {
  const text = tracing ? traceText('select', [nfds, readfds, writefds, exceptfds, timeout]) : undefined;
  return tracePromise(text, selectNow(nfds, readfds, writefds, exceptfds, timeout, options));
}

function selectNow(
  nfds: number,
  readfds: fd_set | null,
  writefds: fd_set | null,
  exceptfds: fd_set | null,
  timeout: timeval | null,
  options: CallOptions | undefined,
): Promise<number> {
  const sets = [
    setArg('select', 'readfds', readfds),
    setArg('select', 'writefds', writefds),
    setArg('select', 'exceptfds', exceptfds),
  ];
  const t = timeout === null ? null : structArg('select', 'timeout', timeout, timeval);
  const signal = signalOf('select', options);
  native.select(nfds, sets[0], sets[1], sets[2], t, true);
  if (signal?.aborted) return Promise.reject(abortError(signal));
  // Each attempt starts from the sets as given, as a C program calling select again would.
  const given = sets.map((set) => (set === null ? null : Uint8Array.from(set as Uint8Array)));
  const now = new timeval();
  const attempt = (): number => {
    for (let k = 0; k < 3; k++) if (given[k] !== null) (sets[k] as Uint8Array).set(given[k]!);
    return native.select(nfds, sets[0], sets[1], sets[2], now.bytes) || -C.EAGAIN;
  };
  // What Linux refuses before it waits (the first attempt below waits for no time).
  if (timeout !== null && (timeout.tv_sec < 0 || timeout.tv_usec < 0 || timeout.tv_usec >= 1e6)) {
    return Promise.reject(systemError('select', C.EINVAL));
  }
  const ms = timeout === null ? -1 : timeout.tv_sec * 1000 + Math.ceil(timeout.tv_usec / 1000);
  const first = attempt();
  if (first !== -C.EAGAIN) return first < 0 ? Promise.reject(systemError('select', -first)) : Promise.resolve(first);
  if (ms === 0) return Promise.resolve(0);
  const interests: (readonly [number, number])[] = [];
  for (let fd = 0; fd < nfds; fd++) {
    let direction = 0;
    if (
      (given[0] !== null && native.fdSet(2, fd, given[0]) === 1) ||
      (given[2] !== null && native.fdSet(2, fd, given[2]) === 1)
    ) {
      direction |= READABLE;
    }
    if (given[1] !== null && native.fdSet(2, fd, given[1]) === 1) direction |= WRITABLE;
    if (direction !== 0) interests.push([fd, direction]);
  }
  const started = Date.now();
  return observe(interests, 'select', attempt, ms, signal).then((r) => {
    if (timeout !== null) {
      // Linux writes the time left into timeout.
      const left = Math.max(0, ms - (Date.now() - started)) * 1000;
      timeout.tv_sec = Math.floor(left / 1e6);
      timeout.tv_usec = left % 1e6;
    }
    return r;
  });
}

/**
 * getaddrinfo(3) on the thread pool (the resolver has no readiness form).
 * Fills `res.value` as the synchronous call does.
 * @param node - a host name or numeric address, or null.
 * @param service - a port or service name, or null.
 * @param hints - an addrinfo, or null.
 * @param res - receives the first result.
 * @param options - `{ signal }` (an abort settles the promise at once; the
 *   lookup itself finishes in the pool and is discarded).
 * @returns 0. Rejects with `code` the EAI_* name ('EAI_NONAME') and
 *   `errno` the EAI value, or a system error for EAI_SYSTEM.
 * @see https://man7.org/linux/man-pages/man3/getaddrinfo.3.html
 */
export function getaddrinfo(
  node: string | null,
  service: string | null,
  hints: addrinfo | null,
  res: ptr<addrinfo | null>,
  options?: CallOptions,
): Promise<number> {
  if (!(res instanceof ptr)) throw invalidArgType('getaddrinfo', 'res', 'a ptr<addrinfo | null>', res);
  const hintBytes = hints === null ? null : structArg('getaddrinfo', 'hints', hints, addrinfo);
  const signal = signalOf('getaddrinfo', options);
  const text = tracing ? traceText('getaddrinfo', [node, service, hints, res]) : undefined;
  let resolve!: (value: number) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<number>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  let settled = false;
  // Called outside the Promise executor so that the addon's argument checks
  // (node, service) throw synchronously instead of rejecting.
  native.getaddrinfoAsync(node, service, hintBytes, ([status, errnum, entries]) => {
    unhook();
    if (settled) return;
    if (status !== 0) {
      reject(resolverError('getaddrinfo', status, errnum));
      return;
    }
    res.value = addrinfoList(entries);
    resolve(0);
  });
  const unhook = onAbort(signal, () => {
    settled = true;
    reject(abortError(signal!));
  });
  return tracePromise(text, promise);
}

/**
 * getnameinfo(3) on the thread pool; fills host and serv as the
 * synchronous call does.
 * @param addr - the address.
 * @param addrlen - its size.
 * @param host - a buffer of hostlen bytes, or null.
 * @param hostlen - its size.
 * @param serv - a buffer of servlen bytes, or null.
 * @param servlen - its size.
 * @param flags - NI_* flags.
 * @param options - `{ signal }`.
 * @returns 0. Rejects with `code` the EAI_* name.
 * @see https://man7.org/linux/man-pages/man3/getnameinfo.3.html
 */
export function getnameinfo(
  addr: SockaddrLike,
  addrlen: number,
  host: BufferLike | null,
  hostlen: number,
  serv: BufferLike | null,
  servlen: number,
  flags: number,
  options?: CallOptions,
): Promise<number> {
  const a = sockaddrArg('getnameinfo', 'addr', addr);
  const signal = signalOf('getnameinfo', options);
  native.getnameinfoAsync(a, addrlen, host, hostlen, serv, servlen, flags, () => 0, true);
  const text = tracing ? traceText('getnameinfo', [addr, addrlen, host, hostlen, serv, servlen, flags]) : undefined;
  const promise = new Promise<number>((resolve, reject) => {
    let settled = false;
    native.getnameinfoAsync(a, addrlen, host, hostlen, serv, servlen, flags, ([status, errnum, error]) => {
      unhook();
      if (settled) return;
      if (error !== undefined)
        reject(error); // host or serv was detached or shrunk meanwhile
      else if (status !== 0) reject(resolverError('getnameinfo', status, errnum));
      else resolve(0);
    });
    const unhook = onAbort(signal, () => {
      settled = true;
      reject(abortError(signal!));
    });
  });
  return tracePromise(text, promise);
}

// A netdb lookup on the thread pool: resolves with its answer (null for C's NULL), which `answer`
// makes from the addon's result together with the trace's number (0, or the h_errno set).
function netdbLookup<R, T>(
  text: ReturnType<typeof traceText> | undefined,
  signal: AbortSignal | undefined,
  out: ptr<T | null>,
  start: (callback: (raw: R) => void) => void,
  answer: (raw: R) => readonly [T | null, number],
): Promise<T | null> {
  let resolve!: (value: T | null) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T | null>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  let settled = false;
  let code = 0;
  // Called outside the Promise executor so that the addon's argument checks throw synchronously.
  start((raw) => {
    unhook();
    if (settled) return;
    settled = true;
    [out.value, code] = answer(raw);
    resolve(out.value);
  });
  const unhook = onAbort(signal, () => {
    settled = true;
    reject(abortError(signal!));
  });
  if (text !== undefined)
    void tracePromise(
      text,
      promise.then(() => code),
    );
  return promise;
}

// A host lookup's answer: h_errno is set on this thread when it is null, just before the promise
// resolves; errno is not (for NETDB_INTERNAL either): this API never touches errno.
const hostAnswer = (raw: Parameters<typeof hostentResult>[0]): readonly [hostent | null, number] => {
  const he = hostentResult(raw, false);
  return [he, he === null ? raw[0] : 0];
};

const servAnswer = (raw: Parameters<typeof serventResult>[0]): readonly [servent | null, number] => {
  const se = serventResult(raw);
  return [se, se === null ? 1 : 0];
};

/**
 * gethostbyname(3) on the thread pool (the NSS modules, DNS among them, have
 * no readiness form).
 * @param name - a host name or a dotted IPv4 address.
 * @param options - `{ signal }` (an abort settles the promise at once; the
 *   lookup itself finishes in the pool and is discarded, h_errno untouched).
 * @returns a Promise of the hostent, or of null. On null, `h_errno` (of the
 *   synchronous API, on this thread) is set just before the promise resolves,
 *   so `if ((he = await gethostbyname(n)) === null) herror(n)` ports as C;
 *   lookups run side by side each set it when they end, as threads sharing
 *   one h_errno would. errno is never set (not even for NETDB_INTERNAL).
 * @see https://man7.org/linux/man-pages/man3/gethostbyname.3.html
 */
export function gethostbyname(name: string, options?: CallOptions): Promise<hostent | null> {
  const signal = signalOf('gethostbyname', options);
  const out = new ptr<hostent | null>(null);
  const text = tracing ? traceText('gethostbyname', [name, out]) : undefined;
  return netdbLookup(text, signal, out, (done) => native.gethostbynameAsync(name, done), hostAnswer);
}

/**
 * gethostbyaddr(3) on the thread pool.
 * @param addr - an in_addr, an in6_addr, or a buffer holding the address.
 * @param len - its size (4 for AF_INET, 16 for AF_INET6).
 * @param type - AF_INET or AF_INET6.
 * @param options - `{ signal }`.
 * @returns a Promise of the hostent, or of null with h_errno set as
 *   gethostbyname's promise sets it.
 * @see https://man7.org/linux/man-pages/man3/gethostbyaddr.3.html
 */
export function gethostbyaddr(
  addr: in_addr | in6_addr | BufferLike,
  len: number,
  type: number,
  options?: CallOptions,
): Promise<hostent | null> {
  const a = hostAddrArg(addr);
  const signal = signalOf('gethostbyaddr', options);
  const out = new ptr<hostent | null>(null);
  const text = tracing ? traceText('gethostbyaddr', [addr, len, type, out]) : undefined;
  return netdbLookup(text, signal, out, (done) => native.gethostbyaddrAsync(a, len, type, done), hostAnswer);
}

/**
 * getservbyname(3) on the thread pool.
 * @param name - the service ("http").
 * @param proto - "tcp", "udp", or null.
 * @param options - `{ signal }`.
 * @returns a Promise of the servent, or of null when there is no such service.
 * @see https://man7.org/linux/man-pages/man3/getservbyname.3.html
 */
export function getservbyname(name: string, proto: string | null, options?: CallOptions): Promise<servent | null> {
  const signal = signalOf('getservbyname', options);
  const out = new ptr<servent | null>(null);
  const text = tracing ? traceText('getservbyname', [name, proto, out]) : undefined;
  return netdbLookup(text, signal, out, (done) => native.getservbynameAsync(name, proto, done), servAnswer);
}

/**
 * getservbyport(3) on the thread pool.
 * @param port - the port in network byte order (`htons(80)`).
 * @param proto - "tcp", "udp", or null.
 * @param options - `{ signal }`.
 * @returns a Promise of the servent, or of null.
 * @see https://man7.org/linux/man-pages/man3/getservbyport.3.html
 */
export function getservbyport(port: number, proto: string | null, options?: CallOptions): Promise<servent | null> {
  const signal = signalOf('getservbyport', options);
  const out = new ptr<servent | null>(null);
  const text = tracing ? traceText('getservbyport', [port, proto, out]) : undefined;
  return netdbLookup(text, signal, out, (done) => native.getservbyportAsync(port, proto, done), servAnswer);
}

module.exports = plainExports(module.exports as Record<string, unknown>);
