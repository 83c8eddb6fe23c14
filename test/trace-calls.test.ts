// Every traced call of the table (lib/calls.ts), in each API that has it, writes its line: one real
// call of each on loopback, traced into an array. The list of calls comes from the table, so a call
// added there without a case here fails the first test.
import {
  EPOLLIN,
  EPOLL_CTL_ADD,
  epoll_create1,
  epoll_event,
  FD_SET,
  FIONREAD,
  fd_set,
  select,
  timeval,
  AF_INET,
  AF_UNIX,
  AI_NUMERICHOST,
  F_GETFL,
  IPPROTO_TCP,
  NI_MAXHOST,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  POLLOUT,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_TYPE,
  accept4,
  addrinfo,
  connect,
  getaddrinfo,
  gethostbyname,
  htons,
  msghdr,
  pollfd,
  ptr,
  send,
  sizeof,
  sockaddr_in,
  socket,
  socklen_t,
  trace,
} from 'bsdsock';
import * as S from 'bsdsock';
import * as P from 'bsdsock/promises';
import { CALLS, type CallEntry, type CallName } from '../lib/calls';
import { Fds } from './helpers/fds';
import { iov } from './helpers/io';
import { loopback4 } from './helpers/net';
import { captureAsync } from './helpers/trace';

const traced = (Object.entries(CALLS) as [CallName, CallEntry][]).filter(([, e]) => e.text !== undefined);

const fds = new Fds();
afterEach(() => {
  trace(false);
  fds.closeAll();
});
const keep = (fd: number): number => fds.add(fd);

/** A listening TCP socket on 127.0.0.1 and its address (port chosen by the kernel). */
const listener = (): { fd: number; addr: sockaddr_in } => fds.listener();

/** A connected TCP pair: [client, server]; the listener stays open until afterEach. */
function pair(): [number, number] {
  const { client, server } = fds.tcpConnection();
  return [client, server];
}

/** The lines written while `body` runs (and until its promise settles). */
async function lines(body: () => unknown): Promise<string[]> {
  const { text } = await captureAsync(async () => {
    await body();
  });
  return text.split('\n');
}

// One call of each: its arguments, made just before it (its fixture's calls are traced too, before it).
// The same arguments serve both APIs; bsdsock/promises takes them as they are.
const ARGS: Readonly<Record<string, () => unknown[]>> = {
  socket: () => [AF_INET, SOCK_DGRAM, 0],
  bind: () => {
    const a = loopback4();
    return [keep(socket(AF_INET, SOCK_DGRAM, 0)), a, sizeof(a)];
  },
  listen: () => [keep(socket(AF_INET, SOCK_STREAM, 0)), 1],
  accept: () => [queued(), null, null],
  accept4: () => [queued(), null, null, 0],
  connect: () => {
    const l = listener();
    return [keep(socket(AF_INET, SOCK_STREAM, 0)), l.addr, sizeof(l.addr)];
  },
  shutdown: () => [pair()[0], SHUT_WR],
  // Closed by the call itself.
  close: () => [socket(AF_INET, SOCK_DGRAM, 0)],
  getsockname: () => [listener().fd, new sockaddr_in(), new socklen_t(sizeof(sockaddr_in))],
  getpeername: () => [pair()[0], new sockaddr_in(), new socklen_t(sizeof(sockaddr_in))],
  socketpair: () => [AF_UNIX, SOCK_STREAM, 0, new Int32Array(2)],
  fcntl: () => [keep(socket(AF_INET, SOCK_DGRAM, 0)), F_GETFL],
  dup: () => [keep(socket(AF_INET, SOCK_DGRAM, 0))],
  dup2: () => pair(),
  ioctl: () => [pair()[0], FIONREAD, new ptr(0)],
  send: () => [pair()[0], 'x', 1, 0],
  recv: () => [readable(), Buffer.alloc(4), 4, 0],
  read: () => [readable(), Buffer.alloc(4), 4],
  write: () => [pair()[0], 'x', 1],
  readv: () => [readable(), [iov(Buffer.alloc(4))], 1],
  writev: () => [pair()[0], [iov(Buffer.from('x'))], 1],
  sendto: () => [pair()[0], 'x', 1, 0, null, 0],
  recvfrom: () => [readable(), Buffer.alloc(4), 4, 0, null, null],
  sendmsg: () => [pair()[0], message(Buffer.from('x')), 0],
  recvmsg: () => [readable(), message(Buffer.alloc(4)), 0],
  setsockopt: () => [keep(socket(AF_INET, SOCK_STREAM, 0)), SOL_SOCKET, SO_REUSEADDR, 1, 4],
  getsockopt: () => [keep(socket(AF_INET, SOCK_STREAM, 0)), SOL_SOCKET, SO_TYPE, new ptr(0), new socklen_t(4)],
  // A connected socket has room to write: ready at once, in both APIs.
  poll: () => {
    const p = new pollfd();
    p.fd = pair()[0];
    p.events = POLLOUT;
    return [[p], 1, 0];
  },
  select: () => {
    const fd = pair()[0];
    const w = new fd_set();
    FD_SET(fd, w);
    return [fd + 1, null, w, null, null];
  },
  epoll_create1: () => [0],
  epoll_ctl: () => {
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = pair()[0];
    return [keep(epoll_create1!(0)), EPOLL_CTL_ADD, ev.data.fd, ev];
  },
  epoll_wait: () => [keep(epoll_create1!(0)), [new epoll_event()], 1, 0],
  getaddrinfo: () => ['127.0.0.1', '80', numericHints(), new ptr<addrinfo | null>(null)],
  getnameinfo: () => {
    const a = loopback4(80);
    return [a, sizeof(a), Buffer.alloc(NI_MAXHOST), NI_MAXHOST, Buffer.alloc(32), 32, NI_NUMERICHOST | NI_NUMERICSERV];
  },
  // /etc/hosts and /etc/services answer: no network.
  gethostbyname: () => ['localhost'],
  gethostbyaddr: () => [Buffer.from([127, 0, 0, 1]), 4, AF_INET],
  getservbyname: () => ['http', 'tcp'],
  getservbyport: () => [htons(80), 'tcp'],
};

// A netdb lookup returns a pointer: its line ends with the struct (`= {h_name=...}`), not a number.
function SUCCESS(name: string): string {
  const { status } = CALLS[name as CallName] as CallEntry;
  return status === 'h_errno' || status === 'null' ? ' = \\{' : ' = \\d+';
}

// The calls that return a new descriptor, which the suite closes (dup2's newfd is recorded again: it
// now names another socket).
const MAKES_FD = new Set(['socket', 'accept', 'accept4', 'dup', 'dup2', 'epoll_create1']);

type Api = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** Makes call `name` of `api` with its arguments, and records what it made. */
async function call(api: Api, name: string): Promise<void> {
  const args = ARGS[name]();
  const r = await api[name]!(...args);
  if (MAKES_FD.has(name)) keep(r as number);
  if (name === 'socketpair') (args[3] as Int32Array).forEach(keep);
}

/** A listening socket with one connection queued: what accept takes at once. */
function queued(): number {
  const l = listener();
  keep(connectTo(l.addr));
  return l.fd;
}

/** The server side of a connected pair, with one byte to read. */
function readable(): number {
  const [c, s] = pair();
  expect(send(c, 'x', 1, 0)).toBe(1);
  return s;
}

function connectTo(addr: sockaddr_in): number {
  const c = socket(AF_INET, SOCK_STREAM, 0);
  expect(connect(c, addr, sizeof(addr))).toBe(0);
  return c;
}

function message(buf: Buffer): msghdr {
  const msg = new msghdr();
  msg.msg_iov = [iov(buf)];
  msg.msg_iovlen = 1;
  return msg;
}

function numericHints(): addrinfo {
  const hints = new addrinfo();
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  return hints;
}

test('every traced call of the table has a case here, in each API that has it', () => {
  expect(traced.length).toBeGreaterThan(20);
  for (const [name, e] of traced) {
    expect([name, typeof ARGS[name]]).toEqual([name, 'function']);
    expect([name, typeof (P as unknown as Api)[name] === 'function']).toEqual([name, e.promises]);
  }
});

describe('bsdsock: each traced call writes its line', () => {
  test.each(traced.map(([name]) => name))('%s', async (name) => {
    if (name === 'accept4' && accept4 === undefined) return;
    const out = (await lines(() => call(S as unknown as Api, name))).filter((l) => l !== '');
    // The case's last call is the one under test (those before it make its fixture): it succeeds,
    // written whole, `name(...) = result`.
    expect(out[out.length - 1]).toMatch(new RegExp(`^${name}\\(.*\\)${SUCCESS(name)}`));
  });
});

describe('bsdsock/promises: each traced call writes its start and its resumed line', () => {
  test.each(traced.filter(([, e]) => e.promises).map(([name]) => name))('%s', async (name) => {
    if (name === 'accept4' && P.accept4 === undefined) return;
    const out = await lines(() => call(P as unknown as Api, name));
    if (name === 'close') {
      // The same close as the synchronous API's: one line.
      expect(out.filter((l) => /^close\(\d+\) = 0$/.test(l))).toHaveLength(1);
      return;
    }
    expect(out.filter((l) => l.startsWith(`${name}(`) && l.endsWith(' <unfinished ...>'))).toHaveLength(1);
    const done = new RegExp(SUCCESS(name));
    expect(out.filter((l) => l.startsWith(`<... ${name} resumed>`) && done.test(l))).toHaveLength(1);
  });
});

test('select is written as strace writes it: the sets as descriptor lists, what was ready, the time left', async () => {
  const out = await lines(() => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    const r = new fd_set();
    FD_SET(c, r);
    FD_SET(s, r);
    const t = new timeval();
    t.tv_sec = 5;
    expect(select(Math.max(c, s) + 1, r, null, null, t)).toBe(1);
    return [c, s];
  });
  const line = out.find((l) => l.startsWith('select('))!;
  expect(line).toMatch(
    /^select\((\d+), \[(\d+) (\d+)\], NULL, NULL, \{tv_sec=5, tv_usec=0\}\) = 1 \(in \[\d+\], left \{tv_sec=[45], tv_usec=\d+\}\)$/,
  );
});

test('getaddrinfo and getnameinfo are written as calls with their results, as ltrace would', async () => {
  const sync = await lines(() => call(S as unknown as Api, 'getaddrinfo'));
  expect(sync).toContain(
    'getaddrinfo("127.0.0.1", "80", {ai_flags=AI_NUMERICHOST, ai_family=AF_INET, ai_socktype=SOCK_STREAM, ' +
      'ai_protocol=IPPROTO_TCP, ai_addrlen=0, ai_addr=NULL, ai_canonname=NULL}, [{ai_flags=AI_NUMERICHOST, ' +
      'ai_family=AF_INET, ' +
      'ai_socktype=SOCK_STREAM, ai_protocol=IPPROTO_TCP, ai_addrlen=16, ai_addr={sa_family=AF_INET, ' +
      'sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, ai_canonname=NULL}]) = 0',
  );
  const name = await lines(() => call(S as unknown as Api, 'getnameinfo'));
  expect(name).toContain(
    'getnameinfo({sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16, "127.0.0.1", ' +
      '1025, "80", 32, NI_NUMERICHOST|NI_NUMERICSERV) = 0',
  );
  // A failure is the EAI_* status and its message, in both APIs.
  const failed = await lines(() => getaddrinfo('not an address', null, numericHints(), new ptr<addrinfo | null>(null)));
  expect(failed.find((l) => l.startsWith('getaddrinfo('))).toMatch(/\.\.\.\) = EAI_NONAME \(.+\)$/);
  const rejected = await lines(() =>
    P.getaddrinfo('not an address', null, numericHints(), new ptr<addrinfo | null>(null)).catch(() => undefined),
  );
  expect(rejected.find((l) => l.startsWith('<... getaddrinfo resumed>'))).toMatch(/\.\.\.\) = EAI_NONAME \(.+\)$/);
});

test('the netdb lookups are written as calls with the struct they returned, or NULL and h_errno', async () => {
  const host = await lines(() => call(S as unknown as Api, 'gethostbyname'));
  expect(host).toContain(
    'gethostbyname("localhost") = {h_name="localhost", h_aliases=[], h_addrtype=AF_INET, h_length=4, ' +
      'h_addr_list=[inet_addr("127.0.0.1")]}',
  );
  const addr = await lines(() => call(S as unknown as Api, 'gethostbyaddr'));
  expect(addr.find((l) => l.startsWith('gethostbyaddr('))).toMatch(
    /^gethostbyaddr\(inet_addr\("127\.0\.0\.1"\), 4, AF_INET\) = \{h_name="localhost", /,
  );
  const serv = await lines(() => call(S as unknown as Api, 'getservbyname'));
  expect(serv).toContain(
    'getservbyname("http", "tcp") = {s_name="http", s_aliases=["www"], s_port=htons(80), s_proto="tcp"}',
  );
  const port = await lines(() => call(S as unknown as Api, 'getservbyport'));
  expect(port.find((l) => l.startsWith('getservbyport('))).toMatch(/^getservbyport\(htons\(80\), "tcp"\) = \{/);
  // NULL, with the h_errno set and its message, in both APIs; a service has no h_errno.
  const failed = await lines(() => gethostbyname('bad name'));
  expect(failed).toContain('gethostbyname("bad name") = NULL HOST_NOT_FOUND (Unknown host)');
  const resolved = await lines(() => P.gethostbyname(''));
  expect(resolved).toContain('<... gethostbyname resumed>) = NULL NO_RECOVERY (Unknown server error)');
  const none = await lines(() => P.getservbyname('no-such-service', null));
  expect(none).toContain('<... getservbyname resumed>) = NULL');
});
