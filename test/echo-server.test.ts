// examples/echo-server.ts, compiled, as a user runs it: many concurrent
// clients get back exactly the bytes they sent, and SIGTERM/SIGINT end the
// process cleanly (exit 0, a summary, nothing left to keep it alive).
import { randomBytes } from 'node:crypto';
import { type Socket } from 'node:net';
import { join } from 'node:path';
import { ensureDist, root } from './helpers/build';
import { type ListeningServer, runToEnd, startServer } from './helpers/child';
import { connectTo, StreamReader } from './helpers/io';

const script = join(root, 'dist/examples/echo-server.js');

let server: ListeningServer | undefined;
const clients: Socket[] = [];

// The test runs the compiled example; a stale build would test old code.
beforeAll(() => ensureDist('dist/examples/echo-server.js'), 120_000);

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
  }
  await server?.exited;
  server = undefined;
});

/** A client that reads exactly as many bytes as it asks for. */
class Client extends StreamReader {
  static async open(port: number): Promise<Client> {
    return new Client(await connectTo(port, clients));
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
    server = await startServer(script, ['--port', '0']);
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
  const { code, stderr } = await runToEnd(process.execPath, [script, '--port', '70000']);
  expect(code).toBe(1);
  expect(stderr).toContain('--port');
});
