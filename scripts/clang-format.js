'use strict';
// Checks (--check) or fixes (--fix) the formatting of the C and C++ sources with the clang-format
// binary that the `clang-format` npm package ships, using the style in the repository's .clang-format.
//
//   node scripts/clang-format.js --check [--verbose] [files...]
//   node scripts/clang-format.js --fix [files...]
//
// Without file arguments it formats native/*.cc and native/*.h (not the generated *.gen.h) and the
// *.c and *.h files in bench/c/, test/c/ and examples/c/ where those directories exist.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const styleFile = path.join(root, '.clang-format');

// Directories and the extensions formatted in each.
const sources = [
  { dir: 'native', exts: ['.cc', '.h'] },
  { dir: 'bench/c', exts: ['.c', '.h'] },
  { dir: 'test/c', exts: ['.c', '.h'] },
  { dir: 'examples/c', exts: ['.c', '.h'] },
];

function usage(message) {
  if (message) console.error(`clang-format.js: ${message}`);
  console.error('usage: node scripts/clang-format.js --check [--verbose] [files...] | --fix [files...]');
  process.exit(2);
}

function findSources() {
  const files = [];
  for (const { dir, exts } of sources) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      if (entry.name.endsWith('.gen.h')) continue;
      if (!exts.includes(path.extname(entry.name))) continue;
      files.push(path.join(dir, entry.name));
    }
  }
  return files.sort();
}

function findBinary() {
  // The npm package knows where its binary for this platform lives (bin/<platform>_<arch>/clang-format).
  let pkg;
  try {
    pkg = require(require.resolve('clang-format', { paths: [root] }));
  } catch (e) {
    console.error(`clang-format.js: cannot load the clang-format npm package (run npm install): ${e.message}`);
    process.exit(2);
  }
  try {
    return pkg.getNativeBinary();
  } catch (e) {
    console.error(`clang-format.js: ${e.message}`);
    process.exit(2);
  }
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const fix = args.includes('--fix');
  const verbose = args.includes('--verbose') || args.includes('-v');
  const unknown = args.filter((a) => a.startsWith('-') && !['--check', '--fix', '--verbose', '-v'].includes(a));
  if (unknown.length > 0) usage(`unknown option ${unknown.join(' ')}`);
  if (check === fix) usage('give exactly one of --check and --fix');

  if (!fs.existsSync(styleFile)) {
    console.error(`clang-format.js: ${path.relative(process.cwd(), styleFile)} is missing`);
    process.exit(2);
  }

  const named = args.filter((a) => !a.startsWith('-'));
  const files = named.length > 0 ? named.map((f) => path.relative(root, path.resolve(f))) : findSources();
  if (files.length === 0) {
    console.log('clang-format.js: no C or C++ files to format');
    return;
  }

  const binary = findBinary();
  // --style=file:<path> makes clang-format use this repository's .clang-format whatever the file's location.
  const common = [`--style=file:${styleFile}`, '--fallback-style=none'];
  const failed = [];
  const differ = [];

  for (const file of files) {
    const mode = check ? ['--dry-run', '--Werror'] : ['-i'];
    const result = spawnSync(binary, [...common, ...mode, file], { cwd: root, encoding: 'utf8' });
    if (result.error) {
      console.error(`clang-format.js: cannot run ${binary}: ${result.error.message}`);
      process.exit(2);
    }
    if (result.status === 0) continue;
    const stderr = result.stderr || '';
    if (check && stderr.includes('[-Wclang-format-violations]')) {
      differ.push(file);
      if (verbose) process.stderr.write(stderr);
    } else {
      failed.push(file);
      process.stderr.write(stderr || `clang-format exited with status ${result.status} on ${file}\n`);
    }
  }

  if (failed.length > 0) {
    console.error(`clang-format.js: clang-format failed on ${failed.length} file(s): ${failed.join(', ')}`);
  }
  if (differ.length > 0) {
    console.error(`clang-format.js: ${differ.length} of ${files.length} file(s) are not formatted:`);
    for (const file of differ) console.error(`  ${file}`);
    console.error('Run `npm run format` (or node scripts/clang-format.js --fix) to format them;');
    console.error('add --verbose to --check to see each difference.');
  }
  if (failed.length > 0 || differ.length > 0) process.exit(1);
  console.log(`clang-format.js: ${files.length} file(s) ${check ? 'are formatted' : 'formatted'}`);
}

main();
