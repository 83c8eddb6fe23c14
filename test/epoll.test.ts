// epoll(7) (Linux): epoll_create1, epoll_ctl and epoll_wait, with struct epoll_event in the kernel's
// own layout, in both APIs.
import {
  EBADF,
  EEXIST,
  EINVAL,
  ENOENT,
  EPOLLET,
  EPOLLIN,
  EPOLLOUT,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  SOCK_STREAM,
  array,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  errno,
  offsetof,
  send,
  setErrno,
  sizeof,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';

const fds = new Fds();
afterEach(() => fds.closeAll());

function watch(epfd: number, fd: number, events: number, op = EPOLL_CTL_ADD): number {
  const ev = new epoll_event();
  ev.events = events;
  ev.data.fd = fd;
  return epoll_ctl!(epfd, op, fd, ev);
}

const slots = (n: number): epoll_event[] => Array.from({ length: n }, () => new epoll_event());

describe('epoll (bsdsock)', () => {
  test('struct epoll_event is the kernel layout: 12 bytes, packed, data at offset 4 on x86-64', () => {
    expect(sizeof(epoll_event)).toBe(process.arch === 'x64' ? 12 : 16);
    expect(offsetof(epoll_event, 'data')).toBe(process.arch === 'x64' ? 4 : 8);
    const ev = new epoll_event();
    ev.data.u64 = 2 ** 40 + 7;
    expect(ev.data.fd).toBe(7);
    expect(ev.data.u32).toBe(7);
  });

  test('a watched socket with data is reported with the data it was given; nothing else is', () => {
    const epfd = fds.add(epoll_create1!(EPOLL_CLOEXEC));
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const [c] = fds.unixPair(SOCK_STREAM);
    expect(watch(epfd, b, EPOLLIN)).toBe(0);
    expect(watch(epfd, c, EPOLLIN)).toBe(0);
    const events = slots(4);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(0);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(1);
    expect([events[0].events, events[0].data.fd]).toEqual([EPOLLIN, b]);
    // EPOLL_CTL_MOD to EPOLLOUT: a socket with room to write is ready at once.
    expect(watch(epfd, c, EPOLLOUT, EPOLL_CTL_MOD)).toBe(0);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(2);
    expect(
      events
        .slice(0, 2)
        .map((e) => e.data.fd)
        .sort(),
    ).toEqual([b, c].sort());
    expect(epoll_ctl!(epfd, EPOLL_CTL_DEL, c, null)).toBe(0);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(1);
  });

  test('failures return -1 with errno: EEXIST, ENOENT, EBADF, EINVAL for maxevents 0', () => {
    const epfd = fds.add(epoll_create1!(0));
    const [, b] = fds.unixPair(SOCK_STREAM);
    setErrno(0);
    expect(watch(epfd, b, EPOLLIN)).toBe(0);
    expect(watch(epfd, b, EPOLLIN)).toBe(-1);
    expect(errno).toBe(EEXIST);
    const [c] = fds.unixPair(SOCK_STREAM);
    expect(epoll_ctl!(epfd, EPOLL_CTL_DEL, c, null)).toBe(-1);
    expect(errno).toBe(ENOENT);
    expect(epoll_wait!(-1, slots(1), 1, 0)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(epoll_wait!(epfd, slots(1), 0, 0)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('maxevents larger than the array, or an entry that is not an epoll_event, throws before the call', () => {
    const epfd = fds.add(epoll_create1!(0));
    expectThrown(() => epoll_wait!(epfd, slots(2), 3, 0), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'epoll_wait',
      param: 'maxevents',
    });
    expectThrown(() => epoll_wait!(epfd, [new epoll_event(), {} as epoll_event], 2, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'epoll_wait',
      param: 'events[1]',
    });
  });
});

describe('epoll_wait into a C array (array(epoll_event, n)), filled in place', () => {
  test('the kernel writes the array itself; maxevents past it throws as for a plain array, before the call', () => {
    const epfd = fds.add(epoll_create1!(0));
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const [c, d] = fds.unixPair(SOCK_STREAM);
    expect(watch(epfd, b, EPOLLIN)).toBe(0);
    expect(watch(epfd, d, EPOLLIN)).toBe(0);
    const events = array(epoll_event, 4);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(0);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(send(c, 'y', 1, 0)).toBe(1);
    expect(epoll_wait!(epfd, events, 4, 0)).toBe(2);
    expect([events[0].data.fd, events[1].data.fd].sort()).toEqual([b, d].sort());
    expect(events[0].events).toBe(EPOLLIN);
    // Only maxevents entries may be written: the others keep what they held.
    const one = array(epoll_event, 3);
    one[2].data.fd = 77;
    expect(epoll_wait!(epfd, one, 1, 0)).toBe(1);
    expect([b, d]).toContain(one[0].data.fd);
    expect([one[1].data.fd, one[2].data.fd]).toEqual([0, 77]);
    const maxeventsError = {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'epoll_wait',
      param: 'maxevents',
    } as const;
    expectThrown(() => epoll_wait!(epfd, array(epoll_event, 2), 3, 0), maxeventsError);
    const messages = [slots(2), array(epoll_event, 2)].map((list) => {
      try {
        epoll_wait!(epfd, list, 3, 0);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    });
    expect(messages[1]).toBe(messages[0]);
    expect(epoll_wait!(epfd, array(epoll_event, 1), 0, 0)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('bsdsock/promises waits, then fills the C array', async () => {
    const epfd = fds.add(epoll_create1!(0));
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(watch(epfd, b, EPOLLIN)).toBe(0);
    const events = array(epoll_event, 2);
    const pending = P.epoll_wait!(epfd, events, 2, -1);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(await pending).toBe(1);
    expect(events[0].data.fd).toBe(b);
  });
});

describe('epoll_wait (bsdsock/promises)', () => {
  test('waits for the epoll descriptor without blocking the loop, then fills the events', async () => {
    const epfd = fds.add(epoll_create1!(0));
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(watch(epfd, b, EPOLLIN)).toBe(0);
    const events = slots(2);
    const pending = P.epoll_wait!(epfd, events, 2, -1);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(await pending).toBe(1);
    expect(events[0].data.fd).toBe(b);
  });

  test('a timeout resolves 0; closing the epoll descriptor rejects what waits on it', async () => {
    const epfd = fds.add(epoll_create1!(0));
    expect(await P.epoll_wait!(epfd, slots(1), 1, 20)).toBe(0);
    const pending = P.epoll_wait!(epfd, slots(1), 1, -1);
    fds.close(epfd);
    await expect(pending).rejects.toMatchObject({ syscall: 'epoll_wait' });
  });
});

test('close() of an epoll descriptor is an ordinary close', () => {
  const epfd = epoll_create1!(0);
  expect(close(epfd)).toBe(0);
});

test('events = EPOLLIN | EPOLLET, as C writes it (JavaScript makes it a negative int32), is stored as C stores it', () => {
  const ev = new epoll_event();
  ev.events = EPOLLIN | EPOLLET;
  expect(ev.events).toBe((EPOLLIN | EPOLLET) >>> 0);
  expect(() => (ev.events = -(2 ** 31) - 1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
});
