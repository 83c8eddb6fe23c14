// poll and select: wait for readiness on several descriptors; the fd_set macros.
import { fail } from './errno';
import { native, type Memory } from './native';
import { epoll_event, fd_set, pollfd, structArg, structArrayArg, structArrayBytes, timespec, timeval } from './structs';
import { traceCall } from './trace';
import { tracing } from './trace/sink';

/**
 * Waits until one of the descriptors is ready: the poll(2) system call.
 * Blocks the thread for up to `timeout` ms (-1: forever, 0: just look).
 * @param fds - C's `struct pollfd *`: an array of pollfd (or one pollfd).
 * @param nfds - how many entries of fds to watch.
 * @param timeout - milliseconds.
 * @returns the number of entries with nonzero revents, 0 on timeout, or -1
 *   with errno: EINTR (a signal arrived), EINVAL (nfds too large), ENOMEM.
 * @see https://man7.org/linux/man-pages/man2/poll.2.html
 */
export function poll(fds: pollfd[] | pollfd, nfds: number, timeout: number): number {
  const [list, bytes] = structArrayArg('poll', 'fds', fds, nfds, pollfd);
  const r = tracing
    ? traceCall(
        'poll',
        [list, nfds, timeout],
        () => native.poll(bytes, nfds, timeout, true),
        () => native.poll(bytes, nfds, timeout),
      )
    : native.poll(bytes, nfds, timeout);
  return r < 0 ? fail(r) : r;
}

/**
 * The bytes of an fd_set argument, or null: C's `fd_set *`.
 * @internal
 */
export function setArg(fn: string, param: string, set: fd_set | null): Memory | null {
  return set === null ? null : structArg(fn, param, set, fd_set);
}

/**
 * Waits until one of the descriptors in the sets is ready: the select(2)
 * system call. On return each set holds only its ready descriptors, and (on
 * Linux) timeout holds the time that was left. Blocks the thread for up to
 * `timeout` (null: for ever; zero: just look).
 * @param nfds - the highest descriptor in any set, plus one (at most FD_SETSIZE).
 * @param readfds - descriptors to watch for reading (or an incoming connection), or null.
 * @param writefds - descriptors to watch for writing, or null.
 * @param exceptfds - descriptors to watch for exceptional conditions (urgent data), or null.
 * @param timeout - how long to wait at most, or null.
 * @returns the number of ready descriptors in all sets, 0 on timeout, or -1
 *   with errno: EBADF (a set holds a closed descriptor), EINTR (a signal
 *   arrived), EINVAL (a negative timeout), ENOMEM.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function select(
  nfds: number,
  readfds: fd_set | null,
  writefds: fd_set | null,
  exceptfds: fd_set | null,
  timeout: timeval | null,
): number {
  const r = setArg('select', 'readfds', readfds);
  const w = setArg('select', 'writefds', writefds);
  const x = setArg('select', 'exceptfds', exceptfds);
  const t = timeout === null ? null : structArg('select', 'timeout', timeout, timeval);
  const n = tracing
    ? traceCall(
        'select',
        [nfds, readfds, writefds, exceptfds, timeout],
        () => native.select(nfds, r, w, x, t, true),
        () => native.select(nfds, r, w, x, t),
      )
    : native.select(nfds, r, w, x, t);
  return n < 0 ? fail(n) : n;
}

/**
 * FD_ZERO(&set): empties a set. See select(2).
 * @param set - the fd_set.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function FD_ZERO(set: fd_set): void {
  native.FD_ZERO(setArg('FD_ZERO', 'set', set)!);
}

/**
 * FD_SET(fd, &set): adds fd to a set. A descriptor outside 0..FD_SETSIZE-1
 * is a RangeError (in C, a write outside the set). See select(2).
 * @param fd - the descriptor.
 * @param set - the fd_set.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function FD_SET(fd: number, set: fd_set): void {
  native.fdSet(0, fd, setArg('FD_SET', 'set', set)!);
}

/**
 * FD_CLR(fd, &set): removes fd from a set. See select(2).
 * @param fd - the descriptor.
 * @param set - the fd_set.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function FD_CLR(fd: number, set: fd_set): void {
  native.fdSet(1, fd, setArg('FD_CLR', 'set', set)!);
}

/**
 * FD_ISSET(fd, &set): 1 when fd is in the set, else 0, as C's macro. See select(2).
 * @param fd - the descriptor.
 * @param set - the fd_set.
 * @returns 1 or 0.
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 */
export function FD_ISSET(fd: number, set: fd_set): number {
  return native.fdSet(2, fd, setArg('FD_ISSET', 'set', set)!);
}

/**
 * The bytes of epoll_wait's events: C's `struct epoll_event *events`, as an array (or one struct).
 * A C array of them (`array(epoll_event, n)`) goes as its own contiguous bytes, which the kernel
 * fills in place: walking its entries through the array's Proxy cost ≈ 2,000 instructions per entry
 * on every call (bench/floor/run.sh --only epoll_wait), for entries the array guarantees to be
 * epoll_event already.
 * @internal
 */
export function eventsArg(events: epoll_event[] | epoll_event, maxevents: number): [epoll_event[], Memory[] | Buffer] {
  const contiguous = structArrayBytes(events, epoll_event);
  if (contiguous !== undefined) return [events as epoll_event[], contiguous];
  return structArrayArg('epoll_wait', 'events', events, maxevents, epoll_event);
}

/**
 * Makes an epoll instance, a descriptor that watches others: the
 * epoll_create1(2) system call (Linux; undefined elsewhere).
 * @param flags - 0 or EPOLL_CLOEXEC.
 * @returns the epoll descriptor, or -1 with errno: EINVAL (unknown flags),
 *   EMFILE, ENFILE, ENOMEM.
 * @see https://man7.org/linux/man-pages/man2/epoll_create1.2.html
 */
export const epoll_create1: ((flags: number) => number) | undefined =
  native.epoll_create1 === undefined
    ? undefined
    : function epoll_create1(flags: number): number {
        const r = tracing
          ? traceCall('epoll_create1', [flags], null, () => native.epoll_create1!(flags))
          : native.epoll_create1!(flags);
        return r < 0 ? fail(r) : r;
      };

/**
 * Adds, changes or removes a descriptor an epoll instance watches: the
 * epoll_ctl(2) system call (Linux; undefined elsewhere).
 * @param epfd - the epoll descriptor.
 * @param op - EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL.
 * @param fd - the descriptor to watch.
 * @param event - what to watch for (events) and what to get back (data), or
 *   null for EPOLL_CTL_DEL.
 * @returns 0, or -1 with errno: EEXIST (added twice), ENOENT (not watched),
 *   EPERM (a regular file), EBADF, EINVAL (epfd is not an epoll descriptor,
 *   or fd is epfd), ELOOP.
 * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
 */
export const epoll_ctl: ((epfd: number, op: number, fd: number, event: epoll_event | null) => number) | undefined =
  native.epoll_ctl === undefined
    ? undefined
    : function epoll_ctl(epfd: number, op: number, fd: number, event: epoll_event | null): number {
        const e = event === null ? null : structArg('epoll_ctl', 'event', event, epoll_event);
        const r = tracing
          ? traceCall('epoll_ctl', [epfd, op, fd, event], null, () => native.epoll_ctl!(epfd, op, fd, e))
          : native.epoll_ctl!(epfd, op, fd, e);
        return r < 0 ? fail(r) : r;
      };

/**
 * Waits for events on the descriptors an epoll instance watches: the
 * epoll_wait(2) system call (Linux; undefined elsewhere). Blocks the thread
 * for up to `timeout` ms (-1: for ever, 0: just look).
 * @param epfd - the epoll descriptor.
 * @param events - C's `struct epoll_event events[maxevents]`: an array of
 *   epoll_event, filled from the first.
 * @param maxevents - at most how many events to report (> 0).
 * @param timeout - milliseconds.
 * @returns the number of events filled in, 0 on timeout, or -1 with errno:
 *   EINTR (a signal arrived), EINVAL (maxevents <= 0, or not an epoll
 *   descriptor), EBADF.
 * @see https://man7.org/linux/man-pages/man2/epoll_wait.2.html
 */
export const epoll_wait:
  | ((epfd: number, events: epoll_event[] | epoll_event, maxevents: number, timeout: number) => number)
  | undefined =
  native.epoll_wait === undefined
    ? undefined
    : function epoll_wait(
        epfd: number,
        events: epoll_event[] | epoll_event,
        maxevents: number,
        timeout: number,
      ): number {
        const [list, bytes] = eventsArg(events, maxevents);
        const r = tracing
          ? traceCall(
              'epoll_wait',
              [epfd, list, maxevents, timeout],
              () => native.epoll_wait!(epfd, bytes, maxevents, timeout, true),
              () => native.epoll_wait!(epfd, bytes, maxevents, timeout),
            )
          : native.epoll_wait!(epfd, bytes, maxevents, timeout);
        return r < 0 ? fail(r) : r;
      };

/**
 * Reads a clock into `tp`: clock_gettime(2). CLOCK_REALTIME is the wall clock (the clock of the
 * kernel's packet timestamps, SO_TIMESTAMPNS); CLOCK_MONOTONIC never jumps, for measuring durations.
 * Not a traced call: glibc answers it from the vDSO, without entering the kernel, so strace does not
 * show it either.
 * @param clockid - CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, ...
 * @param tp - the timespec that receives the time (tv_sec, tv_nsec).
 * @returns 0, or -1 with errno: EINVAL (no such clock on this system).
 * @see https://man7.org/linux/man-pages/man2/clock_gettime.2.html
 */
export function clock_gettime(clockid: number, tp: timespec): number {
  const r = native.clock_gettime(clockid, structArg('clock_gettime', 'tp', tp, timespec));
  return r < 0 ? fail(r) : r;
}
