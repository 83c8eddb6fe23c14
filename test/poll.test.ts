// poll(2): readiness of socket descriptors, and the checks on its arguments.
import {
  AF_INET,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLRDHUP,
  SOCK_DGRAM,
  SOCK_STREAM,
  ENOTTY,
  errno,
  poll,
  recv,
  send,
  setErrno,
} from 'bsdsock';
import { bad, expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';
import { pollfdFor } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

describe('readiness on a socketpair', () => {
  test('POLLOUT is ready at once; POLLIN is not until data is sent', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    const r = pollfdFor(b, POLLIN);
    expect(poll([w, r], 2, 0)).toBe(1);
    expect(w.revents).toBe(POLLOUT);
    expect(r.revents).toBe(0);
  });

  test('POLLIN once data is queued, and again not after it is read', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const r = pollfdFor(b, POLLIN);
    expect(poll([r], 1, 0)).toBe(0);
    expect(send(a, 'data', 4, 0)).toBe(4);
    expect(poll([r], 1, 0)).toBe(1);
    expect(r.revents).toBe(POLLIN);
    expect(recv(b, Buffer.alloc(8), 8, 0)).toBe(4);
    expect(poll([r], 1, 0)).toBe(0);
    expect(r.revents).toBe(0);
  });

  test('timeout 0 with nothing ready returns 0 and clears stale revents', () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    const r = pollfdFor(b, POLLIN);
    r.revents = POLLIN | POLLHUP; // left over, as if from an earlier call
    setErrno(ENOTTY);
    expect(poll([r], 1, 0)).toBe(0);
    expect(r.revents).toBe(0);
    expect(errno).toBe(ENOTTY);
  });

  test('after the peer closes: POLLIN and POLLHUP, and recv returns 0', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(fds.close(a)).toBe(0);
    const r = pollfdFor(b, POLLIN | POLLRDHUP);
    expect(poll([r], 1, 0)).toBe(1);
    expect(r.revents & POLLIN).toBe(POLLIN);
    expect(r.revents & POLLHUP).toBe(POLLHUP);
    expect(r.revents & POLLRDHUP).toBe(POLLRDHUP);
    expect(recv(b, Buffer.alloc(4), 4, 0)).toBe(0);
  });

  test('POLLHUP is reported even when not asked for', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(fds.close(a)).toBe(0);
    const r = pollfdFor(b, 0);
    expect(poll([r], 1, 0)).toBe(1);
    expect(r.revents).toBe(POLLHUP);
  });

  test('a negative fd entry is ignored: revents 0, and it is not counted', () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    expect(send(a, 'x', 1, 0)).toBe(1);
    const ignored = pollfdFor(-1, POLLIN | POLLOUT);
    ignored.revents = POLLIN;
    const r = pollfdFor(b, POLLIN);
    expect(poll([ignored, r], 2, 0)).toBe(1);
    expect(ignored.revents).toBe(0);
    expect(r.revents).toBe(POLLIN);
  });

  test('a closed descriptor gives POLLNVAL, without being asked', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(fds.close(fd)).toBe(0);
    const p = pollfdFor(fd, POLLIN);
    expect(poll([p], 1, 0)).toBe(1);
    expect(p.revents).toBe(POLLNVAL);
  });

  test('a single pollfd, not in an array, with nfds 1', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    expect(poll(w, 1, 0)).toBe(1);
    expect(w.revents).toBe(POLLOUT);
  });

  test('nfds smaller than the array: only the first entries are watched', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const first = pollfdFor(b, POLLIN);
    const second = pollfdFor(a, POLLOUT);
    expect(poll([first, second], 1, 0)).toBe(0);
    expect(second.revents).toBe(0);
  });

  test('nfds 0 with an empty array times out at once with 0', () => {
    expect(poll([], 0, 0)).toBe(0);
  });

  test('poll waits for the timeout when nothing is ready, then returns 0', () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    const r = pollfdFor(b, POLLIN);
    expect(poll([r], 1, 20)).toBe(0);
    expect(r.revents).toBe(0);
  });
});

describe('programming errors', () => {
  test('nfds larger than the array: RangeError, nothing polled', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    expectThrown(() => poll([w], 2, 0), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'poll', param: 'nfds' });
    expect(w.revents).toBe(0);
    expectThrown(() => poll(w, 2, 0), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'poll', param: 'nfds' });
  });

  test('negative, fractional or NaN nfds: RangeError', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    for (const nfds of [-1, 0.5, NaN]) {
      expectThrown(() => poll([w], nfds, 0), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'poll', param: 'nfds' });
    }
    expect(w.revents).toBe(0);
  });

  test('an element that is not a pollfd: TypeError naming it', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    for (const element of [{ fd: a, events: POLLOUT, revents: 0 }, Buffer.alloc(8), null, 3]) {
      expectThrown(() => poll([w, bad(element)], 2, 0), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        fn: 'poll',
        param: 'fds[1]',
      });
    }
    expect(w.revents).toBe(0);
  });

  test('fds that is neither an array nor a pollfd: TypeError', () => {
    expectThrown(() => poll(bad({ length: 1 }), 1, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'poll',
      param: 'fds',
    });
  });

  test('a fractional or non-number timeout: RangeError / TypeError', () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const w = pollfdFor(a, POLLOUT);
    expectThrown(() => poll([w], 1, 1.5), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'poll', param: 'timeout' });
    expectThrown(() => poll([w], 1, bad('10')), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'poll',
      param: 'timeout',
    });
    expect(w.revents).toBe(0);
  });
});
