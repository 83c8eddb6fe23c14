'use strict';
// How much of each C example its TypeScript port keeps line for line.
//
//   npm run port-stats [-- [--json] [--root DIR] [NAME...]]
//
// For each examples/c/NAME.c that has an examples/NAME.ts (or only the NAMEs given), it prints
//
//   NAME: M of N C lines map one to one (I #include lines)
//
// then, for each C line that does not map, its number, the C text, the TS text and what the TS line
// lacks. An example with no .ts yet is listed as having no port. --json prints the same as JSON (an
// array, one object per example) for tests and tools. --root reads DIR/examples/ instead of this
// repository's.
//
// THE RULE
//
// The port is aligned line by line with the C file: line i of the .ts stands for line i of the .c.
// The two files must have the same number of lines, except that the port may have one more, last,
// line that calls main (C calls main itself; TypeScript must: `process.exitCode = main(...)`); if
// not, the example is reported as an error and nothing is counted for it. N is the number of C lines. C line i counts as mapped when:
//
//   1. both lines are blank; or
//   2. both are comment-only lines, or both are brace-only lines (code made only of { } ( ) [ ] ; ,
//      once comments are removed, e.g. `}`, `});`), a comment-only line and a brace-only line not
//      being a pair; or
//   3. the C line is an `#include` and the TS line is blank or part of an `import ...` statement (a
//      line from one that starts with `import` to the one that ends it): these are the I lines, which
//      M includes; or
//   4. the C line has at least one token and every token of it appears in the TS line, as a multiset
//      (a token used twice in C must appear twice in TS), in any order. The tokens of a line are its
//      identifiers and its string, char and number literals, comments removed, with the C-only words
//      removed from the C side (int char short long unsigned signed void struct const static volatile
//      register extern union define) and C's NULL read as null. A string or char literal is compared by what
//      is between its quotes (C's "ab" and 'a' match TS's 'ab', "ab", `ab` and 'a'), and a C char
//      literal, being an int, also matches its code as a number ('\0' matches 0, 'A' matches 65); a TS template
//      literal is one string token, and the identifiers of its ${...} parts are tokens too. A number
//      is compared as written, lower-cased, without C's integer suffixes (10UL is 10). Everything else
//      (operators, & and *, ->, casts' parentheses) is ignored. A preprocessor line is tokenized like
//      code, `define` being a C-only word: `#define BACKLOG 10` has the tokens BACKLOG and 10, which
//      `const BACKLOG = 10;` has.
//
// Comments are removed on both sides before anything is compared: C's /* ... */ (across lines too)
// and //, TypeScript's likewise; quotes inside comments and comment markers inside strings are
// handled.
//
// THE HEADER CLAIM
//
// A port may state its figures in a comment line among its first 5 lines:
//
//   // port-stats: M of N C lines map one to one
//
// The exit code is 1 when a claim disagrees with the computed numbers (a claim on a port whose line
// count differs from its C file's disagrees too: nothing can be computed), and 0 otherwise, even with
// examples that have no port yet or are reported as errors without a claim. 2 is a usage error.
const fs = require('node:fs');
const path = require('node:path');

const C_ONLY = new Set([
  'int',
  'char',
  'short',
  'long',
  'unsigned',
  'signed',
  'void',
  'struct',
  'const',
  'static',
  'volatile',
  'register',
  'extern',
  'union',
  'define',
]);

const CLAIM = /^\s*\/\/\s*port-stats:\s*(\d+) of (\d+) C lines map one to one\s*$/;

/**
 * Splits one line into its code (comments removed, literals left in place) and its tokens, carrying
 * the block-comment state from line to line. Returns { code, comment, tokens, inBlock }.
 */
function scanLine(line, inBlock, lang) {
  const tokens = [];
  let code = '';
  let comment = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    if (inBlock) {
      comment = true;
      const end = line.indexOf('*/', i);
      if (end < 0) {
        i = n;
      } else {
        i = end + 2;
        inBlock = false;
        code += ' ';
      }
      continue;
    }
    const ch = line[i];
    const next = line[i + 1];
    if (ch === '/' && next === '*') {
      inBlock = true;
      i += 2;
      continue;
    }
    if (ch === '/' && next === '/') {
      comment = true;
      break;
    }
    if (ch === '"' || ch === "'" || (ch === '`' && lang === 'ts')) {
      // A literal: up to the closing quote, skipping escaped characters.
      let j = i + 1;
      let text = '';
      while (j < n && line[j] !== ch) {
        if (line[j] === '\\' && j + 1 < n) {
          // \" and \' are the quote itself; any other escape is compared as written.
          text +=
            line[j + 1] === '"' || line[j + 1] === "'" || line[j + 1] === '`' ? line[j + 1] : line.slice(j, j + 2);
          j += 2;
          continue;
        }
        text += line[j];
        j++;
      }
      // A C char literal is an int: it may stand as its string or as its code (`'\0'` as 0).
      tokens.push(ch === "'" && lang === 'c' ? `chr:${text}` : `lit:${text}`);
      if (ch === '`') {
        // The identifiers and literals of each ${...} are tokens of the line as well.
        for (const m of text.matchAll(/\$\{([^}]*)\}/g)) tokens.push(...scanLine(m[1], false, lang).tokens);
      }
      code += line.slice(i, Math.min(j + 1, n));
      i = j + 1;
      continue;
    }
    const ident = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(line.slice(i));
    if (ident !== null) {
      tokens.push(ident[0]);
      code += ident[0];
      i += ident[0].length;
      continue;
    }
    // A number, then C's suffixes (10UL, 1.5f) or TS's bigint n, which are not part of its value.
    const num = /^(0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)[uUlLfFn]*/.exec(line.slice(i));
    if (num !== null) {
      tokens.push(`num:${num[1].toLowerCase()}`);
      code += num[0];
      i += num[0].length;
      continue;
    }
    code += ch;
    i++;
  }
  return { code, comment, tokens, inBlock };
}

/** The per-line view of a file: its raw lines and what scanLine found in each. */
function scanFile(text, lang) {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends the last line
  let inBlock = false;
  let inImport = false;
  return lines.map((raw) => {
    const s = scanLine(raw, inBlock, lang);
    inBlock = s.inBlock;
    const code = s.code.trim();
    let kind;
    if (raw.trim() === '') kind = 'blank';
    else if (code === '') kind = 'comment';
    else if (/^[{}()[\];,\s]+$/.test(code)) kind = 'brace';
    else kind = 'code';
    // An import statement, from its first line to the one that ends it (`from '...'` or a `;`).
    let isImport = false;
    if (lang === 'ts') {
      if (/^import\b/.test(code)) inImport = true;
      isImport = inImport;
      if (inImport && (/\bfrom\s*['"][^'"]*['"]\s*;?$/.test(code) || /;$/.test(code))) inImport = false;
    }
    return { raw, code, kind, tokens: s.tokens, include: lang === 'c' && /^#\s*include\b/.test(code), isImport };
  });
}

/** The C tokens that count: C-only words dropped, NULL read as null. */
function cTokens(tokens) {
  return tokens.filter((t) => !C_ONLY.has(t)).map((t) => (t === 'NULL' ? 'null' : t));
}

const ESCAPES = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };

/** The value of a C char literal's text (between its quotes), or null. */
function charCode(text) {
  if (text.length === 1) return text.charCodeAt(0);
  if (text[0] !== '\\') return null;
  if (/^\\[0-7]{1,3}$/.test(text)) return parseInt(text.slice(1), 8);
  if (/^\\x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  return text.length === 2 && text[1] in ESCAPES ? ESCAPES[text[1]] : null;
}

/** The C tokens that the TS tokens lack, as a multiset difference. */
function missingTokens(cToks, tsToks) {
  const have = new Map();
  for (const t of tsToks) have.set(t, (have.get(t) ?? 0) + 1);
  const take = (t) => {
    const k = have.get(t) ?? 0;
    if (k > 0) have.set(t, k - 1);
    return k > 0;
  };
  const missing = [];
  for (const t of cToks) {
    if (t.startsWith('chr:')) {
      const code = charCode(t.slice(4));
      if (take(`lit:${t.slice(4)}`) || (code !== null && take(`num:${code}`))) continue;
      missing.push(`lit:${t.slice(4)}`);
    } else if (!take(t)) {
      missing.push(t);
    }
  }
  return missing;
}

/**
 * Whether C line c maps to TS line ts (both from scanFile): { mapped, include, missing } where
 * include says the line counted as an #include line and missing lists the C tokens TS lacks.
 */
function mapLine(c, ts) {
  if (c.kind === 'blank' && ts.kind === 'blank') return { mapped: true, include: false, missing: [] };
  if (c.include) {
    const ok = ts.kind === 'blank' || ts.isImport;
    return { mapped: ok, include: ok, missing: ok ? [] : ['(an import line or a blank line)'] };
  }
  if (c.kind === 'blank') return { mapped: false, include: false, missing: ['(a blank line)'] };
  if (c.kind === 'comment' || c.kind === 'brace') {
    const ok = ts.kind === c.kind;
    return { mapped: ok, include: false, missing: ok ? [] : [`(a ${c.kind}-only line)`] };
  }
  const toks = cTokens(c.tokens);
  if (toks.length === 0) {
    // Code made only of C-only words (`void`, `} union {`...): nothing it could be matched on.
    const ok = ts.kind === 'brace';
    return { mapped: ok, include: false, missing: ok ? [] : ['(a brace-only line)'] };
  }
  const missing = missingTokens(toks, ts.tokens);
  return { mapped: missing.length === 0, include: false, missing };
}

/** The header claim of a TS text (a comment line among its first 5), or null. */
function headerClaim(tsText) {
  for (const line of tsText.split('\n').slice(0, 5)) {
    const m = CLAIM.exec(line);
    if (m !== null) return { mapped: Number(m[1]), total: Number(m[2]) };
  }
  return null;
}

/** Token text as printed: literals quoted, numbers bare. */
function showToken(t) {
  if (t.startsWith('lit:')) return JSON.stringify(t.slice(4));
  if (t.startsWith('num:')) return t.slice(4);
  return t;
}

/**
 * Compares a C text with its TS port. Returns { status: 'ok' | 'error', total, tsTotal, mapped,
 * includes, unmapped: [{ line, c, ts, missing }], error? }.
 */
function analyze(cText, tsText) {
  const c = scanFile(cText, 'c');
  let ts = scanFile(tsText, 'ts');
  // C calls main itself; a port does it on one more line after the C file's last.
  const entry = ts.length === c.length + 1 && /\bmain\(/.test(ts[ts.length - 1].raw) ? ts[ts.length - 1].raw : null;
  if (entry !== null) ts = ts.slice(0, c.length);
  if (c.length !== ts.length) {
    return {
      status: 'error',
      total: c.length,
      tsTotal: ts.length,
      mapped: null,
      includes: null,
      unmapped: [],
      error: `the C file has ${c.length} lines and the TS file ${ts.length}: they are not aligned line by line`,
    };
  }
  let mapped = 0;
  let includes = 0;
  const unmapped = [];
  c.forEach((cl, k) => {
    const r = mapLine(cl, ts[k]);
    if (r.mapped) {
      mapped++;
      if (r.include) includes++;
    } else {
      unmapped.push({ line: k + 1, c: cl.raw, ts: ts[k].raw, missing: r.missing.map(showToken) });
    }
  });
  return { status: 'ok', total: c.length, tsTotal: ts.length + (entry === null ? 0 : 1), mapped, includes, unmapped };
}

/** Every example under root (or the ones named), with its result. */
function examples(root, names) {
  const cDir = path.join(root, 'examples', 'c');
  const all = fs
    .readdirSync(cDir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
  const chosen = names.length > 0 ? names : all;
  return chosen.map((name) => {
    const cFile = path.join(cDir, `${name}.c`);
    const tsFile = path.join(root, 'examples', `${name}.ts`);
    if (!fs.existsSync(cFile))
      return { name, status: 'error', error: `there is no examples/c/${name}.c`, claimOk: true };
    if (!fs.existsSync(tsFile)) return { name, status: 'no-port', claim: null, claimOk: true };
    const tsText = fs.readFileSync(tsFile, 'utf8');
    const result = analyze(fs.readFileSync(cFile, 'utf8'), tsText);
    const claim = headerClaim(tsText);
    const claimOk =
      claim === null || (result.status === 'ok' && claim.mapped === result.mapped && claim.total === result.total);
    return { name, ...result, claim, claimOk };
  });
}

function report(results) {
  const out = [];
  for (const r of results) {
    if (r.status === 'no-port') {
      out.push(`${r.name}: no port yet (no examples/${r.name}.ts)`);
      continue;
    }
    if (r.status === 'error') {
      out.push(`${r.name}: error: ${r.error}`);
    } else {
      out.push(`${r.name}: ${r.mapped} of ${r.total} C lines map one to one (${r.includes} #include lines)`);
      for (const u of r.unmapped) {
        out.push(`  line ${u.line}:`);
        out.push(`    C:  ${u.c}`);
        out.push(`    TS: ${u.ts}`);
        out.push(`    TS lacks: ${u.missing.join(' ')}`);
      }
    }
    if (!r.claimOk) {
      const computed = r.status === 'ok' ? `${r.mapped} of ${r.total}` : 'nothing (the files are not aligned)';
      out.push(
        `  examples/${r.name}.ts claims ${r.claim.mapped} of ${r.claim.total} C lines map one to one; computed: ${computed}`,
      );
    }
  }
  return out.join('\n');
}

function main(argv) {
  let json = false;
  let root = path.join(__dirname, '..');
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--root' && i + 1 < argv.length) root = path.resolve(argv[++i]);
    else if (a.startsWith('-')) {
      process.stderr.write(`port-stats: unknown option ${a}\nusage: port-stats [--json] [--root DIR] [NAME...]\n`);
      return 2;
    } else names.push(a);
  }
  const results = examples(root, names);
  process.stdout.write(json ? `${JSON.stringify(results, null, 2)}\n` : `${report(results)}\n`);
  return results.every((r) => r.claimOk) ? 0 : 1;
}

module.exports = { scanFile, mapLine, analyze, headerClaim, examples, report, C_ONLY };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
