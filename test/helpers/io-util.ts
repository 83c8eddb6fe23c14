// Shared pieces for the data-transfer, poll and option suites: a bag that
// closes every descriptor a test opened, connected pairs, and a check for
// the programming errors the API throws before any system call.
import {
  AF_UNIX,
  ENOTTY,
  accept,
  close,
  connect,
  errno,
  setErrno,
  sizeof,
  socket,
  socketpair,
  AF_INET,
  SOCK_STREAM,
} from 'bsdsock';
import { tcpListener } from './net';

/** The descriptors a test opened; `closeAll()` in afterEach closes the rest. */
export class FdBag {
  private readonly open = new Set<number>();

  /** Records fd (which must be a descriptor, not -1) and returns it. */
  add(fd: number): number {
    if (fd < 0) throw new Error(`expected a descriptor, got ${fd} (errno ${errno})`);
    this.open.add(fd);
    return fd;
  }

  /** Closes fd now (0 on success) and forgets it. */
  close(fd: number): number {
    this.open.delete(fd);
    return close(fd);
  }

  /** Closes every descriptor still recorded. */
  closeAll(): void {
    for (const fd of this.open) close(fd);
    this.open.clear();
  }

  /** A new socket, recorded. */
  socket(domain: number, type: number, protocol = 0): number {
    return this.add(socket(domain, type, protocol));
  }

  /** socketpair(AF_UNIX, type), both ends recorded. */
  unixPair(type: number): [number, number] {
    const sv = new Int32Array(2);
    if (socketpair(AF_UNIX, type, 0, sv) !== 0) throw new Error(`socketpair failed: errno ${errno}`);
    return [this.add(sv[0]), this.add(sv[1])];
  }

  /**
   * A connected TCP pair on 127.0.0.1: [client, server]. The listener is
   * closed once the connection is accepted (connect completes through the
   * backlog, so accept does not block).
   */
  tcpPair(): [number, number] {
    const listener = tcpListener();
    try {
      const client = this.socket(AF_INET, SOCK_STREAM);
      if (connect(client, listener.addr, sizeof(listener.addr)) !== 0) {
        throw new Error(`connect failed: errno ${errno}`);
      }
      const server = this.add(accept(listener.fd, null, null));
      return [client, server];
    } finally {
      close(listener.fd);
    }
  }
}

type ErrorClass = typeof TypeError | typeof RangeError;

/** What a programming error must look like. */
export interface Expected {
  type: ErrorClass;
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE' | 'ERR_INVALID_ARG_VALUE';
  fn: string;
  param: string;
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
  // The addon's errors come from Node's own realm, not jest's sandbox, so
  // the class is compared by name rather than with instanceof.
  expect(Object.prototype.toString.call(thrown)).toBe('[object Error]');
  const err = thrown as Error & { code?: string };
  expect(err.constructor.name).toBe(expected.type.name);
  expect(err.name).toBe(expected.type.name);
  expect(err.code).toBe(expected.code);
  expect(err.message.startsWith(`${expected.fn}(): `)).toBe(true);
  const quoted = expected.code === 'ERR_INVALID_ARG_VALUE' ? `'${expected.param}'` : `"${expected.param}"`;
  expect(err.message).toContain(quoted);
  expect(errno).toBe(ENOTTY);
}

/** Type-erases a deliberately wrong argument. */
export function bad<T = never>(value: unknown): T {
  return value as T;
}
