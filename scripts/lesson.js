#!/usr/bin/env node
// npm run lesson: the lessons of docs/lessons/. `npm run lesson -- --list` lists them, one a line;
// `npm run lesson -- NAME [--lang fr|en]` runs one: its programs (examples/, compiled in dist/examples/)
// with the tracer on, as docs/lessons/lessons.json says, and prints its timeline (calls, packets, TCP
// states) and what each program printed, exactly as the lesson's text embeds it (npm run lessons:embed
// writes it there; test/lessons.test.ts checks it still says the same).
//
// Like the demo, it re-runs itself in a private user and network namespace where the system allows
// (scripts/demo.js's inNamespace): there it may capture the packets on lo, the lessons' fixed ports are
// free, and it tunes that namespace alone so that every run draws the same timeline:
//   - every ACK leaves at once (the loopback routes' quickack metric): whether an ACK travels alone or
//     rides on the next segment would otherwise depend on how fast the program answers;
//   - net.ipv4.tcp_autocorking=0: small writes are never held back to be merged;
//   - net.unix.max_dgram_qlen=0: a program the lesson holds (runTimeline's hold) stops exactly at the
//     record it is held on.
// The order of the drawing is the causal one (bsdsock/timeline's causalOrder): what the programs and
// the kernel must do in that order, whatever the scheduler did.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { namespaceRefusal, inNamespace } = require('./demo.js');

const root = path.join(__dirname, '..');
const manifestFile = path.join(root, 'docs', 'lessons', 'lessons.json');
const WIDTH = 100;

const HELP = {
  en: `usage: npm run lesson -- --list [--lang fr|en]
       npm run lesson -- NAME [--lang fr|en]

Runs a lesson's programs with the tracer on and prints its timeline (each program's calls, the
packets on the wire, each socket's TCP state) and what the programs printed: the text the lesson's
page (docs/lessons/LANG/NAME.md) embeds. The language is --lang, else BSDSOCK_LANG, else the locale
(LC_ALL, LC_MESSAGES, LANG), else English.

options:
  --list       the lessons, one a line: name and title
  --lang L     fr or en
  --json       the run's records and the programs' results as JSON, instead of the drawing
  --help       this text
`,
  fr: `usage : npm run lesson -- --list [--lang fr|en]
        npm run lesson -- NOM [--lang fr|en]

Lance les programmes d'une leçon avec le traceur et affiche sa chronologie (les appels de chaque
programme, les paquets sur le fil, l'état TCP de chaque socket) puis ce que les programmes ont
affiché : le texte que la page de la leçon (docs/lessons/LANGUE/NOM.md) reproduit. La langue est
--lang, sinon BSDSOCK_LANG, sinon la locale (LC_ALL, LC_MESSAGES, LANG), sinon l'anglais.

options :
  --list       les leçons, une par ligne : nom et titre
  --lang L     fr ou en
  --json       les enregistrements et les résultats des programmes en JSON, au lieu du dessin
  --help       ce texte
`,
};

const WORDS = {
  fr: {
    exit: (s) => `sortie ${s}`,
    killed: (s) => `tué par ${s}`,
    noPackets: (why) => `pas de paquets : ${why}`,
    noNamespace: (why) =>
      `pas d'espace de noms réseau à soi (${why}) : les appels seulement, dans l'ordre de cette exécution`,
    kernel: 'le noyau garde encore :',
    skipped: "(pas ici : ce qu'il montre dépend des réglages de l'espace de noms réseau de la leçon)",
    unknown: (name) => `leçon inconnue : ${name} (npm run lesson -- --list)`,
    lang: (l) => `langue inconnue : ${l} (fr ou en)`,
    failed: (label, got, want) => `${label} devait finir par « ${want} », il a fini par « ${got} »`,
  },
  en: {
    exit: (s) => `exit ${s}`,
    killed: (s) => `killed by ${s}`,
    noPackets: (why) => `no packets: ${why}`,
    noNamespace: (why) => `no network namespace of its own (${why}): the calls alone, in this run's order`,
    kernel: 'the kernel still holds:',
    skipped: "(not here: what it shows depends on the settings of the lesson's own network namespace)",
    unknown: (name) => `unknown lesson: ${name} (npm run lesson -- --list)`,
    lang: (l) => `unknown language: ${l} (fr or en)`,
    failed: (label, got, want) => `${label} was to end with "${want}", it ended with "${got}"`,
  },
};

/** The language: --lang, else BSDSOCK_LANG, else the locale, else English. */
function languageOf(env, asked) {
  if (asked) return asked;
  if (env.BSDSOCK_LANG) return env.BSDSOCK_LANG.toLowerCase().startsWith('fr') ? 'fr' : 'en';
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

function parseArgs(argv) {
  const opts = { list: false, lang: null, json: false, help: false, name: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') opts.list = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--lang') opts.lang = argv[++i] ?? '';
    else if (a.startsWith('--lang=')) opts.lang = a.slice('--lang='.length);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (npm run lesson -- --help)`);
    else if (opts.name === null) opts.name = a;
    else throw new Error(`one lesson at a time (${opts.name}, then ${a})`);
  }
  return opts;
}

function loadManifest() {
  return JSON.parse(fs.readFileSync(manifestFile, 'utf8')).lessons;
}

/** The regular expression that finds a trace record: `"ph":"start"`, then `"call":"accept"`, in one line. */
function recordPattern(cue) {
  const ph = cue.ph ? `"ph":"${cue.ph}"[^\\n]*` : '';
  return new RegExp(`${ph}"call":"${cue.call}"`);
}

/** The program specs of an act for runTimeline. */
function specsOf(act) {
  return act.programs.map((p) => {
    const spec = {
      name: p.id,
      argv: [process.execPath, path.join(root, 'dist', 'examples', `${p.program}.js`), ...(p.args ?? [])],
    };
    // Cued by the program before it: on one of its records, or when it has ended (a pattern that never
    // matches: runTimeline starts the next program when the one before ends).
    if (p.startAfter === 'end') spec.startWhen = /(?!)/;
    else if (p.startAfter) spec.startWhen = recordPattern(p.startAfter);
    if (p.hold) {
      spec.hold = {
        after: { match: recordPattern(p.hold.after), count: p.hold.after.count },
        until: {
          program: p.hold.until.program,
          cue: p.hold.until.call ? { match: recordPattern(p.hold.until), count: p.hold.until.count } : undefined,
        },
      };
    }
    return spec;
  });
}

function writeSysctl(name, value) {
  fs.writeFileSync(`/proc/sys/${name}`, `${value}\n`);
}

// --- The namespace's routes: every ACK at once ---------------------------------------------------
//
// RTM_NEWROUTE with NLM_F_REPLACE for the two loopback routes of the local table, as
// `ip route replace local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 quickack 1`
// and `ip -6 route replace local ::1 dev lo table local proto kernel metric 0 quickack 1` do. The
// numbers below are linux/rtnetlink.h's (enums there, which the package's constants cannot read).
const RT = {
  RTA_DST: 1,
  RTA_OIF: 4,
  RTA_PRIORITY: 6,
  RTA_PREFSRC: 7,
  RTA_METRICS: 8,
  RTAX_QUICKACK: 15,
  RT_TABLE_LOCAL: 255,
  RTPROT_KERNEL: 2,
  RT_SCOPE_HOST: 254,
  RT_SCOPE_UNIVERSE: 0,
  RTN_LOCAL: 2,
};

function quickAck(b) {
  const attr = (type, payload) => {
    const len = 4 + payload.length;
    const out = Buffer.alloc((len + 3) & ~3);
    out.writeUInt16LE(len, 0);
    out.writeUInt16LE(type, 2);
    payload.copy(out, 4);
    return out;
  };
  const u32 = (v) => {
    const x = Buffer.alloc(4);
    x.writeUInt32LE(v);
    return x;
  };
  const lo = b.if_nametoindex('lo');
  const routes = [
    {
      family: b.AF_INET,
      dstLen: 32,
      scope: RT.RT_SCOPE_HOST,
      attrs: [
        attr(RT.RTA_DST, Buffer.from([127, 0, 0, 1])),
        attr(RT.RTA_PREFSRC, Buffer.from([127, 0, 0, 1])),
        attr(RT.RTA_OIF, u32(lo)),
      ],
    },
    {
      family: b.AF_INET6,
      dstLen: 128,
      scope: RT.RT_SCOPE_UNIVERSE,
      attrs: [
        attr(RT.RTA_DST, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
        attr(RT.RTA_OIF, u32(lo)),
        attr(RT.RTA_PRIORITY, u32(0)),
      ],
    },
  ];
  const fd = b.socket(b.AF_NETLINK, b.SOCK_RAW | b.SOCK_CLOEXEC, b.NETLINK_ROUTE);
  if (fd < 0) throw new Error(`socket(AF_NETLINK, NETLINK_ROUTE): ${b.strerror(b.errno)}`);
  try {
    for (const r of routes) {
      const rtmsg = Buffer.from([
        r.family,
        r.dstLen,
        0,
        0,
        RT.RT_TABLE_LOCAL,
        RT.RTPROT_KERNEL,
        r.scope,
        RT.RTN_LOCAL,
        0,
        0,
        0,
        0,
      ]);
      const metrics = attr(RT.RTA_METRICS, attr(RT.RTAX_QUICKACK, u32(1)));
      const body = Buffer.concat([rtmsg, ...r.attrs, metrics]);
      const msg = Buffer.alloc(16 + body.length);
      msg.writeUInt32LE(msg.length, 0);
      msg.writeUInt16LE(b.RTM_NEWROUTE, 4);
      msg.writeUInt16LE(b.NLM_F_REQUEST | b.NLM_F_ACK | b.NLM_F_REPLACE | b.NLM_F_CREATE, 6);
      msg.writeUInt32LE(1, 8);
      body.copy(msg, 16);
      if (b.send(fd, msg, msg.length, 0) < 0) throw new Error(`send(RTM_NEWROUTE): ${b.strerror(b.errno)}`);
      const reply = Buffer.alloc(4096);
      const n = b.recv(fd, reply, reply.length, 0);
      // An acknowledgment is an NLMSG_ERROR whose error is 0.
      if (n < 20 || reply.readUInt16LE(4) !== b.NLMSG_ERROR || reply.readInt32LE(16) !== 0) {
        const err = n >= 20 ? -reply.readInt32LE(16) : b.errno;
        throw new Error(`RTM_NEWROUTE (quickack on lo): ${b.strerror(err)}`);
      }
    }
  } finally {
    b.close(fd);
  }
}

/** Makes this namespace's loopback draw the same timeline every run (see the top of this file). */
function tuneNamespace(timeline, b) {
  timeline.interfaceUp('lo');
  quickAck(b);
  writeSysctl('net/ipv4/tcp_autocorking', 0);
  writeSysctl('net/unix/max_dgram_qlen', 0);
}

// --- Output --------------------------------------------------------------------------------------

function header(label, detail) {
  return `── ${label} (${detail}) ──`;
}

function outputOf(p, label, words) {
  const ending = p.status !== null ? words.exit(p.status) : words.killed(p.signal);
  const lines = [header(label, `pid ${p.pid}, ${ending}`)];
  const indent = (text, prefix) =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => (prefix + l).trimEnd());
  if (p.stdout) lines.push(...indent(p.stdout, '  '));
  if (p.stderr) lines.push(...indent(p.stderr, '  stderr: '));
  return lines.join('\n') + '\n';
}

function endingOf(p) {
  return p.status !== null ? `exit ${p.status}` : p.signal;
}

/** Runs one act of a lesson; its text, and what went wrong (null when every program ended as expected). */
async function runAct(timeline, act, lang, inside, signal, cwd) {
  const words = WORDS[lang];
  if (inside !== true && (act.needsNamespace || act.sysctl)) {
    // What this act shows depends on settings of the lesson's own network namespace.
    return { text: `${act.title ? act.title[lang] + '\n\n' : ''}${words.skipped}\n`, wrong: [], timeline: null };
  }
  for (const [name, value] of Object.entries(act.sysctl ?? {})) writeSysctl(name, value);
  const t = await timeline.runTimeline({
    programs: specsOf(act),
    capture: inside ? 'lo' : false,
    cwd,
    signal,
    timeoutMs: 60_000,
  });
  const labels = new Map(act.programs.map((p) => [p.id, p.label[lang]]));
  const holdNotes = new Map(act.programs.filter((p) => p.hold?.note).map((p) => [p.id, p.hold.note[lang]]));
  const causal = timeline.causalOrder(
    t.records,
    t.programs.map((p) => ({ name: p.name, cuedBy: p.cuedBy, held: p.held })),
  );
  const parts = [];
  if (act.title) parts.push(`${act.title[lang]}\n\n`);
  if (!inside) parts.push(`${words.noNamespace(inside === false ? 'unshare' : inside)}\n\n`);
  parts.push(
    timeline.renderCausal(causal, { labels, width: WIDTH, wire: t.capture.on && act.packets !== false, holdNotes }),
  );
  if (act.kernelSockets && t.final !== null) {
    // This act's sockets: those its packets went between (an earlier act's may still be there).
    const seen = new Set(
      t.records.filter((r) => r.type === 'packet' && r.packet.kind === 'tcp').map((r) => r.packet.from),
    );
    const held = t.final
      .filter((s) => s.state !== 'LISTEN' && seen.has(s.local))
      .map((s) => `  ${s.local} ⇄ ${s.peer}  ${s.state}`)
      .sort();
    if (held.length > 0) parts.push(`\n${words.kernel}\n${held.join('\n')}\n`);
  }
  parts.push('\n');
  const wrong = [];
  for (const p of t.programs) {
    const spec = act.programs.find((x) => x.id === p.name);
    parts.push(outputOf(p, spec.label[lang], words));
    const want = spec.ending ?? 'exit 0';
    if (endingOf(p) !== want) wrong.push(words.failed(spec.label[lang], endingOf(p), want));
  }
  return { text: parts.join(''), wrong, timeline: t };
}

async function run(opts, lang) {
  const lessons = loadManifest();
  const lesson = lessons.find((l) => l.name === opts.name);
  if (lesson === undefined) {
    process.stderr.write(`${WORDS[lang].unknown(opts.name)}\n`);
    return 2;
  }
  const inside = process.env.BSDSOCK_DEMO_NETNS === '1';
  let refusal = null;
  if (!inside) {
    refusal = namespaceRefusal();
    if (refusal === null) return inNamespace([opts.name, '--lang', lang, ...(opts.json ? ['--json'] : [])], __filename);
  }
  const timeline = require(path.join(root, 'dist', 'lib', 'timeline.js'));
  const b = require(path.join(root, 'dist', 'lib', 'index.js'));
  if (inside) tuneNamespace(timeline, b);
  const controller = new AbortController();
  let interrupted = false;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(s, () => {
      interrupted = true;
      controller.abort();
    });
  }
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), `bsdsock-lesson-${lesson.name}-`));
  try {
    const texts = [];
    const wrong = [];
    const runs = [];
    for (const act of lesson.acts) {
      const r = await runAct(timeline, act, lang, inside ? true : refusal, controller.signal, cwd);
      if (interrupted) return 130;
      texts.push(r.text);
      wrong.push(...r.wrong);
      runs.push(r.timeline);
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify(runs, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) + '\n');
    } else {
      process.stdout.write(texts.join('\n'));
    }
    for (const w of wrong) process.stderr.write(`lesson ${lesson.name}: ${w}\n`);
    return wrong.length === 0 ? 0 : 1;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function main(argv) {
  const opts = parseArgs(argv);
  const lang = languageOf(process.env, opts.lang);
  if (lang !== 'fr' && lang !== 'en') {
    process.stderr.write(`${WORDS.en.lang(lang)}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP[lang]);
    return 0;
  }
  if (opts.list) {
    const lessons = loadManifest();
    const w = Math.max(...lessons.map((l) => l.name.length));
    for (const l of lessons) process.stdout.write(`${l.name.padEnd(w)}  ${l.title[lang]}\n`);
    return 0;
  }
  if (opts.name === null) {
    process.stdout.write(HELP[lang]);
    return 2;
  }
  return run(opts, lang);
}

if (require.main === module) {
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`lesson: ${e.message}\n`);
      process.exitCode = 2;
    },
  );
}

module.exports = { languageOf, loadManifest, parseArgs, main };
