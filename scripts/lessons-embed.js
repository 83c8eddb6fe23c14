#!/usr/bin/env node
// npm run lessons:embed [-- NAME...] [--check]: runs every lesson (or those named) in French and in
// English with `npm run lesson`, and writes what it printed into its text, docs/lessons/LANG/NAME.md,
// between the markers
//
//   <!-- timeline:begin -->
//   ```
//   ...what `npm run lesson -- NAME --lang LANG` printed...
//   ```
//   <!-- timeline:end -->
//
// so that no timeline is ever typed by hand. A text whose block already says the same, descriptor
// numbers, ports and process ids aside (scripts/lessons-normalize.js), is left as it is. --check
// writes nothing and exits 1 when a text's block says something else. test/lessons.test.ts makes the
// same comparison.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { normalize } = require('./lessons-normalize.js');

const root = path.join(__dirname, '..');
const BEGIN = '<!-- timeline:begin -->';
const END = '<!-- timeline:end -->';
const LANGS = ['fr', 'en'];

/** The block of a text: what is between the markers, without the fence. Null when it has no markers. */
function blockOf(text) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) return null;
  const inside = text.slice(b + BEGIN.length, e);
  const m = /^\s*```[a-z]*\n([\s\S]*?)```\s*$/.exec(inside);
  return m === null ? inside.trim() : m[1];
}

/** The text with its block replaced by `output`, fenced. */
function withBlock(text, output) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  return `${text.slice(0, b + BEGIN.length)}\n\`\`\`\n${output}\`\`\`\n${text.slice(e)}`;
}

/** Runs one lesson in one language: its output and exit status. */
function runLesson(name, lang) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'lesson.js'), name, '--lang', lang], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function main(argv) {
  const check = argv.includes('--check');
  const names = argv.filter((a) => !a.startsWith('--'));
  const lessons = JSON.parse(fs.readFileSync(path.join(root, 'docs', 'lessons', 'lessons.json'), 'utf8')).lessons;
  const chosen = names.length === 0 ? lessons : lessons.filter((l) => names.includes(l.name));
  const unknown = names.filter((n) => !lessons.some((l) => l.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`lessons:embed: unknown lesson ${unknown.join(', ')}\n`);
    return 2;
  }
  let failed = 0;
  for (const lesson of chosen) {
    for (const lang of LANGS) {
      const file = path.join(root, 'docs', 'lessons', lang, `${lesson.name}.md`);
      const label = path.relative(root, file);
      if (!fs.existsSync(file)) {
        process.stderr.write(`${label}: missing\n`);
        failed++;
        continue;
      }
      const text = fs.readFileSync(file, 'utf8');
      const old = blockOf(text);
      if (old === null) {
        process.stderr.write(`${label}: no ${BEGIN} ... ${END} markers\n`);
        failed++;
        continue;
      }
      const r = runLesson(lesson.name, lang);
      if (r.status !== 0) {
        process.stderr.write(
          `${label}: npm run lesson -- ${lesson.name} --lang ${lang} exited ${r.status}\n${r.stderr}`,
        );
        failed++;
        continue;
      }
      if (normalize(old) === normalize(r.stdout)) {
        process.stdout.write(`${label}: up to date\n`);
        continue;
      }
      if (check) {
        process.stdout.write(`${label}: its timeline differs from what the lesson prints now\n`);
        failed++;
        continue;
      }
      fs.writeFileSync(file, withBlock(text, r.stdout));
      process.stdout.write(`${label}: written\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { blockOf, withBlock, BEGIN, END };
