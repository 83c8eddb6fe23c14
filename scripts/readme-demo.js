'use strict';
// Writes a real run of `npm run demo -- --wide` (COLUMNS=100) into README.md and README.fr.md between the markers
// `<!-- demo:begin -->` and `<!-- demo:end -->`, inside a fenced block: the README shows what the demo
// prints, never a drawing typed by hand. test/demo.test.ts reads the block back and checks it as it
// checks a live run (the calls in causal order, the handshake's arrows, each side's states, the
// kernel's agreement), so that it cannot drift from what the demo does.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
// The READMEs tell the textbook case, where the server closes first (its FIN is the first FIN, an
// arrow to the right); on a busy machine the client may close first: run again then.
const serverClosedFirst = (out) => {
  const fin = out.split('\n').find((l) => /FIN/.test(l));
  return fin !== undefined && /─ FIN-ACK ─+▶/.test(fin);
};
let r;
for (let attempt = 0; attempt < 10; attempt++) {
  r = spawnSync(process.execPath, [path.join(root, 'scripts', 'demo.js'), '--wide'], {
    cwd: root,
    env: { ...process.env, COLUMNS: '100' },
    encoding: 'utf8',
  });
  if (r.status !== 0 || !/ agree$/m.test(r.stdout)) {
    console.error(`the demo did not draw its packets (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  if (serverClosedFirst(r.stdout)) break;
}
if (!serverClosedFirst(r.stdout)) {
  console.error('in 10 runs the server never closed first: is the machine very busy?');
  process.exit(1);
}
// The same run in both READMEs: the English one and the French one.
for (const name of ['README.md', 'README.fr.md']) {
  const readme = path.join(root, name);
  const text = fs.readFileSync(readme, 'utf8');
  const match = /(<!-- demo:begin -->\n)([\s\S]*?)(<!-- demo:end -->)/.exec(text);
  if (match === null) {
    console.error(`${name} has no <!-- demo:begin --> ... <!-- demo:end --> block`);
    process.exit(2);
  }
  fs.writeFileSync(readme, text.replace(match[0], `${match[1]}\`\`\`\n${r.stdout.trimEnd()}\n\`\`\`\n${match[3]}`));
  console.log(`${name}: the demo block is rewritten from a real run`);
}
