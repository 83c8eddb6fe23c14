// `npm run bench -- --quick` runs every workload once, small, so that the harness (its C references,
// its peers and its table) cannot rot unnoticed. Nothing here looks at a speed: only that each
// implementation ran, checked its bytes and reported a number.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureDist, root } from './helpers/build';
import { cc, prlimit, requireAll, taskset, testNeeding, which } from './helpers/tools';

const runner = path.join(root, 'dist/bench/run.js');

beforeAll(() => {
  // npm install compiles bench/ into dist/bench; recompiled when a source is newer.
  ensureDist('dist/bench/run.js');
}, 120_000);

// The harness builds its C references with cc, pins processes with taskset and raises the descriptor
// limit with prlimit: without them the test is skipped (see helpers/tools.ts).
testNeeding(cc(), taskset(), prlimit())(
  'every workload runs once in quick mode and reports a row per implementation',
  () => {
    const r = spawnSync(process.execPath, [runner, '--quick', '--no-write'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect({ status: r.status, signal: r.signal, stderr: r.status === 0 ? '' : r.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| '));
    const ffiRowsLeftOut = r.stdout.includes(
      `node:ffi (libc): not available on this Node (${process.version}); its rows are left out`,
    );
    expect(ffiRowsLeftOut).toBe(!rows.some((l) => l.includes('| node:ffi (libc) |')));
    const pair = (workload: string, impl: string): [string, string] => [workload, impl];
    const row = (workload: string, impl: string): string | undefined =>
      rows.find((l) => l.startsWith(`| ${workload} | ${impl}`));
    const expected: [string, string][] = [
      ['pingpong', 'C'],
      ['pingpong', 'bsdsock (sync)'],
      ['pingpong', 'node:net'],
      ['bulk', 'C'],
      ['bulk', 'bsdsock (sync)'],
      ['bulk', 'node:net'],
      ['churn', 'C'],
      ['churn', 'bsdsock (sync)'],
      ['churn', 'node:net'],
      ['echo', 'C'],
      ['echo', 'bsdsock (sync)'],
      ['echo', 'bsdsock/promises'],
      ['echo', 'node:net'],
      ['idle', 'bsdsock/promises'],
      ['idle', 'node:net'],
      ['trace', 'bsdsock (sync), tracing off'],
      // The floor of a Node process: C loops in Node (bench/floor), unless that addon did not build here
      // (which CI, with every tool installed, does not accept).
      ...(!requireAll && r.stdout.includes('C loop in a Node process (floor), C client: left out')
        ? []
        : ['pingpong', 'churn'].map((w) => pair(w, 'C loop in a Node process (floor), C client'))),
      // Python is an extra peer the harness leaves out where python3 is missing.
      ...(which('python3') === null ? [] : [pair('echo', 'Python selectors')]),
      // node:ffi rows on a Node that has node:ffi (26); elsewhere a line says they are left out.
      ...(ffiRowsLeftOut ? [] : ['pingpong', 'bulk', 'churn'].map((w) => pair(w, 'node:ffi (libc)'))),
    ];
    for (const [workload, impl] of expected) {
      const line = row(workload, impl);
      expect(line).toBeDefined();
      // The result column holds a measured, positive number.
      const result = line!.split('|')[3].trim();
      expect(Number(result.split(' ')[0].replace(/,/g, ''))).toBeGreaterThan(0);
    }
    // The placement and the versions are printed with the table.
    expect(r.stdout).toMatch(/placement: /);
    expect(r.stdout).toMatch(/versions: node v\d+/);
  },
  300_000,
);
