#!/usr/bin/env node
'use strict';
// The package's command (package.json "bin"): `npx bsdsock <subcommand>` from a project that installed
// bsdsock, or `npm exec bsdsock -- <subcommand>`.
//
//   bsdsock demo [--refused] [--no-packets] [--narrow] [--wide] [--explain] [--mermaid FILE] [--json]
//   bsdsock timeline [options] -- SERVER_COMMAND... [-- CLIENT_COMMAND...]
//   bsdsock --help | -h | help
//   bsdsock --version | -v
//
// A missing or unknown subcommand is a one-line error on stderr and exit status 2.
const path = require('node:path');

const subcommands = [
  [
    'demo',
    "run the seed's TCP server and client (examples/server.ts, client.ts) with the tracer on and show both as one timeline",
  ],
  [
    'timeline',
    'the same timeline for your own programs (that use bsdsock): bsdsock timeline -- node server.js -- node client.js',
  ],
  ['help', 'this list (also --help, -h)'],
];

function help() {
  const width = Math.max(...subcommands.map(([name]) => name.length));
  return [
    'usage: bsdsock <subcommand> [options]',
    '',
    'subcommands:',
    ...subcommands.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`),
    '',
    'demo and timeline options: bsdsock demo --help lists them (--refused, --no-packets, --narrow, --wide,',
    '              --explain, --mermaid FILE, --json)',
    '',
    '--version, -v prints the package version.',
    '',
  ].join('\n');
}

function usageError(message) {
  process.stderr.write(`bsdsock: ${message} (try: bsdsock --help)\n`);
  process.exitCode = 2;
}

const [command, ...rest] = process.argv.slice(2);
if (command === undefined) {
  usageError('a subcommand is needed: demo');
} else if (command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(help());
} else if (command === '--version' || command === '-v') {
  process.stdout.write(`${require(path.join(__dirname, '..', 'package.json')).version}\n`);
} else if (command === 'demo') {
  require('./demo.js').cli(rest);
} else if (command === 'timeline') {
  if (!rest.includes('--'))
    usageError('timeline needs the programs to run: bsdsock timeline -- SERVER... [-- CLIENT...]');
  else require('./demo.js').cli(rest);
} else {
  usageError(`unknown subcommand '${command}'`);
}
