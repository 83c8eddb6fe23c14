// npm run demo: the seed's server and client traced, as one timeline in causal order (server left,
// client right, or one labelled column), with the TCP segments on lo between them and each socket's
// TCP state, checked against the kernel; then each program's output, and the same timeline as a
// Mermaid sequenceDiagram. The demo makes its own user and network namespace (unshare -rn): port 8080
// is free in each run, so it runs twice in a row without waiting. Without a namespace it shows the
// calls only, says why, and counts down any TIME_WAIT it must wait for.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { requireNetns } from './helpers/netns';
import { describeNeeding, netns as netnsNeed, userns } from './helpers/tools';

const demoScript = path.join(root, 'scripts/demo.js');
let work: ReturnType<typeof tempDir>;

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

function demoRun(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [demoScript, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function demo(...args: string[]): string {
  return demoWith({}, ...args);
}

function demoWith(env: Record<string, string>, ...args: string[]): string {
  const r = demoRun(args, env);
  if (r.status !== 0) throw new Error(`the demo failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

// --- The JSON form: the records in time order ----------------------------------------------------

interface JsonRecord {
  type: 'call' | 'packet' | 'state';
  ns: string;
  side?: string | null;
  ph?: string;
  call?: string;
  text?: string;
  packet?: { kind: string; flags: number; from: string; to: string; length: number };
  from?: string | null;
  to?: string | null;
  state?: string;
  local?: string;
  peer?: string;
  sockets?: { fd: number; local: string; peer: string; state: string }[];
}

interface JsonTimeline {
  capture: { on: boolean; why?: string };
  programs: { name: string; status: number | null; stdout: string; stderr: string }[];
  records: JsonRecord[];
  checks: { at: string; local: string; peer: string; kernel: string; model: string[]; ok: boolean }[];
  final: { local: string; peer: string; state: string }[] | null;
}

const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const FIN = 0x01;

function index(records: JsonRecord[], what: string, pred: (r: JsonRecord) => boolean, from = 0): number {
  const i = records.findIndex((r, k) => k >= from && pred(r));
  if (i < 0) {
    const list = records.map(
      (r) => `${r.type} ${r.side ?? r.from ?? ''} ${r.call ?? r.state ?? r.packet?.flags ?? ''}`,
    );
    throw new Error(`no record: ${what}\n${list.join('\n')}`);
  }
  return i;
}

const segment =
  (flags: number, from?: string) =>
  (r: JsonRecord): boolean =>
    r.type === 'packet' &&
    r.packet?.kind === 'tcp' &&
    r.packet.flags === flags &&
    (from === undefined || r.from === from);

/** The order a learner must see, and the states the kernel reported. */
function expectTextbookOrder(t: JsonTimeline): void {
  expect(t.capture).toEqual({ on: true });
  expect(t.programs.map((p) => [p.name, p.status])).toEqual([
    ['server', 0],
    ['client', 0],
  ]);
  const r = t.records;
  for (let k = 1; k < r.length; k++) expect(BigInt(r[k].ns) >= BigInt(r[k - 1].ns)).toBe(true);
  const syn = index(r, 'SYN from the client', segment(SYN, 'client'));
  const synAck = index(r, 'SYN-ACK from the server', segment(SYN | ACK, 'server'));
  const ack = index(r, 'the ACK of the handshake', segment(ACK, 'client'), synAck);
  expect(syn).toBeLessThan(synAck);
  expect(synAck).toBeLessThan(ack);
  // connect starts before the SYN and returns after the SYN-ACK: the handshake is what it waits for.
  const connectStart = index(r, 'connect start', (x) => x.type === 'call' && x.call === 'connect' && x.ph === 'start');
  const connectEnd = index(r, 'connect end', (x) => x.type === 'call' && x.call === 'connect' && x.ph === 'end');
  expect(connectStart).toBeLessThan(syn);
  expect(connectEnd).toBeGreaterThan(synAck);
  expect(r[connectEnd].text).toMatch(/ = 0$/);
  // The client is ESTABLISHED at the SYN-ACK, before connect returns and whatever accept does.
  const clientEstablished = index(
    r,
    'client ESTABLISHED',
    (x) => x.type === 'state' && x.side === 'client' && x.state === 'ESTABLISHED',
  );
  expect(clientEstablished).toBeGreaterThan(synAck);
  expect(clientEstablished).toBeLessThan(connectEnd);
  // The data: 19 bytes from the server, after accept returned.
  const acceptEnd = index(r, 'accept end', (x) => x.type === 'call' && x.call === 'accept' && x.ph === 'end');
  const data = index(r, 'the data', (x) => x.type === 'packet' && x.packet?.kind === 'tcp' && x.packet.length === 19);
  expect(r[data].from).toBe('server');
  expect(data).toBeGreaterThan(acceptEnd);
  // The first FIN comes from the side that closed first (the server, unless the client was quicker to
  // print and close than the server to return from send), and that side ends in TIME_WAIT.
  const firstFin = index(
    r,
    'the first FIN',
    (x) => x.type === 'packet' && x.packet?.kind === 'tcp' && (x.packet.flags & FIN) !== 0,
  );
  const closer = r[firstFin].from!;
  const other = closer === 'server' ? 'client' : 'server';
  expect(
    index(r, "the closer's close", (x) => x.type === 'call' && x.call === 'close' && x.side === closer),
  ).toBeLessThan(firstFin);
  const states = (side: string): string[] =>
    r.filter((x) => x.type === 'state' && x.side === side && x.peer !== '*').map((x) => x.state!);
  const opening = { server: ['SYN_RECV', 'ESTABLISHED'], client: ['SYN_SENT', 'ESTABLISHED'] };
  expect(states(closer).slice(0, 2)).toEqual(opening[closer as 'server' | 'client']);
  expect(states(other).slice(0, 2)).toEqual(opening[other]);
  const closing = states(closer).slice(2);
  expect(closing[0]).toBe('FIN_WAIT1');
  expect(closing[closing.length - 1]).toBe('TIME_WAIT');
  // The other side answers the FIN (CLOSE_WAIT), or had closed too before it arrived (CLOSING).
  expect([
    ['CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    ['FIN_WAIT1', 'CLOSING', 'TIME_WAIT'],
  ]).toContainEqual(states(other).slice(2));
  expect(r.filter((x) => x.type === 'state' && x.peer === '*').map((x) => x.state)).toEqual(['LISTEN', 'CLOSED']);
  // The kernel agrees: after each call (TCP_INFO) and at the end (sock_diag), where the server's side
  // of the connection is in TIME_WAIT.
  expect(t.checks.filter((c) => !c.ok)).toEqual([]);
  expect(t.checks.filter((c) => c.at === 'accept' && c.kernel === 'ESTABLISHED').length).toBeGreaterThan(0);
  // After connect the kernel says ESTABLISHED, or CLOSE_WAIT when the client was descheduled long
  // enough for the server's data and FIN to arrive before it asked: either is a state it went through.
  expect(
    t.checks.filter((c) => c.at === 'connect').map((c) => ['ESTABLISHED', 'CLOSE_WAIT'].includes(c.kernel)),
  ).toEqual([true]);
  expect(t.checks.filter((c) => c.at === 'listen' && c.kernel === 'LISTEN').length).toBe(1);
  // The kernel's table at the end: the closer's side of the connection (the server's is on port 8080)
  // in TIME_WAIT.
  const timeWait = t.checks.filter((c) => c.at === 'sock_diag' && c.kernel === 'TIME_WAIT');
  expect(timeWait.some((c) => c.local.endsWith(':8080') === (closer === 'server'))).toBe(true);
  expect(t.final?.some((s) => s.state === 'TIME_WAIT' && s.local.endsWith(':8080') === (closer === 'server'))).toBe(
    true,
  );
  // Every state the kernel reported is one the timeline printed for that socket.
  for (const c of t.checks) {
    if (c.kernel === 'CLOSED') continue;
    const printed = r.filter((x) => x.type === 'state' && x.local === c.local && x.peer === c.peer).map((x) => x.state);
    expect({ socket: `${c.local} ${c.peer}`, printed: printed.includes(c.kernel) }).toEqual({
      socket: `${c.local} ${c.peer}`,
      printed: true,
    });
  }
}

// --- The drawing -----------------------------------------------------------------------------

const SERVER_OUTPUT = ['  Serveur en écoute sur le port 8080...', '  Connexion acceptée'];
const CLIENT_OUTPUT = ['  Connecté au serveur', '  Message du serveur: Hello from server!'];

function expectOutputs(out: string): void {
  const lines = out.split('\n');
  const s = lines.findIndex((l) => /^── server \(pid \d+, exit 0\) ─+$/.test(l));
  const c = lines.findIndex((l) => /^── client \(pid \d+, exit 0\) ─+$/.test(l));
  expect(s).toBeGreaterThan(0);
  expect(c).toBeGreaterThan(s);
  expect(lines.slice(s + 1, s + 3)).toEqual(SERVER_OUTPUT);
  expect(lines.slice(c + 1, c + 3)).toEqual(CLIENT_OUTPUT);
}

/** An entry of one column: its text (wrapped lines joined) and the row (line index) it starts on. */
interface Entry {
  text: string;
  line: number;
}

/**
 * The demo wraps after ', ' (the space dropped), and after '|', '(' or '>' (nothing dropped); the
 * continuations were joined with a space: take it out again after '|', '(' and '>'.
 */
function unwrap(columns: Record<string, Entry[]>): void {
  for (const list of Object.values(columns)) for (const e of list) e.text = e.text.replace(/([|(>]) /g, '$1');
}

interface Call {
  text: string;
  start: number;
  end: number;
}

/** The calls of one column (states left out): a `<unfinished ...>` entry and its `<... resumed>` joined. */
function callsOf(entries: Entry[]): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  for (const e of entries) {
    if (e.text.startsWith('[')) continue;
    const unfinished = /^([a-z0-9_]+)\((.*) <unfinished \.\.\.>$/.exec(e.text);
    const resumed = /^<\.\.\. ([a-z0-9_]+) resumed>(.*)$/.exec(e.text);
    if (unfinished !== null) {
      const call = { text: e.text.replace(/ <unfinished \.\.\.>$/, ''), start: e.line, end: -1 };
      open.set(unfinished[1], call);
      calls.push(call);
    } else if (resumed !== null) {
      const call = open.get(resumed[1]);
      if (call === undefined) throw new Error(`a resumed ${resumed[1]} with no start`);
      call.text += resumed[2];
      call.end = e.line;
      open.delete(resumed[1]);
    } else {
      calls.push({ text: e.text, start: e.line, end: e.line });
    }
  }
  return calls;
}

function find(calls: Call[], re: RegExp): Call {
  const c = calls.find((x) => re.test(x.text));
  if (c === undefined) throw new Error(`no call matches ${re}:\n${calls.map((x) => x.text).join('\n')}`);
  return c;
}

/** The causal order every run shows, whatever the timing. */
function expectCausalOrder(serverEntries: Entry[], clientEntries: Entry[]): void {
  const server = callsOf(serverEntries);
  const client = callsOf(clientEntries);
  expect(server.map((c) => /^[a-z0-9]+/.exec(c.text)?.[0])).toEqual([
    'socket',
    'bind',
    'listen',
    'accept',
    'send',
    'close',
    'close',
  ]);
  expect(client.map((c) => /^[a-z0-9]+/.exec(c.text)?.[0])).toEqual(['socket', 'connect', 'recv', 'close']);
  find(server, /^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = \d+$/);
  find(server, /^bind\(\d+, \{sa_family=AF_INET, sin_port=htons\(8080\), .*\}, 16\) = 0$/);
  find(server, /^listen\(\d+, 3\) = 0$/);
  const accept = find(server, /^accept\(\d+, +\{sa_family=AF_INET, .*\}, \[16\]\) = \d+$/);
  const send = find(server, /^send\(\d+, "Hello from server!\\n", 19, 0\) = 19$/);
  const connect = find(client, /^connect\(\d+, \{sa_family=AF_INET, sin_port=htons\(8080\), .*\}, 16\) = 0$/);
  const recv = find(client, /^recv\(\d+, +"Hello from server!\\n", 1024, 0\) = 19$/);
  for (let k = 1; k < server.length; k++) expect(server[k].start).toBeGreaterThan(server[k - 1].start);
  expect(accept.end).toBeGreaterThan(accept.start);
  expect(accept.start).toBeLessThan(connect.start);
  expect(accept.end).toBeGreaterThanOrEqual(connect.start);
  expect(recv.end).toBeGreaterThanOrEqual(send.start);
}

/**
 * The wide drawing, read back: the header, the three columns, the calls in causal order, the
 * handshake's arrows, each side's states, the kernel's agreement and both programs' outputs.
 */
function expectDrawing(out: string, width: number): void {
  const lines = out.split('\n');
  expect(lines[0]).toMatch(/^server \(pid \d+\) +│ wire +│ client \(pid \d+\)$/);
  expect(lines[1]).toMatch(/^─+┼─+┼─+$/);
  const end = lines.indexOf('');
  const timeline = lines.slice(2, end);
  for (const l of lines.slice(0, end)) expect([...l].length).toBeLessThanOrEqual(width);
  const bars = [...lines[0]].flatMap((ch, i) => (ch === '│' ? [i] : []));
  expect(bars.length).toBe(2);
  const columns: Record<'server' | 'client', Entry[]> = { server: [], client: [] };
  const wire: string[] = [];
  timeline.forEach((l, i) => {
    const chars = [...l];
    if (chars.length > bars[0]) expect(chars[bars[0]]).toBe('│');
    const cells = {
      server: chars
        .slice(0, bars[0] - 1)
        .join('')
        .trimEnd(),
      wire: chars
        .slice(bars[0] + 2, bars[1] - 1)
        .join('')
        .trim(),
      client: chars.slice(bars[1] + 2).join(''),
    };
    if (cells.wire !== '') wire.push(cells.wire);
    for (const side of ['server', 'client'] as const) {
      const cell = cells[side];
      if (cell === '' || cell.trim() === '┊') continue;
      const list = columns[side];
      if (cell.startsWith('    ') && list.length > 0) list[list.length - 1].text += ` ${cell.trim()}`;
      else list.push({ text: cell, line: i });
    }
  });
  unwrap(columns);
  expectCausalOrder(columns.server, columns.client);
  // The handshake as arrows: the SYN and the last ACK point at the server (left), the SYN-ACK at the client.
  expect(wire.slice(0, 3).map((w) => w.replace(/─+/g, '─'))).toEqual(['◀─ SYN ─', '─ SYN-ACK ─▶', '◀─ ACK ─']);
  expect(wire.some((w) => /─ PSH-ACK len 19 ─+▶$/.test(w))).toBe(true);
  expect(wire.some((w) => /FIN/.test(w))).toBe(true);
  const serverStates = columns.server.filter((e) => e.text.startsWith('[')).map((e) => e.text.split(' ')[0]);
  const clientStates = columns.client.filter((e) => e.text.startsWith('[')).map((e) => e.text.split(' ')[0]);
  expect(serverStates.slice(0, 3)).toEqual(['[LISTEN]', '[SYN_RECV]', '[ESTABLISHED]']);
  expect(clientStates.slice(0, 2)).toEqual(['[SYN_SENT]', '[ESTABLISHED]']);
  // Whoever sent the first FIN (an arrow to the right: the server) ends in TIME_WAIT.
  const firstFin = wire.find((w) => w.includes('FIN'))!;
  const closerStates = firstFin.endsWith('▶') ? serverStates : clientStates;
  expect(closerStates).toContain('[FIN_WAIT1]');
  expect(closerStates).toContain('[TIME_WAIT]');
  expect(out).toMatch(
    /^TCP states checked against the kernel \(TCP_INFO after each call, sock_diag at the end\): (\d+) of \1 agree$/m,
  );
  expectOutputs(out);
}

describe("the README's demo block", () => {
  test.each(['README.md', 'README.fr.md'])(
    '%s: a real run of the demo, written by npm run readme:demo: it reads back as a live run does',
    (name) => {
      const readme = fs.readFileSync(path.join(root, name), 'utf8');
      const block = /<!-- demo:begin -->\n```\n([\s\S]*?)```\n<!-- demo:end -->/.exec(readme);
      expect(block).not.toBeNull();
      expectDrawing(block![1], 100);
      // The text around it tells the case where the server closes first: the first FIN goes right.
      expect(block![1].split('\n').find((l) => l.includes('FIN'))).toMatch(/─ FIN-ACK ─+▶/);
    },
  );
});

describe('npm run demo -- --help, and bad options', () => {
  test('--help lists every option and exits 0', () => {
    const out = demo('--help');
    for (const option of [
      '--refused',
      '--no-packets',
      '--narrow',
      '--wide',
      '--explain',
      '--mermaid FILE',
      '--json',
      '--help',
    ]) {
      expect(out).toContain(option);
    }
  });

  test('an unknown option is one line on stderr and exit status 2', () => {
    const r = demoRun(['--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('demo: unknown option --bogus (npm run demo -- --help lists them)\n');
  });
});

describeNeeding(userns())('npm run demo, in a namespace of its own', () => {
  beforeAll(() => {
    ensureDist('dist/examples/server.js', 'dist/examples/client.js', 'dist/lib/timeline.js');
    work = tempDir('demo');
  });

  afterAll(() => work?.remove());

  test('twice in a row with no wait: SYN, SYN-ACK, ACK, connect returning after the SYN-ACK, the first FIN and TIME_WAIT on the server, the states as the kernel reports them', () => {
    for (let k = 0; k < 2; k++) {
      const t = JSON.parse(demo('--json')) as JsonTimeline;
      expectTextbookOrder(t);
    }
  });

  test('the drawing: server, wire and client columns in causal order, the segments as arrows, the states in their columns', () => {
    const mermaid = work.path('timeline.md');
    const out = demoWith({ COLUMNS: '120' }, '--wide', '--mermaid', mermaid);
    expectDrawing(out, 120);

    // Mermaid, fenced for Markdown, and the demo says where it wrote it.
    expect(out).toContain(`wrote the timeline as a Mermaid sequenceDiagram to ${mermaid}\n`);
    const md = fs.readFileSync(mermaid, 'utf8').trimEnd().split('\n');
    expect(md[0]).toBe('```mermaid');
    expect(md[md.length - 1]).toBe('```');
    const mmd = md.slice(1, -1);
    expect(mmd.slice(0, 4)).toEqual([
      'sequenceDiagram',
      '  participant Server',
      '  participant Kernel',
      '  participant Client',
    ]);
    let active = 0;
    for (const l of mmd.slice(4)) {
      expect(l.replace(/#(?:35|59|lt|gt|quot);/g, '')).toMatch(
        /^ {2}(?:(?:Server|Client)->>\+?Kernel|Kernel-->>-?(?:Server|Client)|(?:Server|Client|Kernel)-\)(?:Server|Client|Kernel)|Note over (?:Server|Client|Kernel)): [^;<>"#]+$/,
      );
      if (/->>\+/.test(l)) active++;
      if (/-->>-/.test(l)) active--;
      expect(active).toBeGreaterThanOrEqual(0);
    }
    expect(active).toBe(0);
    const at = (re: RegExp): number => {
      const i = mmd.findIndex((l) => re.test(l));
      if (i < 0) throw new Error(`no Mermaid line matches ${re}:\n${mmd.join('\n')}`);
      return i;
    };
    expect(at(/^ {2}Note over Server: \[LISTEN\] :8080$/)).toBeLessThan(at(/^ {2}Client-\)Server: SYN$/));
    expect(at(/^ {2}Client-\)Server: SYN$/)).toBeLessThan(at(/^ {2}Server-\)Client: SYN-ACK$/));
    expect(at(/^ {2}Server-\)Client: SYN-ACK$/)).toBeLessThan(at(/^ {2}Kernel-->>-?Client: = 0/));
    // The side that sent the first FIN (the server, unless the client closed first on a busy machine)
    // ends in TIME_WAIT, after that FIN.
    const firstFin = mmd.find((l) => /^ {2}(Server|Client)-\)(Server|Client): FIN/.test(l))!;
    const closer = /^ {2}(Server|Client)/.exec(firstFin)![1];
    expect(at(new RegExp(`^ {2}Note over ${closer}: \\[TIME_WAIT\\]`))).toBeGreaterThan(mmd.indexOf(firstFin));
  });

  test('--mermaid FILE not ending in .md: the diagram alone, unfenced', () => {
    const file = work.path('timeline.mmd');
    demo('--mermaid', file);
    expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe('sequenceDiagram');
  });

  test.each([
    ['--narrow', () => demo('--narrow')],
    ['COLUMNS=60', () => demoWith({ COLUMNS: '60' })],
  ])('%s: one column, each line labelled server │, client │ or tcp │, in causal order', (_name, run) => {
    const out = run();
    const lines = out.split('\n');
    const end = lines.indexOf('');
    const timeline = lines.slice(0, end);
    const columns: Record<'server' | 'client', Entry[]> = { server: [], client: [] };
    const wire: string[] = [];
    timeline.forEach((l, i) => {
      const m = /^(server|client| {3}tcp) │ (.*)$/.exec(l);
      expect(m).not.toBeNull();
      if (m![1].trim() === 'tcp') {
        wire.push(m![2]);
        return;
      }
      const side = m![1] as 'server' | 'client';
      const list = columns[side];
      if (m![2].startsWith('    ') && list.length > 0) list[list.length - 1].text += ` ${m![2].trim()}`;
      else list.push({ text: m![2], line: i });
    });
    unwrap(columns);
    expectCausalOrder(columns.server, columns.client);
    expect(wire.slice(0, 3)).toEqual(['client ─SYN─▶ server', 'server ─SYN-ACK─▶ client', 'client ─ACK─▶ server']);
    expectOutputs(out);
  });

  test('--refused: the client alone; its SYN is answered by RST and connect fails with ECONNREFUSED, hint included', () => {
    const t = JSON.parse(demo('--refused', '--json')) as JsonTimeline;
    expect(t.programs.map((p) => [p.name, p.status])).toEqual([['client', 1]]);
    const r = t.records;
    const syn = index(r, 'the SYN', segment(SYN, 'client'));
    const rst = index(
      r,
      'the RST',
      (x) => x.type === 'packet' && x.packet?.kind === 'tcp' && (x.packet.flags & RST) !== 0,
    );
    expect(r[rst].to).toBe('client');
    expect(r[rst].from).toBeNull();
    expect(syn).toBeLessThan(rst);
    const end = index(r, 'connect end', (x) => x.type === 'call' && x.call === 'connect' && x.ph === 'end');
    expect(end).toBeGreaterThan(rst);
    expect(r[end].text).toMatch(/ = -1 ECONNREFUSED \(Connection refused\)$/);
    expect(r.filter((x) => x.type === 'state').map((x) => x.state)).toEqual(['SYN_SENT', 'CLOSED']);
    expect(t.checks.filter((c) => !c.ok)).toEqual([]);

    const out = demo('--refused', '--narrow');
    expect(out).toContain('client ─SYN─▶ kernel');
    expect(out).toContain('kernel ─RST-ACK─▶ client');
    expect(out).toMatch(/connect ECONNREFUSED: nothing is listening at that address and port/);
    expect(out).toContain('stderr: Échec de la connexion: Connection refused');
  });

  test('bsdsock timeline -- SERVER -- CLIENT: the same drawing for programs of your own', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'scripts/cli.js'),
        'timeline',
        '--narrow',
        '--',
        process.execPath,
        'dist/examples/server.js',
        '--',
        process.execPath,
        'dist/examples/client.js',
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('client ─SYN─▶ server');
    expectOutputs(r.stdout);
  });

  test('Ctrl-C leaves no process and no file behind', async () => {
    const mermaid = work.path('interrupted.md');
    // A server with no client waits in accept until interrupted.
    const child = spawn(
      process.execPath,
      [demoScript, '--mermaid', mermaid, '--', process.execPath, 'dist/examples/server.js'],
      {
        cwd: root,
        detached: true,
        stdio: 'ignore',
      },
    );
    const pgid = child.pid!;
    const group = (): number[] =>
      fs.readdirSync('/proc').flatMap((p) => {
        if (!/^\d+$/.test(p)) return [];
        try {
          const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid ? [Number(p)] : [];
        } catch {
          return [];
        }
      });
    const serverRunning = (): boolean =>
      group().some((p) => {
        try {
          // The server itself (node dist/examples/server.js), not the demo whose arguments name it.
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[1] === 'dist/examples/server.js';
        } catch {
          return false;
        }
      });
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (code, signal) => resolve([code, signal])),
    );
    for (let k = 0; k < 400 && !serverRunning(); k++) await new Promise((r) => setTimeout(r, 25));
    expect(serverRunning()).toBe(true);
    process.kill(-pgid, 'SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    for (let k = 0; k < 200 && group().length > 0; k++) await new Promise((r) => setTimeout(r, 25));
    expect(group()).toEqual([]);
    expect(fs.existsSync(mermaid)).toBe(false);
  });
});

describeNeeding(netnsNeed())('npm run demo where no user namespace can be made', () => {
  test('says in one line why there is no packet column, runs the calls only, and counts down a TIME_WAIT with one sentence on it', () => {
    ensureDist('dist/examples/server.js', 'dist/examples/client.js', 'dist/lib/timeline.js');
    const dir = tempDir('demo-no-userns');
    try {
      // No unshare on PATH: the demo cannot make its namespace. The test's own namespace keeps port
      // 8080 to this test; the second run finds the first one's TIME_WAIT there.
      const empty = dir.path('bin');
      fs.mkdirSync(empty);
      const driver = dir.path('driver.js');
      fs.writeFileSync(
        driver,
        `const { spawnSync, spawn } = require('node:child_process');
const env = { ...process.env, PATH: ${JSON.stringify(empty)} };
const first = spawnSync(process.execPath, [${JSON.stringify(demoScript)}], { env, encoding: 'utf8' });
const second = spawn(process.execPath, [${JSON.stringify(demoScript)}], { env });
let out = '';
second.stdout.setEncoding('utf8').on('data', (s) => {
  out += s;
  if (/waiting for port 8080: \\d+ s/.test(out)) second.kill('SIGINT');
});
second.on('close', (code, signal) => {
  process.stdout.write(JSON.stringify({ first: first.stdout, firstStatus: first.status, second: out, code, signal }));
});
`,
      );
      const prefix = requireNetns('the demo without user namespaces');
      const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, driver], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toBe('');
      const got = JSON.parse(r.stdout) as { first: string; firstStatus: number; second: string; code: number | null };
      expect(got.firstStatus).toBe(0);
      const lines = got.first.split('\n');
      expect(lines[0]).toBe('no packet column: the unshare command is not installed (Debian: util-linux)');
      expect(lines[2]).toMatch(/^server \(pid \d+\) +│ client \(pid \d+\)$/);
      expect(got.first).not.toContain('wire');
      expectOutputs(got.first);
      expect(got.second).toContain('port 8080 is held by a connection of the previous run in TIME_WAIT');
      expect(got.second).toMatch(/the side that closes first keeps the connection for 60 s/);
      expect(got.second).toMatch(/waiting for port 8080: (60|[1-5]\d|\d) s/);
      expect(got.code).toBe(130);
    } finally {
      dir.remove();
    }
  });
});

describeNeeding(netnsNeed())('npm run demo -- --no-packets', () => {
  test("today's view: two columns of calls, no capture, no states", () => {
    ensureDist('dist/examples/server.js', 'dist/examples/client.js', 'dist/lib/timeline.js');
    // On the host's port 8080 a previous run's TIME_WAIT could make it wait: the test's own namespace.
    const prefix = requireNetns('the demo with --no-packets');
    const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, demoScript, '--no-packets', '--wide'], {
      cwd: root,
      env: { ...process.env, COLUMNS: '100' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out.split('\n')[0]).toMatch(/^server \(pid \d+\) +│ client \(pid \d+\)$/);
    expect(out).not.toMatch(/\[(LISTEN|SYN_SENT)\]/);
    expect(out).not.toContain('no packet column');
    expectOutputs(out);
  });
});
