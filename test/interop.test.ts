// The seed's two programs, ported (examples/server.ts, examples/client.ts, run compiled from
// dist/examples) and in C (examples/c/*.c, compiled here with cc), talk to each other in all four
// pairings and print exactly what the C programs print. They use the seed's fixed port 8080, so each
// run happens in its own fresh network namespace (unshare -n, or unshare -rn without root) where
// nothing else can hold that port. Without one these tests are skipped (see helpers/tools.ts): in the
// host's namespace, the TIME_WAIT each run leaves on port 8080 would make the next run's bind fail.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { compileC } from './helpers/c';
import { requireNetns, type Outcome, serverThenClient } from './helpers/netns';
import { cc, describeNeeding, netns as netnsNeed, testNeeding } from './helpers/tools';

const SERVER_STDOUT = 'Serveur en écoute sur le port 8080...\nConnexion acceptée\n';
const CLIENT_STDOUT = 'Connecté au serveur\nMessage du serveur: Hello from server!\n';
const REFUSED_STDERR = 'Échec de la connexion: Connection refused\n';
/** Each program is killed after this many seconds (coreutils timeout). */
const KILL_AFTER = 10;

type Program = readonly string[];

let work: ReturnType<typeof tempDir>;
/** The prefix that runs a command in a fresh network namespace. */
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

/** examples/c/<name>.c, compiled. */
const compileExample = (name: string): string =>
  compileC(path.join(root, 'examples/c', `${name}.c`), { name: `example-${name}` });

/**
 * Runs the server (if any) in the background, waits until it has printed its listening line (or
 * exited), then runs the client, all in one fresh network namespace; returns what each printed.
 */
function run(server: Program | null, client: Program): { server: Outcome | null; client: Outcome } {
  return serverThenClient({
    dir: fs.mkdtempSync(path.join(work.dir, 'run-')),
    prefix: netns,
    server,
    client,
    listening: 'Serveur en écoute',
    killAfter: KILL_AFTER,
  });
}

/** `test`, or for a run of a C program, a test that needs the C compiler (see helpers/tools.ts). */
const testWith = (...languages: ('ts' | 'c')[]): ReturnType<typeof testNeeding> =>
  languages.includes('c') ? testNeeding(cc()) : test;

describeNeeding(netnsNeed())('the seed programs, TypeScript and C', () => {
  beforeAll(() => {
    ensureDist('dist/examples/server.js', 'dist/examples/client.js');
    work = tempDir('interop');
    // The C programs only where there is a C compiler; the pairings with C are skipped without one.
    if (cc().missing === null) {
      programs.c.server = ['stdbuf', '-oL', compileExample('server')];
      programs.c.client = [compileExample('client')];
    }
    netns = requireNetns('the interop tests');
  });

  afterAll(() => work?.remove());

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
