#!/usr/bin/env node
// npm run demo: the seed's server and client, ported to TypeScript, run together as two processes with
// the tracer on, and shown as one timeline: the server's calls on the left, the client's on the right,
// the TCP segments on the wire between them and each socket's TCP state, in the order they happened;
// then what each program printed. `npm run demo -- --help` lists the options.
//
// Where the system allows it (Linux's unprivileged user namespaces, as `unshare -rn` uses), the demo
// re-runs itself in a private user and network namespace: there it may open a packet socket on lo
// without root, and port 8080 is always free, so it never waits for a previous run's TIME_WAIT.
// Elsewhere it runs as before, without the packet column, and says why in one line.
//
// The drawing is bsdsock/timeline's (lib/timeline): any two programs that use bsdsock can be drawn the
// same way (`npx bsdsock timeline -- node server.js -- node client.js`).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const program = (name) => path.join(root, 'dist', 'examples', `${name}.js`);
const PORT = 8080;

const HELP = `usage: npm run demo -- [options]     (or: npx bsdsock demo [options])

Runs the seed's server and client (examples/server.ts, client.ts) with the tracer on and draws one
timeline: the server's calls on the left, the client's on the right, and between them each TCP segment
on the wire (SYN, SYN-ACK, ACK, data, FIN, RST) with each socket's TCP state (LISTEN, SYN_SENT, ...,
TIME_WAIT), checked against the kernel. Then what each program printed.

options:
  --refused        run the client with no server listening: its SYN is answered by RST, and connect
                   fails with ECONNREFUSED (with the hint that explains it)
  --no-packets     the calls only, without the capture and the states
  --narrow         one column, each line labelled server │, client │ or tcp │
  --wide           columns even when stdout is not a terminal that wide
  --explain        follow each failed call with what its error means
  --mermaid FILE   also write the timeline as a Mermaid sequenceDiagram to FILE (fenced as a
                   \`\`\`mermaid block when FILE ends in .md, so that Markdown viewers draw it)
  --json           the timeline's records and state checks as JSON, instead of the drawing
  --help           this text

The packets need a network namespace of the demo's own (unshare -rn): where the system forbids one,
the demo says why and shows the calls only.
`;

function parseArgs(argv) {
  const opts = {
    narrow: false,
    wide: false,
    mermaid: null,
    explain: false,
    packets: true,
    refused: false,
    json: false,
    help: false,
    // `bsdsock timeline -- CMD ... [-- CMD ...]`: the programs to draw instead of the seed's.
    commands: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--narrow') opts.narrow = true;
    else if (a === '--wide') opts.wide = true;
    else if (a === '--explain') opts.explain = true;
    else if (a === '--no-packets') opts.packets = false;
    else if (a === '--refused') opts.refused = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--mermaid') {
      opts.mermaid = argv[++i];
      if (!opts.mermaid) throw new Error('--mermaid needs a file name');
    } else if (a.startsWith('--mermaid=')) opts.mermaid = a.slice('--mermaid='.length);
    else if (a === '--') {
      opts.commands = [];
      let current = [];
      for (const w of argv.slice(i + 1)) {
        if (w === '--') {
          if (current.length > 0) opts.commands.push(current);
          current = [];
        } else current.push(w);
      }
      if (current.length > 0) opts.commands.push(current);
      if (opts.commands.length === 0 || opts.commands.length > 2) {
        throw new Error('after --, one or two commands separated by --: the server (left), then the client (right)');
      }
      break;
    } else throw new Error(`unknown option ${a} (npm run demo -- --help lists them)`);
  }
  return opts;
}

// --- The namespace ------------------------------------------------------------------------------

/** Whether this machine gives an unprivileged user a network namespace: null if so, else why not. */
function namespaceRefusal() {
  if (process.platform !== 'linux') return `network namespaces are Linux's, and this is ${process.platform}`;
  const r = spawnSync('unshare', ['-rn', 'true'], { encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') return 'the unshare command is not installed (Debian: util-linux)';
  if (r.status === 0) return null;
  const first = (r.stderr || '').trim().split('\n')[0] || `unshare -rn exited with ${r.status ?? r.signal}`;
  return `this system refuses an unprivileged network namespace (${first})`;
}

/**
 * Runs `script` (this one by default) again inside `unshare -rn` with argv, BSDSOCK_DEMO_NETNS=1 in
 * its environment, forwarding signals; resolves with its exit code.
 */
function inNamespace(argv, script = __filename) {
  const child = spawn('unshare', ['-rn', '--kill-child=SIGTERM', process.execPath, script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, BSDSOCK_DEMO_NETNS: '1' },
  });
  const forward = (signal) => () => child.kill(signal);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, forward(s));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

// --- TIME_WAIT, on a machine without namespaces -----------------------------------------------

/** What holds the port, from the kernel's table: its TIME_WAIT sockets and the longest time left. */
function holders(timeline, port) {
  try {
    const held = timeline.tcpSockets().filter((s) => s.local.endsWith(`:${port}`));
    return held;
  } catch {
    return [];
  }
}

async function waitForPort(timeline, port, deadline, signal) {
  const held = holders(timeline, port);
  const waiting = held.filter((s) => s.state === 'TIME_WAIT');
  if (held.length > 0 && waiting.length === 0) {
    const s = held[0];
    process.stdout.write(
      `port ${port} is in use by another program (a socket in ${s.state}, ${s.local}): stop it and try again\n`,
    );
    return false;
  }
  let left = waiting.length > 0 ? Math.max(...waiting.map((s) => s.expiresMs)) : 3000;
  process.stdout.write(
    `port ${port} is held by a connection of the previous run in TIME_WAIT: the side that closes first keeps ` +
      'the connection for 60 s, so that a late segment of it cannot be taken for part of a new one; the seed ' +
      'sets no SO_REUSEADDR, so bind fails until then.\n',
  );
  const tty = process.stdout.isTTY;
  let lastPrinted = Infinity;
  while (left > 0 && Date.now() < deadline && !signal.aborted) {
    const seconds = Math.ceil(left / 1000);
    if (tty) process.stdout.write(`\rwaiting for port ${port}: ${String(seconds).padStart(2)} s `);
    else if (lastPrinted - seconds >= 10 || lastPrinted === Infinity) {
      process.stdout.write(`waiting for port ${port}: ${seconds} s\n`);
      lastPrinted = seconds;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
    const now = holders(timeline, port).filter((s) => s.state === 'TIME_WAIT');
    left = now.length > 0 ? Math.max(...now.map((s) => s.expiresMs)) : 0;
  }
  if (tty) process.stdout.write('\n');
  return true;
}

// --- Output ---------------------------------------------------------------------------------------

function show(out) {
  const exit = out.status !== null ? `exit ${out.status}` : `killed by ${out.signal}`;
  const label = `${out.name} (pid ${out.pid}, ${exit})`;
  process.stdout.write(`── ${label} ${'─'.repeat(Math.max(0, 60 - label.length))}\n`);
  const indent = (text, prefix) => text.trimEnd().replace(/^/gm, prefix) + '\n';
  if (out.stdout) process.stdout.write(indent(out.stdout, '  '));
  if (out.stderr) process.stdout.write(indent(out.stderr, '  stderr: '));
}

function jsonOf(t) {
  return JSON.stringify(
    {
      capture: t.capture,
      programs: t.programs.map(({ name, pid, stdout, stderr, status, signal }) => ({
        name,
        pid,
        stdout,
        stderr,
        status,
        signal,
      })),
      records: t.records,
      checks: t.checks,
      final: t.final,
    },
    (_k, v) => (typeof v === 'bigint' ? String(v) : v),
  );
}

/** The scenario's programs, in column order. */
function scenario(opts) {
  if (opts.commands !== null) {
    const [first, second] = opts.commands;
    return second === undefined
      ? [{ name: 'client', argv: first }]
      : [
          { name: 'server', argv: first },
          {
            name: 'client',
            argv: second,
            startWhen: /"ph":"start"[^\n]*"call":"(accept|accept4|poll|select|epoll_wait|recv|recvfrom|read)"/,
          },
        ];
  }
  if (opts.refused) return [{ name: 'client', argv: [process.execPath, program('client')] }];
  return [
    { name: 'server', argv: [process.execPath, program('server')] },
    // As a student starts it in a second terminal once the first one shows the server waiting.
    { name: 'client', argv: [process.execPath, program('client')], startWhen: /"ph":"start"[^\n]*"call":"accept"/ },
  ];
}

async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let noPackets = opts.packets ? null : '--no-packets';
  const inside = process.env.BSDSOCK_DEMO_NETNS === '1';
  if (opts.packets && !inside) {
    const refusal = namespaceRefusal();
    if (refusal === null) return inNamespace(argv);
    noPackets = refusal;
  }
  const timeline = require(path.join(root, 'dist', 'lib', 'timeline.js'));
  if (inside) {
    try {
      timeline.interfaceUp('lo');
    } catch (e) {
      process.stderr.write(`demo: cannot bring lo up in the namespace: ${e.message}\n`);
      return 1;
    }
  }
  const controller = new AbortController();
  let interrupted = false;
  const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // Ctrl-C reaches the whole process group at once: a program may die of it, and the run end, before
  // this process's own handler has run (signals and child exits come through the event loop in either
  // order, and a busy machine shows both). A program ended by such a signal is the same interruption.
  const endedByInterrupt = (t) => t.programs.some((p) => INTERRUPTS.includes(p.signal));
  for (const s of INTERRUPTS) {
    process.on(s, () => {
      interrupted = true;
      controller.abort();
    });
  }
  const programs = scenario(opts);
  const run = () =>
    timeline.runTimeline({
      programs,
      capture: noPackets === null ? 'lo' : false,
      explain: opts.explain || opts.refused,
      cwd: root,
      signal: controller.signal,
    });
  let t = await run();
  if (endedByInterrupt(t)) interrupted = true;
  // Without a namespace of its own the seed's server may find port 8080 in TIME_WAIT from the last run.
  const deadline = Date.now() + 75_000;
  while (
    !interrupted &&
    opts.commands === null &&
    !opts.refused &&
    t.programs[0].stderr.includes('Address already in use')
  ) {
    if (!(await waitForPort(timeline, PORT, deadline, controller.signal)) || Date.now() > deadline) {
      show(t.programs[0]);
      return 1;
    }
    if (interrupted) break;
    t = await run();
    if (endedByInterrupt(t)) interrupted = true;
  }
  if (interrupted) return 130;
  if (opts.json) {
    process.stdout.write(jsonOf(t) + '\n');
    return 0;
  }
  // No namespace, or a namespace where the packet socket failed (a kernel without AF_PACKET): one line.
  if (opts.packets && !t.capture.on) process.stdout.write(`no packet column: ${noPackets ?? t.capture.why}\n\n`);
  const items = timeline.itemsOf(t.records);
  const rows = timeline.rowsOf(items);
  const [first, second] = t.programs;
  const columns =
    second === undefined
      ? { left: ['server', `no server on port ${PORT}`], right: [first.name, `${first.name} (pid ${first.pid})`] }
      : {
          left: [first.name, `${first.name} (pid ${first.pid})`],
          right: [second.name, `${second.name} (pid ${second.pid})`],
        };
  // A terminal says how wide it is; through a pipe, COLUMNS does if set.
  const termColumns = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || 80;
  const wire = t.capture.on;
  const width = Math.max(40, Math.min(termColumns || 80, wire ? 140 : 120));
  const narrow = opts.narrow || (!opts.wide && width < 80);
  process.stdout.write(
    narrow ? timeline.renderNarrow(rows, width, columns) : timeline.renderWide(rows, width, columns, wire),
  );
  process.stdout.write('\n');
  if (wire) {
    const bad = t.checks.filter((c) => !c.ok);
    process.stdout.write(
      bad.length === 0
        ? `TCP states checked against the kernel (TCP_INFO after each call, sock_diag at the end): ${t.checks.length} of ${t.checks.length} agree\n\n`
        : `TCP states that disagree with the kernel:\n${bad
            .map((c) => `  after ${c.at}: ${c.local} ⇄ ${c.peer}: kernel ${c.kernel}, drawn ${c.model.join(' or ')}`)
            .join('\n')}\n\n`,
    );
  }
  for (const p of t.programs) show(p);
  if (opts.mermaid) {
    let text = timeline.mermaidOf(items, columns);
    if (/\.(md|markdown)$/i.test(opts.mermaid)) text = '```mermaid\n' + text + '```\n';
    fs.writeFileSync(opts.mermaid, text);
    process.stdout.write(`\nwrote the timeline as a Mermaid sequenceDiagram to ${path.resolve(opts.mermaid)}\n`);
  }
  if (opts.refused) {
    const c = t.programs[0];
    return c.status === 1 && /Connection refused/.test(c.stderr) ? 0 : 1;
  }
  return t.programs.every((p) => p.status === 0) ? 0 : 1;
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

module.exports = { cli, parseArgs, namespaceRefusal, inNamespace, show };
