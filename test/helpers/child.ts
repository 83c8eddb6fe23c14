// Child processes: one that runs alongside the test and is read line by line, one run to its end
// for its output, and Node programs that load the compiled lib/ (Workers and children cannot load
// TypeScript).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { compiledLib, root } from './build';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running child process whose stdout is read line by line and whose stderr is kept. */
export class Child {
  readonly lines: string[] = [];
  /** Resolves once the process has exited and its pipes are closed (every line it printed is read). */
  readonly exited: Promise<Exit>;
  private out = '';
  private err = '';
  private closed = false;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly proc: ChildProcess) {
    let partial = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      this.out += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake();
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => (this.err += chunk));
    // 'close', not 'exit': only then has every line the child printed been read.
    this.exited = once(proc, 'close').then(([code, signal]) => {
      if (partial !== '') this.lines.push(partial);
      this.closed = true;
      this.wake();
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /** Spawns cmd with piped stdio (options as spawn takes them). */
  static spawn(cmd: string, args: readonly string[], options: SpawnOptions = {}): Child {
    return new Child(spawn(cmd, args, { cwd: root, ...options, stdio: 'pipe' }));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Everything it wrote to stdout / stderr so far. */
  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** True until the process has exited. */
  running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The first line that starts with `prefix`, once the child prints it; throws if it ends first. */
  async line(prefix: string): Promise<string> {
    return this.find(prefix, 0);
  }

  /** The next line (after the last one `next` returned) that starts with `prefix`. */
  async next(prefix: string): Promise<string> {
    return this.find(prefix, this.cursor, true);
  }

  /** Writes a line to its stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /** Kills it (SIGKILL unless told) if it still runs, and waits until it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.running()) this.proc.kill(signal);
    return this.exited;
  }

  private async find(prefix: string, from: number, advance = false): Promise<string> {
    for (;;) {
      const at = this.lines.findIndex((l, k) => k >= from && l.startsWith(prefix));
      if (at >= 0) {
        if (advance) this.cursor = at + 1;
        return this.lines[at];
      }
      if (this.closed) {
        const how = this.proc.exitCode ?? this.proc.signalCode;
        throw new Error(`the child ended (${how}) before printing "${prefix}":\n${this.out}\n${this.err}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A server process started by startServer: the process, the port it listens on, what it printed, its end. */
export interface ListeningServer {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

/**
 * Starts `node script ...args` and waits until it prints `listening on 127.0.0.1:<port>`; throws
 * (with its output) if it ends first.
 */
export async function startServer(script: string, args: readonly string[]): Promise<ListeningServer> {
  const child = Child.spawn(process.execPath, [script, ...args]);
  child.proc.stdin?.end();
  const line = await child.line('listening on 127.0.0.1:');
  const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(line)?.[1]);
  if (!Number.isInteger(port)) throw new Error(`no port in "${line}"`);
  return { child: child.proc, port, stdout: () => child.stdout(), stderr: () => child.stderr(), exited: child.exited };
}

/** Runs cmd to its end; resolves with its exit and everything it wrote, once its pipes are closed. */
export async function runToEnd(
  cmd: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = Child.spawn(cmd, args, options);
  child.proc.stdin?.end();
  const exit = await child.exited;
  return { ...exit, stdout: child.stdout(), stderr: child.stderr() };
}

/** The environment a Node child gets: BSDSOCK and BSDSOCK_PROMISES name the compiled lib to require (unless `lib` is false). */
function libEnv(env: NodeJS.ProcessEnv = {}, lib = true): NodeJS.ProcessEnv {
  if (!lib) return { ...process.env, ...env };
  const paths = compiledLib();
  return { ...process.env, BSDSOCK: paths.index, BSDSOCK_PROMISES: paths.promises, ...env };
}

/**
 * Starts Node running `code` alongside the test, with S = bsdsock, P = bsdsock/promises (the
 * compiled lib; not loaded with `promises: false`) and out(line) writing a line to stdout at once.
 * `args` become process.argv.slice(1); `prefix` is a command that runs Node (prlimit ..., setpriv ...).
 */
export function nodeChild(
  code: string,
  options: { args?: string[]; prefix?: string[]; env?: NodeJS.ProcessEnv; promises?: boolean } = {},
): Child {
  const script = `
    const fs = require('fs');
    const S = require(process.env.BSDSOCK);
    ${options.promises === false ? '' : 'const P = require(process.env.BSDSOCK_PROMISES);'}
    const out = (line) => fs.writeSync(1, line + '\\n');
    ${code}`;
  const argv = [...(options.prefix ?? []), process.execPath, '-e', script, ...(options.args ?? [])];
  return Child.spawn(argv[0], argv.slice(1), { env: libEnv(options.env) });
}

/**
 * Runs Node to its end: `-e code` (or a script file with `file`), the environment with BSDSOCK and
 * BSDSOCK_PROMISES (the paths to require; left out with `lib: false`) plus `env`, `prefix` a command
 * that runs Node, `nodeArgs` before the script; killed with SIGKILL after limitMs.
 */
export function runNode(
  source: { code: string } | { file: string },
  options: {
    env?: NodeJS.ProcessEnv;
    prefix?: string[];
    nodeArgs?: string[];
    limitMs?: number;
    cwd?: string;
    lib?: boolean;
  } = {},
): SpawnSyncReturns<string> {
  const script = 'code' in source ? ['-e', source.code] : [source.file];
  const argv = [...(options.prefix ?? []), process.execPath, ...(options.nodeArgs ?? []), ...script];
  return spawnSync(argv[0], argv.slice(1), {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    timeout: options.limitMs ?? 20000,
    killSignal: 'SIGKILL',
    env: libEnv(options.env, options.lib),
  });
}

/** runNode, which must exit 0: its stdout and stderr, or a failure that shows them. */
export function runNodeOk(
  source: { code: string } | { file: string },
  options: Parameters<typeof runNode>[1] = {},
): { stdout: string; stderr: string } {
  const r = runNode(source, options);
  if (r.status !== 0) throw new Error(`node failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
