// The name of a constant by its value, within one family of names (`AF_`, `SOCK_`, `EAI_`, ...), as
// the tracer, inspect() and the resolver's errors print it. Built once per prefix from the generated
// constants, in native/constants.list's order, so a value shared by two names is named by the first
// listed (AF_INET before PF_INET, EAGAIN before EWOULDBLOCK).
import * as C from './constants.gen';
import { constantNames } from './constants.gen';

const tables = new Map<string, Map<number, string>>();

/**
 * Every value of the constants whose names start with `prefix`, each with its first name.
 * @internal
 */
export function constantTable(prefix: string): ReadonlyMap<number, string> {
  let t = tables.get(prefix);
  if (t === undefined) {
    t = new Map();
    const values = C as unknown as Record<string, number | undefined>;
    for (const name of constantNames) {
      if (!name.startsWith(prefix)) continue;
      const v = values[name];
      if (typeof v === 'number' && !t.has(v)) t.set(v, name);
    }
    tables.set(prefix, t);
  }
  return t;
}

/**
 * The first name of `value` among the constants that start with `prefix`, or undefined.
 * @internal
 */
export function constantName(prefix: string, value: number): string | undefined {
  return constantTable(prefix).get(value);
}

// The h_errno values share no prefix; NO_ADDRESS is NO_DATA's other name.
const H_ERRNO_NAMES = ['NETDB_INTERNAL', 'NETDB_SUCCESS', 'HOST_NOT_FOUND', 'TRY_AGAIN', 'NO_RECOVERY', 'NO_DATA'];

/**
 * The name of an h_errno value (`HOST_NOT_FOUND`), or undefined for one netdb.h does not define.
 * @internal
 */
export function hErrnoName(value: number): string | undefined {
  const values = C as unknown as Record<string, number | undefined>;
  return H_ERRNO_NAMES.find((name) => values[name] === value);
}
