#!/usr/bin/env node
'use strict';
// npm run test:tarball: the package as a user gets it. Packs this checkout (npm pack, which builds dist/
// through "prepare"), installs the tarball into a new empty project in a temporary directory (a real
// install: the tarball is extracted and its install script builds the addon there, with no
// devDependency at hand), then compiles and runs there, against node_modules/bsdsock:
//
//   - a CommonJS program, a native ESM program, and a TypeScript program type-checked with --strict under
//     each moduleResolution (node10, node16, nodenext, bundler) and run;
//   - each: a listening socket on 127.0.0.1 (port 0) made with socket/bind/listen, a connection from
//     node:net accepted with bsdsock/promises' accept and read with its recv, a second one accepted with
//     the synchronous accept, every descriptor closed, and errno read after close(-1), which must show
//     EBADF's value;
//   - the package's command: `npx bsdsock --help`, an unknown subcommand (exit 2), and `npx bsdsock demo`
//     in a private network namespace (port 8080 is the seed's) where the machine allows one.
//
// The install runs with no nodedir configured (npm_config_nodedir emptied), so it must find Node's headers
// by itself. TypeScript and @types/node come from this checkout's devDependencies.
//
//   npm run test:tarball [-- --keep]     --keep leaves the temporary directory for a look
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const keep = process.argv.includes('--keep');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const typeRoots = path.join(root, 'node_modules', '@types');

const problems = [];
let checks = 0;

function check(what, ok, detail) {
  checks++;
  if (ok) {
    console.log(`  ok   ${what}`);
  } else {
    console.log(`  FAIL ${what}${detail ? `\n${detail.replace(/^/gm, '       ')}` : ''}`);
    problems.push(what);
  }
  return ok;
}

function section(title) {
  console.log(`\n== ${title}`);
}

/** Runs a command; its status, output and the seconds it took. */
function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    status: r.status ?? r.signal ?? (r.error ? r.error.message : null),
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    seconds,
  };
}

const output = (r) => `${r.stdout}${r.stderr}`.trimEnd();

// --- The consumer programs -------------------------------------------------------------------------

// One program, written three ways. `imports` brings socket, bind, listen, accept, close, errno from
// 'bsdsock', accept, recv from 'bsdsock/promises', printf from 'bsdsock/libc' and flagsText from 'bsdsock/timeline'; the body is the same JavaScript in each (in the
// TypeScript, annotations where --strict wants them).
function body(ts, errnoExpr = 'errno') {
  const t = (s) => (ts ? s : '');
  const errno = errnoExpr;
  return `
async function main()${t(': Promise<void>')} {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_port = htons(0);
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);
  if (fd < 0 || bind(fd, addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) throw new Error('setup failed: errno ' + ${errno});
  getsockname(fd, addr, new socklen_t(sizeof(addr)));
  const port = ntohs(addr.sin_port);
  console.log('listening: ' + (port > 0 ? 'a port chosen by the kernel' : 'no port'));

  // A connection from node:net, accepted and read with bsdsock/promises.
  const first = net.connect(port, '127.0.0.1', () => first.end('hello from node:net'));
  const conn = await accept(fd, null, null);
  const buf = Buffer.alloc(64);
  let got = '';
  for (;;) {
    const n = await recv(conn, buf, buf.length, 0);
    if (n <= 0) break;
    got += buf.toString('utf8', 0, n);
  }
  console.log('received: ' + got);
  close(conn);

  // A second one, accepted with the synchronous accept once node:net says it is connected (the kernel
  // has completed the handshake, so accept does not wait).
  const second = net.connect(port, '127.0.0.1');
  await new Promise${t('<void>')}((resolve) => second.once('connect', () => resolve()));
  const conn2 = acceptSync(fd, null, null);
  console.log('synchronous accept: ' + (conn2 >= 0 ? 'a descriptor' : 'failed, errno ' + ${errno}));
  second.destroy();
  close(conn2);
  close(fd);

  // errno, read after a failing call: C's EBADF.
  const r = close(-1);
  printf('close(-1) = %d, errno = %d, EBADF = %d\\n', r, ${errno}, EBADF);
  console.log('timeline: ' + flagsText(0x12));
}

main().catch((e${t(': unknown')}) => {
  console.error(e);
  process.exitCode = 1;
});
`;
}

const SYNC_NAMES =
  'AF_INET, EBADF, SOCK_STREAM, accept as acceptSync, bind, close, errno, getsockname, htons, inet_pton, ' +
  'listen, ntohs, sizeof, sockaddr_in, socket, socklen_t';

const cjsSource = `'use strict';
const net = require('node:net');
const bsdsock = require('bsdsock');
const { AF_INET, EBADF, SOCK_STREAM, accept: acceptSync, bind, close, getsockname, htons, inet_pton, listen, ntohs, sizeof, sockaddr_in, socket, socklen_t } = bsdsock;
const { accept, recv } = require('bsdsock/promises');
const { printf } = require('bsdsock/libc');
const { flagsText } = require('bsdsock/timeline');
// CommonJS: errno is read from the module object each time (destructuring it would copy one value).
${body(false, 'bsdsock.errno')}`;

const esmSource = `import * as net from 'node:net';
import { ${SYNC_NAMES} } from 'bsdsock';
import { accept, recv } from 'bsdsock/promises';
import { printf } from 'bsdsock/libc';
import { flagsText } from 'bsdsock/timeline';
${body(false)}`;

const tsSource = `import * as net from 'node:net';
import { ${SYNC_NAMES} } from 'bsdsock';
import { accept, recv } from 'bsdsock/promises';
import { printf } from 'bsdsock/libc';
import { flagsText } from 'bsdsock/timeline';
${body(true)}`;

const EXPECTED = (ebadf) =>
  [
    'listening: a port chosen by the kernel',
    'received: hello from node:net',
    'synchronous accept: a descriptor',
    `close(-1) = -1, errno = ${ebadf}, EBADF = ${ebadf}`,
    'timeline: SYN-ACK',
  ].join('\n');

/**
 * The environment for an install with no nodedir configured: npm_config_nodedir removed, and npm's user
 * and global config files replaced by copies without their nodedir line (an empty value in the
 * environment does not override a file's).
 */
function withoutNodedir(tmp) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];
  for (const which of ['userconfig', 'globalconfig']) {
    const file = run('npm', ['config', 'get', which], { cwd: tmp }).stdout.trim();
    const copy = path.join(tmp, `npmrc-${which}`);
    const text = file !== '' && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    fs.writeFileSync(copy, text.replace(/^\s*nodedir\s*=.*$/gm, ''));
    env[`npm_config_${which}`] = copy;
  }
  return env;
}

// --- The steps ------------------------------------------------------------------------------------

function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-tarball-'));
  try {
    steps(tmp);
  } finally {
    if (keep) console.log(`\n(kept ${tmp})`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    console.log(
      `\ncheck-tarball: FAIL: ${problems.length} of ${checks} checks failed (${seconds} s): ${problems.join('; ')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`\ncheck-tarball: PASS: ${checks} checks (${seconds} s)`);
  }
}

function steps(tmp) {
  section('npm pack');
  const pack = run('npm', ['pack', '--pack-destination', tmp], { cwd: root });
  const tarballs = fs.readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  if (
    !check(
      `npm pack made one tarball (${pack.seconds.toFixed(1)} s)`,
      pack.status === 0 && tarballs.length === 1,
      output(pack),
    )
  )
    return;
  const tarball = path.join(tmp, tarballs[0]);
  const list = run('tar', ['-tzf', tarball])
    .stdout.split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  console.log(`  ${tarballs[0]}: ${fs.statSync(tarball).size} bytes, ${list.length} files`);
  const needed = [
    'package.json',
    'LICENSE',
    'README.md',
    'binding.gyp',
    'native/constants.list',
    'scripts/install.js',
    'scripts/gen-constants.js',
    'scripts/check-platform.js',
    'scripts/cli.js',
    'scripts/demo.js',
    'dist/lib/index.js',
    'dist/lib/index.mjs',
    'dist/lib/index.d.ts',
    'dist/lib/promises.js',
    'dist/lib/promises.mjs',
    'dist/lib/promises.d.ts',
    'dist/lib/libc.js',
    'dist/lib/libc.mjs',
    'dist/lib/libc.d.ts',
    'dist/lib/timeline.js',
    'dist/lib/timeline.mjs',
    'dist/lib/timeline.d.ts',
    'dist/lib/constants.gen.js',
    'dist/lib/constants.gen.d.ts',
    'dist/examples/server.js',
    'dist/examples/client.js',
  ];
  const absent = needed.filter((f) => !list.includes(f));
  check(
    'the tarball holds the compiled library, the install and the demo',
    absent.length === 0,
    `missing: ${absent.join(', ')}`,
  );
  const unwanted = list.filter((f) => /^(lib|test|bench|build|\.ci)\/|\.map$|^native\/constants\.gen\.h$/.test(f));
  check(
    'the tarball holds no sources of dist/, tests, build output or source maps',
    unwanted.length === 0,
    unwanted.join('\n'),
  );
  // tsc never deletes: an output whose source is gone would be shipped stale.
  const stale = list.filter((f) => {
    const m = /^dist\/(lib|examples)\/(.+)\.(?:js|d\.ts)$/.exec(f);
    return m !== null && !fs.existsSync(path.join(root, m[1], `${m[2]}.ts`));
  });
  check('every compiled file in dist/ has its source in this checkout', stale.length === 0, stale.join('\n'));

  section('npm install <tarball> in a new empty project (no nodedir configured)');
  const project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'bsdsock-consumer', version: '1.0.0', private: true }, null, 2),
  );
  const env = withoutNodedir(tmp);
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], {
    cwd: project,
    env,
  });
  const built = /^bsdsock: built .*$/m.exec(install.stdout);
  if (built) console.log(`  ${built[0]}`);
  // Official Node builds have their headers beside the executable: the install must have found them there.
  const besideNode = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
  if (fs.existsSync(path.join(besideNode, 'node_api.h'))) {
    check(
      `the install found Node's headers by itself, beside node (${besideNode})`,
      built !== null && built[0].includes(`headers from ${besideNode})`),
      output(install),
    );
  }
  const pkgDir = path.join(project, 'node_modules', 'bsdsock');
  if (
    !check(
      `npm install <tarball> built the addon (${install.seconds.toFixed(1)} s)`,
      install.status === 0 && fs.existsSync(path.join(pkgDir, 'build', 'Release', 'bsdsock.node')),
      output(install),
    )
  )
    return;
  check(
    'it is a real install (a directory, not a link) without devDependencies',
    !fs.lstatSync(pkgDir).isSymbolicLink() && !fs.existsSync(path.join(project, 'node_modules', 'jest')),
  );
  const ebadf = Number(run(process.execPath, ['-p', "require('bsdsock').EBADF"], { cwd: project }).stdout.trim());
  const expected = EXPECTED(ebadf);

  section('consumers');
  const runProgram = (label, file) => {
    const r = run(process.execPath, [file], { cwd: project, timeout: 120_000 });
    check(
      `${label}: exit 0 and the expected lines`,
      r.status === 0 && r.stdout.trimEnd() === expected,
      `status ${r.status}\nexpected:\n${expected}\ngot:\n${output(r)}`,
    );
  };
  fs.writeFileSync(path.join(project, 'consumer.cjs'), cjsSource);
  runProgram('CommonJS (require)', 'consumer.cjs');
  fs.writeFileSync(path.join(project, 'consumer.mjs'), esmSource);
  runProgram('ES module (import)', 'consumer.mjs');

  // TypeScript: one source per resolution; node16 compiles it as CommonJS (.ts in a package without
  // "type"), nodenext as an ES module (.mts), bundler as ESNext into a "type": "module" folder.
  const resolutions = [
    { resolution: 'node10', module: 'commonjs', file: 'consumer.ts', out: 'consumer.js' },
    { resolution: 'node16', module: 'node16', file: 'consumer.ts', out: 'consumer.js' },
    { resolution: 'nodenext', module: 'nodenext', file: 'consumer.mts', out: 'consumer.mjs' },
    { resolution: 'bundler', module: 'esnext', file: 'consumer.ts', out: 'consumer.js', esm: true },
  ];
  for (const r of resolutions) {
    const dir = path.join(project, `ts-${r.resolution}`);
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(dir, r.file), tsSource);
    if (r.esm) fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            target: 'ES2022',
            module: r.module,
            moduleResolution: r.resolution,
            outDir: 'out',
            rootDir: '.',
            typeRoots: [typeRoots],
            types: ['node'],
            skipLibCheck: false,
          },
          files: [r.file],
        },
        null,
        2,
      ),
    );
    const compile = run(process.execPath, [tsc, '-p', dir], { cwd: dir });
    if (
      check(
        `TypeScript --strict, moduleResolution ${r.resolution} (module ${r.module}): compiles`,
        compile.status === 0,
        output(compile),
      )
    ) {
      runProgram(`TypeScript (${r.resolution}) compiled`, path.join(outDir, r.out));
    }
  }

  section('the command: npx bsdsock');
  const npx = (args) => run('npx', ['--no-install', 'bsdsock', ...args], { cwd: project, timeout: 120_000 });
  const help = npx(['--help']);
  check('npx bsdsock --help lists the subcommands', help.status === 0 && /^\s+demo\s/m.test(help.stdout), output(help));
  const unknown = npx(['nonsense']);
  check(
    'an unknown subcommand: one line on stderr, exit 2',
    unknown.status === 2 &&
      unknown.stdout === '' &&
      /^bsdsock: unknown subcommand 'nonsense'[^\n]*\n$/.test(unknown.stderr),
    `status ${unknown.status}\n${output(unknown)}`,
  );
  const netns = [
    ['unshare', '-n'],
    ['unshare', '-rn'],
  ].find((cmd) => run(cmd[0], [...cmd.slice(1), 'sh', '-c', 'ip link set lo up']).status === 0);
  if (netns === undefined) {
    const required = process.env.BSDSOCK_REQUIRE_ALL_TOOLS === '1';
    console.log(
      `  ${required ? 'FAIL' : 'skip'} npx bsdsock demo: no network namespace (unshare -n needs root or user namespaces; ip from iproute2)`,
    );
    if (required) problems.push('npx bsdsock demo: no network namespace');
  } else {
    const demo = run(
      netns[0],
      [...netns.slice(1), 'sh', '-c', 'ip link set lo up && exec npx --no-install bsdsock demo'],
      {
        cwd: project,
        timeout: 120_000,
        env: { ...process.env, COLUMNS: '100' },
      },
    );
    check(
      'npx bsdsock demo shows the timeline with the packets and states, and the output of both programs',
      demo.status === 0 &&
        /accept\(\d+, +<unfinished \.\.\.>/.test(demo.stdout) &&
        /recv\(\d+, +"Hello from server!\\n"/.test(demo.stdout) &&
        /─ SYN-ACK ─+▶/.test(demo.stdout) &&
        / agree$/m.test(demo.stdout) &&
        demo.stdout.includes('Message du serveur: Hello from server!'),
      output(demo),
    );
  }
}

main();
