// npm run soak (scripts/soak.js), short: the compiled echo server under
// connect/echo/close churn from bench/c/soak-client.c. The verdict must say
// the server's descriptors stayed under their ceiling during the load and came
// back to their rest after it, every echo was verified, and the server exited 0
// after serving every connection the client counted.
import { join } from 'node:path';
import { root } from './helpers/build';
import { runToEnd } from './helpers/child';
import { cc, testNeeding } from './helpers/tools';

const script = join(root, 'scripts/soak.js');

/** Runs the soak script to the end; resolves once its pipes are closed. */
const soak = (args: string[]): ReturnType<typeof runToEnd> => runToEnd(process.execPath, [script, ...args]);

function match(text: string, re: RegExp): RegExpExecArray {
  const m = re.exec(text);
  if (m === null) throw new Error(`no line matches ${String(re)} in:\n${text}`);
  return m;
}

// scripts/soak.js builds its C load generator with cc: without one this test is skipped (helpers/tools.ts).
testNeeding(cc())(
  'a 20-second soak: no descriptor leaked, every echo verified, clean server exit',
  async () => {
    const run = await soak(['--seconds', '20']);
    const output = `${run.stdout}\n${run.stderr}`;
    expect({ code: run.code, output }).toEqual({ code: 0, output });

    // Two report rows (t = 10 and 20 s), each with all six measurements.
    const rows = run.stdout.match(/^ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+$/gm) ?? [];
    expect(rows).toHaveLength(2);

    // Descriptors. During the load each row's count must stay under the ceiling scripts/soak.js derives
    // (descriptorCeiling): the server's rest plus one per connection the workers have open, one per
    // connection they closed since the server's last poll phase, and two dispatches' worth of accepts. It
    // counts events, not time, so a busy machine cannot cross it (an earlier check compared two samples of
    // a count that moves within that range, and failed on a busy machine). After the load, once the server
    // has read every end of file (the script's probe makes sure, without a clock), it must hold exactly the
    // descriptors it held before the load.
    const fds = match(
      run.stdout,
      /^descriptors: (no leak|leaked): at most (\d+) during the load \(t=\d+ s\), ceiling (\d+) = (\d+) at rest \+ 2 × 50 workers \+ \d+; at rest (\d+) before the load, (\d+) after \(\d+ probe round trips\)$/m,
    );
    expect(fds[1]).toBe('no leak');
    expect(Number(fds[2])).toBeLessThanOrEqual(Number(fds[3]));
    expect(Number(fds[4])).toBe(Number(fds[5]));
    expect(Number(fds[6])).toBe(Number(fds[5]));

    // wrong: an echo that differs from what was sent; failed: a connection refused or reset, or a call
    // with no answer within the client's 60-s timeout, which no slowness of a busy machine reaches.
    const echoes = match(run.stdout, /^echoes: (\d+) round trips verified, (\d+) wrong, (\d+) failed$/m);
    const roundTrips = Number(echoes[1]);
    expect(roundTrips).toBeGreaterThan(0);
    expect({ wrong: Number(echoes[2]), failed: Number(echoes[3]) }).toEqual({ wrong: 0, failed: 0 });

    // Every verified round trip was one connection the server accepted and closed.
    const served = match(run.stdout, /^server: exited 0 after SIGTERM: closed: (\d+) connections served$/m);
    expect(Number(served[1])).toBeGreaterThanOrEqual(roundTrips);

    expect(run.stdout).toMatch(/^rss: (settled|still growing): \d+ KiB .*: [+-]\d+ KiB \([+-][\d.]+ %\)$/m);
    expect(run.stdout).toMatch(/^soak: PASS$/m);
  },
  180_000,
);

test('a bad --seconds is refused before anything starts', async () => {
  const run = await soak(['--seconds', '0']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--seconds wants an integer from 1 to \d+, got 0/);
  expect(run.stdout).toBe('');
});
