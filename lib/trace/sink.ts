// The tracer's bottom layer: where lines go and how a call's line is written. A call that cannot
// block is one line; a call that can block writes its start (`accept(3, `) before it is made and the
// rest when it returns; when another line comes in between, the start is closed with
// `<unfinished ...>` and the rest follows as `<... accept resumed>`. Promise calls always take two
// lines: the start when the promise is made, the resumed line when it settles. Lines may carry a
// timestamp (-t, -tt, -ttt, -r) or be JSON records for tools that merge several processes' traces.
// What the lines say is decided above this module (lib/trace/decode.ts, lib/calls.ts).
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CLOCK_REALTIME } from '../constants.gen';
import { invalidArgType, invalidArgValue } from '../errors';
import { envLang, hint, seeWord, type HintLang } from '../explain';
import { native } from '../native';
import { timespec } from '../structs';
import type { SocketState } from './sockets';

/**
 * True while tracing is on. Each wrapper tests it once per call: with tracing off that branch is
 * the tracer's whole cost.
 * @internal
 */
export let tracing = false;

/** How each line is stamped: not at all, `-t`/`-tt` wall clock, `-ttt` epoch seconds, `-r` relative. */
export type TraceTime = false | 'tt' | 'ttt' | 'r';

/** What `trace()` takes besides true/false/a stream. */
export interface TraceOptions {
  /** Follow each failed call with a line that says what the error means for it (and its man page). */
  explain?: boolean;
  /**
   * The language of those lines: 'en' (English) or 'fr' (French). By default what the environment
   * asks for: BSDSOCK_LANG=fr or en, else the locale (the first of LC_ALL, LC_MESSAGES and LANG that
   * is set; a value starting with `fr`, as `fr_FR.UTF-8`, is French), else English.
   */
  lang?: 'fr' | 'en';
  /** Where the lines go; stderr by default, written synchronously. */
  stream?: {
    /** Called with each line (or part of a line), newline included. */
    write(chunk: string): unknown;
  };
  /** Prefix each line with a timestamp: true or 'tt' (`15:04:05.123456`), 'ttt' (epoch), 'r' (relative). */
  time?: boolean | 'tt' | 'ttt' | 'r';
  /**
   * 'json': one JSON object a line (`t` in microseconds since the epoch, `pid`, `ph`, `id`, `call`,
   * `text`), for tools that merge the traces of several processes (npm run demo). Default 'text'.
   */
  format?: 'text' | 'json';
  /**
   * With format 'json': after each call on a TCP socket, what the kernel says of it (addresses and
   * TCP state, from TCP_INFO) in the record's `sockets`; a close reports the socket as it was just
   * before. The timeline (bsdsock/timeline) checks the states it draws against these.
   */
  sockets?: boolean;
}

interface Sink {
  fd: number;
  stream: { write(chunk: string): unknown } | null;
}

let sink: Sink = { fd: 2, stream: null };
let explainOn = false;
let lang: HintLang = 'en';
let timeMode: TraceTime = false;
let json = false;
let socketsOn = false;
let lastStamp = 0;
let nextId = 1;

/**
 * A call whose start is written and whose end is not yet.
 * @internal
 */
export interface Pending {
  readonly id: number;
  readonly call: string;
  readonly start: string;
}

/** The start written last without its newline, if any. */
let open: Pending | null = null;

/**
 * Turns the tracer on or off, or sends it elsewhere. `trace(true)`: strace's lines on stderr;
 * `trace(false)`: off; `trace(stream)`: lines written to that stream;
 * `trace({ explain, lang, stream, time, format })`: see {@link TraceOptions}.
 * The environment sets it at load: BSDSOCK_TRACE=1 (or =explain), BSDSOCK_TRACE_TIME=1 (or tt, ttt, r),
 * BSDSOCK_TRACE_FORMAT=json, BSDSOCK_TRACE_FD=n (write to descriptor n instead of 2), and the hints'
 * language BSDSOCK_LANG=fr or en (else the locale's).
 * @param how - true, false, a writable stream, or options (which turn tracing on).
 * @throws TypeError (ERR_INVALID_ARG_TYPE) for anything else, (ERR_INVALID_ARG_VALUE) for a `lang`
 *   other than 'en' or 'fr'.
 * @example
 * ```ts
 * trace({ explain: true, lang: 'fr' });
 * connect(fd, addr, sizeof(addr)); // nothing listens there
 * // connect(3, {sa_family=AF_INET, ...}, 16) = -1 ECONNREFUSED (Connection refused)
 * //   ↳ connect ECONNREFUSED : rien n'écoute à cette adresse et sur ce port : ... (voir connect(2))
 * ```
 */
export function trace(how: boolean | { write(chunk: string): unknown } | TraceOptions): void {
  if (how !== null && typeof how === 'object' && !isStream(how)) {
    const l = how.lang;
    // Checked first: a wrong language leaves the tracer as it was.
    if (l !== undefined && l !== 'en' && l !== 'fr') {
      throw invalidArgValue('trace', 'how.lang', "must be 'en', 'fr' or undefined", l);
    }
  }
  closeOpen();
  if (how === false) {
    tracing = false;
    return;
  }
  explainOn = false;
  lang = envLang();
  timeMode = false;
  json = false;
  socketsOn = false;
  sink = { fd: 2, stream: null };
  if (how !== true) {
    if (how === null || typeof how !== 'object') {
      throw invalidArgType('trace', 'how', 'a boolean, a writable stream or an options object', how);
    }
    if (isStream(how)) {
      sink = streamSink(how);
    } else {
      const o = how;
      explainOn = o.explain === true;
      lang = o.lang ?? envLang();
      timeMode = o.time === true ? 'tt' : o.time === undefined ? false : o.time;
      json = o.format === 'json';
      socketsOn = json && o.sockets === true;
      if (o.stream !== undefined) sink = streamSink(o.stream);
    }
  }
  lastStamp = 0;
  tracing = true;
}

function isStream(x: object): x is { write(chunk: string): unknown } {
  return typeof (x as { write?: unknown }).write === 'function';
}

function streamSink(stream: { write(chunk: string): unknown }): Sink {
  // stderr itself is written with writeSync, so a line shows before a blocking call starts.
  if (stream === process.stderr) return { fd: 2, stream: null };
  if (stream === process.stdout) return { fd: 1, stream: null };
  return { fd: -1, stream };
}

function write(s: string): void {
  if (sink.stream !== null) {
    sink.stream.write(s);
    return;
  }
  const bytes = Buffer.from(s, 'utf8');
  for (let off = 0; off < bytes.length; ) {
    try {
      off += writeSync(sink.fd, bytes, off);
    } catch (e) {
      // A non-blocking pipe that is full: wait for the reader rather than drop the line.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return;
    }
  }
}

function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

// The JSON records' clock: CLOCK_REALTIME in nanoseconds, the clock of the kernel's packet timestamps
// (SO_TIMESTAMPNS), so that a capture's segments fall between the calls in true order. A string: the
// nanoseconds since the epoch are past Number's exact integers.
let clock: timespec | null = null;
function nowNanos(): string {
  clock ??= new timespec();
  if (CLOCK_REALTIME === undefined || native.clock_gettime(CLOCK_REALTIME, clock.bytes) < 0) {
    return String(BigInt(nowMicros()) * 1000n);
  }
  return String(BigInt(clock.tv_sec) * 1_000_000_000n + BigInt(clock.tv_nsec));
}

/**
 * The JSON records' clock now, or undefined when the records are not JSON: a call in one line is
 * stamped when it starts too (`ns0`), so that what it sent falls after it.
 * @internal
 */
export function startStamp(): string | undefined {
  return json ? nowNanos() : undefined;
}

/**
 * True when the JSON records carry the kernel's view of the call's TCP sockets.
 * @internal
 */
export function wantSockets(): boolean {
  return json && socketsOn;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function stamp(): string {
  if (timeMode === false) return '';
  const t = nowMicros();
  if (timeMode === 'r') {
    const delta = lastStamp === 0 ? 0 : t - lastStamp;
    lastStamp = t;
    return `${String(Math.floor(delta / 1e6)).padStart(6)}.${pad(delta % 1e6, 6)} `;
  }
  if (timeMode === 'ttt') return `${Math.floor(t / 1e6)}.${pad(t % 1e6, 6)} `;
  const d = new Date(Math.floor(t / 1000));
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(t % 1e6, 6)} `;
}

const STAMP_WIDTH: Readonly<Record<string, number>> = { tt: 16, ttt: 18, r: 14 };

function record(
  ph: string,
  id: number,
  call: string,
  text: string,
  sockets?: readonly SocketState[],
  started?: string,
): void {
  const ns = nowNanos();
  const r: Record<string, unknown> = { t: nowMicros(), ns, pid: process.pid, ph, id, call, text };
  if (started !== undefined) r.ns0 = started;
  if (sockets !== undefined && sockets.length > 0) r.sockets = sockets;
  write(JSON.stringify(r) + '\n');
}

/** Ends a start line left open, as strace does when another line must be written. */
function closeOpen(): void {
  if (open === null) return;
  if (!json) write(' <unfinished ...>\n');
  open = null;
}

// fd: the descriptor the call failed on (-1 when it has none), whose state may choose the hint.
function explainLine(call: string, errnum: number, fd: number): void {
  if (!explainOn) return;
  const h = hint(call, errnum, lang, fd < 0 ? undefined : fd);
  if (h === undefined) return;
  const text = `  ↳ ${h.text} (${seeWord(h.lang)} ${h.man})`;
  if (json) record('explain', 0, call, text);
  // Not a call: no time of its own, but aligned under the call's text.
  else write(' '.repeat(STAMP_WIDTH[String(timeMode)] ?? 0) + text + '\n');
}

/**
 * A line that is no call, in strace's `+++ ... +++` form: the ledger's warnings.
 * @internal
 */
export function warning(text: string): void {
  closeOpen();
  if (json) record('warning', 0, 'warning', text);
  else write(`${stamp()}+++ warning: ${text} +++\n`);
}

/**
 * A whole line for a call that cannot block; a hint follows when errnum > 0 and hints are on.
 * @param fd - the descriptor the call was made on, or -1 (for the hint).
 * @internal
 */
export function line(
  call: string,
  text: string,
  errnum: number,
  fd = -1,
  sockets?: readonly SocketState[],
  started?: string,
): void {
  closeOpen();
  if (json) record('line', nextId++, call, text, sockets, started);
  else write(stamp() + text + '\n');
  if (errnum > 0) explainLine(call, errnum, fd);
}

/**
 * Writes a call's start: left open for a call that may block, closed with `<unfinished ...>` for a
 * promise call. `started`: when the call began, if before now (a promise call, made before its line).
 * @internal
 */
export function begin(call: string, start: string, promise: boolean, started?: string): Pending {
  closeOpen();
  const p: Pending = { id: nextId++, call, start };
  if (json) record('start', p.id, call, start, undefined, started);
  else write(stamp() + start + (promise ? ' <unfinished ...>\n' : ''));
  if (!promise) open = p;
  return p;
}

/**
 * Writes the rest of a call begun with begin(): on its start line if nothing came in between, else
 * as `<... call resumed>`.
 * @internal
 */
export function finish(p: Pending, rest: string, errnum: number, fd = -1, sockets?: readonly SocketState[]): void {
  if (json) {
    if (open === p) open = null;
    record('end', p.id, p.call, p.start + rest, sockets);
  } else if (open === p) {
    open = null;
    write(rest + '\n');
  } else {
    closeOpen();
    write(`${stamp()}<... ${p.call} resumed>${rest}\n`);
  }
  if (errnum > 0) explainLine(p.call, errnum, fd);
}

// The environment turns the tracer on at load, before the program's first call.
{
  const env = process.env.BSDSOCK_TRACE;
  if (env !== undefined && env !== '' && env !== '0') {
    const t = process.env.BSDSOCK_TRACE_TIME;
    const fd = Number(process.env.BSDSOCK_TRACE_FD);
    trace({
      explain: env === 'explain',
      time: t === undefined || t === '' || t === '0' ? false : t === 'r' || t === 'ttt' ? t : 'tt',
      format: process.env.BSDSOCK_TRACE_FORMAT === 'json' ? 'json' : 'text',
      sockets: process.env.BSDSOCK_TRACE_SOCKETS === '1',
    });
    if (Number.isInteger(fd) && fd > 0) sink = { fd, stream: null };
  }
}
