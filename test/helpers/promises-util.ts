// Shared pieces for the bsdsock/promises suites: settling promises without
// unhandled rejections, checking the errors they reject with, waiting for
// events instead of sleeping, and a compiled copy of lib/ that Workers and
// child processes (which cannot load TypeScript) can require.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { errnoName, strerror } from 'bsdsock';

const root = path.join(__dirname, '..', '..');

/** How a promise ended, recorded without letting a rejection go unhandled. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise's outcome, plus a synchronous view of whether it has settled yet. */
export interface Tracked<T> {
  /** The promise followed. */
  readonly promise: Promise<T>;
  readonly done: Promise<Outcome<T>>;
  settled(): boolean;
}

/** Follows p: its outcome, and whether it has settled so far. */
export function track<T>(p: Promise<T>): Tracked<T> {
  let finished = false;
  const done = p.then(
    (value): Outcome<T> => {
      finished = true;
      return { ok: true, value };
    },
    (error: unknown): Outcome<T> => {
      finished = true;
      return { ok: false, error };
    },
  );
  return { promise: p, done, settled: () => finished };
}

/** What a rejected promise API call carries. */
export interface RejectionShape {
  name: string;
  message: string;
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  bytesWritten?: unknown;
}

/** The value p rejects with (the test fails if p resolves). */
export async function rejection(p: Promise<unknown>): Promise<RejectionShape> {
  const outcome = await track(p).done;
  if (outcome.ok) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  // Errors made in lib/ come from jest's sandbox realm and the addon's from Node's: compared by shape.
  expect(Object.prototype.toString.call(outcome.error)).toBe('[object Error]');
  return outcome.error as RejectionShape;
}

/**
 * Checks a system error in Node's shape: `code` the errno name, `errno` the C
 * value, `syscall`, message `${syscall} ${code} (${strerror})`.
 */
export function expectSystemError(error: RejectionShape, syscall: string, errnum: number): void {
  const code = errnoName(errnum);
  expect(code).toBeDefined();
  expect(error.name).toBe('Error');
  expect(error.code).toBe(code);
  expect(error.errno).toBe(errnum);
  expect(error.syscall).toBe(syscall);
  expect(error.message).toBe(`${syscall} ${code!} (${strerror(errnum)})`);
}

/** Checks an AbortError as Node's own APIs make it. */
export function expectAbortError(error: RejectionShape): void {
  expect(error.name).toBe('AbortError');
  expect(error.code).toBe('ABORT_ERR');
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until cond() holds, checking every few ms; throws after `limitMs` (a liveness bound, not a timing check). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 20000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Races p against a generous bound. Resolves 'done' when p settles first,
 * 'stuck' otherwise: a test asserts 'done' where p cannot finish if the
 * behaviour under test is broken (a starved thread pool, a blocked loop).
 */
export async function finishes(p: Promise<unknown>, limitMs = 20000): Promise<'done' | 'stuck'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), limitMs);
  });
  try {
    return await Promise.race([
      p.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function newestSource(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.ts')) hash.update(`${name}:${statSync(path.join(dir, name)).mtimeMs};`);
  }
  return hash.digest('hex').slice(0, 16);
}

let compiled: { index: string; promises: string } | undefined;

/**
 * lib/ compiled to CommonJS under test/.build/ (keyed by the sources' mtimes,
 * so it is rebuilt when lib/ changes and never touches dist/): the paths a
 * Worker or a child process requires for `bsdsock` and `bsdsock/promises`.
 */
export function compiledLib(): { index: string; promises: string } {
  // One build per test file, even if lib/ changes while the file runs.
  compiled ??= compileLib();
  return compiled;
}

function compileLib(): { index: string; promises: string } {
  const key = newestSource(path.join(root, 'lib'));
  const out = path.join(root, 'test', '.build', `promises-lib-${key}`);
  const paths = { index: path.join(out, 'lib', 'index.js'), promises: path.join(out, 'lib', 'promises.js') };
  if (existsSync(paths.promises)) return paths;
  // Suites run in parallel: each compiles into its own directory and the first rename wins.
  const scratch = `${out}.tmp-${process.pid}`;
  mkdirSync(path.dirname(out), { recursive: true });
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

/**
 * Runs `code` (CommonJS) in a child node, with the paths to require for
 * `bsdsock` and `bsdsock/promises` in the environment variables BSDSOCK and
 * BSDSOCK_PROMISES; the child is killed after limitMs. nodeArgs go before `-e`.
 */
export function runChild(code: string, limitMs = 20000, nodeArgs: string[] = []): SpawnSyncReturns<string> {
  const lib = compiledLib();
  return spawnSync(process.execPath, [...nodeArgs, '-e', code], {
    cwd: root,
    encoding: 'utf8',
    timeout: limitMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, BSDSOCK: lib.index, BSDSOCK_PROMISES: lib.promises },
  });
}
