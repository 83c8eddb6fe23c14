// Errors that teach: with explaining on (trace({ explain: true }), BSDSOCK_TRACE=explain), each failed
// call is followed by its hint. Every hint below is reached by provoking that errno from that call; the
// ones that need privileges dropped, few descriptors or a network namespace run in a child process.
// Each hint is written in English and in French, chosen by trace({ lang }), BSDSOCK_LANG or the locale;
// the tests that compare English texts ask for English, whatever the locale they run in.
import * as fs from 'node:fs';
import * as bsdsock from 'bsdsock';
import * as P from 'bsdsock/promises';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_UDP,
  EPIPE,
  MSG_NOSIGNAL,
  POLLIN,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  accept,
  bind,
  close,
  connect,
  errno,
  errnoName,
  faultCounts,
  faults,
  getpeername,
  getsockname,
  getsockopt,
  hint,
  hintTable,
  inet_pton,
  listen,
  ptr,
  recv,
  send,
  sendto,
  setsockopt,
  shutdown,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  socket,
  socklen_t,
  trace,
  type HintLang,
} from 'bsdsock';
import { tempDir } from './helpers/build';
import { runNodeOk } from './helpers/child';
import { Fds } from './helpers/fds';
import { envLang, hintTexts } from '../lib/explain';
import { closedPort, loopback4, loopback6, unixAddr, waitReady } from './helpers/net';
import { requireNetns } from './helpers/netns';
import { capture, captureAsync } from './helpers/trace';
import { netns, prlimit, setpriv, testNeeding } from './helpers/tools';

const bag = new Fds();
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir('explain');
});
afterEach(() => {
  trace(false);
  bag.closeAll();
});
afterAll(() => tmp.remove());

/** The lines traced, with explaining on (in English unless told), while fn runs. */
const explained = (fn: () => void, lang: HintLang = 'en'): string[] => capture(fn, { explain: true, lang }).lines;

/** The line the tracer writes after `call` fails with `name` (with no descriptor to look at). */
function hintLine(call: string, name: string, lang: HintLang = 'en'): string {
  const errnum = Number(Object.entries(errnoNames()).find(([, n]) => n === name)?.[0]);
  const h = hint(call, errnum, lang);
  if (h === undefined) throw new Error(`no hint for ${call} ${name}`);
  expect(h.text.startsWith(`${call} ${name}${lang === 'fr' ? ' :' : ':'} `)).toBe(true);
  return `  ↳ ${h.text} (${lang === 'fr' ? 'voir' : 'see'} ${h.man})`;
}

function errnoNames(): Record<number, string> {
  const out: Record<number, string> = {};
  for (let n = 1; n < 200; n++) {
    const name = errnoName(n);
    if (name !== undefined) out[n] = name;
  }
  return out;
}

/** Checks that the call's failure line is there, followed by its hint. */
function expectExplained(lines: string[], call: string, name: string): void {
  const at = lines.findIndex((l) => l.startsWith(`${call}(`) && l.includes(`= -1 ${name} (`));
  if (at < 0) throw new Error(`no failed ${call} with ${name} in:\n${lines.join('\n')}`);
  expect(lines[at + 1]).toBe(hintLine(call, name));
}

/** A port on 127.0.0.1 where nothing listens (a bound, unlistening TCP socket holds it). */
const deadPort = (): sockaddr_in => bag.bound(SOCK_STREAM).addr;

/** A TCP connection whose peer has reset it (closed with SO_LINGER 0): [this end, nothing]. */
function resetConnection(): number {
  const [c, s] = bag.tcpPair();
  bag.reset(s);
  return c;
}

const cases: [string, string, () => void][] = [
  ['socket', 'EAFNOSUPPORT', () => socket(12345, SOCK_STREAM, 0)],
  ['socket', 'EPROTONOSUPPORT', () => socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)],
  ['socket', 'EINVAL', () => socket(AF_INET, 12345, 0)],
  [
    'bind',
    'EADDRINUSE',
    () => {
      const { addr } = bag.listener();
      bind(bag.socket(AF_INET, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  [
    'bind',
    'EADDRNOTAVAIL',
    () => {
      const addr = loopback4();
      inet_pton(AF_INET, '192.0.2.1', addr.sin_addr);
      bind(bag.socket(AF_INET, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  [
    'bind',
    'EINVAL',
    () => {
      const fd = bag.socket(AF_INET, SOCK_STREAM);
      const addr = loopback4();
      bind(fd, addr, sizeof(addr));
      bind(fd, addr, sizeof(addr));
    },
  ],
  [
    'bind',
    'EAFNOSUPPORT',
    () => {
      const addr = loopback6();
      bind(bag.socket(AF_INET, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  [
    'bind',
    'ENOENT',
    () => {
      const addr = unixAddr(tmp.path('no-such-dir/s'));
      bind(bag.socket(AF_UNIX, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  ['bind', 'EBADF', () => bind(-1, loopback4(), 16)],
  [
    'bind',
    'ENOTSOCK',
    () => {
      const file = fs.openSync(tmp.path('f'), 'w');
      try {
        bind(file, loopback4(), 16);
      } finally {
        fs.closeSync(file);
      }
    },
  ],
  [
    'listen',
    'EADDRINUSE',
    () => {
      const a = bag.socket(AF_INET, SOCK_STREAM);
      const b = bag.socket(AF_INET, SOCK_STREAM);
      const addr = loopback4();
      setsockopt(a, SOL_SOCKET, SO_REUSEADDR, 1, 4);
      setsockopt(b, SOL_SOCKET, SO_REUSEADDR, 1, 4);
      bind(a, addr, sizeof(addr));
      getsockname(a, addr, new socklen_t(16));
      bind(b, addr, sizeof(addr));
      listen(a, 1);
      listen(b, 1);
    },
  ],
  ['listen', 'EOPNOTSUPP', () => listen(bag.socket(AF_INET, SOCK_DGRAM), 1)],
  ['listen', 'EINVAL', () => listen(bag.tcpPair()[0], 1)],
  [
    'accept',
    'EAGAIN',
    () => {
      accept(bag.listener(SOCK_STREAM | SOCK_NONBLOCK).fd, null, null);
    },
  ],
  ['accept', 'EINVAL', () => accept(bag.socket(AF_INET, SOCK_STREAM), null, null)],
  ['accept', 'EOPNOTSUPP', () => accept(bag.socket(AF_INET, SOCK_DGRAM), null, null)],
  ['connect', 'ECONNREFUSED', () => connect(bag.socket(AF_INET, SOCK_STREAM), deadPort(), 16)],
  [
    'connect',
    'EINPROGRESS',
    () => {
      const { addr } = bag.listener();
      connect(bag.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK), addr, sizeof(addr));
    },
  ],
  [
    'connect',
    'EISCONN',
    () => {
      const { addr } = bag.listener();
      const c = bag.socket(AF_INET, SOCK_STREAM);
      connect(c, addr, sizeof(addr));
      connect(c, addr, sizeof(addr));
    },
  ],
  [
    'connect',
    'EAFNOSUPPORT',
    () => {
      const addr = new sockaddr_in6();
      addr.sin6_family = AF_INET6;
      connect(bag.socket(AF_INET, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  [
    'connect',
    'ENOENT',
    () => {
      const addr = unixAddr(tmp.path('nobody-here'));
      connect(bag.socket(AF_UNIX, SOCK_STREAM), addr, sizeof(addr));
    },
  ],
  [
    'send',
    'EPIPE',
    () => {
      const [a, b] = bag.unixPair(SOCK_STREAM);
      bag.close(b);
      send(a, 'x', 1, MSG_NOSIGNAL);
    },
  ],
  ['send', 'ECONNRESET', () => send(resetConnection(), 'x', 1, MSG_NOSIGNAL)],
  [
    'send',
    'EAGAIN',
    () => {
      const [a] = bag.unixPair(SOCK_STREAM | SOCK_NONBLOCK);
      const chunk = Buffer.alloc(65536);
      for (let k = 0; k < 10_000 && send(a, chunk, chunk.length, 0) > 0; k++);
    },
  ],
  [
    'sendto',
    'EMSGSIZE',
    () => {
      const { fd, addr } = bag.bound(SOCK_DGRAM);
      sendto(fd, Buffer.alloc(70_000), 70_000, 0, addr, sizeof(addr));
    },
  ],
  ['send', 'ENOTCONN', () => send(bag.socket(AF_UNIX, SOCK_STREAM), 'x', 1, MSG_NOSIGNAL)],
  ['send', 'EDESTADDRREQ', () => send(bag.socket(AF_INET, SOCK_DGRAM), 'x', 1, 0)],
  [
    'sendto',
    'EISCONN',
    () => {
      const [a] = bag.unixPair(SOCK_STREAM);
      const addr = unixAddr(tmp.path('x'));
      sendto(a, 'x', 1, 0, addr, sizeof(addr));
    },
  ],
  [
    'send',
    'ECONNREFUSED',
    () => {
      const dead = closedPort(SOCK_DGRAM); // a UDP port with no socket behind it
      const c = bag.socket(AF_INET, SOCK_DGRAM);
      connect(c, dead, sizeof(dead));
      // The refusal (ICMP port unreachable) of one datagram is reported by a later call.
      for (let k = 0; k < 100 && send(c, 'x', 1, 0) >= 0; k++);
    },
  ],
  [
    'sendto',
    'EACCES',
    () => {
      const fd = bag.socket(AF_INET, SOCK_DGRAM);
      const addr = loopback4(9);
      inet_pton(AF_INET, '127.255.255.255', addr.sin_addr); // lo's broadcast address
      sendto(fd, 'x', 1, 0, addr, sizeof(addr));
    },
  ],
  ['recv', 'EAGAIN', () => recv(bag.unixPair(SOCK_STREAM | SOCK_NONBLOCK)[0], Buffer.alloc(4), 4, 0)],
  ['recv', 'ECONNRESET', () => recv(resetConnection(), Buffer.alloc(4), 4, 0)],
  ['recv', 'ENOTCONN', () => recv(bag.socket(AF_INET, SOCK_STREAM), Buffer.alloc(4), 4, 0)],
  [
    'recv',
    'ECONNREFUSED',
    () => {
      const dead = closedPort(SOCK_DGRAM); // a UDP port with no socket behind it
      const c = bag.socket(AF_INET, SOCK_DGRAM);
      connect(c, dead, sizeof(dead));
      send(c, 'x', 1, 0);
      recv(c, Buffer.alloc(4), 4, 0);
    },
  ],
  ['setsockopt', 'ENOPROTOOPT', () => setsockopt(bag.socket(AF_INET, SOCK_STREAM), SOL_SOCKET, 9999, 1, 4)],
  ['setsockopt', 'EINVAL', () => setsockopt(bag.socket(AF_INET, SOCK_STREAM), SOL_SOCKET, SO_REUSEADDR, 1, 1)],
  [
    'getsockopt',
    'ENOPROTOOPT',
    () => getsockopt(bag.socket(AF_INET, SOCK_STREAM), SOL_SOCKET, 9999, new ptr(0), new socklen_t(4)),
  ],
  ['shutdown', 'ENOTCONN', () => shutdown(bag.socket(AF_INET, SOCK_STREAM), 1)],
  ['shutdown', 'EINVAL', () => shutdown(bag.tcpPair()[0], 99)],
  ['close', 'EBADF', () => close(-1)],
  [
    'getpeername',
    'ENOTCONN',
    () => getpeername(bag.socket(AF_INET, SOCK_STREAM), new sockaddr_in(), new socklen_t(16)),
  ],
];

describe('each hint, reached by provoking its errno from its call', () => {
  test.each(cases)('%s %s', (call, name, provoke) => {
    const lines = explained(provoke);
    expectExplained(lines, call, name);
  });
});

/**
 * The (call, errno) pairs each child-process test below provokes and checks. The coverage test reads
 * this list, not what ran: a test skipped for want of a tool (helpers/tools.ts) still counts as there.
 */
const inChildren = {
  capabilities: ['bind EACCES', 'socket EPERM'],
  descriptors: ['socket EMFILE', 'accept EMFILE'],
  network: ['connect ENETUNREACH', 'connect ETIMEDOUT'],
};

describe('in a child process: privileges dropped, few descriptors, an isolated network', () => {
  /** Runs code (with b = bsdsock) under wrapper with BSDSOCK_TRACE=explain, and checks each pair was explained. */
  function expectChildExplains(wrapper: string[], code: string, pairs: string[]): void {
    const { stderr } = runNodeOk(
      { code: `const b = require(process.env.BSDSOCK);\n${code}` },
      { prefix: wrapper, env: { BSDSOCK_TRACE: 'explain', BSDSOCK_LANG: 'en' }, limitMs: 60_000 },
    );
    const lines = stderr.split('\n');
    for (const pair of pairs) {
      const [call, name] = pair.split(' ');
      expectExplained(lines, call, name);
    }
  }

  // Still uid 0 (so the child can read a checkout in a private directory), but with every capability
  // gone: root without CAP_NET_BIND_SERVICE and CAP_NET_RAW meets what an ordinary user meets.
  testNeeding(setpriv())('without capabilities: bind to port 80 (EACCES), a raw socket (EPERM)', () => {
    expectChildExplains(
      ['setpriv', '--inh-caps=-all', '--bounding-set=-all'],
      `const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
       const a = new b.sockaddr_in(); a.sin_family = b.AF_INET; a.sin_port = b.htons(80);
       b.bind(fd, a, 16); b.close(fd);
       b.socket(b.AF_INET, b.SOCK_RAW, b.IPPROTO_ICMP);`,
      inChildren.capabilities,
    );
  });

  testNeeding(prlimit())('with ulimit -n low: socket and accept fail with EMFILE', () => {
    expectChildExplains(
      ['prlimit', '--nofile=64'],
      `const l = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
       const a = new b.sockaddr_in(); a.sin_family = b.AF_INET; a.sin_addr.s_addr = b.htonl(b.INADDR_LOOPBACK);
       b.bind(l, a, 16); b.listen(l, 4); b.getsockname(l, a, new b.socklen_t(16));
       const c = b.socket(b.AF_INET, b.SOCK_STREAM, 0); b.connect(c, a, 16);
       const held = [];
       b.trace(false);
       for (;;) { const fd = b.socket(b.AF_INET, b.SOCK_DGRAM, 0); if (fd < 0) break; held.push(fd); }
       b.trace({ explain: true });
       b.socket(b.AF_INET, b.SOCK_DGRAM, 0);
       b.accept(l, null, null);`,
      inChildren.descriptors,
    );
  });

  testNeeding(netns())('in a network namespace: no route (ENETUNREACH), no answer (ETIMEDOUT)', () => {
    expectChildExplains(
      // Packets for 10.9.9.0/24 go out on lo, where nothing answers them.
      requireNetns('this test', 'ip route add 10.9.9.0/24 dev lo'),
      `const to = (ip) => { const a = new b.sockaddr_in(); a.sin_family = b.AF_INET; a.sin_port = b.htons(80);
         b.inet_pton(b.AF_INET, ip, a.sin_addr); return a; };
       const s1 = b.socket(b.AF_INET, b.SOCK_STREAM, 0); b.connect(s1, to('10.1.2.3'), 16); b.close(s1);
       const s2 = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
       b.setsockopt(s2, b.IPPROTO_TCP, b.TCP_SYNCNT, 1, 4);
       b.connect(s2, to('10.9.9.2'), 16); b.close(s2);`,
      inChildren.network,
    );
  });
});

describe('the table', () => {
  test('without explain, a failure has no hint line; a pair with no hint adds nothing', () => {
    const chunks: string[] = [];
    trace({ write: (s: string) => chunks.push(s) });
    close(-1);
    trace(false);
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(1);
    expect(hint('bind', 0)).toBeUndefined();
    expect(hint('bind', 100000)).toBeUndefined();
  });

  test('calls that share errors share hints, with their own man page', () => {
    const h = hint('recvfrom', 11, 'en')!;
    expect(h.text.startsWith('recvfrom EAGAIN: ')).toBe(true);
    expect(h.man).toBe('recvfrom(2)');
    expect(hint('listen', 9, 'en')!.text).toMatch(/^listen EBADF: /); // from the table's entries for any call
  });
});

describe('coverage', () => {
  test('the errors a learner meets most from each call all have a hint, and each was provoked above', () => {
    const required = [
      'bind EADDRINUSE',
      'bind EACCES',
      'bind EADDRNOTAVAIL',
      'bind EINVAL',
      'bind EBADF',
      'bind ENOTSOCK',
      'connect ECONNREFUSED',
      'connect ETIMEDOUT',
      'connect ENETUNREACH',
      'connect EINPROGRESS',
      'connect EISCONN',
      'connect EAFNOSUPPORT',
      'accept EAGAIN',
      'accept EINVAL',
      'accept EMFILE',
      'send EPIPE',
      'send ECONNRESET',
      'send EAGAIN',
      'sendto EMSGSIZE',
      'recv EAGAIN',
      'recv ECONNRESET',
      'recv ENOTCONN',
      'listen EADDRINUSE',
      'listen EOPNOTSUPP',
      'socket EAFNOSUPPORT',
      'socket EPROTONOSUPPORT',
      'socket EPERM',
      'socket EMFILE',
      'setsockopt ENOPROTOOPT',
      'setsockopt EINVAL',
      'close EBADF',
    ];
    const table = hintTable();
    for (const pair of required) {
      const [call, name] = pair.split(' ');
      const base = call === 'sendto' ? 'send' : call;
      expect([...(table[base] ?? []), ...table['*']]).toContain(name);
    }
    // Each pair has a test above that provokes it and checks its hint (so this one stands alone).
    const provoked = new Set([...cases.map(([call, name]) => `${call} ${name}`), ...Object.values(inChildren).flat()]);
    expect(required.filter((p) => !provoked.has(p))).toEqual([]);
  });
});

describe('in French and in English', () => {
  /** An errno (or h_errno) value by its name, as bsdsock exports it; undefined where the platform lacks it. */
  const valueOf = (name: string): number | undefined => {
    const v = (bsdsock as Record<string, unknown>)[name];
    return typeof v === 'number' ? v : undefined;
  };

  test('every hint, for a call and for any call (*), has both texts, neither empty, each its own', () => {
    const texts = hintTexts();
    const table = hintTable();
    // The table's cells and the hints chosen by the socket's state (send's EPIPE).
    const pairs = Object.entries(table).flatMap(([call, names]) => names.map((n) => `${call} ${n}`));
    expect([...texts.keys()]).toEqual(expect.arrayContaining(pairs));
    expect([...texts.keys()].filter((k) => k.startsWith('send EPIPE ')).sort()).toEqual([
      'send EPIPE listening',
      'send EPIPE never-connected',
      'send EPIPE shut-down',
    ]);
    for (const [key, { en, fr }] of texts) {
      expect([key, en.trim().length > 0, fr.trim().length > 0]).toEqual([key, true, true]);
      expect([key, fr]).not.toEqual([key, en]);
    }
    // And through hint(), as the tracer asks: the same pair gives a line in each language.
    for (const [call, names] of Object.entries(table)) {
      // A call with no hints of its own gets the `*` ones.
      const asked = call === '*' ? 'dup' : call;
      for (const name of names) {
        const errnum = valueOf(name);
        if (errnum === undefined) continue;
        const en = hint(asked, errnum, 'en');
        const fr = hint(asked, errnum, 'fr');
        expect([call, name, en?.lang, fr?.lang]).toEqual([call, name, 'en', 'fr']);
        expect(en!.text.startsWith(`${asked} `)).toBe(true);
        expect(fr!.text).not.toBe(en!.text);
        expect(fr!.man).toBe(en!.man);
      }
    }
  });

  test('the French text keeps C names, errno names and man pages as they are', () => {
    const h = hint('bind', valueOf('EADDRINUSE')!, 'fr')!;
    expect(h.text).toBe(
      'bind EADDRINUSE : une autre socket occupe déjà cette adresse et ce port : un serveur qui tourne encore, ' +
        'ou une connexion récente en TIME_WAIT ; activez SO_REUSEADDR avant bind, ou choisissez un autre port',
    );
    expect(h.man).toBe('bind(2)');
  });

  test("trace({ explain, lang: 'fr' }) writes the hint in French, with (voir man(2))", () => {
    const [a, b] = [bag.socket(AF_INET, SOCK_STREAM), bag.socket(AF_INET, SOCK_STREAM)];
    const to = deadPort();
    const en = explained(() => connect(a, to, 16), 'en');
    const fr = explained(() => connect(b, to, 16), 'fr');
    expect(en[1]).toMatch(/^ {2}↳ connect ECONNREFUSED: nothing is listening .* \(see connect\(2\)\)$/);
    expect(fr[1]).toMatch(/^ {2}↳ connect ECONNREFUSED : rien n'écoute .* \(voir connect\(2\)\)$/);
    expect(fr[1]).toBe(hintLine('connect', 'ECONNREFUSED', 'fr'));
  });

  test('a language other than en or fr is a programming error, and leaves the tracer as it was', () => {
    const chunks: string[] = [];
    trace({ write: (s: string) => chunks.push(s) });
    expect(() => trace({ explain: true, lang: 'de' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    close(-1);
    trace(false);
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(1); // still tracing, still not explaining
    expect(() => hint('bind', 98, 'de' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => hint('bind', 98, 'en', '3' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  test('the language: BSDSOCK_LANG, else the first locale variable set (LC_ALL, LC_MESSAGES, LANG), else English', () => {
    expect(envLang({})).toBe('en');
    expect(envLang({ BSDSOCK_LANG: 'fr' })).toBe('fr');
    expect(envLang({ BSDSOCK_LANG: 'en', LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(envLang({ BSDSOCK_LANG: 'de', LANG: 'fr_FR.UTF-8' })).toBe('fr'); // not one it has: the locale's
    expect(envLang({ LANG: 'fr_FR.UTF-8' })).toBe('fr');
    expect(envLang({ LANG: 'fr_CA' })).toBe('fr');
    expect(envLang({ LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(envLang({ LC_ALL: 'C.UTF-8', LANG: 'fr_FR.UTF-8' })).toBe('en'); // LC_ALL wins, as in C
    expect(envLang({ LC_MESSAGES: 'fr_BE.UTF-8', LANG: 'en_US.UTF-8' })).toBe('fr');
    expect(envLang({ LC_ALL: '', LC_MESSAGES: '', LANG: 'fr_FR.UTF-8' })).toBe('fr'); // empty is unset
  });

  describe('a traced program, in a child process', () => {
    // A connect to a loopback port held by a bound socket that does not listen: ECONNREFUSED, no race.
    const program = `const b = require(process.env.BSDSOCK);
      const a = new b.sockaddr_in(); a.sin_family = b.AF_INET; a.sin_addr.s_addr = b.htonl(b.INADDR_LOOPBACK);
      const held = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
      b.bind(held, a, 16); b.getsockname(held, a, new b.socklen_t(16));
      const fd = b.socket(b.AF_INET, b.SOCK_STREAM, 0);
      b.connect(fd, a, 16);
      b.close(fd); b.close(held);`;
    // Whatever locale the tests run in, each case sets all four variables.
    const unset = { BSDSOCK_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: '' };
    const cases: [string, NodeJS.ProcessEnv, HintLang][] = [
      ['BSDSOCK_LANG=fr', { BSDSOCK_LANG: 'fr' }, 'fr'],
      ['BSDSOCK_LANG=en (with a French locale)', { BSDSOCK_LANG: 'en', LANG: 'fr_FR.UTF-8' }, 'en'],
      ['LANG=fr_FR.UTF-8 and no BSDSOCK_LANG', { LANG: 'fr_FR.UTF-8' }, 'fr'],
      ['no language asked for', {}, 'en'],
    ];
    test.each(cases)('%s', (_title, env, lang) => {
      const { stderr } = runNodeOk({ code: program }, { env: { ...unset, ...env, BSDSOCK_TRACE: 'explain' } });
      const lines = stderr.split('\n');
      const at = lines.findIndex((l) => l.startsWith('connect(') && l.includes('= -1 ECONNREFUSED ('));
      expect(at).toBeGreaterThanOrEqual(0);
      expect(lines[at + 1]).toBe(hintLine('connect', 'ECONNREFUSED', lang));
    });
  });
});

describe("send's EPIPE: the hint is chosen by the socket's state", () => {
  const texts = hintTexts();
  /** The hint line after a failed send, for the table's EPIPE (`closed-peer`) or one chosen by state. */
  const epipeLine = (which: 'closed-peer' | 'never-connected' | 'listening' | 'shut-down', lang: HintLang): string => {
    const text = texts.get(which === 'closed-peer' ? 'send EPIPE' : `send EPIPE ${which}`)![lang];
    return `  ↳ send EPIPE${lang === 'fr' ? ' :' : ':'} ${text} (${lang === 'fr' ? 'voir' : 'see'} send(2))`;
  };

  /** The traced lines of one send on fd that must fail with EPIPE, errno still EPIPE afterwards. */
  function sendFails(fd: number, lang: HintLang): string[] {
    const lines = explained(() => {
      expect(send(fd, 'x', 1, MSG_NOSIGNAL)).toBe(-1);
    }, lang);
    // The hint read the socket's state beneath the call: errno is the send's.
    expect(errnoName(errno)).toBe('EPIPE');
    expect(lines[0]).toMatch(/^send\(\d+, "x", 1, MSG_NOSIGNAL\) = -1 EPIPE \(/);
    return lines;
  }

  /** A TCP connection whose peer closed (FIN) and then answered this end's data with RST: [this end]. */
  function closedByPeer(): number {
    const [c, s] = bag.tcpPair();
    bag.close(s);
    waitReady(c, POLLIN); // the FIN is in
    expect(send(c, 'x', 1, MSG_NOSIGNAL)).toBe(1); // accepted by this end's kernel; the peer answers RST
    waitReady(c, 0); // the RST is in (POLLERR/POLLHUP)
    return c;
  }

  const states: [string, () => number, 'closed-peer' | 'never-connected' | 'listening' | 'shut-down'][] = [
    ['a TCP socket only created', () => bag.socket(AF_INET, SOCK_STREAM), 'never-connected'],
    ['a TCP socket bound, never connected', () => bag.bound(SOCK_STREAM).fd, 'never-connected'],
    ['an IPv6 TCP socket bound, never connected', () => bag.bound6(SOCK_STREAM).fd, 'never-connected'],
    [
      'a TCP socket whose connect was refused',
      () => {
        const fd = bag.socket(AF_INET, SOCK_STREAM);
        expect(connect(fd, deadPort(), 16)).toBe(-1);
        return fd;
      },
      'never-connected',
    ],
    ['a listening socket', () => bag.listener().fd, 'listening'],
    [
      'a connected socket that shut down writing',
      () => {
        const [c] = bag.tcpPair();
        expect(shutdown(c, SHUT_WR)).toBe(0);
        return c;
      },
      'shut-down',
    ],
    ['a connected socket whose peer closed', closedByPeer, 'closed-peer'],
    [
      'an accepted socket whose peer closed',
      () => {
        const [c, s] = bag.tcpPair();
        bag.close(c);
        waitReady(s, POLLIN);
        expect(send(s, 'x', 1, MSG_NOSIGNAL)).toBe(1);
        waitReady(s, 0);
        return s;
      },
      'closed-peer',
    ],
    [
      'a connected socket whose peer reset it (ECONNRESET first)',
      () => {
        const c = resetConnection();
        waitReady(c, 0);
        expect(send(c, 'x', 1, MSG_NOSIGNAL)).toBe(-1);
        expect(errnoName(errno)).toBe('ECONNRESET');
        return c;
      },
      'closed-peer',
    ],
    [
      'an accepted socket whose peer reset it',
      () => {
        const [c, s] = bag.tcpPair();
        bag.reset(c);
        waitReady(s, 0);
        expect(send(s, 'x', 1, MSG_NOSIGNAL)).toBe(-1); // ECONNRESET
        return s;
      },
      'closed-peer',
    ],
    [
      'a Unix stream socket whose peer closed',
      () => {
        const [a, b] = bag.unixPair(SOCK_STREAM);
        bag.close(b);
        return a;
      },
      'closed-peer',
    ],
  ];

  test.each(states)('%s', (_title, make, which) => {
    for (const lang of ['en', 'fr'] as const) {
      const fd = make();
      expect(sendFails(fd, lang)[1]).toBe(epipeLine(which, lang));
    }
  });

  test('never connected and closed peer say different things', () => {
    expect(epipeLine('never-connected', 'en')).toMatch(/never connected/);
    expect(epipeLine('closed-peer', 'en')).toMatch(/the other end has closed the connection/);
    expect(epipeLine('never-connected', 'fr')).toMatch(/n'a jamais été connectée/);
    expect(epipeLine('closed-peer', 'fr')).toMatch(/l'autre extrémité a fermé la connexion/);
  });

  test('sendto shares it, with its own man page; without a descriptor, hint() gives the closed peer', () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const lines = explained(() => sendto(fd, 'x', 1, MSG_NOSIGNAL, null, 0));
    expect(lines[1]).toBe(
      epipeLine('never-connected', 'en').replace('send EPIPE', 'sendto EPIPE').replace('send(2)', 'sendto(2)'),
    );
    expect(hint('send', EPIPE, 'en')!.text).toBe(`send EPIPE: ${texts.get('send EPIPE')!.en}`);
    expect(hint('send', EPIPE, 'en', fd)!.text).toBe(`send EPIPE: ${texts.get('send EPIPE never-connected')!.en}`);
    // Not a socket, or closed: the state cannot be read, and the hint is the table's.
    expect(hint('write', EPIPE, 'en', -1)!.text).toBe(`write EPIPE: ${texts.get('send EPIPE')!.en}`);
    expect(hint('write', EPIPE, 'en', 0x7ffffff0)!.text).toBe(`write EPIPE: ${texts.get('send EPIPE')!.en}`);
  });

  test('bsdsock/promises: a never-connected socket rejects with EPIPE and the hint says so', async () => {
    const fd = bag.socket(AF_INET, SOCK_STREAM);
    const { lines } = await captureAsync(
      async () => {
        await expect(P.send(fd, 'x', 1, MSG_NOSIGNAL)).rejects.toMatchObject({ code: 'EPIPE' });
      },
      { explain: true, lang: 'fr' },
    );
    expect(lines).toContain(epipeLine('never-connected', 'fr'));
  });

  test('the look-up beneath the hint is no call: fault injection neither fails it nor counts it', () => {
    faults([{ call: 'getsockopt', errno: 'EBADF' }]);
    try {
      const fd = bag.socket(AF_INET, SOCK_STREAM);
      expect(sendFails(fd, 'en')[1]).toBe(epipeLine('never-connected', 'en'));
      expect(faultCounts()).toEqual([0]);
    } finally {
      faults(null);
    }
  });
});
