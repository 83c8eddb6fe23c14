// Every error bsdsock makes, in one place. Programming errors (a struct of the wrong kind, a field
// set out of range) in the shape the addon throws them: Node's ERR_INVALID_ARG_TYPE /
// ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE, with the same description of the value received
// (native/args.cc Describe). The promises API's rejections in the shape of Node's system errors.
import { constantName } from './names';
import { native } from './native';

/** An Error with Node's `code` property. */
export type CodedError = Error & { code: string };

// Word for word what native/args.cc's Describe writes, so an error reads the same whichever side
// found it.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `type string ('${value.length > 28 ? value.slice(0, 25) + '...' : value}')`;
  if (typeof value === 'boolean') return `type boolean (${value})`;
  if (typeof value === 'bigint') return `type bigint (${value}n)`;
  if (typeof value === 'function') return 'function';
  if (typeof value === 'object') return `an instance of ${constructorName(value)}`;
  return `type ${typeof value}`;
}

// A hostile object (a Proxy, a throwing getter) must not turn the error being made into another.
function constructorName(value: object): string {
  if (Array.isArray(value)) return 'Array';
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

function coded<E extends Error>(error: E, code: string): E & { code: string } {
  return Object.assign(error, { code });
}

/**
 * A TypeError for an argument of the wrong type or struct kind.
 * @param fn - the C function's name.
 * @param param - the parameter's C name.
 * @param expected - what it must be, as a phrase ("a sockaddr").
 * @param got - what was given.
 */
export function invalidArgType(fn: string, param: string, expected: string, got: unknown): CodedError {
  return coded(
    new TypeError(`${fn}(): The "${param}" argument must be ${expected}. Received ${describe(got)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/**
 * A RangeError for a number outside what the C type holds.
 * @param fn - the function or struct field.
 * @param param - the parameter or field name.
 * @param must - the allowed range, as a phrase.
 * @param got - what was given.
 */
export function outOfRange(fn: string, param: string, must: string, got: unknown): CodedError {
  return coded(
    new RangeError(`${fn}(): The value of "${param}" is out of range. It must be ${must}. Received ${describe(got)}`),
    'ERR_OUT_OF_RANGE',
  );
}

/**
 * A TypeError for a value of the right type that cannot be used.
 * @param fn - the C function's name.
 * @param param - the parameter's C name.
 * @param reason - why, as a phrase ("must be a C type name").
 * @param got - what was given.
 */
export function invalidArgValue(fn: string, param: string, reason: string, got: unknown): CodedError {
  return coded(
    new TypeError(`${fn}(): The argument '${param}' ${reason}. Received ${describe(got)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

/** An Error as Node's system errors are: code, errno, syscall. */
export type SystemError = Error & {
  /** The errno name, as `'ECONNREFUSED'`. */
  code: string;
  /** The errno value, equal to the exported constant (ECONNREFUSED). */
  errno: number;
  /** The call that failed, as `'connect'`. */
  syscall: string;
  /** For a send or write that failed part way: the bytes written before the failure. */
  bytesWritten?: number;
};

/**
 * The error a failed promise operation rejects with, in Node's shape:
 * `connect ECONNREFUSED (Connection refused)` with `code`, `errno` (the C
 * value, equal to the exported constant) and `syscall`.
 * @param syscall - the call's name.
 * @param errnum - the errno value.
 * @internal
 */
export function systemError(syscall: string, errnum: number): SystemError {
  const code = native.errnoNames[errnum] ?? `Unknown system error ${errnum}`;
  const error = new Error(`${syscall} ${code} (${native.strerror(errnum)})`) as SystemError;
  error.code = code;
  error.errno = errnum;
  error.syscall = syscall;
  return error;
}

/**
 * The error of a failed getaddrinfo/getnameinfo: `code` the EAI_* name, `errno` its value, or the
 * system error for EAI_SYSTEM.
 * @internal
 */
export function resolverError(syscall: string, status: number, errnum: number): Error {
  if (status === native.constants.EAI_SYSTEM) return systemError(syscall, errnum);
  const code = constantName('EAI_', status) ?? `EAI_${status}`;
  return Object.assign(new Error(`${syscall} ${code} (${native.gai_strerror(status)})`), {
    code,
    errno: status,
    syscall,
  });
}

/**
 * The error an aborted operation rejects with, as Node's own APIs make it.
 * @internal
 */
export function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/**
 * Wires `signal` to an operation: `abort` runs once, when the signal fires (at once if it has
 * already), unless the operation settled first and called the returned function to unhook it.
 * @internal
 */
export function onAbort(signal: AbortSignal | undefined, abort: () => void): () => void {
  if (signal === undefined) return noop;
  if (signal.aborted) {
    abort();
    return noop;
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

function noop(): void {}
