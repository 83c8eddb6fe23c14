// poll and select: wait for readiness on several descriptors; the fd_set macros.
import { fail } from './errno';
import { invalidArgType } from './errors';
import { native, type Memory } from './native';
import { fd_set, pollfd, structArg, timeval } from './structs';
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
  const list = fds instanceof pollfd ? [fds] : fds;
  if (!Array.isArray(list)) throw invalidArgType('poll', 'fds', 'an array of pollfd', fds);
  const bytes: Memory[] = [];
  const count = Math.min(list.length, typeof nfds === 'number' && nfds > 0 ? nfds : 0);
  for (let k = 0; k < count; k++) {
    const entry: unknown = list[k];
    if (!(entry instanceof pollfd)) throw invalidArgType('poll', `fds[${k}]`, 'a pollfd', entry);
    bytes.push(entry.bytes);
  }
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
