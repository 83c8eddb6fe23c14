#!/usr/bin/env node
'use strict';
// The package's install step (package.json "install"): generates the constants table the addon's C++
// includes, then builds the addon with node-gyp, finding by itself what node-gyp needs.
//
//   node scripts/install.js             what `npm install` runs: node-gyp's output is kept and shown only
//                                       when the build fails; success is one line
//   node scripts/install.js --verbose   node-gyp's output as it comes (npm run build:native)
//
// - Node's C headers. node-gyp downloads them from Node's release site unless it is told where they
//   are, and fails cryptically where that site cannot be reached. Official Node builds (and most
//   packages of them) install the headers beside the executable, in <prefix>/include/node: when no
//   nodedir is configured (npm_config_nodedir, --nodedir), that prefix is passed as --nodedir, so the
//   install needs no network. Headers node-gyp already downloaded (its cache) are used as they are.
// - The tools: a C++ compiler, make and Python 3 are checked first; when one is missing the install
//   stops with one sentence that names it and says how to get it, instead of node-gyp's stack.
// - node-gyp itself: the one npm runs install scripts with (npm bundles node-gyp and names it in
//   npm_config_node_gyp for every lifecycle script, installed from a tarball or not), else the
//   package's own devDependency (a development checkout run outside npm). A consumer never needs
//   node-gyp among its dependencies.
// - An interrupted install can be run again: the generated header is written by rename, and
//   `node-gyp rebuild` starts from a clean build/ directory.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const verbose = process.argv.includes('--verbose');

/** Stops the install with one line on stderr. */
function stop(sentence) {
  process.stderr.write(`bsdsock: ${sentence}\n`);
  process.exit(1);
}

/** The path of an executable: `command` itself if it holds a slash, else the first match on PATH. */
function which(command) {
  const executable = (file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(command) ? command : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, command);
    if (executable(file)) return file;
  }
  return null;
}

/** The first word of a command line held in an environment variable (CXX="ccache g++" → ccache). */
const firstWord = (s) => s.trim().split(/\s+/)[0];

/** How to install the missing tools on this system, as a shell command or a hint. */
function howToInstall() {
  if (process.platform === 'darwin') return 'xcode-select --install';
  if (/bsd/.test(process.platform)) return "pkg install gmake python3 (FreeBSD), or your system's packages";
  if (fs.existsSync('/etc/debian_version')) return 'apt-get install build-essential python3';
  if (fs.existsSync('/etc/alpine-release')) return 'apk add build-base python3';
  if (fs.existsSync('/etc/fedora-release') || fs.existsSync('/etc/redhat-release'))
    return 'dnf install gcc-c++ make python3';
  return 'apt-get install build-essential python3 (Debian, Ubuntu), dnf install gcc-c++ make python3 (Fedora)';
}

/** What node-gyp will not find: a list of descriptions, empty when the tools are there. */
function missingTools() {
  const missing = [];
  // The Makefile node-gyp writes compiles with $(CXX): make's default is g++ on Linux, c++ elsewhere.
  const cxx = process.env.CXX ? firstWord(process.env.CXX) : process.platform === 'linux' ? 'g++' : 'c++';
  if (which(cxx) === null) missing.push(`a C++ compiler (${cxx})`);
  // node-gyp runs $MAKE, else gmake on the BSDs, else make.
  const make = process.env.MAKE || (/bsd$/.test(process.platform) ? 'gmake' : 'make');
  if (which(make) === null) missing.push(make);
  // node-gyp looks for Python 3.6 or later in npm_config_python, PYTHON, python3, python.
  const candidates = [process.env.npm_config_python, process.env.PYTHON, 'python3', 'python'].filter(Boolean);
  const python = candidates.find(
    (p) =>
      which(p) !== null &&
      spawnSync(p, ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 6) else 1)'], { stdio: 'ignore' })
        .status === 0,
  );
  if (python === undefined) missing.push('Python 3 (python3)');
  return missing;
}

/** The node-gyp script to run (see the top of this file), or null. */
function nodeGypScript() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    return null;
  }
}

/**
 * The node-gyp arguments that say where Node's headers are, and a description of that place:
 * nothing when a nodedir is configured or node-gyp has the headers in its cache; else --nodedir
 * with the prefix beside the running node when the headers are there; else nothing (node-gyp will
 * try to download them), with `download: true`.
 */
function headers() {
  const configured = process.env.npm_config_nodedir;
  if (configured) return { args: [], where: `nodedir ${configured} (npm config)`, download: false };
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    return { args: [`--nodedir=${prefix}`], where: `${prefix}/include/node`, download: false };
  }
  // node-gyp's own cache: npm_config_devdir, else $XDG_CACHE_HOME/node-gyp or ~/.cache/node-gyp
  // (~/Library/Caches/node-gyp on macOS).
  const cacheHome =
    process.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Caches')
      : process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const devdir = process.env.npm_config_devdir || path.join(cacheHome, 'node-gyp');
  const cached = path.join(devdir, process.versions.node);
  if (fs.existsSync(path.join(cached, 'include', 'node', 'node_api.h'))) {
    return { args: [], where: `node-gyp's cache, ${cached}`, download: false };
  }
  return { args: [], where: `a download by node-gyp`, download: true, prefix };
}

// What node-gyp (9 to 12) prints when fetching the headers failed.
const DOWNLOAD_FAILED =
  /rolling back install|network connectivity|FetchError|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH/;

/** Runs node-gyp rebuild; resolves to { status, output } (output empty when verbose: it went to the terminal). */
function runNodeGyp(script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, 'rebuild', ...args], {
      cwd: root,
      stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    if (!verbose) {
      child.stdout.setEncoding('utf8').on('data', (s) => (output += s));
      child.stderr.setEncoding('utf8').on('data', (s) => (output += s));
    }
    child.on('error', (e) => resolve({ status: null, output: `${output}${e.message}\n` }));
    child.on('close', (status, signal) => resolve({ status: status ?? signal, output }));
  });
}

async function main() {
  // The constants table for the C++ (native/constants.gen.h); the TypeScript side ships compiled.
  const gen = spawnSync(process.execPath, [path.join(__dirname, 'gen-constants.js'), '--native'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (gen.status !== 0) stop('generating native/constants.gen.h from native/constants.list failed (see above).');

  const missing = missingTools();
  if (missing.length > 0) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
    stop(
      `cannot build the native addon: ${list} ${missing.length === 1 ? 'is' : 'are'} missing; ` +
        `install ${missing.length === 1 ? 'it' : 'them'} (${howToInstall()}) and run npm install again.`,
    );
  }

  const script = nodeGypScript();
  if (script === null) {
    stop(
      'cannot build the native addon: node-gyp was not found; install the package with npm, which brings ' +
        'node-gyp, or run npm install -g node-gyp.',
    );
  }

  const where = headers();
  const { status, output } = await runNodeGyp(script, where.args);
  if (status === 0) {
    const gypVersion = /gyp info using node-gyp@(\S+)/.exec(output);
    process.stdout.write(
      `bsdsock: built build/Release/bsdsock.node for Node ${process.version} ` +
        `(${gypVersion ? `node-gyp ${gypVersion[1]}, ` : ''}headers from ${where.where})\n`,
    );
    return;
  }
  if (where.download && DOWNLOAD_FAILED.test(output)) {
    const url = /gyp http GET (\S+)/.exec(output);
    stop(
      `cannot build the native addon: Node's C headers are not beside this node ` +
        `(no ${where.prefix}/include/node/node_api.h) and node-gyp could not download them` +
        `${url ? ` from ${url[1]}` : ''}; ` +
        `use a Node build that ships them (the official ones and nvm's do) or your system's ` +
        `Node headers package (Debian: apt-get install libnode-dev), or set npm_config_nodedir to the ` +
        `directory that holds include/node, and run npm install again.`,
    );
  }
  // A real build failure: the compiler's own messages are what helps.
  process.stderr.write(output);
  stop(`node-gyp rebuild failed (${status}); its output is above.`);
}

main().catch((e) => stop(`install failed: ${e instanceof Error ? e.message : String(e)}`));
