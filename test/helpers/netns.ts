// A fresh network namespace per run: `unshare -n` (root), else `unshare -rn` (an unprivileged user
// namespace), with lo up. Programs that use a fixed port (the seed's 8080) or need routes of their
// own run there, so nothing on the host is in their way and no TIME_WAIT outlives a run. Whether this
// machine can make one is probed once, by networkNamespace() in tools.ts: a test that needs one runs
// under testNeeding(netns()) or describeNeeding(netns()), and is skipped (or fails, in CI) without.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { networkNamespace } from './tools';

/**
 * The argv prefix that runs a command in a fresh network namespace with lo up, after the shell
 * commands of `setup` (e.g. `ip route add ...`): append the command's own argv to it. Null when
 * this machine has no namespaces to give.
 */
export function netnsPrefix(...setup: string[]): string[] | null {
  const ns = networkNamespace().argv;
  if (ns === null) return null;
  return [...ns, 'sh', '-c', ['ip link set lo up', ...setup, 'exec "$@"'].join(' && '), 'sh'];
}

/**
 * netnsPrefix(), for a test that runs only where there is a namespace (under testNeeding(netns()) or
 * describeNeeding(netns())); elsewhere, a failure that says what `what` needs and why there is none.
 */
export function requireNetns(what: string, ...setup: string[]): string[] {
  const prefix = netnsPrefix(...setup);
  if (prefix === null) {
    const { need } = networkNamespace();
    throw new Error(`${what} needs a network namespace: ${need.missing ?? 'none'}: ${need.how}`);
  }
  return prefix;
}

/** argv as one sh command line, each word single-quoted. */
export function shQuote(argv: readonly string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** What one program of a run printed, and its exit status. */
export interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Runs a server (if any) in the background and waits until its stdout has `listening` (or it has
 * exited), then runs the client; both in one fresh network namespace (`prefix` from netnsPrefix(),
 * or [] for the host's). Each program runs in `dir`, killed after killAfter seconds, its output in
 * server.out/.err and client.out/.err (and whatever files its argv writes there).
 */
export function serverThenClient(options: {
  dir: string;
  prefix: string[];
  server: readonly string[] | null;
  client: readonly string[];
  listening: string;
  killAfter: number;
  env?: NodeJS.ProcessEnv;
}): { server: Outcome | null; client: Outcome } {
  const { dir, server, killAfter } = options;
  const program = (name: string, argv: readonly string[]): string =>
    `timeout -s KILL ${killAfter} ${shQuote(argv)} >${name}.out 2>${name}.err`;
  const script = [
    'set -u',
    ...(server === null
      ? []
      : [
          `${program('server', server)} &`,
          'spid=$!',
          'i=0',
          // Poll (at most killAfter seconds) for the listening line; stop early if the server has exited.
          `until grep -qF ${shQuote([options.listening])} server.out; do`,
          '  kill -0 "$spid" 2>/dev/null || break',
          `  i=$((i + 1)); [ "$i" -le ${killAfter * 100} ] || break`,
          '  sleep 0.01',
          'done',
        ]),
    program('client', options.client),
    'echo $? >client.status',
    ...(server === null ? [] : ['wait "$spid"', 'echo $? >server.status']),
  ].join('\n');
  const argv = [...options.prefix, 'sh', '-c', script];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: dir,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: 3 * killAfter * 1000,
  });
  if (r.status !== 0) throw new Error(`the run script failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  const read = (name: string): Outcome => ({
    stdout: readFileSync(path.join(dir, `${name}.out`), 'utf8'),
    stderr: readFileSync(path.join(dir, `${name}.err`), 'utf8'),
    status: Number(readFileSync(path.join(dir, `${name}.status`), 'utf8')),
  });
  return { server: server === null ? null : read('server'), client: read('client') };
}
