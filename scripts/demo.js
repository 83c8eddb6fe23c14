#!/usr/bin/env node
// npm run demo: the seed's server and client, ported to TypeScript, run together as two processes;
// shows what each printed. The server is started first and the client only once the server says it
// listens, as a student would do in two terminals.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const program = (name) => path.join(root, 'dist', 'examples', `${name}.js`);

function run(name, onStdout) {
  const child = spawn(process.execPath, [program(name)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { name, stdout: '', stderr: '', status: null };
  child.stdout.setEncoding('utf8').on('data', (s) => {
    out.stdout += s;
    if (onStdout) onStdout(out.stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (s) => (out.stderr += s));
  const done = new Promise((resolve) => child.on('close', (code) => resolve(Object.assign(out, { status: code }))));
  return { child, done };
}

function show(out) {
  const label = `${out.name} (exit ${out.status})`;
  process.stdout.write(`── ${label} ${'─'.repeat(Math.max(0, 60 - label.length))}\n`);
  const indent = (text, prefix) => text.trimEnd().replace(/^/gm, prefix) + '\n';
  if (out.stdout) process.stdout.write(indent(out.stdout, '  '));
  if (out.stderr) process.stdout.write(indent(out.stderr, '  stderr: '));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  // The seed's server closes first, so its side of the last connection sits in TIME_WAIT for 60 s and,
  // without SO_REUSEADDR (the seed sets none), bind fails with EADDRINUSE meanwhile: wait it out.
  const deadline = Date.now() + 75_000;
  for (let attempt = 0; ; attempt++) {
    const code = await once();
    if (code !== 'EADDRINUSE' || Date.now() > deadline) return code === 'EADDRINUSE' ? 1 : code;
    if (attempt === 0) {
      process.stdout.write('port 8080 is held (TIME_WAIT from a previous run, or another program); waiting for it\n');
    }
    await sleep(3000);
  }
}

async function once() {
  let client;
  const server = run('server', (text) => {
    if (!client && text.includes('\n')) client = run('client');
  });
  // If the server never listens (port 8080 taken), its error is the demo's output.
  const serverOut = await server.done;
  if (!client) {
    if (serverOut.stderr.includes('Address already in use')) return 'EADDRINUSE';
    show(serverOut);
    return 1;
  }
  const clientOut = await client.done;
  show(serverOut);
  show(clientOut);
  return serverOut.status === 0 && clientOut.status === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
});
