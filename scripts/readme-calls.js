'use strict';
// Writes the README's table of calls from the table of calls (lib/calls.ts, compiled into dist/), between
// the markers `<!-- calls:begin -->` and `<!-- calls:end -->`; with --check, only says whether it is up
// to date (exit 1 when not). test/calls.test.ts makes the same check.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const readme = path.join(root, 'README.md');
const { callsTable } = require(path.join(root, 'dist', 'lib', 'calls.js'));

const text = fs.readFileSync(readme, 'utf8');
const match = /(<!-- calls:begin -->\n)([\s\S]*?)(<!-- calls:end -->)/.exec(text);
if (match === null) {
  console.error('README.md has no <!-- calls:begin --> ... <!-- calls:end --> block');
  process.exit(2);
}
const wanted = callsTable() + '\n';
if (process.argv.includes('--check')) {
  if (match[2] !== wanted) {
    console.error('README.md: the table of calls is out of date: npm run readme:calls');
    process.exit(1);
  }
  process.exit(0);
}
fs.writeFileSync(readme, text.replace(match[0], match[1] + wanted + match[3]));
