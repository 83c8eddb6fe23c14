// The package as a user installs it: CommonJS `require('bsdsock')`, native ESM `import … from 'bsdsock'`,
// and TypeScript. Child processes resolve 'bsdsock' from a temporary node_modules whose bsdsock is a
// symlink to this repository, so resolution goes through package.json's "exports" map and the compiled
// dist/, not through jest's module mapping. In each, errno must read live after a failed call.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EBADF, EPROTONOSUPPORT, HOST_NOT_FOUND, close, errno, setErrno } from 'bsdsock';
import * as bsdsock from 'bsdsock';
import * as promises from 'bsdsock/promises';
import { ensureDist, root, tempDir } from './helpers/build';
import { runNode } from './helpers/child';

const dist = path.join(root, 'dist', 'lib');

interface PackageJson {
  name: string;
  exports: Record<string, string | Record<string, string>>;
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;

let tmp: ReturnType<typeof tempDir>;

let project: string;
beforeAll(() => {
  ensureDist();
  tmp = tempDir('formats');
  project = tmp.dir;
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(root, path.join(project, 'node_modules', 'bsdsock'), 'dir');
}, 300000);
afterAll(() => tmp?.remove());

/** Writes `source` as `name` in the project and runs it with node; its stdout is one JSON line. */
function runInProject<T>(name: string, source: string): T {
  const file = path.join(project, name);
  fs.writeFileSync(file, source);
  const run = runNode({ file }, { cwd: project, limitMs: 60000, lib: false });
  if (run.status !== 0) throw new Error(`node ${name} exited with ${run.status}:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Report {
  resolved: string;
  resolvedPromises: string;
  before: number;
  closeResult: number;
  afterClose: number;
  afterSuccess: number;
  socketResult: number;
  afterSocket: number;
  EBADF: number;
  EPROTONOSUPPORT: number;
  names: string[];
  cjsNames: string[];
  promiseNames: string[];
  cjsPromiseNames: string[];
  resolveStatus: number;
  resolvedFamily: number;
  AF_INET: number;
  hBefore: number;
  hLookup: unknown;
  hAfter: number;
  deepImport: string;
}

describe('CommonJS: require("bsdsock")', () => {
  let r: Report;
  beforeAll(() => {
    r = runInProject<Report>(
      'probe.cjs',
      `'use strict';
const b = require('bsdsock');
const p = require('bsdsock/promises');
const out = {};
out.resolved = require.resolve('bsdsock');
out.resolvedPromises = require.resolve('bsdsock/promises');
out.before = b.errno;
out.closeResult = b.close(-1);
out.afterClose = b.errno;
out.afterSuccess = (b.htons(1), b.errno);
out.socketResult = b.socket(b.AF_INET, b.SOCK_STREAM, b.IPPROTO_UDP);
out.afterSocket = b.errno;
out.EBADF = b.EBADF;
out.EPROTONOSUPPORT = b.EPROTONOSUPPORT;
out.AF_INET = b.AF_INET;
out.hBefore = b.h_errno;
out.hLookup = b.gethostbyname('bad name');
out.hAfter = b.h_errno;
out.names = Object.keys(b);
out.promiseNames = Object.keys(p);
try {
  require('bsdsock/dist/lib/io.js');
  out.deepImport = 'allowed';
} catch (e) {
  out.deepImport = e.code;
}
const res = new b.ptr(null);
const hints = new b.addrinfo();
hints.ai_flags = b.AI_NUMERICHOST;
p.getaddrinfo('127.0.0.1', '80', hints, res).then((status) => {
  out.resolveStatus = status;
  out.resolvedFamily = res.value.ai_family;
  console.log(JSON.stringify(out));
});
`,
    );
  }, 120000);

  test('resolves through the "exports" map to the CommonJS build', () => {
    expect(r.resolved).toBe(path.join(dist, 'index.js'));
    expect(r.resolvedPromises).toBe(path.join(dist, 'promises.js'));
    expect(r.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('errno reads live: 0, then EBADF after close(-1), kept by a success, replaced by the next failure', () => {
    expect(r.before).toBe(0);
    expect(r.closeResult).toBe(-1);
    expect(r.afterClose).toBe(EBADF);
    expect(r.EBADF).toBe(EBADF);
    expect(r.afterSuccess).toBe(EBADF);
    expect(r.socketResult).toBe(-1);
    expect(r.afterSocket).toBe(EPROTONOSUPPORT);
    expect(r.EPROTONOSUPPORT).toBe(EPROTONOSUPPORT);
  });

  test('h_errno reads live too: 0, then HOST_NOT_FOUND after a failed gethostbyname', () => {
    expect([r.hBefore, r.hLookup, r.hAfter]).toEqual([0, null, HOST_NOT_FOUND]);
  });

  test('bsdsock/promises works from require', () => {
    expect(r.resolveStatus).toBe(0);
    expect(r.resolvedFamily).toBe(r.AF_INET);
    expect(r.promiseNames).toEqual(expect.arrayContaining(['accept', 'connect', 'recv', 'send', 'close', 'poll']));
  });
});

describe('native ESM: import … from "bsdsock"', () => {
  let r: Report;
  beforeAll(() => {
    r = runInProject<Report>(
      'probe.mjs',
      `import { createRequire } from 'node:module';
import { errno, close, htons, socket, AF_INET, SOCK_STREAM, IPPROTO_UDP, EBADF, EPROTONOSUPPORT, ptr, addrinfo, AI_NUMERICHOST, h_errno, gethostbyname } from 'bsdsock';
import * as ns from 'bsdsock';
import bsdsockDefault from 'bsdsock';
import * as p from 'bsdsock/promises';
import { getaddrinfo } from 'bsdsock/promises';

const require = createRequire(import.meta.url);
const out = {};
out.resolved = import.meta.resolve('bsdsock');
out.resolvedPromises = import.meta.resolve('bsdsock/promises');
out.before = errno;
out.closeResult = close(-1);
out.afterClose = errno;
htons(1);
out.afterSuccess = errno;
out.socketResult = socket(AF_INET, SOCK_STREAM, IPPROTO_UDP);
out.afterSocket = errno;
out.EBADF = EBADF;
out.EPROTONOSUPPORT = EPROTONOSUPPORT;
out.AF_INET = AF_INET;
out.hBefore = h_errno;
out.hLookup = gethostbyname('bad name');
out.hAfter = h_errno;
out.names = Object.keys(ns).filter((n) => n !== 'default');
out.cjsNames = Object.keys(require('bsdsock'));
out.promiseNames = Object.keys(p).filter((n) => n !== 'default');
out.cjsPromiseNames = Object.keys(require('bsdsock/promises'));
out.defaultIsCjs = bsdsockDefault === require('bsdsock');
try {
  await import('bsdsock/dist/lib/io.js');
  out.deepImport = 'allowed';
} catch (e) {
  out.deepImport = e.code;
}
const res = new ptr(null);
const hints = new addrinfo();
hints.ai_flags = AI_NUMERICHOST;
out.resolveStatus = await getaddrinfo('127.0.0.1', '80', hints, res);
out.resolvedFamily = res.value.ai_family;
console.log(JSON.stringify(out));
`,
    );
  }, 120000);

  test('resolves through the "exports" map to the .mjs entries', () => {
    expect(r.resolved).toBe(new URL(`file://${path.join(dist, 'index.mjs')}`).href);
    expect(r.resolvedPromises).toBe(new URL(`file://${path.join(dist, 'promises.mjs')}`).href);
    expect(r.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('the imported errno binding is live: 0 before close(-1), EBADF after, then the next failure’s value', () => {
    expect(r.before).toBe(0);
    expect(r.closeResult).toBe(-1);
    expect(r.afterClose).toBe(EBADF);
    expect(r.afterSuccess).toBe(EBADF);
    expect(r.socketResult).toBe(-1);
    expect(r.afterSocket).toBe(EPROTONOSUPPORT);
  });

  test('the imported h_errno binding is live: HOST_NOT_FOUND after a failed gethostbyname', () => {
    expect([r.hBefore, r.hLookup, r.hAfter]).toEqual([0, null, HOST_NOT_FOUND]);
  });

  test('every name of the CommonJS build is a named ESM export, for both entry points', () => {
    expect(r.cjsNames.length).toBeGreaterThan(100);
    expect([...r.names].sort()).toEqual([...r.cjsNames].sort());
    expect([...r.promiseNames].sort()).toEqual([...r.cjsPromiseNames].sort());
    expect(r.names).toEqual(expect.arrayContaining(['errno', 'close', 'socket', 'getaddrinfo', 'AF_INET']));
  });

  test('bsdsock/promises works from import', () => {
    expect(r.resolveStatus).toBe(0);
    expect(r.resolvedFamily).toBe(r.AF_INET);
  });
});

describe('TypeScript', () => {
  test('this suite imports bsdsock, and errno reads live after close(-1)', () => {
    setErrno(0);
    expect(errno).toBe(0);
    expect(close(-1)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(typeof promises.connect).toBe('function');
    expect(bsdsock.errno).toBe(EBADF);
  });

  test('package.json points each entry point at .d.ts files that declare it', () => {
    for (const [entry, decl] of [
      ['.', 'index.d.ts'],
      ['./promises', 'promises.d.ts'],
    ] as const) {
      const target = pkg.exports[entry];
      expect(typeof target).toBe('object');
      const types = (target as Record<string, string>).types;
      expect(path.resolve(root, types)).toBe(path.join(dist, decl));
      // The "types" condition must come first, or TypeScript picks a JavaScript target.
      expect(Object.keys(target)[0]).toBe('types');
      expect(fs.existsSync(path.join(dist, decl))).toBe(true);
    }
    const index = fs.readFileSync(path.join(dist, 'index.d.ts'), 'utf8');
    expect(index).toMatch(/\berrno\b/);
    expect(index).toMatch(/\bclose\b/);
    expect(fs.readFileSync(path.join(dist, 'errno.d.ts'), 'utf8')).toMatch(/export declare let errno: number;/);
    expect(fs.readFileSync(path.join(dist, 'promises.d.ts'), 'utf8')).toMatch(
      /export declare function connect\([^)]*\): Promise<number>;/,
    );
  });

  test('a TypeScript project that installed bsdsock type-checks against its .d.ts, from .cts and .mts', () => {
    // Each @ts-expect-error fails the check if the types were missing or `any`.
    const body = `
const n: number = errno;
// @ts-expect-error errno is a number
const s: string = errno;
const r: number = close(-1);
// @ts-expect-error close takes a descriptor number
close('3');
const addr = new sockaddr_in();
addr.sin_port = htons(8080);
const pending: Promise<number> = connect(3, addr, sizeof(addr));
// @ts-expect-error the promise API returns a Promise
const sync: number = connect(3, addr, sizeof(addr));
export { n, s, r, pending, sync };
`;
    const imports = [
      "import { errno, close, htons, sizeof, sockaddr_in } from 'bsdsock';",
      "import { connect } from 'bsdsock/promises';",
    ].join('\n');
    fs.writeFileSync(path.join(project, 'check.mts'), imports + body);
    fs.writeFileSync(path.join(project, 'check.cts'), imports + body);
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          typeRoots: [path.join(root, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['check.mts', 'check.cts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--traceResolution'],
      { cwd: project, encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 },
    );
    const errors = tsc.stdout.split('\n').filter((l) => l.includes('error TS'));
    expect(errors).toEqual([]);
    expect(tsc.status).toBe(0);
    // Both specifiers were resolved to the .d.ts files named in "exports".
    expect(tsc.stdout).toMatch(/Module name 'bsdsock' was successfully resolved to '[^']*dist\/lib\/index\.d\.ts'/);
    expect(tsc.stdout).toMatch(
      /Module name 'bsdsock\/promises' was successfully resolved to '[^']*dist\/lib\/promises\.d\.ts'/,
    );
  }, 120000);

  // moduleResolution node10 ("node") reads no "exports": bsdsock/promises is found through
  // package.json's typesVersions, which the other resolutions do not need.
  test('moduleResolution node10 finds bsdsock and bsdsock/promises (typesVersions)', () => {
    fs.writeFileSync(
      path.join(project, 'check10.ts'),
      [
        "import { close, errno } from 'bsdsock';",
        "import { recv } from 'bsdsock/promises';",
        'const r: number = close(-1);',
        'const e: number = errno;',
        'const p: (fd: number, buf: Buffer, len: number, flags: number) => Promise<number> = recv;',
        'export { r, e, p };',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(project, 'tsconfig.node10.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          typeRoots: [path.join(root, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['check10.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        path.join(project, 'tsconfig.node10.json'),
        '--traceResolution',
      ],
      { cwd: project, encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(tsc.stdout.split('\n').filter((l) => l.includes('error TS'))).toEqual([]);
    expect(tsc.status).toBe(0);
    expect(tsc.stdout).toMatch(
      /Module name 'bsdsock\/promises' was successfully resolved to '[^']*dist\/lib\/promises\.d\.ts'/,
    );
  }, 120000);
});
