// poll: wait for readiness on several descriptors.
import { fail } from './errno';
import { invalidArgType } from './errors';
import { native, type Memory } from './native';
import { pollfd } from './structs';
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
