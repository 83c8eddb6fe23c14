// examples/http-server.ts, compiled, against real clients: curl (with a
// reused connection), raw pipelined and split requests over node:net, and a
// 10-second autocannon run with 200 connections; then a clean SIGINT/SIGTERM exit.
import { execFile } from 'node:child_process';
import { type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDist, root } from './helpers/build';
import { type ListeningServer, startServer } from './helpers/child';
import { connectTo, StreamReader } from './helpers/io';
import { curl as curlTool, testNeeding, which } from './helpers/tools';

const run = promisify(execFile);
const script = join(root, 'dist/examples/http-server.js');

// The load generator: autocannon, a devDependency, run by the same node as this test.
const autocannon = require.resolve('autocannon/autocannon.js');

let server: ListeningServer & { url: string };
const sockets: Socket[] = [];

// The test runs the compiled example; a stale build would test old code.
beforeAll(() => ensureDist('dist/examples/http-server.js'), 120_000);

beforeEach(async () => {
  const started = await startServer(script, ['--port', '0']);
  server = { ...started, url: `http://127.0.0.1:${started.port}` };
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await server.exited;
});

interface Response {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Splits complete responses off the front of data (Content-Length framing only, as the server sends). */
function parseResponses(data: Buffer): { responses: Response[]; rest: Buffer } {
  const responses: Response[] = [];
  let at = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine, ...lines] = data.toString('latin1', at, headEnd).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    if (m === null) throw new Error(`bad status line: ${statusLine}`);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get('content-length'));
    if (!Number.isInteger(length)) throw new Error('response without Content-Length');
    if (data.length < headEnd + 4 + length) break;
    responses.push({ status: Number(m[1]), headers, body: data.subarray(headEnd + 4, headEnd + 4 + length) });
    at = headEnd + 4 + length;
  }
  return { responses, rest: data.subarray(at) };
}

/** A raw TCP client: it writes request bytes as given and reads whole responses. */
class RawClient extends StreamReader {
  constructor(socket: Socket) {
    super(socket);
    socket.setNoDelay(true);
  }

  static async open(port: number): Promise<RawClient> {
    return new RawClient(await connectTo(port, sockets));
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** Waits for count complete responses. */
  async responses(count: number): Promise<Response[]> {
    for (;;) {
      const { responses, rest } = parseResponses(this.data);
      if (responses.length >= count) {
        this.data = rest;
        return responses;
      }
      if (this.ended) throw new Error(`connection ended after ${responses.length} of ${count} responses`);
      await this.more();
    }
  }

  /** True if nothing arrives within ms (the server is still waiting for the rest of a request). */
  async quietFor(ms: number): Promise<boolean> {
    const before = this.data.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.data.length === before && !this.ended;
  }
}

/** What autocannon --json reports, the fields this test reads. */
interface LoadResult {
  connections: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

interface Stats {
  connectionsAccepted: number;
  connectionsOpen: number;
  requestsServed: number;
  engine: { handles: number; armed: number; referenced: number };
}

describe('answers curl', () => {
  const withCurl = testNeeding(curlTool());
  const curl = (...args: string[]): Promise<{ stdout: string }> =>
    run(which('curl') ?? 'curl', ['--silent', '--show-error', '--max-time', '30', ...args]);

  withCurl('/ and /stats over one connection that curl reuses (keep-alive)', async () => {
    const marker = '\n@@%{http_code} %{num_connects} %{content_type}\n';
    const { stdout } = await curl('--write-out', marker, `${server.url}/`, `${server.url}/stats`);
    const [page, first, json, second] = stdout.split(/\n@@(.*)\n/);
    expect(page).toContain('<h1>Hello from bsdsock</h1>');
    // num_connects: 1 for the first transfer, 0 when the connection was reused.
    expect(first).toBe('200 1 text/html; charset=utf-8');
    expect(second).toBe('200 0 application/json');
    const stats = JSON.parse(json) as Stats;
    expect(stats).toEqual({
      connectionsAccepted: 1,
      connectionsOpen: 1,
      requestsServed: 2,
      engine: { handles: expect.any(Number), armed: expect.any(Number), referenced: expect.any(Number) },
    });
    // The listener and this connection each have a poll handle; the pending accept keeps the loop alive.
    expect(stats.engine.handles).toBeGreaterThanOrEqual(2);
    expect(stats.engine.referenced).toBeGreaterThanOrEqual(1);
  });

  withCurl('an unknown path is 404; HEAD has the headers and no body', async () => {
    const { stdout: missing } = await curl(
      '--output',
      '/dev/null',
      '--write-out',
      '%{http_code}',
      `${server.url}/nope`,
    );
    expect(missing).toBe('404');
    const { stdout: head } = await curl('--head', `${server.url}/`);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nContent-Length: [1-9]\d*\r\n/);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('parses the byte stream, not recv calls', () => {
  test('two pipelined requests in one write get two answers in order', async () => {
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: test\r\n\r\nGET /stats HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
    const [page, stats] = await client.responses(2);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<h1>Hello from bsdsock</h1>');
    expect(stats.status).toBe(200);
    expect(stats.headers.get('connection')).toBe('close');
    expect((JSON.parse(stats.body.toString()) as Stats).requestsServed).toBe(2);
    // Connection: close is honoured: the server ends the connection.
    await client.closed;
    expect(client.ended).toBe(true);
  });

  test('a request split across several writes is answered once it is complete', async () => {
    const client = await RawClient.open(server.port);
    client.write('GET /sta');
    expect(await client.quietFor(200)).toBe(true);
    client.write('ts HTTP/1.1\r\nHo');
    expect(await client.quietFor(200)).toBe(true);
    client.write('st: test\r\n\r');
    expect(await client.quietFor(200)).toBe(true);
    client.write('\n');
    const [stats] = await client.responses(1);
    expect(stats.status).toBe(200);
    expect(stats.headers.get('content-type')).toBe('application/json');
    // HTTP/1.1 keeps the connection open by default: a second request on it works.
    client.write('GET /missing HTTP/1.1\r\nHost: test\r\n\r\n');
    const [missing] = await client.responses(1);
    expect(missing.status).toBe(404);
    expect(client.ended).toBe(false);
  });

  test('a request body is skipped to find the next request', async () => {
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello');
    // Answered once the head is complete, while the body's tail is still to come.
    const [post] = await client.responses(1);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    client.write(' worldGET / HTTP/1.1\r\nHost: test\r\n\r\n');
    const [get] = await client.responses(1);
    expect(get.status).toBe(200);
  });

  test('HTTP/1.0 closes after one answer unless it asks for keep-alive', async () => {
    const once = await RawClient.open(server.port);
    once.write('GET / HTTP/1.0\r\n\r\n');
    const [answer] = await once.responses(1);
    expect(answer.status).toBe(200);
    await once.closed;
    expect(once.ended).toBe(true);

    const kept = await RawClient.open(server.port);
    kept.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [first] = await kept.responses(1);
    expect(first.headers.get('connection')).toBe('keep-alive');
    kept.write('GET /stats HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n');
    const [second] = await kept.responses(1);
    expect(second.status).toBe(200);
    expect(kept.ended).toBe(false);
  });

  test.each([
    ['a garbled request line', 'HELLO\r\n\r\n'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: test\r\nno colon here\r\n\r\n'],
    ['an unknown protocol version', 'GET / HTTP/2.0\r\nHost: test\r\n\r\n'],
  ])('%s gets 400 and the connection is closed', async (_what, request) => {
    const client = await RawClient.open(server.port);
    client.write(request);
    const [answer] = await client.responses(1);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('connection')).toBe('close');
    await client.closed;
    expect(client.ended).toBe(true);
  });
});

describe('load and shutdown', () => {
  test('autocannon -c 200 -d 10: no socket error, no non-2xx answer; then SIGINT exits 0', async () => {
    // 200 connections for 10 s. autocannon's request timeout is raised from 10 s to 30 s, longer than the
    // whole run: then no request can time out because a busy machine made the server slow, only one the
    // server never answers at all, and a server that stopped answering also fails the /stats round trip
    // below. errors counts the failed connections (refused, reset) and the timeouts; non2xx the answers
    // other than 2xx.
    const { stdout } = await run(
      process.execPath,
      [autocannon, '--connections', '200', '--duration', '10', '--timeout', '30', '--json', `${server.url}/`],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const load = JSON.parse(stdout) as LoadResult;
    expect(load.connections).toBe(200);
    expect(load['2xx']).toBeGreaterThan(0);
    expect({ errors: load.errors, timeouts: load.timeouts, non2xx: load.non2xx }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: 0,
    });

    // A keep-alive connection still open at shutdown; its /stats says how
    // many connections the summary must count.
    // autocannon's connections are closed by the time it exits, but the server
    // may not have read every end of stream yet: ask until only this one is open.
    const client = await RawClient.open(server.port);
    let stats: Stats;
    for (let attempt = 0; ; attempt++) {
      client.write('GET /stats HTTP/1.1\r\nHost: test\r\n\r\n');
      const [answer] = await client.responses(1);
      stats = JSON.parse(answer.body.toString()) as Stats;
      if (stats.connectionsOpen === 1 || attempt === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stats.connectionsOpen).toBe(1);
    expect(stats.connectionsAccepted).toBeGreaterThanOrEqual(201);

    server.child.kill('SIGINT');
    const { code, signal } = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(
      new RegExp(`\\nclosed: ${stats.connectionsAccepted} connections served, ${stats.requestsServed} requests`),
    );
    expect(server.stderr()).toBe('');
    await client.closed;
    expect(client.ended).toBe(true);
  }, 180_000);

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s with an idle and a half-sent request open: exits 0 with a summary',
    async (signal) => {
      const idle = await RawClient.open(server.port);
      idle.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
      await idle.responses(1);
      const partial = await RawClient.open(server.port);
      partial.write('GET / HTTP/1.1\r\nHo');
      // A round trip on another connection: by then the server has accepted the partial one too.
      const probe = await RawClient.open(server.port);
      probe.write('GET /stats HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
      const [stats] = await probe.responses(1);
      expect((JSON.parse(stats.body.toString()) as Stats).connectionsOpen).toBe(3);
      await probe.closed;

      server.child.kill(signal);
      const { code, signal: killedBy } = await server.exited;
      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
      expect(server.stdout()).toContain('\nclosed: 3 connections served, 2 requests answered\n');
      expect(server.stderr()).toBe('');
      await Promise.all([idle.closed, partial.closed]);
    },
    60_000,
  );
});
