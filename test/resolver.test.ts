// getaddrinfo(3), freeaddrinfo(3), gai_strerror(3), getnameinfo(3): numeric and loopback names only, each
// answer compared with what the C library gives a C program (test/c/resolver.c) for the same question.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  AF_INET,
  AF_INET6,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  EAI_BADFLAGS,
  EAI_FAMILY,
  EAI_NONAME,
  EAI_OVERFLOW,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  ENOTTY,
  INADDR_ANY,
  INADDR_LOOPBACK,
  NI_MAXHOST,
  NI_MAXSERV,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  addrinfo,
  bind,
  errno,
  freeaddrinfo,
  gai_strerror,
  getaddrinfo,
  getnameinfo,
  getsockname,
  htonl,
  htons,
  in6addr_any,
  in6addr_loopback,
  inet_pton,
  listen,
  ntohs,
  ptr,
  setErrno,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  socket,
  socklen_t,
  strlen,
  type SockaddrLike,
} from 'bsdsock';
import { root } from './helpers/build';
import { compileC, runC } from './helpers/c';
import { bad, expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';
import { portOf } from './helpers/net';
import { cc, python3, testNeeding } from './helpers/tools';

const linuxOnly = process.platform === 'linux' ? test : test.skip;
const linuxWithPython = process.platform === 'linux' ? testNeeding(python3()) : test.skip;
const fds = new Fds();
afterEach(() => fds.closeAll());

// The C reference (test/c/resolver.c): the tests that compare with it need a C compiler, and are skipped
// without one (see helpers/tools.ts).
const withC = testNeeding(cc());
let reference: string;
beforeAll(() => {
  if (cc().missing !== null) return;
  reference = compileC(path.join(root, 'test/c/resolver.c'), { flags: ['-std=c11', '-Wall', '-Wextra'] });
}, 120000);

function runReference(args: string[]): string[] {
  return runC(reference, args).stdout.trim().split('\n');
}

interface Query {
  node: string | null;
  service: string | null;
  flags?: number;
  family?: number;
  socktype?: number;
}

/** What C's getaddrinfo answers: its status and one line per result. */
function cQuery(q: Query): { status: number; results: string[] } {
  const [status, ...results] = runReference([
    'query',
    q.node ?? '-',
    q.service ?? '-',
    String(q.flags ?? 0),
    String(q.family ?? 0),
    String(q.socktype ?? 0),
  ]);
  return { status: Number(status.replace('status ', '')), results };
}

function hintsOf(q: Query): addrinfo {
  const hints = new addrinfo();
  hints.ai_flags = q.flags ?? 0;
  hints.ai_family = q.family ?? 0;
  hints.ai_socktype = q.socktype ?? 0;
  return hints;
}

/** The list, walked by ai_next, in the reference program's format. */
function listLines(first: addrinfo | null): string[] {
  const lines: string[] = [];
  for (let p = first; p !== null; p = p.ai_next) {
    const addr = p.ai_addr === null ? '' : p.ai_addr.bytes.subarray(0, p.ai_addrlen).toString('hex');
    lines.push(`ai ${p.ai_family} ${p.ai_socktype} ${p.ai_protocol} ${p.ai_addrlen} ${addr}`);
  }
  return lines;
}

/** getaddrinfo through bsdsock; the status, and the list (empty on failure). */
function resolve(q: Query): { status: number; list: addrinfo | null } {
  const res = new ptr<addrinfo | null>(null);
  const status = getaddrinfo(q.node, q.service, hintsOf(q), res);
  return { status, list: status === 0 ? res.value : null };
}

function entries(first: addrinfo | null): addrinfo[] {
  const out: addrinfo[] = [];
  for (let p = first; p !== null; p = p.ai_next) out.push(p);
  return out;
}

describe('getaddrinfo fills the out-holder with the list C gets', () => {
  const cases: [string, Query][] = [
    [
      '"127.0.0.1" with AI_NUMERICHOST, service "8080", any type',
      { node: '127.0.0.1', service: '8080', flags: AI_NUMERICHOST },
    ],
    ['"localhost" for IPv4 streams', { node: 'localhost', service: null, family: AF_INET, socktype: SOCK_STREAM }],
    ['"::1" with AI_NUMERICHOST', { node: '::1', service: '80', flags: AI_NUMERICHOST, family: AF_INET6 }],
    [
      'AI_PASSIVE with a null node, IPv4',
      { node: null, service: '8080', flags: AI_PASSIVE, family: AF_INET, socktype: SOCK_STREAM },
    ],
    [
      'AI_PASSIVE with a null node, IPv6',
      { node: null, service: '8080', flags: AI_PASSIVE, family: AF_INET6, socktype: SOCK_DGRAM },
    ],
    ['a null node without AI_PASSIVE (loopback)', { node: null, service: '9', family: AF_INET, socktype: SOCK_STREAM }],
  ];
  withC.each(cases)('%s', (_label, q) => {
    const c = cQuery(q);
    expect(c.status).toBe(0);
    const { status, list } = resolve(q);
    expect(status).toBe(0);
    expect(list).toBeInstanceOf(addrinfo);
    expect(listLines(list)).toEqual(c.results);
  });

  test('"127.0.0.1" with service "8080": each entry is a sockaddr_in for 127.0.0.1 port 8080', () => {
    const { status, list } = resolve({ node: '127.0.0.1', service: '8080', flags: AI_NUMERICHOST });
    expect(status).toBe(0);
    const all = entries(list);
    expect(all.length).toBeGreaterThanOrEqual(1);
    for (const ai of all) {
      expect(ai.ai_family).toBe(AF_INET);
      expect(ai.ai_addrlen).toBe(sizeof(sockaddr_in));
      expect(ai.ai_addr).toBeInstanceOf(sockaddr_in);
      const sin = ai.ai_addr as sockaddr_in;
      expect(sin.sin_family).toBe(AF_INET);
      expect(sin.sin_port).toBe(htons(8080));
      expect(ntohs(sin.sin_port)).toBe(8080);
      expect(sin.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    }
    expect(all[all.length - 1].ai_next).toBeNull();
  });

  test('"::1" gives a sockaddr_in6 holding in6addr_loopback', () => {
    const { status, list } = resolve({ node: '::1', service: '443', flags: AI_NUMERICHOST, socktype: SOCK_STREAM });
    expect(status).toBe(0);
    const [ai] = entries(list);
    expect(ai.ai_addr).toBeInstanceOf(sockaddr_in6);
    const sin6 = ai.ai_addr as sockaddr_in6;
    expect(sin6.sin6_family).toBe(AF_INET6);
    expect(ntohs(sin6.sin6_port)).toBe(443);
    expect([...sin6.sin6_addr.bytes]).toEqual([...in6addr_loopback.bytes]);
  });

  test('AI_PASSIVE with a null node gives the wildcard addresses', () => {
    const v4 = resolve({ node: null, service: '8080', flags: AI_PASSIVE, family: AF_INET, socktype: SOCK_STREAM });
    expect(v4.status).toBe(0);
    const sin = entries(v4.list)[0].ai_addr as sockaddr_in;
    expect(sin.sin_addr.s_addr).toBe(htonl(INADDR_ANY));
    expect(ntohs(sin.sin_port)).toBe(8080);
    const v6 = resolve({ node: null, service: '8080', flags: AI_PASSIVE, family: AF_INET6, socktype: SOCK_STREAM });
    expect(v6.status).toBe(0);
    const sin6 = entries(v6.list)[0].ai_addr as sockaddr_in6;
    expect([...sin6.sin6_addr.bytes]).toEqual([...in6addr_any.bytes]);
  });

  const bindable: [string, string, number][] = [
    ['127.0.0.1', 'stream', SOCK_STREAM],
    ['127.0.0.1', 'datagram', SOCK_DGRAM],
    ['::1', 'stream', SOCK_STREAM],
    ['::1', 'datagram', SOCK_DGRAM],
  ];
  test.each(bindable)('each %s %s result can be given to socket() and bind() as C would', (node, _kind, socktype) => {
    const { status, list } = resolve({ node, service: '0', flags: AI_NUMERICHOST, socktype });
    expect(status).toBe(0);
    const all = entries(list);
    expect(all.length).toBeGreaterThanOrEqual(1);
    for (const ai of all) {
      const fd = fds.add(socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol));
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(bind(fd, ai.ai_addr as SockaddrLike, ai.ai_addrlen)).toBe(0);
      if (socktype === SOCK_STREAM) expect(listen(fd, 4)).toBe(0);
      const name = new sockaddr_storage();
      const len = new socklen_t(sizeof(name));
      expect(getsockname(fd, name, len)).toBe(0);
      expect(len.value).toBe(ai.ai_addrlen);
      const bound = ai.ai_family === AF_INET ? new sockaddr_in() : new sockaddr_in6();
      name.bytes.copy(bound.bytes, 0, 0, sizeof(bound));
      expect(portOf(bound)).toBeGreaterThan(0);
      expect(fds.close(fd)).toBe(0);
    }
  });

  test('a success leaves errno as it was', () => {
    setErrno(ENOTTY);
    expect(resolve({ node: '127.0.0.1', service: '1', flags: AI_NUMERICHOST }).status).toBe(0);
    expect(errno).toBe(ENOTTY);
  });
});

describe('freeaddrinfo', () => {
  test('unlinks the list so nothing is read after it, and returns nothing', () => {
    const { status, list } = resolve({ node: '127.0.0.1', service: '80', flags: AI_NUMERICHOST });
    expect(status).toBe(0);
    const all = entries(list);
    expect(all.length).toBeGreaterThan(1);
    expect(freeaddrinfo(list as addrinfo)).toBeUndefined();
    for (const ai of all) {
      expect(ai.ai_next).toBeNull();
      expect(ai.ai_addr).toBeNull();
      expect(ai.ai_canonname).toBeNull();
    }
  });

  test('takes the holder getaddrinfo filled, as C code writes freeaddrinfo(res), and leaves it null', () => {
    const hints = new addrinfo();
    hints.ai_flags = AI_NUMERICHOST;
    const res = new ptr<addrinfo | null>(null);
    expect(getaddrinfo('127.0.0.1', '80', hints, res)).toBe(0);
    const all = entries(res.value);
    expect(freeaddrinfo(res)).toBeUndefined();
    expect(res.value).toBeNull();
    for (const ai of all) expect(ai.ai_addr).toBeNull();
    // A holder already emptied frees nothing, as freeaddrinfo(NULL) in glibc.
    expect(freeaddrinfo(res)).toBeUndefined();
    expectThrown(() => freeaddrinfo(new ptr(bad<addrinfo>(new sockaddr_in()))), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'freeaddrinfo',
      param: 'res.value',
    });
  });

  test('throws TypeError for what is not an addrinfo', () => {
    expectThrown(() => freeaddrinfo(bad(null)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'freeaddrinfo',
      param: 'res',
    });
    expectThrown(() => freeaddrinfo(bad(new sockaddr_in())), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'freeaddrinfo',
      param: 'res',
    });
  });
});

describe('getaddrinfo failures return the EAI_* code C returns', () => {
  const failures: [string, Query, number][] = [
    ['a name with AI_NUMERICHOST', { node: 'not.a.number', service: null, flags: AI_NUMERICHOST }, EAI_NONAME],
    ['neither node nor service', { node: null, service: null }, EAI_NONAME],
    [
      'a service name with AI_NUMERICSERV',
      { node: '127.0.0.1', service: 'http', flags: AI_NUMERICHOST | AI_NUMERICSERV },
      EAI_NONAME,
    ],
    [
      'an unknown service name',
      { node: '127.0.0.1', service: 'no-such-service-x', flags: AI_NUMERICHOST },
      EAI_SERVICE,
    ],
    [
      'a port for a raw socket',
      { node: '127.0.0.1', service: '80', flags: AI_NUMERICHOST, socktype: SOCK_RAW },
      EAI_SERVICE,
    ],
    ['an unknown family', { node: '127.0.0.1', service: '80', flags: AI_NUMERICHOST, family: 99 }, EAI_FAMILY],
    ['an unknown socket type', { node: '127.0.0.1', service: '80', flags: AI_NUMERICHOST, socktype: 99 }, EAI_SOCKTYPE],
    ['flags that do not exist', { node: '127.0.0.1', service: '80', flags: 0x7fff0000 }, EAI_BADFLAGS],
    ['AI_CANONNAME without a node', { node: null, service: '80', flags: AI_CANONNAME }, EAI_BADFLAGS],
  ];
  withC.each(failures)('%s', (_label, q, expected) => {
    const c = cQuery(q);
    setErrno(ENOTTY);
    const res = new ptr<addrinfo | null>(null);
    const status = getaddrinfo(q.node, q.service, hintsOf(q), res);
    expect(status).toBe(c.status);
    expect(status).toBe(expected);
    expect(res.value).toBeNull();
    expect(errno).toBe(ENOTTY);
  });
});

describe('gai_strerror', () => {
  withC('each EAI_* value and its message are the C library’s', () => {
    const lines = runReference(['strerror']);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const bsd = { EAI_BADFLAGS, EAI_FAMILY, EAI_NONAME, EAI_OVERFLOW, EAI_SERVICE, EAI_SOCKTYPE } as Record<
      string,
      number
    >;
    for (const line of lines) {
      const [name, value, ...text] = line.split(' ');
      expect({ name, message: gai_strerror(Number(value)) }).toEqual({ name, message: text.join(' ') });
      if (name in bsd) expect({ name, value: bsd[name] }).toEqual({ name, value: Number(value) });
    }
  });

  linuxWithPython('EAI_NONAME reads as Python’s socket.gaierror says it', () => {
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import socket\ntry:\n  socket.getaddrinfo("not.a.number", None, flags=socket.AI_NUMERICHOST)\n' +
          'except socket.gaierror as e:\n  print(e.args[0]); print(e.args[1])',
      ],
      { encoding: 'utf8' },
    );
    expect(py.status).toBe(0);
    const [code, message] = py.stdout.trim().split('\n');
    expect(Number(code)).toBe(EAI_NONAME);
    expect(gai_strerror(EAI_NONAME)).toBe(message);
  });

  test('bad arguments throw', () => {
    expectThrown(() => gai_strerror(bad('x')), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'gai_strerror',
      param: 'errcode',
    });
    expectThrown(() => gai_strerror(1.5), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'gai_strerror',
      param: 'errcode',
    });
  });
});

describe('getnameinfo', () => {
  function v4(text: string, port: number): sockaddr_in {
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    expect(inet_pton(AF_INET, text, addr.sin_addr)).toBe(1);
    return addr;
  }
  function v6(text: string, port: number): sockaddr_in6 {
    const addr = new sockaddr_in6();
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    expect(inet_pton(AF_INET6, text, addr.sin6_addr)).toBe(1);
    return addr;
  }
  const text = (buf: Buffer): string => buf.toString('utf8', 0, strlen(buf));
  const numeric = NI_NUMERICHOST | NI_NUMERICSERV;

  const cases: [string, number, number, number][] = [
    ['127.0.0.1', 8080, NI_MAXHOST, NI_MAXSERV],
    ['::1', 8080, NI_MAXHOST, NI_MAXSERV],
    ['127.0.0.1', 8080, 10, 5], // exactly the text and its NUL
    ['127.0.0.1', 8080, 9, NI_MAXSERV], // one short for the host
    ['::1', 8080, 3, NI_MAXSERV],
    ['127.0.0.1', 8080, NI_MAXHOST, 4], // one short for the service
  ];
  withC.each(cases)('%s port %d, hostlen %d, servlen %d: as C answers', (address, port, hostlen, servlen) => {
    const [status, ...rest] = runReference([
      'nameinfo',
      address,
      String(port),
      String(hostlen),
      String(servlen),
      String(numeric),
    ]);
    const cStatus = Number(status.replace('status ', ''));
    const addr = address.includes(':') ? v6(address, port) : v4(address, port);
    const host = Buffer.alloc(hostlen, 0xff);
    const serv = Buffer.alloc(servlen, 0xff);
    setErrno(ENOTTY);
    expect(getnameinfo(addr, sizeof(addr), host, hostlen, serv, servlen, numeric)).toBe(cStatus);
    expect(errno).toBe(ENOTTY);
    if (cStatus === 0) {
      expect([`host ${text(host)}`, `serv ${text(serv)}`]).toEqual(rest);
      expect(text(host)).toBe(address);
      expect(text(serv)).toBe(String(port));
    } else {
      expect(cStatus).toBe(EAI_OVERFLOW);
    }
  });

  test('NI_NUMERICHOST|NI_NUMERICSERV fills host and serv, NUL-terminated', () => {
    const host = Buffer.alloc(NI_MAXHOST, 0xff);
    const serv = Buffer.alloc(NI_MAXSERV, 0xff);
    const addr = v4('127.0.0.1', 8080);
    expect(getnameinfo(addr, sizeof(addr), host, NI_MAXHOST, serv, NI_MAXSERV, numeric)).toBe(0);
    expect(host.subarray(0, 10).toString('latin1')).toBe('127.0.0.1\0');
    expect(serv.subarray(0, 5).toString('latin1')).toBe('8080\0');
  });

  test('a too-small host buffer gives EAI_OVERFLOW', () => {
    const host = Buffer.alloc(4);
    const serv = Buffer.alloc(NI_MAXSERV);
    const addr = v4('127.0.0.1', 8080);
    expect(getnameinfo(addr, sizeof(addr), host, 4, serv, NI_MAXSERV, numeric)).toBe(EAI_OVERFLOW);
  });

  linuxOnly('glibc: an address length shorter than the family’s struct gives EAI_FAMILY', () => {
    const addr = v4('127.0.0.1', 80);
    const host = Buffer.alloc(NI_MAXHOST);
    expect(getnameinfo(addr, sizeof(addr) - 1, host, NI_MAXHOST, null, 0, numeric)).toBe(EAI_FAMILY);
  });

  test('bad arguments throw TypeError/RangeError naming the parameter, errno untouched', () => {
    const addr = v4('127.0.0.1', 80);
    const host = Buffer.alloc(8);
    const serv = Buffer.alloc(8);
    const n = sizeof(addr);
    const type = (param: string) => ({
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE' as const,
      fn: 'getnameinfo',
      param,
    });
    const range = (param: string) => ({
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE' as const,
      fn: 'getnameinfo',
      param,
    });
    expectThrown(() => getnameinfo(bad('127.0.0.1'), n, host, 8, serv, 8, 0), type('addr'));
    expectThrown(() => getnameinfo(addr, bad('16'), host, 8, serv, 8, 0), type('addrlen'));
    expectThrown(() => getnameinfo(addr, 1.5, host, 8, serv, 8, 0), range('addrlen'));
    expectThrown(() => getnameinfo(addr, -1, host, 8, serv, 8, 0), range('addrlen'));
    expectThrown(() => getnameinfo(addr, NaN, host, 8, serv, 8, 0), range('addrlen'));
    expectThrown(() => getnameinfo(addr, n + 1, host, 8, serv, 8, 0), range('addrlen'));
    expectThrown(() => getnameinfo(addr, n, bad('host'), 8, serv, 8, 0), type('host'));
    expectThrown(() => getnameinfo(addr, n, host, 9, serv, 8, 0), range('hostlen'));
    expectThrown(() => getnameinfo(addr, n, host, 8, serv, 2 ** 31, 0), range('servlen'));
    expectThrown(() => getnameinfo(addr, n, host, 8, serv, 8, 2 ** 32), range('flags'));
    expectThrown(() => getnameinfo(addr, n, host, 8, serv, 8, bad(null)), type('flags'));
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    expectThrown(() => getnameinfo(addr, n, detached, 8, serv, 8, 0), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'getnameinfo',
      param: 'host',
    });
  });
});

describe('getaddrinfo argument checks', () => {
  const type = (param: string) => ({
    type: TypeError,
    code: 'ERR_INVALID_ARG_TYPE' as const,
    fn: 'getaddrinfo',
    param,
  });
  test('wrong types throw TypeError naming the parameter, errno untouched', () => {
    const res = new ptr<addrinfo | null>(null);
    expectThrown(() => getaddrinfo(bad(127), null, null, res), type('node'));
    expectThrown(() => getaddrinfo('127.0.0.1', bad(8080), null, res), type('service'));
    expectThrown(() => getaddrinfo('127.0.0.1', null, bad(new sockaddr_in()), res), type('hints'));
    expectThrown(() => getaddrinfo('127.0.0.1', null, bad({ ai_flags: 0 }), res), type('hints'));
    expectThrown(() => getaddrinfo('127.0.0.1', null, null, bad({ value: null })), type('res'));
    expectThrown(() => getaddrinfo('127.0.0.1', null, null, bad(null)), type('res'));
    expect(res.value).toBeNull();
  });

  test('a NUL byte inside node or service throws ERR_INVALID_ARG_VALUE', () => {
    const res = new ptr<addrinfo | null>(null);
    const value = (param: string) => ({
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE' as const,
      fn: 'getaddrinfo',
      param,
    });
    expectThrown(() => getaddrinfo('127.0.0.1\0evil', null, null, res), value('node'));
    expectThrown(() => getaddrinfo('127.0.0.1', '80\0', null, res), value('service'));
  });
});
