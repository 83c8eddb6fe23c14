// gethostbyname(3), gethostbyaddr(3), getservbyname(3), getservbyport(3), herror(3), hstrerror(3) and
// h_errno: every answer compared with what the C library gives a C program (test/c/netdb.c) for the
// same question. No test needs the network: the names are /etc/hosts's and names glibc refuses before
// any DNS query ('bad name', '999.1.1.1', ''), checked with strace on this machine; a name that would
// go to DNS is asked only inside an isolated network namespace (TRY_AGAIN, as C gets there).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAFNOSUPPORT,
  ENOTTY,
  HOST_NOT_FOUND,
  NETDB_INTERNAL,
  NO_ADDRESS,
  NO_DATA,
  NO_RECOVERY,
  TRY_AGAIN,
  cast,
  errno,
  gethostbyaddr,
  gethostbyname,
  getservbyname,
  getservbyport,
  h_errno,
  hint,
  hostent,
  hstrerror,
  htons,
  in6_addr,
  in_addr,
  inet_aton,
  inet_ntoa,
  ntohs,
  servent,
  setErrno,
  sockaddr_in,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { compiledLib, root } from './helpers/build';
import { compileC, runC } from './helpers/c';
import { runNodeOk } from './helpers/child';
import { bad, expectThrown } from './helpers/errors';
import { requireNetns } from './helpers/netns';
import { cc, netns, testNeeding } from './helpers/tools';
import { capture } from './helpers/trace';

const withC = testNeeding(cc());
let reference: string;
beforeAll(() => {
  if (cc().missing !== null) return;
  reference = compileC(path.join(root, 'test/c/netdb.c'), { flags: ['-std=c11', '-Wall', '-Wextra'] });
}, 120000);

function c(...args: string[]): string[] {
  return runC(reference, args).stdout.trim().split('\n');
}

/** A hostent (or null with h_errno) in the C program's form. */
function hostLines(he: hostent | null): string[] {
  if (he === null) return [`null ${h_errno}`];
  return [
    `name ${he.h_name}`,
    ...he.h_aliases.map((a) => `alias ${a}`),
    `type ${he.h_addrtype}`,
    `length ${he.h_length}`,
    ...he.h_addr_list.map((a) => `addr ${a.toString('hex')}`),
  ];
}

function servLines(se: servent | null): string[] {
  if (se === null) return ['null'];
  return [`name ${se.s_name}`, ...se.s_aliases.map((a) => `alias ${a}`), `port ${se.s_port}`, `proto ${se.s_proto}`];
}

// The compiled lib's errno module, whose internal setHErrno a child uses to set h_errno as C's `h_errno = n`.
const errnoModule = (): string => path.join(path.dirname(compiledLib().index), 'errno.js');

const loopback = (): in_addr => {
  const a = new in_addr();
  expect(inet_aton('127.0.0.1', a)).toBe(1);
  return a;
};

describe('gethostbyname', () => {
  test('localhost: AF_INET, 4 bytes, 127.0.0.1; the classic C lines port as they are', () => {
    const he = gethostbyname('localhost')!;
    expect(he).toBeInstanceOf(hostent);
    expect(he.h_name).toBe('localhost');
    expect(he.h_addrtype).toBe(AF_INET);
    expect(he.h_length).toBe(4);
    expect(he.h_addr_list.map((a) => [...a])).toContainEqual([127, 0, 0, 1]);
    // inet_ntoa(*(struct in_addr *)he->h_addr)
    expect(inet_ntoa(cast(in_addr, he.h_addr!))).toBe('127.0.0.1');
    // memcpy(&addr.sin_addr, he->h_addr, he->h_length)
    const addr = new sockaddr_in();
    he.h_addr!.copy(addr.sin_addr.bytes, 0, 0, he.h_length);
    expect(inet_ntoa(addr.sin_addr)).toBe('127.0.0.1');
  });

  withC.each(['localhost', '127.0.0.1', '1.2.3'])('%s: the same hostent as C', (name) => {
    expect(hostLines(gethostbyname(name))).toEqual(c('host', name));
  });

  withC.each([
    ['bad name', HOST_NOT_FOUND],
    ['999.1.1.1', HOST_NOT_FOUND],
    ['', NO_RECOVERY],
  ])('%j: null with h_errno %i, as C; errno untouched', (name, expected) => {
    setErrno(ENOTTY);
    expect(gethostbyname(name)).toBeNull();
    expect(h_errno).toBe(expected);
    expect(errno).toBe(ENOTTY);
    expect(c('host', name)).toEqual([`null ${expected}`]);
  });

  test('a successful lookup leaves h_errno as it was, as glibc does', () => {
    gethostbyname('bad name');
    expect(h_errno).toBe(HOST_NOT_FOUND);
    expect(gethostbyname('localhost')).not.toBeNull();
    expect(h_errno).toBe(HOST_NOT_FOUND);
  });

  test('the constants come from netdb.h: NO_ADDRESS is NO_DATA', () => {
    expect([HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, NETDB_INTERNAL]).toEqual([1, 2, 3, 4, -1]);
    expect(NO_ADDRESS).toBe(NO_DATA);
  });

  testNeeding(netns())('in a namespace with no network, a DNS name gives TRY_AGAIN, as C does there', () => {
    const prefix = requireNetns('this test');
    const { stdout } = runNodeOk(
      {
        code:
          `const b = require(process.env.BSDSOCK);\n` +
          `const he = b.gethostbyname('no-such-host.invalid');\n` +
          `console.log(JSON.stringify([he, b.h_errno]));`,
      },
      { prefix, limitMs: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual([null, TRY_AGAIN]);
    if (cc().missing === null) {
      const r = spawnSync(prefix[0], [...prefix.slice(1), reference, 'host', 'no-such-host.invalid'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stdout.trim()).toBe(`null ${TRY_AGAIN}`);
    }
  });
});

describe('gethostbyaddr', () => {
  withC('127.0.0.1, from an in_addr or from a buffer: localhost, as C', () => {
    const expected = c('addr', String(AF_INET), '4', '7f000001');
    expect(hostLines(gethostbyaddr(loopback(), 4, AF_INET))).toEqual(expected);
    expect(hostLines(gethostbyaddr(Buffer.from([127, 0, 0, 1]), 4, AF_INET))).toEqual(expected);
    expect(gethostbyaddr(loopback(), 4, AF_INET)!.h_name).toBe('localhost');
  });

  withC('the IPv6 wildcard: null with HOST_NOT_FOUND, as C', () => {
    expect(gethostbyaddr(new in6_addr(), 16, AF_INET6)).toBeNull();
    expect(h_errno).toBe(HOST_NOT_FOUND);
    expect(c('addr', String(AF_INET6), '16', '00'.repeat(16))).toEqual(['errno 0', `null ${HOST_NOT_FOUND}`]);
  });

  withC.each([
    [AF_INET, 3],
    [AF_UNIX, 4],
  ])('family %i with len %i: NETDB_INTERNAL and errno EAFNOSUPPORT, as C', (type, len) => {
    setErrno(0);
    expect(gethostbyaddr(Buffer.from([127, 0, 0, 1]), len, type)).toBeNull();
    expect([h_errno, errno]).toEqual([NETDB_INTERNAL, EAFNOSUPPORT]);
    expect(c('addr', String(type), String(len), '7f000001')).toEqual([
      `errno ${EAFNOSUPPORT}`,
      `null ${NETDB_INTERNAL}`,
    ]);
  });
});

describe('getservbyname and getservbyport', () => {
  test('http/tcp: s_port is htons(80), as C stores it', () => {
    const se = getservbyname('http', 'tcp')!;
    expect(se).toBeInstanceOf(servent);
    expect(se.s_port).toBe(htons(80));
    expect(ntohs(se.s_port)).toBe(80);
    expect(se.s_proto).toBe('tcp');
  });

  withC.each([
    ['http', 'tcp'],
    ['www', 'tcp'],
    ['ssh', '-'],
    ['no-such-service', 'tcp'],
    ['http', 'nope'],
  ])('getservbyname(%j, %j): as C', (name, proto) => {
    expect(servLines(getservbyname(name, proto === '-' ? null : proto))).toEqual(c('serv', name, proto));
  });

  withC.each([
    [htons(80), 'tcp'],
    [htons(22), '-'],
    [htons(1), 'udp'],
  ])('getservbyport(%i, %j): as C', (port, proto) => {
    expect(servLines(getservbyport(port, proto === '-' ? null : proto))).toEqual(c('port', String(port), proto));
  });

  test('an unknown service is null, with h_errno and errno untouched', () => {
    gethostbyname('bad name');
    setErrno(ENOTTY);
    expect(getservbyname('no-such-service', 'tcp')).toBeNull();
    expect([h_errno, errno]).toEqual([HOST_NOT_FOUND, ENOTTY]);
  });
});

describe('hints, keyed by h_errno name for the host lookups', () => {
  test('explaining on, a failed lookup is followed by the hint for its h_errno', () => {
    const { lines } = capture(() => gethostbyaddr(new in6_addr(), 16, AF_INET6), { explain: true, lang: 'en' });
    const h = hint('gethostbyaddr', HOST_NOT_FOUND, 'en')!;
    expect(h.text).toMatch(/^gethostbyaddr HOST_NOT_FOUND: no such host/);
    expect(h.man).toBe('gethostbyaddr(3)');
    expect(lines).toEqual([
      'gethostbyaddr(inet_pton(AF_INET6, "::"), 16, AF_INET6) = NULL HOST_NOT_FOUND (Unknown host)',
      `  ↳ ${h.text} (see ${h.man})`,
    ]);
  });

  test('each h_errno a learner meets has a hint; errno hints never stand in for one', () => {
    for (const n of [HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, NETDB_INTERNAL]) {
      expect(hint('gethostbyname', n, 'en')?.text).toMatch(/^gethostbyname [A-Z_]+: /);
    }
    // 9 is EBADF for a system call, which has a hint for any call; it is no h_errno value.
    expect(hint('gethostbyname', 9)).toBeUndefined();
    expect(hint('close', 9, 'en')?.text).toMatch(/^close EBADF: /);
  });
});

describe('herror and hstrerror', () => {
  withC('hstrerror gives the C library message', () => {
    const ours = [-1, 0, 1, 2, 3, 4, 5, 6].map((n) => `${n} ${hstrerror(n)}`);
    expect(ours).toEqual(c('hstrerror'));
  });

  withC('herror writes what C writes, for this thread’s h_errno', () => {
    const code = [HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, NETDB_INTERNAL]
      .map((n) => `b.gethostbyname('x'); require('${errnoModule()}').setHErrno(${n}); b.herror('lookup ${n}');`)
      .join('\n');
    const ours = runNodeOk({ code: `const b = require(process.env.BSDSOCK);\n${code}\nb.herror(null); b.herror('');` });
    const theirs = [HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, NETDB_INTERNAL].map(
      (n) => runC(reference, ['herror', String(n), `lookup ${n}`]).stderr,
    );
    theirs.push(runC(reference, ['herror', String(NETDB_INTERNAL), '-']).stderr);
    theirs.push(runC(reference, ['herror', String(NETDB_INTERNAL), '']).stderr);
    expect(ours.stderr).toBe(theirs.join(''));
  });

  test('herror after a failed lookup names its h_errno', () => {
    const { stderr } = runNodeOk({
      code: `const b = require(process.env.BSDSOCK); b.gethostbyname('bad name'); b.herror('gethostbyname');`,
    });
    expect(stderr).toBe(`gethostbyname: ${hstrerror(HOST_NOT_FOUND)}\n`);
  });
});

describe('programming errors throw before the call, errno and h_errno untouched', () => {
  const type = (fn: string, param: string) => ({ type: TypeError, code: 'ERR_INVALID_ARG_TYPE' as const, fn, param });
  const range = (fn: string, param: string) => ({ type: RangeError, code: 'ERR_OUT_OF_RANGE' as const, fn, param });
  const value = (fn: string, param: string) => ({ type: TypeError, code: 'ERR_INVALID_ARG_VALUE' as const, fn, param });

  test.each([
    ['gethostbyname(5)', () => gethostbyname(bad(5)), type('gethostbyname', 'name')],
    ['gethostbyname(null)', () => gethostbyname(bad(null)), type('gethostbyname', 'name')],
    ['gethostbyname("a\\0b")', () => gethostbyname('a\0b'), value('gethostbyname', 'name')],
    [
      'gethostbyaddr(a sockaddr_in)',
      () => gethostbyaddr(bad(new sockaddr_in()), 4, AF_INET),
      type('gethostbyaddr', 'addr'),
    ],
    ['gethostbyaddr("127.0.0.1")', () => gethostbyaddr(bad('127.0.0.1'), 4, AF_INET), type('gethostbyaddr', 'addr')],
    ['gethostbyaddr(len past addr)', () => gethostbyaddr(loopback(), 5, AF_INET), range('gethostbyaddr', 'len')],
    ['gethostbyaddr(len -1)', () => gethostbyaddr(loopback(), -1, AF_INET), range('gethostbyaddr', 'len')],
    ['gethostbyaddr(type 1.5)', () => gethostbyaddr(loopback(), 4, 1.5), range('gethostbyaddr', 'type')],
    ['gethostbyaddr(type "x")', () => gethostbyaddr(loopback(), 4, bad('x')), type('gethostbyaddr', 'type')],
    ['getservbyname(1, "tcp")', () => getservbyname(bad(1), 'tcp'), type('getservbyname', 'name')],
    ['getservbyname("http", 6)', () => getservbyname('http', bad(6)), type('getservbyname', 'proto')],
    ['getservbyname("http", "t\\0")', () => getservbyname('http', 't\0'), value('getservbyname', 'proto')],
    ['getservbyport(2 ** 31)', () => getservbyport(2 ** 31, 'tcp'), range('getservbyport', 'port')],
    ['hstrerror("1")', () => hstrerror(bad('1')), type('hstrerror', 'err')],
    ['P.gethostbyname(5)', () => P.gethostbyname(bad(5)), type('gethostbyname', 'name')],
    ['P.gethostbyaddr(len past addr)', () => P.gethostbyaddr(loopback(), 5, AF_INET), range('gethostbyaddr', 'len')],
    ['P.getservbyname("http", 6)', () => P.getservbyname('http', bad(6)), type('getservbyname', 'proto')],
    ['P.getservbyport(1.5)', () => P.getservbyport(1.5, null), range('getservbyport', 'port')],
  ])('%s', (_what, call, expected) => {
    gethostbyname('bad name');
    expectThrown(call, expected);
    expect(h_errno).toBe(HOST_NOT_FOUND);
  });

  test('the TypeScript check and the addon describe a wrong addr alike', () => {
    const message = (call: () => unknown): string => {
      try {
        call();
      } catch (e) {
        return (e as Error).message.replace(/^.*Received /s, '');
      }
      return 'did not throw';
    };
    expect(message(() => gethostbyaddr(bad(new Map()), 4, AF_INET))).toBe('an instance of Map');
    expect(message(() => gethostbyname(bad(new Map())))).toBe('an instance of Map');
  });
});

describe('bsdsock/promises', () => {
  test('gethostbyname resolves with the hostent, as the synchronous call gives it', async () => {
    const he = await P.gethostbyname('localhost');
    expect(he).toEqual(gethostbyname('localhost'));
    expect(he).toBeInstanceOf(hostent);
  });

  test('a failed lookup resolves with null and sets h_errno; errno is untouched', async () => {
    setErrno(ENOTTY);
    expect(await P.gethostbyname('')).toBeNull();
    expect(h_errno).toBe(NO_RECOVERY);
    expect(await P.gethostbyaddr(Buffer.from([127, 0, 0, 1]), 3, AF_INET)).toBeNull();
    expect(h_errno).toBe(NETDB_INTERNAL);
    expect(errno).toBe(ENOTTY);
  });

  test('gethostbyaddr, getservbyname and getservbyport', async () => {
    expect((await P.gethostbyaddr(loopback(), 4, AF_INET))?.h_name).toBe('localhost');
    expect(await P.getservbyname('http', 'tcp')).toEqual(getservbyname('http', 'tcp'));
    expect(await P.getservbyport(htons(22), 'tcp')).toEqual(getservbyport(htons(22), 'tcp'));
    expect(await P.getservbyname('no-such-service', null)).toBeNull();
  });

  test('an aborted lookup rejects with an AbortError and leaves h_errno alone', async () => {
    gethostbyname('bad name');
    const ac = new AbortController();
    const p = P.gethostbyname('', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    // The lookup ends in the pool meanwhile; its answer is dropped.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h_errno).toBe(HOST_NOT_FOUND);
  });
});

test('each worker_threads Worker has its own h_errno', async () => {
  gethostbyname('');
  expect(h_errno).toBe(NO_RECOVERY);
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const b = require(workerData);
    const before = b.h_errno;
    b.gethostbyname('bad name');
    parentPort.postMessage([before, b.h_errno]);`;
  const seen = await new Promise<number[]>((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: compiledLib().index });
    w.once('message', resolve);
    w.once('error', reject);
  });
  expect(seen).toEqual([0, HOST_NOT_FOUND]);
  expect(h_errno).toBe(NO_RECOVERY);
});
