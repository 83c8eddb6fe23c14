// The ledger: the descriptors this package opened and has not seen closed, so that a learner can
// find a leak (`openSockets()`), and, with tracing on, hear of a second close of one descriptor and
// of sockets still open at exit.
//
// Cost: with tracing off and BSDSOCK_LEDGER unset, each descriptor-making call and each close adds
// one array store. Where a descriptor was made (a stack capture) is recorded only while
// tracing is on or with BSDSOCK_LEDGER=1; otherwise `createdAt` is undefined. Where a descriptor was
// closed is recorded only while tracing is on: a double close is noticed only then.
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F_DUPFD, F_DUPFD_CLOEXEC } from './constants.gen';
import { tracing, warning } from './trace/sink';

/** The calls whose new descriptors the ledger records. */
export type LedgerCall =
  | 'socket'
  | 'accept'
  | 'accept4'
  | 'socketpair'
  | 'fcntl(F_DUPFD)'
  | 'fcntl(F_DUPFD_CLOEXEC)'
  | 'dup'
  | 'dup2';

/** One descriptor this package opened and has not seen closed. */
export interface OpenSocket {
  /** The descriptor. */
  readonly fd: number;
  /** The call that returned it. */
  readonly call: LedgerCall;
  /**
   * Where the program made that call, `file:line` (relative to the working directory when under
   * it); undefined unless tracing was on at the time or BSDSOCK_LEDGER=1 is set.
   */
  readonly createdAt: string | undefined;
}

// Indexed by descriptor, which is a small integer: the call that made each open descriptor, and
// where, if recorded. A store here costs a fraction of a Map's (≈ 440 instructions per
// accept + close, bench/PROFILE.md), and this is on the path of every accept and close.
const calls: (LedgerCall | undefined)[] = [];
const sites: (Error | undefined)[] = [];
let openCount = 0;
// Descriptors closed while tracing was on and not reopened by this package since, with where.
const closedAt = new Map<number, Error | undefined>();
const always = process.env.BSDSOCK_LEDGER === '1';
let exitHooked = false;

/**
 * The stack where the program is now, if the ledger keeps sites at the moment; its frames are
 * formatted only if asked for. Promise calls take it when they start, before the engine runs them.
 * @internal
 */
export function ledgerSite(): Error | undefined {
  if (!tracing && !always) return undefined;
  if (tracing && !exitHooked) hookExit();
  return new Error('bsdsock ledger');
}

/**
 * Records fd, when r is one (r >= 0), as opened by `call`; returns r unchanged.
 * @param site - the caller's stack, for calls that complete away from it (promises).
 * @internal
 */
export function opened(r: number, call: LedgerCall, site?: Error): number {
  if (r >= 0) {
    if (calls[r] === undefined) openCount++;
    calls[r] = call;
    const where = site ?? ledgerSite();
    if (where !== undefined || r < sites.length) sites[r] = where;
  }
  return r;
}

/**
 * Records both descriptors of a successful socketpair; returns r unchanged.
 * @internal
 */
export function openedPair(r: number, sv: ArrayLike<number>): number {
  if (r >= 0) {
    opened(sv[0], 'socketpair');
    opened(sv[1], 'socketpair');
  }
  return r;
}

/**
 * Records the descriptor fcntl made when cmd is F_DUPFD or F_DUPFD_CLOEXEC; returns r unchanged.
 * @internal
 */
export function openedByFcntl(r: number, cmd: number): number {
  if (r >= 0 && (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC)) {
    opened(r, cmd === F_DUPFD ? 'fcntl(F_DUPFD)' : 'fcntl(F_DUPFD_CLOEXEC)');
  }
  return r;
}

/**
 * Notes that the program closed fd, after the call (r its result); returns r unchanged. With
 * tracing on, a close of a descriptor this package already closed and has not opened since gets a
 * warning line after the call's own.
 * @internal
 */
export function closed(fd: number, r: number): number {
  if (calls[fd] !== undefined) {
    calls[fd] = undefined;
    if (fd < sites.length) sites[fd] = undefined;
    openCount--;
    if (tracing && r >= 0) closedAt.set(fd, ledgerSite());
    return r;
  }
  if (!tracing) return r;
  if (closedAt.has(fd)) {
    const where = siteText(closedAt.get(fd));
    warning(`close(${fd}): descriptor ${fd} was already closed${where === undefined ? '' : ` at ${where}`}`);
  } else if (r >= 0) {
    // Opened by other means (node:net, fs), closed here: a second close is as wrong.
    closedAt.set(fd, ledgerSite());
  }
  return r;
}

/**
 * The descriptors this package opened (socket, accept, accept4, socketpair, fcntl F_DUPFD and
 * F_DUPFD_CLOEXEC, and the accept/accept4 of bsdsock/promises) and has not seen closed by its own
 * `close`, in descriptor order. A descriptor closed by other means (fs.closeSync, a net.Socket
 * given it) stays listed; one received over SCM_RIGHTS is not listed. Not a C call.
 * @returns one `{ fd, call, createdAt }` per descriptor; `createdAt` is the program's `file:line`
 *   when tracing was on at the call or BSDSOCK_LEDGER=1 is set, otherwise undefined.
 */
export function openSockets(): OpenSocket[] {
  const list: OpenSocket[] = [];
  for (let fd = 0; fd < calls.length; fd++) {
    const call = calls[fd];
    if (call !== undefined) list.push({ fd, call, createdAt: siteText(sites[fd]) });
  }
  return list;
}

const here = __dirname + sep;

// The first frame outside this package: the program's own call.
function siteText(site: Error | undefined): string | undefined {
  if (site === undefined) return undefined;
  for (const frame of (site.stack ?? '').split('\n').slice(1)) {
    const m = /\(?([^\s()]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (m === null) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith(here) || file.startsWith('node:')) continue;
    const rel = relative(process.cwd(), file);
    return `${rel.startsWith('..') || rel === '' ? file : rel}:${m[2]}`;
  }
  return undefined;
}

function hookExit(): void {
  exitHooked = true;
  process.on('exit', () => {
    if (!tracing || openCount === 0) return;
    const list = openSockets().map((s) => `${s.fd} (${s.call} at ${s.createdAt ?? 'an unrecorded place'})`);
    warning(`exiting with ${list.length} socket${list.length === 1 ? '' : 's'} open: ${list.join(', ')}`);
  });
}

if (tracing) hookExit();
