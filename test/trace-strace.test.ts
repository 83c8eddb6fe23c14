// The tracer agrees with the kernel's view: the seed's server and client (compiled from examples/),
// run under the real `strace -f` with BSDSOCK_TRACE=1, write for each call on the descriptors they
// made exactly the line strace writes for that call — once strace's column padding is removed and
// glibc's renaming is mapped (send is sendto(..., NULL, 0), recv is recvfrom(..., NULL, NULL), accept
// may be accept4(..., 0)). Each run has its own network namespace, so the seed's port 8080 is free.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { requireNetns, serverThenClient } from './helpers/netns';
import { describeNeeding, netns as netnsNeed, strace } from './helpers/tools';

const KILL_AFTER = 20;

let work: ReturnType<typeof tempDir>;
let netns: string[] = [];

interface Run {
  /** The program's own trace (its stderr). */
  bsdsock: string[];
  /** strace's lines for the program's main thread, unfinished/resumed pairs joined, padding removed. */
  strace: string[];
  status: number;
}

/** Runs the server (optional) and the client, each under strace -f with BSDSOCK_TRACE=1. */
function runTraced(withServer: boolean): { server: Run | null; client: Run } {
  const dir = fs.mkdtempSync(path.join(work.dir, 'run-'));
  const traced = (name: string): string[] => [
    'strace',
    '-f',
    '-qq',
    '-e',
    'trace=network,close',
    '-o',
    `${name}.st`,
    process.execPath,
    path.join(root, 'dist/examples', `${name}.js`),
  ];
  const out = serverThenClient({
    dir,
    prefix: netns,
    server: withServer ? traced('server') : null,
    client: traced('client'),
    listening: 'Serveur en écoute',
    killAfter: KILL_AFTER,
    env: { ...process.env, BSDSOCK_TRACE: '1' },
  });
  const read = (name: 'server' | 'client'): Run => ({
    bsdsock: out[name]!.stderr.split('\n').filter((l) => /^[a-z_0-9]+\(/.test(l)),
    strace: parseStrace(fs.readFileSync(path.join(dir, `${name}.st`), 'utf8')),
    status: out[name]!.status,
  });
  return { server: withServer ? read('server') : null, client: read('client') };
}

/**
 * strace -f -o output: `PID  call(args) = result`, a call interrupted by another thread's line split
 * into `call(args <unfinished ...>` and `<... call resumed>rest`. Returns the first process's lines
 * (the program's main thread), each pair joined, strace's padding before ` = ` removed.
 */
function parseStrace(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length === 0) return [];
  const main = lines[0].split(/\s+/, 1)[0];
  const open = new Map<string, string>();
  const out: string[] = [];
  for (const raw of lines) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (m === null || m[1] !== main) continue;
    let body = m[2];
    const unfinished = / <unfinished \.\.\.>$/.exec(body);
    if (unfinished !== null) {
      open.set(m[1], body.slice(0, unfinished.index));
      continue;
    }
    const resumed = /^<\.\.\. [a-z0-9_]+ resumed>(.*)$/.exec(body);
    if (resumed !== null) {
      body = (open.get(m[1]) ?? '') + resumed[1];
      open.delete(m[1]);
    }
    if (body.startsWith('+++') || body.startsWith('---')) continue;
    out.push(body.replace(/\) +(= [^=]*)$/, ') $1'));
  }
  return out;
}

/** A bsdsock line as glibc's syscall shows it to strace. */
function asSyscall(line: string): string {
  return line
    .replace(/^send\((.*)\) = /, 'sendto($1, NULL, 0) = ')
    .replace(/^recv\((.*)\) = /, 'recvfrom($1, NULL, NULL) = ');
}

/** An strace line with accept4(..., 0) written as the accept it stands for. */
function normalised(line: string): string {
  return line.replace(/^accept4\((.*), 0\) = /, 'accept($1) = ');
}

const firstFd = (line: string): number | null => {
  const m = /^[a-z0-9_]+\((-?\d+)[,)]/.exec(line);
  return m === null ? null : Number(m[1]);
};
const resultFd = (line: string): number => Number(/ = (-?\d+)(?: |$)/.exec(line)?.[1] ?? -1);

/**
 * Walks strace's lines from the program's first call: every strace line on a descriptor the program
 * made (from its socket/accept until its close) must be the program's next traced line. Returns the
 * disagreements (empty when all agree) and how many lines matched.
 */
function compare(run: Run): { problems: string[]; matched: number } {
  const expected = run.bsdsock.map(asSyscall);
  const problems: string[] = [];
  const st = run.strace.map(normalised);
  const start = st.indexOf(expected[0]);
  if (start < 0) return { problems: [`strace has no line ${JSON.stringify(expected[0])}`], matched: 0 };
  const live = new Set<number>();
  let next = 0;
  for (const line of st.slice(start)) {
    const fd = firstFd(line);
    const ours = next === 0 || (fd !== null && live.has(fd));
    if (!ours) continue;
    if (next >= expected.length) {
      problems.push(`strace shows a call the tracer did not: ${line}`);
      continue;
    }
    if (line !== expected[next]) problems.push(`strace:  ${line}\nbsdsock: ${expected[next]}`);
    const name = /^([a-z0-9_]+)\(/.exec(expected[next])?.[1];
    if ((name === 'socket' || name === 'accept' || name === 'accept4') && resultFd(expected[next]) >= 0) {
      live.add(resultFd(expected[next]));
    }
    if (name === 'close') live.delete(firstFd(expected[next])!);
    next++;
  }
  for (; next < expected.length; next++) problems.push(`the tracer wrote a call strace did not see: ${expected[next]}`);
  return { problems, matched: expected.length };
}

describeNeeding(strace(), netnsNeed())(
  'BSDSOCK_TRACE=1 writes the lines strace writes, for the calls the seed programs make',
  () => {
    beforeAll(() => {
      ensureDist('dist/examples/server.js', 'dist/examples/client.js');
      work = tempDir('strace');
      netns = requireNetns('this test');
    });

    afterAll(() => work?.remove());

    test('server and client: every call on their descriptors, argument for argument', () => {
      const { server, client } = runTraced(true);
      expect(server!.status).toBe(0);
      expect(client.status).toBe(0);
      // What the programs call, in order: a check that the comparison had something to compare.
      expect(server!.bsdsock.map((l) => /^[a-z0-9]+/.exec(l)![0])).toEqual([
        'socket',
        'bind',
        'listen',
        'accept',
        'send',
        'close',
        'close',
      ]);
      expect(client.bsdsock.map((l) => /^[a-z0-9]+/.exec(l)![0])).toEqual(['socket', 'connect', 'recv', 'close']);
      for (const run of [server!, client]) {
        const { problems, matched } = compare(run);
        expect(problems).toEqual([]);
        expect(matched).toBe(run.bsdsock.length);
      }
    });

    test('a failed call: the client with no server, connect = -1 ECONNREFUSED', () => {
      const { client } = runTraced(false);
      expect(client.status).toBe(1);
      expect(client.bsdsock).toHaveLength(2);
      expect(client.bsdsock[1]).toMatch(/^connect\(\d+, .*\) = -1 ECONNREFUSED \(Connection refused\)$/);
      expect(compare(client).problems).toEqual([]);
    });
  },
);
