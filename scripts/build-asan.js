#!/usr/bin/env node
'use strict';
// The sanitizer build of the addon, and the test run on it.
//
//   npm run build:asan   builds native/ with -fsanitize=address,undefined
//                        into node_modules/.cache/bsdsock-asan/ (never build/,
//                        which the normal build and other processes use)
//   npm run test:asan [-- --fuzz-seconds N --seeds 1,random --no-jest --no-fuzz]
//                        runs the whole jest suite, then fuzz runs (default:
//                        60 s with seed 1, and 60 s with a random seed), on it
//
// Node itself is not built with ASan, so the runtime must come first in the
// process: every process of the run gets LD_PRELOAD=<libasan.so> (found with
// `cc -print-file-name=libasan.so`), and BSDSOCK_ADDON=<the sanitizer build>,
// which lib/native.ts loads instead of build/Release/bsdsock.node.
// Leak detection is off (ASAN_OPTIONS=detect_leaks=0): Node does not free
// everything it allocates before it exits, so LeakSanitizer would report
// Node's own allocations at every exit. Any ASan or UBSan report ends the
// process with a non-zero status (halt_on_error), which fails the run.
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'node_modules', '.cache', 'bsdsock-asan');
const addon = path.join(dir, 'build', 'Release', 'bsdsock.node');
const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const SANITIZE = '-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g';

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function build() {
  if (run(process.execPath, [path.join(root, 'scripts', 'gen-constants.js')], { cwd: root }) !== 0) process.exit(1);
  fs.mkdirSync(dir, { recursive: true });
  // A copy of the sources with their times, so make rebuilds only what changed.
  fs.cpSync(path.join(root, 'binding.gyp'), path.join(dir, 'binding.gyp'), { preserveTimestamps: true });
  fs.cpSync(path.join(root, 'native'), path.join(dir, 'native'), { recursive: true, preserveTimestamps: true });
  // binding.gyp asks node-addon-api for its targets from the build directory.
  const modules = path.join(dir, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(root, 'node_modules'), modules, 'dir');
  const env = {
    ...process.env,
    CFLAGS: SANITIZE,
    CXXFLAGS: SANITIZE,
    LDFLAGS: '-fsanitize=address,undefined',
  };
  if (!fs.existsSync(path.join(dir, 'build', 'Makefile'))) {
    // The headers the normal build used (the system's Node), not a download.
    const nodedir = path.resolve(process.execPath, '..', '..');
    if (run(process.execPath, [nodeGyp, 'configure', `--nodedir=${nodedir}`], { cwd: dir, env }) !== 0) process.exit(1);
  }
  if (run(process.execPath, [nodeGyp, 'build'], { cwd: dir, env }) !== 0) process.exit(1);
  const linked = execFileSync('ldd', [addon], { encoding: 'utf8' });
  if (!/libasan/.test(linked) || !/libubsan/.test(linked)) {
    console.error(`build:asan: ${addon} is not linked with libasan and libubsan:\n${linked}`);
    process.exit(1);
  }
  console.log(`build:asan: ${addon}`);
}

function runtime(name) {
  const file = execFileSync('cc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  if (!path.isAbsolute(file) || !fs.existsSync(file)) {
    console.error(`test:asan: cc does not know ${name} (install the compiler's sanitizer runtime)`);
    process.exit(1);
  }
  return file;
}

function parseTestArgs(argv) {
  const o = { fuzzSeconds: 60, seeds: ['1', 'random'], jest: true, fuzz: true, jestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fuzz-seconds') o.fuzzSeconds = Number(argv[++i]);
    else if (a === '--seeds') o.seeds = argv[++i].split(',');
    else if (a === '--no-jest') o.jest = false;
    else if (a === '--no-fuzz') o.fuzz = false;
    else o.jestArgs.push(a);
  }
  if (!(Number.isFinite(o.fuzzSeconds) && o.fuzzSeconds > 0))
    throw new Error('test:asan: --fuzz-seconds wants a positive number');
  return o;
}

function test(argv) {
  const o = parseTestArgs(argv);
  // Always: the build is incremental, and a sanitizer build older than native/ would test old code.
  build();
  // curl hangs before it does anything (even `curl --version`) with the ASan
  // runtime preloaded; tests find programs on PATH, so a shim first on PATH
  // runs the real one without LD_PRELOAD. curl is not what is under test.
  const shims = path.join(dir, 'bin');
  fs.mkdirSync(shims, { recursive: true });
  for (const program of ['curl']) {
    const real = (process.env.PATH ?? '')
      .split(path.delimiter)
      .map((d) => path.join(d, program))
      .find((f) => fs.existsSync(f) && !f.startsWith(shims));
    if (real === undefined) continue;
    fs.writeFileSync(path.join(shims, program), `#!/bin/sh\nunset LD_PRELOAD\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  const env = {
    ...process.env,
    PATH: `${shims}${path.delimiter}${process.env.PATH ?? ''}`,
    LD_PRELOAD: runtime('libasan.so'),
    BSDSOCK_ADDON: addon,
    ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  };
  console.log(`test:asan: LD_PRELOAD=${env.LD_PRELOAD} BSDSOCK_ADDON=${addon}`);
  console.log(`test:asan: ASAN_OPTIONS=${env.ASAN_OPTIONS} UBSAN_OPTIONS=${env.UBSAN_OPTIONS}`);
  const results = [];
  if (o.jest) {
    const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    results.push(['jest', run(process.execPath, [jest, ...o.jestArgs], { cwd: root, env })]);
  }
  if (o.fuzz) {
    for (const s of o.seeds) {
      const seed = s === 'random' ? String((Math.random() * 2 ** 32) >>> 0) : s;
      console.log(`test:asan: fuzz --seconds ${o.fuzzSeconds} --seed ${seed}`);
      const fuzz = path.join(root, 'dist', 'scripts', 'fuzz', 'main.js');
      const args = [fuzz, '--seconds', String(o.fuzzSeconds), '--seed', seed];
      results.push([`fuzz seed ${seed}`, run(process.execPath, args, { cwd: root, env })]);
    }
  }
  for (const [what, status] of results)
    console.log(`test:asan: ${what}: ${status === 0 ? 'passed' : `FAILED (exit ${status})`}`);
  process.exit(results.every(([, status]) => status === 0) ? 0 : 1);
}

if (process.argv[2] === '--test') test(process.argv.slice(3));
else build();
