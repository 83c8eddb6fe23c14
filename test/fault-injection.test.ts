// Fault injection (faults() and BSDSOCK_FAULTS): injected errors and short counts seen by C-style loops
// in the synchronous API, and by the promises engine's own EINTR retry, EAGAIN wait and partial-send
// loop. Every rule is cleared after each test, so a failing test cannot leak faults into the next.
import {
  AF_INET,
  EAGAIN,
  ECONNABORTED,
  ECONNRESET,
  EINTR,
  EISCONN,
  MSG_DONTWAIT,
  MSG_WAITALL,
  SOCK_DGRAM,
  SOCK_STREAM,
  accept,
  connect,
  errno,
  faultCounts,
  faults,
  getpeername,
  read,
  recv,
  send,
  setErrno,
  trace,
  sizeof,
  sockaddr_in,
  socklen_t,
  write,
  type FaultRule,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { takeInjected } from '../lib/faults';
import { native } from '../lib/native';
import { runNodeOk } from './helpers/child';
import { type Expected, expectSystemError, expectThrown, rejection } from './helpers/errors';
import { Fds } from './helpers/fds';
import { recvExactly } from './helpers/io';
import { track } from './helpers/wait';

const fds = new Fds();
afterEach(() => {
  faults(null);
  fds.closeAll();
});

/** A recognisable byte pattern, so that a lost, repeated or reordered byte shows. */
function pattern(size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >>> 8)) & 0xff;
  return data;
}

/** A C-style send-all loop: send until every byte is written, retrying EINTR. Returns each send's result. */
function sendAll(fd: number, data: Buffer): number[] {
  const results: number[] = [];
  let sent = 0;
  while (sent < data.length) {
    const r = send(fd, data.subarray(sent), data.length - sent, 0);
    results.push(r);
    if (r < 0) {
      if (errno === EINTR) continue;
      throw new Error(`send failed: errno ${errno}`);
    }
    sent += r;
  }
  return results;
}

describe('synchronous API', () => {
  test('recv with EINTR every 2nd call returns -1/EINTR exactly on those calls; a retry loop still gets all data', () => {
    const [a, b] = fds.tcpPair();
    const data = pattern(64);
    expect(send(a, data, data.length, 0)).toBe(64);
    faults([{ call: 'recv', errno: 'EINTR', every: 2 }]);

    const got: Buffer[] = [];
    const calls: [number, number, string | null][] = [];
    let total = 0;
    while (total < data.length) {
      setErrno(0);
      const buf = Buffer.alloc(8);
      const r = recv(b, buf, buf.length, 0);
      calls.push([r, r < 0 ? errno : 0, takeInjected()]);
      if (r < 0) {
        if (errno === EINTR) continue; // as a C program must
        throw new Error(`recv failed: errno ${errno}`);
      }
      got.push(buf.subarray(0, r));
      total += r;
    }
    expect(Buffer.concat(got)).toEqual(data);
    calls.forEach(([r, e, injected], k) => {
      if ((k + 1) % 2 === 0) expect([r, e, injected]).toEqual([-1, EINTR, 'injected EINTR']);
      else expect([r > 0, e, injected]).toEqual([true, 0, null]);
    });
    expect(faultCounts()).toEqual([calls.filter(([r]) => r < 0).length]);
    expect(faultCounts()[0]).toBeGreaterThan(0);
  });

  test('send with short=1 writes one byte per call; a C send-all loop still delivers everything', () => {
    const [a, b] = fds.tcpPair();
    const data = pattern(100);
    faults([{ call: 'send', short: 1 }]);
    const results = sendAll(a, data);
    expect(results).toEqual(new Array<number>(100).fill(1));
    // The last call asked for 1 byte: there was nothing to cut, so nothing was injected.
    expect(faultCounts()).toEqual([99]);
    faults(null);
    const got = Buffer.alloc(100);
    expect(recv(b, got, got.length, MSG_WAITALL)).toBe(100);
    expect(got).toEqual(data);
  });

  test('recv with short=10 returns 10 of the 64 waiting bytes, and the tracer hook says so', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const data = pattern(64);
    expect(send(a, data, 64, 0)).toBe(64);
    faults('recv:short=10');
    const buf = Buffer.alloc(64);
    expect(recv(b, buf, 64, 0)).toBe(10);
    expect(takeInjected('recv')).toBe('injected short count (len 64 cut to 10)');
    expect(takeInjected()).toBeNull();
    expect(buf.subarray(0, 10)).toEqual(data.subarray(0, 10));
    // A fault left over from another call is not reported for this one, but is cleared all the same.
    expect(recv(b, buf, 20, 0)).toBe(10);
    expect(takeInjected('socket')).toBeNull();
    expect(takeInjected()).toBeNull();
    expect(buf.subarray(0, 10)).toEqual(data.subarray(10, 20));
    faults(null);
    expect(recv(b, buf, 64, 0)).toBe(44);
    expect(buf.subarray(0, 44)).toEqual(data.subarray(20));
  });

  test('short counts leave datagram sockets alone (a datagram is never cut)', () => {
    const [a, b] = fds.unixPair(SOCK_DGRAM);
    faults([
      { call: 'send', short: 1 },
      { call: 'recv', short: 1 },
    ]);
    const data = pattern(100);
    expect(send(a, data, 100, 0)).toBe(100);
    const buf = Buffer.alloc(200);
    expect(recv(b, buf, 200, 0)).toBe(100);
    expect(buf.subarray(0, 100)).toEqual(data);
    expect(faultCounts()).toEqual([0, 0]);
  });

  test('fd limits a rule to one descriptor', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const [c, d] = fds.unixPair(SOCK_STREAM);
    faults([{ call: 'recv', errno: 'ECONNRESET', fd: b }]);
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(send(c, 'y', 1, 0)).toBe(1);
    const buf = Buffer.alloc(4);
    expect(recv(d, buf, 4, 0)).toBe(1);
    setErrno(0);
    expect(recv(b, buf, 4, 0)).toBe(-1);
    expect(errno).toBe(ECONNRESET);
    expect(faultCounts()).toEqual([1]);
  });

  test('times caps the faults: the first two calls fail, the rest run', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, pattern(10), 10, 0)).toBe(10);
    faults([{ call: 'recv', errno: 'EAGAIN', times: 2 }]);
    const buf = Buffer.alloc(1);
    const results = Array.from({ length: 5 }, () => recv(b, buf, 1, MSG_DONTWAIT));
    expect(results).toEqual([-1, -1, 1, 1, 1]);
    expect(faultCounts()).toEqual([2]);
  });

  test('a programming error still throws under a rule, and a validate-only call is never faulted', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, 'hello', 5, 0)).toBe(5);
    for (const rule of [
      { call: 'recv', errno: 'EINTR' },
      { call: 'recv', short: 2 },
    ] as const) {
      faults([rule]);
      // len 8 does not fit a 4-byte buffer: throws as without the rule (a cut len of 2 would fit).
      expectThrown(() => recv(b, Buffer.alloc(4), 8, 0), {
        type: RangeError,
        code: 'ERR_OUT_OF_RANGE',
        fn: 'recv',
        param: 'len',
      });
      expect(faultCounts()).toEqual([0]);
    }
    faults([{ call: 'recv', errno: 'EINTR' }]);
    // The promises engine's argument check: the addon's trailing `true`, no call made.
    expect(native.recv(b, Buffer.alloc(8), 8, 0, true)).toBeUndefined();
    expect(faultCounts()).toEqual([0]);
    expect(recv(b, Buffer.alloc(8), 8, 0)).toBe(-1);
    expect(errno).toBe(EINTR);
    expect(faultCounts()).toEqual([1]);
  });

  test('accept(fd, null, null), which takes a short way into the addon: faulted, and its argument check still runs', () => {
    const listener = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expect(connect(fd, listener.addr, sizeof(listener.addr))).toBe(0);
    faults([{ call: 'accept', errno: 'ECONNABORTED', times: 1 }]);
    setErrno(0);
    expect(accept(listener.fd, null, null)).toBe(-1);
    expect(errno).toBe(ECONNABORTED);
    expect(faultCounts()).toEqual([1]);
    // An addrlen without addr is still checked, and refused, before any call.
    expectThrown(() => accept(listener.fd, null, 4 as unknown as socklen_t), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'accept',
      param: 'addrlen',
    });
    expect(faultCounts()).toEqual([1]);
    fds.add(accept(listener.fd, null, null));
  });

  test('read and write with int32 arguments (which reach the addon through the slots) are faulted too', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    faults([
      { call: 'write', short: 2 },
      { call: 'read', errno: 'EINTR', every: 2 },
    ]);
    expect(write(a, 'hello', 5)).toBe(2);
    const buf = Buffer.alloc(8);
    expect(read(b, buf, 8)).toBe(2);
    setErrno(0);
    expect(read(b, buf, 8)).toBe(-1);
    expect(errno).toBe(EINTR);
    expect(faultCounts()).toEqual([1, 1]);
    faults(null);
    // With the rules gone, the calls reach the addon directly again.
    expect(write(a, 'lo', 2)).toBe(2);
    expect(read(b, buf, 8)).toBe(2);
    expect(buf.subarray(0, 2).toString()).toBe('lo');
  });

  test('connect with EINTR: the connection goes on, and a retry says EISCONN, as after a real interruption', () => {
    const listener = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    faults([{ call: 'connect', errno: 'EINTR', times: 1 }]);
    expect(connect(fd, listener.addr, sizeof(listener.addr))).toBe(-1);
    expect(errno).toBe(EINTR);
    expect(connect(fd, listener.addr, sizeof(listener.addr))).toBe(-1);
    expect(errno).toBe(EISCONN);
    const peer = new sockaddr_in();
    expect(getpeername(fd, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(peer.sin_port).toBe(listener.addr.sin_port);
    fds.add(accept(listener.fd, null, null));
  });

  test('the tracer marks injected results as strace marks its own injections', () => {
    const sv = fds.unixPair(SOCK_STREAM);
    const lines: string[] = [];
    faults([
      { call: 'send', short: 3 },
      { call: 'recv', errno: 'EINTR', every: 2 },
    ]);
    trace({ stream: { write: (chunk: string) => lines.push(chunk) } });
    try {
      send(sv[0], 'hello', 5, 0);
      const buf = Buffer.alloc(8);
      recv(sv[1], buf, 8, 0);
      recv(sv[1], buf, 8, 0);
    } finally {
      trace(false);
    }
    const text = lines.join('');
    expect(text).toContain(`send(${sv[0]}, "hello", 5, 0) = 3 (INJECTED: short count (len 5 cut to 3))\n`);
    expect(text).toContain(`recv(${sv[1]}, "hel", 8, 0) = 3\n`);
    expect(text).toContain(`recv(${sv[1]}, ..., 8, 0) = -1 EINTR (Interrupted system call) (INJECTED)\n`);
  });

  test('faults(null) and faults([]) put the addon functions back', () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const originals = { send: native.send, recv: native.recv, socket: native.socket };
    for (const clear of [null, []] as const) {
      faults([
        { call: 'recv', errno: 'EINTR' },
        { call: 'send', short: 1 },
      ]);
      expect(native.recv).not.toBe(originals.recv);
      expect(native.send).not.toBe(originals.send);
      expect(native.socket).toBe(originals.socket);
      faults(clear);
      expect(native.recv).toBe(originals.recv);
      expect(native.send).toBe(originals.send);
      expect(faultCounts()).toEqual([]);
      expect(send(a, 'hello', 5, 0)).toBe(5);
      const buf = Buffer.alloc(8);
      expect(recv(b, buf, 8, 0)).toBe(5);
      expect(takeInjected()).toBeNull();
    }
    // A new set of rules replaces the old one rather than stacking on it.
    faults([{ call: 'recv', errno: 'EINTR' }]);
    faults([{ call: 'send', errno: 'EAGAIN' }]);
    expect(native.recv).toBe(originals.recv);
  });
});

describe('seeded probability', () => {
  /** Which of 200 non-blocking recv calls on an empty socket were faulted (ECONNRESET, not the real EAGAIN). */
  function sequence(rules: readonly FaultRule[] | string): boolean[] {
    const [, b] = fds.unixPair(SOCK_STREAM);
    faults(rules);
    const buf = Buffer.alloc(1);
    const out: boolean[] = [];
    for (let k = 0; k < 200; k++) {
      expect(recv(b, buf, 1, MSG_DONTWAIT)).toBe(-1);
      expect([ECONNRESET, EAGAIN]).toContain(errno);
      out.push(errno === ECONNRESET);
    }
    faults(null);
    return out;
  }

  test('the same seed gives the same faults, another seed others, at about the asked rate', () => {
    const rule = (seed: number): FaultRule[] => [{ call: 'recv', errno: 'ECONNRESET', probability: 0.3, seed }];
    const first = sequence(rule(42));
    expect(sequence(rule(42))).toEqual(first);
    expect(sequence(rule(43))).not.toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(20);
    expect(hits).toBeLessThan(120);
    // The string form is the same rule.
    expect(sequence('recv:ECONNRESET:p=0.3:seed=42')).toEqual(first);
    // Probability 0 and 1 are never and always.
    expect(sequence([{ call: 'recv', errno: 'ECONNRESET', probability: 0 }]).some(Boolean)).toBe(false);
    expect(sequence([{ call: 'recv', errno: 'ECONNRESET', probability: 1 }]).every(Boolean)).toBe(true);
  });
});

describe('promises API', () => {
  test('send of 1 MiB with short counts and EAGAIN injected delivers every byte in order', async () => {
    const [a, b] = fds.tcpPair();
    const data = pattern(1 << 20);
    faults([
      { call: 'send', errno: 'EAGAIN', every: 3, fd: a },
      { call: 'send', short: 4093, fd: a },
    ]);
    const [sent, got] = await Promise.all([P.send(a, data, data.length, 0), recvExactly(b, data.length, 65536)]);
    expect(sent).toBe(data.length);
    expect(got.equals(data)).toBe(true);
    const [again, short] = faultCounts();
    expect(again).toBeGreaterThan(0);
    expect(short).toBeGreaterThan(0);
  });

  test('a string sent in short pieces arrives as its UTF-8 bytes (cuts fall inside characters)', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const text = 'héllo wörld, ça va? ✓ '.repeat(50);
    const bytes = Buffer.from(text, 'utf8');
    faults([{ call: 'send', short: 7 }]);
    const [sent, got] = await Promise.all([P.send(a, text, bytes.length, 0), recvExactly(b, bytes.length, 65536)]);
    expect(sent).toBe(bytes.length);
    expect(got.toString('utf8')).toBe(text);
    expect(faultCounts()[0]).toBeGreaterThan(0);
  });

  test('recv with EINTR on its first try is retried at once and resolves with the data', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, 'hello', 5, 0)).toBe(5);
    faults([{ call: 'recv', errno: 'EINTR', times: 1 }]);
    const buf = Buffer.alloc(8);
    await expect(P.recv(b, buf, 8, 0)).resolves.toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    expect(faultCounts()).toEqual([1]);
  });

  test('a waiting recv interrupted when woken is retried and resolves with the data', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    // Call 1 finds nothing (EAGAIN) and waits; call 2, on readiness, is interrupted; call 3 reads.
    faults([{ call: 'recv', errno: 'EINTR', every: 2, times: 1 }]);
    const buf = Buffer.alloc(8);
    const pending = track(P.recv(b, buf, 8, 0));
    expect(faultCounts()).toEqual([0]);
    expect(send(a, 'world', 5, 0)).toBe(5);
    const outcome = await pending.done;
    expect(outcome).toEqual({ ok: true, value: 5 });
    expect(buf.subarray(0, 5).toString()).toBe('world');
    expect(faultCounts()).toEqual([1]);
  });

  test('recv with EINTR on every 2nd call still gets a whole stream and never rejects', async () => {
    const [a, b] = fds.tcpPair();
    const data = pattern(256 * 1024);
    faults([{ call: 'recv', errno: 'EINTR', every: 2, fd: b }]);
    const [, got] = await Promise.all([P.send(a, data, data.length, 0), recvExactly(b, data.length, 4096)]);
    expect(got.equals(data)).toBe(true);
    expect(faultCounts()[0]).toBeGreaterThan(0);
  });

  test('ECONNRESET on recv rejects with code ECONNRESET; nothing was consumed', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(send(a, 'hello', 5, 0)).toBe(5);
    faults([{ call: 'recv', errno: 'ECONNRESET', times: 1 }]);
    const buf = Buffer.alloc(8);
    expectSystemError(await rejection(P.recv(b, buf, 8, 0)), 'recv', ECONNRESET);
    await expect(P.recv(b, buf, 8, 0)).resolves.toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
  });

  test('connect with EINTR waits for the handshake and resolves connected', async () => {
    const listener = fds.listener();
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    faults([{ call: 'connect', errno: 'EINTR' }]);
    await expect(P.connect(fd, listener.addr, sizeof(listener.addr))).resolves.toBe(0);
    expect(faultCounts()).toEqual([1]);
    const peer = new sockaddr_in();
    expect(getpeername(fd, peer, new socklen_t(sizeof(peer)))).toBe(0);
    expect(peer.sin_port).toBe(listener.addr.sin_port);
    fds.add(accept(listener.fd, null, null));
  });

  test('faults is the same function in both entry points', () => {
    expect(P.faults).toBe(faults);
    expect(P.faultCounts).toBe(faultCounts);
  });
});

describe('bad rules', () => {
  const cases: [string, unknown, Expected['type'], Expected['code']][] = [
    ['rules not an array', 5, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['a rule not an object', [null], TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['call not a string', [{ call: 1, errno: 'EINTR' }], TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['unknown call', [{ call: 'nope', errno: 'EINTR' }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['close (never faulted)', [{ call: 'close', errno: 'EINTR' }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['neither errno nor short', [{ call: 'recv' }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['both errno and short', [{ call: 'recv', errno: 'EINTR', short: 1 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['unknown errno name', [{ call: 'recv', errno: 'ENOPE' }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['errno 0', [{ call: 'recv', errno: 0 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['errno a boolean', [{ call: 'recv', errno: true }], TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['short 0', [{ call: 'recv', short: 0 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['short 1.5', [{ call: 'send', short: 1.5 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['short a string', [{ call: 'send', short: '1' }], TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['short on sendmsg', [{ call: 'sendmsg', short: 1 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['every 0', [{ call: 'recv', errno: 'EINTR', every: 0 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['probability 1.5', [{ call: 'recv', errno: 'EINTR', probability: 1.5 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['probability NaN', [{ call: 'recv', errno: 'EINTR', probability: NaN }], RangeError, 'ERR_OUT_OF_RANGE'],
    [
      'every and probability',
      [{ call: 'recv', errno: 'EINTR', every: 2, probability: 0.5 }],
      TypeError,
      'ERR_INVALID_ARG_VALUE',
    ],
    ['seed without probability', [{ call: 'recv', errno: 'EINTR', seed: 1 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['seed -1', [{ call: 'recv', errno: 'EINTR', probability: 0.5, seed: -1 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['fd on socket()', [{ call: 'socket', errno: 'EMFILE', fd: 3 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['fd -1', [{ call: 'recv', errno: 'EINTR', fd: -1 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['times 0', [{ call: 'recv', errno: 'EINTR', times: 0 }], RangeError, 'ERR_OUT_OF_RANGE'],
    ['unknown field', [{ call: 'recv', errno: 'EINTR', prob: 0.5 }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['string: call alone', 'recv', TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['string: not a number', 'recv:EINTR:every=x', TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['string: unknown key', 'recv:EINTR:bogus=1', TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['string: lower-case errno', 'recv:eintr', TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['string: every=0', 'recv:EINTR:every=0', RangeError, 'ERR_OUT_OF_RANGE'],
  ];

  test.each(cases)('%s throws, and the rules in force stay', (_name, spec, type, code) => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    faults([{ call: 'recv', errno: 'EINTR', times: 1 }]);
    expectThrown(() => faults(spec as FaultRule[]), { type, code, fn: 'faults' });
    expect(send(a, 'x', 1, 0)).toBe(1);
    expect(recv(b, Buffer.alloc(1), 1, 0)).toBe(-1);
    expect(errno).toBe(EINTR);
  });
});

describe('BSDSOCK_FAULTS', () => {
  /** Runs code in a child node that requires the compiled lib with BSDSOCK_FAULTS set; returns its JSON output. */
  function child(spec: string, code: string): unknown {
    return JSON.parse(runNodeOk({ code }, { env: { BSDSOCK_FAULTS: spec } }).stdout) as unknown;
  }

  test('rules from the environment apply from load', () => {
    const out = child(
      'recv:EINTR:every=2, send:short=3',
      `
      const b = require(process.env.BSDSOCK);
      const sv = new Int32Array(2);
      if (b.socketpair(b.AF_UNIX, b.SOCK_STREAM, 0, sv) !== 0) throw new Error('socketpair');
      const data = Buffer.from('abcdefghij');
      const sends = [];
      for (let sent = 0; sent < 10; ) { const r = b.send(sv[0], data.subarray(sent), 10 - sent, 0); sends.push(r); sent += r; }
      const buf = Buffer.alloc(64);
      const recvs = [];
      for (let k = 0; k < 3; k++) { const r = b.recv(sv[1], buf, 64, b.MSG_DONTWAIT); recvs.push([r, r < 0 ? b.errno : 0]); }
      const counts = b.faultCounts();
      b.close(sv[0]); b.close(sv[1]);
      process.stdout.write(JSON.stringify({ sends, recvs, counts, text: buf.subarray(0, 10).toString() }));
      `,
    );
    expect(out).toEqual({
      sends: [3, 3, 3, 1],
      recvs: [
        [10, 0],
        [-1, EINTR],
        [-1, EAGAIN],
      ],
      counts: [1, 3],
      text: 'abcdefghij',
    });
  });

  test('a seeded rule from the environment faults the same calls as faults() with that seed', () => {
    const spec = 'recv:ECONNRESET:p=0.4:seed=7';
    const out = child(
      spec,
      `
      const b = require(process.env.BSDSOCK);
      const sv = new Int32Array(2);
      b.socketpair(b.AF_UNIX, b.SOCK_STREAM, 0, sv);
      const seq = [];
      for (let k = 0; k < 100; k++) { b.recv(sv[1], Buffer.alloc(1), 1, b.MSG_DONTWAIT); seq.push(b.errno === b.ECONNRESET); }
      b.close(sv[0]); b.close(sv[1]);
      process.stdout.write(JSON.stringify(seq));
      `,
    );
    const sv = fds.unixPair(SOCK_STREAM);
    faults(spec);
    const here: boolean[] = [];
    for (let k = 0; k < 100; k++) {
      recv(sv[1], Buffer.alloc(1), 1, MSG_DONTWAIT);
      here.push(errno === ECONNRESET);
    }
    expect(out).toEqual(here);
    expect(here.some(Boolean)).toBe(true);
    expect(here.every(Boolean)).toBe(false);
  });

  test('a malformed BSDSOCK_FAULTS makes loading throw a coded error', () => {
    const load = `
      try { require(process.env.BSDSOCK); process.stdout.write('null'); }
      catch (e) { process.stdout.write(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
    `;
    expect(child('recv:EINTR:every=0', load)).toEqual({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringContaining('"BSDSOCK_FAULTS[0].every"') as unknown,
    });
    expect(child('recv:EINTR:often', load)).toEqual(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(child('', load)).toBeNull();
  });
});
