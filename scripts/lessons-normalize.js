'use strict';
// What may differ between two runs of the same lesson, and nothing else, written the same way in both:
// descriptor numbers (Node holds the first ones, how many depends on its version), the ports the
// kernel picks (32768 and up: the ephemeral range; a lesson's own ports stay), process ids. Used by
// npm run lessons:embed (a text whose block says the same is left alone) and test/lessons.test.ts (a
// text's block must say the same as a new run).
//
// A descriptor is recognised by where strace's lines put one: the first argument of a call that takes
// one, the result of a call that makes one, socketpair's pair, poll's fd=, select's sets and its
// highest-plus-one, epoll's descriptor and its data, SCM_RIGHTS's cmsg_data. Each distinct number
// becomes <fdN>, each distinct ephemeral port <portN>, numbered in order of first appearance, so the
// text must still say which descriptor (or port) is which. A timeline's line is compared without its
// spaces and its cuts (see normalize).

/** Calls whose first argument is not a descriptor. */
const FIRST_NOT_FD = new Set([
  'socket',
  'socketpair',
  'select',
  'poll',
  'getaddrinfo',
  'getnameinfo',
  'freeaddrinfo',
  'gethostbyname',
  'gethostbyaddr',
  'getservbyname',
  'getservbyport',
  'epoll_create1',
  'clock_gettime',
]);

/** Calls that return a new descriptor. */
const RETURNS_FD = new Set(['socket', 'accept', 'accept4', 'dup', 'dup2', 'epoll_create1']);

function numbering(prefix) {
  const seen = new Map();
  return (n) => {
    if (!seen.has(n)) seen.set(n, `<${prefix}${seen.size + 1}>`);
    return seen.get(n);
  };
}

/**
 * The text with descriptors, ephemeral ports and process ids written as <fdN>, <portN> and <pid>.
 * @param {string} text - a lesson's output (its timeline and the programs' outputs).
 * @returns {string}
 */
function normalize(text) {
  const fd = numbering('fd');
  const port = numbering('port');
  const ephemeral = (p) => (Number(p) >= 32768 ? port(p) : p);
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^( *[^ │]+ │ )(.*)$/.exec(lines[i]);
    if (m === null) {
      out.push(rewritePorts(lines[i].replace(/\bpid \d+/g, 'pid <pid>'), ephemeral));
      continue;
    }
    // A call wrapped over several lines is one line here, its spaces left out: where a line was cut
    // depends on the lengths of the numbers in it, and a cut drops a space or keeps it.
    const label = m[1].trim();
    let joined = m[2];
    while (i + 1 < lines.length && lines[i + 1].startsWith(m[1] + '    ')) {
      const next = lines[++i].slice(m[1].length).trimStart();
      joined += (joined.endsWith(',') ? ' ' : '') + next;
    }
    out.push(`${label} ${rewriteCall(joined, fd, ephemeral).replace(/\s+/g, '')}`);
  }
  return out.join('\n');
}

function rewritePorts(s, ephemeral) {
  return s
    .replace(/htons\((\d+)\)/g, (_m, p) => `htons(${ephemeral(p)})`)
    .replace(/(\d|\]):(\d+)\b/g, (_m, before, p) => `${before}:${ephemeral(p)}`)
    .replace(/(^|[\s[(⇄]):(\d+)\b/g, (_m, before, p) => `${before}:${ephemeral(p)}`)
    .replace(/\bport (\d+)\b/g, (_m, p) => `port ${ephemeral(p)}`);
}

function rewriteCall(s, fd, ephemeral) {
  s = rewritePorts(s, ephemeral);
  // The call's name: `accept(`, or `<... accept resumed>`.
  const name = /^(?:<\.\.\. )?([a-z0-9_]+)/.exec(s)?.[1];
  if (name === undefined) return s;
  const num = '(\\d+)';
  if (!FIRST_NOT_FD.has(name)) s = s.replace(new RegExp(`^${name}\\(${num}`), (_m, n) => `${name}(${fd(n)}`);
  if (name === 'epoll_ctl') {
    s = s.replace(/^(epoll_ctl\(<fd\d+>, [A-Z_]+, )(\d+)/, (_m, a, n) => `${a}${fd(n)}`);
  }
  if (name === 'socketpair') s = s.replace(/\[(\d+),\s*(\d+)\]/, (_m, a, b) => `[${fd(a)}, ${fd(b)}]`);
  if (name === 'select') {
    s = s.replace(/^select\((\d+)/, (_m, n) => `select(${fd(n)}`);
    s = s.replace(/\[([\d ]+)\]/g, (_m, set) => `[${set.replace(/\d+/g, (n) => fd(n))}]`);
  }
  s = s.replace(/\bfd=(\d+)/g, (_m, n) => `fd=${fd(n)}`);
  s = s.replace(/\{u32=(\d+), u64=(\d+)\}/g, (_m, a, b) => `{u32=${fd(a)}, u64=${fd(b)}}`);
  s = s.replace(/cmsg_data=\[([\d, ]+)\]/g, (_m, set) => `cmsg_data=[${set.replace(/\d+/g, (n) => fd(n))}]`);
  if (RETURNS_FD.has(name)) s = s.replace(/\) = (\d+)$/, (_m, n) => `) = ${fd(n)}`);
  return s;
}

module.exports = { normalize };
