// What errors must look like: the programming errors thrown before any system call (TypeError /
// RangeError with Node's codes, the function and parameter named, errno untouched), and the
// rejections of bsdsock/promises (system errors in Node's shape, AbortError).
import { ENOTTY, errno, errnoName, setErrno, strerror } from 'bsdsock';
import { track } from './wait';

type ErrorClass = typeof TypeError | typeof RangeError;

/** What a programming error must look like (`param` may be left out where the message names no one parameter). */
export interface Expected {
  type: ErrorClass;
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE' | 'ERR_INVALID_ARG_VALUE';
  fn: string;
  param?: string;
}

/** Checks that `thrown` is the programming error described. */
export function expectArgumentError(thrown: unknown, expected: Expected): void {
  // The addon's errors come from Node's own realm, not jest's sandbox, so
  // the class is compared by name rather than with instanceof.
  expect(Object.prototype.toString.call(thrown)).toBe('[object Error]');
  const err = thrown as Error & { code?: string };
  expect(err.constructor.name).toBe(expected.type.name);
  expect(err.name).toBe(expected.type.name);
  expect(err.code).toBe(expected.code);
  expect(err.message.startsWith(`${expected.fn}(): `)).toBe(true);
  if (expected.param !== undefined) {
    const quoted = expected.code === 'ERR_INVALID_ARG_VALUE' ? `'${expected.param}'` : `"${expected.param}"`;
    expect(err.message).toContain(quoted);
  }
}

/**
 * Runs call, which must throw the programming error described, with errno
 * untouched (set to a sentinel that none of these calls would produce).
 */
export function expectThrown(call: () => unknown, expected: Expected): void {
  setErrno(ENOTTY);
  let thrown: unknown = undefined;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expectArgumentError(thrown, expected);
  expect(errno).toBe(ENOTTY);
}

/** Type-erases a deliberately wrong argument. */
export function bad<T = never>(value: unknown): T {
  return value as T;
}

/** What a rejected promise API call carries. */
export interface RejectionShape {
  name: string;
  message: string;
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  bytesWritten?: unknown;
}

/** The value p rejects with (the test fails if p resolves). */
export async function rejection(p: Promise<unknown>): Promise<RejectionShape> {
  const outcome = await track(p).done;
  if (outcome.ok) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  // Errors made in lib/ come from jest's sandbox realm and the addon's from Node's: compared by shape.
  expect(Object.prototype.toString.call(outcome.error)).toBe('[object Error]');
  return outcome.error as RejectionShape;
}

/**
 * Checks a system error in Node's shape: `code` the errno name, `errno` the C
 * value, `syscall`, message `${syscall} ${code} (${strerror})`.
 */
export function expectSystemError(error: RejectionShape, syscall: string, errnum: number): void {
  const code = errnoName(errnum);
  expect(code).toBeDefined();
  expect(error.name).toBe('Error');
  expect(error.code).toBe(code);
  expect(error.errno).toBe(errnum);
  expect(error.syscall).toBe(syscall);
  expect(error.message).toBe(`${syscall} ${code!} (${strerror(errnum)})`);
}

/** Checks an AbortError as Node's own APIs make it. */
export function expectAbortError(error: RejectionShape): void {
  expect(error.name).toBe('AbortError');
  expect(error.code).toBe('ABORT_ERR');
}
