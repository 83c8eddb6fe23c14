// The lessons (docs/lessons/, npm run lesson): each lists itself, runs in French and in English, and
// prints exactly the timeline its texts embed, descriptor numbers, ephemeral ports and process ids aside
// (scripts/lessons-normalize.js, the same rewriting on both sides). A lesson's drawing is built to be
// the same whatever the scheduler does (the causal order of bsdsock/timeline's causalOrder, a tuned
// network namespace, a program held where its output would depend on a race); this suite is what
// checks it, and never compares a time.
//
// The lessons' C originals (examples/c/) are compiled and run against their TypeScript ports: the same
// scenario, the same stdout (normalized the same way), the same exit status.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { blockOf } from '../scripts/lessons-embed';
import { normalize } from '../scripts/lessons-normalize';
import { ensureDist, root, tempDir } from './helpers/build';
import { compileC } from './helpers/c';
import { requireNetns, serverThenClient, type Outcome } from './helpers/netns';
import { cc, describeNeeding, netns } from './helpers/tools';

interface Program {
  id: string;
  label: Record<string, string>;
  program: string;
  args?: string[];
  ending?: string;
}
interface Lesson {
  name: string;
  title: Record<string, string>;
  acts: { programs: Program[] }[];
}

const manifest = JSON.parse(readFileSync(path.join(root, 'docs', 'lessons', 'lessons.json'), 'utf8')) as {
  lessons: Lesson[];
};
const lessons = manifest.lessons;
const LANGS = ['fr', 'en'] as const;
const script = path.join(root, 'scripts', 'lesson.js');

/** Runs `node scripts/lesson.js args` with env added to this process's (BSDSOCK_LANG and the locale removed first). */
function lesson(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const base = { ...process.env };
  for (const k of ['BSDSOCK_LANG', 'LC_ALL', 'LC_MESSAGES', 'LANG']) delete base[k];
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const textOf = (lang: string, name: string): string =>
  readFileSync(path.join(root, 'docs', 'lessons', lang, `${name}.md`), 'utf8');

describe('npm run lesson -- --list', () => {
  test('lists at least twelve lessons, one a line: the name, then the title in the chosen language', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(12);
    for (const lang of LANGS) {
      const r = lesson(['--list', '--lang', lang]);
      expect(r.status).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(lessons.length);
      lines.forEach((line, k) => {
        expect(line).toMatch(new RegExp(`^${lessons[k].name} +`));
        expect(line.slice(line.indexOf(' ')).trim()).toBe(lessons[k].title[lang]);
      });
    }
  });

  test('the language: --lang, else BSDSOCK_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else English', () => {
    // The first line, its name's padding left out.
    const first = (env: Record<string, string>, ...args: string[]): string =>
      lesson(['--list', ...args], env)
        .stdout.split('\n')[0]
        .replace(/^(\S+) +/, '$1 ');
    const fr = `${lessons[0].name} ${lessons[0].title.fr}`;
    const en = `${lessons[0].name} ${lessons[0].title.en}`;
    expect(first({})).toBe(en);
    expect(first({ BSDSOCK_LANG: 'fr' })).toBe(fr);
    expect(first({ LANG: 'fr_FR.UTF-8' })).toBe(fr);
    expect(first({ LC_ALL: 'fr_CA.UTF-8', LANG: 'en_US.UTF-8' })).toBe(fr);
    expect(first({ LC_MESSAGES: 'C', LANG: 'fr_FR.UTF-8' })).toBe(en);
    expect(first({ BSDSOCK_LANG: 'en', LANG: 'fr_FR.UTF-8' })).toBe(en);
    expect(first({ BSDSOCK_LANG: 'fr' }, '--lang', 'en')).toBe(en);
  });

  test('an unknown lesson or language is a usage error (exit 2)', () => {
    expect(lesson(['no-such-lesson']).status).toBe(2);
    expect(lesson(['--list', '--lang', 'de']).status).toBe(2);
  });
});

describe('the texts', () => {
  test.each(lessons.flatMap((l) => LANGS.map((lang) => [l.name, lang] as const)))(
    'docs/lessons/%s in %s: a title, links to the programs, one timeline block',
    (name, lang) => {
      const text = textOf(lang, name);
      expect(text.split('\n')[0]).toMatch(/^# \S/);
      expect(blockOf(text)).not.toBeNull();
      expect(text.split('<!-- timeline:begin -->')).toHaveLength(2);
      expect(text).toContain(`npm run lesson -- ${name} --lang ${lang}`);
      // Every program the lesson runs is linked, by its C original or its port.
      const programs = new Set(
        lessons.find((l) => l.name === name)!.acts.flatMap((a) => a.programs.map((p) => p.program)),
      );
      for (const p of programs)
        expect([name, lang, p, text.includes(`examples/c/${p}.c`) || text.includes(`examples/${p}.ts`)]).toEqual([
          name,
          lang,
          p,
          true,
        ]);
    },
  );
});

describeNeeding(netns())('each lesson, run again, prints the timeline its texts embed', () => {
  beforeAll(() => {
    const programs = new Set(lessons.flatMap((l) => l.acts.flatMap((a) => a.programs.map((p) => p.program))));
    ensureDist('dist/lib/timeline.js', ...[...programs].map((p) => `dist/examples/${p}.js`));
  });

  test.each(lessons.flatMap((l) => LANGS.map((lang) => [l.name, lang] as const)))(
    '%s in %s',
    (name, lang) => {
      const r = lesson([name, '--lang', lang]);
      if (r.status !== 0) throw new Error(`npm run lesson -- ${name} --lang ${lang} exited ${r.status}:\n${r.stderr}`);
      const embedded = blockOf(textOf(lang, name));
      expect(embedded).not.toBeNull();
      // What only a namespace of the lesson's own gives: the packets, and no note that they are missing.
      expect(r.stdout).not.toMatch(/no network namespace|pas d'espace de noms/);
      expect(normalize(r.stdout)).toBe(normalize(embedded!));
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------
// The C originals against their ports.

/** A scenario: one program alone, or a server and a client (the client starts once the server prints `listening`). */
interface Scenario {
  lesson: string;
  server?: { program: string; args: string[]; listening: string };
  client: { program: string; args: string[] };
  /** The exit status both must end with (0 unless said). */
  status?: number;
  /** Lines whose count depends on timing when the lesson does not hold a program (a short read). */
  varies?: RegExp;
}

const SCENARIOS: Scenario[] = [
  { lesson: 'restart', client: { program: 'restart', args: ['8080'] }, status: 1 },
  { lesson: 'restart', client: { program: 'restart', args: ['-r', '8080'] } },
  { lesson: 'backlog', client: { program: 'backlog', args: ['8080'] } },
  { lesson: 'refused', client: { program: 'refused', args: ['8080'] } },
  {
    lesson: 'byte-stream',
    server: { program: 'framerecv', args: ['8080'], listening: 'Serveur en écoute sur le port 8080' },
    client: { program: 'framesend', args: ['8080'] },
    varies: /^ {2}recv a rendu \d+ octets$/,
  },
  {
    lesson: 'half-close',
    server: { program: 'halfserver', args: ['8080'], listening: 'Serveur en écoute sur le port 8080' },
    client: { program: 'halfclient', args: ['8080', 'bonjour, serveur'] },
  },
  { lesson: 'udp', client: { program: 'datagrams', args: ['5000'] } },
  { lesson: 'unix-sockets', client: { program: 'unixsockets', args: [] } },
  ...(['select', 'poll', 'epoll'] as const).map(
    (mode): Scenario => ({
      lesson: 'many-clients',
      server: {
        program: 'multiserver',
        args: [mode, '8080'],
        listening: `Serveur (${mode}) en écoute sur le port 8080`,
      },
      client: { program: 'multiclient', args: ['8080'] },
    }),
  ),
  {
    lesson: 'name-resolution',
    server: { program: 'server', args: [], listening: 'Serveur en écoute sur le port 8080...' },
    client: { program: 'connectany', args: ['-', '8080'] },
  },
  { lesson: 'nonblocking-connect', client: { program: 'nbconnect', args: ['8080'] } },
  { lesson: 'broken-pipe', client: { program: 'brokenpipe', args: ['8080'] } },
  // A fresh namespace allows no ping socket; its root may open a raw one.
  { lesson: 'ping', client: { program: 'icmpecho', args: ['127.0.0.1', 'dgram'] }, status: 1 },
  { lesson: 'ping', client: { program: 'icmpecho', args: ['127.0.0.1', 'raw'] } },
];

const binaries = new Map<string, string>();
let work: ReturnType<typeof tempDir>;

/** A scenario's programs, in C (under stdbuf -oL: a pipe or a file would buffer C's stdout) or in TypeScript. */
function argvOf(impl: 'c' | 'ts', p: { program: string; args: string[] }): string[] {
  return impl === 'c'
    ? ['stdbuf', '-oL', binaries.get(p.program)!, ...p.args]
    : [process.execPath, path.join(root, 'dist', 'examples', `${p.program}.js`), ...p.args];
}

function runScenario(s: Scenario, impl: 'c' | 'ts'): { server: Outcome | null; client: Outcome } {
  const dir = tempDir(`lesson-${s.lesson}-${impl}`);
  try {
    return serverThenClient({
      dir: dir.dir,
      prefix: requireNetns('a lesson scenario'),
      server: s.server === undefined ? null : argvOf(impl, s.server),
      client: argvOf(impl, s.client),
      listening: s.server?.listening ?? '',
      killAfter: 30,
    });
  } finally {
    dir.remove();
  }
}

/** An outcome as compared: stdout normalized, with the lines that may vary counted out. */
function comparable(o: Outcome, varies?: RegExp): string {
  const lines = normalize(o.stdout).split('\n');
  return `${(varies === undefined ? lines : lines.filter((l) => !varies.test(l))).join('\n')}\nexit ${o.status}`;
}

describeNeeding(cc(), netns())("the lessons' C originals print what their ports print", () => {
  beforeAll(() => {
    work = tempDir('lessons-c');
    const programs = new Set(SCENARIOS.flatMap((s) => [s.client.program, ...(s.server ? [s.server.program] : [])]));
    ensureDist(...[...programs].map((p) => `dist/examples/${p}.js`));
    for (const p of programs) {
      const source = path.join(root, 'examples', 'c', `${p}.c`);
      expect(existsSync(source)).toBe(true);
      binaries.set(p, compileC(source, { dir: work.dir }));
    }
  });
  afterAll(() => work?.remove());

  test('every lesson program with a C original has a scenario here', () => {
    // The seed's client is compared with its C original by test/interop.test.ts, in all four pairings.
    const covered = new Set([
      'client',
      ...SCENARIOS.flatMap((s) => [s.client.program, ...(s.server ? [s.server.program] : [])]),
    ]);
    const programs = lessons.flatMap((l) => l.acts.flatMap((a) => a.programs.map((p) => p.program)));
    for (const p of programs) {
      if (existsSync(path.join(root, 'examples', 'c', `${p}.c`))) expect([p, covered.has(p)]).toEqual([p, true]);
    }
  });

  test.each(
    SCENARIOS.map(
      (s) =>
        [
          s.lesson,
          [s.server?.program, s.client.program].filter(Boolean).join(' + '),
          s.client.args.join(' '),
          s,
        ] as const,
    ),
  )(
    '%s: %s %s',
    (_lesson, _programs, _args, s) => {
      const c = runScenario(s, 'c');
      const ts = runScenario(s, 'ts');
      expect(c.client.status).toBe(s.status ?? 0);
      expect(comparable(ts.client, s.varies)).toBe(comparable(c.client, s.varies));
      if (s.server !== undefined) {
        expect(c.server!.status).toBe(0);
        expect(comparable(ts.server!, s.varies)).toBe(comparable(c.server!, s.varies));
      }
    },
    120_000,
  );
});
