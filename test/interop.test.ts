// The seed's two programs, ported (examples/server.ts, examples/client.ts, run compiled from
// dist/examples) and in C (examples/c/*.c, compiled here with cc), talk to each other in all four
// pairings and print exactly what the C programs print. They use the seed's fixed port 8080, so each
// run happens in its own fresh network namespace (unshare -n, or unshare -rn without root) where
// nothing else can hold that port; without namespaces, the host's port 8080 is used only when free.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AF_INET,
  INADDR_ANY,
  SOCK_STREAM,
  bind,
  close,
  errno,
  htons,
  sizeof,
  sockaddr_in,
  socket,
  strerror,
} from 'bsdsock';

const root = path.join(__dirname, '..');
const SERVER_STDOUT = 'Serveur en écoute sur le port 8080...\nConnexion acceptée\n';
const CLIENT_STDOUT = 'Connecté au serveur\nMessage du serveur: Hello from server!\n';
const REFUSED_STDERR = 'Échec de la connexion: Connection refused\n';
/** Each program is killed after this many seconds (coreutils timeout). */
const KILL_AFTER = 10;

interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}
type Program = readonly string[];

let buildDir: string;
/** The command that runs a script in a fresh network namespace, or null to use the host's. */
let netns: string[] | null = null;
const programs: Record<'ts' | 'c', { server: Program; client: Program }> = {
  ts: {
    server: [process.execPath, path.join(root, 'dist/examples/server.js')],
    client: [process.execPath, path.join(root, 'dist/examples/client.js')],
  },
  // C's stdout is fully buffered into a file: stdbuf -oL makes the C server write its listening line
  // when it prints it (as on a terminal), so the script can see it before the server blocks in accept.
  c: { server: [], client: [] },
};

function newestMtime(files: string[]): number {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Compiles the TypeScript to dist/ when dist/examples is missing or older than its sources. */
function ensureCompiledExamples(): void {
  const outputs = ['dist/examples/server.js', 'dist/examples/client.js', 'dist/lib/index.js'].map((f) =>
    path.join(root, f),
  );
  const sources = [
    path.join(root, 'examples/server.ts'),
    path.join(root, 'examples/client.ts'),
    ...sourcesUnder(path.join(root, 'lib')),
  ];
  const fresh =
    outputs.every((f) => fs.existsSync(f)) &&
    Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) >= newestMtime(sources);
  if (fresh) return;
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0 || !outputs.every((f) => fs.existsSync(f))) {
    throw new Error(`npx tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
  }
}

function compileC(name: string): string {
  const out = path.join(buildDir, name);
  const cc = spawnSync('cc', ['-Wall', '-Wextra', '-o', out, path.join(root, 'examples/c', `${name}.c`)], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) throw new Error(`cc failed on examples/c/${name}.c:\n${cc.stderr}`);
  return out;
}

/** unshare -n (root), else unshare -rn (unprivileged user namespace), else null: the host's namespace. */
function findNetns(): string[] | null {
  for (const cmd of [
    ['unshare', '-n'],
    ['unshare', '-rn'],
  ]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return null;
}

/** In the host's namespace: throws unless a socket can bind port 8080, as the server will. */
function requireHostPortFree(): void {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error(`socket: ${strerror(errno)}`);
  try {
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = INADDR_ANY;
    addr.sin_port = htons(8080);
    if (bind(fd, addr, sizeof(addr)) < 0) {
      throw new Error(
        `port 8080 is not free on this host (${strerror(errno)}: a listener, or a TIME_WAIT left by an ` +
          'earlier run) and no network namespace is available (unshare -n needs root or user namespaces)',
      );
    }
  } finally {
    close(fd);
  }
}

const quote = (args: Program): string => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

/**
 * Runs the server (if any) in the background, waits until it has printed its listening line (or
 * exited), then runs the client, all in one fresh network namespace; returns what each printed.
 */
function run(server: Program | null, client: Program): { server: Outcome | null; client: Outcome } {
  if (netns === null) requireHostPortFree();
  const dir = fs.mkdtempSync(path.join(buildDir, 'run-'));
  const script = [
    'set -u',
    netns === null ? ':' : 'ip link set lo up || exit 97',
    ...(server === null
      ? []
      : [
          `timeout -s KILL ${KILL_AFTER} ${quote(server)} >server.out 2>server.err &`,
          'spid=$!',
          'i=0',
          // Poll (at most ~10 s) for the listening line; stop early if the server has exited.
          "until grep -qF 'Serveur en écoute' server.out; do",
          '  kill -0 "$spid" 2>/dev/null || break',
          `  i=$((i + 1)); [ "$i" -le ${KILL_AFTER * 100} ] || break`,
          '  sleep 0.01',
          'done',
        ]),
    `timeout -s KILL ${KILL_AFTER} ${quote(client)} >client.out 2>client.err`,
    'echo $? >client.status',
    ...(server === null ? [] : ['wait "$spid"', 'echo $? >server.status']),
  ].join('\n');
  const argv = [...(netns ?? []), 'sh', '-c', script];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 3 * KILL_AFTER * 1000 });
  if (r.status !== 0) throw new Error(`the run script failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  const read = (name: string): Outcome => ({
    stdout: fs.readFileSync(path.join(dir, `${name}.out`), 'utf8'),
    stderr: fs.readFileSync(path.join(dir, `${name}.err`), 'utf8'),
    status: Number(fs.readFileSync(path.join(dir, `${name}.status`), 'utf8')),
  });
  return { server: server === null ? null : read('server'), client: read('client') };
}

beforeAll(() => {
  ensureCompiledExamples();
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-interop-'));
  programs.c.server = ['stdbuf', '-oL', compileC('server')];
  programs.c.client = [compileC('client')];
  netns = findNetns();
});

afterAll(() => {
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
});

describe('the seed programs, TypeScript and C, in all four pairings', () => {
  test.each([
    ['ts', 'c'],
    ['c', 'ts'],
    ['ts', 'ts'],
    ['c', 'c'],
  ] as const)('%s server + %s client: each prints what the C programs print and exits 0', (s, c) => {
    const out = run(programs[s].server, programs[c].client);
    expect(out.server).toEqual({ stdout: SERVER_STDOUT, stderr: '', status: 0 });
    expect(out.client).toEqual({ stdout: CLIENT_STDOUT, stderr: '', status: 0 });
  });
});

describe('with no server', () => {
  test.each(['ts', 'c'] as const)(
    '%s client: perror("Échec de la connexion") on stderr, nothing on stdout, exit 1',
    (c) => {
      const out = run(null, programs[c].client);
      expect(out.client).toEqual({ stdout: '', stderr: REFUSED_STDERR, status: 1 });
    },
  );
});
