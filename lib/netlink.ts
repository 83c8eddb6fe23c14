// The NLMSG_* macros of linux/netlink.h (netlink(3)), over nlmsghdr views on a buffer, so that C's
// walk of a netlink reply ports line by line:
//
//   int len = recv(fd, buf, sizeof(buf), 0);
//   for (nh = (struct nlmsghdr *) buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
//
//   const len = new ptr(recv(fd, buf, sizeof(buf), 0));
//   for (let nh = cast(nlmsghdr, buf); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
//
// C's NLMSG_NEXT subtracts from `len` in place, so `len` is a `ptr<number>` where it must change. No
// macro reads past the memory the header lives in: a length that claims more is a RangeError.
import { NLMSG_ALIGNTO, NLMSG_HDRLEN } from './constants.gen';
import { invalidArgType, outOfRange } from './errors';
import { isInstance, memoryOf, nlmsghdr, ptr } from './structs';

const ALIGNTO = NLMSG_ALIGNTO ?? 4;
const HDRLEN = NLMSG_HDRLEN ?? 16;

function lengthArg(fn: string, param: string, len: unknown): number {
  const v = len instanceof ptr ? (len.value as unknown) : len;
  if (typeof v !== 'number') throw invalidArgType(fn, param, 'a number or a ptr<number>', len);
  if (!Number.isInteger(v)) throw outOfRange(fn, param, 'an integer', v);
  return v;
}

function headerArg(fn: string, nlh: unknown): Uint8Array {
  if (!isInstance(nlh, nlmsghdr)) throw invalidArgType(fn, 'nlh', 'an nlmsghdr', nlh);
  return memoryOf(nlh);
}

// The header's nlmsg_len, which must not claim more than the memory the header lives in.
function messageLength(fn: string, nlh: nlmsghdr, memory: Uint8Array): number {
  const n = nlh.nlmsg_len;
  if (n > memory.byteLength) {
    throw outOfRange(
      fn,
      'nlh.nlmsg_len',
      `<= ${memory.byteLength} (the bytes from this header to the end of its buffer; a longer message would be read past it)`,
      n,
    );
  }
  return n;
}

/**
 * NLMSG_ALIGN(len): len rounded up to a multiple of NLMSG_ALIGNTO (4).
 * @param len - a length in bytes.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_ALIGN(len: number): number {
  const n = lengthArg('NLMSG_ALIGN', 'len', len);
  return (n + ALIGNTO - 1) & ~(ALIGNTO - 1);
}

/**
 * NLMSG_LENGTH(len): the nlmsg_len of a message with `len` bytes of payload (the header's aligned
 * size plus len).
 * @param len - the payload's length.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_LENGTH(len: number): number {
  return lengthArg('NLMSG_LENGTH', 'len', len) + HDRLEN;
}

/**
 * NLMSG_SPACE(len): how many bytes a message with `len` bytes of payload takes, padding included.
 * @param len - the payload's length.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_SPACE(len: number): number {
  return NLMSG_ALIGN(NLMSG_LENGTH(len));
}

/**
 * NLMSG_DATA(nlh): the payload after the header, as C's pointer reaches it: a Buffer from there to the
 * end of the buffer the header lives in; `cast(ifinfomsg_like, NLMSG_DATA(nh))` reads it.
 * @param nlh - a header on a buffer (`cast(nlmsghdr, buf)`).
 * @throws RangeError when nlmsg_len claims more bytes than the buffer has.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_DATA(nlh: nlmsghdr): Buffer {
  const memory = headerArg('NLMSG_DATA', nlh);
  messageLength('NLMSG_DATA', nlh, memory);
  const start = Math.min(HDRLEN, memory.byteLength);
  return Buffer.from(memory.buffer, memory.byteOffset + start, memory.byteLength - start);
}

/**
 * NLMSG_OK(nlh, len): 1 while `nlh` is a whole message within the `len` bytes left, else 0: the
 * condition of C's walk.
 * @param nlh - the current header.
 * @param len - the bytes left from nlh (a number, or the `ptr<number>` that NLMSG_NEXT decrements).
 * @throws RangeError when len is more than the bytes from nlh to the end of its buffer (a length that
 *   lies).
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_OK(nlh: nlmsghdr, len: number | ptr<number>): number {
  const memory = headerArg('NLMSG_OK', nlh);
  const n = lengthArg('NLMSG_OK', 'len', len);
  if (n > memory.byteLength) {
    throw outOfRange(
      'NLMSG_OK',
      'len',
      `<= ${memory.byteLength} (the bytes from this header to the end of its buffer)`,
      n,
    );
  }
  if (n < HDRLEN) return 0;
  const m = nlh.nlmsg_len;
  return m >= HDRLEN && m <= n ? 1 : 0;
}

/**
 * NLMSG_NEXT(nlh, len): the header after nlh, subtracting nlh's aligned length from `len` as C's macro
 * does. Past the end of the buffer (where C's pointer could no longer be read), it is a zeroed header
 * of its own, which NLMSG_OK refuses.
 * @param nlh - the current header.
 * @param len - the bytes left, a `ptr<number>` (C's macro changes it).
 * @throws RangeError when nlmsg_len claims more bytes than the buffer has.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_NEXT(nlh: nlmsghdr, len: ptr<number>): nlmsghdr {
  const memory = headerArg('NLMSG_NEXT', nlh);
  if (!(len instanceof ptr)) {
    throw invalidArgType('NLMSG_NEXT', 'len', 'a ptr<number> (C changes len in place)', len);
  }
  const left = lengthArg('NLMSG_NEXT', 'len', len);
  const step = NLMSG_ALIGN(messageLength('NLMSG_NEXT', nlh, memory));
  len.value = left - step;
  if (step + HDRLEN > memory.byteLength) return new nlmsghdr();
  return new nlmsghdr(memory.subarray(step));
}

/**
 * NLMSG_PAYLOAD(nlh, len): the payload's length after a fixed part of `len` bytes:
 * `nlmsg_len - NLMSG_SPACE(len)`.
 * @param nlh - the header.
 * @param len - the length of the fixed part at the start of the payload (sizeof(struct ...)).
 * @throws RangeError when nlmsg_len claims more bytes than the buffer has.
 * @see https://man7.org/linux/man-pages/man3/netlink.3.html
 */
export function NLMSG_PAYLOAD(nlh: nlmsghdr, len: number): number {
  const memory = headerArg('NLMSG_PAYLOAD', nlh);
  return messageLength('NLMSG_PAYLOAD', nlh, memory) - NLMSG_SPACE(len);
}
