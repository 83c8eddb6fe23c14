// npm run soak (scripts/soak.js), short: the compiled echo server under
// connect/echo/close churn from bench/c/soak-client.c. The verdict must say
// the server's descriptors stayed flat, every echo was verified, and the
// server exited 0 after serving every connection the client counted.
import { join } from 'node:path';
import { root } from './helpers/build';
import { runToEnd } from './helpers/child';

const script = join(root, 'scripts/soak.js');

/** Runs the soak script to the end; resolves once its pipes are closed. */
const soak = (args: string[]): ReturnType<typeof runToEnd> => runToEnd(process.execPath, [script, ...args]);

function match(text: string, re: RegExp): RegExpExecArray {
  const m = re.exec(text);
  if (m === null) throw new Error(`no line matches ${String(re)} in:\n${text}`);
  return m;
}

test('a 20-second soak: descriptors flat, every echo verified, clean server exit', async () => {
  const run = await soak(['--seconds', '20']);
  const output = `${run.stdout}\n${run.stderr}`;
  expect({ code: run.code, output }).toEqual({ code: 0, output });

  // Two report rows (t = 10 and 20 s), each with all six measurements.
  const rows = run.stdout.match(/^ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+$/gm) ?? [];
  expect(rows).toHaveLength(2);

  const fds = match(
    run.stdout,
    /^descriptors: (\w+): (\d+) at t=\d+ s \(after warm-up\), (\d+) at t=\d+ s \(end\), allowed ±(\d+); at rest (\d+) before the load, (\d+) after$/m,
  );
  expect(fds[1]).toBe('flat');
  expect(Math.abs(Number(fds[3]) - Number(fds[2]))).toBeLessThanOrEqual(Number(fds[4]));
  expect(Number(fds[6])).toBe(Number(fds[5]));

  const echoes = match(run.stdout, /^echoes: (\d+) round trips verified, (\d+) wrong, (\d+) failed$/m);
  const roundTrips = Number(echoes[1]);
  expect(roundTrips).toBeGreaterThan(0);
  expect({ wrong: Number(echoes[2]), failed: Number(echoes[3]) }).toEqual({ wrong: 0, failed: 0 });

  // Every verified round trip was one connection the server accepted and closed.
  const served = match(run.stdout, /^server: exited 0 after SIGTERM: closed: (\d+) connections served$/m);
  expect(Number(served[1])).toBeGreaterThanOrEqual(roundTrips);

  expect(run.stdout).toMatch(/^rss: (settled|still growing): \d+ KiB .*: [+-]\d+ KiB \([+-][\d.]+ %\)$/m);
  expect(run.stdout).toMatch(/^soak: PASS$/m);
}, 180_000);

test('a bad --seconds is refused before anything starts', async () => {
  const run = await soak(['--seconds', '0']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--seconds wants an integer from 1 to \d+, got 0/);
  expect(run.stdout).toBe('');
});
