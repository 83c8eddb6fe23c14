// Faults and signals: EINTR, SIGPIPE, EMFILE, and a peer that disappears
// mid-transfer. Anything that changes process-wide state (a signal handler,
// the descriptor limit) runs in a child process.
//
// EINTR, investigated: `process.on('SIGUSR2', ...)` makes libuv install its
// handler with SA_RESTART (strace shows `rt_sigaction(SIGUSR2,
// {sa_handler=..., sa_flags=SA_RESTORER|SA_RESTART})`). So in a Node process a
// handled signal does not interrupt every blocking call: the kernel restarts
// accept() and recv(), as it does for a C program whose handler has
// SA_RESTART, except where signal(7) says a call is never restarted: poll(),
// and accept()/recv() on a socket with a receive timeout (SO_RCVTIMEO). Each
// case below runs the same call in a C program (sigaction with and without
// SA_RESTART) and in Node, interrupted the same way, and checks that the
// synchronous API returns what C returns with SA_RESTART.
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  AF_INET,
  CMSG_DATA,
  CMSG_FIRSTHDR,
  CMSG_LEN,
  CMSG_NXTHDR,
  CMSG_SPACE,
  ECONNRESET,
  INADDR_LOOPBACK,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SCM_RIGHTS,
  EPIPE,
  POLLIN,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  accept,
  cmsghdr,
  errno,
  errnoName,
  htonl,
  iovec,
  msghdr,
  onErrno,
  recv,
  send,
  setsockopt,
  sizeof,
  sockaddr_in,
  socket,
  timeval,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { compileCText } from './helpers/c';
import { Child, nodeChild } from './helpers/child';
import { expectArgumentError, expectSystemError, expectThrown, rejection } from './helpers/errors';
import { Fds } from './helpers/fds';
import { recvExactly } from './helpers/io';
import { portOf, waitReady } from './helpers/net';
import { waitFor } from './helpers/wait';
import { cc, describeNeeding, prlimit } from './helpers/tools';

jest.setTimeout(120000);

const fds = new Fds();
afterEach(() => fds.closeAll());

// ----------------------------------------------------------------- EINTR

// The system call numbers a thread blocked in each call shows in /proc/<pid>/syscall.
const SYSCALLS: Record<string, Record<string, number[]>> = {
  x64: { accept: [43, 288], recv: [45], poll: [7, 271] },
  arm64: { accept: [202, 242], recv: [207], poll: [73] },
};
const syscalls = SYSCALLS[process.arch];

function blockedIn(pid: number, call: string): boolean {
  try {
    const nr = Number(readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0]);
    return syscalls[call].includes(nr);
  } catch {
    return false;
  }
}

// True once no SIGUSR2 is pending for the process or its main thread.
function usr2Delivered(pid: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = (name: string): bigint =>
    BigInt('0x' + (new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0'));
  const bit = 1n << 11n; // signal 12 (SIGUSR2) is bit 11
  return (mask('SigPnd') & bit) === 0n && (mask('ShdPnd') & bit) === 0n;
}

const C_EINTR = `
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

static volatile sig_atomic_t handled = 0;
static void on_signal(int s) { (void)s; handled++; }

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  const char *call = argv[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = strcmp(argv[2], "restart") == 0 ? SA_RESTART : 0;
  sigaction(SIGUSR2, &sa, NULL);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &n)) return 3;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return 3;
  if (strcmp(argv[3], "timeout") == 0) {
    struct timeval tv = {600, 0};
    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  printf("ready %d\\n", ntohs(a.sin_port));
  fflush(stdout);
  int r;
  if (strcmp(call, "accept") == 0) {
    r = accept(l, NULL, NULL);
  } else if (strcmp(call, "recv") == 0) {
    char b[16];
    r = (int)recv(sv[0], b, sizeof b, 0);
  } else {
    struct pollfd p = {sv[0], POLLIN, 0};
    r = poll(&p, 1, -1);
  }
  int e = errno;
  printf("result %d %d %d\\n", r, r < 0 ? e : 0, (int)handled);
  return 0;
}
`;

// The same program with bsdsock. Node installs the handler (with SA_RESTART).
const NODE_EINTR = `
  const [call, timeout] = process.argv.slice(1);
  let handled = 0;
  process.on('SIGUSR2', () => handled++);
  const l = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
  const a = new S.sockaddr_in();
  a.sin_family = S.AF_INET;
  a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
  if (S.bind(l, a, S.sizeof(a)) || S.listen(l, 1) || S.getsockname(l, a, new S.socklen_t(S.sizeof(a)))) process.exit(3);
  const sv = [0, 0];
  if (S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, sv)) process.exit(3);
  if (timeout === 'timeout') {
    const tv = new S.timeval();
    tv.tv_sec = 600;
    S.setsockopt(l, S.SOL_SOCKET, S.SO_RCVTIMEO, tv, S.sizeof(tv));
    S.setsockopt(sv[0], S.SOL_SOCKET, S.SO_RCVTIMEO, tv, S.sizeof(tv));
  }
  out('ready ' + S.ntohs(a.sin_port));
  let r;
  if (call === 'accept') r = S.accept(l, null, null);
  else if (call === 'recv') r = S.recv(sv[0], Buffer.alloc(16), 16, 0);
  else {
    const p = new S.pollfd();
    p.fd = sv[0];
    p.events = S.POLLIN;
    r = S.poll([p], 1, -1);
  }
  const e = r < 0 ? S.errno : 0;
  // The JavaScript handler runs once the event loop reads libuv's signal pipe.
  const report = () => (handled > 0 ? out('result ' + r + ' ' + e + ' ' + handled) : setTimeout(report, 5));
  report();
`;

interface Interrupted {
  r: number;
  errno: string | undefined;
  handled: number;
}

/**
 * Starts `child` (which prints "ready <port>" and then blocks in `call`),
 * sends SIGUSR2 once its main thread is blocked there, and, for a call the
 * kernel restarts, connects to the port once the signal was delivered and the
 * thread is back in the call.
 */
async function interrupt(child: Child, call: string, restarts: boolean): Promise<Interrupted> {
  try {
    const port = Number((await child.line('ready ')).split(' ')[1]);
    await waitFor(() => blockedIn(child.pid, call), `the child to block in ${call}`, 60000);
    process.kill(child.pid, 'SIGUSR2');
    let client: net.Socket | undefined;
    if (restarts) {
      await waitFor(() => usr2Delivered(child.pid) && blockedIn(child.pid, call), 'SIGUSR2 to be delivered', 60000);
      client = net.connect(port, '127.0.0.1');
      client.on('error', () => undefined);
    }
    const [, r, e, handled] = (await child.line('result ')).split(' ').map(Number);
    client?.destroy();
    return { r, errno: r < 0 ? errnoName(e) : undefined, handled };
  } finally {
    await child.kill();
  }
}

// It needs this architecture's system call numbers (above) and a C compiler (see helpers/tools.ts).
const describeEintr = syscalls === undefined ? describe.skip : describeNeeding(cc());

describeEintr('EINTR: a blocking call and a signal the process handles', () => {
  let cProgram: string;

  beforeAll(() => {
    cProgram = compileCText('eintr', C_EINTR, []);
  });

  const inC = (call: string, flags: 'restart' | 'norestart', timeout: 'timeout' | 'none', restarts: boolean) =>
    interrupt(Child.spawn(cProgram, [call, flags, timeout]), call, restarts);
  // Node's -e script reads its arguments from process.argv.
  const nodeEintr = (call: string, timeout: 'timeout' | 'none', restarts: boolean): Promise<Interrupted> =>
    interrupt(nodeChild(NODE_EINTR, { args: [call, timeout], promises: false }), call, restarts);

  test('C without SA_RESTART: accept() fails with EINTR (the baseline)', async () => {
    expect(await inC('accept', 'norestart', 'none', false)).toEqual({ r: -1, errno: 'EINTR', handled: 1 });
  });

  test('accept() with no timeout is restarted, as in C with SA_RESTART, and returns the connection', async () => {
    const c = await inC('accept', 'restart', 'none', true);
    expect(c.r).toBeGreaterThanOrEqual(0);
    expect(c.handled).toBe(1);
    const node = await nodeEintr('accept', 'none', true);
    expect(node.r).toBeGreaterThanOrEqual(0);
    expect(node).toEqual({ ...c, r: node.r });
  });

  test.each([
    ['accept', 'timeout'],
    ['recv', 'timeout'],
    ['poll', 'none'],
  ] as const)(
    '%s() (SO_RCVTIMEO: %s) is never restarted: -1 with errno EINTR, as in C with SA_RESTART',
    async (call, timeout) => {
      const c = await inC(call, 'restart', timeout, false);
      expect(c).toEqual({ r: -1, errno: 'EINTR', handled: 1 });
      expect(await nodeEintr(call, timeout, false)).toEqual(c);
    },
  );
});

// ----------------------------------------------------------------- SIGPIPE

describe('SIGPIPE: sending to a peer that is gone', () => {
  // A connected TCP pair whose server end is closed with SO_LINGER {1, 0}: an RST.
  function resetPair(): number {
    const [client, server] = fds.tcpPair();
    fds.reset(server);
    // Wait for the RST to reach the client: it becomes readable.
    waitReady(client, POLLIN, 60000);
    return client;
  }

  test('sync send() on a closed Unix stream returns -1/EPIPE and the process lives', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(fds.close(b)).toBe(0);
    expect(send(a, 'hello', 5, 0)).toBe(-1);
    expect(errno).toBe(EPIPE);
    // Still here: a second send meets the same.
    expect(send(a, 'again', 5, 0)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  test('sync send() to a TCP peer that reset returns -1 (ECONNRESET, then EPIPE)', async () => {
    const client = resetPair();
    expect(send(client, 'hello', 5, 0)).toBe(-1);
    expect(errno).toBe(ECONNRESET);
    expect(send(client, 'hello', 5, 0)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  test('promises send() to a reset peer rejects, and the process lives', async () => {
    const client = resetPair();
    expectSystemError(await rejection(P.send(client, 'hello', 5, 0)), 'send', ECONNRESET);
    expectSystemError(await rejection(P.send(client, 'hello', 5, 0)), 'send', EPIPE);
    const [a, b] = fds.unixPair(SOCK_STREAM | SOCK_NONBLOCK);
    expect(fds.close(b)).toBe(0);
    expectSystemError(await rejection(P.send(a, 'hello', 5, 0)), 'send', EPIPE);
  });
});

// ----------------------------------------------------------------- EMFILE

const describeEmfile = describeNeeding(prlimit());

describeEmfile('EMFILE: the descriptor limit', () => {
  test('socket() and accept() fail cleanly at the limit, work again once descriptors are freed, and leak nothing', async () => {
    const child = nodeChild(
      `
      (async () => {
        const count = () => fs.readdirSync('/proc/self/fd').length;
        const before = count();
        // A pending connection first, for accept() to meet the limit with.
        const l = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
        const a = new S.sockaddr_in();
        a.sin_family = S.AF_INET;
        a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
        S.bind(l, a, S.sizeof(a));
        S.listen(l, 4);
        S.getsockname(l, a, new S.socklen_t(S.sizeof(a)));
        const c = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
        S.connect(c, a, S.sizeof(a));
        const fds = [];
        let r;
        while ((r = S.socket(S.AF_INET, S.SOCK_STREAM, 0)) >= 0) fds.push(r);
        const result = { opened: fds.length, socketErrno: S.errnoName(S.errno) };
        S.setErrno(0);
        result.acceptSync = [S.accept(l, null, null), S.errnoName(S.errno)];
        result.acceptAsync = await P.accept(l, null, null).then((fd) => ['resolved', fd], (e) => ['rejected', e.code]);
        // Free three: exactly three sockets can be made, then the limit again.
        for (const fd of fds.splice(0, 3)) S.close(fd);
        const again = [];
        for (let i = 0; i < 4; i++) again.push(S.socket(S.AF_INET, S.SOCK_STREAM, 0));
        result.again = again.map((fd) => (fd >= 0 ? 'fd' : -1));
        result.againErrno = S.errnoName(S.errno);
        for (const fd of again) if (fd >= 0) S.close(fd);
        // Now the pending connection can be accepted.
        const accepted = await P.accept(l, null, null);
        result.acceptedAfter = accepted >= 0;
        for (const fd of [...fds, accepted, c, l]) S.close(fd);
        result.handles = P.engineStats().handles;
        result.leaked = count() - before;
        out('result ' + JSON.stringify(result));
      })();`,
      { prefix: ['prlimit', '--nofile=64:64'] },
    );
    try {
      const result = JSON.parse((await child.line('result ')).slice(7)) as Record<string, unknown>;
      expect(result).toEqual({
        opened: expect.any(Number),
        socketErrno: 'EMFILE',
        acceptSync: [-1, 'EMFILE'],
        acceptAsync: ['rejected', 'EMFILE'],
        again: ['fd', 'fd', 'fd', -1],
        againErrno: 'EMFILE',
        acceptedAfter: true,
        handles: 0,
        leaked: 0,
      });
      expect(result.opened).toBeGreaterThan(10);
    } finally {
      await child.kill();
    }
  });
});

// ----------------------------------------------------------------- a peer that disappears

describe('a peer that disappears mid-transfer', () => {
  const children: Child[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill();
  });

  /** A child running plain node:net code that connects to 127.0.0.1:port; killed after the test if still alive. */
  function netChild(port: number, code: string): Child {
    const child = Child.spawn(process.execPath, [
      '-e',
      `const s = require('net').connect(${port}, '127.0.0.1', () => { ${code} }); setInterval(() => {}, 1000);`,
    ]);
    children.push(child);
    return child;
  }

  // A child (plain node:net) connects, writes 1000 bytes, then waits to be
  // killed; with `unread`, it is also sent data that it never reads.
  async function peer(unread: boolean): Promise<{ fd: number; child: Child }> {
    const listener = fds.listener();
    const child = netChild(
      portOf(listener.addr),
      `s.pause(); s.write(Buffer.alloc(1000, 7), () => require('fs').writeSync(1, 'written\\n'));`,
    );
    const fd = fds.add(await P.accept(listener.fd, null, null));
    await child.line('written');
    if (unread) expect(send(fd, 'never read', 10, 0)).toBe(10);
    return { fd, child };
  }

  /** Receives the peer's 1000 bytes of 7. */
  async function drain(fd: number): Promise<void> {
    expect((await recvExactly(fd, 1000)).every((b) => b === 7)).toBe(true);
  }

  test('killed after its data: recv() returns the data, then 0 (EOF), in both APIs', async () => {
    const { fd, child } = await peer(false);
    await child.kill();
    await drain(fd);
    expect(await P.recv(fd, Buffer.alloc(16), 16, 0)).toBe(0);
    expect(recv(fd, Buffer.alloc(16), 16, 0)).toBe(0);
  });

  test('killed with data it never read (an RST): recv() fails with ECONNRESET, then returns 0', async () => {
    const { fd, child } = await peer(true);
    await child.kill();
    await drain(fd);
    expectSystemError(await rejection(P.recv(fd, Buffer.alloc(16), 16, 0)), 'recv', ECONNRESET);
    expect(recv(fd, Buffer.alloc(16), 16, 0)).toBe(0);
    expect(send(fd, 'x', 1, 0)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  // The peer is killed by a Worker thread of this process, only once it sees this (main) thread
  // blocked in recv on fd in /proc/<pid>/task/<pid>/syscall: the recv is waiting when the peer dies.
  const KILL_WHEN_BLOCKED = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const { pid, fd, victim, numbers, shared, limitMs } = workerData;
    const outcome = new Int32Array(shared);
    const blocked = () => {
      try {
        const [nr, arg0] = fs.readFileSync('/proc/' + pid + '/task/' + pid + '/syscall', 'utf8').split(' ');
        return numbers.includes(Number(nr)) && Number(arg0) === fd;
      } catch {
        return false;
      }
    };
    parentPort.postMessage('watching');
    const deadline = Date.now() + limitMs;
    let seen = false;
    while (!(seen = blocked()) && Date.now() < deadline) Atomics.wait(outcome, 1, 0, 5);
    // outcome[0] says whether the recv was seen waiting, and is set before the kill that ends the
    // recv; the peer is killed either way, so that the recv returns.
    Atomics.store(outcome, 0, seen ? 1 : 2);
    process.kill(victim, 'SIGKILL');`;

  (syscalls === undefined ? test.skip : test)(
    'a blocking sync recv() waiting when the peer dies returns 0',
    async () => {
      const listener = fds.listener();
      const child = netChild(portOf(listener.addr), `require('fs').writeSync(1, 'connected\\n');`);
      await child.line('connected');
      const fd = fds.add(accept(listener.fd, null, null)); // blocking, as C's accept leaves it
      // A safety net: were the peer never killed, the recv gives up (-1 EAGAIN) instead of hanging the suite.
      const limit = new timeval();
      limit.tv_sec = 60;
      expect(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, limit, sizeof(limit))).toBe(0);
      const shared = new SharedArrayBuffer(8);
      const killer = new Worker(KILL_WHEN_BLOCKED, {
        eval: true,
        workerData: { pid: process.pid, fd, victim: child.pid, numbers: syscalls.recv, shared, limitMs: 30000 },
      });
      try {
        await new Promise((resolve, reject) => {
          killer.once('message', resolve);
          killer.once('error', reject);
        });
        expect(recv(fd, Buffer.alloc(16), 16, 0)).toBe(0);
        expect(new Int32Array(shared)[0]).toBe(1); // the peer died while the recv waited
        expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
      } finally {
        await killer.terminate();
      }
    },
  );
});

// ----------------------------------------------------------------- found by the fuzzer

describe('bugs the fuzzer found (each crashed the process or threw uncoded errors)', () => {
  const pair = (): [number, number] => fds.unixPair(SOCK_STREAM | SOCK_NONBLOCK);
  const detach = (buffer: ArrayBuffer): void => void structuredClone(buffer, { transfer: [buffer] });

  test('a buffer detached while a promises recv() waits: the recv rejects, the process lives', async () => {
    const [a, b] = pair();
    const buf = new Uint8Array(new ArrayBuffer(16));
    const pending = P.recv(a, buf, 16, 0);
    detach(buf.buffer);
    expect(send(b, 'wake', 4, 0)).toBe(4);
    expectArgumentError(await rejection(pending), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'recv',
      param: 'buf',
    });
    // The engine goes on: the next recv gets the data.
    const next = Buffer.alloc(16);
    expect(await P.recv(a, next, 16, 0)).toBe(4);
    expect(next.subarray(0, 4).toString()).toBe('wake');
  });

  test('a buffer shrunk while a promises recv() waits: the recv rejects with ERR_OUT_OF_RANGE', async () => {
    const [a, b] = pair();
    // Resizable ArrayBuffers (Node 20) are newer than the ES2022 typings.
    const Resizable = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer & { resize(length: number): void };
    const backing = new Resizable(16, { maxByteLength: 16 });
    const buf = new Uint8Array(backing);
    const pending = P.recv(a, buf, 16, 0);
    backing.resize(4);
    expect(send(b, 'wake', 4, 0)).toBe(4);
    expectArgumentError(await rejection(pending), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'recv',
      param: 'len',
    });
  });

  test('the host buffer of a pending getnameinfo() detached: it rejects, nothing is written', async () => {
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const host = new Uint8Array(new ArrayBuffer(64));
    const pending = P.getnameinfo(addr, sizeof(addr), host, 64, null, 0, NI_NUMERICHOST | NI_NUMERICSERV);
    detach(host.buffer);
    expectArgumentError(await rejection(pending), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'getnameinfo',
      param: 'host',
    });
  });

  test('promises sendmsg()/recvmsg() check msg_iov as the synchronous calls do', async () => {
    const [a] = pair();
    const msg = new msghdr();
    msg.msg_iov = [null as unknown as iovec];
    msg.msg_iovlen = 1;
    const expected = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', param: 'msg.msg_iov[0]' } as const;
    expectThrown(() => P.sendmsg(a, msg, 0), { ...expected, fn: 'sendmsg' });
    expectThrown(() => P.recvmsg(a, msg, 0), { ...expected, fn: 'recvmsg' });
  });

  test('promises send() does not coerce len: a BigInt or an object with valueOf throws', () => {
    const [a] = pair();
    for (const len of [4n, { valueOf: () => 4 }]) {
      expectThrown(() => P.send(a, 'data', len as unknown as number, 0), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        fn: 'send',
        param: 'len',
      });
    }
  });

  test('onErrno() refuses a non-function (it would break every later failing call)', () => {
    expectThrown(() => onErrno(5 as unknown as (v: number) => void), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'onErrno',
      param: 'listener',
    });
    expect(socket(-1, SOCK_STREAM, 0)).toBe(-1);
  });

  test('CMSG_FIRSTHDR/CMSG_NXTHDR walk a control buffer that starts at an odd address', () => {
    // UBSan flagged the C macros reading cmsg_len through a misaligned pointer.
    const space = CMSG_SPACE(4);
    const backing = Buffer.alloc(2 * space + 1);
    const control = backing.subarray(1);
    const msg = new msghdr();
    msg.msg_control = control;
    msg.msg_controllen = 2 * space;
    for (let k = 0; k < 2; k++) {
      const h = new cmsghdr(control.subarray(k * space));
      h.cmsg_len = CMSG_LEN(4);
      h.cmsg_level = SOL_SOCKET;
      h.cmsg_type = SCM_RIGHTS;
      control.writeInt32LE(100 + k, k * space + CMSG_LEN(0));
    }
    const first = CMSG_FIRSTHDR(msg)!;
    expect(first).not.toBeNull();
    expect(CMSG_DATA(first).readInt32LE(0)).toBe(100);
    const second = CMSG_NXTHDR(msg, first)!;
    expect(second).not.toBeNull();
    expect(CMSG_DATA(second).readInt32LE(0)).toBe(101);
    expect(CMSG_NXTHDR(msg, second)).toBeNull();
  });

  test('CMSG_FIRSTHDR/CMSG_NXTHDR refuse a msg_control that is not a Buffer with a coded TypeError', () => {
    const msg = new msghdr();
    msg.msg_control = new DataView(new ArrayBuffer(32)) as unknown as Buffer;
    msg.msg_controllen = 32;
    const coded = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' } as const;
    expectThrown(() => CMSG_FIRSTHDR(msg), { ...coded, fn: 'CMSG_FIRSTHDR', param: 'msg.msg_control' });
    msg.msg_control = undefined as unknown as Buffer;
    // With no control buffer, no cmsghdr can be one of msg's: the refusal names cmsg.
    expectThrown(() => CMSG_NXTHDR(msg, new cmsghdr()), { ...coded, fn: 'CMSG_NXTHDR', param: 'cmsg' });
  });
});
