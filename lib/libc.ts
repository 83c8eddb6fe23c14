/**
 * bsdsock/libc: the C library around the socket calls, so that whole C
 * programs port line by line, not only their socket lines: `<stdio.h>`
 * (printf, fprintf, snprintf, puts, fgets, ...), `<stdlib.h>` (exit, atoi,
 * malloc/realloc for arrays of structs), `<string.h>` and `<strings.h>`
 * (memcpy, memset, memcmp, bzero, strcpy, strcmp, ...).
 *
 * It is its own entry, as these are its own headers in C: a port's imports
 * then mirror the C file's `#include`s, and `bsdsock` itself stays the socket
 * API. Nothing here is a system call, so nothing here is traced.
 *
 * Differences from C, each because JavaScript has no raw pointers: memory
 * arguments are structs, buffers or struct arrays, and every length is
 * checked against the memory it describes (a RangeError where C would write
 * past it); `stdout` is not buffered, so `fflush` has nothing to do; `%p`
 * prints a number unique to the object, not an address.
 * @packageDocumentation
 * @module bsdsock/libc
 */
import * as fs from 'node:fs';
import { errno, strerror } from './errno';
import { invalidArgType, invalidArgValue, outOfRange } from './errors';
import { strlen } from './addresses';
import { Struct, isStructArray, memoryOf, structArrayOn, type StructArray, type StructType } from './structs';
import { plainExports } from './exports';

export { strlen };

// --- Memory arguments --------------------------------------------------------

/** What C's `void *` and `char *` parameters take here: a struct, a struct array or a buffer. */
export type Memory = Struct | StructArray<Struct> | ArrayBufferView | ArrayBuffer;

// The bytes a pointer argument reaches: a struct's whole memory (as for cast), a struct array's
// elements, or a buffer's own bytes.
function memoryArg(fn: string, param: string, value: unknown): Uint8Array {
  if (value instanceof Struct) return memoryOf(value);
  if (isStructArray(value)) return value.bytes;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw invalidArgType(fn, param, 'a struct, a struct array or a buffer', value);
}

function sizeArg(fn: string, param: string, value: unknown, max: number, what: string): number {
  if (typeof value !== 'number') throw invalidArgType(fn, param, 'of type number', value);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw outOfRange(fn, param, `an integer >= 0 and <= ${max} (${what})`, value);
  }
  return value;
}

/**
 * Copies n bytes from src to dest: memcpy(3). Overlapping memory is copied
 * as memmove would (C leaves it undefined).
 * @param dest - where to copy to: a struct, a struct array or a buffer.
 * @param src - what to copy from; a string is its UTF-8 bytes.
 * @param n - how many bytes; at most what both dest and src hold.
 * @returns dest.
 * @see https://man7.org/linux/man-pages/man3/memcpy.3.html
 */
export function memcpy<T extends Memory>(dest: T, src: Memory | string, n: number): T {
  return copyBytes('memcpy', dest, src, n);
}

/**
 * Copies n bytes from src to dest, which may overlap: memmove(3).
 * @param dest - where to copy to.
 * @param src - what to copy from.
 * @param n - how many bytes.
 * @returns dest.
 * @see https://man7.org/linux/man-pages/man3/memmove.3.html
 */
export function memmove<T extends Memory>(dest: T, src: Memory | string, n: number): T {
  return copyBytes('memmove', dest, src, n);
}

function copyBytes<T extends Memory>(fn: string, dest: T, src: Memory | string, n: number): T {
  const to = memoryArg(fn, 'dest', dest);
  const from = typeof src === 'string' ? Buffer.from(src, 'utf8') : memoryArg(fn, 'src', src);
  sizeArg(fn, 'n', n, Math.min(to.byteLength, from.byteLength), 'the bytes dest and src hold');
  to.set(from.subarray(0, n));
  return dest;
}

/**
 * Fills the first n bytes of s with the byte c: memset(3).
 * `memset(&hints, 0, sizeof hints)` is `memset(hints, 0, sizeof(hints))`.
 * @param s - the memory to fill.
 * @param c - the byte, as C's int (converted to unsigned char).
 * @param n - how many bytes; at most what s holds.
 * @returns s.
 * @see https://man7.org/linux/man-pages/man3/memset.3.html
 */
export function memset<T extends Memory>(s: T, c: number, n: number): T {
  const bytes = memoryArg('memset', 's', s);
  if (typeof c !== 'number') throw invalidArgType('memset', 'c', 'of type number', c);
  if (!Number.isInteger(c)) throw outOfRange('memset', 'c', 'an integer', c);
  sizeArg('memset', 'n', n, bytes.byteLength, 'the bytes s holds');
  bytes.fill(c & 0xff, 0, n);
  return s;
}

/**
 * Zeroes the first n bytes of s: bzero(3), as older course code writes
 * `memset(&addr, 0, sizeof addr)`.
 * @param s - the memory to zero.
 * @param n - how many bytes; at most what s holds.
 * @see https://man7.org/linux/man-pages/man3/bzero.3.html
 */
export function bzero(s: Memory, n: number): void {
  const bytes = memoryArg('bzero', 's', s);
  sizeArg('bzero', 'n', n, bytes.byteLength, 'the bytes s holds');
  bytes.fill(0, 0, n);
}

/**
 * Compares the first n bytes of s1 and s2 as unsigned chars: memcmp(3).
 * @param s1 - the first memory.
 * @param s2 - the second memory.
 * @param n - how many bytes; at most what both hold.
 * @returns 0 when equal, else the difference of the first differing bytes
 *   (negative when s1's is smaller).
 * @see https://man7.org/linux/man-pages/man3/memcmp.3.html
 */
export function memcmp(s1: Memory, s2: Memory, n: number): number {
  const a = memoryArg('memcmp', 's1', s1);
  const b = memoryArg('memcmp', 's2', s2);
  sizeArg('memcmp', 'n', n, Math.min(a.byteLength, b.byteLength), 'the bytes s1 and s2 hold');
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

// --- C strings ---------------------------------------------------------------

/** A C string argument: a JavaScript string (its UTF-8 bytes) or a char buffer (up to its NUL). */
export type CString = string | Uint8Array;

// The bytes of a C string: a string's UTF-8 bytes, or a buffer's bytes up to its first NUL (all of
// them when it has none: C would read past the end).
function cStringBytes(fn: string, param: string, s: unknown): Uint8Array {
  if (typeof s === 'string') return Buffer.from(s, 'utf8');
  if (s instanceof Uint8Array) return s.subarray(0, strlen(s));
  throw invalidArgType(fn, param, 'of type string or a Uint8Array', s);
}

function charBuffer(fn: string, param: string, s: unknown): Uint8Array {
  if (s instanceof Uint8Array) return s;
  throw invalidArgType(fn, param, 'a Uint8Array (C char array)', s);
}

/**
 * Copies the C string src, with its terminating NUL, into dest: strcpy(3).
 * @param dest - a char buffer large enough for src and its NUL (else RangeError).
 * @param src - the string.
 * @returns dest.
 * @see https://man7.org/linux/man-pages/man3/strcpy.3.html
 */
export function strcpy(dest: Uint8Array, src: CString): Uint8Array {
  const to = charBuffer('strcpy', 'dest', dest);
  const from = cStringBytes('strcpy', 'src', src);
  if (from.length + 1 > to.length) {
    throw outOfRange('strcpy', 'dest', `at least ${from.length + 1} bytes long (src and its NUL)`, to.length);
  }
  to.set(from);
  to[from.length] = 0;
  return dest;
}

/**
 * Copies at most n bytes of src into dest, padding with NULs up to n:
 * strncpy(3). Like C, it writes no NUL when src has n bytes or more.
 * @param dest - a char buffer of at least n bytes.
 * @param src - the string.
 * @param n - how many bytes to write.
 * @returns dest.
 * @see https://man7.org/linux/man-pages/man3/strncpy.3.html
 */
export function strncpy(dest: Uint8Array, src: CString, n: number): Uint8Array {
  const to = charBuffer('strncpy', 'dest', dest);
  const from = cStringBytes('strncpy', 'src', src);
  sizeArg('strncpy', 'n', n, to.length, 'the bytes dest holds');
  const copied = Math.min(from.length, n);
  to.set(from.subarray(0, copied));
  to.fill(0, copied, n);
  return dest;
}

/**
 * Appends the C string src, and a NUL, to the C string in dest: strcat(3).
 * @param dest - a char buffer holding a C string, with room for src.
 * @param src - the string to append.
 * @returns dest.
 * @see https://man7.org/linux/man-pages/man3/strcat.3.html
 */
export function strcat(dest: Uint8Array, src: CString): Uint8Array {
  const to = charBuffer('strcat', 'dest', dest);
  const from = cStringBytes('strcat', 'src', src);
  const end = strlen(to);
  if (end + from.length + 1 > to.length) {
    throw outOfRange('strcat', 'dest', `at least ${end + from.length + 1} bytes long`, to.length);
  }
  to.set(from, end);
  to[end + from.length] = 0;
  return dest;
}

/**
 * Compares two C strings byte by byte: strcmp(3).
 * @param s1 - the first string.
 * @param s2 - the second string.
 * @returns 0 when equal, negative when s1 sorts first, positive otherwise.
 * @see https://man7.org/linux/man-pages/man3/strcmp.3.html
 */
export function strcmp(s1: CString, s2: CString): number {
  return compareStrings('strcmp', s1, s2, Infinity);
}

/**
 * Compares at most n bytes of two C strings: strncmp(3).
 * @param s1 - the first string.
 * @param s2 - the second string.
 * @param n - the most bytes to compare.
 * @returns as strcmp.
 * @see https://man7.org/linux/man-pages/man3/strncmp.3.html
 */
export function strncmp(s1: CString, s2: CString, n: number): number {
  sizeArg('strncmp', 'n', n, Number.MAX_SAFE_INTEGER, 'a length');
  return compareStrings('strncmp', s1, s2, n);
}

function compareStrings(fn: string, s1: CString, s2: CString, n: number): number {
  const a = cStringBytes(fn, 's1', s1);
  const b = cStringBytes(fn, 's2', s2);
  const end = Math.min(n, Math.max(a.length, b.length) + 1);
  for (let k = 0; k < end; k++) {
    const x = k < a.length ? a[k] : 0;
    const y = k < b.length ? b[k] : 0;
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
  return 0;
}

/**
 * The leading integer of a C string, as atoi(3): skips white space, takes
 * an optional sign and the digits that follow; 0 when there are none.
 * Like C's int, the result wraps to 32 bits.
 * @param nptr - the string.
 * @see https://man7.org/linux/man-pages/man3/atoi.3.html
 */
export function atoi(nptr: CString): number {
  const text = Buffer.from(cStringBytes('atoi', 'nptr', nptr)).toString('latin1');
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(text);
  return m === null ? 0 : Number(BigInt.asIntN(32, BigInt(m[1])));
}

// --- Allocation: arrays of structs ---------------------------------------------

function elementCount(fn: string, size: number, type: StructType<Struct>): number {
  const each = type.layout.size;
  if (size % each !== 0) {
    throw invalidArgValue(fn, 'size', `must be a whole number of ${type.name} (sizeof = ${each})`, size);
  }
  return size / each;
}

function structTypeArg(fn: string, type: unknown): StructType<Struct> {
  if (typeof type === 'function' && type.prototype instanceof Struct) return type as StructType<Struct>;
  throw invalidArgType(fn, 'type', 'a struct class', type);
}

const maxAllocation = 2 ** 31 - 1;

/**
 * Allocates memory: malloc(3). Without a struct class, a zeroed Buffer of
 * `size` bytes (C leaves the bytes indeterminate). The garbage collector
 * frees it once unreachable.
 * @param size - the size in bytes.
 * @see https://man7.org/linux/man-pages/man3/malloc.3.html
 */
export function malloc(size: number): Buffer;
/**
 * Allocates an array of structs: malloc(3) as C's
 * `struct T *p = malloc(sizeof(struct T) * n)`, a StructArray of n zeroed
 * elements (C leaves them indeterminate). The garbage collector frees it
 * once unreachable.
 * @param size - the size in bytes (a multiple of sizeof(type)).
 * @param type - the struct class the C pointer points to.
 * @see https://man7.org/linux/man-pages/man3/malloc.3.html
 */
export function malloc<T extends Struct>(size: number, type: StructType<T>): StructArray<T>;
export function malloc<T extends Struct>(size: number, type?: StructType<T>): Buffer | StructArray<T> {
  sizeArg('malloc', 'size', size, maxAllocation, 'the largest buffer');
  if (type === undefined) return Buffer.alloc(size);
  const t = structTypeArg('malloc', type) as StructType<T>;
  return structArrayOn(t, Buffer.alloc(size), elementCount('malloc', size, t));
}

/**
 * Allocates zeroed memory for nmemb elements of size bytes: calloc(3), as a
 * Buffer of `nmemb * size` bytes.
 * @param nmemb - how many elements.
 * @param size - each one's size in bytes.
 * @see https://man7.org/linux/man-pages/man3/calloc.3.html
 */
export function calloc(nmemb: number, size: number): Buffer;
/**
 * Allocates a zeroed array of nmemb structs: calloc(3) as C's
 * `struct T *p = calloc(n, sizeof(struct T))`, a StructArray, as malloc
 * makes it.
 * @param nmemb - how many elements.
 * @param size - each one's size: sizeof(type).
 * @param type - the struct class the C pointer points to.
 * @see https://man7.org/linux/man-pages/man3/calloc.3.html
 */
export function calloc<T extends Struct>(nmemb: number, size: number, type: StructType<T>): StructArray<T>;
export function calloc<T extends Struct>(nmemb: number, size: number, type?: StructType<T>): Buffer | StructArray<T> {
  sizeArg('calloc', 'nmemb', nmemb, maxAllocation, 'the largest buffer');
  sizeArg('calloc', 'size', size, maxAllocation, 'the largest buffer');
  if (nmemb * size > maxAllocation) throw outOfRange('calloc', 'nmemb', `at most ${maxAllocation} bytes in all`, nmemb);
  return type === undefined ? malloc(nmemb * size) : malloc(nmemb * size, type);
}

/**
 * Resizes an allocation, keeping its contents up to the smaller size:
 * realloc(3). A StructArray stays one of the same type (the new elements
 * zeroed): `pfds = realloc(pfds, sizeof(pollfd) * fd_size)`. Like C, it
 * returns new memory: views taken on the old one no longer follow it.
 * @param ptr - what malloc, calloc, array or realloc returned (or null:
 *   then it is malloc).
 * @param size - the new size in bytes.
 * @see https://man7.org/linux/man-pages/man3/realloc.3.html
 */
export function realloc<T extends Struct>(ptr: StructArray<T>, size: number): StructArray<T>;
export function realloc(ptr: Buffer | null, size: number): Buffer;
export function realloc<T extends Struct>(ptr: StructArray<T> | Buffer | null, size: number): StructArray<T> | Buffer {
  sizeArg('realloc', 'size', size, maxAllocation, 'the largest buffer');
  if (ptr === null) return Buffer.alloc(size);
  if (isStructArray(ptr)) {
    const old = ptr;
    const count = elementCount('realloc', size, old.type);
    const grown = structArrayOn(old.type, Buffer.alloc(size), count);
    // Element by element, so that the pointer fields a struct keeps beside its bytes (iov_base) move too.
    for (let k = 0; k < Math.min(count, old.length); k++) grown[k] = old[k];
    return grown;
  }
  if (Buffer.isBuffer(ptr)) {
    const grown = Buffer.alloc(size);
    ptr.copy(grown, 0, 0, Math.min(size, ptr.length));
    return grown;
  }
  throw invalidArgType('realloc', 'ptr', 'a StructArray, a Buffer or null', ptr);
}

/**
 * Releases an allocation: free(3). Here the garbage collector reclaims memory
 * once nothing refers to it, so free only checks its argument; it is kept so
 * that a port keeps C's line.
 * @param ptr - what malloc, calloc or realloc returned, or null.
 * @see https://man7.org/linux/man-pages/man3/free.3.html
 */
export function free(ptr: StructArray<Struct> | Buffer | null): void {
  if (ptr !== null && !isStructArray(ptr) && !Buffer.isBuffer(ptr)) {
    throw invalidArgType('free', 'ptr', 'a StructArray, a Buffer or null', ptr);
  }
}

// --- stdio -------------------------------------------------------------------

/** A C stream, `FILE *`: here one of stdin, stdout and stderr, unbuffered. */
export class FILE {
  /** @param fd - the descriptor the stream reads or writes. */
  constructor(readonly fd: number) {}
}

/** The standard input stream (descriptor 0). */
export const stdin: FILE = new FILE(0);
/** The standard output stream (descriptor 1). Unbuffered here: fflush has nothing to do. */
export const stdout: FILE = new FILE(1);
/** The standard error stream (descriptor 2). */
export const stderr: FILE = new FILE(2);

const pause = new Int32Array(new SharedArrayBuffer(4));

// A descriptor Node or a parent left non-blocking answers EAGAIN when it is not ready: wait a
// millisecond and try again, as a blocking C write would have waited.
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function readByte(fd: number, into: Uint8Array): number {
  for (;;) {
    try {
      return fs.readSync(fd, into, 0, 1, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function streamArg(fn: string, param: string, stream: unknown): FILE {
  if (stream instanceof FILE) return stream;
  throw invalidArgType(fn, param, 'a FILE (stdin, stdout or stderr)', stream);
}

/** A value printf's conversions take: integers as number or bigint, strings and char buffers for %s. */
export type PrintfArg = number | bigint | string | Uint8Array | Struct | null;

/**
 * Writes its arguments to stdout under the control of format: printf(3),
 * with C's conversions `%d %i %u %o %x %X %c %s %p %f %e %g %%` (and `%m`),
 * flags `- + space # 0`, width and precision (`*` and `.*` take an argument),
 * and length modifiers `hh h l ll z j t L`. `%s` takes a string or a char
 * buffer (read up to its NUL, never past its end); integer conversions take
 * a number or a bigint, converted to the C type the conversion names. `%n`
 * is refused.
 * @param format - the format.
 * @param args - the values its conversions take, in order.
 * @returns the number of bytes written.
 * @see https://man7.org/linux/man-pages/man3/printf.3.html
 */
export function printf(format: string, ...args: PrintfArg[]): number {
  const out = formatBytes('printf', format, args);
  writeAll(1, out);
  return out.length;
}

/**
 * printf to a stream: fprintf(3), `fprintf(stderr, "...")`.
 * @param stream - stdout or stderr.
 * @param format - the format, as printf's.
 * @param args - the values.
 * @returns the number of bytes written.
 * @see https://man7.org/linux/man-pages/man3/fprintf.3.html
 */
export function fprintf(stream: FILE, format: string, ...args: PrintfArg[]): number {
  const fd = streamArg('fprintf', 'stream', stream).fd;
  const out = formatBytes('fprintf', format, args);
  writeAll(fd, out);
  return out.length;
}

/**
 * printf into a char buffer, writing at most size bytes with the NUL:
 * snprintf(3).
 * @param str - the char buffer.
 * @param size - at most str's length.
 * @param format - the format, as printf's.
 * @param args - the values.
 * @returns the length the whole output has (without its NUL), even when it
 *   was cut to fit: a result >= size means it was cut.
 * @see https://man7.org/linux/man-pages/man3/snprintf.3.html
 */
export function snprintf(str: Uint8Array, size: number, format: string, ...args: PrintfArg[]): number {
  const to = charBuffer('snprintf', 'str', str);
  sizeArg('snprintf', 'size', size, to.length, 'the bytes str holds');
  const out = formatBytes('snprintf', format, args);
  if (size > 0) {
    const n = Math.min(out.length, size - 1);
    to.set(out.subarray(0, n));
    to[n] = 0;
  }
  return out.length;
}

/**
 * printf into a char buffer: sprintf(3). Where C would write past the
 * buffer, this throws a RangeError instead; prefer snprintf.
 * @param str - the char buffer.
 * @param format - the format, as printf's.
 * @param args - the values.
 * @returns the length written, without the NUL.
 * @see https://man7.org/linux/man-pages/man3/sprintf.3.html
 */
export function sprintf(str: Uint8Array, format: string, ...args: PrintfArg[]): number {
  const to = charBuffer('sprintf', 'str', str);
  const out = formatBytes('sprintf', format, args);
  if (out.length + 1 > to.length) {
    throw outOfRange('sprintf', 'str', `at least ${out.length + 1} bytes long for this output`, to.length);
  }
  to.set(out);
  to[out.length] = 0;
  return out.length;
}

/**
 * Writes a C string and a newline to stdout: puts(3).
 * @param s - the string.
 * @returns a nonnegative number.
 * @see https://man7.org/linux/man-pages/man3/puts.3.html
 */
export function puts(s: CString): number {
  const bytes = cStringBytes('puts', 's', s);
  writeAll(1, Buffer.concat([bytes, newline]));
  return bytes.length + 1;
}

const newline = Buffer.from('\n');

/**
 * Writes a C string to a stream, without a newline: fputs(3).
 * @param s - the string.
 * @param stream - stdout or stderr.
 * @returns a nonnegative number.
 * @see https://man7.org/linux/man-pages/man3/fputs.3.html
 */
export function fputs(s: CString, stream: FILE): number {
  const fd = streamArg('fputs', 'stream', stream).fd;
  const bytes = cStringBytes('fputs', 's', s);
  writeAll(fd, bytes);
  return bytes.length;
}

/**
 * Writes one byte to stdout: putchar(3).
 * @param c - the character, as C's int.
 * @returns c as an unsigned char.
 * @see https://man7.org/linux/man-pages/man3/putchar.3.html
 */
export function putchar(c: number): number {
  if (typeof c !== 'number' || !Number.isInteger(c)) throw invalidArgType('putchar', 'c', 'an integer', c);
  writeAll(1, Uint8Array.of(c & 0xff));
  return c & 0xff;
}

/**
 * Flushes a stream: fflush(3). The streams here are unbuffered, so there is
 * nothing to flush; kept so that a port keeps C's line.
 * @param stream - a stream, or null for all.
 * @returns 0.
 * @see https://man7.org/linux/man-pages/man3/fflush.3.html
 */
export function fflush(stream: FILE | null): number {
  if (stream !== null) streamArg('fflush', 'stream', stream);
  return 0;
}

/**
 * Reads a line from a stream into s, at most size - 1 bytes, keeping the
 * newline and adding a NUL: fgets(3). It reads one byte at a time (this
 * stream has no buffer), so a program may poll the descriptor between lines
 * as C programs that use read() do.
 * @param s - the char buffer.
 * @param size - at most s's length.
 * @param stream - stdin.
 * @returns s, or null at end of input with nothing read.
 * @see https://man7.org/linux/man-pages/man3/fgets.3.html
 */
export function fgets(s: Uint8Array, size: number, stream: FILE): Uint8Array | null {
  const to = charBuffer('fgets', 's', s);
  sizeArg('fgets', 'size', size, to.length, 'the bytes s holds');
  const fd = streamArg('fgets', 'stream', stream).fd;
  if (size === 0) return null;
  const one = new Uint8Array(1);
  let n = 0;
  while (n < size - 1) {
    if (readByte(fd, one) === 0) break;
    to[n++] = one[0];
    if (one[0] === 0x0a) break;
  }
  if (n === 0) return null;
  to[n] = 0;
  return s;
}

/**
 * Ends the process with status: exit(3). Output written with this module is
 * already out (it is unbuffered).
 * @param status - EXIT_SUCCESS, EXIT_FAILURE or another code (the parent sees status & 0377).
 * @see https://man7.org/linux/man-pages/man3/exit.3.html
 */
export function exit(status: number): never {
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    throw invalidArgType('exit', 'status', 'an integer', status);
  }
  process.exit(status & 0xff);
}

// --- The printf engine ---------------------------------------------------------

interface Spec {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  length: string;
  conversion: string;
}

const maxField = 1 << 20;

const specPattern = /%([-+ #0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?(hh|h|ll|l|L|q|j|z|t)?([diouxXcspfFeEgGm%n])?/gy;

/**
 * The bytes printf would write for format and args. Exposed for tests and
 * for callers that want the text: `Buffer` of the output.
 * @internal
 */
export function formatBytes(fn: string, format: string, args: readonly unknown[]): Buffer {
  if (typeof format !== 'string') throw invalidArgType(fn, 'format', 'of type string', format);
  const chunks: Uint8Array[] = [];
  let next = 0;
  const take = (what: string): unknown => {
    if (next >= args.length) {
      throw invalidArgValue(fn, 'format', `needs an argument for ${what} (argument ${next + 1} is missing)`, format);
    }
    return args[next++];
  };
  let literal = 0;
  for (let at = format.indexOf('%'); at >= 0; at = format.indexOf('%', literal)) {
    if (at > literal) chunks.push(Buffer.from(format.slice(literal, at), 'utf8'));
    specPattern.lastIndex = at;
    const m = specPattern.exec(format);
    if (m === null || m[5] === undefined) {
      throw invalidArgValue(fn, 'format', `has an incomplete or unknown conversion at ${at}`, format);
    }
    literal = specPattern.lastIndex;
    const spec: Spec = { flags: m[1], width: undefined, precision: undefined, length: m[4] ?? '', conversion: m[5] };
    if (m[2] === '*') {
      const w = intArg(fn, take('a * width'), next);
      if (w < 0) {
        spec.flags += '-';
        spec.width = -w;
      } else spec.width = w;
    } else if (m[2] !== undefined) spec.width = Number(m[2]);
    if (m[3] === '*') {
      const p = intArg(fn, take('a .* precision'), next);
      spec.precision = p < 0 ? undefined : p;
    } else if (m[3] !== undefined) spec.precision = m[3] === '' ? 0 : Number(m[3]);
    // C would print a field this wide; a program asking for more than a megabyte is not a port.
    if ((spec.width ?? 0) > maxField || (spec.precision ?? 0) > maxField) {
      throw outOfRange(fn, 'format', `widths and precisions <= ${maxField}`, format);
    }
    chunks.push(convert(fn, spec, take, next));
  }
  if (literal < format.length) chunks.push(Buffer.from(format.slice(literal), 'utf8'));
  return Buffer.concat(chunks);
}

function intArg(fn: string, value: unknown, index: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidArgType(fn, `args[${index - 1}]`, 'an integer (for *)', value);
  }
  return value;
}

function pad(spec: Spec, body: Uint8Array, zeroFillAfter = -1): Uint8Array {
  const width = spec.width ?? 0;
  if (body.length >= width) return body;
  const fill = width - body.length;
  if (spec.flags.includes('-')) return Buffer.concat([body, Buffer.alloc(fill, 0x20)]);
  if (zeroFillAfter >= 0) {
    return Buffer.concat([body.subarray(0, zeroFillAfter), Buffer.alloc(fill, 0x30), body.subarray(zeroFillAfter)]);
  }
  return Buffer.concat([Buffer.alloc(fill, 0x20), body]);
}

const objectIds = new WeakMap<object, number>();
let lastObjectId = 0x5000;

function convert(fn: string, spec: Spec, take: (what: string) => unknown, index: number): Uint8Array {
  const c = spec.conversion;
  const where = (): string => `args[${index}]`;
  switch (c) {
    case '%':
      return Buffer.from('%');
    case 'n':
      throw invalidArgValue(fn, 'format', 'must not use %n (it writes through a pointer)', `%${c}`);
    case 'm':
      return pad(spec, Buffer.from(strerror(errno), 'utf8'));
    case 's': {
      const v = take('%s');
      let bytes: Uint8Array;
      if (v === null) bytes = Buffer.from('(null)');
      else if (typeof v === 'string') bytes = Buffer.from(v, 'utf8');
      else if (v instanceof Uint8Array) bytes = v.subarray(0, strlen(v));
      else throw invalidArgType(fn, where(), 'a string or a char buffer (for %s)', v);
      if (spec.precision !== undefined) bytes = bytes.subarray(0, spec.precision);
      return pad(spec, bytes);
    }
    case 'c': {
      const v = take('%c');
      let code: number;
      if (typeof v === 'number' && Number.isInteger(v)) code = v & 0xff;
      else if (typeof v === 'string' && v.length === 1 && v.charCodeAt(0) < 0x100) code = v.charCodeAt(0);
      else throw invalidArgType(fn, where(), 'an integer or a one-byte string (for %c)', v);
      return pad(spec, Uint8Array.of(code));
    }
    case 'p': {
      const v = take('%p');
      if (v === null) return pad(spec, Buffer.from('(nil)'));
      if (typeof v !== 'object') throw invalidArgType(fn, where(), 'an object or null (for %p)', v);
      let id = objectIds.get(v);
      if (id === undefined) {
        id = lastObjectId += 0x10;
        objectIds.set(v, id);
      }
      return pad(spec, Buffer.from(`0x${id.toString(16)}`));
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      return integer(fn, spec, take(`%${c}`), where());
    default:
      return floating(fn, spec, take(`%${c}`), where());
  }
}

function integerBits(length: string): number {
  switch (length) {
    case 'hh':
      return 8;
    case 'h':
      return 16;
    case '':
      return 32;
    default:
      return 64;
  }
}

function integer(fn: string, spec: Spec, v: unknown, where: string): Uint8Array {
  let big: bigint;
  if (typeof v === 'bigint') big = v;
  else if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
  else throw invalidArgType(fn, where, `an integer (for %${spec.length}${spec.conversion})`, v);
  const bits = integerBits(spec.length);
  const signed = spec.conversion === 'd' || spec.conversion === 'i';
  // As C converts the argument to the type the conversion names.
  big = signed ? BigInt.asIntN(bits, big) : BigInt.asUintN(bits, big);
  const negative = big < 0n;
  const magnitude = negative ? -big : big;
  const base = spec.conversion === 'o' ? 8 : spec.conversion === 'x' || spec.conversion === 'X' ? 16 : 10;
  let digits = magnitude.toString(base);
  if (spec.conversion === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    if (spec.precision === 0 && magnitude === 0n) digits = '';
    else digits = digits.padStart(spec.precision, '0');
  }
  let prefix = '';
  if (signed) prefix = negative ? '-' : spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : '';
  if (spec.flags.includes('#')) {
    if (spec.conversion === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
    if ((spec.conversion === 'x' || spec.conversion === 'X') && magnitude !== 0n) {
      prefix += spec.conversion === 'x' ? '0x' : '0X';
    }
  }
  const zero = spec.flags.includes('0') && !spec.flags.includes('-') && spec.precision === undefined;
  return pad(spec, Buffer.from(prefix + digits), zero ? prefix.length : -1);
}

// x (finite, >= 0) times 10^k, rounded to an integer as glibc rounds: from the double's exact binary
// value, ties to even (JavaScript's toFixed rounds ties up: 2.5 would print 3 where C prints 2).
function scaledRound(x: number, k: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  let num = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa;
  let den = exponent >= 0 ? 1n : 1n << BigInt(-exponent);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const twice = 2n * (num % den);
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

// %f's digits of a >= 0 with p decimals.
function fixed(a: number, p: number): string {
  const digits = scaledRound(a, p)
    .toString()
    .padStart(p + 1, '0');
  return p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`;
}

// %e's digits of a >= 0 with p decimals, and the decimal exponent.
function exponential(a: number, p: number): [string, number] {
  let e = a === 0 ? 0 : Math.floor(Math.log10(a));
  let q = scaledRound(a, p - e);
  const low = 10n ** BigInt(p);
  // log10 may be off by one near powers of ten, and rounding may carry into a new digit.
  for (let tries = 0; a !== 0 && tries < 4 && (q < low || q >= low * 10n); tries++) {
    e += q < low ? -1 : 1;
    q = scaledRound(a, p - e);
  }
  const s = a === 0 ? '0'.repeat(p + 1) : q.toString();
  const mantissa = p > 0 ? `${s[0]}.${s.slice(1)}` : s;
  return [`${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`, e];
}

function floating(fn: string, spec: Spec, v: unknown, where: string): Uint8Array {
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else throw invalidArgType(fn, where, `a number (for %${spec.conversion})`, v);
  const upper = spec.conversion === spec.conversion.toUpperCase();
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : '';
  const alt = spec.flags.includes('#');
  const a = Math.abs(x);
  let body: string;
  if (!Number.isFinite(a)) {
    body = Number.isNaN(a) ? 'nan' : 'inf';
    return pad(spec, Buffer.from(sign + (upper ? body.toUpperCase() : body)));
  }
  const precision = spec.precision ?? 6;
  // JavaScript's own conversions stop at 100 digits.
  if (precision > 100) throw outOfRange(fn, 'format', 'a precision <= 100 for %f, %e and %g', precision);
  switch (spec.conversion.toLowerCase()) {
    case 'f':
      body = fixed(a, precision);
      if (alt && precision === 0) body += '.';
      break;
    case 'e':
      body = exponential(a, precision)[0];
      if (alt && precision === 0) body = body.replace('e', '.e');
      break;
    default: {
      // %g: %e or %f, whichever C's rule picks, trailing zeros removed unless '#'.
      const p = precision === 0 ? 1 : precision;
      const [asExponential, exponent] = exponential(a, p - 1);
      if (p > exponent && exponent >= -4) {
        body = fixed(a, p - 1 - exponent);
        if (!alt && body.includes('.')) body = body.replace(/\.?0+$/, '');
        if (alt && !body.includes('.')) body += '.';
      } else {
        body = alt ? asExponential : asExponential.replace(/\.?0+e/, 'e');
        if (alt && !body.includes('.')) body = body.replace('e', '.e');
      }
    }
  }
  if (upper) body = body.toUpperCase();
  const zero = spec.flags.includes('0') && !spec.flags.includes('-');
  return pad(spec, Buffer.from(sign + body), zero ? sign.length : -1);
}

module.exports = plainExports(module.exports as Record<string, unknown>);
