// The fuzzer's call table (scripts/fuzz/table.ts) against what the package exports: every function of
// bsdsock and bsdsock/promises has a generator, the table names nothing that is not exported, and every
// generator makes its call's arguments. Then one short real run with --self-test, whose three planted
// bugs must all be caught.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as bsdsock from 'bsdsock';
import * as promises from 'bsdsock/promises';
import { CALLS, HELPERS } from '../lib/calls';
import { reproduceCommand, type Options } from '../scripts/fuzz/options';
import { isClass } from '../scripts/fuzz/runner';
import { NAMES, TABLE, entryOf, resultOf, tableProblems, type Api, type FuzzName } from '../scripts/fuzz/table';

const root = path.join(__dirname, '..');
const fuzzer = path.join(root, 'dist', 'scripts', 'fuzz', 'main.js');

type Fn = (...args: unknown[]) => unknown;

/** The functions (not classes) a module exports, by name. */
function functionsOf(m: object): Map<string, Fn> {
  const out = new Map<string, Fn>();
  for (const [k, v] of Object.entries(m)) if (typeof v === 'function' && !isClass(v as Fn)) out.set(k, v as Fn);
  return out;
}

const sync = functionsOf(bsdsock);
const promisesApi = functionsOf(promises);
const inTable = (k: string): boolean => Object.hasOwn(TABLE, k);

describe('the call table', () => {
  test('has a generator for every function of bsdsock', () => {
    expect([...sync.keys()].filter((k) => !inTable(k))).toEqual([]);
  });

  test('has a generator for every function of bsdsock/promises', () => {
    expect([...promisesApi.keys()].filter((k) => !inTable(k))).toEqual([]);
  });

  test('names nothing that is not exported', () => {
    expect(NAMES.filter((k) => !sync.has(k) && !promisesApi.has(k))).toEqual([]);
  });

  test('is keyed by the registry: every call and helper, nothing else', () => {
    expect([...NAMES].sort()).toEqual([...Object.keys(CALLS), ...HELPERS].sort());
  });

  test('has nothing the compiler cannot see missing (a parameter generator, an out-pointer size)', () => {
    expect(tableProblems()).toEqual([]);
  });

  test('every generator makes its call’s arguments, in both APIs', () => {
    const made: string[] = [];
    for (const name of NAMES) {
      const apis: Api[] = [];
      if (sync.has(name)) apis.push('bsdsock');
      if (promisesApi.has(name) && promisesApi.get(name) !== sync.get(name)) apis.push('bsdsock/promises');
      for (const api of apis) {
        for (let i = 0; i < 20; i++) {
          const { args } = TABLE[name].gen({ name, api });
          const entry = entryOf(name);
          // fcntl may leave out its last argument, as C's variadic call does.
          const expected = entry === undefined ? args.length : entry.params.length;
          if (args.length !== expected && !(name === 'fcntl' && args.length === expected - 1)) {
            made.push(`${api}.${name}: ${args.length} arguments for ${expected} parameters`);
          }
        }
      }
    }
    expect(made).toEqual([]);
  });

  test('a result kind for every name, the registry’s where the row gives none', () => {
    const syscallDefaults = (Object.keys(CALLS) as FuzzName[]).filter((n) => TABLE[n].result === undefined);
    for (const n of syscallDefaults) expect(['zero', 'count', 'gai']).toContain(resultOf(n));
    expect(resultOf('getaddrinfo')).toBe('gai');
    expect(resultOf('recvfrom')).toBe('count');
    expect(resultOf('getpeername')).toBe('zero');
  });
});

describe('the reproducer line', () => {
  test('repeats every option that changes the calls made', () => {
    const o: Options = {
      seconds: 30,
      seed: 7,
      calls: Infinity,
      only: ['recv', 'accept'],
      syncOnly: true,
      trace: true,
      verbose: false,
      selfTest: false,
      dist: false,
    };
    expect(reproduceCommand(o, 1234)).toBe(
      'npm run fuzz -- --seed 7 --calls 1234 --seconds 60 --trace --only recv,accept --sync-only',
    );
  });
});

/** Compiles the TypeScript to dist/ when the fuzzer there is missing or older than its sources or lib/. */
function ensureCompiled(): void {
  const sources = ['scripts/fuzz', 'lib']
    .flatMap((dir) =>
      fs.readdirSync(path.join(root, dir), { recursive: true }).map((f) => path.join(root, dir, String(f))),
    )
    .filter((f) => f.endsWith('.ts'));
  const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  const outputs = fs.existsSync(path.dirname(fuzzer))
    ? fs
        .readdirSync(path.dirname(fuzzer))
        .filter((f) => f.endsWith('.js'))
        .map((f) => path.join(path.dirname(fuzzer), f))
    : [];
  if (outputs.includes(fuzzer) && outputs.every((f) => fs.statSync(f).mtimeMs >= newest)) return;
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (!fs.existsSync(fuzzer)) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
}

describe('a real run', () => {
  test('--self-test for 5 s catches the three planted bugs', () => {
    ensureCompiled();
    const r = spawnSync(process.execPath, [fuzzer, '--seconds', '5', '--seed', '11', '--self-test'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    const summary = /^fuzz: seed 11: (\d+) calls \((\d+) promises\), (\d+) functions, (\d+) failure\(s\)$/m.exec(
      r.stdout,
    );
    if (summary === null) throw new Error(`no summary line in:\n${out}`);
    const [, calls, promiseCalls, functions, failed] = summary.map(Number);
    expect(calls).toBeGreaterThan(500);
    expect(promiseCalls).toBeGreaterThan(0);
    expect(functions).toBeGreaterThan(60);
    // The three planted bugs, and nothing else (each failure with its detail line, when one is not planted).
    const found = [
      ...r.stderr.matchAll(/^FAIL #\d+ at call \d+ \(seed 11\): (?:(bsdsock\.\w+)\(.*|(.*)\n(.*))$/gm),
    ].map((m) => m[1] ?? `${m[2]} | ${m[3]}`);
    expect({ failed, found: found.sort() }).toEqual({
      failed: 3,
      found: ['bsdsock.inet_ntoa', 'bsdsock.listen', 'bsdsock.recv'],
    });
    expect(r.stdout).toMatch(/^fuzz: self-test: every planted bug was caught$/m);
  }, 180_000);
});
