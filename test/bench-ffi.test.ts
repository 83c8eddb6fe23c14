// bench/ffi, the benchmark's node:ffi peer (libc bound by hand through Node's own FFI): on a Node
// that has node:ffi (26; `npm run test:nodes` runs this suite there), its ping-pong, bulk and churn
// programs run against each other and check their bytes, as `npm run bench` runs them; on a Node
// without it, each program says so and exits 1, and the harness leaves their rows out
// (bench-quick.test.ts).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureDist, root } from './helpers/build';
import { Child, runToEnd } from './helpers/child';

beforeAll(() => {
  ensureDist('dist/bench/ffi/pingpong.js', 'dist/bench/ffi/bulk.js', 'dist/bench/ffi/churn.js');
}, 120_000);

const program = (name: string): string => path.join(root, 'dist', 'bench', 'ffi', `${name}.js`);

// In a child, so that loading node:ffi prints no ExperimentalWarning into the test's output.
const hasFfi =
  spawnSync(process.execPath, [
    '--no-warnings',
    '-e',
    "process.exit(typeof process.getBuiltinModule === 'function' && process.getBuiltinModule('node:ffi') ? 0 : 3)",
  ]).status === 0;

const cases: [string, string[], string[], number][] = [
  ['pingpong', [], ['300'], 300],
  ['bulk', [], [String(1 << 20)], 1 << 20],
  ['churn', ['50'], ['50'], 50],
];

(hasFfi ? describe : describe.skip)(`on a Node with node:ffi (${process.version})`, () => {
  test.each(cases)(
    '%s: server and client run to the end and agree on the count',
    async (name, serverArgs, clientArgs, n) => {
      const server = Child.spawn(process.execPath, ['--no-warnings', program(name), 'server', '0', ...serverArgs]);
      try {
        const port = (await server.line('port ')).split(' ')[1];
        const client = await runToEnd(process.execPath, [
          '--no-warnings',
          program(name),
          'client',
          port,
          ...clientArgs,
        ]);
        expect({ code: client.code, stderr: client.stderr }).toEqual({ code: 0, stderr: '' });
        expect(client.stdout).toMatch(new RegExp(`^done n=${n} ns=\\d+\\n$`));
        expect(await server.line('done ')).toMatch(new RegExp(`^done n=${n} cpu_us=\\d+$`));
        expect((await server.exited).code).toBe(0);
      } finally {
        await server.kill();
      }
    },
  );
});

(hasFfi ? test.skip : test)(
  `on a Node without node:ffi (${process.version}), each program says so and exits 1`,
  async () => {
    for (const [name] of cases) {
      const r = await runToEnd(process.execPath, [program(name), 'server', '0']);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
      expect(r.stderr).toBe(`node:ffi is not available on this Node (${process.version})\n`);
    }
  },
);
