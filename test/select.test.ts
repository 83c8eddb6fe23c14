// select(2) and the fd_set macros, in both APIs.
import {
  EBADF,
  FD_CLR,
  FD_ISSET,
  FD_SET,
  FD_SETSIZE,
  FD_ZERO,
  SOCK_STREAM,
  errno,
  fd_set,
  select,
  send,
  setErrno,
  sizeof,
  timeval,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { expectAbortError, expectThrown, rejection } from './helpers/errors';
import { Fds } from './helpers/fds';
import { nextTurn, track } from './helpers/wait';

const fds = new Fds();
afterEach(() => fds.closeAll());

function setOf(...members: number[]): fd_set {
  const set = new fd_set();
  FD_ZERO(set);
  for (const fd of members) FD_SET(fd, set);
  return set;
}

function members(set: fd_set, below: number): number[] {
  const out: number[] = [];
  for (let fd = 0; fd < below; fd++) if (FD_ISSET(fd, set)) out.push(fd);
  return out;
}

describe('fd_set and its macros', () => {
  test('an fd_set is FD_SETSIZE bits in the platform layout; FD_SET, FD_CLR, FD_ISSET, FD_ZERO', () => {
    expect(FD_SETSIZE).toBe(1024);
    expect(sizeof(fd_set)).toBe(FD_SETSIZE / 8);
    const set = setOf(0, 5, 63, 64, 1023);
    expect(members(set, FD_SETSIZE)).toEqual([0, 5, 63, 64, 1023]);
    // glibc's layout: an array of longs, bit fd % 64 of long fd / 64 (little-endian here).
    expect(set.bytes[0]).toBe(0b100001);
    expect(set.bytes[127]).toBe(0x80);
    FD_CLR(5, set);
    expect(FD_ISSET(5, set)).toBe(0);
    expect(FD_ISSET(63, set)).toBe(1);
    FD_ZERO(set);
    expect(set.bytes.every((b) => b === 0)).toBe(true);
  });

  test('a descriptor outside 0..FD_SETSIZE-1, or a set that is not an fd_set, throws before any write', () => {
    const set = setOf();
    expectThrown(() => FD_SET(FD_SETSIZE, set), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'FD_SET',
      param: 'fd',
    });
    expectThrown(() => FD_ISSET(-1, set), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'FD_ISSET', param: 'fd' });
    expectThrown(() => FD_CLR(3, new timeval() as never), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'FD_CLR',
      param: 'set',
    });
    expect(set.bytes.every((b) => b === 0)).toBe(true);
  });
});

describe('select (bsdsock)', () => {
  test('returns the ready count and leaves only the ready descriptors in each set', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, 'x', 1, 0)).toBe(1);
    const nfds = Math.max(a, b) + 1;
    const r = setOf(a, b);
    const w = setOf(a);
    expect(select(nfds, r, w, null, null)).toBe(2);
    expect(members(r, nfds)).toEqual([b]);
    expect(members(w, nfds)).toEqual([a]);
  });

  test('a timeout with nothing ready returns 0, empties the sets and leaves no time in timeout', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const r = setOf(a);
    const t = new timeval();
    t.tv_usec = 20000;
    expect(select(a + 1, r, null, null, t)).toBe(0);
    expect(members(r, a + 1)).toEqual([]);
    expect([t.tv_sec, t.tv_usec]).toEqual([0, 0]);
  });

  test('a closed descriptor in a set: -1 and EBADF; nfds past FD_SETSIZE throws', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    fds.close(a);
    setErrno(0);
    expect(select(a + 1, setOf(a), null, null, new timeval())).toBe(-1);
    expect(errno).toBe(EBADF);
    expectThrown(() => select(FD_SETSIZE + 1, null, null, null, null), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'select',
      param: 'nfds',
    });
  });
});

describe('select (bsdsock/promises)', () => {
  test('waits without blocking the event loop until a descriptor is ready, then leaves the ready ones', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const r = setOf(a, b);
    const pending = track(P.select(Math.max(a, b) + 1, r, null, null, null));
    await nextTurn();
    expect(pending.settled()).toBe(false);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(await pending.promise).toBe(1);
    expect(members(r, Math.max(a, b) + 1)).toEqual([b]);
  });

  test('a timeout resolves 0 with the sets emptied; an abort rejects with AbortError', async () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const r = setOf(a);
    const t = new timeval();
    t.tv_usec = 30000;
    expect(await P.select(a + 1, r, null, null, t)).toBe(0);
    expect(members(r, a + 1)).toEqual([]);
    const controller = new AbortController();
    const pending = P.select(a + 1, setOf(a), null, null, null, { signal: controller.signal });
    controller.abort();
    expectAbortError(await rejection(pending));
  });
});
