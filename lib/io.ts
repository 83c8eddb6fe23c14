// Data transfer: send, recv, sendto, recvfrom, sendmsg, recvmsg, and the
// cmsg(3) macros for control messages (SCM_RIGHTS descriptor passing).
import { fail } from './errno';
import { invalidArgType } from './errors';
import { native, type Memory } from './native';
import {
  cmsghdr,
  iovec,
  msghdr,
  optionalSockaddrArg,
  socklenArg,
  structArg,
  type BufferLike,
  type SockaddrLike,
  type socklen_t,
} from './structs';
import { traceCall } from './trace';
import { tracing } from './trace/sink';

/**
 * Sends data on a connected socket: the send(2) system call. Blocks while
 * the send buffer is full (unless non-blocking or MSG_DONTWAIT). It may
 * send fewer bytes than asked: check the count.
 * @param sockfd - the socket.
 * @param buf - the data; a string is sent as its UTF-8 bytes.
 * @param len - how many bytes of buf to send (`strlen(message)`).
 * @param flags - 0, or MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE, MSG_OOB, ...
 * @returns the number of bytes sent, or -1 with errno: EPIPE (the peer
 *   closed; Node ignores SIGPIPE, so the process lives on), ECONNRESET,
 *   EAGAIN (non-blocking and the buffer is full), ENOTCONN, EDESTADDRREQ,
 *   EMSGSIZE, EINTR, EBADF.
 * @see https://man7.org/linux/man-pages/man2/send.2.html
 */
export function send(sockfd: number, buf: BufferLike | string, len: number, flags: number): number {
  const r = tracing ? tracedSend(sockfd, buf, len, flags) : sendNow(sockfd, buf, len, flags);
  return r < 0 ? fail(r) : r;
}

// The untraced calls of send, recv, read and write hand the addon int32 arguments through memory it
// shares (native.slots: [fd, len, flags, result]), which spares it reading each as a JavaScript
// number and making the result, ≈ 300 instructions a call (bench/PROFILE.md); anything else takes
// the ordinary call, whose checks throw the errors. `typeof` first: `| 0` on an object would call
// its valueOf, which the addon's own check never does.
const slots = native.slots;

/**
 * Whether x is a number the addon would take as a C int without a word: an int32.
 * @internal
 */
export const int32 = (x: unknown): x is number => typeof x === 'number' && (x | 0) === x;

/**
 * The addon's send, through the slots where it can: the count, or -errno.
 * @internal
 */
export function sendNow(sockfd: number, buf: BufferLike | string, len: number, flags: number): number {
  if (int32(sockfd) && int32(len) && len >= 0 && int32(flags)) {
    slots[0] = sockfd;
    slots[1] = len;
    slots[2] = flags;
    native.sendSlots(buf);
    return slots[3];
  }
  return native.send(sockfd, buf, len, flags);
}

/**
 * The addon's recv, through the slots where it can: the count, or -errno.
 * @internal
 */
export function recvNow(sockfd: number, buf: BufferLike, len: number, flags: number): number {
  if (int32(sockfd) && int32(len) && len >= 0 && int32(flags)) {
    slots[0] = sockfd;
    slots[1] = len;
    slots[2] = flags;
    native.recvSlots(buf);
    return slots[3];
  }
  return native.recv(sockfd, buf, len, flags);
}

/**
 * The addon's read or write, through the slots where it can: the count, or -errno.
 * @internal
 */
export function readWriteNow(call: 'read' | 'write', fd: number, buf: BufferLike | string, count: number): number {
  if (int32(fd) && int32(count) && count >= 0) {
    slots[0] = fd;
    slots[1] = count;
    if (call === 'read') native.readSlots(buf as BufferLike);
    else native.writeSlots(buf);
    return slots[3];
  }
  return call === 'read' ? native.read(fd, buf as BufferLike, count) : native.write(fd, buf, count);
}

// The traced branch of a call a loop makes (send, recv, sendto, recvfrom) is
// a function of its own: closures over the arguments in the wrapper itself
// would make V8 allocate a context for them on every call, traced or not.
function tracedSend(sockfd: number, buf: BufferLike | string, len: number, flags: number): number {
  return traceCall(
    'send',
    [sockfd, buf, len, flags],
    () => native.send(sockfd, buf, len, flags, true),
    () => native.send(sockfd, buf, len, flags),
  );
}

/**
 * Receives data from a connected socket: the recv(2) system call. Blocks
 * until data arrives (unless non-blocking or MSG_DONTWAIT).
 * @param sockfd - the socket.
 * @param buf - where to put the data.
 * @param len - at most how many bytes (`sizeof(buffer)`).
 * @param flags - 0, or MSG_PEEK (look without consuming), MSG_WAITALL,
 *   MSG_DONTWAIT, MSG_TRUNC, MSG_OOB.
 * @returns the number of bytes received, 0 when the peer has closed (EOF),
 *   or -1 with errno: EAGAIN (nothing yet, non-blocking), ECONNRESET,
 *   ENOTCONN, EINTR, EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/recv.2.html
 */
export function recv(sockfd: number, buf: BufferLike, len: number, flags: number): number {
  const r = tracing ? tracedRecv(sockfd, buf, len, flags) : recvNow(sockfd, buf, len, flags);
  return r < 0 ? fail(r) : r;
}

function tracedRecv(sockfd: number, buf: BufferLike, len: number, flags: number): number {
  return traceCall(
    'recv',
    [sockfd, buf, len, flags],
    () => native.recv(sockfd, buf, len, flags, true),
    () => native.recv(sockfd, buf, len, flags),
  );
}

/**
 * Reads from a descriptor: the read(2) system call. On a connected socket it
 * is recv with no flags; it works on pipes and files too. Blocks until data
 * arrives (unless the descriptor is non-blocking).
 * @param fd - the descriptor.
 * @param buf - where to put the data.
 * @param count - at most how many bytes (`sizeof(buffer)`).
 * @returns the number of bytes read, 0 at end of stream (the peer closed),
 *   or -1 with errno: EAGAIN (non-blocking, nothing yet), ECONNRESET,
 *   ENOTCONN, EINTR, EBADF, EISDIR.
 * @see https://man7.org/linux/man-pages/man2/read.2.html
 */
export function read(fd: number, buf: BufferLike, count: number): number {
  return plainCall('read', fd, buf, count);
}

// read and write take the same arguments the same way (write also takes a string).
function plainCall(call: 'read' | 'write', fd: number, buf: BufferLike | string, count: number): number {
  const r = tracing ? tracedPlainCall(call, fd, buf, count) : readWriteNow(call, fd, buf, count);
  return r < 0 ? fail(r) : r;
}

function tracedPlainCall(call: 'read' | 'write', fd: number, buf: BufferLike | string, count: number): number {
  const io = native[call] as (fd: number, buf: Memory | string, count: number, validateOnly?: true) => number;
  return traceCall(
    call,
    [fd, buf as Memory, count],
    () => io(fd, buf, count, true),
    () => io(fd, buf, count),
  );
}

/**
 * Writes to a descriptor: the write(2) system call. On a connected socket it
 * is send with no flags; it works on pipes and files too. It may write
 * fewer bytes than asked: check the count.
 * @param fd - the descriptor.
 * @param buf - the data; a string is written as its UTF-8 bytes.
 * @param count - how many bytes of buf to write.
 * @returns the number of bytes written, or -1 with errno: EPIPE (the peer
 *   closed), ECONNRESET, EAGAIN (non-blocking and the buffer is full),
 *   ENOTCONN, EINTR, EBADF.
 * @see https://man7.org/linux/man-pages/man2/write.2.html
 */
export function write(fd: number, buf: BufferLike | string, count: number): number {
  return plainCall('write', fd, buf, count);
}

/**
 * Sends a message to an address (UDP), or on a connected socket when
 * dest_addr is null: the sendto(2) system call.
 * @param sockfd - the socket.
 * @param buf - the data; a string is sent as its UTF-8 bytes.
 * @param len - how many bytes of buf to send.
 * @param flags - as for send.
 * @param dest_addr - the destination, or null.
 * @param addrlen - its size (0 with null).
 * @returns the number of bytes sent, or -1 with errno: EMSGSIZE (datagram
 *   too large), EDESTADDRREQ (no address and not connected), EISCONN,
 *   EAFNOSUPPORT, ECONNREFUSED (an earlier datagram was refused), EAGAIN,
 *   EACCES (broadcast without SO_BROADCAST), EPIPE.
 * @see https://man7.org/linux/man-pages/man2/sendto.2.html
 */
export function sendto(
  sockfd: number,
  buf: BufferLike | string,
  len: number,
  flags: number,
  dest_addr: SockaddrLike | null,
  addrlen: number,
): number {
  const dest = optionalSockaddrArg('sendto', 'dest_addr', dest_addr);
  const r = tracing
    ? tracedSendto(sockfd, buf, len, flags, dest_addr, addrlen, dest)
    : native.sendto(sockfd, buf, len, flags, dest, addrlen);
  return r < 0 ? fail(r) : r;
}

function tracedSendto(
  sockfd: number,
  buf: BufferLike | string,
  len: number,
  flags: number,
  dest_addr: SockaddrLike | null,
  addrlen: number,
  dest: Memory | null,
): number {
  return traceCall(
    'sendto',
    [sockfd, buf, len, flags, dest_addr, addrlen],
    () => native.sendto(sockfd, buf, len, flags, dest, addrlen, true),
    () => native.sendto(sockfd, buf, len, flags, dest, addrlen),
  );
}

/**
 * Receives a message and the address it came from: the recvfrom(2) system
 * call. On a datagram socket, a message longer than len is cut (the rest
 * is lost; MSG_TRUNC returns its real length).
 * @param sockfd - the socket.
 * @param buf - where to put the data.
 * @param len - at most how many bytes.
 * @param flags - as for recv.
 * @param src_addr - filled with the sender's address, or null.
 * @param addrlen - in: the size of src_addr; out: the address's size.
 * @returns the number of bytes received (0 for an empty datagram or EOF),
 *   or -1 with errno: EAGAIN, ECONNREFUSED (UDP: the peer's port was
 *   closed), EINTR, EBADF, ENOTSOCK.
 * @see https://man7.org/linux/man-pages/man2/recvfrom.2.html
 */
export function recvfrom(
  sockfd: number,
  buf: BufferLike,
  len: number,
  flags: number,
  src_addr: SockaddrLike | null,
  addrlen: socklen_t | null,
): number {
  const src = optionalSockaddrArg('recvfrom', 'src_addr', src_addr);
  const l = socklenArg('recvfrom', 'addrlen', addrlen, true);
  const r = tracing
    ? tracedRecvfrom(sockfd, buf, len, flags, src_addr, addrlen, src, l)
    : native.recvfrom(sockfd, buf, len, flags, src, l);
  return r < 0 ? fail(r) : r;
}

function tracedRecvfrom(
  sockfd: number,
  buf: BufferLike,
  len: number,
  flags: number,
  src_addr: SockaddrLike | null,
  addrlen: socklen_t | null,
  src: Memory | null,
  l: Memory | null,
): number {
  return traceCall(
    'recvfrom',
    [sockfd, buf, len, flags, src_addr, addrlen],
    () => native.recvfrom(sockfd, buf, len, flags, src, l, true),
    () => native.recvfrom(sockfd, buf, len, flags, src, l),
  );
}

/**
 * An iovec array as the addon takes it: [base0, len0, base1, len1, ...], the
 * first `count` entries (the addon checks count against it).
 * @internal
 */
export function iovParts(fn: string, param: string, iovs: readonly iovec[], count: number): (Memory | number)[] {
  if (!Array.isArray(iovs)) throw invalidArgType(fn, param, 'an array of iovec', iovs);
  const flat: (Memory | number)[] = [];
  const n = Math.min(iovs.length, typeof count === 'number' && count > 0 ? Math.ceil(count) : 0);
  for (let k = 0; k < n; k++) {
    const iov: unknown = iovs[k];
    if (!(iov instanceof iovec)) throw invalidArgType(fn, `${param}[${k}]`, 'an iovec', iov);
    if (iov.iov_base === null) {
      if (iov.iov_len !== 0) throw invalidArgType(fn, `${param}[${k}].iov_base`, 'a buffer', null);
      flat.push(new Uint8Array(0), 0);
    } else {
      flat.push(iov.iov_base, iov.iov_len);
    }
  }
  return flat;
}

/**
 * Reads into several buffers in turn: the readv(2) system call (scatter).
 * @param fd - the descriptor.
 * @param iov - C's `const struct iovec *iov`: an array of iovec.
 * @param iovcnt - how many of them to fill.
 * @returns the number of bytes read, 0 at end of stream, or -1 with errno:
 *   EINVAL (iovcnt above IOV_MAX), and those of read.
 * @see https://man7.org/linux/man-pages/man2/readv.2.html
 */
export function readv(fd: number, iov: iovec[], iovcnt: number): number {
  return vectorCall('readv', fd, iov, iovcnt);
}

/**
 * Writes several buffers in turn: the writev(2) system call (gather).
 * @param fd - the descriptor.
 * @param iov - C's `const struct iovec *iov`: an array of iovec.
 * @param iovcnt - how many of them to write.
 * @returns the number of bytes written (maybe fewer than they hold), or -1
 *   with errno: EINVAL (iovcnt above IOV_MAX), and those of write.
 * @see https://man7.org/linux/man-pages/man2/writev.2.html
 */
export function writev(fd: number, iov: iovec[], iovcnt: number): number {
  return vectorCall('writev', fd, iov, iovcnt);
}

// readv and writev take the same arguments the same way.
function vectorCall(call: 'readv' | 'writev', fd: number, iov: iovec[], iovcnt: number): number {
  const flat = iovParts(call, 'iov', iov, iovcnt);
  const r = tracing
    ? traceCall(
        call,
        [fd, iov, iovcnt],
        () => native[call](fd, flat, iovcnt, true),
        () => native[call](fd, flat, iovcnt),
      )
    : native[call](fd, flat, iovcnt);
  return r < 0 ? fail(r) : r;
}

/**
 * The msghdr's pointer fields, as the addon takes them, each checked (the
 * promises API uses the same checks). @internal
 */
export function messageParts(fn: string, msg: msghdr): [Memory, Memory | null, (Memory | number)[], Memory | null] {
  const hdr = structArg(fn, 'msg', msg, msghdr);
  const name = optionalSockaddrArg(fn, 'msg.msg_name', msg.msg_name);
  const flat = msg.msg_iov === null ? [] : iovParts(fn, 'msg.msg_iov', msg.msg_iov, msg.msg_iovlen);
  const control = msg.msg_control;
  if (control !== null && !(control instanceof Uint8Array)) {
    throw invalidArgType(fn, 'msg.msg_control', 'a Buffer or null', control);
  }
  return [hdr, name, flat, control];
}

/**
 * Sends a message gathered from several buffers, with an optional address
 * and control messages (SCM_RIGHTS passes descriptors over AF_UNIX): the
 * sendmsg(2) system call.
 * @param sockfd - the socket.
 * @param msg - the msghdr: msg_iov/msg_iovlen, optional msg_name and
 *   msg_control/msg_controllen.
 * @param flags - as for send.
 * @returns the number of bytes sent, or -1 with errno: EBADF (a passed
 *   descriptor is not open), EINVAL (malformed control data), EMSGSIZE
 *   (too many iovecs), ETOOMANYREFS, and those of send.
 * @see https://man7.org/linux/man-pages/man2/sendmsg.2.html
 */
export function sendmsg(sockfd: number, msg: msghdr, flags: number): number {
  return messageCall('sendmsg', sockfd, msg, flags);
}

// sendmsg and recvmsg take the same arguments the same way. The addon's function is looked up at
// each call, as fault injection may have replaced it.
function messageCall(call: 'sendmsg' | 'recvmsg', sockfd: number, msg: msghdr, flags: number): number {
  const [hdr, name, iov, control] = messageParts(call, msg);
  const r = tracing
    ? traceCall(
        call,
        [sockfd, msg, flags],
        () => native[call](sockfd, hdr, name, iov, control, flags, true),
        () => native[call](sockfd, hdr, name, iov, control, flags),
      )
    : native[call](sockfd, hdr, name, iov, control, flags);
  return r < 0 ? fail(r) : r;
}

/**
 * Receives a message scattered into several buffers, with the sender's
 * address and control messages: the recvmsg(2) system call. Sets
 * msg_namelen, msg_controllen and msg_flags (MSG_TRUNC: the datagram was
 * cut; MSG_CTRUNC: control data did not fit msg_control).
 * @param sockfd - the socket.
 * @param msg - the msghdr to fill.
 * @param flags - as for recv, plus MSG_CMSG_CLOEXEC.
 * @returns the number of bytes received, 0 at EOF, or -1 with errno as
 *   for recv.
 * @see https://man7.org/linux/man-pages/man2/recvmsg.2.html
 */
export function recvmsg(sockfd: number, msg: msghdr, flags: number): number {
  return messageCall('recvmsg', sockfd, msg, flags);
}

/**
 * CMSG_SPACE(length): the bytes a control message with `length` bytes of
 * data takes in a control buffer, padding included. See cmsg(3).
 * @param length - the data's length (e.g. `sizeof('int')` per descriptor).
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 */
export function CMSG_SPACE(length: number): number {
  return native.CMSG_SPACE(length);
}

/**
 * CMSG_LEN(length): the value for cmsg_len of a message with `length`
 * bytes of data. See cmsg(3).
 * @param length - the data's length.
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 */
export function CMSG_LEN(length: number): number {
  return native.CMSG_LEN(length);
}

const cmsgBuffers = new WeakMap<cmsghdr, Buffer>();

function cmsgAt(control: Buffer, offset: number): cmsghdr | null {
  if (offset < 0) return null;
  const header = new cmsghdr(control.subarray(offset));
  cmsgBuffers.set(header, control);
  return header;
}

/**
 * CMSG_FIRSTHDR(msg): the first control message header in msg's control
 * buffer, or null when there is none. See cmsg(3).
 * @param msg - the msghdr.
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 */
export function CMSG_FIRSTHDR(msg: msghdr): cmsghdr | null {
  structArg('CMSG_FIRSTHDR', 'msg', msg, msghdr);
  const control: unknown = msg.msg_control;
  if (control === null) return null;
  if (!Buffer.isBuffer(control)) {
    throw invalidArgType('CMSG_FIRSTHDR', 'msg.msg_control', 'a Buffer or null', control);
  }
  return cmsgAt(control, native.cmsgNext(control, msg.msg_controllen, -1));
}

/**
 * CMSG_NXTHDR(msg, cmsg): the control message after cmsg, or null.
 * See cmsg(3).
 * @param msg - the msghdr.
 * @param cmsg - a header from CMSG_FIRSTHDR or CMSG_NXTHDR on msg.
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 */
export function CMSG_NXTHDR(msg: msghdr, cmsg: cmsghdr): cmsghdr | null {
  structArg('CMSG_NXTHDR', 'msg', msg, msghdr);
  const control: unknown = msg.msg_control;
  if (!(cmsg instanceof cmsghdr) || !Buffer.isBuffer(control) || cmsgBuffers.get(cmsg) !== control) {
    throw invalidArgType('CMSG_NXTHDR', 'cmsg', "a cmsghdr of msg's control buffer", cmsg);
  }
  const offset = cmsg.bytes.byteOffset - control.byteOffset;
  return cmsgAt(control, native.cmsgNext(control, msg.msg_controllen, offset));
}

/**
 * CMSG_DATA(cmsg): the message's data, as a Buffer on the control buffer
 * (cmsg_len - CMSG_LEN(0) bytes, bounded by the buffer). See cmsg(3).
 * @param cmsg - a control message header.
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 */
export function CMSG_DATA(cmsg: cmsghdr): Buffer {
  const control = cmsg instanceof cmsghdr ? cmsgBuffers.get(cmsg) : undefined;
  if (control === undefined) throw invalidArgType('CMSG_DATA', 'cmsg', 'a cmsghdr from CMSG_FIRSTHDR', cmsg);
  const start = cmsg.bytes.byteOffset - control.byteOffset + native.CMSG_DATA_OFFSET;
  const end = Math.min(control.length, start - native.CMSG_DATA_OFFSET + cmsg.cmsg_len);
  return control.subarray(start, Math.max(start, end));
}
