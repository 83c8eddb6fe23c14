// Descriptors handed between bsdsock and node:net, each way (SPEC section 2, last point).
//
// Ownership follows the descriptor: once `new net.Socket({ fd })` or `server.listen({ fd })` has it,
// Node closes it on destroy()/close(), so the test forgets it and never closes it again (the number
// may already belong to something else).
//
// What is deliberately not tested, because the outcome depends on timing: Node and bsdsock both
// reading (recv/accept) the same descriptor. Each byte or connection goes to whichever call runs
// first, so neither side sees the whole stream. And bsdsock/promises waiting directly on a number
// Node's handle watches: libuv keeps one watcher per descriptor and loop, so either the call rejects
// with EEXIST (tested below) or, if bsdsock's handle was made before Node's started, Node's handle
// gets the readiness events and the bsdsock call waits for ever. A dup (F_DUPFD_CLOEXEC) gives
// bsdsock a number of its own on the same socket; that is the form used here.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import {
  AF_INET,
  F_DUPFD_CLOEXEC,
  F_GETFL,
  IPPROTO_TCP,
  O_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_TYPE,
  TCP_NODELAY,
  fcntl,
  getpeername,
  sizeof,
  sockaddr_in,
  socklen_t,
} from 'bsdsock';
import * as promises from 'bsdsock/promises';
import { expectThrown } from './helpers/errors';
import { Fds, stillOpen, targetOf } from './helpers/fds';
import { recvExactly, StreamReader } from './helpers/io';
import { intOption, localPort, portOf } from './helpers/net';

const fds = new Fds();
const sockets: net.Socket[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if (s.closed) continue;
    const closed = once(s, 'close');
    s.destroy();
    await closed;
  }
  for (const server of servers.splice(0)) {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
  fds.closeAll();
});

/** The largest size (bytes) a TCP socket buffer may grow to: the third field of net.ipv4.tcp_wmem/tcp_rmem. */
function maxBuffer(name: 'tcp_wmem' | 'tcp_rmem'): number {
  return Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]);
}

/** The descriptor inside a net.Socket or net.Server (Node's handle keeps it as `fd`). */
function handleFd(obj: net.Socket | net.Server): number {
  const handle = (obj as unknown as { _handle: { fd: number } | null })._handle;
  if (handle === null) throw new Error('no handle');
  return handle.fd;
}

/** The next n bytes a net.Socket receives. */
function readFromNode(sock: net.Socket, n: number): Promise<Buffer> {
  return new StreamReader(sock).read(n);
}

/** Wraps fd in a net.Socket that now owns it. */
function adopt(fd: number): net.Socket {
  const sock = new net.Socket({ fd });
  fds.forget(fd);
  sockets.push(sock);
  return sock;
}

async function destroyed(sock: net.Socket): Promise<void> {
  const closed = once(sock, 'close');
  sock.destroy();
  await closed;
}

describe('a connected descriptor made with bsdsock, as new net.Socket({ fd })', () => {
  test.each(['socket+connect', 'accept'] as const)(
    'from %s: carries data both ways with a bsdsock peer, and destroy() closes it once',
    async (made) => {
      const { client, server } = fds.tcpConnection();
      const [mine, peer] = made === 'socket+connect' ? [client, server] : [server, client];
      const target = targetOf(mine);
      expect(fcntl(mine, F_GETFL) & O_NONBLOCK).toBe(0);

      const sock = adopt(mine);
      // libuv's uv_tcp_open makes the descriptor non-blocking itself.
      expect(fcntl(mine, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(sock.remotePort).toBe(localPort(peer));
      expect(sock.localPort).toBe(localPort(mine));

      const incoming = readFromNode(sock, 5);
      await expect(promises.send(peer, 'hello', 5, 0)).resolves.toBe(5);
      expect((await incoming).toString()).toBe('hello');

      sock.write('world');
      expect((await recvExactly(peer, 5)).toString()).toBe('world');

      await destroyed(sock);
      expect(stillOpen(target)).toBe(false);
      // The peer sees the close as end of stream.
      await expect(promises.recv(peer, Buffer.alloc(8), 8, 0)).resolves.toBe(0);
    },
  );

  test('one that bsdsock/promises already watches goes over as a dup, leaving no poll handle behind', async () => {
    const handlesBefore = promises.engineStats().handles;
    const { client, server } = fds.tcpConnection();
    await expect(promises.send(client, 'a', 1, 0)).resolves.toBe(1);
    expect((await recvExactly(server, 1)).toString()).toBe('a');
    expect(promises.engineStats().handles).toBe(handlesBefore + 2);

    const forNode = fds.add(fcntl(client, F_DUPFD_CLOEXEC, 0));
    expect(forNode).toBeGreaterThanOrEqual(0);
    expect(fds.close(client)).toBe(0);
    expect(promises.engineStats().handles).toBe(handlesBefore + 1);

    const target = targetOf(forNode);
    const sock = adopt(forNode);
    const incoming = readFromNode(sock, 4);
    await promises.send(server, 'ping', 4, 0);
    expect((await incoming).toString()).toBe('ping');
    sock.write('pong');
    expect((await recvExactly(server, 4)).toString()).toBe('pong');

    await destroyed(sock);
    expect(stillOpen(target)).toBe(false);
  });
});

describe('detach(fd): handing over the very descriptor bsdsock/promises watched', () => {
  test('frees the poll handle, rejects what was pending with ECANCELED, and leaves the fd open for Node', async () => {
    const handlesBefore = promises.engineStats().handles;
    const { client, server } = fds.tcpConnection();
    const pending = promises.recv(client, Buffer.alloc(4), 4, 0);
    expect(promises.engineStats().handles).toBe(handlesBefore + 1);

    promises.detach(client);
    await expect(pending).rejects.toMatchObject({ code: 'ECANCELED', syscall: 'recv' });
    expect(promises.engineStats().handles).toBe(handlesBefore);
    // Detaching twice, or a descriptor never watched, does nothing.
    promises.detach(client);
    promises.detach(server);
    expect(promises.engineStats().handles).toBe(handlesBefore);

    const target = targetOf(client);
    fds.forget(client);
    const sock = adopt(client);
    const incoming = readFromNode(sock, 4);
    await promises.send(server, 'ping', 4, 0);
    expect((await incoming).toString()).toBe('ping');
    await destroyed(sock);
    expect(stillOpen(target)).toBe(false);
    expect(promises.engineStats().handles).toBe(handlesBefore + 1); // server's own handle, from its send
  });

  test('throws on a descriptor that is not an integer', () => {
    expectThrown(() => promises.detach('3' as unknown as number), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'detach',
      param: 'fd',
    });
    expectThrown(() => promises.detach(1.5), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'detach', param: 'fd' });
  });
});

describe('a listening descriptor made with bsdsock, as net.createServer().listen({ fd })', () => {
  test('serves a bsdsock client, and server.close() closes it', async () => {
    const { fd: listener, addr } = fds.listener();
    const target = targetOf(listener);
    const server = net.createServer((conn) => {
      conn.on('data', (chunk: Buffer) => conn.write(chunk.toString().toUpperCase()));
    });
    servers.push(server);
    server.listen({ fd: listener });
    fds.forget(listener);
    await once(server, 'listening');
    expect((server.address() as net.AddressInfo).port).toBe(portOf(addr));

    const client = fds.socket(AF_INET, SOCK_STREAM);
    await expect(promises.connect(client, addr, sizeof(addr))).resolves.toBe(0);
    await promises.send(client, 'ping', 4, 0);
    expect((await recvExactly(client, 4)).toString()).toBe('PING');
    expect(fds.close(client)).toBe(0);

    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    expect(stillOpen(target)).toBe(false);
    const late = fds.socket(AF_INET, SOCK_STREAM);
    await expect(promises.connect(late, addr, sizeof(addr))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
  });
});

describe('descriptors Node made, used here', () => {
  let server: net.Server;
  let accepted: Promise<net.Socket>;
  let sock: net.Socket;

  beforeEach(async () => {
    server = net.createServer();
    servers.push(server);
    accepted = new Promise((resolve) =>
      server.once('connection', (conn: net.Socket) => {
        sockets.push(conn);
        resolve(conn);
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    sockets.push(sock);
    await once(sock, 'connect');
  });

  test('the synchronous calls read what Node set up', async () => {
    const fd = handleFd(sock);
    const serverFd = handleFd(server);
    const port = (server.address() as net.AddressInfo).port;

    // Node makes its descriptors non-blocking (SOCK_NONBLOCK / accept4) before bsdsock sees them.
    expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(localPort(fd)).toBe(sock.localPort);
    const peer = new sockaddr_in();
    const len = new socklen_t(sizeof(peer));
    expect(getpeername(fd, peer, len)).toBe(0);
    expect(portOf(peer)).toBe(port);
    expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
    sock.setNoDelay(true);
    expect(intOption(fd, IPPROTO_TCP, TCP_NODELAY)).not.toBe(0);
    sock.setNoDelay(false);
    expect(intOption(fd, IPPROTO_TCP, TCP_NODELAY)).toBe(0);

    expect(localPort(serverFd)).toBe(port);
    expect(intOption(serverFd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
    await accepted;
  });

  test('bsdsock/promises sends through a dup of Node’s descriptor; closing the dup leaves Node’s socket working', async () => {
    const conn = await accepted;
    const handlesBefore = promises.engineStats().handles;
    const data = Buffer.alloc(4 << 20);
    for (let k = 0; k < data.length; k++) data[k] = (k * 7) & 0xff;
    const tail = Buffer.from('and then Node writes');
    const arrived = readFromNode(conn, data.length + tail.length);

    const dup = fds.add(fcntl(handleFd(sock), F_DUPFD_CLOEXEC, 0));
    expect(dup).toBeGreaterThanOrEqual(0);
    await expect(promises.send(dup, data, data.length, 0)).resolves.toBe(data.length);
    expect(fds.close(dup)).toBe(0);
    expect(promises.engineStats().handles).toBe(handlesBefore);

    sock.write(tail);
    const got = await arrived;
    expect(got.length).toBe(data.length + tail.length);
    expect(got.subarray(0, data.length).equals(data)).toBe(true);
    expect(got.subarray(data.length).equals(tail)).toBe(true);
  });

  test('a send that must wait on the very number Node’s handle watches rejects with EEXIST and says how much it wrote', async () => {
    const conn = await accepted;
    conn.pause(); // the kernel's buffers fill, so the send has to wait
    sock.resume(); // Node's handle on sock's descriptor is reading, i.e. registered with the loop
    await new Promise((resolve) => setImmediate(resolve));
    const handlesBefore = promises.engineStats().handles;
    // More than the kernel can hold for a reader that does not read: both buffers at their largest.
    const data = Buffer.alloc(maxBuffer('tcp_wmem') + maxBuffer('tcp_rmem') + (1 << 20));
    const failure = await promises.send(handleFd(sock), data, data.length, 0).then(
      () => null,
      (e: unknown) => e as promises.SystemError,
    );
    expect(failure).toMatchObject({ code: 'EEXIST', syscall: 'send' });
    expect(failure!.bytesWritten).toBeGreaterThan(0);
    expect(failure!.bytesWritten).toBeLessThan(data.length);
    expect(promises.engineStats().handles).toBe(handlesBefore);
  });
});
