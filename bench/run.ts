// npm run bench: every workload with every implementation, interleaved
// (A B C A B C ...), so that the machine's drift hits them all alike; the
// ratio to C is taken per repetition, then its median. Writes the table to
// the terminal, bench/RESULTS.md and bench/ratios.svg.
//
//   npm run bench -- [--quick] [--reps N] [--only pingpong,bulk,...] [--no-write] [--note text] [--ffi-node path]
//
// --ffi-node: the Node that runs the node:ffi rows (this one by default); they are left out, with a
// line that says so, where that Node has no node:ffi.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH = path.join(ROOT, 'bench');
const BUILD = path.join(BENCH, '.build');
const DIST = path.join(ROOT, 'dist', 'bench');
const RUN_TIMEOUT_MS = 180_000;

// ---------------------------------------------------------------- options

interface Sizes {
  pingpong: number;
  bulk: number;
  churn: number;
  echoConns: number;
  echoTrips: number;
  echoSize: number;
  idle: number;
}

const FULL: Sizes = {
  pingpong: 100_000,
  bulk: 1 << 30,
  churn: 20_000,
  echoConns: 100,
  echoTrips: 200_000,
  echoSize: 64,
  idle: 10_000,
};
const QUICK: Sizes = {
  pingpong: 2_000,
  bulk: 16 << 20,
  churn: 500,
  echoConns: 100,
  echoTrips: 5_000,
  echoSize: 64,
  idle: 500,
};

const WORKLOADS = ['pingpong', 'bulk', 'churn', 'echo', 'idle', 'trace'] as const;
type Workload = (typeof WORKLOADS)[number];

interface Options {
  quick: boolean;
  reps: number;
  only: Workload[];
  write: boolean;
  /** A line for RESULTS.md about the conditions of the run. */
  note: string | undefined;
  /** The Node that runs the node:ffi rows. */
  ffiNode: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    quick: false,
    reps: 5,
    only: [...WORKLOADS],
    write: true,
    note: undefined,
    ffiNode: process.execPath,
  };
  let repsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--note') o.note = argv[++i];
    else if (a === '--ffi-node') o.ffiNode = argv[++i] ?? '';
    else if (a === '--reps') {
      o.reps = Number(argv[++i]);
      repsGiven = true;
      if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps wants a positive integer');
    } else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',');
      for (const n of names) {
        if (!(WORKLOADS as readonly string[]).includes(n)) {
          throw new Error(`--only: unknown workload ${n}; known: ${WORKLOADS.join(', ')}`);
        }
      }
      o.only = names as Workload[];
    } else
      throw new Error(
        `unknown option ${a}; usage: run [--quick] [--reps N] [--only w1,w2] [--no-write] [--note text] [--ffi-node path]`,
      );
  }
  if (o.quick && !repsGiven) o.reps = 1;
  // bench/RESULTS.md is the committed record of a whole run: a quick or partial
  // run prints its table but does not replace it.
  if (o.quick || o.only.length < WORKLOADS.length) o.write = false;
  return o;
}

// ---------------------------------------------------------------- processes

/** A child whose stdout is read line by line for the harness protocol. */
class Proc {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  private readonly lines: string[] = [];
  private partial = '';
  private readonly waiters: (() => void)[] = [];
  private exited = false;

  constructor(
    readonly name: string,
    argv: string[],
    opts: { stdin?: 'pipe'; env?: NodeJS.ProcessEnv; stderr?: number } = {},
  ) {
    this.child = spawn(argv[0], argv.slice(1), {
      stdio: [opts.stdin ?? 'ignore', 'pipe', opts.stderr ?? 'inherit'],
      env: opts.env ?? process.env,
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (s: string) => {
      const parts = (this.partial + s).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake();
    });
    this.exit = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => {
        this.exited = true;
        this.wake();
        resolve(code);
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The first unread line matching `re`; rejects if the child ends first. */
  async line(re: RegExp, timeoutMs = RUN_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l) => re.test(l));
      if (i >= 0) return this.lines.splice(0, i + 1)[i];
      if (this.exited) throw new Error(`${this.name} ended (code ${this.child.exitCode}) before printing ${re}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${re} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async ok(): Promise<void> {
    const code = await this.exit;
    if (code !== 0) throw new Error(`${this.name} exited with ${code}`);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** "done n=5 ns=10" -> { n: 5, ns: 10 } */
function fields(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

function pinned(cpu: number, argv: string[]): string[] {
  return ['taskset', '-c', String(cpu), ...argv];
}

function nofile(argv: string[]): string[] {
  return ['prlimit', '--nofile=20000:20000', ...argv];
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** utime + stime of a live process, in microseconds (proc(5)). */
function procCpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is f[0]; utime is field 14, stime 15.
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
}

function procRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

function procFdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- implementations

/** One way of running a workload's two sides (or its server). */
interface Impl {
  id: string;
  label: string;
  /** argv for the program of workload `prog` (its file name without extension). */
  argv(prog: string): string[];
  /** Node servers answer SIGUSR2 with a GC (echo-server.ts). */
  node: boolean;
  /** Run with BSDSOCK_TRACE=1, each process's stderr (the trace) going to a temporary file. */
  traced?: boolean;
  /** The implementation whose client drives this one's server (itself when absent). */
  client?: Impl;
}

const node = (file: string, flags: string[] = []): string[] => [process.execPath, ...flags, path.join(DIST, file)];

const C: Impl = { id: 'c', label: 'C', argv: (p) => [path.join(BUILD, p)], node: false };
// The floor a Node process sets: the C server's loop run from C inside Node (bench/floor/in-node.ts),
// driven by the C client. Its server CPU against C's is what no binding can take away.
const IN_NODE: Impl = {
  id: 'in-node',
  label: 'C loop in a Node process (floor), C client',
  argv: (p) => node('floor/in-node.js', []).concat(p),
  node: true,
  client: C,
};
const SYNC: Impl = { id: 'sync', label: 'bsdsock (sync)', argv: (p) => node(`sync/${p}.js`), node: true };
const NET: Impl = { id: 'net', label: 'node:net', argv: (p) => node(`net/${p}.js`, ['--expose-gc']), node: true };
const PYTHON: Impl = {
  id: 'python',
  label: 'Python socket',
  argv: (p) => ['python3', path.join(BENCH, 'python', 'peer.py'), p],
  node: false,
};
// The echo server a Python programmer would write for many connections: selectors on one thread.
const PYTHON_SELECTORS: Impl = {
  id: 'python-selectors',
  label: 'Python selectors',
  argv: () => ['python3', path.join(BENCH, 'python', 'echo-server.py')],
  node: false,
};
// Python is an extra peer, left out where python3 is missing.
const HAVE_PYTHON = firstLine('python3', ['--version']) !== 'unknown';
const WITH_PYTHON: Impl[] = HAVE_PYTHON ? [PYTHON] : [];
const WITH_PYTHON_SELECTORS: Impl[] = HAVE_PYTHON ? [PYTHON_SELECTORS] : [];

/**
 * The flags with which `node` has node:ffi (none on Node 26; --experimental-ffi where it is behind
 * that flag), or null where it has none.
 */
function ffiFlags(node: string): string[] | null {
  const probe =
    "process.exit(typeof process.getBuiltinModule === 'function' && process.getBuiltinModule('node:ffi') ? 0 : 3)";
  for (const flags of [[], ['--experimental-ffi']]) {
    const r = spawnSync(node, [...flags, '--no-warnings', '-e', probe], { stdio: 'ignore', timeout: 30_000 });
    if (r.status === 0) return flags;
  }
  return null;
}

// A user's own binding of libc through Node's foreign function interface (bench/ffi), on the Node
// given by --ffi-node: rows of ping-pong, bulk and churn when that Node has node:ffi.
function ffiImpl(node: string, flags: string[]): Impl {
  return {
    id: 'ffi',
    label: 'node:ffi (libc)',
    argv: (p) => [node, ...flags, '--no-warnings', path.join(DIST, 'ffi', `${p}.js`)],
    node: true,
  };
}
// The trace workload runs bench/sync/pingpong-trace.ts, whose first argument
// picks send/recv with or without the tracer's branch.
const traceVariant = (variant: string) => (): string[] => [...node('sync/pingpong-trace.js'), variant];
const UNTRACED: Impl = {
  id: 'untraced',
  label: 'bsdsock (sync), no tracer check',
  argv: traceVariant('untraced'),
  node: true,
};
const TRACE_OFF: Impl = {
  id: 'trace-off',
  label: 'bsdsock (sync), tracing off',
  argv: traceVariant('checked'),
  node: true,
};
const TRACE_ON: Impl = { ...TRACE_OFF, id: 'trace-on', label: 'bsdsock (sync), tracing to a file', traced: true };
const PROMISES: Impl = {
  id: 'promises',
  label: 'bsdsock/promises',
  argv: (p) => node(`promises/${p}.js`, ['--expose-gc']),
  node: true,
};

const PROMISES_POLL: Impl = {
  id: 'promises-poll',
  label: 'bsdsock/promises (poll, shared buffer)',
  argv: (p) => [...node(`promises/${p}.js`, ['--expose-gc']), '--wait', 'poll'],
  node: true,
};

// ---------------------------------------------------------------- workloads

/** One run's outcome: throughput (or, for idle, bytes per connection) and server CPU per operation. */
interface Sample {
  value: number;
  cpuPerOp: number | null;
  /** echo: the share of its CPU the load generator kept busy (near 1, it bounds the throughput). */
  generatorBusy?: number;
}

interface Spec {
  id: Workload;
  title: string;
  unit: string;
  cpuUnit: string;
  /** What the ratio compares against (normally C). */
  baseline: Impl;
  impls: Impl[];
  run(impl: Impl, s: Sizes): Promise<Sample>;
}

/** A blocking client/server pair, both pinned to CPU 0. */
async function clientServer(
  impl: Impl,
  prog: string,
  serverArgs: string[],
  clientArgs: string[],
  expectN: number,
): Promise<{ ns: number; cpuUs: number }> {
  const traceFiles: string[] = [];
  const opts = (): { env?: NodeJS.ProcessEnv; stderr?: number } => {
    if (impl.traced !== true) return {};
    const file = path.join(os.tmpdir(), `bsdsock-bench-trace-${process.pid}-${traceFiles.length}.txt`);
    traceFiles.push(file);
    return { env: { ...process.env, BSDSOCK_TRACE: '1' }, stderr: fs.openSync(file, 'w') };
  };
  const serverOpts = opts();
  const server = new Proc(
    `${impl.id} ${prog} server`,
    pinned(0, [...impl.argv(prog), 'server', '0', ...serverArgs]),
    serverOpts,
  );
  let client: Proc | undefined;
  let clientOpts: { stderr?: number } = {};
  try {
    const port = (await server.line(/^port \d+/)).split(' ')[1];
    clientOpts = opts();
    client = new Proc(
      `${impl.id} ${prog} client`,
      pinned(0, [...(impl.client ?? impl).argv(prog), 'client', port, ...clientArgs]),
      clientOpts,
    );
    const c = fields(await client.line(/^done /));
    const s = fields(await server.line(/^done /));
    await client.ok();
    await server.ok();
    if (c.n !== expectN || s.n !== expectN) {
      throw new Error(`${impl.id} ${prog}: expected n=${expectN}, client said ${c.n}, server ${s.n}`);
    }
    if (impl.traced === true && !fs.readFileSync(traceFiles[0], 'utf8').includes('recv(')) {
      throw new Error(`${impl.id}: the trace file holds no recv( line`);
    }
    return { ns: c.ns, cpuUs: s.cpu_us };
  } finally {
    client?.kill();
    server.kill();
    for (const fd of [serverOpts.stderr, clientOpts.stderr]) if (fd !== undefined) fs.closeSync(fd);
    for (const f of traceFiles) fs.rmSync(f, { force: true });
  }
}

async function echoRun(impl: Impl, s: Sizes): Promise<Sample> {
  const server = new Proc(`${impl.id} echo-server`, pinned(0, [...impl.argv('echo-server'), '0']));
  let gen: Proc | undefined;
  try {
    const port = (await server.line(/^port \d+/)).split(' ')[1];
    const cpu0 = procCpuUs(server.pid);
    gen = new Proc(
      'loadgen',
      pinned(1, [path.join(BUILD, 'loadgen'), port, String(s.echoConns), String(s.echoTrips), String(s.echoSize)]),
    );
    const r = fields(await gen.line(/^done /));
    await gen.ok();
    const cpu = procCpuUs(server.pid) - cpu0;
    if (r.n !== s.echoTrips) throw new Error(`loadgen against ${impl.id}: ${r.n} round trips of ${s.echoTrips}`);
    return { value: r.rtps, cpuPerOp: cpu / r.n, generatorBusy: (r.cpu_us * 1000) / r.ns };
  } finally {
    gen?.kill();
    server.kill();
  }
}

async function settledRss(server: Proc, impl: Impl): Promise<number> {
  if (impl.node) {
    server.child.kill('SIGUSR2');
    await server.line(/^gc /);
  }
  await sleep(300);
  return procRssBytes(server.pid);
}

async function idleRun(impl: Impl, s: Sizes): Promise<Sample> {
  const server = new Proc(`${impl.id} echo-server (idle)`, nofile([...impl.argv('echo-server'), '0']));
  let client: Proc | undefined;
  try {
    const port = (await server.line(/^port \d+/)).split(' ')[1];
    const fds0 = procFdCount(server.pid);
    const rss0 = await settledRss(server, impl);
    client = new Proc('idle-client', nofile([path.join(BUILD, 'idle-client'), port, String(s.idle)]), {
      stdin: 'pipe',
    });
    await client.line(/^connected /);
    const deadline = Date.now() + 60_000;
    while (procFdCount(server.pid) < fds0 + s.idle) {
      if (Date.now() > deadline) throw new Error(`${impl.id}: the server never held ${s.idle} connections`);
      await sleep(50);
    }
    const rss = await settledRss(server, impl);
    client.child.stdin!.end();
    await client.ok();
    return { value: (rss - rss0) / s.idle, cpuPerOp: null };
  } finally {
    client?.kill();
    server.kill();
  }
}

const TRACE_EXISTS = fs.existsSync(path.join(ROOT, 'dist', 'lib', 'trace', 'index.js'));

const SPECS: Spec[] = [
  {
    id: 'pingpong',
    title: 'ping-pong (1 byte each way, TCP_NODELAY)',
    unit: 'round trips/s',
    cpuUnit: 'µs/round trip',
    baseline: C,
    impls: [C, SYNC, NET, ...WITH_PYTHON],
    async run(impl, s) {
      const r = await clientServer(impl, 'pingpong', [], [String(s.pingpong)], s.pingpong);
      return { value: s.pingpong / (r.ns / 1e9), cpuPerOp: r.cpuUs / s.pingpong };
    },
  },
  {
    id: 'bulk',
    title: 'bulk (64 KiB sends, 64 KiB receive buffer)',
    unit: 'MiB/s',
    cpuUnit: 'µs/MiB',
    baseline: C,
    impls: [C, SYNC, NET, ...WITH_PYTHON],
    async run(impl, s) {
      const r = await clientServer(impl, 'bulk', [], [String(s.bulk)], s.bulk);
      const mib = s.bulk / (1 << 20);
      return { value: mib / (r.ns / 1e9), cpuPerOp: r.cpuUs / mib };
    },
  },
  {
    id: 'churn',
    title: 'churn (connect + close against accept + close)',
    unit: 'connections/s',
    cpuUnit: 'µs/connection',
    baseline: C,
    impls: [C, SYNC, NET, ...WITH_PYTHON],
    async run(impl, s) {
      const r = await clientServer(impl, 'churn', [String(s.churn)], [String(s.churn)], s.churn);
      return { value: s.churn / (r.ns / 1e9), cpuPerOp: r.cpuUs / s.churn };
    },
  },
  {
    id: 'echo',
    title: 'echo (C epoll load generator, 64-byte messages)',
    unit: 'round trips/s',
    cpuUnit: 'µs/round trip',
    baseline: C,
    impls: [C, SYNC, PROMISES, NET, ...WITH_PYTHON_SELECTORS],
    run: echoRun,
  },
  {
    id: 'idle',
    title: 'idle memory (connections held open and silent)',
    unit: 'bytes RSS/connection',
    cpuUnit: '',
    baseline: NET,
    impls: [C, PROMISES, PROMISES_POLL, NET],
    run: idleRun,
  },
  {
    id: 'trace',
    title: 'trace cost (sync ping-pong)',
    unit: 'round trips/s',
    cpuUnit: 'µs/round trip',
    baseline: UNTRACED,
    impls: [UNTRACED, TRACE_OFF, TRACE_ON],
    async run(impl, s) {
      const r = await clientServer(impl, 'pingpong', [], [String(s.pingpong)], s.pingpong);
      return { value: s.pingpong / (r.ns / 1e9), cpuPerOp: r.cpuUs / s.pingpong };
    },
  },
];

// ---------------------------------------------------------------- statistics

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Row {
  spec: Spec;
  impl: Impl;
  values: number[];
  cpu: number[];
  ratios: number[];
  generatorBusy: number[];
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function spread(xs: number[], f: (x: number) => string = fmt): string {
  if (xs.length === 0) return '–';
  if (xs.length === 1) return f(xs[0]);
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

// ---------------------------------------------------------------- environment

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .split('\n')[0]
      .trim();
  } catch {
    return 'unknown';
  }
}

function environment(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const cpuModel = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  return [
    `machine: ${cpuModel}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    `versions: node ${process.version}, bsdsock ${pkg.version}, ${firstLine('cc', ['--version'])}, kernel ${os.release()}`,
    `load average (1, 5, 15 min) at start: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
    'placement: ping-pong, bulk, churn: client and server both on CPU 0 (taskset -c 0); ' +
      'echo: server on CPU 0, load generator on CPU 1; idle memory: unpinned, RLIMIT_NOFILE 20000 (prlimit)',
  ];
}

// ---------------------------------------------------------------- building

// The floor addon (bench/floor/floor.cc), which the in-node rows load: built with the package's
// node-gyp and the headers beside this node, as bench/floor/run.sh does. Returns why not, on failure.
function buildFloor(): string | undefined {
  const dir = path.join(BENCH, 'floor');
  const addon = path.join(dir, 'build', 'Release', 'floor.node');
  if (fs.existsSync(addon) && fs.statSync(addon).mtimeMs > fs.statSync(path.join(dir, 'floor.cc')).mtimeMs) {
    return undefined;
  }
  const gyp = path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const nodedir = path.dirname(path.dirname(process.execPath));
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0)
    return `bench/floor did not build: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
  return undefined;
}

function buildC(): void {
  fs.mkdirSync(BUILD, { recursive: true });
  const dir = path.join(BENCH, 'c');
  const header = fs.statSync(path.join(dir, 'common.h')).mtimeMs;
  // The bench's own programs; soak-client.c is scripts/soak.js's, which builds it itself.
  for (const name of ['pingpong', 'bulk', 'churn', 'echo-server', 'loadgen', 'idle-client']) {
    const src = path.join(dir, `${name}.c`);
    const out = path.join(BUILD, name);
    const built = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
    if (built > fs.statSync(src).mtimeMs && built > header) continue;
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', out, src], { stdio: 'inherit' });
  }
}

// ---------------------------------------------------------------- report

function table(rows: Row[], reps: number): string[] {
  const out: string[] = [];
  out.push('| workload | implementation | result (median, min–max) | ratio (paired, median, min–max) | server CPU |');
  out.push('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.impl === r.spec.baseline ? '1 (baseline)' : spread(r.ratios, (x) => x.toFixed(3));
    const cpu = r.cpu.length > 0 ? `${spread(r.cpu)} ${r.spec.cpuUnit}` : '–';
    out.push(`| ${r.spec.id} | ${r.impl.label} | ${spread(r.values)} ${r.spec.unit} | ${ratio} | ${cpu} |`);
  }
  out.push('');
  const busy = rows.filter((r) => r.generatorBusy.length > 0);
  if (busy.length > 0) {
    out.push(
      'echo, load generator CPU busy (median, min–max): ' +
        busy.map((r) => `${r.impl.label} ${spread(r.generatorBusy, percent)}`).join('; ') +
        '. Near 100 %, the generator rather than the server bounds the throughput; server CPU per round trip is then the fairer comparison.',
    );
    out.push('');
  }
  out.push(
    `${reps} repetition(s), implementations interleaved; ratio = implementation / ${C.label} ` +
      `(idle memory: bytes per connection / ${NET.label}'s, lower is better; trace: / the untraced call path), ` +
      'per repetition, then the median.',
  );
  return out;
}

/**
 * The targets of issue 16, each a paired ratio of two rows' results: of their throughput (or bytes per
 * connection), or, with `cpu`, of their server CPU per operation.
 */
interface Target {
  workload: Workload;
  impl: Impl;
  vs: Impl;
  cpu?: true;
  atLeast?: number;
  atMost?: number;
  text: string;
}

const TARGETS: Target[] = [
  { workload: 'pingpong', impl: SYNC, vs: C, atLeast: 0.9, text: 'sync ping-pong ≥ 0.90 × C' },
  { workload: 'pingpong', impl: SYNC, vs: C, cpu: true, atMost: 1.1, text: 'sync ping-pong server CPU ≤ 1.10 × C' },
  { workload: 'churn', impl: SYNC, vs: C, atLeast: 0.9, text: 'sync churn ≥ 0.90 × C' },
  { workload: 'churn', impl: SYNC, vs: C, cpu: true, atMost: 1.1, text: 'sync churn server CPU ≤ 1.10 × C' },
  { workload: 'bulk', impl: SYNC, vs: C, atLeast: 0.95, text: 'sync bulk ≥ 0.95 × C' },
  { workload: 'echo', impl: PROMISES, vs: C, atLeast: 0.85, text: 'promises echo ≥ 0.85 × C epoll' },
  { workload: 'echo', impl: PROMISES, vs: C, cpu: true, atMost: 1.25, text: 'promises echo server CPU ≤ 1.25 × C' },
  {
    workload: 'echo',
    impl: PROMISES,
    vs: PYTHON_SELECTORS,
    atLeast: 1,
    text: "promises echo ahead of Python's selectors server",
  },
  { workload: 'echo', impl: SYNC, vs: C, atLeast: 0.95, text: 'sync epoll echo ≥ 0.95 × C epoll' },
  {
    workload: 'idle',
    impl: PROMISES,
    vs: NET,
    atMost: 1,
    text: 'promises idle memory (pending recv) ≤ 1.0 × node:net',
  },
  { workload: 'idle', impl: PROMISES_POLL, vs: NET, atMost: 0.5, text: 'promises idle memory (poll) ≤ 0.5 × node:net' },
];

function targets(rows: Row[], traceCost: TraceCost | undefined): string[] {
  const out = ['| target | measured (paired ratio, median, min–max) | met |', '|---|---|---|'];
  for (const t of TARGETS) {
    const a = rows.find((r) => r.spec.id === t.workload && r.impl === t.impl);
    const b = rows.find((r) => r.spec.id === t.workload && r.impl === t.vs);
    if (a === undefined || b === undefined) continue;
    const [xs, ys] = t.cpu === true ? [a.cpu, b.cpu] : [a.values, b.values];
    if (xs.length === 0 || xs.length !== ys.length) continue;
    const ratios = xs.map((v, i) => v / ys[i]);
    const m = median(ratios);
    const met = (t.atLeast === undefined || m >= t.atLeast) && (t.atMost === undefined || m <= t.atMost);
    out.push(`| ${t.text} | ${spread(ratios, (x) => x.toFixed(3))} | ${met ? 'yes' : 'no'} |`);
  }
  if (traceCost !== undefined) {
    const share = (traceCost.checked - traceCost.untraced) / traceCost.checked;
    out.push(
      `| tracing off costs ≤ 1 % (instructions per recv: ${traceCost.checked} with the tracer's branch, ` +
        `${traceCost.untraced} without) | ${(share * 100).toFixed(2)} % | ${share <= 0.01 ? 'yes' : 'no'} |`,
    );
  }
  return out.length > 2 ? out : [];
}

/** Instructions per call of recv through lib/io.ts with and without the tracer's branch. */
interface TraceCost {
  checked: number;
  untraced: number;
}

// What tracing costs when it is off, counted rather than timed (a difference of a few instructions is
// far below the noise of a wall clock): bench/floor/run.sh counts the instructions of a loop of recv
// calls under callgrind, through the public wrapper and through bench/sync/untraced-io.ts, the same
// code without the tracer's branch. Needs valgrind; left out (with a line that says so) without it.
function traceInstructions(): TraceCost | string {
  if (firstLine('valgrind', ['--version']) === 'unknown') return 'valgrind is not installed (Debian: valgrind)';
  const r = spawnSync('bash', [path.join(BENCH, 'floor', 'run.sh'), '--only', 'recv,recv-untraced', '20000', '40000'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  const count = (row: string): number | undefined => {
    const m = new RegExp(`^\\| [^|]* \\| ${row} \\| ([0-9.]+) \\|`, 'm').exec(r.stdout ?? '');
    return m === null ? undefined : Number(m[1]);
  };
  const checked = count('recv');
  const untraced = count('recv-untraced');
  if (r.status !== 0 || checked === undefined || untraced === undefined) {
    throw new Error(`bench/floor/run.sh failed (${r.status}): ${r.stderr}${r.stdout}`);
  }
  return { checked, untraced };
}

function svg(rows: Row[]): string {
  const bars = rows.filter((r) => r.impl !== r.spec.baseline && r.ratios.length > 0);
  const rowH = 26;
  const left = 260;
  const width = 760;
  const scaleMax = Math.max(1.2, ...bars.map((r) => median(r.ratios))) * 1.1;
  const x = (v: number): number => left + ((width - left - 40) * v) / scaleMax;
  const height = 50 + bars.length * rowH + 30;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">bsdsock benchmarks: median paired ratio (C = 1; idle memory: node:net = 1, lower is better)</text>`,
  ];
  bars.forEach((r, i) => {
    const y = 40 + i * rowH;
    const m = median(r.ratios);
    const colour = r.impl.id === 'net' ? '#999999' : '#2b6cb0';
    parts.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(`${r.spec.id}: ${r.impl.label}`)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y + 3}" width="${(x(m) - left).toFixed(1)}" height="${rowH - 8}" fill="${colour}"/>`,
    );
    if (r.ratios.length > 1) {
      const lo = x(Math.min(...r.ratios));
      const hi = x(Math.max(...r.ratios));
      parts.push(
        `<line x1="${lo.toFixed(1)}" x2="${hi.toFixed(1)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="black"/>`,
      );
    }
    parts.push(`<text x="${(x(m) + 6).toFixed(1)}" y="${y + 16}">${m.toFixed(3)}</text>`);
  });
  const one = x(1).toFixed(1);
  const bottom = 40 + bars.length * rowH;
  parts.push(`<line x1="${one}" x2="${one}" y1="34" y2="${bottom}" stroke="#c53030" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${one}" y="${bottom + 18}" text-anchor="middle" fill="#c53030">1.0</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = Date.now();
  const o = parseOptions(process.argv.slice(2));
  const sizes = o.quick ? QUICK : FULL;
  buildC();
  const env = environment();
  const flags = o.ffiNode === '' ? null : ffiFlags(o.ffiNode);
  if (flags === null) {
    env.push(
      `node:ffi (libc): not available on this Node (${firstLine(o.ffiNode, ['--version'])}); its rows are left out`,
    );
  } else {
    const ffi = ffiImpl(o.ffiNode, flags);
    for (const spec of SPECS) if (['pingpong', 'bulk', 'churn'].includes(spec.id)) spec.impls.push(ffi);
    env.push(
      `node:ffi (libc): ${o.ffiNode} ${firstLine(o.ffiNode, ['--version'])}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`,
    );
  }
  const floorBuild = buildFloor();
  if (floorBuild === undefined) {
    for (const spec of SPECS) if (spec.id === 'pingpong' || spec.id === 'churn') spec.impls.splice(1, 0, IN_NODE);
  } else env.push(`${IN_NODE.label}: left out: ${floorBuild}`);
  for (const l of env) console.log(l);

  const specs = SPECS.filter((s) => o.only.includes(s.id) && (s.id !== 'trace' || TRACE_EXISTS));
  if (o.only.includes('trace') && !TRACE_EXISTS) console.log('trace: skipped (no dist/lib/trace/index.js)');
  const rows: Row[] = [];
  for (const spec of specs) {
    console.log(`${spec.id}: ${spec.title}`);
    const mine = spec.impls.map((impl): Row => ({ spec, impl, values: [], cpu: [], ratios: [], generatorBusy: [] }));
    for (let rep = 0; rep < o.reps; rep++) {
      const got = new Map<Impl, Sample>();
      for (const row of mine) {
        const sample = await spec.run(row.impl, sizes);
        got.set(row.impl, sample);
        row.values.push(sample.value);
        if (sample.cpuPerOp !== null) row.cpu.push(sample.cpuPerOp);
        if (sample.generatorBusy !== undefined) row.generatorBusy.push(sample.generatorBusy);
        console.log(
          `  ${spec.id} #${rep + 1} ${row.impl.label}: ${fmt(sample.value)} ${spec.unit}` +
            (sample.cpuPerOp === null ? '' : `, server ${fmt(sample.cpuPerOp)} ${spec.cpuUnit}`) +
            (sample.generatorBusy === undefined ? '' : `, load generator busy ${percent(sample.generatorBusy)}`),
        );
      }
      const base = got.get(spec.baseline)!.value;
      for (const row of mine) row.ratios.push(got.get(row.impl)!.value / base);
    }
    rows.push(...mine);
  }

  let traceCost: TraceCost | undefined;
  if (o.only.includes('trace') && !o.quick) {
    const got = traceInstructions();
    if (typeof got === 'string') env.push(`trace instructions: left out: ${got}`);
    else {
      traceCost = got;
      env.push(
        `trace instructions (bench/floor/run.sh, user space, per recv call): ${got.checked} through lib/io.ts, ` +
          `${got.untraced} without the tracer's branch`,
      );
    }
    console.log(env[env.length - 1]);
  }
  env.push(
    `load average at end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  env.push(`wall time of the run: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(env[env.length - 2]);
  console.log(env[env.length - 1]);
  const goals = targets(rows, traceCost);
  const lines = [...table(rows, o.reps), ...(goals.length > 0 ? ['', ...goals] : [])];
  console.log('');
  for (const l of lines) console.log(l);
  if (!o.write) return;
  const md = [
    '# bsdsock benchmark results',
    '',
    `Run of ${new Date().toISOString()} with \`npm run bench${o.quick ? ' -- --quick' : ''}\`` +
      (o.quick ? ' (quick mode: small counts, one repetition; not a measurement).' : '.'),
    ...(o.note === undefined ? [] : ['', `**Note:** ${o.note}`]),
    '',
    ...env.map((l) => `- ${l}`),
    '',
    ...lines,
    '',
    'Workloads (bench/c holds the C references; bench/sync, bench/net, bench/promises and bench/python the same programs):',
    '',
    `- pingpong: ${sizes.pingpong.toLocaleString('en-US')} round trips of 1 byte on one TCP_NODELAY connection, every byte checked.`,
    `- bulk: ${sizes.bulk / (1 << 20)} MiB in 64 KiB sends into a 64 KiB receive buffer; the client times until the server's close.`,
    `- churn: ${sizes.churn.toLocaleString('en-US')} × connect + close against accept + close.`,
    `- echo: ${sizes.echoConns} connections, ${sizes.echoTrips.toLocaleString('en-US')} round trips of ${sizes.echoSize}-byte messages ` +
      'from bench/c/loadgen.c, every byte checked; server CPU from /proc/<pid>/stat (10 ms ticks). ' +
      'bsdsock (sync) is bench/c/echo-server.c line by line on the synchronous API (bench/sync/echo-server.ts: ' +
      'epoll_wait into a C array of epoll_event), bsdsock/promises one async loop per connection.',
    `- idle: ${sizes.idle.toLocaleString('en-US')} silent connections held by each echo server; RSS growth per connection after a full GC. ` +
      'bsdsock/promises waits either with a pending recv per connection into its own 4096-byte buffer, or with a pending ' +
      'poll per connection and one receive buffer shared by all (bench/promises/echo-server.ts --wait poll).',
    '- trace: bench/sync/pingpong-trace.ts, the ping-pong above with send and recv bound to local constants: ' +
      "from bench/sync/untraced-io.ts (lib/io.ts's code without the tracer's branch) as the baseline, from lib/io.ts " +
      "with tracing off, and from lib/io.ts with BSDSOCK_TRACE=1 writing both sides' traces to files. " +
      "The ≤ 1 % target is checked on instruction counts (bench/floor/run.sh's recv and recv-untraced rows, " +
      'callgrind, the measured loop alone), which a shared machine does not disturb.',
    "- Server CPU for ping-pong, bulk and churn is the server's own getrusage/process.cpuUsage from just after listen to the end.",
    "- Peers: Python's socket module (bench/python/peer.py, the blocking programs), Python's selectors echo server " +
      '(bench/python/echo-server.py, the design of bench/c/echo-server.c), and libc bound by hand through node:ffi ' +
      '(bench/ffi, on a Node that has node:ffi: Node 26, or the one given with --ffi-node).',
    '',
    '![ratios](ratios.svg)',
    '',
    'Where the time goes, for the targets not met: [PROFILE.md](PROFILE.md) ' +
      '(instruction counts from bench/callgrind.sh, perf profiles).',
    '',
  ];
  fs.writeFileSync(path.join(BENCH, 'RESULTS.md'), md.join('\n'));
  fs.writeFileSync(path.join(BENCH, 'ratios.svg'), svg(rows));
  console.log(`\nwrote ${path.relative(ROOT, path.join(BENCH, 'RESULTS.md'))} and bench/ratios.svg`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
