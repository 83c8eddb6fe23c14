// Programming errors found on the TypeScript side (a struct of the wrong
// kind, a field set out of range), in the same shape the addon throws them:
// Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE.

/** An Error with Node's `code` property. */
export type CodedError = Error & { code: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `type string ('${value.length > 28 ? value.slice(0, 25) + '...' : value}')`;
  if (typeof value === 'function') return 'function';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `an instance of ${name}` : 'an instance of Object';
  }
  if (typeof value === 'bigint') return `type bigint (${value}n)`;
  return `type ${typeof value}`;
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
