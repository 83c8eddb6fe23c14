// bsdsock/promises and the event loop: a pending call never blocks the loop
// nor holds a thread-pool thread; abort and close leave no watcher behind
// and reject every pending call; a descriptor number the kernel reuses is
// never touched by an old watch; an idle engine lets the process exit.
import { pbkdf2, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AF_INET,
  AF_UNIX,
  ECANCELED,
  EBADF,
  POLLIN,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOMAXCONN,
  close,
  pollfd,
  sizeof,
  socketpair,
} from 'bsdsock';
import * as P from 'bsdsock/promises';
import { compiledLib } from './helpers/build';
import { runNode } from './helpers/child';
import { expectAbortError, rejection, type RejectionShape } from './helpers/errors';
import { Fds } from './helpers/fds';
import { finishes, nextTurn, track, type Tracked, waitFor } from './helpers/wait';

const fds = new Fds();
afterEach(() => fds.closeAll());

const packageJson = path.join(__dirname, '..', 'package.json');

/** Work that needs libuv's thread pool: file reads and a key derivation. */
function poolWork(): Promise<unknown> {
  const expected = readFileSync(packageJson, 'utf8');
  const reads = Array.from({ length: 8 }, () =>
    readFile(packageJson, 'utf8').then((text) => expect(text).toBe(expected)),
  );
  const derived = Array.from(
    { length: 4 },
    () =>
      new Promise<void>((resolve, reject) =>
        pbkdf2('secret', 'salt', 1000, 32, 'sha256', (err) => (err ? reject(err) : resolve())),
      ),
  );
  return Promise.all([...reads, ...derived]);
}

/** A closed-while-pending call must reject with ECANCELED (or EBADF) for its own syscall. */
function expectCancelled(error: RejectionShape, syscall: string): void {
  expect(['ECANCELED', 'EBADF']).toContain(error.code);
  expect([ECANCELED, EBADF]).toContain(error.errno);
  expect(error.syscall).toBe(syscall);
}

/** Fills fd's send buffer (and the peer's receive buffer) until send would wait. */
async function fillSendBuffer(fd: number): Promise<Tracked<number>> {
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (;;) {
    const sending = track(P.send(fd, chunk, chunk.length, 0));
    await nextTurn();
    if (!sending.settled()) return sending;
    const outcome = await sending.done;
    if (!outcome.ok) throw outcome.error;
  }
}

beforeAll(() => {
  // Child-process tests need lib/ compiled; doing it once here keeps it out of their limits.
  compiledLib();
}, 120000);

describe('the event loop is never blocked', () => {
  test('while accept is pending, a setInterval keeps ticking and fs.readFile completes', async () => {
    const l = fds.listener();
    const accepted = track(P.accept(l.fd, null, null));
    let ticks = 0;
    const interval = setInterval(() => ticks++, 5);
    try {
      await waitFor(() => ticks >= 10, 'ten interval ticks');
      const text = await readFile(packageJson, 'utf8');
      expect(text).toBe(readFileSync(packageJson, 'utf8'));
      expect(accepted.settled()).toBe(false);
    } finally {
      clearInterval(interval);
    }
    const client = fds.socket(AF_INET, SOCK_STREAM);
    expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
    const outcome = await accepted.done;
    if (!outcome.ok) throw outcome.error;
    expect(fds.add(outcome.value)).toBeGreaterThanOrEqual(0);
  });

  test('200 accepts pending on 200 listeners do not starve the thread pool; then all resolve', async () => {
    const before = P.engineStats();
    const listeners = Array.from({ length: 200 }, () => fds.listener());
    const accepts = listeners.map((l) => track(P.accept(l.fd, null, null)));
    await nextTurn();
    expect(P.engineStats().referenced - before.referenced).toBe(200);

    expect(await finishes(poolWork())).toBe('done');
    expect(accepts.some((a) => a.settled())).toBe(false);

    const clients = listeners.map(() => fds.socket(AF_INET, SOCK_STREAM));
    const connects = await Promise.all(
      clients.map((c, k) => P.connect(c, listeners[k].addr, sizeof(listeners[k].addr))),
    );
    expect(connects.every((r) => r === 0)).toBe(true);
    const outcomes = await Promise.all(accepts.map((a) => a.done));
    for (const outcome of outcomes) {
      if (!outcome.ok) throw outcome.error;
      fds.add(outcome.value);
    }
    expect(new Set(outcomes.map((o) => (o.ok ? o.value : -1))).size).toBe(200);
    expect(P.engineStats().referenced).toBe(before.referenced);
  }, 120000);

  test('200 accepts pending on one listener do not starve the pool; they resolve in start order', async () => {
    const l = fds.listener(SOCK_STREAM, SOMAXCONN);
    const order: number[] = [];
    const accepts = Array.from({ length: 200 }, (_, k) =>
      track(
        P.accept(l.fd, null, null).then((fd) => {
          order.push(k);
          return fds.add(fd);
        }),
      ),
    );
    expect(await finishes(poolWork())).toBe('done');
    expect(accepts.some((a) => a.settled())).toBe(false);

    const clients = accepts.map(() => fds.socket(AF_INET, SOCK_STREAM));
    await Promise.all(clients.map((c) => P.connect(c, l.addr, sizeof(l.addr))));
    const outcomes = await Promise.all(accepts.map((a) => a.done));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(new Set(outcomes.map((o) => (o.ok ? o.value : -1))).size).toBe(200);
    expect(order).toEqual(accepts.map((_, k) => k));
  }, 120000);
});

describe('abort', () => {
  test('aborting a pending accept rejects with AbortError and leaves nothing armed or referenced', async () => {
    const before = P.engineStats();
    const l = fds.listener();
    const controller = new AbortController();
    const accepted = P.accept(l.fd, null, null, { signal: controller.signal });
    await nextTurn();
    expect(P.engineStats().referenced).toBe(before.referenced + 1);
    controller.abort();
    expectAbortError(await rejection(accepted));
    const after = P.engineStats();
    expect(after.armed).toBe(before.armed);
    expect(after.referenced).toBe(before.referenced);

    // The listener still works: the aborted accept took nothing from it.
    const next = P.accept(l.fd, null, null);
    const client = fds.socket(AF_INET, SOCK_STREAM);
    expect(await P.connect(client, l.addr, sizeof(l.addr))).toBe(0);
    expect(fds.add(await next)).toBeGreaterThanOrEqual(0);
  });

  test('aborting a pending recv rejects it; the data that arrives later goes to the next recv', async () => {
    const before = P.engineStats();
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const controller = new AbortController();
    const first = P.recv(b, Buffer.alloc(8), 8, 0, { signal: controller.signal });
    await nextTurn();
    controller.abort(new Error('changed my mind'));
    const error = await rejection(first);
    expectAbortError(error);
    expect(P.engineStats().armed).toBe(before.armed);
    expect(P.engineStats().referenced).toBe(before.referenced);

    const buf = Buffer.alloc(8);
    const second = P.recv(b, buf, 8, 0);
    expect(await P.send(a, 'later', 5, 0)).toBe(5);
    expect(await second).toBe(5);
    expect(buf.toString('utf8', 0, 5)).toBe('later');
  });

  test('aborting the first of two pending recvs hands the data to the second', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const controller = new AbortController();
    const first = P.recv(b, Buffer.alloc(8), 8, 0, { signal: controller.signal });
    const buf = Buffer.alloc(8);
    const second = track(P.recv(b, buf, 8, 0));
    controller.abort();
    expectAbortError(await rejection(first));
    expect(second.settled()).toBe(false);
    expect(await P.send(a, 'xyz', 3, 0)).toBe(3);
    expect(await second.done).toEqual({ ok: true, value: 3 });
    expect(buf.toString('utf8', 0, 3)).toBe('xyz');
  });

  test('an already-aborted signal rejects at once and consumes nothing', async () => {
    const before = P.engineStats();
    const [a, b] = fds.unixPair(SOCK_STREAM);
    expect(await P.send(a, 'kept', 4, 0)).toBe(4);
    const signal = AbortSignal.abort();
    const early = track(P.recv(b, Buffer.alloc(8), 8, 0, { signal }));
    await nextTurn();
    expect(early.settled()).toBe(true);
    expectAbortError(await rejection(early.promise));
    const l = fds.listener();
    expectAbortError(await rejection(P.accept(l.fd, null, null, { signal })));

    const buf = Buffer.alloc(8);
    expect(await P.recv(b, buf, 8, 0)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('kept');
    expect(P.engineStats().armed).toBe(before.armed);
    expect(P.engineStats().referenced).toBe(before.referenced);
  });

  test('aborting a send that waits for room rejects it and leaves nothing referenced', async () => {
    const before = P.engineStats();
    const [a] = fds.unixPair(SOCK_STREAM);
    const blocked = await fillSendBuffer(a);
    const controller = new AbortController();
    const aborted = P.send(a, 'more', 4, 0, { signal: controller.signal });
    controller.abort();
    expectAbortError(await rejection(aborted));
    // The send ahead of it is still waiting for room: it keeps the loop alive, the aborted one does not add to it.
    expect(blocked.settled()).toBe(false);
    fds.close(a);
    expectCancelled(await rejection(blocked.promise), 'send');
    expect(P.engineStats().referenced).toBe(before.referenced);
    expect(P.engineStats().armed).toBe(before.armed);
  });

  test('aborting a pending poll rejects with AbortError and leaves nothing armed or referenced', async () => {
    const before = P.engineStats();
    const [, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    const controller = new AbortController();
    const polling = P.poll([entry], 1, -1, { signal: controller.signal });
    await nextTurn();
    expect(P.engineStats().referenced).toBe(before.referenced + 1);
    controller.abort();
    expectAbortError(await rejection(polling));
    expect(P.engineStats().referenced).toBe(before.referenced);
    expect(P.engineStats().armed).toBe(before.armed);
  });

  test('aborting a recv leaves a poll on the same descriptor watching: the poll still wakes', async () => {
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    const polling = P.poll([entry], 1, -1);
    const controller = new AbortController();
    const receiving = P.recv(b, Buffer.alloc(8), 8, 0, { signal: controller.signal });
    await nextTurn();
    controller.abort();
    expectAbortError(await rejection(receiving));
    expect(await P.send(a, 'x', 1, 0)).toBe(1);
    expect(await polling).toBe(1);
    expect(entry.revents & POLLIN).toBe(POLLIN);
  });

  test('a child process whose only pending call was aborted exits by itself', () => {
    const child = runNode({
      code: `
      const S = require(process.env.BSDSOCK);
      const P = require(process.env.BSDSOCK_PROMISES);
      const sv = new Int32Array(2);
      if (S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, sv) !== 0) process.exit(3);
      const controller = new AbortController();
      P.recv(sv[0], Buffer.alloc(8), 8, 0, { signal: controller.signal }).then(
        () => console.log('resolved'),
        (e) => console.log(e.name, JSON.stringify(P.engineStats())),
      );
      setTimeout(() => controller.abort(), 20);
    `,
    });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('AbortError {"handles":1,"armed":0,"referenced":0}\n');
    expect(child.status).toBe(0);
  });
});

describe('an idle engine does not keep the process alive; a waiting one does', () => {
  test('a child whose recv completed, sockets still open, exits by itself', () => {
    const child = runNode({
      code: `
      const S = require(process.env.BSDSOCK);
      const P = require(process.env.BSDSOCK_PROMISES);
      const sv = new Int32Array(2);
      if (S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, sv) !== 0) process.exit(3);
      const buf = Buffer.alloc(8);
      // The recv has to wait (the data comes later), so the handle is armed and referenced first.
      P.recv(sv[0], buf, 8, 0).then((n) => console.log(n, buf.toString('utf8', 0, n), JSON.stringify(P.engineStats())));
      setTimeout(() => S.send(sv[1], 'done', 4, 0), 20);
    `,
    });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    // The handle may stay armed until it fires idle (the engine's policy); it must not be referenced.
    expect(child.stdout).toMatch(/^4 done \{"handles":1,"armed":[01],"referenced":0\}\n$/);
    expect(child.status).toBe(0);
  });

  test('a child with a completed TCP exchange and open sockets exits by itself', () => {
    const child = runNode({
      code: `
      const S = require(process.env.BSDSOCK);
      const P = require(process.env.BSDSOCK_PROMISES);
      (async () => {
        const l = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
        const addr = new S.sockaddr_in();
        addr.sin_family = S.AF_INET;
        addr.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
        if (S.bind(l, addr, S.sizeof(addr)) !== 0 || S.listen(l, 4) !== 0) process.exit(3);
        S.getsockname(l, addr, new S.socklen_t(S.sizeof(addr)));
        const accepted = P.accept(l, null, null);
        const c = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
        await P.connect(c, addr, S.sizeof(addr));
        const s = await accepted;
        const buf = Buffer.alloc(4);
        const got = P.recv(s, buf, 4, 0);
        await P.send(c, 'ping', 4, 0);
        console.log(await got, buf.toString(), P.engineStats().referenced);
      })();
    `,
    });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('4 ping 0\n');
    expect(child.status).toBe(0);
  });

  test('a pending recv keeps the process alive until its data arrives', () => {
    // Only an unref'd timer sends the data: if the waiting recv did not hold
    // the loop, the process would end before it fires and print nothing.
    const child = runNode({
      code: `
      const S = require(process.env.BSDSOCK);
      const P = require(process.env.BSDSOCK_PROMISES);
      const sv = new Int32Array(2);
      if (S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, sv) !== 0) process.exit(3);
      const buf = Buffer.alloc(8);
      P.recv(sv[0], buf, 8, 0).then((n) => console.log('got', buf.toString('utf8', 0, n)));
      setTimeout(() => S.send(sv[1], 'late', 4, 0), 100).unref();
    `,
    });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('got late\n');
    expect(child.status).toBe(0);
  });
});

describe('what a pending call holds', () => {
  test('the memory of buffers and structs held only by pending calls is not collected before they settle', () => {
    const child = runNode(
      {
        code: `
      const S = require(process.env.BSDSOCK);
      const P = require(process.env.BSDSOCK_PROMISES);
      const sv = new Int32Array(2);
      if (S.socketpair(S.AF_UNIX, S.SOCK_DGRAM, 0, sv) !== 0) process.exit(3);
      const collected = [];
      const registry = new FinalizationRegistry((what) => collected.push(what));
      const counts = [];
      for (let k = 0; k < 20; k++) {
        // Nothing but the pending call refers to buf and to the bytes of from and len (the
        // wrapper objects may go: the kernel writes into the bytes).
        const buf = Buffer.alloc(32);
        const from = new S.sockaddr_un();
        const len = new S.socklen_t(S.sizeof(from));
        registry.register(buf, 'buf ' + k);
        registry.register(from.bytes, 'from ' + k);
        registry.register(len.bytes, 'len ' + k);
        P.recvfrom(sv[0], buf, 32, 0, from, len).then((n) => counts.push(n));
      }
      (async () => {
        for (let round = 0; round < 5; round++) {
          globalThis.gc();
          const junk = [];
          for (let k = 0; k < 2000; k++) junk.push(Buffer.alloc(1024, k));
          await new Promise((resolve) => setImmediate(resolve));
        }
        const early = collected.length;
        for (let k = 0; k < 20; k++) S.send(sv[1], 'datagram ' + k, ('datagram ' + k).length, 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
        console.log(early, counts.join(','));
      })();
    `,
      },
      { nodeArgs: ['--expose-gc'] },
    );
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    const counts = Array.from({ length: 20 }, (_, k) => `datagram ${k}`.length);
    expect(child.stdout).toBe(`0 ${counts.join(',')}\n`);
    expect(child.status).toBe(0);
  });
});

describe('close while calls are pending', () => {
  test('close rejects a pending accept, recv and send, each for its own syscall', async () => {
    const before = P.engineStats();
    const l = fds.listener();
    const accepting = P.accept(l.fd, null, null);
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const receiving = P.recv(b, Buffer.alloc(8), 8, 0);
    const [c] = fds.unixPair(SOCK_STREAM);
    const sending = await fillSendBuffer(c);
    await nextTurn();
    expect(P.engineStats().referenced).toBe(before.referenced + 3);

    expect(fds.close(l.fd)).toBe(0);
    expect(fds.close(b)).toBe(0);
    expect(fds.close(c)).toBe(0);
    expectCancelled(await rejection(accepting), 'accept');
    expectCancelled(await rejection(receiving), 'recv');
    expectCancelled(await rejection(sending.promise), 'send');
    expect(P.engineStats()).toEqual(before);
    // The process carries on: the pair's surviving end sees the close as EOF.
    expect(await P.recv(a, Buffer.alloc(1), 1, 0)).toBe(0);
  });

  test('close rejects every call queued on the descriptor, in both directions', async () => {
    const [a] = fds.unixPair(SOCK_STREAM);
    const recvs = [0, 1, 2].map(() => P.recv(a, Buffer.alloc(4), 4, 0));
    const blocked = await fillSendBuffer(a);
    const queuedSend = P.send(a, 'tail', 4, 0);
    fds.close(a);
    for (const r of recvs) expectCancelled(await rejection(r), 'recv');
    expectCancelled(await rejection(blocked.promise), 'send');
    expectCancelled(await rejection(queuedSend), 'send');
  });

  test('close from the continuation of one recv rejects the recv queued behind it', async () => {
    const before = P.engineStats();
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const first = P.recv(b, Buffer.alloc(4), 4, 0).then((n) => {
      fds.close(b);
      return n;
    });
    const second = rejection(P.recv(b, Buffer.alloc(4), 4, 0));
    // Enough for the first only: the second is still queued when the continuation closes b.
    expect(await P.send(a, 'abcd', 4, 0)).toBe(4);
    expect(await first).toBe(4);
    expectCancelled(await second, 'recv');
    fds.close(a);
    expect(P.engineStats()).toEqual(before);
  });

  test('close rejects a pending poll on the descriptor', async () => {
    const [, b] = fds.unixPair(SOCK_STREAM);
    const entry = new pollfd();
    entry.fd = b;
    entry.events = POLLIN;
    const polling = track(P.poll([entry], 1, -1));
    await nextTurn();
    fds.close(b);
    const outcome = await polling.done;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expectCancelled(outcome.error as RejectionShape, 'poll');
  });

  test('1000 rounds of close while recv is pending: the reused number is never touched by the old watch', async () => {
    const ROUNDS = 1000;
    const start = P.engineStats();
    const sv = new Int32Array(2);
    let reused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      expect(socketpair(AF_UNIX, round % 2 === 0 ? SOCK_STREAM : SOCK_DGRAM, 0, sv)).toBe(0);
      const [a, b] = [fds.add(sv[0]), fds.add(sv[1])];
      const old = rejection(P.recv(a, Buffer.alloc(16), 16, 0));
      const variant = round % 4;
      if (variant === 1) await nextTurn(); // the loop has polled the handle once
      if (variant >= 2) {
        // Readiness is pending in the kernel when the close comes, before the loop can dispatch it.
        expect(await P.send(b, 'stale', 5, 0)).toBe(5);
        if (variant === 3) await Promise.resolve();
      }
      expect(fds.close(a)).toBe(0);
      expect(fds.close(b)).toBe(0);

      // Reopened in the same tick, so the new socket gets the number while the old watch is being torn down.
      expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
      const [c, d] = [fds.add(sv[0]), fds.add(sv[1])];
      if (c === a) reused++;
      const buf = Buffer.alloc(16);
      const fresh = track(P.recv(c, buf, 16, 0));
      const error = await old;
      expect(['ECANCELED', 'EBADF']).toContain(error.code);
      await nextTurn();
      // No stale readiness may complete (or fail) the new call on the same number.
      expect(fresh.settled()).toBe(false);
      const text = `round ${round}`;
      expect(await P.send(d, text, text.length, 0)).toBe(text.length);
      expect(await fresh.done).toEqual({ ok: true, value: text.length });
      expect(buf.toString('utf8', 0, text.length)).toBe(text);
      expect(fds.close(c)).toBe(0);
      expect(fds.close(d)).toBe(0);
    }
    // The kernel hands out the lowest free number: the race was exercised on reused numbers.
    expect(reused).toBeGreaterThan(ROUNDS / 2);
    expect(P.engineStats()).toEqual(start);
  }, 120000);

  test('the engine handle count returns to its start after many descriptors come and go', async () => {
    const start = P.engineStats();
    for (let k = 0; k < 50; k++) {
      const [a, b] = fds.unixPair(SOCK_STREAM);
      const got = P.recv(b, Buffer.alloc(4), 4, 0);
      await P.send(a, randomBytes(4), 4, 0);
      expect(await got).toBe(4);
      expect(P.engineStats().handles).toBeGreaterThan(start.handles);
      fds.close(a);
      fds.close(b);
    }
    expect(P.engineStats()).toEqual(start);
    expect(close).toBe(P.close);
  });
});
