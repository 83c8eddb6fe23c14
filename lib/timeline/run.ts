// Running programs for a timeline: each with the tracer on, writing JSON records on its descriptor 3
// (BSDSOCK_TRACE_FORMAT=json, BSDSOCK_TRACE_FD=3, BSDSOCK_TRACE_SOCKETS=1), while a packet capture
// watches the interface they talk over; then the calls and the segments in one time order (both
// stamped on CLOCK_REALTIME), each socket's states from TCP's state machine, and the checks of those
// states against the kernel. Works wherever the programs use bsdsock; the capture needs CAP_NET_RAW
// (a network namespace of one's own: `unshare -rn`), and without it the timeline has calls only.
import { spawn, type ChildProcess } from 'node:child_process';
import { CaptureError, PacketCapture, tcpSockets, type CapturedPacket, type KernelSocket } from './capture';
import { tcpStates, type CallRecord, type StateCheck, type TimelineRecord, type WireRecord } from './states';

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
  const calls: CallRecord[] = results.flatMap((p) => recordsOf(p));
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
      let child: ChildProcess;
      try {
        child = spawn(spec.argv[0], spec.argv.slice(1), {
          cwd: options.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        });
      } catch (e) {
        reject(e as Error);
        return;
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
      const traceStream = child.stdio[3] as NodeJS.ReadableStream;
      traceStream.setEncoding('utf8');
      traceStream.on('data', (s: string) => {
        result.trace += s;
        if (wanted !== undefined && wanted.test(result.trace)) startNext();
      });
      child.on('error', (e) => {
        result.stderr += `${e.message}\n`;
      });
      child.on('close', (code, signal) => {
        result.status = code;
        result.signal = signal;
        running--;
        // A program that ended before its cue lets the next one start anyway.
        startNext();
        finished();
      });
    };
    start(0);
  });
}
