// scripts/port-stats.js: the rule that says which C lines of an example its TypeScript port keeps
// one to one (the rule is written out at the top of the script), on small C and TS texts; then the
// script as `npm run port-stats` runs it, on a directory of examples made here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { root, tempDir } from './helpers/build';

interface Unmapped {
  line: number;
  c: string;
  ts: string;
  missing: string[];
}
interface Analysis {
  status: 'ok' | 'error';
  total: number;
  tsTotal: number;
  mapped: number | null;
  includes: number | null;
  unmapped: Unmapped[];
  error?: string;
}
interface PortStats {
  analyze(cText: string, tsText: string): Analysis;
  headerClaim(tsText: string): { mapped: number; total: number } | null;
}

const script = path.join(root, 'scripts', 'port-stats.js');
const stats = createRequire(__filename)(script) as PortStats;

/** Whether the single C line maps to the single TS line, and what TS lacks. */
function pair(c: string, ts: string): { mapped: boolean; missing: string[]; include: boolean } {
  const a = stats.analyze(`${c}\n`, `${ts}\n`);
  expect(a.status).toBe('ok');
  return { mapped: a.mapped === 1, missing: a.unmapped[0]?.missing ?? [], include: a.includes === 1 };
}

describe('char literals', () => {
  test('a C char literal is an int: it matches its string or its code, and nothing else', () => {
    expect(pair("buf[n] = '\\0';", 'buf[n] = 0;').mapped).toBe(true);
    expect(pair("buf[n] = '\\0';", "buf[n] = '\\0'.charCodeAt(0);").mapped).toBe(true);
    expect(pair("if (c == '\\n')", 'if (c == 10)').mapped).toBe(true);
    expect(pair("if (c == 'A')", 'if (c == 65)').mapped).toBe(true);
    expect(pair("buf[n] = '\\0';", 'buf[n] = 1;')).toMatchObject({ mapped: false, missing: ['"\\\\0"'] });
  });
});

describe('the call of main', () => {
  test('one more, last, TS line that calls main is allowed and not counted; any other extra line is not', () => {
    const c = 'int main(void) {\n  return 0;\n}\n';
    const ok = stats.analyze(c, 'function main(): number {\n  return 0;\n}\nprocess.exitCode = main();\n');
    expect(ok).toMatchObject({ status: 'ok', total: 3, tsTotal: 4, mapped: 3 });
    expect(stats.analyze(c, 'function main(): number {\n  return 0;\n}\nconsole.log(1);\n').status).toBe('error');
  });
});

describe('the rule, line by line', () => {
  test('blank maps to blank only', () => {
    expect(pair('', '').mapped).toBe(true);
    expect(pair('   ', '').mapped).toBe(true);
    expect(pair('', 'x;').mapped).toBe(false);
    expect(pair('x;', '').mapped).toBe(false);
  });

  test('a comment-only line maps to a comment-only line, a brace-only line to a brace-only line', () => {
    expect(pair('  /* Create the socket. */', '  // Create the socket.').mapped).toBe(true);
    expect(pair('// why', '/* something else entirely */').mapped).toBe(true);
    expect(pair('  }', '  }').mapped).toBe(true);
    expect(pair('  }', '  });').mapped).toBe(true);
    expect(pair('} /* end of main */', '}').mapped).toBe(true);
    expect(pair('  }', '  // }').mapped).toBe(false);
    expect(pair('  /* why */', '  }').mapped).toBe(false);
  });

  test('#include maps to an import line (multi-line imports included) or a blank line, and is counted apart', () => {
    expect(pair('#include <stdio.h>', "import { printf } from 'bsdsock/libc';")).toEqual({
      mapped: true,
      missing: [],
      include: true,
    });
    expect(pair('#include <stdio.h>', '').include).toBe(true);
    expect(pair('#include <stdio.h>', 'const x = 1;').mapped).toBe(false);
    const c = '#include <stdio.h>\n#include <string.h>\n#include <sys/socket.h>\n#include <unistd.h>\n';
    const ts = "import {\n  socket,\n  close,\n} from 'bsdsock';\n";
    expect(stats.analyze(c, ts)).toMatchObject({ mapped: 4, includes: 4 });
  });

  test('every identifier and literal of the C line in the TS line, in any order, C-only words and casts aside', () => {
    expect(
      pair('  int sockfd = socket(AF_INET, SOCK_STREAM, 0);', '  let sockfd = socket(AF_INET, SOCK_STREAM, 0);').mapped,
    ).toBe(true);
    expect(pair('const unsigned long n = 5UL;', 'const n: number = 5;').mapped).toBe(true);
    expect(pair('  struct sockaddr_in server_addr;', '  const server_addr = new sockaddr_in();').mapped).toBe(true);
    expect(pair('  char *p = NULL;', '  const p = null;').mapped).toBe(true);
    expect(pair('a = b + c;', 'a = c + b;').mapped).toBe(true);
    // Extra tokens on the TS side are allowed: only the C line's must all be there.
    expect(pair('close(fd);', 'close(fd as number);').mapped).toBe(true);
    expect(pair('  p = p->ai_next;', '  p = p.ai_next;').mapped).toBe(true);
  });

  test('a TS line that dropped a variable does not map, and the report names it', () => {
    expect(pair('  send(new_fd, msg, strlen(msg), 0);', '  send(new_fd, msg, 0);')).toEqual({
      mapped: false,
      missing: ['strlen', 'msg'],
      include: false,
    });
    expect(pair('  printf("got %d bytes\\n", numbytes);', '  printf("got %d bytes\\n");').missing).toEqual([
      'numbytes',
    ]);
  });

  test('tokens count as a multiset: a token used twice in C must appear twice', () => {
    expect(pair('x = x + 1;', 'x += 1;')).toMatchObject({ mapped: false, missing: ['x'] });
    expect(pair('x = x + 1;', 'x = x + 1;').mapped).toBe(true);
  });

  test('a cast the port drops costs the line: the struct name is a token', () => {
    const c = '  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1) {';
    expect(pair(c, '  if (bind(fd, addr, sizeof(addr)) == -1) {')).toMatchObject({
      mapped: false,
      missing: ['sockaddr'],
    });
    expect(pair(c, '  if (bind(fd, cast(sockaddr, addr), sizeof(addr)) == -1) {').mapped).toBe(true);
  });

  test('literals: strings by their content whatever the quotes, chars as strings, numbers without suffixes', () => {
    expect(pair('perror("server: bind");', "perror('server: bind');").mapped).toBe(true);
    expect(pair('perror("server: bind");', "perror('server:bind');").mapped).toBe(false);
    expect(pair("buf[n] = '\\0';", "buf[n] = '\\0';").mapped).toBe(true);
    expect(pair('puts("say \\"hi\\"");', `puts('say "hi"');`).mapped).toBe(true);
    expect(pair('n = 0x10u;', 'n = 0x10;').mapped).toBe(true);
    expect(pair('n = 0x10;', 'n = 16;').mapped).toBe(false);
    // A template literal is a string; its ${...} parts are code whose tokens count.
    expect(pair('x = ntohs(port);', 'out(`${ntohs(port)}`, x);').mapped).toBe(true);
    expect(pair('s = "a // b";', "s = 'a // b';").mapped).toBe(true);
  });

  test('comments inside code lines are ignored on both sides', () => {
    expect(pair('close(fd); /* done with fd2 */', 'close(fd);').mapped).toBe(true);
    // A token only in a TS comment does not count.
    expect(pair('close(fd, how);', 'close(fd); // how')).toMatchObject({ mapped: false, missing: ['how'] });
  });

  test('a block comment spanning lines makes comment-only lines', () => {
    const c = '/* one\n * two socket(\n */\nint x;\n';
    const ts = '// one\n// two\n//\nlet x;\n';
    expect(stats.analyze(c, ts)).toMatchObject({ mapped: 4, total: 4, unmapped: [] });
  });

  test('#define NAME value maps to const NAME = value; a different value does not', () => {
    expect(pair('#define BACKLOG 10', 'const BACKLOG = 10;')).toMatchObject({ mapped: true });
    expect(pair('#define BACKLOG 10', 'const BACKLOG = 5;')).toMatchObject({ mapped: false, missing: ['10'] });
  });
});

describe('whole files', () => {
  test('counts, #include lines and unmapped lines', () => {
    const c = [
      '/* showip, shortened */',
      '#include <stdio.h>',
      '#include <netdb.h>',
      '',
      'int main(int argc, char *argv[]) {',
      '  struct addrinfo hints, *res;',
      '  memset(&hints, 0, sizeof hints);',
      '  return 0;',
      '}',
      '',
    ].join('\n');
    const ts = [
      '// showip, shortened',
      "import { memset, sizeof } from 'bsdsock';",
      '',
      '',
      'function main(argc: number, argv: string[]): number {',
      '  const hints = new addrinfo();',
      '  memset(hints, 0, sizeof(hints));',
      '  return 0;',
      '}',
      '',
    ].join('\n');
    const a = stats.analyze(c, ts);
    expect(a).toMatchObject({ status: 'ok', total: 9, mapped: 8, includes: 2 });
    expect(a.unmapped).toEqual([
      { line: 6, c: '  struct addrinfo hints, *res;', ts: '  const hints = new addrinfo();', missing: ['res'] },
    ]);
  });

  test('files of different lengths are an error, and nothing is counted', () => {
    expect(stats.analyze('a;\nb;\n', 'a;\n')).toMatchObject({ status: 'error', mapped: null, total: 2, tsTotal: 1 });
  });

  test('the header claim is read from a comment among the first 5 lines', () => {
    expect(stats.headerClaim('// why\n// port-stats: 7 of 9 C lines map one to one\n')).toEqual({
      mapped: 7,
      total: 9,
    });
    expect(stats.headerClaim('1\n2\n3\n4\n5\n// port-stats: 7 of 9 C lines map one to one\n')).toBeNull();
  });
});

describe('npm run port-stats', () => {
  let work: ReturnType<typeof tempDir>;
  beforeEach(() => {
    work = tempDir('port-stats');
    mkdirSync(work.path('examples/c'), { recursive: true });
  });
  afterEach(() => work.remove());

  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [script, '--root', work.dir, ...args], { encoding: 'utf8' });
  const write = (file: string, text: string): void => writeFileSync(work.path(file), text);

  const C = '/* a */\n#include <stdio.h>\nint x = 1;\nint y = x;\n';

  test('with no port, says so and exits 0', () => {
    write('examples/c/a.c', C);
    expect(run()).toMatchObject({ status: 0, stdout: 'a: no port yet (no examples/a.ts)\n' });
  });

  test('prints the figures and each unmapped line; a claim that agrees exits 0', () => {
    write('examples/c/a.c', C);
    write('examples/a.ts', '// port-stats: 3 of 4 C lines map one to one\n\nlet x = 1;\nlet y = 2;\n');
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'a: 3 of 4 C lines map one to one (1 #include lines)',
        '  line 4:',
        '    C:  int y = x;',
        '    TS: let y = 2;',
        '    TS lacks: x',
        '',
      ].join('\n'),
    );
  });

  test('a claim that disagrees exits 1 and says what was computed', () => {
    write('examples/c/a.c', C);
    write('examples/a.ts', '// port-stats: 4 of 4 C lines map one to one\n\nlet x = 1;\nlet y = 2;\n');
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('examples/a.ts claims 4 of 4 C lines map one to one; computed: 3 of 4');
  });

  test('a claim on a port whose length differs exits 1; without a claim, the error alone exits 0', () => {
    write('examples/c/a.c', C);
    write('examples/a.ts', '// port-stats: 4 of 4 C lines map one to one\nlet x = 1;\n');
    expect(run().status).toBe(1);
    write('examples/a.ts', '// a\nlet x = 1;\n');
    expect(run()).toMatchObject({
      status: 0,
      stdout: 'a: error: the C file has 4 lines and the TS file 2: they are not aligned line by line\n',
    });
  });

  test('--json gives the same figures as data, and names pick examples', () => {
    write('examples/c/a.c', C);
    write('examples/c/b.c', C);
    write('examples/a.ts', '// a\n\nlet x = 1;\nlet y = x;\n');
    const r = run('--json', 'a');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        name: 'a',
        status: 'ok',
        total: 4,
        tsTotal: 4,
        mapped: 4,
        includes: 1,
        unmapped: [],
        claim: null,
        claimOk: true,
      },
    ]);
  });

  test('an unknown option is a usage error (exit 2)', () => {
    expect(run('--nope').status).toBe(2);
  });
});

// The repository's own classic programs (the seed's server and client excepted: their ports were
// written before this alignment and keep the seed's layout, see examples/server.ts).
describe("this repository's examples", () => {
  interface Example {
    name: string;
    status: string;
    total?: number;
    mapped?: number;
    includes?: number;
    claim?: { mapped: number; total: number } | null;
    claimOk: boolean;
    unmapped?: Unmapped[];
  }
  const seed = new Set(['server', 'client']);

  test('every classic C program has a line-aligned port whose header states its computed figures', () => {
    const r = spawnSync(process.execPath, [script, '--json'], { encoding: 'utf8' });
    const all = (JSON.parse(r.stdout) as Example[]).filter((e) => !seed.has(e.name));
    expect(all.length).toBeGreaterThanOrEqual(13);
    for (const e of all) {
      expect([e.name, e.status]).toEqual([e.name, 'ok']);
      expect([e.name, e.claim]).toEqual([e.name, { mapped: e.mapped, total: e.total }]);
      expect(e.claimOk).toBe(true);
    }
    expect(r.status).toBe(0);
  });
});
