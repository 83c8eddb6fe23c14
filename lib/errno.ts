// errno, as C has it: a value each failed call sets and each successful call
// leaves alone. It lives in this module, so every worker_threads Worker
// (which loads its own copy of the module) has its own, as C threads do.
import { invalidArgType, outOfRange } from './errors';
import { native } from './native';

/**
 * The error number of the last failed call, as C's `errno`. A live binding:
 * read it after a call returns -1. Successful calls leave it unchanged.
 * See errno(3).
 */
export let errno = 0;

const listeners: ((value: number) => void)[] = [];

/**
 * Sets errno (a program may reset it to 0 before a call, as in C).
 * @param value - the new errno value (a C int).
 * @throws TypeError (ERR_INVALID_ARG_TYPE) or RangeError (ERR_OUT_OF_RANGE) for anything else.
 */
export function setErrno(value: number): void {
  // errno is a C int: anything else would make every later read of it a lie.
  if (typeof value !== 'number') throw invalidArgType('setErrno', 'value', 'of type number', value);
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) {
    throw outOfRange('setErrno', 'value', 'an integer >= -2147483648 and <= 2147483647', value);
  }
  errno = value;
  for (const listener of listeners) listener(value);
}

/**
 * Called with each new errno value. The ES module entry uses this to keep
 * its own `errno` binding live.
 * @param listener - receives every value errno takes.
 */
export function onErrno(listener: (value: number) => void): void {
  // A non-function here would make every later failing call throw.
  if (typeof listener !== 'function') throw invalidArgType('onErrno', 'listener', 'a function', listener);
  listeners.push(listener);
}

/**
 * Records a failure the addon reported as -errno and returns C's -1.
 * @param negatedErrno - what the addon returned.
 */
export function fail(negatedErrno: number): -1 {
  // Not through setErrno: the addon's value needs none of its checks, and every failed call comes here.
  errno = -negatedErrno;
  for (const listener of listeners) listener(errno);
  return -1;
}

/**
 * The C library's message for an error number: the strerror(3) function.
 * @param errnum - an errno value, such as ECONNREFUSED.
 * @returns "Connection refused" and the like; "Unknown error N" for others.
 * @see https://man7.org/linux/man-pages/man3/strerror.3.html
 */
export function strerror(errnum: number): string {
  return native.strerror(errnum);
}

/**
 * Writes `s: <message for errno>` and a newline to standard error through
 * the C library's own perror(3) (just the message when `s` is null or empty).
 * @param s - the prefix, usually what failed.
 * @see https://man7.org/linux/man-pages/man3/perror.3.html
 */
export function perror(s: string | null): void {
  native.perror(s, errno);
}

/**
 * The symbolic name of an errno value ("ECONNREFUSED"), as the constants
 * table names it, or undefined for a value the platform does not define.
 * @param errnum - an errno value.
 * @throws TypeError (ERR_INVALID_ARG_TYPE) when errnum is not a number.
 */
export function errnoName(errnum: number): string | undefined {
  if (typeof errnum !== 'number') throw invalidArgType('errnoName', 'errnum', 'of type number', errnum);
  return native.errnoNames[errnum];
}

/**
 * The error number of the last host lookup that returned `null`, as C's
 * `h_errno` (netdb.h): HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, or
 * NETDB_INTERNAL (then see errno). Set by gethostbyname and gethostbyaddr
 * (and their bsdsock/promises forms, when their promise resolves to null);
 * a lookup that succeeds leaves it unchanged, as glibc does. A live binding,
 * per thread like errno: each worker_threads Worker has its own.
 * See gethostbyname(3).
 */
export let h_errno = 0;

const hErrnoListeners: ((value: number) => void)[] = [];

/**
 * Records the h_errno a lookup reported.
 * @param value - what the addon returned.
 * @internal
 */
export function setHErrno(value: number): void {
  h_errno = value;
  for (const listener of hErrnoListeners) listener(value);
}

/**
 * Called with each new h_errno value: the ES module entry keeps its own
 * `h_errno` binding live with it (scripts/gen-esm.js), as it does errno's.
 * Not exported by the package's entries.
 * @param listener - receives every value h_errno takes.
 * @internal
 */
export function onHErrno(listener: (value: number) => void): void {
  if (typeof listener !== 'function') throw invalidArgType('onHErrno', 'listener', 'a function', listener);
  hErrnoListeners.push(listener);
}

/**
 * The C library's message for an h_errno value: the hstrerror(3) function.
 * @param err - an h_errno value, such as HOST_NOT_FOUND.
 * @returns "Unknown host" and the like; "Unknown resolver error" for others.
 * @see https://man7.org/linux/man-pages/man3/hstrerror.3.html
 */
export function hstrerror(err: number): string {
  return native.hstrerror(err);
}

/**
 * Writes `s: <message for h_errno>` and a newline to standard error through
 * the C library's own herror(3), with this thread's h_errno (just the
 * message when `s` is null or empty).
 * @param s - the prefix, usually what failed.
 * @see https://man7.org/linux/man-pages/man3/herror.3.html
 */
export function herror(s: string | null): void {
  native.herror(s, h_errno);
}
