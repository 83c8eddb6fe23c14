// Running programs for a timeline: each with the tracer on, writing JSON records on its descriptor 3
// (BSDSOCK_TRACE_FORMAT=json, BSDSOCK_TRACE_FD=3, BSDSOCK_TRACE_SOCKETS=1), while a packet capture
// watches the interface they talk over; then the calls and the segments in one time order (both
// stamped on CLOCK_REALTIME), each socket's states from TCP's state machine, and the checks of those
// states against the kernel. Works wherever the programs use bsdsock; the capture needs CAP_NET_RAW
// (a network namespace of one's own: `unshare -rn`), and without it the timeline has calls only.
import { spawn, type ChildProcess } from 'node:child_process';
import * as C from '../constants.gen';
import { errno } from '../errno';
import { AF_UNIX, bind, close, connect, getsockname, recv, socket } from '../index';
import { sizeof, sockaddr_un, socklen_t } from '../structs';
import { CaptureError, PacketCapture, tcpSockets, type CapturedPacket, type KernelSocket } from './capture';
import { tcpStates, type CallRecord, type StateCheck, type TimelineRecord, type WireRecord } from './states';

/** A trace record to wait for: the `count`-th (1 by default) of a program's JSON lines that match. */
export interface TraceCue {
  /** What the JSON line must match (e.g. `/"ph":"start"[^\n]*"call":"accept"/`). */
  readonly match: RegExp;
  /** Which matching line: the first by default. */
  readonly count?: number;
}

/** Where a held program is let go: when `program` writes the record `cue`, or ends (no cue). */
export interface HoldUntil {
  /** The other program's name. */
  readonly program: string;
  /** Its record that releases the hold; without it, its end. */
  readonly cue?: TraceCue;
}

/** A hold: after which of its own records a program stops, and until what. */
export interface HoldSpec {
  /** The program's own record after which it stops. */
  readonly after: TraceCue;
  /** What lets it go. */
  readonly until: HoldUntil;
}

/** A record of a program: its name and the record's index in recordsOf's order (null: its end). */
export interface RecordRef {
  /** The program's name. */
  readonly program: string;
  /** The record's index, or null for the program's end. */
  readonly record: number | null;
}

/** The record of another program that started a program (startWhen). */
export interface CueRef {
  /** The other program's name. */
  readonly program: string;
  /** The record's index in recordsOf's order. */
  readonly record: number;
}

/** How a program was held: after which of its records, and what released it. */
export interface Held {
  /** The index of its record after which it stopped. */
  readonly after: number;
  /** Another program's record, or that program's end (record null). */
  readonly until: RecordRef;
  /** The first of its records whose call came after the release. */
  readonly resumes?: number;
}

/** One program to run. */
export interface ProgramSpec {
  /** Its column's name: `server`, `client`. */
  readonly name: string;
  /** The command and its arguments. */
  readonly argv: readonly string[];
  /** Extra environment. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Start it once the program before it has written a trace record that matches (e.g. the server's
   * `accept` start: it waits for clients), or has ended. Without it, at once.
   */
  readonly startWhen?: RegExp;
  /**
   * Hold the program just after one of its trace records until another program has ended (or has
   * written a record): the program stops in its next trace write, before its next call, as a student
   * would leave one terminal alone while the other program runs. A held program's trace goes through
   * a Unix datagram socket instead of a pipe, read one record at a time; the hold is exact where
   * net.unix.max_dgram_qlen is 0 (`npm run lesson` sets it in its own network namespace), and
   * elsewhere lets the program write up to that many more records.
   */
  readonly hold?: HoldSpec;
}

/** How to run. */
export interface RunOptions {
  /** The programs, in column order. */
  readonly programs: readonly ProgramSpec[];
  /** Capture the packets on this interface (`lo`), or not (false). */
  readonly capture: string | false;
  /** Follow each failed call with its hint (BSDSOCK_TRACE=explain). */
  readonly explain?: boolean;
  /** The programs' working directory. */
  readonly cwd?: string;
  /** Kill the programs after this many milliseconds (default 30 s). */
  readonly timeoutMs?: number;
  /** Kills the programs when aborted (an interrupted run leaves none behind). */
  readonly signal?: AbortSignal;
}

/** What a program did. */
export interface ProgramResult {
  /** Its column's name, as ProgramSpec gave it. */
  readonly name: string;
  /** Its process id (-1 if it could not be started). */
  readonly pid: number;
  /** What it wrote on its standard output. */
  stdout: string;
  /** What it wrote on its standard error. */
  stderr: string;
  /** Its exit status, or null when a signal ended it. */
  status: number | null;
  /** The signal that ended it, or null. */
  signal: NodeJS.Signals | null;
  /** Its trace, JSON lines. */
  trace: string;
  /** When it was started on a cue (startWhen): the program and the index of its record (in recordsOf's order) that cued it. */
  cuedBy?: CueRef;
  /**
   * When it was held (hold): after which of its own records (index in recordsOf's order), and what
   * released it: another program's record, or that program's end (record null).
   */
  held?: Held;
}

/** Whether a run had a capture: `{ on: true }`, or `{ on: false, why }` with the reason in one line. */
export type CaptureStatus =
  | {
      /** There was a capture. */
      readonly on: true;
    }
  | {
      /** There was none. */
      readonly on: false;
      /** Why: the call that failed and its error, or that none was asked for. */
      readonly why: string;
    };

/** A run's timeline. */
export interface Timeline {
  /** What each program did, in column order. */
  readonly programs: ProgramResult[];
  /** Calls, segments and state changes, in time order. */
  readonly records: TimelineRecord[];
  /** The machine's states checked against the kernel's. */
  readonly checks: StateCheck[];
  /** Whether there was a capture, and why not. */
  readonly capture: CaptureStatus;
  /** The kernel's TCP sockets once the programs had ended (null without a capture). */
  readonly final: KernelSocket[] | null;
}

const TRANSIENT = new Set(['SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'CLOSING', 'LAST_ACK']);

/** Runs the programs and makes their timeline. */
export async function runTimeline(options: RunOptions): Promise<Timeline> {
  let capture: PacketCapture | null = null;
  let why = '';
  if (options.capture !== false) {
    try {
      capture = PacketCapture.open(options.capture);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      why = e.message;
    }
  }
  const packets: CapturedPacket[] = [];
  const open = capture;
  const timer = open === null ? null : setInterval(() => packets.push(...open.read()), 5);
  let results: ProgramResult[];
  let final: KernelSocket[] | null = null;
  try {
    results = await runAll(options);
    if (capture !== null) {
      // The last segments (a FIN's ACK) may still be on their way when the programs have ended.
      const until = Date.now() + 2000;
      for (;;) {
        final = tcpSockets();
        if (!final.some((s) => TRANSIENT.has(s.state)) || Date.now() > until) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      packets.push(...capture.read());
    }
  } finally {
    if (timer !== null) clearInterval(timer);
    capture?.close();
  }
  const calls: CallRecord[] = results.flatMap((p) => heldRecords(p, results));
  const wire: WireRecord[] = packets.map((p) => ({ type: 'packet', ns: p.ns, packet: p.packet }));
  const merged: (CallRecord | WireRecord)[] = [...calls, ...wire];
  // Stable: a program's records keep their order when two share a nanosecond.
  merged.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  const { records, checks } = capture === null ? { records: merged, checks: [] } : tcpStates(merged, final);
  return {
    programs: results,
    records,
    checks,
    capture: capture === null ? { on: false, why: why || 'no capture was asked for' } : { on: true },
    final,
  };
}

/**
 * A program's records, the one it was held before stamped after its release: the tracer stamps a
 * record before writing it, and a held program was stopped in that write. Sets held.resumes.
 */
function heldRecords(p: ProgramResult, all: readonly ProgramResult[]): CallRecord[] {
  const own = recordsOf(p);
  if (p.held === undefined) return own;
  const by = all.find((x) => x.name === p.held!.until.program);
  const theirs = by === undefined ? [] : recordsOf(by);
  const release = p.held.until.record === null ? theirs[theirs.length - 1] : theirs[p.held.until.record];
  const k = p.held.after + 1;
  const next = own[k];
  // A call in one line was made before its record was written: what the hold held back is the call after it.
  p.held = { ...p.held, resumes: next !== undefined && next.ph === 'line' ? k + 1 : k };
  if (release !== undefined && next !== undefined && next.ph !== 'line' && next.ns <= release.written) {
    own[k] = { ...next, ns: release.written + 1n, written: release.written + 1n };
  }
  return own;
}

/** A program's trace as records. */
export function recordsOf(p: ProgramResult): CallRecord[] {
  const out: CallRecord[] = [];
  for (const line of p.trace.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as {
      ns?: string;
      ns0?: string;
      t: number;
      ph: string;
      id: number;
      call: string;
      text: string;
      sockets?: CallRecord['sockets'];
    };
    out.push({
      type: 'call',
      side: p.name,
      ns: BigInt(r.ns0 ?? r.ns ?? r.t * 1000),
      written: BigInt(r.ns ?? r.t * 1000),
      ph: r.ph,
      id: r.id,
      call: r.call,
      text: r.text,
      sockets: r.sockets,
    });
  }
  return out;
}

function runAll(options: RunOptions): Promise<ProgramResult[]> {
  const results: ProgramResult[] = [];
  const children: ChildProcess[] = [];
  const timeout = options.timeoutMs ?? 30_000;
  // What each program's end or record may release: the programs held until then.
  const releases: { program: string; cue?: TraceCue; seen: number; release: (record: number | null) => void }[] = [];
  const onLine = (program: string, line: string): void => {
    for (const r of releases) {
      if (r.program !== program || r.cue === undefined || !r.cue.match.test(line)) continue;
      r.seen++;
      if (r.seen === (r.cue.count ?? 1)) r.release(recordCount.get(program)! - 1);
    }
  };
  const onEnd = (program: string): void => {
    for (const r of releases) if (r.program === program) r.release(null);
  };
  const recordCount = new Map<string, number>();
  return new Promise((resolve, reject) => {
    let running = 0;
    const killAll = (): void => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    };
    const killer = setTimeout(killAll, timeout);
    options.signal?.addEventListener('abort', killAll);
    let aborted = false;
    options.signal?.addEventListener('abort', () => {
      aborted = true;
    });
    const finished = (): void => {
      if (running === 0 && (aborted || results.length === options.programs.length)) {
        clearTimeout(killer);
        options.signal?.removeEventListener('abort', killAll);
        resolve(results);
      }
    };
    const start = (k: number): void => {
      if (aborted) return;
      const spec = options.programs[k];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...spec.env,
        BSDSOCK_TRACE: options.explain === true ? 'explain' : '1',
        BSDSOCK_TRACE_FORMAT: 'json',
        BSDSOCK_TRACE_FD: '3',
        BSDSOCK_TRACE_SOCKETS: '1',
      };
      const channel = spec.hold === undefined ? null : HeldChannel.open();
      let child: ChildProcess;
      try {
        child = spawn(spec.argv[0], spec.argv.slice(1), {
          cwd: options.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe', channel === null ? 'pipe' : channel.childFd],
        });
      } catch (e) {
        channel?.close();
        reject(e as Error);
        return;
      } finally {
        channel?.closeChildEnd();
      }
      children.push(child);
      running++;
      const result: ProgramResult = {
        name: spec.name,
        pid: child.pid ?? -1,
        stdout: '',
        stderr: '',
        status: null,
        signal: null,
        trace: '',
      };
      results.push(result);
      recordCount.set(spec.name, 0);
      let next = k + 1 < options.programs.length ? k + 1 : -1;
      const startNext = (): void => {
        if (next < 0) return;
        const n = next;
        next = -1;
        start(n);
      };
      const wanted = next >= 0 ? options.programs[next].startWhen : undefined;
      if (next >= 0 && wanted === undefined) startNext();
      child.stdout!.setEncoding('utf8').on('data', (s: string) => (result.stdout += s));
      child.stderr!.setEncoding('utf8').on('data', (s: string) => (result.stderr += s));
      // One record (line) at a time, so that a cue names the record that met it.
      const line = (text: string): void => {
        result.trace += text;
        if (text.startsWith('{')) recordCount.set(spec.name, recordCount.get(spec.name)! + 1);
        onLine(spec.name, text);
        if (wanted !== undefined && next >= 0 && wanted.test(result.trace)) {
          const cued = options.programs[next];
          startNext();
          const r = results.find((x) => x.name === cued.name);
          if (r !== undefined) r.cuedBy = { program: spec.name, record: recordCount.get(spec.name)! - 1 };
        }
      };
      let stopReading = (): void => {};
      if (channel === null) {
        let partial = '';
        const traceStream = child.stdio[3] as NodeJS.ReadableStream;
        traceStream.setEncoding('utf8');
        traceStream.on('data', (s: string) => {
          partial += s;
          for (let at = partial.indexOf('\n'); at >= 0; at = partial.indexOf('\n')) {
            line(partial.slice(0, at + 1));
            partial = partial.slice(at + 1);
          }
        });
        traceStream.on('end', () => {
          if (partial !== '') line(partial);
        });
      } else {
        const hold = spec.hold!;
        let holding = false;
        let matched = 0;
        let heldAt = -1;
        // What released the program, if that came before the hold point: then it is not held at all.
        let releasedBy: { record: number | null } | null = null;
        let recorded = false;
        const pump = (all: boolean): void => {
          for (;;) {
            if (holding && !all) return;
            const record = channel.peek();
            if (record === null) return;
            if (!recorded) {
              line(record);
              recorded = true;
              if (heldAt < 0 && hold.after.match.test(record) && ++matched === (hold.after.count ?? 1)) {
                heldAt = recordCount.get(spec.name)! - 1;
                if (releasedBy !== null) {
                  result.held = { after: heldAt, until: { program: hold.until.program, record: releasedBy.record } };
                } else {
                  // The record stays in the socket: at a queue length of 0 the program cannot write the
                  // next one, so it waits there, before its next call.
                  holding = true;
                  if (!all) return;
                }
              }
            }
            channel.consume();
            recorded = false;
          }
        };
        releases.push({
          program: hold.until.program,
          cue: hold.until.cue,
          seen: 0,
          release: (record: number | null): void => {
            if (releasedBy !== null) return;
            releasedBy = { record };
            if (!holding) return;
            holding = false;
            result.held = { after: heldAt, until: { program: hold.until.program, record } };
            pump(false);
          },
        });
        const timer = setInterval(() => pump(false), 2);
        stopReading = (): void => {
          clearInterval(timer);
          pump(true);
          channel.close();
        };
      }
      child.on('error', (e) => {
        result.stderr += `${e.message}\n`;
      });
      child.on('close', (code, signal) => {
        stopReading();
        result.status = code;
        result.signal = signal;
        running--;
        onEnd(spec.name);
        // A program that ended before its cue lets the next one start anyway.
        startNext();
        finished();
      });
    };
    start(0);
  });
}

/**
 * The trace channel of a held program: a Unix datagram socket the program writes one record into
 * per write (descriptor 3), and ours that reads them, peeking at each before taking it.
 */
class HeldChannel {
  private readonly buf = Buffer.alloc(1 << 20);
  /** A record peeked at but left in the socket (the one the hold waits on). */
  private pending: string | null = null;

  private constructor(
    private fd: number,
    /** The program's end, to give to spawn. */
    public childFd: number,
  ) {}

  static open(): HeldChannel {
    const type = C.SOCK_DGRAM | (C.SOCK_CLOEXEC ?? 0);
    const ours = socket(AF_UNIX, type | (C.SOCK_NONBLOCK ?? 0), 0);
    if (ours < 0) throw new CaptureError('socket(AF_UNIX, SOCK_DGRAM)', errno);
    const theirs = socket(AF_UNIX, type, 0);
    if (theirs < 0) {
      close(ours);
      throw new CaptureError('socket(AF_UNIX, SOCK_DGRAM)', errno);
    }
    // Autobind (an address of the family alone) gives ours a unique abstract name; theirs sends to it
    // without ours being connected back, so that the kernel counts ours's queue against
    // max_dgram_qlen (it does not for a socketpair).
    const name = new sockaddr_un();
    name.sun_family = AF_UNIX;
    const len = new socklen_t(sizeof(name));
    if (
      bind(ours, name, sizeof('sa_family_t')) < 0 ||
      getsockname(ours, name, len) < 0 ||
      connect(theirs, name, len.value) < 0
    ) {
      const e = errno;
      close(ours);
      close(theirs);
      throw new CaptureError('bind/connect(AF_UNIX, SOCK_DGRAM)', e);
    }
    return new HeldChannel(ours, theirs);
  }

  /** Closes the program's end here, once spawn has given it to the program. */
  closeChildEnd(): void {
    if (this.childFd >= 0) close(this.childFd);
    this.childFd = -1;
  }

  /** The next record, left in the socket; null when none has come. */
  peek(): string | null {
    if (this.fd < 0) return null;
    if (this.pending === null) {
      const n = recv(this.fd, this.buf, this.buf.length, C.MSG_PEEK);
      if (n < 0) return null;
      this.pending = this.buf.toString('utf8', 0, n);
    }
    return this.pending;
  }

  /** Takes the record peek() returned out of the socket. */
  consume(): void {
    if (this.pending === null) return;
    recv(this.fd, this.buf, this.buf.length, 0);
    this.pending = null;
  }

  close(): void {
    this.closeChildEnd();
    if (this.fd >= 0) close(this.fd);
    this.fd = -1;
  }
}
