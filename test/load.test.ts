// Load: one bsdsock/promises echo server (test/fixtures/echo-10k.js) holds 10,000 connections at once
// from a node:net client (test/fixtures/load-10k.js); every connection echoes ROUNDS messages, all
// bytes correct; then everything closes and the server, on SIGTERM, has no socket and no poll handle
// left and exits 0 by itself. Each side runs in its own process under `prlimit --nofile`, so 10,000
// descriptors per side stay below each process's limit.
//
// BSDSOCK_LOAD_CONNECTIONS sets the connection count (default 10,000) for a machine that allows less.
// Counts are asserted, never durations. The server's resident set is printed, not asserted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { prlimit, testNeeding } from './helpers/tools';

const root = path.join(__dirname, '..');
const COUNT = Number(process.env.BSDSOCK_LOAD_CONNECTIONS ?? 10000);
const ROUNDS = 10;
const MSGLEN = 32; // as in load-10k.js
/** Descriptors per child: its connections plus room for Node's own. */
const NOFILE = Math.max(20000, COUNT + 1024);
const TIMEOUT = 300_000;

type Fields = Record<string, number>;

/** `word k=v k=v` -> { k: v }. */
function fields(line: string): Fields {
  const out: Fields = {};
  for (const part of line.split(' ').slice(1)) {
    const [k, v] = part.split('=');
    out[k] = Number(v);
  }
  return out;
}

/** A fixture run as a child process under a raised RLIMIT_NOFILE, read line by line. */
class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  stderr = '';

  constructor(script: string, env: Record<string, string>) {
    this.proc = spawn('prlimit', [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.proc.once('exit', () => this.waiters.splice(0).forEach((wake) => wake()));
  }

  /** The next line that starts with `word `, as fields; throws if the child exits first. */
  async next(word: string): Promise<Fields> {
    for (;;) {
      const at = this.lines.findIndex((l) => l.startsWith(`${word} `));
      if (at >= 0) return fields(this.lines.splice(0, at + 1)[at]);
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(
          `${word}: the child exited first (${this.proc.exitCode ?? this.proc.signalCode})\n${this.stderr}`,
        );
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  send(command: string): void {
    this.proc.stdin!.write(`${command}\n`);
  }

  running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
}

function readInt(file: string): number[] {
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
}

function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Compiles lib/ to dist/ (which the fixtures load) when dist is missing or older than lib/. */
function ensureCompiledLib(): void {
  const outputs = ['dist/lib/index.js', 'dist/lib/promises.js'].map((f) => path.join(root, f));
  const sources = fs
    .readdirSync(path.join(root, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(root, 'lib', f));
  const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  const fresh = (): boolean => outputs.every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= newest);
  if (fresh()) return;
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  // tsc still writes dist/ when some other file fails to type-check; lint reports that, not this test.
  if (!fresh()) throw new Error(`npx tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
}

/** Asks the server for its counters until `done` holds for them. */
async function serverStats(server: Child, done: (s: Fields) => boolean): Promise<Fields> {
  for (;;) {
    server.send('stats');
    const s = await server.next('stats');
    if (done(s) || !server.running()) return s;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const children: Child[] = [];

beforeAll(() => {
  ensureCompiledLib();
  // The client's COUNT ports all come from the ephemeral range (one server address and port).
  const [low, high] = readInt('/proc/sys/net/ipv4/ip_local_port_range');
  expect(high - low + 1).toBeGreaterThan(COUNT);
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.running()) child.proc.kill('SIGKILL');
    await child.exited;
  }
});

// Each side runs under prlimit (util-linux): without it the test is skipped (see helpers/tools.ts).
testNeeding(prlimit())(
  `${COUNT} concurrent connections to a bsdsock/promises echo server, ${ROUNDS} echoes each`,
  async () => {
    const somaxconn = readInt('/proc/sys/net/core/somaxconn')[0];
    // Never more connection attempts in flight than the accept queue holds.
    const batch = Math.max(1, Math.min(500, Math.floor(somaxconn / 2)));

    const server = new Child(path.join(__dirname, 'fixtures/echo-10k.js'), {});
    children.push(server);
    const listening = await server.next('listening');
    expect(listening.nofile).toBeGreaterThanOrEqual(NOFILE);
    const idleRss = vmRssKiB(listening.pid);

    const client = new Child(path.join(__dirname, 'fixtures/load-10k.js'), {
      PORT: String(listening.port),
      COUNT: String(COUNT),
      BATCH: String(batch),
      ROUNDS: String(ROUNDS),
    });
    children.push(client);
    const connected = await client.next('connected');
    expect(connected).toEqual({ count: COUNT, errors: 0, nofile: NOFILE });

    // Every connection the client holds is accepted and held by the server at the same time.
    const held = await serverStats(server, (s) => s.open >= COUNT);
    expect(held).toMatchObject({ open: COUNT, accepted: COUNT, errors: 0 });
    const heldRss = vmRssKiB(listening.pid);

    client.send('go');
    const echoed = await client.next('echoed');
    expect(echoed).toEqual({ ok: COUNT * ROUNDS, bad: 0, errors: 0, bytes: COUNT * ROUNDS * MSGLEN });
    const afterEcho = await serverStats(server, () => true);
    expect(afterEcho).toMatchObject({ open: COUNT, errors: 0 });

    client.send('close');
    expect(await client.next('closed')).toEqual({ count: COUNT, errors: 0 });
    expect(await client.exited).toEqual({ code: 0, signal: null });

    const drained = await serverStats(server, (s) => s.open === 0);
    expect(drained).toMatchObject({ open: 0, peak: COUNT, accepted: COUNT, errors: 0 });

    server.proc.kill('SIGTERM');
    const exit = await server.next('exit');
    expect(exit).toEqual({ open: 0, peak: COUNT, accepted: COUNT, errors: 0, sockets: 0, handles: 0 });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toBe('');

    const perConnection = ((heldRss - idleRss) * 1024) / COUNT;
    console.log(
      `load: ${held.open} connections held at once; server VmRSS ${heldRss} kB ` +
        `(${idleRss} kB before any), about ${Math.round(perConnection)} bytes per connection; ` +
        `${afterEcho.rss} kB after ${echoed.ok} echoes of ${MSGLEN} bytes, all verified`,
    );
  },
  TIMEOUT,
);
