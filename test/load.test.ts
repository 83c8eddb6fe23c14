// Load: one bsdsock/promises echo server (test/fixtures/echo-10k.js) holds 10,000 connections at once
// from a node:net client (test/fixtures/load-10k.js); every connection echoes ROUNDS messages, all
// bytes correct; then everything closes and the server, on SIGTERM, has no socket and no poll handle
// left and exits 0 by itself. Each side runs in its own process under `prlimit --nofile`, so 10,000
// descriptors per side stay below each process's limit.
//
// BSDSOCK_LOAD_CONNECTIONS sets the connection count (default 10,000) for a machine that allows less.
// Counts are asserted, never durations. The server's resident set is printed, not asserted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist } from './helpers/build';
import { Child } from './helpers/child';
import { prlimit, testNeeding } from './helpers/tools';

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
function fixture(script: string, env: Record<string, string>): Child {
  return Child.spawn('prlimit', [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, script], {
    env: { ...process.env, ...env },
  });
}

/** The next line of child that starts with `word `, as fields; throws if the child exits first. */
async function next(child: Child, word: string): Promise<Fields> {
  return fields(await child.next(`${word} `));
}

function readInt(file: string): number[] {
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
}

function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Asks the server for its counters until `done` holds for them. */
async function serverStats(server: Child, done: (s: Fields) => boolean): Promise<Fields> {
  for (;;) {
    server.send('stats');
    const s = await next(server, 'stats');
    if (done(s) || !server.running()) return s;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const children: Child[] = [];

beforeAll(() => {
  // The fixtures load dist/.
  ensureDist();
  // The client's COUNT ports all come from the ephemeral range (one server address and port).
  const [low, high] = readInt('/proc/sys/net/ipv4/ip_local_port_range');
  expect(high - low + 1).toBeGreaterThan(COUNT);
}, 120_000);

afterAll(async () => {
  for (const child of children) await child.kill();
});

// Each side runs under prlimit (util-linux): without it the test is skipped (see helpers/tools.ts).
testNeeding(prlimit())(
  `${COUNT} concurrent connections to a bsdsock/promises echo server, ${ROUNDS} echoes each`,
  async () => {
    const somaxconn = readInt('/proc/sys/net/core/somaxconn')[0];
    // Never more connection attempts in flight than the accept queue holds.
    const batch = Math.max(1, Math.min(500, Math.floor(somaxconn / 2)));

    const server = fixture(path.join(__dirname, 'fixtures/echo-10k.js'), {});
    children.push(server);
    const listening = await next(server, 'listening');
    expect(listening.nofile).toBeGreaterThanOrEqual(NOFILE);
    const idleRss = vmRssKiB(listening.pid);

    const client = fixture(path.join(__dirname, 'fixtures/load-10k.js'), {
      PORT: String(listening.port),
      COUNT: String(COUNT),
      BATCH: String(batch),
      ROUNDS: String(ROUNDS),
    });
    children.push(client);
    const connected = await next(client, 'connected');
    expect(connected).toEqual({ count: COUNT, errors: 0, nofile: NOFILE });

    // Every connection the client holds is accepted and held by the server at the same time.
    const held = await serverStats(server, (s) => s.open >= COUNT);
    expect(held).toMatchObject({ open: COUNT, accepted: COUNT, errors: 0 });
    const heldRss = vmRssKiB(listening.pid);

    client.send('go');
    const echoed = await next(client, 'echoed');
    expect(echoed).toEqual({ ok: COUNT * ROUNDS, bad: 0, errors: 0, bytes: COUNT * ROUNDS * MSGLEN });
    const afterEcho = await serverStats(server, () => true);
    expect(afterEcho).toMatchObject({ open: COUNT, errors: 0 });

    client.send('close');
    expect(await next(client, 'closed')).toEqual({ count: COUNT, errors: 0 });
    expect(await client.exited).toEqual({ code: 0, signal: null });

    const drained = await serverStats(server, (s) => s.open === 0);
    expect(drained).toMatchObject({ open: 0, peak: COUNT, accepted: COUNT, errors: 0 });

    server.proc.kill('SIGTERM');
    const exit = await next(server, 'exit');
    expect(exit).toEqual({ open: 0, peak: COUNT, accepted: COUNT, errors: 0, sockets: 0, handles: 0 });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe('');

    const perConnection = ((heldRss - idleRss) * 1024) / COUNT;
    console.log(
      `load: ${held.open} connections held at once; server VmRSS ${heldRss} kB ` +
        `(${idleRss} kB before any), about ${Math.round(perConnection)} bytes per connection; ` +
        `${afterEcho.rss} kB after ${echoed.ok} echoes of ${MSGLEN} bytes, all verified`,
    );
  },
  TIMEOUT,
);
