#!/usr/bin/env node
'use strict';
// Soak: the echo server (dist/examples/echo-server.js) under continuous
// connect → echo → close churn from a C load generator (bench/c/soak-client.c).
//
//   npm run soak -- [--seconds 600] [--workers 50] [--interval 10] [--addresses 8] [--rst]
//
// Every --interval seconds it prints a row: the client's cumulative verified
// round trips, failed and wrong echoes, and the server's open descriptors
// (/proc/<pid>/fd), resident set (/proc/<pid>/status VmRSS) and V8 heap used.
// The heap comes from inside the server: it runs with a preload, generated
// into a temporary directory, that writes process.memoryUsage() as a JSON
// line to an extra pipe (fd 3) once a second. The example itself is not
// touched.
//
// At the end it stops the client, makes sure the server has read the end of
// every connection the client closed, stops the server with SIGTERM and prints
// a verdict:
//   descriptors  during the load, every row's count stays under a ceiling that
//                holds on any machine, however busy (see DESCRIPTOR_CEILING);
//                once the load has stopped, the server holds exactly the
//                descriptors it had before the load (see settle()), which any
//                leaked descriptor fails;
//   rss, heap    growth from the 30 % row to the end, in KiB and %;
//   echoes       every round trip verified: none wrong, none failed;
//   server       exited 0 after SIGTERM, having served at least as many
//                connections as the client verified.
// It exits 1 if descriptors leaked, an echo was wrong or failed, or a process
// did not end cleanly; RSS and heap growth are reported, not judged.
//
// Ports: each round trip leaves a TIME_WAIT socket on the client's side; the
// client spreads its workers over --addresses 127.0.0.x source addresses so
// the ephemeral range is never exhausted (--rst closes with an RST instead).
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');

const root = path.resolve(__dirname, '..');
const serverScript = path.join(root, 'dist/examples/echo-server.js');
const serverSource = path.join(root, 'examples/echo-server.ts');
const clientSource = path.join(root, 'bench/c/soak-client.c');

// Growth of RSS from the 30 % mark that still counts as noise in the verdict's wording.
const RSS_NOISE_PERCENT = 5;
// How long the server may take to exit after SIGTERM, or the client after SIGTERM: only a process that
// hangs comes near it.
const SETTLE_MS = 10_000;
// The client's per-call timeout (its -t, SO_RCVTIMEO and SO_SNDTIMEO), counted as a failed echo. It
// exists so that a server that stops answering cannot hang the client; it is six times the client's
// own default, so that no slowness of a busy machine (the server waits for a CPU, it is not stuck)
// comes near it: the server answers each connection in every turn of its event loop.
const CLIENT_TIMEOUT_S = 60;
// The promises engine settles at most this many operations on one descriptor by their first attempt
// between two poll phases (IMMEDIATE_BUDGET in lib/engine.ts); past it an accept waits for the next
// poll phase like everything else.
const ENGINE_IMMEDIATE_BUDGET = 16;

/**
 * The most descriptors the server can hold during the load without leaking: its count at rest plus one
 * per connection it has accepted and not yet closed. Those are
 *   - the connections the client has open: at most one per worker;
 *   - the connections the client has closed whose end of file the server has not yet read. Each poll
 *     phase reports every descriptor whose end of file has arrived, and the server closes all of them in
 *     that phase's dispatch, so these are the connections closed since the start of the last poll phase
 *     whose dispatch has ended: those that were open when it started (at most one per worker) and those
 *     accepted since, in that dispatch and in the next one, if a count is taken while it runs: a
 *     dispatch accepts one connection on readiness and at most ENGINE_IMMEDIATE_BUDGET more at once.
 * Hence rest + 2 × workers + 2 × (1 + ENGINE_IMMEDIATE_BUDGET). The bound counts events, not time: a
 * busy machine slows the server and its clients alike (a worker opens its next connection only after
 * the server has echoed on the last one), so it holds however busy the machine is. A server that leaks
 * descriptors under load crosses it once it has leaked that many; any leak at all fails the count at rest.
 */
function descriptorCeiling(rest, workers) {
  return rest + 2 * workers + 2 * (1 + ENGINE_IMMEDIATE_BUDGET);
}

function fail(message) {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

function positiveInt(name, text, max) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${name} wants an integer from 1 to ${max}, got ${text}`);
  return n;
}

function options() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '600' },
      workers: { type: 'string', default: '50' },
      interval: { type: 'string', default: '10' },
      addresses: { type: 'string', default: '8' },
      rst: { type: 'boolean', default: false },
    },
  });
  return {
    seconds: positiveInt('seconds', values.seconds, 7 * 24 * 3600),
    workers: positiveInt('workers', values.workers, 4096),
    interval: positiveInt('interval', values.interval, 3600),
    addresses: positiveInt('addresses', values.addresses, 254),
    rst: values.rst,
  };
}

// The preload, run inside the server. unref(): the timer must not keep the
// server alive after SIGTERM, or the clean-exit check would test the preload.
const PRELOAD = `'use strict';
// Generated by scripts/soak.js: the server's memory, as a JSON line on fd 3 once a second.
const { writeSync } = require('fs');
const fd = Number(process.env.BSDSOCK_SOAK_FD);
const timer = setInterval(() => {
  try {
    writeSync(fd, JSON.stringify(process.memoryUsage()) + '\\n');
  } catch {
    clearInterval(timer); // the soak is gone: nobody to report to
  }
}, 1000);
timer.unref();
`;

/** Calls onLine for every complete line the stream delivers. */
function lines(stream, onLine) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  });
}

// Whatever happens, the soak leaves no server or client running behind it.
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A child whose exit (with its pipes closed) is a promise. */
function start(file, args, stdio, env) {
  const child = spawn(file, args, { cwd: root, stdio, env: { ...process.env, ...env } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.on('error', (err) => fail(`${file}: ${err.message}`));
  return { child, exited, done: false };
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function openDescriptors(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

function rssKiB(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]);
}

function growth(from, to) {
  const kib = to - from;
  const sign = kib >= 0 ? '+' : '';
  return `${sign}${kib} KiB (${sign}${((100 * kib) / from).toFixed(1)} %)`;
}

const PROBE_BYTES = 64;
// Round trips of the probe before its count is read (see settle()), and at most.
const PROBE_FIRST_COUNT = 3;
const PROBE_MOST = 8;

/**
 * Once the client has exited: the server's descriptors at rest, the probe's own excluded, taken when the
 * server has read the end of every connection the client had, without waiting on a clock. A probe
 * connection makes round trips with the server. Its second message reaches the server in a poll phase
 * that starts after the client exited (the server's recv on the probe waits for readiness since the
 * first echo), and that phase reports every connection whose end of file has arrived, which is all of
 * the client's (the kernel closed them when the client exited): the server closes them in that phase's
 * dispatch. The third round trip is answered in a later dispatch, once those closes are done. So from
 * the third round trip on, the count is the server's rest, unless it leaked. Later round trips (each one
 * more poll phase, up to PROBE_MOST) allow for an end of file the kernel delivered late.
 * Resolves to { rest, roundTrips } or { error }.
 */
function settle(port, pid, restBefore) {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let sent = null;
    let roundTrips = 0;
    let timer = null;
    const finish = (result) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(result);
    };
    const next = () => {
      sent = Buffer.alloc(PROBE_BYTES, `probe ${roundTrips + 1} `);
      received = Buffer.alloc(0);
      probe.write(sent);
      // Only a server that stopped answering comes near this.
      clearTimeout(timer);
      timer = setTimeout(() => finish({ error: `no echo within ${CLIENT_TIMEOUT_S} s` }), CLIENT_TIMEOUT_S * 1000);
    };
    probe.on('connect', next);
    probe.on('error', (e) => finish({ error: e.message }));
    probe.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < PROBE_BYTES) return;
      if (!received.equals(sent)) return finish({ error: 'a wrong echo' });
      roundTrips++;
      if (roundTrips >= PROBE_FIRST_COUNT) {
        const rest = openDescriptors(pid) - 1;
        if (rest <= restBefore || roundTrips >= PROBE_MOST) return finish({ rest, roundTrips });
      }
      next();
    });
  });
}

async function main() {
  const o = options();
  // The soak runs the compiled example as a user would; a stale build would soak old code.
  if (!fs.existsSync(serverScript) || fs.statSync(serverScript).mtimeMs < fs.statSync(serverSource).mtimeMs) {
    fail(
      `${path.relative(root, serverScript)} is missing or older than its source: run \`npx tsc -p tsconfig.build.json\``,
    );
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-soak-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const clientExe = path.join(tmp, 'soak-client');
  execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-pthread', '-o', clientExe, clientSource], { stdio: 'inherit' });
  const preload = path.join(tmp, 'preload.js');
  fs.writeFileSync(preload, PRELOAD);

  // ---------------------------------------------------------------- server

  const server = start(
    process.execPath,
    ['--require', preload, serverScript, '--port', '0'],
    ['ignore', 'pipe', 'pipe', 'pipe'],
    { BSDSOCK_SOAK_FD: '3' },
  );
  const serverOut = [];
  let memory = null;
  lines(server.child.stderr, (line) => process.stderr.write(`server: ${line}\n`));
  lines(server.child.stdio[3], (line) => {
    try {
      memory = JSON.parse(line);
    } catch {
      // a torn line can only be the last one, written as the server dies
    }
  });
  const port = await withTimeout(
    new Promise((resolve, reject) => {
      lines(server.child.stdout, (line) => {
        serverOut.push(line);
        const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
        if (m !== null) resolve(Number(m[1]));
      });
      void server.exited.then(({ code, signal }) =>
        reject(new Error(`server exited (${code ?? signal}) before listening`)),
      );
    }),
    30_000,
  );
  if (port === null) {
    server.child.kill('SIGKILL');
    fail('the server did not print "listening on 127.0.0.1:<port>" within 30 s');
  }
  const pid = server.child.pid;
  void server.exited.then(() => (server.done = true));
  const restBefore = openDescriptors(pid);

  // ---------------------------------------------------------------- client

  const clientArgs = [
    '-c',
    String(o.workers),
    '-a',
    String(o.addresses),
    '-t',
    String(CLIENT_TIMEOUT_S),
    ...(o.rst ? ['-r'] : []),
    String(port),
  ];
  const client = start(clientExe, clientArgs, ['ignore', 'pipe', 'pipe']);
  void client.exited.then(() => (client.done = true));
  let counters = { rt: 0, errors: 0, bad: 0 };
  let total = null;
  lines(client.child.stderr, (line) => process.stderr.write(`client: ${line}\n`));
  lines(client.child.stdout, (line) => {
    const m = /^(tick|total) t=[\d.]+ rt=(\d+) errors=(\d+) bad=(\d+)$/.exec(line);
    if (m === null) return;
    counters = { rt: Number(m[2]), errors: Number(m[3]), bad: Number(m[4]) };
    if (m[1] === 'total') total = counters;
  });

  const close = o.rst ? 'RST (SO_LINGER 0)' : `FIN, sources spread over 127.0.0.1-${o.addresses}`;
  console.log(
    `soak: ${o.seconds} s, ${o.workers} workers, echo server pid ${pid} on 127.0.0.1:${port}, client close: ${close}`,
  );
  console.log(`server descriptors at rest before the load: ${restBefore}`);
  const header = ['t (s)', 'round trips', 'per s', 'failed', 'wrong', 'fds', 'rss KiB', 'heap used KiB'];
  const widths = [6, 12, 8, 7, 6, 6, 9, 14];
  const row = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join(' ');
  console.log(row(header));

  const t0 = Date.now();
  const rows = [];
  let previousRt = 0;
  let previousT = 0;
  const marks = [];
  for (let t = o.interval; t < o.seconds; t += o.interval) marks.push(t);
  marks.push(o.seconds);
  for (const t of marks) {
    await sleep(Math.max(0, t0 + t * 1000 - Date.now()));
    if (server.done || client.done) break;
    const sample = {
      t,
      ...counters,
      fds: openDescriptors(pid),
      rss: rssKiB(pid),
      heap: memory === null ? NaN : Math.round(memory.heapUsed / 1024),
    };
    rows.push(sample);
    const rate = Math.round((sample.rt - previousRt) / (t - previousT));
    console.log(row([t, sample.rt, rate, sample.errors, sample.bad, sample.fds, sample.rss, sample.heap]));
    previousRt = sample.rt;
    previousT = t;
  }

  // ---------------------------------------------------------------- the end

  const problems = [];
  if (server.done) problems.push('the server died during the soak');
  if (client.done) problems.push('the client died during the soak');

  // A worker in the middle of a round trip finishes it first; only one facing a server that stopped
  // answering waits for its timeout.
  const clientWaitS = CLIENT_TIMEOUT_S + 30;
  client.child.kill('SIGTERM');
  const clientExit = await withTimeout(client.exited, clientWaitS * 1000);
  if (clientExit === null) {
    client.child.kill('SIGKILL');
    problems.push(`the client did not stop within ${clientWaitS} s of SIGTERM`);
  } else if (clientExit.code !== 0) {
    problems.push(`the client exited with ${clientExit.code ?? clientExit.signal}`);
  }
  if (total === null) problems.push('the client printed no totals');
  const final = total ?? counters;

  // The client is gone and the kernel has closed its side of every connection: once the server has read
  // all those ends of file (settle() makes sure, without a clock), it must be back to its rest.
  let restAfter = NaN;
  let probeRoundTrips = 0;
  if (!server.done) {
    const settled = await settle(port, pid, restBefore);
    if (settled.error !== undefined)
      problems.push(`the server did not answer the probe after the load: ${settled.error}`);
    else ({ rest: restAfter, roundTrips: probeRoundTrips } = settled);
  }

  server.child.kill('SIGTERM');
  const serverExit = await withTimeout(server.exited, SETTLE_MS + 10_000);
  if (serverExit === null) {
    server.child.kill('SIGKILL');
    problems.push(`the server did not exit within ${(SETTLE_MS + 10_000) / 1000} s of SIGTERM`);
  }
  const closedLine = serverOut.find((line) => line.startsWith('closed: '));
  const served = closedLine === undefined ? NaN : Number(/^closed: (\d+)/.exec(closedLine)?.[1]);

  console.log('');
  if (rows.length === 0) {
    problems.push('no report row was taken');
  } else {
    const end = rows[rows.length - 1];
    const warm = rows.find((r) => r.t >= 0.3 * o.seconds) ?? end;

    const ceiling = descriptorCeiling(restBefore, o.workers);
    const peak = rows.reduce((most, r) => (r.fds > most.fds ? r : most), rows[0]);
    const bounded = peak.fds <= ceiling;
    const backToRest = restAfter === restBefore;
    console.log(
      `descriptors: ${bounded && backToRest ? 'no leak' : 'leaked'}: at most ${peak.fds} during the load ` +
        `(t=${peak.t} s), ceiling ${ceiling} = ${restBefore} at rest + 2 × ${o.workers} workers + ` +
        `${2 * (1 + ENGINE_IMMEDIATE_BUDGET)}; at rest ${restBefore} before the load, ${restAfter} after ` +
        `(${probeRoundTrips} probe round trips)`,
    );
    if (!bounded) {
      problems.push(
        `at t=${peak.t} s the server held ${peak.fds} descriptors, over the ceiling of ${ceiling}: its ` +
          `${restBefore} at rest, one per connection the ${o.workers} workers have open, one per connection ` +
          'they closed since the last poll phase and two dispatches of accepts (see descriptorCeiling); ' +
          'the bound counts events, not time, so a busy machine cannot cross it: a leak under load can',
      );
    }
    if (!Number.isNaN(restAfter) && !backToRest) {
      problems.push(
        `after the load the server holds ${restAfter} descriptors, ${restAfter - restBefore} more than ` +
          'before it, although it has read the end of every connection the client had (see settle()): a leak',
      );
    }

    const rssSettled = end.rss - warm.rss <= (warm.rss * RSS_NOISE_PERCENT) / 100;
    console.log(
      `rss: ${rssSettled ? 'settled' : 'still growing'}: ${warm.rss} KiB at t=${warm.t} s (30 % mark), ` +
        `${end.rss} KiB at t=${end.t} s (end): ${growth(warm.rss, end.rss)}`,
    );
    console.log(
      `heap used: ${warm.heap} KiB at t=${warm.t} s, ${end.heap} KiB at t=${end.t} s: ${growth(warm.heap, end.heap)}`,
    );
  }

  const echoesOk = final.bad === 0 && final.errors === 0;
  console.log(`echoes: ${final.rt} round trips verified, ${final.bad} wrong, ${final.errors} failed`);
  // wrong: an echo that differs from what was sent; failed: a connection refused or reset, or a call
  // that got no answer within CLIENT_TIMEOUT_S (which no slowness of the machine reaches, see there).
  if (!echoesOk) {
    problems.push(
      `${final.bad} echoes were wrong and ${final.errors} failed (refused, reset, or no answer within ` +
        `${CLIENT_TIMEOUT_S} s; the client's stderr says which)`,
    );
  }

  if (serverExit !== null) {
    const exit = serverExit.code ?? serverExit.signal;
    console.log(`server: exited ${exit} after SIGTERM: ${closedLine ?? 'no "closed:" line'}`);
    if (serverExit.code !== 0) problems.push(`the server exited with ${exit}`);
    if (!(served >= final.rt)) problems.push(`the server served ${served} connections, fewer than ${final.rt}`);
  }

  console.log(problems.length === 0 ? 'soak: PASS' : `soak: FAIL: ${problems.join('; ')}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => fail(err instanceof Error ? err.message : String(err)),
);
