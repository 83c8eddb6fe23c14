// Every traced call of the table (lib/calls.ts), in each API that has it, writes its line: one real
// call of each on loopback, traced into an array. The list of calls comes from the table, so a call
// added there without a case here fails the first test.
import {
  EPOLLIN,
  EPOLL_CTL_ADD,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  FD_SET,
  FIONREAD,
  dup,
  dup2,
  ioctl,
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
  accept,
  accept4,
  addrinfo,
  bind,
  close,
  connect,
  fcntl,
  getaddrinfo,
  getnameinfo,
  getpeername,
  getsockname,
  getsockopt,
  listen,
  msghdr,
  poll,
  pollfd,
  ptr,
  read,
  readv,
  writev,
  recv,
  recvfrom,
  recvmsg,
  send,
  sendmsg,
  sendto,
  setsockopt,
  shutdown,
  sizeof,
  sockaddr_in,
  socket,
  socketpair,
  socklen_t,
  trace,
  write,
} from 'bsdsock';
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

// One call of each, in the synchronous API.
const SYNC: Readonly<Record<string, () => unknown>> = {
  socket: () => keep(socket(AF_INET, SOCK_DGRAM, 0)),
  bind: () => {
    const fd = keep(socket(AF_INET, SOCK_DGRAM, 0));
    const a = loopback4();
    return bind(fd, a, sizeof(a));
  },
  listen: () => listen(keep(socket(AF_INET, SOCK_STREAM, 0)), 1),
  accept: () => {
    const l = listener();
    keep(connectTo(l.addr));
    return keep(accept(l.fd, null, null));
  },
  accept4: () => {
    const l = listener();
    keep(connectTo(l.addr));
    return keep(accept4!(l.fd, null, null, 0));
  },
  connect: () => keep(connectTo(listener().addr)),
  shutdown: () => shutdown(pair()[0], SHUT_WR),
  close: () => close(socket(AF_INET, SOCK_DGRAM, 0)),
  getsockname: () => {
    const a = new sockaddr_in();
    return getsockname(listener().fd, a, new socklen_t(sizeof(a)));
  },
  getpeername: () => {
    const a = new sockaddr_in();
    return getpeername(pair()[0], a, new socklen_t(sizeof(a)));
  },
  socketpair: () => {
    const sv = new Int32Array(2);
    expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
    sv.forEach(keep);
  },
  fcntl: () => fcntl(keep(socket(AF_INET, SOCK_DGRAM, 0)), F_GETFL),
  dup: () => keep(dup(keep(socket(AF_INET, SOCK_DGRAM, 0)))),
  dup2: () => {
    const [a, b] = pair();
    // b now names a's socket: recorded again, so that closeAll still closes it.
    return keep(dup2(a, b));
  },
  ioctl: () => ioctl(pair()[0], FIONREAD, new ptr(0)),
  send: () => send(pair()[0], 'x', 1, 0),
  recv: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return recv(s, Buffer.alloc(4), 4, 0);
  },
  read: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return read(s, Buffer.alloc(4), 4);
  },
  write: () => write(pair()[0], 'x', 1),
  readv: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return readv(s, [iov(Buffer.alloc(4))], 1);
  },
  writev: () => writev(pair()[0], [iov(Buffer.from('x'))], 1),
  sendto: () => sendto(pair()[0], 'x', 1, 0, null, 0),
  recvfrom: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return recvfrom(s, Buffer.alloc(4), 4, 0, null, null);
  },
  sendmsg: () => sendmsg(pair()[0], message(Buffer.from('x')), 0),
  recvmsg: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return recvmsg(s, message(Buffer.alloc(4)), 0);
  },
  setsockopt: () => setsockopt(keep(socket(AF_INET, SOCK_STREAM, 0)), SOL_SOCKET, SO_REUSEADDR, 1, 4),
  getsockopt: () =>
    getsockopt(keep(socket(AF_INET, SOCK_STREAM, 0)), SOL_SOCKET, SO_TYPE, new ptr(0), new socklen_t(4)),
  poll: () => {
    const p = new pollfd();
    p.fd = pair()[0];
    p.events = POLLOUT;
    return poll([p], 1, 0);
  },
  select: () => {
    const fd = pair()[0];
    const w = new fd_set();
    FD_SET(fd, w);
    return select(fd + 1, null, w, null, null);
  },
  epoll_create1: () => keep(epoll_create1!(0)),
  epoll_ctl: () => {
    const ev = new epoll_event();
    ev.events = EPOLLIN!;
    const fd = pair()[0];
    ev.data.fd = fd;
    return epoll_ctl!(keep(epoll_create1!(0)), EPOLL_CTL_ADD, fd, ev);
  },
  epoll_wait: () => epoll_wait!(keep(epoll_create1!(0)), [new epoll_event()], 1, 0),
  getaddrinfo: () => getaddrinfo('127.0.0.1', '80', numericHints(), new ptr<addrinfo | null>(null)),
  getnameinfo: () => {
    const a = loopback4(80);
    return getnameinfo(
      a,
      sizeof(a),
      Buffer.alloc(NI_MAXHOST),
      NI_MAXHOST,
      Buffer.alloc(32),
      32,
      NI_NUMERICHOST | NI_NUMERICSERV,
    );
  },
};

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

// One call of each, in bsdsock/promises.
const ASYNC: Readonly<Record<string, () => Promise<unknown>>> = {
  accept: async () => {
    const l = listener();
    keep(connectTo(l.addr));
    return keep(await P.accept(l.fd, null, null));
  },
  accept4: async () => {
    const l = listener();
    keep(connectTo(l.addr));
    return keep(await P.accept4!(l.fd, null, null, 0));
  },
  connect: async () => {
    const l = listener();
    return P.connect(keep(socket(AF_INET, SOCK_STREAM, 0)), l.addr, sizeof(l.addr));
  },
  close: () => Promise.resolve(P.close(socket(AF_INET, SOCK_DGRAM, 0))),
  send: () => P.send(pair()[0], 'x', 1, 0),
  recv: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return P.recv(s, Buffer.alloc(4), 4, 0);
  },
  read: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return P.read(s, Buffer.alloc(4), 4);
  },
  write: () => P.write(pair()[0], 'x', 1),
  readv: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return P.readv(s, [iov(Buffer.alloc(4))], 1);
  },
  writev: () => P.writev(pair()[0], [iov(Buffer.from('x'))], 1),
  sendto: () => P.sendto(pair()[0], 'x', 1, 0, null, 0),
  recvfrom: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return P.recvfrom(s, Buffer.alloc(4), 4, 0, null, null);
  },
  sendmsg: () => P.sendmsg(pair()[0], message(Buffer.from('x')), 0),
  recvmsg: () => {
    const [c, s] = pair();
    send(c, 'x', 1, 0);
    return P.recvmsg(s, message(Buffer.alloc(4)), 0);
  },
  poll: () => {
    const p = new pollfd();
    p.fd = pair()[0];
    p.events = POLLOUT;
    return P.poll([p], 1, 1000);
  },
  select: () => {
    const fd = pair()[0];
    const w = new fd_set();
    FD_SET(fd, w);
    return P.select(fd + 1, null, w, null, null);
  },
  epoll_wait: () => P.epoll_wait!(keep(epoll_create1!(0)), [new epoll_event()], 1, 0),
  getaddrinfo: () => P.getaddrinfo('127.0.0.1', '80', numericHints(), new ptr<addrinfo | null>(null)),
  getnameinfo: () => {
    const a = loopback4(80);
    return P.getnameinfo(
      a,
      sizeof(a),
      Buffer.alloc(NI_MAXHOST),
      NI_MAXHOST,
      Buffer.alloc(32),
      32,
      NI_NUMERICHOST | NI_NUMERICSERV,
    );
  },
};

test('every traced call of the table has a case here, in each API that has it', () => {
  expect(traced.length).toBeGreaterThan(20);
  for (const [name, e] of traced) {
    expect([name, typeof SYNC[name]]).toEqual([name, 'function']);
    expect([name, typeof ASYNC[name]]).toEqual([name, e.promises ? 'function' : 'undefined']);
  }
});

describe('bsdsock: each traced call writes its line', () => {
  test.each(traced.map(([name]) => name))('%s', async (name) => {
    if (name === 'accept4' && accept4 === undefined) return;
    const out = (await lines(SYNC[name])).filter((l) => l !== '');
    // The case's last call is the one under test (those before it make its fixture): it succeeds,
    // written whole, `name(...) = result`.
    expect(out[out.length - 1]).toMatch(new RegExp(`^${name}\\(.*\\) = \\d+`));
  });
});

describe('bsdsock/promises: each traced call writes its start and its resumed line', () => {
  test.each(traced.filter(([, e]) => e.promises).map(([name]) => name))('%s', async (name) => {
    if (name === 'accept4' && P.accept4 === undefined) return;
    const out = await lines(ASYNC[name]);
    if (name === 'close') {
      // The same close as the synchronous API's: one line.
      expect(out.filter((l) => /^close\(\d+\) = 0$/.test(l))).toHaveLength(1);
      return;
    }
    expect(out.filter((l) => l.startsWith(`${name}(`) && l.endsWith(' <unfinished ...>'))).toHaveLength(1);
    expect(out.filter((l) => l.startsWith(`<... ${name} resumed>`) && / = \d+/.test(l))).toHaveLength(1);
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
  const sync = await lines(SYNC.getaddrinfo);
  expect(sync).toContain(
    'getaddrinfo("127.0.0.1", "80", {ai_flags=AI_NUMERICHOST, ai_family=AF_INET, ai_socktype=SOCK_STREAM, ' +
      'ai_protocol=IPPROTO_TCP, ai_addrlen=0, ai_addr=NULL, ai_canonname=NULL}, [{ai_flags=AI_NUMERICHOST, ' +
      'ai_family=AF_INET, ' +
      'ai_socktype=SOCK_STREAM, ai_protocol=IPPROTO_TCP, ai_addrlen=16, ai_addr={sa_family=AF_INET, ' +
      'sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, ai_canonname=NULL}]) = 0',
  );
  const name = await lines(SYNC.getnameinfo);
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
