// errno as C has it: a live binding each failed call sets and each
// successful call leaves alone; strerror and perror give the C library's own
// words (compared with test/c/errno.c, compiled here); errnoName names values.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as bsdsock from 'bsdsock';
import {
  AF_INET,
  EAFNOSUPPORT,
  EBADF,
  ECONNREFUSED,
  EINVAL,
  ENOTTY,
  SOCK_STREAM,
  close,
  errno,
  errnoName,
  errnoNames,
  perror,
  setErrno,
  socket,
  strerror,
} from 'bsdsock';
import { ensureDist, root } from './helpers/build';
import { compileC, runC } from './helpers/c';
import { runNode } from './helpers/child';
import { bad, expectThrown } from './helpers/errors';
import { cc, testNeeding } from './helpers/tools';

const distIndex = path.join(root, 'dist', 'lib', 'index.js');
const distModule = path.join(root, 'dist', 'lib', 'index.mjs');
// The C library's messages are those of the C locale in every process compared here.
const env = { ...process.env, LC_ALL: 'C' };

/** Every errno constant this platform defines, by name. */
const errnoValues: [string, number][] = errnoNames
  .map((name): [string, unknown] => [name, (bsdsock as unknown as Record<string, unknown>)[name]])
  .filter((entry): entry is [string, number] => typeof entry[1] === 'number');

/** Runs a Node program (CommonJS unless `module`) and returns its exit status and output. */
function runDist(script: string, module = false): { status: number | null; stdout: string; stderr: string } {
  return runNode(
    { code: script },
    { env, nodeArgs: module ? ['--input-type=module'] : [], limitMs: 60000, lib: false },
  );
}

// The C reference (test/c/errno.c), for the tests that compare with the C library: they need a C
// compiler, and are skipped without one (see helpers/tools.ts).
const withC = testNeeding(cc());
let errnoProgram: string;
beforeAll(() => {
  // The children and the Worker here load dist/, as a user's program does.
  ensureDist();
  if (cc().missing === null) errnoProgram = compileC(path.join(root, 'test/c/errno.c'));
}, 180000);

/** What the C library's perror(s) writes with errno = n (s null: perror(NULL)). */
function cPerror(n: number, s: string | null): string {
  return runC(errnoProgram, ['perror', String(n), s ?? '-'], env).stderr;
}

describe('errno is a live binding', () => {
  test('each failed call sets it; the imported name shows the newest value', () => {
    setErrno(0);
    expect(close(-1)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(socket(-1, SOCK_STREAM, 0)).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
    expect(bsdsock.errno).toBe(EAFNOSUPPORT);
  });

  test('a successful call leaves errno unchanged, whatever it holds', () => {
    expect(close(-1)).toBe(-1);
    expect(errno).toBe(EBADF);
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(close(fd)).toBe(0);
    expect(errno).toBe(EBADF);

    setErrno(0);
    const again = socket(AF_INET, SOCK_STREAM, 0);
    expect(again).toBeGreaterThanOrEqual(0);
    expect(close(again)).toBe(0);
    expect(errno).toBe(0);
  });

  test('a program may set it, as C code assigns errno = 0', () => {
    setErrno(EINVAL);
    expect(errno).toBe(EINVAL);
    setErrno(0);
    expect(errno).toBe(0);
  });

  test('CommonJS: require(...).errno shows the latest value', () => {
    const r = runDist(
      `const b = require(${JSON.stringify(distIndex)});` +
        'const seen = [b.errno]; b.close(-1); seen.push(b.errno); b.socket(-1, b.SOCK_STREAM, 0); seen.push(b.errno);' +
        'const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0); b.close(fd); seen.push(b.errno);' +
        'process.stdout.write(JSON.stringify(seen));',
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([0, EBADF, EAFNOSUPPORT, EAFNOSUPPORT]);
  });

  test('native ESM: the imported errno binding follows each failure', () => {
    const r = runDist(
      `import { errno, close, socket, AF_INET, SOCK_STREAM } from ${JSON.stringify(distModule)};` +
        'const seen = [errno]; close(-1); seen.push(errno); socket(-1, SOCK_STREAM, 0); seen.push(errno);' +
        'const fd = socket(AF_INET, SOCK_STREAM, 0); close(fd); seen.push(errno);' +
        'process.stdout.write(JSON.stringify(seen));',
      true,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([0, EBADF, EAFNOSUPPORT, EAFNOSUPPORT]);
  });

  test('each worker thread has its own errno', async () => {
    setErrno(ENOTTY);
    const worker = new Worker(
      "const { parentPort } = require('node:worker_threads');" +
        `const b = require(${JSON.stringify(distIndex)});` +
        'const before = b.errno; b.close(-1); parentPort.postMessage([before, b.errno]);',
      { eval: true },
    );
    const seen = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen).toEqual([0, EBADF]);
    expect(errno).toBe(ENOTTY);
  }, 60000);
});

describe('strerror', () => {
  withC("equals the C library's strerror for every errno value, 0 and unknown numbers", () => {
    const numbers = [0, -1, 4000, 255, ...new Set(errnoValues.map(([, v]) => v))];
    const r = runC(errnoProgram, ['strerror', ...numbers.map(String)], env);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(numbers.length);
    for (const line of lines) {
      const tab = line.indexOf('\t');
      const n = Number(line.slice(0, tab));
      expect([n, strerror(n)]).toEqual([n, line.slice(tab + 1)]);
    }
  });

  test('gives distinct messages for distinct errors', () => {
    expect(strerror(ECONNREFUSED)).not.toBe(strerror(EBADF));
  });

  test('does not change errno', () => {
    setErrno(ENOTTY);
    strerror(EBADF);
    expect(errno).toBe(ENOTTY);
  });

  test('a non-integer errnum throws', () => {
    expectThrown(() => strerror(bad('EBADF')), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'strerror',
      param: 'errnum',
    });
    expectThrown(() => strerror(1.5), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'strerror', param: 'errnum' });
  });
});

describe('perror', () => {
  /** Runs `setup; perror(arg)` in a child and returns what it wrote, with errno afterwards. */
  function perrorIn(setup: string, arg: string): { stderr: string; stdout: string } {
    const r = runDist(
      `const b = require(${JSON.stringify(distIndex)}); ${setup}; b.perror(${arg});` +
        'process.stdout.write(String(b.errno));',
    );
    expect(r.status).toBe(0);
    return { stderr: r.stderr, stdout: r.stdout };
  }

  withC('writes exactly "s: <message>\\n" to stderr for the current errno, as C perror does', () => {
    const { stderr, stdout } = perrorIn('b.close(-1)', "'close'");
    expect(stderr).toBe(`close: ${strerror(EBADF)}\n`);
    expect(stderr).toBe(cPerror(EBADF, 'close'));
    expect(stdout).toBe(String(EBADF));
  });

  withC('uses errno as a program set it', () => {
    const { stderr } = perrorIn('b.setErrno(b.ECONNREFUSED)', "'connect'");
    expect(stderr).toBe(`connect: ${strerror(ECONNREFUSED)}\n`);
    expect(stderr).toBe(cPerror(ECONNREFUSED, 'connect'));
  });

  withC('a prefix is written as its UTF-8 bytes', () => {
    const { stderr } = perrorIn('b.close(-1)', "'échec de close'");
    expect(stderr).toBe(cPerror(EBADF, 'échec de close'));
  });

  withC('null or an empty prefix: the message alone, as C perror(NULL) and perror("")', () => {
    expect(perrorIn('b.close(-1)', 'null').stderr).toBe(cPerror(EBADF, null));
    expect(perrorIn('b.close(-1)', "''").stderr).toBe(cPerror(EBADF, ''));
    expect(perrorIn('b.close(-1)', 'null').stderr).toBe(`${strerror(EBADF)}\n`);
  });

  withC("errno 0: the C library's wording for no error", () => {
    expect(perrorIn('b.setErrno(0)', "'nothing'").stderr).toBe(cPerror(0, 'nothing'));
  });

  test('a prefix that is not a string throws before anything is written, errno untouched', () => {
    expectThrown(() => perror(bad(42)), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'perror', param: 's' });
    const r = runDist(
      `const b = require(${JSON.stringify(distIndex)}); b.close(-1);` +
        'try { b.perror(42); } catch (e) { process.stdout.write(e.code + " " + b.errno); }',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`ERR_INVALID_ARG_TYPE ${EBADF}`);
  });
});

describe('errnoName', () => {
  test('names common values', () => {
    expect(errnoName(ECONNREFUSED)).toBe('ECONNREFUSED');
    expect(errnoName(EBADF)).toBe('EBADF');
    expect(errnoName(EAFNOSUPPORT)).toBe('EAFNOSUPPORT');
  });

  test('for every errno constant, a name whose constant has that value (aliases share one)', () => {
    expect(errnoValues.length).toBeGreaterThan(50);
    const byName = new Map(errnoValues);
    for (const [name, value] of errnoValues) {
      const got = errnoName(value);
      expect([name, got !== undefined && byName.get(got) === value]).toEqual([name, true]);
    }
  });

  test('values that are no errno: undefined', () => {
    const known = new Set(errnoValues.map(([, v]) => v));
    for (const n of [0, -1, 99999]) {
      expect(known.has(n)).toBe(false);
      expect(errnoName(n)).toBeUndefined();
    }
  });
});
