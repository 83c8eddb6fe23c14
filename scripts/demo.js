#!/usr/bin/env node
// npm run demo: the seed's server and client, ported to TypeScript, run together as two processes with
// the tracer on, and shown as one timeline: the server's calls on the left, the client's on the right,
// in the order they happened; then what each program printed.
//
//   npm run demo                      the timeline (one column with labels when the terminal, or
//                                     COLUMNS through a pipe, is narrower than 80)
//   npm run demo -- --narrow          one column with `server │` / `client │` labels
//   npm run demo -- --wide            two columns even when stdout is not a terminal that wide
//   npm run demo -- --mermaid FILE    also write the timeline as a Mermaid sequenceDiagram to FILE
//   npm run demo -- --explain         follow each failed call with what its error means
//
// Each program writes its trace as JSON lines (BSDSOCK_TRACE_FORMAT=json) on descriptor 3
// (BSDSOCK_TRACE_FD=3), each event stamped with performance.timeOrigin + performance.now() in
// microseconds: one clock for both processes, so their events merge in true order. A call that waits
// (accept, recv, connect, ...) has a start and an end event; it shows on one line when nothing happened
// in between, else as strace shows it: `accept(3,  <unfinished ...>`, a `┊` while it waits, and
// `<... accept resumed>...` on the row of the other program's call that woke it.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const program = (name) => path.join(root, 'dist', 'examples', `${name}.js`);

function parseArgs(argv) {
  const opts = { narrow: false, wide: false, mermaid: null, explain: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--narrow') opts.narrow = true;
    else if (a === '--wide') opts.wide = true;
    else if (a === '--explain') opts.explain = true;
    else if (a === '--mermaid') {
      opts.mermaid = argv[++i];
      if (!opts.mermaid) throw new Error('--mermaid needs a file name');
    } else if (a.startsWith('--mermaid=')) opts.mermaid = a.slice('--mermaid='.length);
    else throw new Error(`unknown option ${a} (known: --narrow, --wide, --mermaid FILE, --explain)`);
  }
  return opts;
}

function run(name, opts, onTrace) {
  const env = {
    ...process.env,
    BSDSOCK_TRACE: opts.explain ? 'explain' : '1',
    BSDSOCK_TRACE_FORMAT: 'json',
    BSDSOCK_TRACE_FD: '3',
  };
  const child = spawn(process.execPath, [program(name)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const out = { name, pid: child.pid, stdout: '', stderr: '', trace: '', status: null };
  child.stdout.setEncoding('utf8').on('data', (s) => {
    out.stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s) => (out.stderr += s));
  child.stdio[3].setEncoding('utf8').on('data', (s) => {
    out.trace += s;
    if (onTrace) onTrace(out.trace);
  });
  const done = new Promise((resolve) => child.on('close', (code) => resolve(Object.assign(out, { status: code }))));
  return { child, done };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Both programs, the client started once the server waits in accept (its trace says so), as a student
 * starts it in a second terminal once the first one shows the server waiting. 'EADDRINUSE' if port
 * 8080 is held.
 */
async function once(opts) {
  let client;
  const server = run('server', opts, (trace) => {
    if (!client && /"ph":"start"[^\n]*"call":"accept"/.test(trace)) client = run('client', opts);
  });
  const serverOut = await server.done;
  if (!client) {
    if (serverOut.stderr.includes('Address already in use')) return { code: 'EADDRINUSE', serverOut };
    return { code: 1, serverOut, clientOut: null };
  }
  const clientOut = await client.done;
  return { code: serverOut.status === 0 && clientOut.status === 0 ? 0 : 1, serverOut, clientOut };
}

// --- The timeline --------------------------------------------------------------------------------

/** The JSON trace lines of one program, as events. */
function eventsOf(out, side) {
  return out.trace
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => ({ ...JSON.parse(l), side }));
}

/**
 * Items in time order, each { side, kind: 'call' | 'start' | 'resumed' | 'note', text }. A start/end
 * pair becomes one call when nothing happened between them, except the other program's resumptions
 * (a connect completing wakes the accept, which is not a reason to split the connect).
 */
function itemsOf(events) {
  events.sort((a, b) => a.t - b.t || (a.side === b.side ? 0 : a.side === 'server' ? -1 : 1));
  const endIndex = new Map();
  events.forEach((e, i) => {
    if (e.ph === 'end') endIndex.set(`${e.side}:${e.id}`, i);
  });
  const splits = new Set();
  events.forEach((e, i) => {
    if (e.ph !== 'start') return;
    const j = endIndex.get(`${e.side}:${e.id}`);
    if (j === undefined) return;
    const between = events.slice(i + 1, j).filter((x) => !(x.side !== e.side && x.ph === 'end'));
    if (between.length > 0) splits.add(`${e.side}:${e.id}`);
  });
  const items = [];
  for (const e of events) {
    const key = `${e.side}:${e.id}`;
    if (e.ph === 'line') items.push({ side: e.side, kind: 'call', text: e.text });
    else if (e.ph === 'explain') items.push({ side: e.side, kind: 'note', text: e.text.trim() });
    else if (e.ph === 'start') {
      if (splits.has(key))
        items.push({ side: e.side, kind: 'start', call: e.call, text: `${e.text} <unfinished ...>` });
      else items.push({ side: e.side, kind: 'call', id: key, text: null });
    } else if (e.ph === 'end') {
      if (splits.has(key)) {
        const rest = e.text.slice(events.find((x) => x.ph === 'start' && `${x.side}:${x.id}` === key).text.length);
        items.push({ side: e.side, kind: 'resumed', call: e.call, text: `<... ${e.call} resumed>${rest}` });
      } else {
        const placeholder = items.find((x) => x.id === key);
        if (placeholder) placeholder.text = e.text;
        else items.push({ side: e.side, kind: 'call', text: e.text });
      }
    }
  }
  return items.filter((x) => x.text !== null);
}

/**
 * Rows of { server, client, wait: { server, client } }: one item a row, except that a resumed call
 * shares the row of the other program's item just before it (the call that woke it).
 */
function rowsOf(items) {
  const rows = [];
  const waiting = { server: null, client: null };
  for (const item of items) {
    const last = rows[rows.length - 1];
    if (item.kind === 'resumed' && last && last[item.side] === null && last.other === item.side) {
      last[item.side] = item;
      waiting[item.side] = null;
      last.wait[item.side] = null;
      continue;
    }
    const row = {
      server: null,
      client: null,
      wait: { ...waiting },
      other: item.side === 'server' ? 'client' : 'server',
    };
    row[item.side] = item;
    row.wait[item.side] = null;
    if (item.kind === 'start') waiting[item.side] = item.call;
    if (item.kind === 'resumed') waiting[item.side] = null;
    rows.push(row);
  }
  return rows;
}

/** Splits text into lines of at most width, preferring breaks after ', ' and '|'; continuations indented. */
function wrap(text, width) {
  const lines = [];
  let rest = text;
  let indent = '';
  while ((indent + rest).length > width) {
    const room = width - indent.length;
    let cut = -1;
    for (const sep of [', ', '|', ' ', '>', '(']) {
      // The separator's trailing space may fall just past the edge: it is dropped at the break.
      const at = rest.lastIndexOf(sep, room - sep.trimEnd().length);
      if (at > room / 3) {
        cut = at + sep.length;
        break;
      }
    }
    if (cut <= 0) cut = room;
    lines.push(indent + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
    indent = '    ';
  }
  lines.push(indent + rest);
  return lines;
}

const WAIT = '  ┊';

function renderWide(rows, width, labels) {
  const sep = ' │ ';
  const leftW = Math.floor((width - sep.length) / 2);
  const rightW = width - sep.length - leftW;
  const pad = (s, w) => s + ' '.repeat(Math.max(0, w - s.length));
  const out = [pad(labels.server, leftW) + sep + labels.client, '─'.repeat(leftW) + '─┼─' + '─'.repeat(rightW)];
  for (const row of rows) {
    const cell = (side, w) => (row[side] ? wrap(row[side].text, w) : row.wait[side] ? [WAIT] : []);
    const l = cell('server', leftW);
    const r = cell('client', rightW);
    const n = Math.max(l.length, r.length);
    for (let k = 0; k < n; k++) {
      const lk = l[k] ?? (row.wait.server || (row.server && row.server.kind === 'start') ? WAIT : '');
      const rk = r[k] ?? (row.wait.client || (row.client && row.client.kind === 'start') ? WAIT : '');
      out.push((pad(lk, leftW) + sep + rk).trimEnd());
    }
  }
  return out.join('\n') + '\n';
}

function renderNarrow(rows, width) {
  const label = { server: 'server │ ', client: 'client │ ' };
  const out = [];
  for (const row of rows) {
    // A resumed call comes after the other program's call that woke it, as in time.
    const order = row.server && row.server.kind === 'resumed' ? ['client', 'server'] : ['server', 'client'];
    for (const side of order) {
      if (!row[side]) continue;
      for (const l of wrap(row[side].text, Math.max(20, width - label[side].length))) out.push(label[side] + l);
    }
  }
  return out.join('\n') + '\n';
}

// --- Mermaid ------------------------------------------------------------------------------------

// Mermaid reads ';' as a statement end, '#' as an entity start and '<...>' as HTML: write them as
// entity codes, and keep each message short.
function mermaidText(s) {
  const cut = s.length > 140 ? s.slice(0, 137) + '...' : s;
  return cut
    .replace(/#/g, '#35;')
    .replace(/;/g, '#59;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/"/g, '#quot;');
}

function splitResult(text) {
  const m = / = (.*)$/.exec(text);
  return m ? [text.slice(0, m.index), m[1]] : [text, '?'];
}

/**
 * A sequenceDiagram: each call is a message from its program to the Kernel and the result comes back;
 * a call that waits is activated on its program until the kernel answers it.
 */
function mermaidOf(items) {
  const who = { server: 'Server', client: 'Client' };
  const lines = ['sequenceDiagram', '  participant Server', '  participant Kernel', '  participant Client'];
  const starts = new Map();
  for (const item of items) {
    const p = who[item.side];
    if (item.kind === 'call') {
      const [call, result] = splitResult(item.text);
      lines.push(`  ${p}->>Kernel: ${mermaidText(call)}`);
      lines.push(`  Kernel-->>${p}: ${mermaidText(`= ${result}`)}`);
    } else if (item.kind === 'start') {
      starts.set(item.side, item.call);
      lines.push(`  ${p}->>+Kernel: ${mermaidText(item.text.replace(/ +<unfinished \.\.\.>$/, ' ...'))}`);
      lines.push(`  Note over ${p}: waits in ${item.call}`);
    } else if (item.kind === 'resumed') {
      const [call, result] = splitResult(item.text);
      const args = call.replace(/^<\.\.\. \w+ resumed>/, '').replace(/\)$/, '');
      lines.push(`  Kernel-->>-${p}: ${mermaidText(`= ${result} (${item.call} returns${args ? `: ${args}` : ''})`)}`);
    } else if (item.kind === 'note') {
      lines.push(`  Note over ${p}: ${mermaidText(item.text)}`);
    }
  }
  return lines.join('\n') + '\n';
}

// --- Output ---------------------------------------------------------------------------------------

function show(out) {
  const label = `${out.name} (pid ${out.pid}, exit ${out.status})`;
  process.stdout.write(`── ${label} ${'─'.repeat(Math.max(0, 60 - label.length))}\n`);
  const indent = (text, prefix) => text.trimEnd().replace(/^/gm, prefix) + '\n';
  if (out.stdout) process.stdout.write(indent(out.stdout, '  '));
  if (out.stderr) process.stdout.write(indent(out.stderr, '  stderr: '));
}

async function main(argv) {
  const opts = parseArgs(argv);
  // The seed's server closes first, so its side of the last connection sits in TIME_WAIT for 60 s and,
  // without SO_REUSEADDR (the seed sets none), bind fails with EADDRINUSE meanwhile: wait it out.
  const deadline = Date.now() + 75_000;
  let result;
  for (let attempt = 0; ; attempt++) {
    result = await once(opts);
    if (result.code !== 'EADDRINUSE') break;
    if (Date.now() > deadline) {
      show(result.serverOut);
      return 1;
    }
    if (attempt === 0) {
      process.stdout.write('port 8080 is held (TIME_WAIT from a previous run, or another program); waiting for it\n');
    }
    await sleep(3000);
  }
  const { serverOut, clientOut } = result;
  const events = [...eventsOf(serverOut, 'server'), ...(clientOut ? eventsOf(clientOut, 'client') : [])];
  const items = itemsOf(events);
  const rows = rowsOf(items);
  // A terminal says how wide it is; through a pipe, COLUMNS does if set.
  const columns = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || 80;
  const width = Math.max(40, Math.min(columns || 80, 120));
  const narrow = opts.narrow || (!opts.wide && width < 80);
  process.stdout.write(
    narrow
      ? renderNarrow(rows, width)
      : renderWide(rows, width, {
          server: `server (pid ${serverOut.pid})`,
          client: clientOut ? `client (pid ${clientOut.pid})` : 'client',
        }),
  );
  process.stdout.write('\n');
  show(serverOut);
  if (clientOut) show(clientOut);
  if (opts.mermaid) fs.writeFileSync(opts.mermaid, mermaidOf(items));
  return result.code;
}

/** Runs the demo with argv's options (`npm run demo -- ...`, `npx bsdsock demo ...`), setting the exit code. */
function cli(argv) {
  // `npm run demo | head`: a reader that stops early is not an error.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`demo: ${e.message}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) cli(process.argv.slice(2));

module.exports = { cli, itemsOf, rowsOf, renderWide, renderNarrow, mermaidOf, wrap };
