// The addon is context-aware: it loads in several worker_threads at once and again in fresh ones, and in
// jest's separate module registries. Each Worker has its own errno, as each C thread has its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EADDRINUSE, EBADF, ECONNREFUSED, ENOTTY, errno, setErrno } from 'bsdsock';
import { ensureDist, root, tempDir } from './helpers/build';

const dist = path.join(root, 'dist', 'lib');

/**
 * The worker: loads bsdsock, waits until every worker of its round has loaded it, runs the
 * socket/bind/listen/getsockname/close sequence on 127.0.0.1, sets its own errno by its role, waits until
 * every worker has done so, and only then reads errno back. Two barriers on a SharedArrayBuffer make the
 * four errno values coexist: a shared errno would show the last writer's value in all of them.
 */
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { indexPath, role, shared, count } = workerData;
const cells = new Int32Array(shared);
const WAIT_MS = 60000;

function barrier(slot) {
  Atomics.add(cells, slot, 1);
  Atomics.notify(cells, slot);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const seen = Atomics.load(cells, slot);
    if (seen >= count) return;
    if (Date.now() > deadline) throw new Error('barrier ' + slot + ' timed out at ' + seen + '/' + count);
    Atomics.wait(cells, slot, seen, 1000);
  }
}

const b = require(indexPath);
barrier(0);

const out = { role, errnoAtLoad: b.errno, steps: {} };
function loopback(port) {
  const addr = new b.sockaddr_in();
  addr.sin_family = b.AF_INET;
  addr.sin_addr.s_addr = b.htonl(b.INADDR_LOOPBACK);
  addr.sin_port = b.htons(port);
  return addr;
}
const opened = [];
try {
  const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
  opened.push(fd);
  const addr = loopback(0);
  out.steps.socket = fd >= 0;
  out.steps.bind = b.bind(fd, addr, b.sizeof(addr));
  out.steps.listen = b.listen(fd, 8);
  const name = new b.sockaddr_in();
  const len = new b.socklen_t(b.sizeof(name));
  out.steps.getsockname = b.getsockname(fd, name, len);
  out.port = b.ntohs(name.sin_port);

  if (role === 'EBADF') {
    out.result = b.close(-1);
  } else if (role === 'ECONNREFUSED') {
    // A port held by a bound socket that does not listen: the connection is refused, and no one can take it.
    const holder = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
    opened.push(holder);
    b.bind(holder, loopback(0), b.sizeof(addr));
    const held = new b.sockaddr_in();
    b.getsockname(holder, held, new b.socklen_t(b.sizeof(held)));
    const client = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
    opened.push(client);
    out.result = b.connect(client, held, b.sizeof(held));
  } else if (role === 'EADDRINUSE') {
    const second = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
    opened.push(second);
    out.result = b.bind(second, loopback(out.port), b.sizeof(addr));
  } else {
    const client = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
    opened.push(client);
    out.result = b.connect(client, loopback(out.port), b.sizeof(addr));
  }
  out.errnoAfterOwnCall = b.errno;
  barrier(1);
  out.errno = b.errno;
} finally {
  out.closes = opened.filter((fd) => fd >= 0).map((fd) => b.close(fd));
}
parentPort.postMessage(out);
`;

interface WorkerReport {
  role: string;
  errnoAtLoad: number;
  steps: { socket: boolean; bind: number; listen: number; getsockname: number };
  port: number;
  result: number;
  errnoAfterOwnCall: number;
  errno: number;
  closes: number[];
}

let dir: ReturnType<typeof tempDir>;
let workerFile: string;
beforeAll(() => {
  // The workers load the compiled build.
  ensureDist();
  dir = tempDir('workers');
  workerFile = dir.path('worker.js');
  fs.writeFileSync(workerFile, WORKER_SOURCE);
}, 300000);
afterAll(() => dir?.remove());

/** Starts one worker per role at once; resolves with each report and exit code once all have exited. */
async function round(roles: string[]): Promise<{ report: WorkerReport; exitCode: number }[]> {
  const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const runs = roles.map(
    (role) =>
      new Promise<{ report: WorkerReport; exitCode: number }>((resolve, reject) => {
        const worker = new Worker(workerFile, {
          workerData: { indexPath: path.join(dist, 'index.js'), role, shared, count: roles.length },
        });
        let report: WorkerReport | undefined;
        worker.on('message', (m: WorkerReport) => {
          report = m;
        });
        worker.on('error', reject);
        worker.on('exit', (exitCode) => {
          if (report === undefined) reject(new Error(`worker ${role} exited with ${exitCode} and no report`));
          else resolve({ report, exitCode });
        });
      }),
  );
  return Promise.all(runs);
}

function expectOwnErrno(results: { report: WorkerReport; exitCode: number }[]): void {
  const expected: Record<string, number> = { EBADF, ECONNREFUSED, EADDRINUSE, none: 0 };
  for (const { report, exitCode } of results) {
    const want = expected[report.role];
    expect({ role: report.role, exitCode }).toEqual({ role: report.role, exitCode: 0 });
    expect(report.errnoAtLoad).toBe(0);
    expect(report.steps).toEqual({ socket: true, bind: 0, listen: 0, getsockname: 0 });
    expect(report.port).toBeGreaterThan(0);
    expect({ role: report.role, result: report.result }).toEqual({
      role: report.role,
      result: want === 0 ? 0 : -1,
    });
    // After every worker has set its errno, each still reads its own.
    expect({ role: report.role, errno: report.errno }).toEqual({ role: report.role, errno: want });
    expect(report.errnoAfterOwnCall).toBe(want);
    expect(report.closes.every((r) => r === 0)).toBe(true);
  }
}

describe('worker_threads', () => {
  test('four workers load bsdsock at once, each with its own errno; the main thread’s is untouched', async () => {
    setErrno(ENOTTY);
    const results = await round(['EBADF', 'ECONNREFUSED', 'none', 'EADDRINUSE']);
    expect(results).toHaveLength(4);
    expectOwnErrno(results);
    // Four different ports: the workers' listeners coexisted.
    expect(new Set(results.map((r) => r.report.port)).size).toBe(4);
    expect(errno).toBe(ENOTTY);
  }, 120000);

  test('a fresh round of workers loads the addon again in new environments', async () => {
    setErrno(ENOTTY);
    const first = await round(['none', 'EBADF', 'ECONNREFUSED', 'EBADF']);
    expectOwnErrno(first);
    const second = await round(['ECONNREFUSED', 'none', 'EADDRINUSE', 'EBADF']);
    expectOwnErrno(second);
    expect(errno).toBe(ENOTTY);
  }, 180000);
});

describe('jest module registries', () => {
  test('jest.isolateModules loads bsdsock twice: two module instances, both make sockets', () => {
    type Bsdsock = typeof import('bsdsock');
    let first: Bsdsock | undefined;
    let second: Bsdsock | undefined;
    jest.isolateModules(() => {
      first = jest.requireActual<Bsdsock>('bsdsock');
    });
    jest.isolateModules(() => {
      second = jest.requireActual<Bsdsock>('bsdsock');
    });
    if (first === undefined || second === undefined) throw new Error('isolateModules did not load bsdsock');
    expect(first).not.toBe(second);
    expect(first.socket).not.toBe(second.socket);
    expect(first.sockaddr_in).not.toBe(second.sockaddr_in);
    for (const b of [first, second]) {
      const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
      expect(fd).toBeGreaterThanOrEqual(0);
      try {
        const addr = new b.sockaddr_in();
        addr.sin_family = b.AF_INET;
        addr.sin_addr.s_addr = b.htonl(b.INADDR_LOOPBACK);
        expect(b.bind(fd, addr, b.sizeof(addr))).toBe(0);
        expect(b.listen(fd, 1)).toBe(0);
        const name = new b.sockaddr_in();
        expect(b.getsockname(fd, name, new b.socklen_t(b.sizeof(name)))).toBe(0);
        expect(b.ntohs(name.sin_port)).toBeGreaterThan(0);
      } finally {
        expect(b.close(fd)).toBe(0);
      }
      expect(b.close(fd)).toBe(-1);
      expect(b.errno).toBe(b.EBADF);
    }
  });
});
