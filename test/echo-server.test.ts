// examples/echo-server.ts, compiled, as a user runs it: many concurrent
// clients get back exactly the bytes they sent, and SIGTERM/SIGINT end the
// process cleanly (exit 0, a summary, nothing left to keep it alive).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..');
const script = join(root, 'dist/examples/echo-server.js');
const source = join(root, 'examples/echo-server.ts');

interface Server {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited and its pipes are closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let server: Server | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
  }
  await server?.exited;
  server = undefined;
});

function startServer(): Promise<Server> {
  // The test runs the compiled example; a stale build would test old code.
  if (!existsSync(script) || statSync(script).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`${script} is missing or older than ${source}: run \`npx tsc -p tsconfig.build.json\``);
  }
  const child = spawn(process.execPath, [script, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m === null) return;
      child.stdout.off('data', onData);
      resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(new Error(`echo server exited (${code ?? signal}) before listening:\n${out}${err}`)),
    );
  });
}

/** A client that reads exactly as many bytes as it asks for. */
class Client {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private wake: (() => void) | undefined;
  private ended = false;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      clients.push(socket);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new Client(socket)));
    });
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (this.ended) throw new Error(`connection ended after ${this.buffered} of ${n} bytes`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.buffered -= n;
    return all.subarray(0, n);
  }

  /** Sends message and checks that exactly its bytes come back. */
  async echo(message: Buffer): Promise<void> {
    this.socket.write(message);
    const back = await this.read(message.length);
    if (!back.equals(message)) {
      let at = 0;
      while (back[at] === message[at]) at++;
      throw new Error(`echo of ${message.length} bytes differs at byte ${at}`);
    }
  }
}

// Each client's messages are its own random bytes, so data crossing from one
// connection to another would be caught too.
function messagesFor(): Buffer[] {
  return [
    Buffer.from('hello\n'),
    randomBytes(1),
    randomBytes(1000),
    randomBytes(64 * 1024),
    randomBytes(1024 * 1024),
    Buffer.from('bye\n'),
  ];
}

const CLIENTS = 50;
const IDLE = 5;

describe.each(['SIGTERM', 'SIGINT'] as const)('echo server, ended by %s', (signal) => {
  test(`echoes every byte to ${CLIENTS} concurrent clients, then exits 0 with a summary`, async () => {
    server = await startServer();
    const { port } = server;

    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = await Client.open(port);
        for (const message of messagesFor()) await client.echo(message);
        client.socket.end();
        await client.closed;
      }),
    );

    // Connections still open at shutdown must be closed by the server; one
    // round trip each proves the server has accepted them.
    const idle = await Promise.all(Array.from({ length: IDLE }, () => Client.open(port)));
    for (const client of idle) await client.echo(Buffer.from('still here\n'));

    server.child.kill(signal);
    const { code, signal: killedBy } = await server.exited;
    expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
    expect(server.stdout()).toContain(`\nclosed: ${CLIENTS + IDLE} connections served\n`);
    // ECANCELED from the closed descriptors is handled quietly.
    expect(server.stderr()).toBe('');
    // The server closed the idle connections: each sees its end of stream.
    await Promise.all(idle.map((client) => client.closed));
    for (const client of idle) await expect(client.read(1)).rejects.toThrow('connection ended');
  }, 120_000);
});

test('refuses a port out of range, with a message and exit code 1', async () => {
  const child = spawn(process.execPath, [script, '--port', '70000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(code).toBe(1);
  expect(err).toContain('--port');
});
