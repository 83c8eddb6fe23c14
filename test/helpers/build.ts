// What the tests run besides the TypeScript jest compiles itself: dist/ (the package's own build,
// which child processes, Workers and the examples load), a copy of lib/ compiled under test/.build/
// for Workers and child processes, and temporary directories.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The repository's root. */
export const root = path.join(__dirname, '..', '..');

/** test/.build/, where the tests put what they compile (git ignores it). */
export const buildDir = path.join(root, 'test', '.build');

/** Every .ts file under dir, recursively, but for build output (.build/) and dependencies. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(
      (f) => f.endsWith('.ts') && !f.split(path.sep).some((part) => part.startsWith('.') || part === 'node_modules'),
    )
    .map((f) => path.join(dir, f));
}

/** What tsconfig.build.json compiles into dist/. */
function distSources(): string[] {
  return ['lib', 'examples', 'bench'].flatMap((d) => sourcesUnder(path.join(root, d)));
}

/**
 * lib/'s entries in dist/ (CommonJS, ESM and types), and the tracer, a directory (lib/trace/) whose
 * dist/lib/trace/index.js a build from before it was one lacks.
 */
const LIB = [
  ...['index', 'promises', 'libc'].flatMap((e) => ['.js', '.mjs', '.d.ts'].map((ext) => `dist/lib/${e}${ext}`)),
  'dist/lib/trace/index.js',
];

/** True when every output exists and none is older than the newest source. */
function fresh(outputs: string[], sources: string[]): boolean {
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  return outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest);
}

/** Sleeps the thread (suites are synchronous where they build). */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs fn holding test/.build/<name>.lock, a directory only one process can make: suites run in
 * parallel, and two builds writing dist/ at once could each read the other's half-written files.
 * A lock older than ten minutes is taken to be left by a run that died.
 */
function locked<T>(name: string, fn: () => T): T {
  mkdirSync(buildDir, { recursive: true });
  const lock = path.join(buildDir, `${name}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      sleepMs(100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** What tsc writes for a source: the module, its types and their maps. */
const EMITTED = /\.(js|d\.ts|js\.map|d\.ts\.map)$/;

/**
 * Removes what an earlier build wrote in dist/ for a source that is gone. tsc leaves such files, and
 * one can shadow a live one: a dist/lib/trace.js from before lib/trace.ts became lib/trace/ is what
 * require('./trace') loads, not trace/index.js (npm run build:ts empties dist/ first for this). The
 * ESM entries (.mjs) are gen-esm.js's and are left alone.
 */
function removeOrphans(): void {
  for (const dir of ['lib', 'examples', 'bench']) {
    const out = path.join(root, 'dist', dir);
    if (!existsSync(out)) continue;
    for (const f of readdirSync(out, { recursive: true, encoding: 'utf8' })) {
      const emitted = EMITTED.exec(f);
      if (emitted !== null && !existsSync(path.join(root, dir, `${f.slice(0, emitted.index)}.ts`))) {
        rmSync(path.join(out, f), { force: true });
      }
    }
  }
}

/**
 * Makes dist/ fresh for lib/'s entries and the `others` a suite runs (paths under the root, e.g.
 * 'dist/examples/server.js'): when one is missing or older than any source under lib/, examples/
 * or bench/ (each read recursively: lib/trace/ too), removes what dist/ holds for sources that are
 * gone, then runs `tsc -p tsconfig.build.json` and scripts/gen-esm.js, as `npm run build:ts` does.
 * tsc still writes dist/ when some file fails to type-check: lint reports that, so this fails only
 * when the outputs are still not fresh afterwards.
 */
export function ensureDist(...others: string[]): void {
  const outputs = [...LIB, ...others];
  const files = outputs.map((f) => path.join(root, f));
  if (fresh(files, distSources())) return;
  locked('dist', () => {
    if (fresh(files, distSources())) return; // another suite built it meanwhile
    removeOrphans();
    const tsc = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    const esm = spawnSync(process.execPath, [path.join(root, 'scripts/gen-esm.js')], { cwd: root, encoding: 'utf8' });
    if (esm.status !== 0) throw new Error(`node scripts/gen-esm.js failed:\n${esm.stdout}${esm.stderr}`);
    if (!fresh(files, distSources())) {
      throw new Error(`tsc -p tsconfig.build.json left ${outputs.join(', ')} stale:\n${tsc.stdout}${tsc.stderr}`);
    }
  });
}

let compiled: { index: string; promises: string; libc: string } | undefined;

/**
 * lib/ compiled to CommonJS under test/.build/ (keyed by the sources' mtimes,
 * so it is rebuilt when lib/ changes and never touches dist/): the paths a
 * Worker or a child process requires for `bsdsock` and `bsdsock/promises`.
 */
export function compiledLib(): { index: string; promises: string; libc: string } {
  // One build per test file, even if lib/ changes while the file runs.
  compiled ??= compileLib();
  return compiled;
}

function compileLib(): { index: string; promises: string; libc: string } {
  const hash = createHash('sha256');
  for (const f of sourcesUnder(path.join(root, 'lib')).sort()) {
    hash.update(`${path.relative(root, f)}:${statSync(f).mtimeMs};`);
  }
  const out = path.join(buildDir, `promises-lib-${hash.digest('hex').slice(0, 16)}`);
  const paths = {
    index: path.join(out, 'lib', 'index.js'),
    promises: path.join(out, 'lib', 'promises.js'),
    libc: path.join(out, 'lib', 'libc.js'),
  };
  if (existsSync(paths.promises) && existsSync(paths.libc)) return paths;
  // Suites run in parallel: each compiles into its own directory and the first rename wins.
  const scratch = `${out}.tmp-${process.pid}`;
  mkdirSync(buildDir, { recursive: true });
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      scratch,
      '--rootDir',
      root,
      '--target',
      'ES2022',
      '--module',
      'node16',
      '--moduleResolution',
      'node16',
      '--esModuleInterop',
      '--skipLibCheck',
      // Emit only: the types are checked by the lint step, and a type error elsewhere must not stop these tests.
      '--noCheck',
      '--types',
      'node',
      path.join(root, 'lib', 'index.ts'),
      path.join(root, 'lib', 'promises.ts'),
      path.join(root, 'lib', 'libc.ts'),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`tsc of lib/ failed:\n${tsc.stdout}${tsc.stderr}`);
  try {
    renameSync(scratch, out);
  } catch {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!existsSync(paths.promises)) throw new Error(`compiled lib missing at ${out}`);
  return paths;
}

/** A fresh temporary directory named after `prefix`, a path in it, and a function that removes it. */
export function tempDir(prefix: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `bsdsock-${prefix}-`));
  return { dir, path: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
