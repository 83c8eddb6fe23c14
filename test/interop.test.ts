// The seed's two programs, ported (examples/server.ts, examples/client.ts, run compiled from
// dist/examples) and in C (examples/c/*.c, compiled here with cc), talk to each other in all four
// pairings and print exactly what the C programs print. They use the seed's fixed port 8080, so each
// run happens in its own fresh network namespace (unshare -n, or unshare -rn without root) where
// nothing else can hold that port; without namespaces, the host's port 8080 is used only when free.
import * as fs from 'node:fs';
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
import { ensureDist, root, tempDir } from './helpers/build';
import { compileC } from './helpers/c';
import { netnsPrefix, type Outcome, serverThenClient } from './helpers/netns';

const SERVER_STDOUT = 'Serveur en écoute sur le port 8080...\nConnexion acceptée\n';
const CLIENT_STDOUT = 'Connecté au serveur\nMessage du serveur: Hello from server!\n';
const REFUSED_STDERR = 'Échec de la connexion: Connection refused\n';
/** Each program is killed after this many seconds (coreutils timeout). */
const KILL_AFTER = 10;

type Program = readonly string[];

let work: ReturnType<typeof tempDir>;
/** The prefix that runs a command in a fresh network namespace, or null to use the host's. */
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

/** examples/c/<name>.c, compiled. */
const compileExample = (name: string): string =>
  compileC(path.join(root, 'examples/c', `${name}.c`), { name: `example-${name}` });

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

/**
 * Runs the server (if any) in the background, waits until it has printed its listening line (or
 * exited), then runs the client, all in one fresh network namespace; returns what each printed.
 */
function run(server: Program | null, client: Program): { server: Outcome | null; client: Outcome } {
  if (netns === null) requireHostPortFree();
  return serverThenClient({
    dir: fs.mkdtempSync(path.join(work.dir, 'run-')),
    prefix: netns ?? [],
    server,
    client,
    listening: 'Serveur en écoute',
    killAfter: KILL_AFTER,
  });
}

beforeAll(() => {
  ensureDist('dist/examples/server.js', 'dist/examples/client.js');
  work = tempDir('interop');
  programs.c.server = ['stdbuf', '-oL', compileExample('server')];
  programs.c.client = [compileExample('client')];
  netns = netnsPrefix();
});

afterAll(() => work?.remove());

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
