// The tracer: each call of the synchronous and promises APIs written as strace(1) writes it, so a
// learner sees the calls the program made (and only those) with their decoded arguments, results and
// errors. The wrappers test `tracing` (lib/trace/sink.ts) once per call; everything here runs only
// when it is on. Three layers: the sink writes lines (sink.ts), the decoders print C values
// (decode.ts), and each call's line comes from its entry in the table of calls (lib/calls.ts); this
// module runs a call between its start and its rest.
//
// The names are the program's own: `send(...)`, where strace (which sees glibc's syscall) prints
// `sendto(..., NULL, 0)`.
import { CALLS, lookupText, statusText, type CallEntry, type CallName, type TraceArgs, type TraceText } from '../calls';
import { takeInjected } from '../faults';
import { UNFILLED, peek, result, shown } from './decode';
import { begin, finish, line, startStamp, wantSockets } from './sink';
import { tcpSocketState, type SocketState } from './sockets';

export { trace, warning, type TraceOptions, type TraceTime } from './sink';
export { quote, sockaddrText } from './decode';

// The resolver returns an EAI_* status instead of C's -1 and errno.
function isStatus(name: CallName): boolean {
  const entry: CallEntry = CALLS[name];
  return entry.status === 'eai';
}

// ` = 3`, ` = -1 EBADF (Bad file descriptor)`, ` = EAI_NONAME (...)` or ` = NULL HOST_NOT_FOUND (...)`.
function resultOf(name: CallName, r: number): string {
  const { status }: CallEntry = CALLS[name];
  if (status === 'h_errno' || status === 'null') return lookupText(status, r);
  return isStatus(name) ? statusText(r) : result(r);
}

// The rest of a line whose outputs could not be shown: `...) = 3`.
function fallback(name: CallName, r: number): string {
  return `${UNFILLED})${resultOf(name, r)}`;
}

// What the hint after a failed call explains: errno for a system call, h_errno for a host lookup
// (lib/explain.ts reads the value by the call); nothing for an EAI status or a service lookup.
function errnumOf(name: CallName, r: number): number {
  const { status }: CallEntry = CALLS[name];
  if (status === 'h_errno') return r > 0 ? r : 0;
  if (status === 'null') return 0;
  return r < 0 && !isStatus(name) ? -r : 0;
}

// The descriptor a call is made on, for the hint after it fails (which may read the socket's state):
// its first argument when C names that sockfd or fd; -1 for any other call.
function fdOf(name: CallName, args: readonly unknown[]): number {
  const first = CALLS[name].params[0];
  const fd = args[0];
  return (first === 'sockfd' || first === 'fd') && typeof fd === 'number' && Number.isInteger(fd) ? fd : -1;
}

// The calls whose result is a new descriptor, which the kernel is asked about too.
const RETURNS_FD: ReadonlySet<string> = new Set(['accept', 'accept4', 'socket', 'dup', 'dup2']);

/** What the kernel says of the TCP sockets a call worked on and returned, for the JSON trace. */
function socketsOf(fds: readonly number[]): SocketState[] {
  const out: SocketState[] = [];
  for (const fd of fds) {
    const s = fd >= 0 ? tcpSocketState(fd) : null;
    if (s !== null) out.push(s);
  }
  return out;
}

// A close reports its socket as it was just before (afterwards there is no descriptor to ask about).
function socketsBefore(name: CallName, fd: number): SocketState[] | undefined {
  return name === 'close' && wantSockets() ? socketsOf([fd]) : undefined;
}

function socketsAfter(name: CallName, fd: number, r: number, before?: SocketState[]): SocketState[] | undefined {
  if (!wantSockets()) return undefined;
  if (before !== undefined) return before;
  return socketsOf([fd, RETURNS_FD.has(name) && r >= 0 ? r : -1]);
}

/**
 * A call's name, the start and rest of its line, and the descriptor it is made on (-1 if none).
 * @internal
 */
export type TracedText<N extends CallName = CallName> = readonly [N, ...TraceText, number];

/**
 * The start and rest of a call's line, made from its inputs before the call is made (the call may
 * fill its out-parameters at once), and the descriptor it is made on. Never throws: what cannot be
 * shown is `...`, and a call whose arguments are wrong throws its own coded error when it is made,
 * with no line written.
 * @internal
 */
export function traceText<N extends CallName>(name: N, args: TraceArgs<N>): TracedText<N> {
  const fd = fdOf(name, args);
  let out: TracedText<N>;
  try {
    const text = (CALLS[name].text as (...a: TraceArgs<N>) => TraceText)(...args);
    out = [name, text[0], text[1], fd];
  } catch {
    out = [name, `${name}(${UNFILLED}`, (r) => `)${resultOf(name, r)}`, fd];
  }
  // The time the call began, for a JSON start record: a promise call is made before its line is written.
  const started = startStamp();
  if (started !== undefined) startedAt.set(out, started);
  return out;
}

/** When each promise call's text was made (JSON records only): its start record's `ns0`. */
const startedAt = new WeakMap<object, string>();

/**
 * Makes one traced call of the synchronous API and returns what it returned (a negative errno, or an
 * EAI status, on failure). A call that may block is checked first (`check`, which throws for a
 * programming error, so a call that throws has no line, as under strace), then its start is written,
 * then it is made; any other call is made first and written as one line.
 * @param name - the call.
 * @param args - its arguments, as its entry's format takes them.
 * @param check - the argument check of a call that may block (the addon's validate-only form).
 * @param run - makes the call.
 * @internal
 */
export function traceCall<N extends CallName>(
  name: N,
  args: TraceArgs<N>,
  check: (() => unknown) | null,
  run: () => number,
): number {
  if (check !== null) {
    check();
    const [, start, rest, fd] = traceText(name, args);
    const p = begin(name, start, false);
    const r = run();
    const sockets = socketsAfter(name, fd, r);
    finish(p, shown(() => rest(r), fallback(name, r)) + injectedNote(name), errnumOf(name, r), fd, sockets);
    return r;
  }
  const [, start, rest, fd] = traceText(name, args);
  const before = socketsBefore(name, fd);
  const started = startStamp();
  const r = run();
  const sockets = socketsAfter(name, fd, r, before);
  line(
    name,
    shown(() => start + rest(r), `${name}(${fallback(name, r)}`) + injectedNote(name),
    errnumOf(name, r),
    fd,
    sockets,
    started,
  );
  return r;
}

// A result that lib/faults.ts made up is marked as strace marks its own `-e inject=` results.
function injectedNote(call: string): string {
  const injected = takeInjected(call);
  if (injected === null) return '';
  return injected.startsWith('injected short') ? ` (INJECTED: ${injected.slice('injected '.length)})` : ' (INJECTED)';
}

/**
 * Traces one call of bsdsock/promises: its start line now (`accept(3, <unfinished ...>`), its
 * `<... accept resumed>` line when the promise settles. Returns the call's promise, unchanged; with
 * no text (tracing was off when the call began) it only returns it.
 * @param text - from traceText, made before the call was made.
 * @param promise - the call's promise: the call was made (and its arguments checked) before the
 *   start line is written, so a call that throws has no line.
 * @internal
 */
export function tracePromise(text: TracedText | undefined, promise: Promise<number>): Promise<number> {
  if (text === undefined) return promise;
  const [name, start, rest, fd] = text;
  const p = begin(name, start, true, startedAt.get(text));
  const settle = (r: number): void =>
    finish(
      p,
      shown(() => rest(r), fallback(name, r)),
      errnumOf(name, r),
      fd,
      socketsAfter(name, fd, r),
    );
  // Both handlers are total: a throw here would be an unhandled rejection, which ends the process.
  promise.then(settle, (e: unknown) => {
    const errnum = peek(() => (e as { errno?: unknown }).errno);
    const code = peek(() => (e as { code?: unknown }).code);
    if (peek(() => (e as { name?: unknown }).name) === 'AbortError') finish(p, ') = ? <aborted>', 0);
    else if (isStatus(name) && typeof code === 'string' && code.startsWith('EAI_')) {
      settle(errnum as number);
    } else if (typeof errnum === 'number' && errnum > 0) {
      if (isStatus(name)) finish(p, `${UNFILLED})${result(-errnum)}`, errnum, fd);
      else settle(-errnum);
    } else finish(p, ') = ? <error>', 0);
  });
  return promise;
}
