// npm run demo: the seed's server and client traced, as one timeline in causal order (server left,
// client right, or one labelled column), then each program's output, and the same timeline as a
// Mermaid sequenceDiagram. Each run has its own network namespace, so port 8080 is free and no
// TIME_WAIT of an earlier run is in the way.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { requireNetns } from './helpers/netns';
import { describeNeeding, netns as netnsNeed } from './helpers/tools';

let work: ReturnType<typeof tempDir>;
let netns: string[] = [];

/** Runs `node scripts/demo.js args` in a fresh network namespace; its stdout. */
function demo(...args: string[]): string {
  return demoWith({}, ...args);
}

function demoWith(env: Record<string, string>, ...args: string[]): string {
  const argv = [...netns, process.execPath, path.join(root, 'scripts/demo.js'), ...args];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`the demo failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const SERVER_OUTPUT = ['  Serveur en écoute sur le port 8080...', '  Connexion acceptée'];
const CLIENT_OUTPUT = ['  Connecté au serveur', '  Message du serveur: Hello from server!'];

/** An entry of one column: its text (wrapped lines joined) and the row (line index) it starts on. */
interface Entry {
  text: string;
  line: number;
}

function expectOutputs(out: string): void {
  const lines = out.split('\n');
  const s = lines.findIndex((l) => /^── server \(pid \d+, exit 0\) ─+$/.test(l));
  const c = lines.findIndex((l) => /^── client \(pid \d+, exit 0\) ─+$/.test(l));
  expect(s).toBeGreaterThan(0);
  expect(c).toBeGreaterThan(s);
  expect(lines.slice(s + 1, s + 3)).toEqual(SERVER_OUTPUT);
  expect(lines.slice(c + 1, c + 3)).toEqual(CLIENT_OUTPUT);
}

/**
 * The demo wraps after ', ' (the space dropped), and after '|', '(' or '>' (nothing dropped); the
 * continuations were joined with a space: take it out again after '|', '(' and '>'.
 */
function unwrap(columns: Record<string, Entry[]>): void {
  for (const list of Object.values(columns)) for (const e of list) e.text = e.text.replace(/([|(>]) /g, '$1');
}

/** A call of one program: its whole text, and the rows where it starts and ends. */
interface Call {
  text: string;
  start: number;
  end: number;
}

/** The calls of one column: a `<unfinished ...>` entry and its `<... resumed>` entry joined into one. */
function callsOf(entries: Entry[]): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  for (const e of entries) {
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

/** The first call whose text matches re, or a failure that shows the column. */
function find(calls: Call[], re: RegExp): Call {
  const c = calls.find((x) => re.test(x.text));
  if (c === undefined) throw new Error(`no call matches ${re}:\n${calls.map((x) => x.text).join('\n')}`);
  return c;
}

/**
 * The causal order every run shows, whatever the timing (a call that waits may show on one line or
 * as start and resumed, depending on what the other program did meanwhile).
 */
function expectCausalOrder(serverEntries: Entry[], clientEntries: Entry[], sameRowAllowed: boolean): void {
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
  const accept = find(server, /^accept\(\d+, \{sa_family=AF_INET, .*\}, \[16\]\) = \d+$/);
  const send = find(server, /^send\(\d+, "Hello from server!\\n", 19, 0\) = 19$/);
  find(client, /^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = \d+$/);
  const connect = find(client, /^connect\(\d+, \{sa_family=AF_INET, sin_port=htons\(8080\), .*\}, 16\) = 0$/);
  const recv = find(client, /^recv\(\d+, "Hello from server!\\n", 1024, 0\) = 19$/);
  // The server's calls in program order, and it is waiting in accept before the client connects.
  for (let k = 1; k < server.length; k++) expect(server[k].start).toBeGreaterThan(server[k - 1].start);
  expect(accept.end).toBeGreaterThan(accept.start);
  expect(accept.start).toBeLessThan(connect.start);
  // accept returns once connect has started the handshake: on connect's row, or after it; the client's
  // recv completes with the server's message only once the server has sent it.
  if (sameRowAllowed) {
    expect(accept.end).toBeGreaterThanOrEqual(connect.start);
    expect(recv.end).toBeGreaterThanOrEqual(send.start);
  } else {
    expect(accept.end).toBeGreaterThan(connect.start);
    expect(recv.end).toBeGreaterThan(send.start);
  }
}

describeNeeding(netnsNeed())('npm run demo', () => {
  beforeAll(() => {
    ensureDist('dist/examples/server.js', 'dist/examples/client.js', 'dist/lib/trace/index.js');
    work = tempDir('demo');
    netns = requireNetns('the demo test');
  });

  afterAll(() => work?.remove());

  test('two columns: the server on the left, the client on the right, in causal order, within 80 columns', () => {
    const mermaid = work.path('timeline.mmd');
    const out = demo('--wide', '--mermaid', mermaid);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^server \(pid \d+\) +│ client \(pid \d+\)$/);
    expect(lines[1]).toMatch(/^─+┼─+$/);
    const end = lines.indexOf('');
    expect(end).toBeGreaterThan(2);
    const timeline = lines.slice(2, end);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    const bar = [...lines[0]].indexOf('│');
    const columns: Record<'server' | 'client', Entry[]> = { server: [], client: [] };
    timeline.forEach((l, i) => {
      const chars = [...l];
      expect(chars[bar]).toBe('│');
      const cells = {
        server: chars
          .slice(0, bar - 1)
          .join('')
          .trimEnd(),
        client: chars.slice(bar + 2).join(''),
      };
      for (const side of ['server', 'client'] as const) {
        const cell = cells[side];
        if (cell === '' || cell.trim() === '┊') continue;
        const list = columns[side];
        // A wrapped entry continues on lines indented by four spaces.
        if (cell.startsWith('    ') && list.length > 0) list[list.length - 1].text += ` ${cell.trim()}`;
        else list.push({ text: cell, line: i });
      }
    });
    unwrap(columns);
    expectCausalOrder(columns.server, columns.client, true);
    // While the server waits in accept, its column shows it.
    const accept = find(callsOf(columns.server), /^accept\(/);
    for (let i = accept.start + 1; i < accept.end; i++) expect(timeline[i].startsWith('  ┊')).toBe(true);
    expectOutputs(out);

    // The same run, as Mermaid.
    const mmd = fs.readFileSync(mermaid, 'utf8').trimEnd().split('\n');
    expect(mmd.slice(0, 4)).toEqual([
      'sequenceDiagram',
      '  participant Server',
      '  participant Kernel',
      '  participant Client',
    ]);
    let active = 0;
    for (const l of mmd.slice(4)) {
      // Each statement: a message between a program and the kernel, or a note; no raw ; # < > " in text.
      // (Mermaid's entity codes are how the text carries those characters.)
      expect(l.replace(/#(?:35|59|lt|gt|quot);/g, '')).toMatch(
        /^ {2}(?:(?:Server|Client)->>\+?Kernel|Kernel-->>-?(?:Server|Client)|Note over (?:Server|Client)): [^;<>"#]+$/,
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
    expect(at(/^ {2}Server->>Kernel: listen\(/)).toBeLessThan(at(/^ {2}Server->>\+Kernel: accept\(/));
    expect(at(/^ {2}Server->>\+Kernel: accept\(/)).toBeLessThan(at(/^ {2}Client->>\+?Kernel: connect\(/));
    expect(at(/^ {2}Client->>\+?Kernel: connect\(/)).toBeLessThan(at(/^ {2}Kernel-->>-Server: = \d+ \(accept returns/));
    expect(at(/^ {2}Server->>\+?Kernel: send\(/)).toBeLessThan(at(/^ {2}Kernel-->>-?Client: = 19/));
  });

  test.each([
    ['--narrow', () => demo('--narrow')],
    ['COLUMNS=60', () => demoWith({ COLUMNS: '60' })],
  ])('%s: one column, each line labelled server │ or client │, in causal order', (_name, run) => {
    const out = run();
    const lines = out.split('\n');
    const end = lines.indexOf('');
    const timeline = lines.slice(0, end);
    expect(timeline.length).toBeGreaterThan(8);
    const columns: Record<'server' | 'client', Entry[]> = { server: [], client: [] };
    timeline.forEach((l, i) => {
      const m = /^(server|client) │ (.*)$/.exec(l);
      expect(m).not.toBeNull();
      const side = m![1] as 'server' | 'client';
      const list = columns[side];
      if (m![2].startsWith('    ') && list.length > 0) list[list.length - 1].text += ` ${m![2].trim()}`;
      else list.push({ text: m![2], line: i });
    });
    unwrap(columns);
    expectCausalOrder(columns.server, columns.client, false);
    expectOutputs(out);
  });
});
