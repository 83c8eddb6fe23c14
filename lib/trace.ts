// The tracer: each call of the synchronous and promises APIs written as strace(1) writes it, so a
// learner sees the calls the program made (and only those) with their decoded arguments, results and
// errors. The wrappers test the module-level `tracing` flag once per call; everything here runs only
// when it is on.
//
// Forms follow strace 6 (`strace -e trace=network`): symbolic constants and flag sets, decoded
// sockaddrs, data as C strings cut at 32 bytes, in/out lengths as `[16]` or `[128 => 16]`, failures as
// `= -1 ECONNREFUSED (Connection refused)`. A call that can block writes its start (`accept(3, `)
// before it is made and the rest when it returns; when another line comes in between, the start is
// closed with `<unfinished ...>` and the rest follows as `<... accept resumed>`. Promise calls always
// take two lines: the start when the promise is made, the resumed line when it settles.
//
// Where strace prints the address of an out-parameter a failed call left unfilled, the tracer, which
// has no C address to show, prints `...`. The names are the program's own: `send(...)`, where strace
// (which sees glibc's syscall) prints `sendto(..., NULL, 0)`.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as C from './constants.gen';
import { constantNames } from './constants.gen';
import { invalidArgType } from './errors';
import { hint } from './explain';
import { takeInjected } from './faults';
import { native, type Memory } from './native';
import {
  Struct,
  cmsghdr,
  iovec,
  linger,
  msghdr,
  pollfd,
  ptr,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  timeval,
  type SockaddrLike,
  type socklen_t,
} from './structs';

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
  /** Where the lines go; stderr by default, written synchronously. */
  stream?: { write(chunk: string): unknown };
  /** Prefix each line with a timestamp: true or 'tt' (`15:04:05.123456`), 'ttt' (epoch), 'r' (relative). */
  time?: boolean | 'tt' | 'ttt' | 'r';
  /**
   * 'json': one JSON object a line (`t` in microseconds since the epoch, `pid`, `ph`, `id`, `call`,
   * `text`), for tools that merge the traces of several processes (npm run demo). Default 'text'.
   */
  format?: 'text' | 'json';
}

interface Sink {
  fd: number;
  stream: { write(chunk: string): unknown } | null;
}

let sink: Sink = { fd: 2, stream: null };
let explainOn = false;
let timeMode: TraceTime = false;
let json = false;
let lastStamp = 0;
let nextId = 1;

/** A call whose start is written and whose end is not yet. */
interface Pending {
  readonly id: number;
  readonly call: string;
  readonly start: string;
}

/** The start written last without its newline, if any. */
let open: Pending | null = null;

/**
 * Turns the tracer on or off, or sends it elsewhere. `trace(true)`: strace's lines on stderr;
 * `trace(false)`: off; `trace(stream)`: lines written to that stream; `trace({ explain, stream, time })`.
 * The environment sets it at load: BSDSOCK_TRACE=1 (or =explain), BSDSOCK_TRACE_TIME=1 (or tt, ttt, r),
 * BSDSOCK_TRACE_FORMAT=json, BSDSOCK_TRACE_FD=n (write to descriptor n instead of 2).
 * @param how - true, false, a writable stream, or options (which turn tracing on).
 */
export function trace(how: boolean | { write(chunk: string): unknown } | TraceOptions): void {
  closeOpen();
  if (how === false) {
    tracing = false;
    return;
  }
  explainOn = false;
  timeMode = false;
  json = false;
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
      timeMode = o.time === true ? 'tt' : o.time === undefined ? false : o.time;
      json = o.format === 'json';
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

function record(ph: string, id: number, call: string, text: string): void {
  write(JSON.stringify({ t: nowMicros(), pid: process.pid, ph, id, call, text }) + '\n');
}

/** Ends a start line left open, as strace does when another line must be written. */
function closeOpen(): void {
  if (open === null) return;
  if (!json) write(' <unfinished ...>\n');
  open = null;
}

function explainLine(call: string, errnum: number): void {
  if (!explainOn) return;
  const h = hint(call, errnum);
  if (h === undefined) return;
  const text = `  ↳ ${h.text} (see ${h.man})`;
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

/** A whole line for a call that cannot block. */
function line(call: string, text: string, r: number): void {
  closeOpen();
  if (json) record('line', nextId++, call, text);
  else write(stamp() + text + '\n');
  if (r < 0) explainLine(call, -r);
}

function begin(call: string, start: string, promise: boolean): Pending {
  closeOpen();
  const p: Pending = { id: nextId++, call, start };
  if (json) record('start', p.id, call, start);
  else write(stamp() + start + (promise ? ' <unfinished ...>\n' : ''));
  if (!promise) open = p;
  return p;
}

function finish(p: Pending, rest: string, r: number): void {
  if (json) {
    if (open === p) open = null;
    record('end', p.id, p.call, p.start + rest);
  } else if (open === p) {
    open = null;
    write(rest + '\n');
  } else {
    closeOpen();
    write(`${stamp()}<... ${p.call} resumed>${rest}\n`);
  }
  if (r < 0) explainLine(p.call, -r);
}

// --- Values ------------------------------------------------------------------------------------

let tables: Map<string, Map<number, string>> | null = null;

// Constant names by prefix, each value named by the first name listed for it (AF_ before PF_,
// EAGAIN before EWOULDBLOCK), as native/constants.list orders them.
function table(prefix: string): Map<number, string> {
  if (tables === null) tables = new Map();
  let t = tables.get(prefix);
  if (t === undefined) {
    t = new Map();
    const values = C as unknown as Record<string, number | undefined>;
    for (const name of constantNames) {
      if (!name.startsWith(prefix)) continue;
      const v = values[name];
      if (typeof v === 'number' && !t.has(v)) t.set(v, name);
    }
    tables.set(prefix, t);
  }
  return t;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function named(prefix: string, v: number, exclude?: (name: string) => boolean): string {
  const name = table(prefix).get(v);
  if (name !== undefined && (exclude === undefined || !exclude(name))) return name;
  return `${hex(v)} /* ${prefix}??? */`;
}

function flagSet(prefix: string, v: number, skip: readonly string[] = []): string {
  if (v === 0) return '0';
  const bits = [...table(prefix)]
    .filter(([value, name]) => value > 0 && (value & (value - 1)) === 0 && !skip.includes(name))
    .sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [value, name] of bits) {
    if ((rest & value) === value) {
      parts.push(name);
      rest &= ~value >>> 0;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

const family = (v: number): string => named('AF_', v);

function sockType(v: number): string {
  const flags = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);
  const base = v & ~flags;
  const parts = [named('SOCK_', base, (n) => n === 'SOCK_NONBLOCK' || n === 'SOCK_CLOEXEC')];
  // strace names the flags in value order: SOCK_CLOEXEC|SOCK_NONBLOCK on Linux.
  if (C.SOCK_CLOEXEC !== undefined && v & C.SOCK_CLOEXEC) parts.push('SOCK_CLOEXEC');
  if (C.SOCK_NONBLOCK !== undefined && v & C.SOCK_NONBLOCK) parts.push('SOCK_NONBLOCK');
  if (parts[0].startsWith('0x')) parts[0] = `${hex(base)} /* SOCK_??? */`;
  return parts.join('|');
}

function sockFlags(v: number): string {
  if (v === 0) return '0';
  const parts: string[] = [];
  let rest = v;
  if (C.SOCK_CLOEXEC !== undefined && v & C.SOCK_CLOEXEC) {
    parts.push('SOCK_CLOEXEC');
    rest &= ~C.SOCK_CLOEXEC;
  }
  if (C.SOCK_NONBLOCK !== undefined && v & C.SOCK_NONBLOCK) {
    parts.push('SOCK_NONBLOCK');
    rest &= ~C.SOCK_NONBLOCK;
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

function protocol(domain: number, v: number): string {
  // strace names IP protocols only for the IP families; 0 there is IPPROTO_IP.
  if (domain !== C.AF_INET && domain !== C.AF_INET6) return String(v);
  return table('IPPROTO_').get(v) ?? String(v);
}

const msgFlags = (v: number): string => flagSet('MSG_', v);
const pollEvents = (v: number): string => flagSet('POLL', v);

function level(v: number): string {
  return table('SOL_').get(v) ?? String(v);
}

function optname(lvl: number, v: number): string {
  const prefix =
    lvl === C.SOL_SOCKET
      ? 'SO_'
      : lvl === C.IPPROTO_TCP
        ? 'TCP_'
        : lvl === C.IPPROTO_IP
          ? 'IP_'
          : lvl === C.IPPROTO_IPV6
            ? 'IPV6_'
            : null;
  return prefix === null ? String(v) : named(prefix, v);
}

function errorText(errnum: number): string {
  const name = native.errnoNames[errnum] ?? `E???_${errnum}`;
  return `-1 ${name} (${native.strerror(errnum)})`;
}

/** ` = 3` or ` = -1 EBADF (Bad file descriptor)`. */
function result(r: number): string {
  return ` = ${r < 0 ? errorText(-r) : String(r)}`;
}

function bytesOf(buf: Memory | string): Uint8Array {
  if (typeof buf === 'string') return Buffer.from(buf, 'utf8');
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return new Uint8Array(buf);
}

const MAX_STRLEN = 32;

/**
 * Bytes as strace quotes them: printable ASCII as is, `\t \n \v \f \r \" \\`, other bytes in octal
 * (three digits when an octal digit follows, so the escape cannot swallow it), cut at 32 bytes with
 * `...` after the closing quote.
 * @internal
 */
export function quote(buf: Memory | string, len: number): string {
  const bytes = bytesOf(buf);
  const n = Math.max(0, Math.min(len, bytes.length));
  const shown = Math.min(n, MAX_STRLEN);
  let s = '"';
  for (let i = 0; i < shown; i++) {
    const b = bytes[i];
    switch (b) {
      case 0x22:
        s += '\\"';
        continue;
      case 0x5c:
        s += '\\\\';
        continue;
      case 0x09:
        s += '\\t';
        continue;
      case 0x0a:
        s += '\\n';
        continue;
      case 0x0b:
        s += '\\v';
        continue;
      case 0x0c:
        s += '\\f';
        continue;
      case 0x0d:
        s += '\\r';
        continue;
    }
    if (b >= 0x20 && b < 0x7f) {
      s += String.fromCharCode(b);
      continue;
    }
    const next = i + 1 < shown ? bytes[i + 1] : -1;
    const octal = b.toString(8);
    s += '\\' + (next >= 0x30 && next <= 0x37 ? octal.padStart(3, '0') : octal);
  }
  return s + '"' + (n > MAX_STRLEN ? '...' : '');
}

function u16(bytes: Uint8Array, off: number): number {
  return native.littleEndian ? bytes[off] | (bytes[off + 1] << 8) : (bytes[off] << 8) | bytes[off + 1];
}

const netU16 = (bytes: Uint8Array, off: number): number => (bytes[off] << 8) | bytes[off + 1];
const netU32 = (bytes: Uint8Array, off: number): number =>
  ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;

function hostU32(bytes: Uint8Array, off: number): number {
  const v = netU32(bytes, off);
  if (!native.littleEndian) return v;
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * A socket address as strace decodes it, from its bytes and the length the call gave or got.
 * @internal
 */
export function sockaddrText(addr: SockaddrLike | Memory | null, addrlen: number): string {
  if (addr === null) return 'NULL';
  const bytes = bytesOf(addr instanceof Struct ? addr.bytes : addr);
  const len = Math.min(addrlen, bytes.length);
  const famOff = sockaddr_in.layout.fields.sin_family[0];
  if (len < famOff + 2) return '{...}';
  const fam = u16(bytes, famOff);
  const head = `{sa_family=${family(fam)}`;
  if (fam === C.AF_INET && len >= sockaddr_in.layout.fields.sin_addr[0] + 4) {
    const f = sockaddr_in.layout.fields;
    const a = f.sin_addr[0];
    const ip = `${bytes[a]}.${bytes[a + 1]}.${bytes[a + 2]}.${bytes[a + 3]}`;
    return `${head}, sin_port=htons(${netU16(bytes, f.sin_port[0])}), sin_addr=inet_addr("${ip}")}`;
  }
  if (fam === C.AF_INET6 && len >= sockaddr_in6.layout.fields.sin6_addr[0] + 16) {
    const f = sockaddr_in6.layout.fields;
    const a = f.sin6_addr[0];
    const ip = native.inet_ntop(C.AF_INET6, bytes.subarray(a, a + 16), null, 46);
    const scope = len >= f.sin6_scope_id[0] + 4 ? `, sin6_scope_id=${hostU32(bytes, f.sin6_scope_id[0]) >>> 0}` : '';
    return (
      `${head}, sin6_port=htons(${netU16(bytes, f.sin6_port[0])}), ` +
      `sin6_flowinfo=htonl(${netU32(bytes, f.sin6_flowinfo[0])}), ` +
      `inet_pton(AF_INET6, "${String(ip)}", &sin6_addr)${scope}}`
    );
  }
  if (fam === C.AF_UNIX) {
    const off = sockaddr_un.layout.fields.sun_path[0];
    if (len <= off) return `${head}}`;
    const path = bytes.subarray(off, len);
    if (path[0] === 0 && path.length > 1) {
      return `${head}, sun_path=@${quote(path.subarray(1), path.length - 1)}}`;
    }
    let end = path.indexOf(0);
    if (end < 0) end = path.length;
    return `${head}, sun_path=${quoteWhole(path.subarray(0, end))}}`;
  }
  const data = bytes.subarray(famOff + 2, len);
  return `${head}, sa_data=${quote(data, data.length)}}`;
}

// A path: strace prints it whole (up to sizeof(sun_path)), not cut at 32 bytes.
function quoteWhole(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += MAX_STRLEN) {
    const piece = quote(bytes.subarray(i, i + MAX_STRLEN), MAX_STRLEN);
    s += piece.slice(1, piece.endsWith('...') ? -4 : -1);
  }
  return `"${s}"`;
}

/** `[16]`, or `[128 => 16]` when the call changed it. */
function inOut(before: number | undefined, after: socklen_t | null): string {
  if (after === null || before === undefined) return 'NULL';
  return before === after.value ? `[${before}]` : `[${before} => ${after.value}]`;
}

const UNFILLED = '...';

/** The address an accept-like call filled, or `...` when it failed. */
function outAddr(addr: SockaddrLike | null, len: socklen_t | null, r: number): string {
  if (addr === null) return 'NULL';
  if (r < 0) return UNFILLED;
  // What the kernel wrote into memory the tracer cannot read as a sockaddr is shown as `...`.
  return shown(
    () => sockaddrText(addr, len === null ? addr.bytes.length : Math.min(len.value, addr.bytes.length)),
    UNFILLED,
  );
}

function lenIn(len: socklen_t | null): string {
  return len === null ? 'NULL' : `[${len.value}]`;
}

// --- The calls (internal: the wrappers call these only while tracing) --------------------------

type Run = () => number;

function blocking(call: string, text: () => PromiseText, check: () => unknown, run: Run): number {
  // Arguments are checked before anything is formatted: a call that throws never reaches the
  // kernel, so it has no line, as under strace. The inputs are read before the call, the outputs
  // after it, with the same formatters as the promise form of the call.
  check();
  const [start, rest] = promiseLine(call, text);
  const p = begin(call, start, false);
  const r = run();
  finish(p, shown(() => rest(r), `${UNFILLED})${result(r)}`) + injectedNote(call), r);
  return r;
}

function whole(call: string, r: number, text: (r: number) => string): number {
  line(call, shown(() => text(r), `${call}(${UNFILLED})${result(r)}`) + injectedNote(call), r);
  return r;
}

// The tracer must never turn a call into a throw, nor throw after the kernel has acted: a value
// the formatters cannot show (a typed array of another element size where a sockaddr goes, a getter
// that throws) is written as strace writes what it cannot decode, `...`.
function shown(format: () => string, fallback: string): string {
  try {
    return format();
  } catch {
    return fallback;
  }
}

// An input read before the call, for showing with what the call wrote (`[16 => 28]`).
function peek<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

// A result that lib/faults.ts made up is marked as strace marks its own `-e inject=` results.
function injectedNote(call: string): string {
  const injected = takeInjected(call);
  if (injected === null) return '';
  return injected.startsWith('injected short') ? ` (INJECTED: ${injected.slice('injected '.length)})` : ' (INJECTED)';
}

/**
 * The trace hooks of the synchronous API. Each makes the call through `run` and returns what it
 * returned (a negative errno on failure), writing the call's line around it.
 * @internal
 */
export const traced = {
  socket(domain: number, type: number, proto: number, run: Run): number {
    return whole(
      'socket',
      run(),
      (r) => `socket(${family(domain)}, ${sockType(type)}, ${protocol(domain, proto)})${result(r)}`,
    );
  },
  bind(fd: number, addr: SockaddrLike, addrlen: number, run: Run): number {
    return whole('bind', run(), (r) => `bind(${fd}, ${sockaddrText(addr, addrlen)}, ${addrlen})${result(r)}`);
  },
  listen(fd: number, backlog: number, run: Run): number {
    return whole('listen', run(), (r) => `listen(${fd}, ${backlog})${result(r)}`);
  },
  accept(fd: number, addr: SockaddrLike | null, len: socklen_t | null, check: () => unknown, run: Run): number {
    return blocking('accept', () => promiseText.accept(fd, addr, len), check, run);
  },
  accept4(
    fd: number,
    addr: SockaddrLike | null,
    len: socklen_t | null,
    flags: number,
    check: () => unknown,
    run: Run,
  ): number {
    return blocking('accept4', () => promiseText.accept(fd, addr, len, flags), check, run);
  },
  connect(fd: number, addr: SockaddrLike, addrlen: number, check: () => unknown, run: Run): number {
    return blocking('connect', () => promiseText.connect(fd, addr, addrlen), check, run);
  },
  shutdown(fd: number, how: number, run: Run): number {
    return whole('shutdown', run(), (r) => `shutdown(${fd}, ${named('SHUT_', how)})${result(r)}`);
  },
  close(fd: number, run: Run): number {
    return whole('close', run(), (r) => `close(${fd})${result(r)}`);
  },
  getsockname(fd: number, addr: SockaddrLike, len: socklen_t, run: Run): number {
    return nameCall('getsockname', fd, addr, len, run);
  },
  getpeername(fd: number, addr: SockaddrLike, len: socklen_t, run: Run): number {
    return nameCall('getpeername', fd, addr, len, run);
  },
  socketpair(domain: number, type: number, proto: number, sv: ArrayLike<number>, run: Run): number {
    return whole('socketpair', run(), (r) => {
      const pair = r < 0 ? UNFILLED : `[${sv[0]}, ${sv[1]}]`;
      return `socketpair(${family(domain)}, ${sockType(type)}, ${protocol(domain, proto)}, ${pair})${result(r)}`;
    });
  },
  fcntl(fd: number, cmd: number, arg: number | undefined, run: Run): number {
    return whole('fcntl', run(), (r) => {
      const name = named('F_', cmd);
      let argText = '';
      if (arg !== undefined) {
        if (cmd === C.F_SETFL) argText = `, ${openFlags(arg)}`;
        else if (cmd === C.F_SETFD) argText = `, ${arg === C.FD_CLOEXEC ? 'FD_CLOEXEC' : arg}`;
        else argText = `, ${arg}`;
      }
      let res = result(r);
      if (r >= 0 && cmd === C.F_GETFL) res = ` = ${r === 0 ? '0' : hex(r)} (flags ${openFlags(r)})`;
      if (r > 0 && cmd === C.F_GETFD) res = ` = ${hex(r)} (flags ${r === C.FD_CLOEXEC ? 'FD_CLOEXEC' : hex(r)})`;
      return `fcntl(${fd}, ${name}${argText})${res}`;
    });
  },
  send(fd: number, buf: Memory | string, len: number, flags: number, check: () => unknown, run: Run): number {
    return blocking('send', () => promiseText.send(fd, buf, len, flags), check, run);
  },
  recv(fd: number, buf: Memory, len: number, flags: number, check: () => unknown, run: Run): number {
    return blocking('recv', () => promiseText.recv(fd, buf, len, flags), check, run);
  },
  sendto(
    fd: number,
    buf: Memory | string,
    len: number,
    flags: number,
    dest: SockaddrLike | null,
    addrlen: number,
    check: () => unknown,
    run: Run,
  ): number {
    return blocking('sendto', () => promiseText.sendto(fd, buf, len, flags, dest, addrlen), check, run);
  },
  recvfrom(
    fd: number,
    buf: Memory,
    len: number,
    flags: number,
    src: SockaddrLike | null,
    addrlen: socklen_t | null,
    check: () => unknown,
    run: Run,
  ): number {
    return blocking('recvfrom', () => promiseText.recvfrom(fd, buf, len, flags, src, addrlen), check, run);
  },
  sendmsg(fd: number, msg: msghdr, flags: number, check: () => unknown, run: Run): number {
    return blocking('sendmsg', () => promiseText.sendmsg(fd, msg, flags), check, run);
  },
  recvmsg(fd: number, msg: msghdr, flags: number, check: () => unknown, run: Run): number {
    return blocking('recvmsg', () => promiseText.recvmsg(fd, msg, flags), check, run);
  },
  setsockopt(
    fd: number,
    lvl: number,
    name: number,
    optval: number | Struct | Memory | null,
    optlen: number,
    run: Run,
  ): number {
    return whole('setsockopt', run(), (r) => {
      return `setsockopt(${fd}, ${level(lvl)}, ${optname(lvl, name)}, ${optvalText(optval, optlen)}, ${optlen})${result(r)}`;
    });
  },
  getsockopt(
    fd: number,
    lvl: number,
    name: number,
    optval: ptr<number> | Struct | Memory | null,
    optlen: socklen_t | null,
    run: Run,
  ): number {
    const before = peek(() => optlen?.value);
    return whole('getsockopt', run(), (r) => {
      const v = r < 0 ? UNFILLED : optvalText(optval, optlen === null ? 0 : optlen.value);
      const l = r < 0 ? lenIn(optlen) : inOut(before, optlen);
      return `getsockopt(${fd}, ${level(lvl)}, ${optname(lvl, name)}, ${v}, ${l})${result(r)}`;
    });
  },
  poll(fds: readonly pollfd[], nfds: number, timeout: number, check: () => unknown, run: Run): number {
    return blocking('poll', () => promiseText.poll(fds, nfds, timeout), check, run);
  },
};

function nameCall(call: string, fd: number, addr: SockaddrLike, len: socklen_t, run: Run): number {
  const before = peek(() => len.value);
  return whole(call, run(), (r) => {
    const l = r < 0 ? lenIn(len) : inOut(before, len);
    return `${call}(${fd}, ${outAddr(addr, len, r)}, ${l})${result(r)}`;
  });
}

function openFlags(v: number): string {
  const access = v & 3;
  const mode =
    access === C.O_RDONLY
      ? 'O_RDONLY'
      : access === C.O_WRONLY
        ? 'O_WRONLY'
        : access === C.O_RDWR
          ? 'O_RDWR'
          : hex(access);
  const rest = v & ~3;
  if (rest === 0) return mode;
  const parts = [mode];
  let left = rest;
  for (const name of ['O_APPEND', 'O_NONBLOCK', 'O_ASYNC', 'O_CLOEXEC'] as const) {
    const bit = C[name];
    if (bit !== undefined && bit !== 0 && (left & bit) === bit) {
      parts.push(name);
      left &= ~bit;
    }
  }
  if (left !== 0) parts.push(hex(left));
  return parts.join('|');
}

function optvalText(optval: number | ptr<number> | Struct | Memory | null, optlen: number): string {
  if (optval === null) return 'NULL';
  if (typeof optval === 'number') return `[${optval}]`;
  if (optval instanceof ptr) return `[${optval.value}]`;
  if (optval instanceof linger) return `{l_onoff=${optval.l_onoff}, l_linger=${optval.l_linger}}`;
  if (optval instanceof timeval) return `{tv_sec=${optval.tv_sec}, tv_usec=${optval.tv_usec}}`;
  const bytes = bytesOf(optval instanceof Struct ? optval.bytes : optval);
  if (optlen === 4 && bytes.length >= 4)
    return `[${new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, native.littleEndian)}]`;
  return quote(bytes, optlen);
}

function pollIn(fds: readonly pollfd[], nfds: number): string {
  const n = Math.min(fds.length, nfds);
  const items: string[] = [];
  for (let k = 0; k < n; k++) items.push(`{fd=${fds[k].fd}, events=${pollEvents(fds[k].events)}}`);
  return `[${items.join(', ')}]`;
}

function pollResult(fds: readonly pollfd[], nfds: number, r: number): string {
  if (r < 0) return result(r);
  if (r === 0) return ' = 0 (Timeout)';
  const items: string[] = [];
  for (let k = 0; k < Math.min(fds.length, nfds); k++) {
    if (fds[k].revents !== 0) items.push(`{fd=${fds[k].fd}, revents=${pollEvents(fds[k].revents)}}`);
  }
  return ` = ${r} ([${items.join(', ')}])`;
}

function iovText(iovs: readonly iovec[] | null, count: number, filled: number): string {
  if (iovs === null) return 'NULL';
  const items: string[] = [];
  let left = filled;
  for (let k = 0; k < Math.min(iovs.length, count); k++) {
    const iov = iovs[k];
    const n = filled < 0 ? iov.iov_len : Math.max(0, Math.min(left, iov.iov_len));
    left -= n;
    const base = iov.iov_base === null ? 'NULL' : quote(iov.iov_base, n);
    items.push(`{iov_base=${base}, iov_len=${iov.iov_len}}`);
  }
  return `[${items.join(', ')}]`;
}

function cmsgText(control: Buffer, controllen: number): string {
  const items: string[] = [];
  for (let off = native.cmsgNext(control, controllen, -1); off >= 0; off = native.cmsgNext(control, controllen, off)) {
    const header = new cmsghdr(control.subarray(off));
    const data = control.subarray(off + native.CMSG_DATA_OFFSET, Math.min(control.length, off + header.cmsg_len));
    let typeText = String(header.cmsg_type);
    let dataText = quote(data, data.length);
    if (header.cmsg_level === C.SOL_SOCKET && header.cmsg_type === C.SCM_RIGHTS) {
      typeText = 'SCM_RIGHTS';
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const fds: number[] = [];
      for (let k = 0; k + 4 <= data.length; k += 4) fds.push(view.getInt32(k, native.littleEndian));
      dataText = `[${fds.join(', ')}]`;
    } else if (header.cmsg_level === C.SOL_SOCKET && header.cmsg_type === C.SCM_CREDENTIALS) {
      typeText = 'SCM_CREDENTIALS';
    }
    items.push(
      `{cmsg_len=${header.cmsg_len}, cmsg_level=${level(header.cmsg_level)}, cmsg_type=${typeText}, cmsg_data=${dataText}}`,
    );
  }
  return `[${items.join(', ')}]`;
}

// sendmsg's msghdr (filled < 0) or recvmsg's after the call (filled = bytes received).
function msghdrText(
  msg: msghdr,
  filled: number,
  namelenBefore: number | undefined,
  controllenBefore: number | undefined,
): string {
  const after = (before: number | undefined, now: number): string =>
    before === undefined || before === now ? String(now) : `${before} => ${now}`;
  const name =
    msg.msg_name === null
      ? 'NULL'
      : filled >= 0 && msg.msg_namelen === 0
        ? UNFILLED
        : sockaddrText(msg.msg_name, msg.msg_namelen);
  const parts = [
    `msg_name=${name}`,
    `msg_namelen=${after(namelenBefore, msg.msg_namelen)}`,
    `msg_iov=${iovText(msg.msg_iov, msg.msg_iovlen, filled)}`,
    `msg_iovlen=${msg.msg_iovlen}`,
  ];
  if (msg.msg_control !== null && msg.msg_controllen > 0) {
    parts.push(`msg_control=${cmsgText(msg.msg_control, msg.msg_controllen)}`);
  }
  parts.push(`msg_controllen=${after(controllenBefore, msg.msg_controllen)}`);
  parts.push(`msg_flags=${msgFlags(msg.msg_flags)}`);
  return `{${parts.join(', ')}}`;
}

// --- Promises ----------------------------------------------------------------------------------

/**
 * Traces one call of bsdsock/promises: its start line now (`accept(3, <unfinished ...>`), its
 * `<... accept resumed>` line when the promise settles. Returns the call's promise, unchanged.
 * @param call - the call's name.
 * @param text - its start and rest, from promiseLine before the call was made.
 * @param promise - the call's promise: the call was made (and its arguments checked) before the
 *   start line is written, so a call that throws has no line.
 * @internal
 */
export function tracePromise(call: string, text: PromiseText, promise: Promise<number>): Promise<number> {
  const [start, rest] = text;
  const p = begin(call, start, true);
  // Both handlers are total: a throw here would be an unhandled rejection, which ends the process.
  promise.then(
    (r) =>
      finish(
        p,
        shown(() => rest(r), `${UNFILLED})${result(r)}`),
        r,
      ),
    (e: unknown) => {
      const errnum = peek(() => (e as { errno?: unknown }).errno);
      if (peek(() => (e as { name?: unknown }).name) === 'AbortError') finish(p, ') = ? <aborted>', 0);
      else if (typeof errnum === 'number' && errnum > 0) {
        finish(
          p,
          shown(() => rest(-errnum), `${UNFILLED})${result(-errnum)}`),
          -errnum,
        );
      } else finish(p, ') = ? <error>', 0);
    },
  );
  return promise;
}

/**
 * A promise call's line parts, formatted from its inputs before the call is made (the call may fill
 * its out-parameters at once); never throws: what cannot be shown is `...`, and a call whose
 * arguments are wrong throws its own coded error when it is made, with no line written.
 * @internal
 */
export function promiseLine(call: string, text: () => PromiseText): PromiseText {
  try {
    return text();
  } catch {
    return [`${call}(${UNFILLED}`, (r) => `)${result(r)}`];
  }
}

/** A promise call's start, and its rest from the result. @internal */
export type PromiseText = [string, (r: number) => string];

/**
 * The start and rest formatters of the promises API, the synchronous ones split at the point where
 * the call waits.
 * @internal
 */
export const promiseText = {
  accept(fd: number, addr: SockaddrLike | null, len: socklen_t | null, flags?: number): PromiseText {
    const before = peek(() => len?.value);
    const call = flags === undefined ? 'accept' : 'accept4';
    return [
      `${call}(${fd}, `,
      (r) => {
        const l = r < 0 ? lenIn(len) : inOut(before, len);
        return `${outAddr(addr, len, r)}, ${l}${flags === undefined ? '' : `, ${sockFlags(flags)}`})${result(r)}`;
      },
    ];
  },
  connect(fd: number, addr: SockaddrLike, addrlen: number): PromiseText {
    return [`connect(${fd}, ${sockaddrText(addr, addrlen)}, ${addrlen}`, (r) => `)${result(r)}`];
  },
  send(fd: number, buf: Memory | string, len: number, flags: number): PromiseText {
    return [`send(${fd}, ${quote(buf, len)}, ${len}, ${msgFlags(flags)}`, (r) => `)${result(r)}`];
  },
  recv(fd: number, buf: Memory, len: number, flags: number): PromiseText {
    return [`recv(${fd}, `, (r) => `${r < 0 ? UNFILLED : quote(buf, r)}, ${len}, ${msgFlags(flags)})${result(r)}`];
  },
  sendto(
    fd: number,
    buf: Memory | string,
    len: number,
    flags: number,
    dest: SockaddrLike | null,
    addrlen: number,
  ): PromiseText {
    return [
      `sendto(${fd}, ${quote(buf, len)}, ${len}, ${msgFlags(flags)}, ${sockaddrText(dest, addrlen)}, ${addrlen}`,
      (r) => `)${result(r)}`,
    ];
  },
  recvfrom(
    fd: number,
    buf: Memory,
    len: number,
    flags: number,
    src: SockaddrLike | null,
    addrlen: socklen_t | null,
  ): PromiseText {
    const before = peek(() => addrlen?.value);
    return [
      `recvfrom(${fd}, `,
      (r) => {
        const l = r < 0 ? lenIn(addrlen) : inOut(before, addrlen);
        return `${r < 0 ? UNFILLED : quote(buf, r)}, ${len}, ${msgFlags(flags)}, ${outAddr(src, addrlen, r)}, ${l})${result(r)}`;
      },
    ];
  },
  sendmsg(fd: number, msg: msghdr, flags: number): PromiseText {
    return [`sendmsg(${fd}, ${msghdrText(msg, -1, undefined, undefined)}, ${msgFlags(flags)}`, (r) => `)${result(r)}`];
  },
  recvmsg(fd: number, msg: msghdr, flags: number): PromiseText {
    const namelen = msg.msg_namelen;
    const controllen = msg.msg_controllen;
    return [
      `recvmsg(${fd}, `,
      (r) => `${r < 0 ? UNFILLED : msghdrText(msg, r, namelen, controllen)}, ${msgFlags(flags)})${result(r)}`,
    ];
  },
  poll(fds: readonly pollfd[], nfds: number, timeout: number): PromiseText {
    return [`poll(${pollIn(fds, nfds)}, ${nfds}, ${timeout}`, (r) => `)${pollResult(fds, nfds, r)}`];
  },
};

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
    });
    if (Number.isInteger(fd) && fd > 0) sink = { fd, stream: null };
  }
}
