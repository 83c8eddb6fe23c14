// bsdsock/libc: printf's conversions compared byte for byte with the C library's own printf (a C
// program compiled here prints the same formats); snprintf, the string and memory functions beside
// their C counterparts; bounds that C leaves to chance are RangeErrors here; exit and fgets in a child.
import { spawnSync } from 'node:child_process';
import { EACCES, pollfd, setErrno, sockaddr_in, sockaddr_in6, htons, AF_INET, Struct } from 'bsdsock';
import {
  atoi,
  bzero,
  fgets,
  formatBytes,
  fprintf,
  malloc,
  memcmp,
  memcpy,
  memmove,
  memset,
  snprintf,
  sprintf,
  stdin,
  strcat,
  strcmp,
  strcpy,
  strlen,
  strncmp,
  strncpy,
} from 'bsdsock/libc';
import * as libc from 'bsdsock/libc';
import { compileCText } from './helpers/c';
import { bad, expectThrown } from './helpers/errors';
import { cc, describeNeeding } from './helpers/tools';
import { compiledLib } from './helpers/build';

// Each case: the C arguments after the format, and the same values for bsdsock's printf.
interface Case {
  format: string;
  c: string[];
  js: (number | bigint | string | Uint8Array | null)[];
}

const cases: Case[] = [
  { format: 'plain text, no conversion', c: [], js: [] },
  {
    format: '%d|%i|%5d|%-5d|%05d|%+d|% d',
    c: ['42', '-42', '42', '42', '42', '42', '42'],
    js: [42, -42, 42, 42, 42, 42, 42],
  },
  { format: '%.3d|%.0d|%8.3d|%-8.3d|%08d', c: ['7', '0', '-7', '7', '-7'], js: [7, 0, -7, 7, -7] },
  {
    format: '%u|%u|%x|%X|%#x|%#X|%o|%#o|%#x',
    c: ['3000000000u', '-1', '255', '255', '255', '255', '8', '8', '0'],
    js: [3000000000, -1, 255, 255, 255, 255, 8, 8, 0],
  },
  { format: '%hhd|%hd|%hhu|%hu', c: ['300', '70000', '-1', '-1'], js: [300, 70000, -1, -1] },
  {
    format: '%ld|%lld|%lu|%zu|%zd|%lx',
    c: ['-9007199254740991L', '1234567890123LL', '-1L', '(size_t)28', '(ssize_t)-1', '0x7fffffffffffL'],
    js: [-9007199254740991, 1234567890123, -1, 28, -1, 0x7fffffffffff],
  },
  {
    format: '%lld|%llu',
    c: ['-9223372036854775807LL - 1', '18446744073709551615ULL'],
    js: [-(2n ** 63n), 2n ** 64n - 1n],
  },
  {
    format: '[%s]|[%10s]|[%-10s]|[%.3s]|[%*s]|[%-*s]|[%.*s]',
    c: ['"abc"', '"abc"', '"abc"', '"abcdef"', '6', '"ab"', '6', '"ab"', '2', '"xyz"'],
    js: ['abc', 'abc', 'abc', 'abcdef', 6, 'ab', 6, 'ab', 2, 'xyz'],
  },
  { format: '%c%c%c|%3c|%-3c|', c: ["'a'", '66', "'c'", "'x'", "'y'"], js: ['a', 66, 'c', 'x', 'y'] },
  { format: '%%|100%%|%5%|', c: [], js: [] },
  {
    format: '%f|%.2f|%10.3f|%-10.1f|%010.2f|%+.1f|%.0f|%#.0f',
    c: ['3.14159', '2.675', '-1.5', '2.25', '-3.5', '0.05', '2.5', '3.0'],
    js: [3.14159, 2.675, -1.5, 2.25, -3.5, 0.05, 2.5, 3.0],
  },
  {
    format: '%e|%.2e|%E|%.0e|%e',
    c: ['12345.678', '0.000123', '1e300', '5e-5', '0.0'],
    js: [12345.678, 0.000123, 1e300, 5e-5, 0.0],
  },
  {
    format: '%g|%g|%g|%g|%g|%.3g|%#g|%G|%g',
    c: ['100000.0', '1000000.0', '0.0001', '0.00001', '123.456', '3.14159', '1.0', '1e-10', '0.0'],
    js: [100000, 1000000, 0.0001, 0.00001, 123.456, 3.14159, 1.0, 1e-10, 0],
  },
  {
    format: '%f|%F|%5.1f|%e|%g',
    c: ['1.0/0.0', '-1.0/0.0', '1.0/0.0', '-1.0/0.0', '0.0/0.0'],
    js: [Infinity, -Infinity, Infinity, -Infinity, NaN],
  },
  { format: '%f|%.1f', c: ['1e22', '-0.0'], js: [1e22, -0] },
  { format: 'port %d, addr %s, %zu bytes\n', c: ['8080', '"127.0.0.1"', '(size_t)13'], js: [8080, '127.0.0.1', 13] },
];

// Seeded doubles across magnitudes, each under every floating conversion: the rounding of the last
// digit is where hand-written printfs go wrong.
{
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const formats = ['%.3f', '%e', '%.10g', '%g', '%.0f', '%.15e', '%#.4g', '%.2e', '%12.5f'];
  for (let k = 0; k < 40; k++) {
    const x = (next() - 0.3) * 10 ** Math.floor(next() * 40 - 20);
    const rounded = Math.round(next() * 1000) / 8; // exact binary fractions: ties that must go to even
    for (const f of formats) {
      cases.push({ format: f, c: [`(double)${x}`], js: [x] });
      cases.push({ format: f, c: [`(double)${rounded}`], js: [rounded] });
    }
  }
}

function cLiteral(text: string): string {
  return JSON.stringify(text).replace(/%/g, '%');
}

// Glibc prints "-nan" for the NaN that 0.0/0.0 makes on x86; JavaScript has one NaN, printed as C
// prints a positive one.
function cProgram(): string {
  const lines = ['#include <stdio.h>', '#include <sys/types.h>', 'int main(void) {'];
  for (const k of cases) {
    const args = k.c.map((a) => (a === '0.0/0.0' ? '__builtin_nan("")' : a));
    lines.push(`  printf(${[cLiteral(k.format), ...args].join(', ')});`, '  printf("\\n--\\n");');
  }
  lines.push('  return 0;', '}', '');
  return lines.join('\n');
}

describeNeeding(cc())('printf compared with the C library', () => {
  test('every case prints the bytes C prints', () => {
    const program = compileCText('printf-cases', cProgram(), ['-w']);
    const c = spawnSync(program, [], { encoding: 'latin1' });
    expect(c.status).toBe(0);
    const expected = c.stdout.split('\n--\n');
    expect(expected).toHaveLength(cases.length + 1);
    cases.forEach((k, i) => {
      expect([k.format, formatBytes('printf', k.format, k.js).toString('latin1')]).toEqual([k.format, expected[i]]);
    });
  });

  test('snprintf cuts to size - 1 bytes and a NUL, and returns the whole length, as C does', () => {
    const program = compileCText(
      'snprintf-cases',
      [
        '#include <stdio.h>',
        'int main(void) {',
        '  char buf[8];',
        '  for (int size = 0; size <= 8; size++) {',
        '    buf[0] = 0;',
        '    int n = snprintf(buf, size, "%s:%d", "port", 8080);',
        '    printf("%d [%s]\\n", n, size > 0 ? buf : "");',
        '  }',
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    const expected = spawnSync(program, [], { encoding: 'latin1' }).stdout;
    let got = '';
    const buf = Buffer.alloc(8);
    for (let size = 0; size <= 8; size++) {
      buf[0] = 0;
      const n = snprintf(buf, size, '%s:%d', 'port', 8080);
      got += formatBytes('printf', '%d [%s]\n', [n, size > 0 ? buf : '']).toString('latin1');
    }
    expect(got).toBe(expected);
  });

  test('atoi, strcmp and strncmp agree with C on the same inputs', () => {
    const inputs = ['42', '  -17xyz', '+8080', 'abc', '', '2147483648', '-2147483649', '\t\n 7'];
    const pairs: [string, string, number][] = [
      ['abc', 'abd', 3],
      ['abc', 'abc', 10],
      ['ab', 'abc', 3],
      ['abc', 'ab', 2],
      ['\u00e9', 'e', 1],
    ];
    const program = compileCText(
      'string-cases',
      [
        '#include <stdio.h>',
        '#include <stdlib.h>',
        '#include <string.h>',
        'static int sign(int x) { return (x > 0) - (x < 0); }',
        'int main(void) {',
        ...inputs.map((s) => `  printf("%d\\n", atoi(${JSON.stringify(s)}));`),
        ...pairs.map(
          ([a, b, n]) =>
            `  printf("%d %d\\n", sign(strcmp(${JSON.stringify(a)}, ${JSON.stringify(b)})), sign(strncmp(${JSON.stringify(a)}, ${JSON.stringify(b)}, ${n})));`,
        ),
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    const expected = spawnSync(program, [], { encoding: 'utf8' }).stdout;
    const got = [
      ...inputs.map((s) => `${atoi(s)}\n`),
      ...pairs.map(([a, b, n]) => `${Math.sign(strcmp(a, b))} ${Math.sign(strncmp(a, b, n))}\n`),
    ].join('');
    expect(got).toBe(expected);
  });
});

describe('printf refuses what C cannot check', () => {
  test.each([
    ['a missing argument', (): unknown => formatBytes('printf', '%d %d', [1]), 'ERR_INVALID_ARG_VALUE'],
    ['%n', (): unknown => formatBytes('printf', '%n', [1]), 'ERR_INVALID_ARG_VALUE'],
    ['an unknown conversion', (): unknown => formatBytes('printf', '%y', [1]), 'ERR_INVALID_ARG_VALUE'],
    ['a string for %d', (): unknown => formatBytes('printf', '%d', ['1']), 'ERR_INVALID_ARG_TYPE'],
    ['a fraction for %d', (): unknown => formatBytes('printf', '%d', [1.5]), 'ERR_INVALID_ARG_TYPE'],
    ['an object for %s', (): unknown => formatBytes('printf', '%s', [bad({})]), 'ERR_INVALID_ARG_TYPE'],
    ['a huge width', (): unknown => formatBytes('printf', '%99999999d', [1]), 'ERR_OUT_OF_RANGE'],
    ['a huge precision for %f', (): unknown => formatBytes('printf', '%.500f', [1]), 'ERR_OUT_OF_RANGE'],
    ['a format that is not a string', (): unknown => formatBytes('printf', bad(5), []), 'ERR_INVALID_ARG_TYPE'],
  ])('%s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });

  test('%s stops at the NUL of a char buffer and never reads past its end', () => {
    const buf = Buffer.from('hello\0world');
    expect(formatBytes('printf', '[%s]', [buf]).toString()).toBe('[hello]');
    const full = Buffer.from('no-nul');
    expect(formatBytes('printf', '[%s]', [full.subarray(0, 2)]).toString()).toBe('[no]');
  });

  test('%m is strerror(errno), as in glibc', () => {
    setErrno(EACCES);
    expect(formatBytes('printf', '%m', []).toString()).toBe('Permission denied');
  });

  test('snprintf and sprintf refuse a size or an output larger than the buffer', () => {
    const buf = Buffer.alloc(4);
    expectThrown(() => snprintf(buf, 5, 'x'), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'snprintf',
      param: 'size',
    });
    expectThrown(() => sprintf(buf, '%s', 'four'), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'sprintf',
      param: 'str',
    });
    expect(sprintf(buf, '%d', 123)).toBe(3);
    expect([...buf]).toEqual([0x31, 0x32, 0x33, 0]);
  });

  test('fprintf takes a FILE', () => {
    expectThrown(() => fprintf(bad(2), 'x'), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'fprintf',
      param: 'stream',
    });
  });
});

describe('memory functions on structs and buffers', () => {
  test("memset(&hints, 0, sizeof hints) and memcpy(&a, &b, sizeof a) work on structs with C's arguments", () => {
    const a = new sockaddr_in();
    a.sin_family = AF_INET;
    a.sin_port = htons(8080);
    const b = new sockaddr_in();
    expect(memcpy(b, a, 16)).toBe(b);
    expect(b.sin_port).toBe(htons(8080));
    expect(memcmp(a, b, 16)).toBe(0);
    memset(b, 0, 16);
    expect(b.sin_port).toBe(0);
    expect(memcmp(a, b, 16)).toBeGreaterThan(0);
    expect(memcmp(b, a, 16)).toBeLessThan(0);
    memset(a, 0x1ff, 2);
    expect([...a.bytes.subarray(0, 3)]).toEqual([0xff, 0xff, 0x1f]);
    bzero(a, 16);
    expect(a.bytes.every((x) => x === 0)).toBe(true);
  });

  test('memcpy copies into a nested field from raw bytes, as from h_addr', () => {
    const addr = new sockaddr_in();
    memcpy(addr.sin_addr, Uint8Array.of(127, 0, 0, 1), 4);
    expect([...addr.bytes.subarray(4, 8)]).toEqual([127, 0, 0, 1]);
  });

  test('memmove handles overlap', () => {
    const buf = Buffer.from('abcdef');
    memmove(buf.subarray(2), buf, 4);
    expect(buf.toString()).toBe('ababcd');
  });

  test('a length past either side is a RangeError, and nothing is written', () => {
    const small = new sockaddr_in();
    const big = new sockaddr_in6();
    expectThrown(() => memcpy(small, big, 28), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'memcpy',
      param: 'n',
    });
    expectThrown(() => memset(small, 1, 17), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'memset', param: 'n' });
    expectThrown(() => bzero(Buffer.alloc(2), 3), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'bzero',
      param: 'n',
    });
    expectThrown(() => memcmp(small, Buffer.alloc(4), 5), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'memcmp',
      param: 'n',
    });
    expectThrown(() => memcpy(bad('x'), small, 1), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'memcpy',
      param: 'dest',
    });
    expect(small.bytes.every((x) => x === 0)).toBe(true);
  });

  test('a struct array is one memory: memset clears every element', () => {
    const fds = malloc(sizeof_pollfd() * 3, pollfd);
    fds[2].fd = 7;
    memset(fds, 0xff, fds.bytes.length);
    expect(fds[0].fd).toBe(-1);
    bzero(fds, fds.bytes.length);
    expect(fds[2].fd).toBe(0);
  });
});

function sizeof_pollfd(): number {
  return pollfd.layout.size;
}

describe('C strings', () => {
  test('strcpy, strncpy and strcat write NULs as C does, and refuse to overflow', () => {
    const buf = Buffer.alloc(8, 0x2e);
    strcpy(buf, 'abc');
    expect(strlen(buf)).toBe(3);
    strcat(buf, 'de');
    expect(buf.toString('latin1', 0, strlen(buf))).toBe('abcde');
    expectThrown(() => strcat(buf, 'fgh'), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'strcat', param: 'dest' });
    strncpy(buf, 'xy', 4);
    expect([...buf.subarray(0, 6)]).toEqual([0x78, 0x79, 0, 0, 0x65, 0]);
    strncpy(buf, 'longer!!', 8);
    expect(buf.toString()).toBe('longer!!');
    expectThrown(() => strcpy(buf, 'eight!!!'), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'strcpy',
      param: 'dest',
    });
  });
});

describe('hostile arguments', () => {
  // Every function of the module, given values of every kind: it returns or throws one of Node's coded
  // errors; nothing else, and never a crash.
  const values: unknown[] = [
    undefined,
    null,
    0,
    -1,
    1.5,
    2 ** 53,
    NaN,
    'text',
    '',
    10n,
    {},
    [],
    Buffer.alloc(3),
    new Uint8Array(0),
    new ArrayBuffer(2),
    new sockaddr_in(),
    new Proxy({}, {}),
    Symbol('s'),
  ];
  const lib = libc as unknown as Record<string, unknown>;
  const skip = new Set([
    'formatBytes',
    'exit',
    'fgets',
    'FILE',
    'stdin',
    'stdout',
    'stderr',
    'printf',
    'puts',
    'putchar',
    'fputs',
  ]);
  const fns = Object.entries(lib).filter(([name, f]) => typeof f === 'function' && !skip.has(name));

  test.each(fns.map(([name]) => name))('%s', (name) => {
    const f = lib[name] as (...args: unknown[]) => unknown;
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 400; round++) {
      const args = Array.from({ length: next() % 5 }, () => values[next() % values.length]);
      try {
        f(...args);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as { code?: string }).code).toMatch(/^ERR_(INVALID_ARG_TYPE|OUT_OF_RANGE|INVALID_ARG_VALUE)$/);
      }
    }
  });

  test('the memory a struct lives in bounds memset, not only its own size', () => {
    const s: Struct = new sockaddr_in();
    expectThrown(() => memset(s, 0, 17), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'memset', param: 'n' });
  });
});

describe('in a child process', () => {
  test('exit ends the process with its status; printf and fprintf write what C would', () => {
    const script = [
      `const { printf, fprintf, stderr, exit, puts } = require(${JSON.stringify(compiledLib().libc)});`,
      "const n = printf('%s %d\\n', 'port', 8080);",
      "fprintf(stderr, 'err %x\\n', 255);",
      "puts('bye');",
      'exit(n);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stdout).toBe('port 8080\nbye\n');
    expect(run.stderr).toBe('err ff\n');
    expect(run.status).toBe(10);
  });

  test('fgets reads one line at a time from stdin, with its newline, then null at the end', () => {
    const script = [
      `const { fgets, printf, stdin } = require(${JSON.stringify(compiledLib().libc)});`,
      'const buf = Buffer.alloc(6);',
      "while (fgets(buf, 6, stdin) !== null) printf('[%s]', buf);",
      "printf('end\\n');",
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', input: 'hello world\nab\n' });
    expect(run.stdout).toBe('[hello][ worl][d\n][ab\n]end\n');
    expect(run.status).toBe(0);
  });

  test('fgets refuses a size past its buffer', () => {
    expectThrown(() => fgets(Buffer.alloc(2), 3, stdin), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'fgets',
      param: 'size',
    });
  });
});
