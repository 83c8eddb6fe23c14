// The classic C teaching programs of examples/c/ (showip, the stream, fork, UDP, poll, select and
// epoll servers and their clients, descriptor passing) and their line-by-line TypeScript ports
// (examples/NAME.ts, run compiled from dist/examples/NAME.js), in every pairing: C server + C client,
// C server + TS client, TS server + C client, TS server + TS client (a single program such as showip:
// C, then TS). The C/C run asserts what the programs must print; every other pairing must print,
// program by program, exactly what the C/C run printed, and exit with the same codes.
//
// How a port slots in: each example below names its server and client programs. A pairing runs
// when every TypeScript file it needs exists (examples/NAME.ts); until then it is a `test.todo`
// that names the missing file, and the C/C pairing runs alone. Writing examples/chatclient.ts turns
// "C server / TS client" of both chat servers into real tests, with nothing to change here.
//
// Determinism: servers are given port 0 and the test reads the port each prints on its first line;
// Unix socket paths are in a temporary directory; servers exit on their own after a number of
// connections given on argv. Chat and echo scenarios are driven step by step: the test writes a line
// to one client's stdin and waits until the expected text has appeared on the other clients' stdout
// (and the server's) before the next step, so the order of everything printed is fixed. No timing
// is asserted: every wait is a generous liveness bound (helpers/wait.ts).
//
// Normalization (the only rewriting done before two runs are compared, applied to stdout alone):
//   `port N`       -> `port <port1>`, `<port2>`, ... numbered by first appearance across the whole
//                     run (server first, then clients in start order): the kernel picks the port.
//   `socket N`,    -> `socket <fd1>`, `descriptor <fd1>`, ... numbered by first appearance within
//   `descriptor N`    one program's output: Node holds descriptors of its own before the program's
//                     first socket, so the numbers differ between C and TS, but which socket is which
//                     (and a number reused after close) must be the same.
//   `process N`    -> `process <pid1>`, ... by first appearance across the run: process ids.
// Nothing else is rewritten: every other byte must match.
//
// C's stdout is fully buffered into a pipe: the C programs run under `stdbuf -oL` so that each line
// reaches the test when it is printed (as on a terminal). Node's stdout to a pipe is synchronous.
import { existsSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { compileC } from './helpers/c';
import { Child, type Exit } from './helpers/child';
import { newSockets, openDescriptors } from './helpers/fds';
import { cc, describeNeeding } from './helpers/tools';
import { finishes, waitFor } from './helpers/wait';

/** A liveness bound for each wait (a program stuck forever fails the test; a slow machine does not). */
const LIMIT_MS = 30_000;

type Impl = 'c' | 'ts';
type Side = 'server' | 'client';

/** Which implementation runs on each side. A single program (no server) has only `client`. */
interface Pairing {
  server?: Impl;
  client: Impl;
}

/** What one program printed (normalized) and how it ended. */
interface Outcome {
  stdout: string;
  exit: string;
}

/** Every program a run started, by role, in start order. */
type Transcript = Record<string, Outcome>;

/** An example: its programs, the scenario that drives them, and what the C/C run must print. */
interface Example {
  title: string;
  /** The server's program name (examples/c/NAME.c, examples/NAME.ts); absent for a single program. */
  server?: string;
  /** The client's program name, or the single program's. */
  client: string;
  scenario: (run: Run) => Promise<void>;
  /** The C/C transcript (normalized), or a check of it where the machine decides some lines. */
  expected: Transcript | ((t: Transcript) => void);
  /** What the C/C run writes on stderr, by role: nothing, for a role not named. (Not compared across pairings.) */
  stderr?: Record<string, string>;
}

const TWO_SIDED: Pairing[] = [
  { server: 'c', client: 'c' },
  { server: 'c', client: 'ts' },
  { server: 'ts', client: 'c' },
  { server: 'ts', client: 'ts' },
];
const SINGLE: Pairing[] = [{ client: 'c' }, { client: 'ts' }];

const NAME: Record<Impl, string> = { c: 'C', ts: 'TS' };

function label(p: Pairing): string {
  return p.server === undefined ? NAME[p.client] : `${NAME[p.server]} server / ${NAME[p.client]} client`;
}

const tsSource = (program: string): string => path.join(root, 'examples', `${program}.ts`);
const tsCompiled = (program: string): string => path.join(root, 'dist', 'examples', `${program}.js`);

/** The TypeScript files a pairing needs that do not exist yet. */
function missingPorts(example: Example, p: Pairing): string[] {
  const needed: string[] = [];
  if (p.server === 'ts' && example.server !== undefined) needed.push(example.server);
  if (p.client === 'ts') needed.push(example.client);
  return needed.filter((program) => !existsSync(tsSource(program))).map((program) => `examples/${program}.ts`);
}

/** examples/c/NAME.c compiled, by name (filled by beforeAll). */
const binaries = new Map<string, string>();
/** Every program started, so that afterEach kills what a failed test left running. */
const started: Proc[] = [];

/** One running program of a scenario. */
class Proc {
  private ended = false;

  constructor(
    readonly role: string,
    readonly program: string,
    readonly impl: Impl,
    readonly child: Child,
  ) {
    void child.exited.then(() => (this.ended = true));
    // A write to a program that has already exited must fail the wait that follows, not the run.
    child.proc.stdin?.on('error', () => {});
  }

  get pid(): number {
    return this.child.pid;
  }

  /** What it has printed and where it stands, for a failure message. */
  describe(): string {
    return `${this.role} (${NAME[this.impl]} ${this.program}, pid ${this.pid}${this.ended ? ', ended' : ''})\n--- stdout\n${this.child.stdout()}--- stderr\n${this.child.stderr()}`;
  }

  /** Waits until `count` lines of its stdout match `what` (a whole line, or a RegExp); the last match. */
  async line(what: string | RegExp, count = 1): Promise<RegExpExecArray> {
    const re = typeof what === 'string' ? new RegExp(`^${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : what;
    const matches = (): RegExpExecArray[] =>
      this.child.lines.map((l) => re.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    await waitFor(() => matches().length >= count || this.ended, `${this.role} to print ${re}`, LIMIT_MS);
    const found = matches();
    if (found.length < count) {
      throw new Error(`${this.role} ended before printing ${re} (${count} times):\n${this.describe()}`);
    }
    return found[count - 1];
  }

  /** The port a server prints on its first line ("... port N..."). */
  async port(): Promise<string> {
    return (await this.line(/\bport (\d+)\b/))[1];
  }

  /** Writes a line to its stdin. */
  send(text: string): void {
    this.child.send(text);
  }

  /** Ends its stdin. */
  end(): void {
    this.child.proc.stdin?.end();
  }

  /** Waits until it has exited (its pipes read to the end). */
  async exit(): Promise<Exit> {
    if ((await finishes(this.child.exited, LIMIT_MS)) === 'stuck') {
      throw new Error(`${this.role} did not exit:\n${this.describe()}`);
    }
    return this.child.exited;
  }
}

/** Starts the programs of one pairing and makes their transcript. */
class Run {
  readonly procs: Proc[] = [];

  constructor(
    private readonly example: Example,
    private readonly pairing: Pairing,
    /** A directory of this run's own, for Unix socket paths. */
    readonly dir: string,
  ) {}

  /**
   * Starts `program` (the example's server or client) as `role`, C or TS as the pairing says.
   * Its stdin is ended at once unless `stdin` is true (a client the test types into).
   */
  start(role: string, program: string, args: string[], options: { stdin?: boolean } = {}): Proc {
    const side: Side = program === this.example.server ? 'server' : 'client';
    if (side === 'client' && program !== this.example.client) {
      throw new Error(`${program} is not a program of "${this.example.title}"`);
    }
    const impl = this.pairing[side]!;
    const argv =
      impl === 'c'
        ? ['stdbuf', '-oL', binaries.get(program)!, ...args]
        : [process.execPath, tsCompiled(program), ...args];
    const proc = new Proc(role, program, impl, Child.spawn(argv[0], argv.slice(1)));
    if (options.stdin !== true) proc.end();
    this.procs.push(proc);
    started.push(proc);
    return proc;
  }

  /** Waits for every program to exit, then returns their normalized outputs. */
  async transcript(): Promise<Transcript> {
    const exits: Exit[] = [];
    for (const p of this.procs) exits.push(await p.exit());
    return normalize(
      this.procs.map((p, k) => ({
        role: p.role,
        stdout: p.child.stdout(),
        exit: exits[k].signal === null ? `exit ${exits[k].code}` : `killed by ${exits[k].signal}`,
      })),
    );
  }

  /** Every stderr, for the C/C check that nothing was printed there. */
  stderrs(): Record<string, string> {
    return Object.fromEntries(this.procs.map((p) => [p.role, p.child.stderr()]));
  }
}

/**
 * The normalization described at the top: numbers that legitimately differ between runs become
 * names by first appearance. Ports and pids are named across the run, descriptors per program.
 */
function normalize(outputs: { role: string; stdout: string; exit: string }[]): Transcript {
  const renamer = (prefix: string): ((n: string) => string) => {
    const names = new Map<string, string>();
    return (n) => {
      if (!names.has(n)) names.set(n, `<${prefix}${names.size + 1}>`);
      return names.get(n)!;
    };
  };
  const port = renamer('port');
  const pid = renamer('pid');
  const out: Transcript = {};
  for (const { role, stdout, exit } of outputs) {
    const fd = renamer('fd');
    const text = stdout.replace(
      /\b(port|socket|descriptor|process) (\d+)\b/g,
      (_all, word: string, n: string) => `${word} ${word === 'port' ? port(n) : word === 'process' ? pid(n) : fd(n)}`,
    );
    out[role] = { stdout: text, exit };
  }
  return out;
}

/** The sockets a process holds beyond its stdio (0, 1 and 2 are socketpairs when Node spawns it). */
function socketsOf(pid: number): number {
  let n = 0;
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (Number(name) > 2 && readlinkSync(`/proc/${pid}/fd/${name}`).startsWith('socket:')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The examples.

const CLIENT_GOT_HELLO = "client: connected to 127.0.0.1\nclient: received 'Hello, world!'\n";

function showip(host: string | null, expected: Outcome | ((o: Outcome) => void), stderr = ''): Example {
  return {
    title: host === null ? 'showip with no argument' : `showip ${host}`,
    client: 'showip',
    scenario: async (run) => {
      await run.start('showip', 'showip', host === null ? [] : [host]).exit();
    },
    expected: typeof expected === 'function' ? (t) => expected(t.showip) : { showip: expected },
    stderr: { showip: stderr },
  };
}

/**
 * The chat scenario of pollserver and selectserver: three clients A, B, C; each says something and
 * the two others get it; the middle one (B) leaves; A and C still hear each other; then they leave
 * and the server ends. With poll, B's departure copies C's entry into B's place in the array.
 */
function chat(server: 'pollserver' | 'selectserver'): Example {
  const connected = 'chatclient: connected to 127.0.0.1 port <port1>\n';
  const closed = 'chatclient: connection closed\n';
  return {
    title: `${server} + chatclient: three clients, the middle one leaves`,
    server,
    client: 'chatclient',
    scenario: async (run) => {
      const srv = run.start('server', server, ['0', '3']);
      const port = await srv.port();
      const clients: Proc[] = [];
      for (const [k, name] of ['A', 'B', 'C'].entries()) {
        const c = run.start(name, 'chatclient', [port], { stdin: true });
        // In the server's array (and so in every broadcast) before anyone speaks.
        await srv.line(/ new connection from 127\.0\.0\.1 on socket \d+$/, k + 1);
        await c.line(/^chatclient: connected/);
        clients.push(c);
      }
      const [a, b, c] = clients;
      const say = async (from: Proc, text: string, to: Proc[]): Promise<void> => {
        from.send(text);
        for (const p of to) await p.line(text);
      };
      await say(a, 'hello from A', [b, c]);
      await say(b, 'B is here', [a, c]);
      await say(c, 'C too', [a, b]);
      // B leaves: the server sees it hang up, closes it, and B sees the close.
      b.end();
      await srv.line(/ socket \d+ hung up$/, 1);
      await b.exit();
      // The server holds the listener and A's and C's sockets, no more.
      await waitFor(
        () => socketsOf(srv.pid) === 3,
        () => `3 sockets in the server, not ${socketsOf(srv.pid)}`,
      );
      await say(a, 'still here?', [c]);
      await say(c, 'yes, B left', [a]);
      a.end();
      await srv.line(/ socket \d+ hung up$/, 2);
      await a.exit();
      c.end();
      await c.exit();
    },
    expected: {
      server: {
        stdout: [
          `${server}: waiting for connections on port <port1>...`,
          `${server}: new connection from 127.0.0.1 on socket <fd1>`,
          `${server}: new connection from 127.0.0.1 on socket <fd2>`,
          `${server}: new connection from 127.0.0.1 on socket <fd3>`,
          `${server}: socket <fd2> hung up`,
          `${server}: socket <fd1> hung up`,
          `${server}: socket <fd3> hung up`,
          `${server}: all 3 clients have left`,
          '',
        ].join('\n'),
        exit: 'exit 0',
      },
      A: { stdout: `${connected}B is here\nC too\nyes, B left\n${closed}`, exit: 'exit 0' },
      B: { stdout: `${connected}hello from A\nC too\n${closed}`, exit: 'exit 0' },
      C: { stdout: `${connected}hello from A\nB is here\nstill here?\n${closed}`, exit: 'exit 0' },
    },
  };
}

const EXAMPLES: Example[] = [
  // What localhost resolves to is /etc/hosts's business: 127.0.0.1 at least, maybe ::1 too.
  showip('localhost', (o) => {
    expect(o.exit).toBe('exit 0');
    const lines = o.stdout.split('\n');
    expect(lines[0]).toBe('IP addresses for localhost:');
    expect(lines).toContain('  IPv4: 127.0.0.1');
    expect(lines.slice(1, -1).every((l) => /^ {2}IPv[46]: [0-9a-f.:]+$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('');
  }),
  showip('127.0.0.1', { stdout: 'IP addresses for 127.0.0.1:\n  IPv4: 127.0.0.1\n', exit: 'exit 0' }),
  showip('::1', { stdout: 'IP addresses for ::1:\n  IPv6: ::1\n', exit: 'exit 0' }),
  showip(null, { stdout: '', exit: 'exit 1' }, 'usage: showip HOST\n'),
  {
    title: 'streamserver + streamclient: two clients, one after the other',
    server: 'streamserver',
    client: 'streamclient',
    scenario: async (run) => {
      const srv = run.start('server', 'streamserver', ['0', '2']);
      const port = await srv.port();
      for (const name of ['client1', 'client2']) await run.start(name, 'streamclient', ['127.0.0.1', port]).exit();
    },
    expected: {
      server: {
        stdout:
          'server: waiting for connections on port <port1>...\n' + 'server: got connection from 127.0.0.1\n'.repeat(2),
        exit: 'exit 0',
      },
      client1: { stdout: CLIENT_GOT_HELLO, exit: 'exit 0' },
      client2: { stdout: CLIENT_GOT_HELLO, exit: 'exit 0' },
    },
  },
  {
    title: 'forkserver + streamclient: three clients at once, one child process each',
    server: 'forkserver',
    client: 'streamclient',
    scenario: async (run) => {
      const srv = run.start('server', 'forkserver', ['0', '3']);
      const port = await srv.port();
      const clients = ['client1', 'client2', 'client3'].map((name) =>
        run.start(name, 'streamclient', ['127.0.0.1', port]),
      );
      for (const c of clients) await c.exit();
    },
    expected: {
      server: {
        stdout: [
          'server: waiting for connections on port <port1>...',
          // Three distinct processes: the normalization names each pid by its first appearance.
          'server: got connection from 127.0.0.1, served by process <pid1>',
          'server: got connection from 127.0.0.1, served by process <pid2>',
          'server: got connection from 127.0.0.1, served by process <pid3>',
          '',
        ].join('\n'),
        exit: 'exit 0',
      },
      client1: { stdout: CLIENT_GOT_HELLO, exit: 'exit 0' },
      client2: { stdout: CLIENT_GOT_HELLO, exit: 'exit 0' },
      client3: { stdout: CLIENT_GOT_HELLO, exit: 'exit 0' },
    },
  },
  {
    title: 'listener + talker: two datagrams',
    server: 'listener',
    client: 'talker',
    scenario: async (run) => {
      const srv = run.start('listener', 'listener', ['0', '2']);
      const port = await srv.port();
      await run.start('talker1', 'talker', ['127.0.0.1', port, 'hello']).exit();
      await srv.line('listener: packet contains "hello"');
      await run.start('talker2', 'talker', ['127.0.0.1', port, 'goodbye, world']).exit();
    },
    expected: {
      listener: {
        stdout: [
          'listener: waiting to recvfrom on port <port1>...',
          'listener: got packet from 127.0.0.1',
          'listener: packet is 5 bytes long',
          'listener: packet contains "hello"',
          'listener: got packet from 127.0.0.1',
          'listener: packet is 14 bytes long',
          'listener: packet contains "goodbye, world"',
          '',
        ].join('\n'),
        exit: 'exit 0',
      },
      talker1: { stdout: 'talker: sent 5 bytes to 127.0.0.1\n', exit: 'exit 0' },
      talker2: { stdout: 'talker: sent 14 bytes to 127.0.0.1\n', exit: 'exit 0' },
    },
  },
  chat('pollserver'),
  chat('selectserver'),
  {
    title: 'epollserver + echoclient: two clients connected at once, one leaves first',
    server: 'epollserver',
    client: 'echoclient',
    scenario: async (run) => {
      const srv = run.start('server', 'epollserver', ['0', '2']);
      const port = await srv.port();
      const a = run.start('A', 'echoclient', [port], { stdin: true });
      await srv.line(/ new connection from 127\.0\.0\.1 on socket \d+$/, 1);
      const b = run.start('B', 'echoclient', [port], { stdin: true });
      await srv.line(/ new connection from 127\.0\.0\.1 on socket \d+$/, 2);
      const echo = async (c: Proc, text: string): Promise<void> => {
        c.send(text);
        await c.line(`echoclient: echoed '${text}'`);
      };
      await echo(a, 'one');
      await echo(b, 'two');
      await echo(a, 'three, from A');
      a.end();
      await a.exit();
      await srv.line(/ socket \d+ hung up$/, 1);
      await echo(b, 'four, from B alone');
      b.end();
      await b.exit();
    },
    expected: {
      server: {
        stdout: [
          'epollserver: waiting for connections on port <port1>...',
          'epollserver: new connection from 127.0.0.1 on socket <fd1>',
          'epollserver: new connection from 127.0.0.1 on socket <fd2>',
          'epollserver: socket <fd1> hung up',
          'epollserver: socket <fd2> hung up',
          'epollserver: all 2 clients have left',
          '',
        ].join('\n'),
        exit: 'exit 0',
      },
      A: {
        stdout:
          "echoclient: connected to 127.0.0.1 port <port1>\nechoclient: echoed 'one'\n" +
          "echoclient: echoed 'three, from A'\nechoclient: done\n",
        exit: 'exit 0',
      },
      B: {
        stdout:
          "echoclient: connected to 127.0.0.1 port <port1>\nechoclient: echoed 'two'\n" +
          "echoclient: echoed 'four, from B alone'\nechoclient: done\n",
        exit: 'exit 0',
      },
    },
  },
  {
    title: 'fdreceiver + fdsender: a descriptor passed with SCM_RIGHTS, read through',
    server: 'fdreceiver',
    client: 'fdsender',
    scenario: async (run) => {
      const socketPath = path.join(run.dir, 'fd.sock');
      // The programs' strncpy cuts a path that does not fit in sun_path: the test must not rely on that.
      if (Buffer.byteLength(socketPath) >= 104) throw new Error(`${socketPath} is too long for sun_path`);
      const receiver = run.start('receiver', 'fdreceiver', [socketPath]);
      await receiver.line('fdreceiver: waiting for a descriptor...');
      await run.start('sender', 'fdsender', [socketPath, 'a message that came with its descriptor']).exit();
    },
    expected: {
      receiver: {
        stdout:
          'fdreceiver: waiting for a descriptor...\n' +
          'fdreceiver: got descriptor <fd1>\n' +
          "fdreceiver: read 'a message that came with its descriptor' through it\n",
        exit: 'exit 0',
      },
      sender: {
        stdout:
          'fdsender: wrote 39 bytes into socket <fd1>, to be read from socket <fd2>\nfdsender: passed socket <fd2>\n',
        exit: 'exit 0',
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------

let work: ReturnType<typeof tempDir>;
let before: Map<number, string>;
/** The C/C transcript of each example, once run: what the other pairings must print. */
const references = new Map<string, Promise<Transcript>>();

/** How many runs have made their directory so far (each run has one of its own). */
let runs = 0;

async function runPairing(example: Example, pairing: Pairing): Promise<{ transcript: Transcript; run: Run }> {
  // Short: a Unix socket path in it must fit in sun_path (108 bytes on Linux, 104 on macOS). The C
  // programs' strncpy would silently cut a longer path, and the runs of two pairings could then meet
  // at one cut path.
  const dir = path.join(work.dir, `${++runs}-${label(pairing).replace(/\W+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const run = new Run(example, pairing, dir);
  await example.scenario(run);
  return { transcript: await run.transcript(), run };
}

/** The C/C transcript: the one the C/C test made, or a fresh C/C run when that test did not run. */
function reference(example: Example): Promise<Transcript> {
  let ref = references.get(example.title);
  if (ref === undefined) {
    const c: Pairing = example.server === undefined ? { client: 'c' } : { server: 'c', client: 'c' };
    ref = runPairing(example, c).then((r) => r.transcript);
    references.set(example.title, ref);
  }
  return ref;
}

describeNeeding(cc())('the classic C programs and their TypeScript ports, in every pairing', () => {
  beforeAll(() => {
    before = openDescriptors();
    work = tempDir('classic');
    const programs = new Set(EXAMPLES.flatMap((e) => (e.server === undefined ? [e.client] : [e.server, e.client])));
    for (const program of programs) {
      // -Werror: the programs are meant to compile without a single warning.
      const source = path.join(root, 'examples', 'c', `${program}.c`);
      binaries.set(program, compileC(source, { dir: work.path('bin'), flags: ['-Wall', '-Wextra', '-Werror'] }));
    }
    const ported = [...programs].filter((program) => existsSync(tsSource(program)));
    if (ported.length > 0) ensureDist(...ported.map((program) => `dist/examples/${program}.js`));
  }, 180_000);

  afterEach(async () => {
    // A failed test may leave programs running: kill them, and wait until they are gone.
    for (const p of started.splice(0)) await p.child.kill();
  });

  afterAll(async () => {
    work?.remove();
    // The test process itself opened no socket (the programs are children): none may be left.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(newSockets(before)).toEqual([]);
  });

  for (const example of EXAMPLES) {
    describe(example.title, () => {
      for (const pairing of example.server === undefined ? SINGLE : TWO_SIDED) {
        const missing = missingPorts(example, pairing);
        if (missing.length > 0) {
          test.todo(`${label(pairing)}: waits for ${missing.join(' and ')}`);
          continue;
        }
        const reference_ = pairing.client === 'c' && pairing.server !== 'ts';
        test(
          reference_
            ? `${label(pairing)}: prints what it must (stdout, stderr, exit code)`
            : `${label(pairing)}: prints what the C programs print, program by program, and exits as they do`,
          async () => {
            const { transcript, run } = await runPairing(example, pairing);
            if (reference_) {
              references.set(example.title, Promise.resolve(transcript));
              if (typeof example.expected === 'function') example.expected(transcript);
              else expect(transcript).toEqual(example.expected);
              expect(run.stderrs()).toEqual(
                Object.fromEntries(Object.keys(transcript).map((r) => [r, example.stderr?.[r] ?? ''])),
              );
            } else {
              expect(transcript).toEqual(await reference(example));
            }
          },
          120_000,
        );
      }
    });
  }
});
