// The seed's two programs, ported (examples/server.ts, examples/client.ts, run compiled from
// dist/examples) and in C (examples/c/*.c, compiled here with cc), talk to each other in all four
// pairings and print exactly what the C programs print. They use the seed's fixed port 8080, so each
// run happens in its own fresh network namespace (unshare -n, or unshare -rn without root) where
// nothing else can hold that port. Without one these tests are skipped (see helpers/tools.ts): in the
// host's namespace, the TIME_WAIT each run leaves on port 8080 would make the next run's bind fail.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cc, describeNeeding, netns as netnsNeed, networkNamespace, testNeeding } from './helpers/tools';

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
/** The command that runs a script in a fresh network namespace. */
let netns: string[] = [];
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

const quote = (args: Program): string => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

/**
 * Runs the server (if any) in the background, waits until it has printed its listening line (or
 * exited), then runs the client, all in one fresh network namespace; returns what each printed.
 */
function run(server: Program | null, client: Program): { server: Outcome | null; client: Outcome } {
  const dir = fs.mkdtempSync(path.join(buildDir, 'run-'));
  const script = [
    'set -u',
    'ip link set lo up || exit 97',
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
  const argv = [...netns, 'sh', '-c', script];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 3 * KILL_AFTER * 1000 });
  if (r.status !== 0) throw new Error(`the run script failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  const read = (name: string): Outcome => ({
    stdout: fs.readFileSync(path.join(dir, `${name}.out`), 'utf8'),
    stderr: fs.readFileSync(path.join(dir, `${name}.err`), 'utf8'),
    status: Number(fs.readFileSync(path.join(dir, `${name}.status`), 'utf8')),
  });
  return { server: server === null ? null : read('server'), client: read('client') };
}

/** `test`, or for a run of a C program, a test that needs the C compiler (see helpers/tools.ts). */
const testWith = (...languages: ('ts' | 'c')[]): ReturnType<typeof testNeeding> =>
  languages.includes('c') ? testNeeding(cc()) : test;

describeNeeding(netnsNeed())('the seed programs, TypeScript and C', () => {
  beforeAll(() => {
    ensureCompiledExamples();
    buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-interop-'));
    // The C programs only where there is a C compiler; the pairings with C are skipped without one.
    if (cc().missing === null) {
      programs.c.server = ['stdbuf', '-oL', compileC('server')];
      programs.c.client = [compileC('client')];
    }
    netns = networkNamespace().argv ?? [];
  });

  afterAll(() => {
    if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  });

  describe('in all four pairings', () => {
    for (const [s, c] of [
      ['ts', 'c'],
      ['c', 'ts'],
      ['ts', 'ts'],
      ['c', 'c'],
    ] as const) {
      testWith(s, c)(`${s} server + ${c} client: each prints what the C programs print and exits 0`, () => {
        const out = run(programs[s].server, programs[c].client);
        expect(out.server).toEqual({ stdout: SERVER_STDOUT, stderr: '', status: 0 });
        expect(out.client).toEqual({ stdout: CLIENT_STDOUT, stderr: '', status: 0 });
      });
    }
  });

  describe('with no server', () => {
    for (const c of ['ts', 'c'] as const) {
      testWith(c)(`${c} client: perror("Échec de la connexion") on stderr, nothing on stdout, exit 1`, () => {
        const out = run(null, programs[c].client);
        expect(out.client).toEqual({ stdout: '', stderr: REFUSED_STDERR, status: 1 });
      });
    }
  });
});
