// The invariants checked after every call: how it may throw, what it may return, what errno must be.
import * as S from '../../lib/index';
import { describe } from './describe';
import type { FdClass } from './fixtures';
import { FuzzerOwnError, fail } from './report';
import { pick } from './rng';
import { isResolver, isSyscall, lenArgOf, resultOf, takesSocket, TABLE, type FuzzName, type Spec } from './table';

const ALLOWED_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE']);

// What a thrown value or rejection carries, read without trusting its shape.
interface ErrorLike {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly syscall?: unknown;
  readonly message?: unknown;
  readonly name?: unknown;
  readonly stack?: unknown;
}
function fields(e: unknown): ErrorLike {
  return e !== null && typeof e === 'object' ? (e as ErrorLike) : {};
}
function kindOf(e: unknown): string {
  if (e === null || typeof e !== 'object') return typeof e;
  return (e as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

/** A programming error must be a TypeError/RangeError with Node's code and a message naming the function. */
export function checkThrow(e: unknown, label: string): void {
  if (e instanceof FuzzerOwnError) return;
  const f = fields(e);
  const ok = (e instanceof TypeError || e instanceof RangeError) && ALLOWED_CODES.has(String(f.code));
  if (!ok) {
    fail(
      `${label}: threw something other than a coded TypeError/RangeError`,
      `${kindOf(e)} code=${String(f.code)}: ${String(f.message)}`,
    );
    return;
  }
  // Node's messages, prefixed with the C function (or struct) name.
  if (!/^[A-Za-z_][A-Za-z_0-9]*(\(\))?: /.test(e.message))
    fail(`${label}: error message does not name the function`, e.message);
}

// errno before each call: a value no call sets, so any change shows.
let sentinel = 0;

/** Sets errno to a value no call sets (EDOM would not do: SO_RCVTIMEO with a bad timeval gives it). */
export function resetErrno(): void {
  sentinel = pick([0, 12345]);
  S.setErrno(sentinel);
}

/** errno changed since {@link resetErrno}. */
export function errnoChanged(): boolean {
  return S.errno !== sentinel;
}

function checkErrnoAfterFailure(label: string, expect: readonly number[] | null): void {
  const e = S.errno;
  if (e === sentinel) {
    fail(`${label}: returned -1 without setting errno`);
    return;
  }
  if (typeof e !== 'number' || S.errnoName(e) === undefined) {
    fail(`${label}: returned -1 with errno ${String(e)}, not an E* value`);
    return;
  }
  if (expect !== null && !expect.includes(e)) {
    fail(`${label}: errno ${S.errnoName(e)}, but C gives ${expect.map((x) => S.errnoName(x)).join(' or ')} here`);
  }
}

// Linux checks some arguments before it looks up the descriptor (checked against C:
// recvmsg(1000000, &m, -1) gives EINVAL, recv(1000000, b, 4, -1) EBADF): accept4's flags, and
// MSG_CMSG_COMPAT (bit 31) in sendmsg/recvmsg. connect (Linux 6.x) copies the address in before it
// checks that the descriptor is a socket: connect(devnull, addr, 200) gives EINVAL.
function checkedFirst(fn: FuzzName, args: readonly unknown[], fdClass: FdClass): boolean {
  if (fn === 'accept4') return true;
  if (fn === 'connect' && fdClass !== 'closed')
    return typeof args[2] === 'number' && args[2] > S.sizeof(S.sockaddr_storage);
  if (fn === 'sendmsg' || fn === 'recvmsg') return typeof args[2] === 'number' && args[2] < 0;
  return false;
}

// epoll_ctl reads its event before it looks at a descriptor: a NULL one (other than for
// EPOLL_CTL_DEL) is EFAULT first.
function faultsFirst(fn: FuzzName, args: readonly unknown[]): boolean {
  return fn === 'epoll_ctl' && args[3] === null && args[1] !== S.EPOLL_CTL_DEL;
}

/** What errno C gives when the descriptor alone decides the outcome; null when it does not. */
export function expectedErrno(fn: FuzzName, fdClass: FdClass | undefined, args: readonly unknown[]): number[] | null {
  if (fdClass === undefined) return null;
  const first = checkedFirst(fn, args, fdClass) ? [S.EINVAL] : [];
  if (faultsFirst(fn, args)) first.push(S.EFAULT);
  if (fdClass === 'closed') return [S.EBADF, ...first];
  if ((fdClass === 'owned:file' || fdClass === 'owned:fifo' || fdClass === 'owned:devnull') && takesSocket(fn)) {
    return [S.ENOTSOCK, ...first];
  }
  return null;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Checks what a call returned against its result kind (table.ts), and errno with it. */
export function checkResult(
  fn: FuzzName,
  args: readonly unknown[],
  r: unknown,
  fdClass: FdClass | undefined,
  label: string,
): void {
  const spec: Spec = TABLE[fn];
  const kind = resultOf(fn);
  const errnoUnchanged = (): void => {
    if (spec.errnoFree !== true && errnoChanged()) fail(`${label}: succeeded but changed errno to ${S.errno}`);
  };
  switch (kind) {
    case 'fd':
    case 'zero':
    case 'int':
    case 'count': {
      if (!isInt(r)) {
        fail(`${label}: returned ${describe(r)}, not an integer`);
        return;
      }
      // -1 is a failure with errno, except for a library count (sizeof, strlen), which has none.
      if (r === -1 && (kind !== 'count' || isSyscall(fn))) {
        checkErrnoAfterFailure(label, expectedErrno(fn, fdClass, args));
        return;
      }
      if (r < 0) {
        fail(`${label}: returned ${r}`);
        return;
      }
      if (fdClass === 'closed' && expectedErrno(fn, fdClass, args) !== null)
        fail(`${label}: succeeded on a descriptor that is not open`);
      if (kind === 'zero' && r !== 0) fail(`${label}: returned ${r}, C returns 0 or -1`);
      const at = lenArgOf(fn);
      if (at >= 0) {
        const len = args[at];
        const flags = args[at + 1];
        const trunc = typeof flags === 'number' && (flags & S.MSG_TRUNC) !== 0;
        // Linux returns 1 for recv(fd, buf, 0, MSG_OOB) on an AF_UNIX stream socket holding an
        // out-of-band byte, writing nothing (C does the same; found by a 30-minute run, seed
        // 20261201): the guard bytes, checked for every call, are what proves memory safety there.
        const oob = typeof flags === 'number' && (flags & S.MSG_OOB) !== 0 && len === 0 && r === 1;
        if (typeof len === 'number' && r > len && !trunc && !oob) fail(`${label}: returned ${r} > len ${len}`);
      }
      errnoUnchanged();
      return;
    }
    case 'gai':
      if (!isInt(r)) fail(`${label}: returned ${describe(r)}, not an integer`);
      else if (r === S.EAI_SYSTEM) checkErrnoAfterFailure(label, null);
      else errnoUnchanged();
      return;
    case 'pton':
      if (r === -1) checkErrnoAfterFailure(label, [S.EAFNOSUPPORT]);
      else if (r !== 0 && r !== 1) fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'ntop':
      if (r === null) checkErrnoAfterFailure(label, [S.EAFNOSUPPORT, S.ENOSPC]);
      else if (typeof r !== 'string') fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'ifindex':
      if (r === 0) checkErrnoAfterFailure(label, [S.ENODEV]);
      else if (!isInt(r) || r < 0 || r > 0xffffffff) fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'ifname':
      if (r === null) checkErrnoAfterFailure(label, [S.ENXIO]);
      else if (typeof r !== 'string') fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'info':
      if (r === null) checkErrnoAfterFailure(label, expectedErrno(fn, fdClass, args));
      else if (typeof r !== 'object') fail(`${label}: returned ${describe(r)}`);
      else errnoUnchanged();
      return;
    case 'netdb':
      if (r === null && (fn === 'gethostbyname' || fn === 'gethostbyaddr')) {
        if (S.h_errno === S.NETDB_INTERNAL) checkErrnoAfterFailure(label, null);
        else if (![S.HOST_NOT_FOUND, S.TRY_AGAIN, S.NO_RECOVERY, S.NO_DATA].includes(S.h_errno))
          fail(`${label}: returned null with h_errno ${S.h_errno}`);
        else errnoUnchanged();
      } else if (r !== null && !(r instanceof S.hostent) && !(r instanceof S.servent)) {
        fail(`${label}: returned ${describe(r)}`);
      } else errnoUnchanged();
      return;
    case 'stats': {
      const counters = r as Partial<Record<string, unknown>> | null;
      const ok =
        typeof r === 'object' &&
        counters !== null &&
        ['handles', 'armed', 'referenced'].every((k) => isInt(counters[k]) && counters[k] >= 0);
      if (!ok) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    }
    case 'string':
      if (typeof r !== 'string') fail(`${label}: returned ${describe(r)}, not a string`);
      errnoUnchanged();
      return;
    case 'undefined':
      if (r !== undefined) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    case 'u16':
      if (!isInt(r) || r < 0 || r > 0xffff) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    case 'u32':
      if (!isInt(r) || r < 0 || r > 0xffffffff) fail(`${label}: returned ${describe(r)}`);
      errnoUnchanged();
      return;
    case 'any':
      errnoUnchanged();
  }
}

/** What a pending promise operation is, for checking how it settled. */
export interface Operation {
  readonly fn: FuzzName;
  readonly args: unknown[];
  readonly label: string;
  readonly fdClass: FdClass | undefined;
  /** A buffer of it was detached or shrunk while it waited. */
  mutated: boolean;
}

/** A promise rejects with a Node-shaped system error (or an AbortError), never with an argument error it could have thrown. */
export function checkRejection(e: unknown, op: Operation): void {
  const { fn, label } = op;
  if (e instanceof FuzzerOwnError) return;
  const f = fields(e);
  if (e instanceof Error && e.name === 'AbortError' && f.code === 'ABORT_ERR') return;
  // A retry re-checks its arguments: only a buffer detached or shrunk while the call waited may
  // reject with a coded TypeError/RangeError; any other argument error must throw synchronously.
  if (op.mutated && (e instanceof TypeError || e instanceof RangeError) && ALLOWED_CODES.has(String(f.code))) return;
  if (!(e instanceof Error) || typeof f.code !== 'string' || typeof f.syscall !== 'string') {
    fail(
      `${label}: rejected with something other than a system error`,
      `${kindOf(e)} ${String(f.code)}: ${String(f.message)}`,
    );
    return;
  }
  const code = f.code;
  const named = isResolver(fn) && code.startsWith('EAI_') ? true : S.errnoName(f.errno as number) === code;
  if (!named || f.syscall !== fn || !e.message.startsWith(`${fn} ${code}`)) {
    fail(
      `${label}: rejection not in Node's shape`,
      `code=${code} errno=${String(f.errno)} syscall=${f.syscall} message=${e.message}`,
    );
  }
  const ex = expectedErrno(fn, op.fdClass, op.args);
  if (ex !== null && op.fdClass === 'closed' && !ex.includes(f.errno as number) && f.errno !== S.ECANCELED) {
    fail(`${label}: rejected with ${code}, but C gives ${ex.map((x) => S.errnoName(x)).join(' or ')}`);
  }
}

/** For a failure's detail: what was thrown, with its stack. */
export function thrownText(e: unknown): string {
  const f = fields(e);
  return `${kindOf(e)} ${String(f.code)}: ${String(f.stack ?? e)}`;
}
