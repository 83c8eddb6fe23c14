// bsdsock/promises in worker_threads: each Worker's calls wait on its own
// event loop, several run at once, and a Worker terminated with calls still
// pending takes its watchers with it without harming the main thread.
import { Worker } from 'node:worker_threads';
import { AF_INET, SOCK_STREAM, sizeof } from 'bsdsock';
import * as P from 'bsdsock/promises';
import { compiledLib } from './helpers/build';
import { expectAbortError } from './helpers/errors';
import { Fds, targetOf } from './helpers/fds';
import { loopback4 } from './helpers/net';
import { track } from './helpers/wait';

const fds = new Fds();
afterEach(() => fds.closeAll());

let lib: { index: string; promises: string };
beforeAll(() => {
  lib = compiledLib();
}, 120000);

/**
 * Starts a Worker running `body` (CommonJS) with S = bsdsock, P = bsdsock/promises, `port` =
 * parentPort and listener(backlog), which returns { l, addr }: a TCP socket listening on 127.0.0.1.
 */
function startWorker(body: string, data: Record<string, unknown> = {}): Worker {
  const source = `'use strict';
    const { parentPort: port, workerData } = require('node:worker_threads');
    const S = require(workerData.lib.index);
    const P = require(workerData.lib.promises);
    const data = workerData.data;
    const listener = (backlog) => {
      const l = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
      const addr = new S.sockaddr_in();
      addr.sin_family = S.AF_INET;
      addr.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
      if (S.bind(l, addr, S.sizeof(addr)) !== 0 || S.listen(l, backlog) !== 0) throw new Error('bind/listen ' + S.errno);
      S.getsockname(l, addr, new S.socklen_t(S.sizeof(addr)));
      return { l, addr };
    };
    ${body}`;
  return new Worker(source, { eval: true, workerData: { lib, data } });
}

/** The next message of a given kind from w (rejects if w fails or exits first). */
function message<T>(w: Worker, kind: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { kind: string }): void => {
      if (m.kind !== kind) return;
      cleanup();
      resolve(m as T);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited (${code}) before sending ${kind}`));
    };
    const cleanup = (): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}

function exited(w: Worker): Promise<number> {
  return new Promise((resolve) => w.once('exit', resolve));
}

interface Exchange {
  kind: 'done';
  id: number;
  echoed: string[];
  statsWhileWaiting: { handles: number; armed: number; referenced: number };
  statsAtEnd: { handles: number; armed: number; referenced: number };
}

describe('Workers', () => {
  test('four Workers each run accept/connect/send/recv on their own loop at the same time', async () => {
    const mainBefore = P.engineStats();
    const workers = [0, 1, 2, 3].map((id) =>
      startWorker(
        `
        (async () => {
          const { l, addr } = listener(4);
          const accepting = P.accept(l, null, null);
          const statsWhileWaiting = P.engineStats();
          // Every Worker holds a pending accept before any of them connects.
          port.postMessage({ kind: 'waiting' });
          await new Promise((resolve) => port.once('message', resolve));
          const c = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
          await P.connect(c, addr, S.sizeof(addr));
          const s = await accepting;
          const echoed = [];
          for (let k = 0; k < 20; k++) {
            const text = 'worker ' + data.id + ' message ' + k;
            const inbound = Buffer.alloc(64);
            const gotAtServer = P.recv(s, inbound, 64, 0);
            await P.send(c, text, Buffer.byteLength(text), 0);
            const n = await gotAtServer;
            const back = Buffer.alloc(64);
            const gotAtClient = P.recv(c, back, 64, 0);
            await P.send(s, inbound, n, 0);
            echoed.push(back.toString('utf8', 0, await gotAtClient));
          }
          for (const fd of [c, s, l]) S.close(fd);
          port.postMessage({ kind: 'done', id: data.id, echoed, statsWhileWaiting, statsAtEnd: P.engineStats() });
        })();
        `,
        { id },
      ),
    );
    // Listened for from the start: a Worker that finishes first may exit before the others report.
    const exits = workers.map((w) => exited(w));
    try {
      await Promise.all(workers.map((w) => message(w, 'waiting')));
      const results = workers.map((w) => message<Exchange>(w, 'done'));
      for (const w of workers) w.postMessage('go');
      const done = await Promise.all(results);
      for (const [id, result] of done.entries()) {
        expect(result.id).toBe(id);
        expect(result.echoed).toEqual(Array.from({ length: 20 }, (_, k) => `worker ${id} message ${k}`));
        // Each Worker's engine counted only its own handle while its accept waited.
        expect(result.statsWhileWaiting).toEqual({ handles: 1, armed: 1, referenced: 1 });
        expect(result.statsAtEnd).toEqual({ handles: 0, armed: 0, referenced: 0 });
      }
      expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
      expect(P.engineStats()).toEqual(mainBefore);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 60000);

  test('a Worker terminated with accepts and recvs pending: no crash, the main thread unaffected', async () => {
    const mainBefore = P.engineStats();
    // The main thread has work of its own pending meanwhile.
    const [ma, mb] = fds.unixPair(SOCK_STREAM);
    const mainBuf = Buffer.alloc(16);
    const mainRecv = track(P.recv(mb, mainBuf, 16, 0));

    const w = startWorker(`
      const fs = require('node:fs');
      const { l, addr } = listener(4);
      const left = new Int32Array(2);
      const closed = new Int32Array(2);
      S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, left);
      S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, closed);
      const closedTargets = [closed[0], closed[1]].map((fd) => fs.readlinkSync('/proc/self/fd/' + fd));
      // Pending calls that stay pending until the Worker is terminated.
      for (let k = 0; k < 3; k++) P.accept(l, null, null).catch(() => {});
      for (let k = 0; k < 3; k++) P.recv(left[0], Buffer.alloc(8), 8, 0).catch(() => {});
      // A pending call on a pair the Worker closes itself before it is terminated.
      P.recv(closed[0], Buffer.alloc(8), 8, 0).then(
        () => port.postMessage({ kind: 'unexpected' }),
        (e) => {
          port.postMessage({
            kind: 'ready',
            listener: l,
            port: S.ntohs(addr.sin_port),
            left: [left[0], left[1]],
            leftTargets: [l, left[0], left[1]].map((fd) => fs.readlinkSync('/proc/self/fd/' + fd)),
            closed: [closed[0], closed[1]],
            closedTargets,
            closedCode: e.code,
            stats: P.engineStats(),
          });
        },
      );
      S.close(closed[0]);
      S.close(closed[1]);
    `);
    interface Ready {
      kind: 'ready';
      listener: number;
      port: number;
      left: [number, number];
      leftTargets: string[];
      closed: [number, number];
      closedTargets: string[];
      closedCode: string;
      stats: { handles: number; armed: number; referenced: number };
    }
    const ready = await message<Ready>(w, 'ready');
    expect(ready.closedCode).toBe('ECANCELED');
    // The Worker's engine: the listener and left[0] are watched, armed and keep its loop alive.
    expect(ready.stats).toEqual({ handles: 2, armed: 2, referenced: 2 });
    expect(P.engineStats().handles).toBe(mainBefore.handles + 1);

    const exit = exited(w);
    await w.terminate();
    expect(await exit).toBe(1);

    // The descriptors the Worker closed are closed (or the number now names something else).
    ready.closed.forEach((fd, k) => expect(targetOf(fd)).not.toBe(ready.closedTargets[k]));

    // Descriptors the Worker left open are the process's: terminate() does not close them. Whatever is
    // still open is adopted here (and closed by the bag), and it works from the main thread's own loop,
    // which shows the terminated Worker left no watcher on them.
    const leftOpen = [ready.listener, ...ready.left].filter((fd, k) => targetOf(fd) === ready.leftTargets[k]);
    for (const fd of leftOpen) fds.add(fd);
    if (leftOpen.includes(ready.listener)) {
      const accepting = P.accept(ready.listener, null, null);
      const client = fds.socket(AF_INET, SOCK_STREAM);
      const addr = loopback4(ready.port);
      expect(await P.connect(client, addr, sizeof(addr))).toBe(0);
      fds.close(await accepting);
      fds.close(client);
    }
    if (leftOpen.includes(ready.left[0]) && leftOpen.includes(ready.left[1])) {
      const buf = Buffer.alloc(8);
      const got = P.recv(ready.left[0], buf, 8, 0);
      expect(await P.send(ready.left[1], 'adopted', 7, 0)).toBe(7);
      expect(await got).toBe(7);
      expect(buf.toString('utf8', 0, 7)).toBe('adopted');
    }

    // The main thread's own pending recv was not disturbed and still completes.
    expect(mainRecv.settled()).toBe(false);
    expect(await P.send(ma, 'main ok', 7, 0)).toBe(7);
    expect(await mainRecv.done).toEqual({ ok: true, value: 7 });
    expect(mainBuf.toString('utf8', 0, 7)).toBe('main ok');
    for (const fd of leftOpen) fds.close(fd);
    fds.close(ma);
    fds.close(mb);
    expect(P.engineStats()).toEqual(mainBefore);
  }, 60000);

  test('Workers terminated in the middle of busy traffic do not crash the process', async () => {
    const mainBefore = P.engineStats();
    for (let round = 0; round < 6; round++) {
      const w = startWorker(`
        const pair = new Int32Array(2);
        S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, pair);
        const [a, b] = pair;
        const targets = [a, b].map((fd) => require('node:fs').readlinkSync('/proc/self/fd/' + fd));
        const buf = Buffer.alloc(4096);
        let rounds = 0;
        (async () => {
          for (;;) {
            const got = P.recv(b, buf, buf.length, 0);
            await P.send(a, buf, buf.length, 0);
            await got;
            if (++rounds === 50) port.postMessage({ kind: 'busy', fds: [a, b], targets });
          }
        })();
      `);
      const busy = await message<{ fds: number[]; targets: string[] }>(w, 'busy');
      // Terminate at a different point of the traffic each round.
      await new Promise((resolve) => setTimeout(resolve, round * 3));
      const exit = exited(w);
      await w.terminate();
      expect(await exit).toBe(1);
      // What the Worker opened and did not close is the process's to close (terminate() leaves it open).
      busy.fds.forEach((fd, k) => {
        if (targetOf(fd) === busy.targets[k]) fds.close(fds.add(fd));
      });
    }
    // The process is healthy: an exchange on the main loop works and its engine is as it was.
    const [a, b] = fds.unixPair(SOCK_STREAM);
    const buf = Buffer.alloc(8);
    const got = P.recv(b, buf, 8, 0);
    expect(await P.send(a, 'healthy', 7, 0)).toBe(7);
    expect(await got).toBe(7);
    fds.close(a);
    fds.close(b);
    expect(P.engineStats()).toEqual(mainBefore);
  }, 60000);

  test('an abort inside a Worker rejects with AbortError there too', async () => {
    const w = startWorker(`
      const pair = new Int32Array(2);
      S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0, pair);
      const controller = new AbortController();
      P.recv(pair[0], Buffer.alloc(4), 4, 0, { signal: controller.signal }).catch((e) => {
        const stats = P.engineStats();
        S.close(pair[0]);
        S.close(pair[1]);
        port.postMessage({ kind: 'aborted', name: e.name, code: e.code, stats });
      });
      setTimeout(() => controller.abort(), 10);
    `);
    const exit = exited(w);
    const result = await message<{ name: string; code: string; stats: Record<string, number> }>(w, 'aborted');
    expectAbortError({ name: result.name, message: '', code: result.code });
    expect(result.stats).toEqual({ handles: 1, armed: 0, referenced: 0 });
    // Nothing left to wait for: the Worker's loop ends by itself.
    expect(await exit).toBe(0);
  }, 60000);
});
