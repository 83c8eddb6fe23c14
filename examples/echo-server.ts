// A concurrent TCP echo server on bsdsock/promises.
//
//   node dist/examples/echo-server.js [--port 7007] [--host 127.0.0.1]
//
// The listening socket is set up with the synchronous calls, exactly as a C
// program would: nothing there can wait. Only accept, recv and send can wait
// for a peer, so those come from 'bsdsock/promises', which waits on the event
// loop instead of blocking it. Each connection is then one small async loop,
// and thousands of them run side by side on one thread.
//
// Ctrl-C (SIGINT) or SIGTERM closes everything and the process ends by
// itself: proof that no socket, poll handle or timer was left behind.
import { parseArgs } from 'node:util';
import {
  AF_INET,
  AF_INET6,
  INET6_ADDRSTRLEN,
  INET_ADDRSTRLEN,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  bind,
  close,
  getsockname,
  htons,
  inet_ntop,
  inet_pton,
  listen,
  ntohs,
  perror,
  setsockopt,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  socket,
  socklen_t,
} from 'bsdsock';
import { accept, recv, send } from 'bsdsock/promises';

interface Listener {
  fd: number;
  /** How to print the bound address: `127.0.0.1:7007`, `[::1]:7007`. */
  where: string;
}

function parseOptions(): { port: number; host: string } {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '7007' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port wants an integer from 0 to 65535, got ${values.port}`);
  }
  return { port, host: values.host };
}

// socket, SO_REUSEADDR, bind, listen, getsockname: the classic sequence. The
// host must be a numeric IPv4 or IPv6 address, as inet_pton takes it.
function openListener(host: string, port: number): Listener | null {
  const ipv6 = host.includes(':');
  const addr = ipv6 ? new sockaddr_in6() : new sockaddr_in();
  if (addr instanceof sockaddr_in6) {
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    if (inet_pton(AF_INET6, host, addr.sin6_addr) !== 1) {
      process.stderr.write(`--host: not a numeric IPv6 address: ${host}\n`);
      return null;
    }
  } else {
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host, addr.sin_addr) !== 1) {
      process.stderr.write(`--host: not a numeric IPv4 address: ${host}\n`);
      return null;
    }
  }

  const fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror('socket');
    return null;
  }
  // Without it, restarting the server right after a shutdown fails with
  // EADDRINUSE while the old connections sit in TIME_WAIT.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int')) < 0) {
    perror('setsockopt(SO_REUSEADDR)');
  } else if (bind(fd, addr, sizeof(addr)) < 0) {
    perror('bind');
  } else if (listen(fd, 511) < 0) {
    // A deep backlog: a burst of clients waits in the kernel's queue
    // instead of being refused while the accept loop catches up.
    perror('listen');
  } else if (getsockname(fd, addr, new socklen_t(sizeof(addr))) < 0) {
    // With --port 0 the kernel picked the port; only getsockname knows it.
    perror('getsockname');
  } else {
    const where =
      addr instanceof sockaddr_in6
        ? `[${inet_ntop(AF_INET6, addr.sin6_addr, null, INET6_ADDRSTRLEN)}]:${ntohs(addr.sin6_port)}`
        : `${inet_ntop(AF_INET, addr.sin_addr, null, INET_ADDRSTRLEN)}:${ntohs(addr.sin_port)}`;
    return { fd, where };
  }
  close(fd);
  return null;
}

/** The `code` of a rejection from bsdsock/promises ('ECANCELED', ...). */
function codeOf(err: unknown): string | undefined {
  return err instanceof Error ? (err as Error & { code?: string }).code : undefined;
}

// A peer that resets or vanishes is routine for a server, not worth a line.
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

let stopping = false;
let served = 0;
/** Connections being served. Whoever removes an fd from here closes it, so it is closed exactly once. */
const open = new Set<number>();

function closeConnection(fd: number): void {
  if (open.delete(fd)) close(fd);
}

async function serve(fd: number): Promise<void> {
  // One buffer per connection, reused: the send below is awaited before the
  // next recv, so its bytes are never overwritten while still being sent.
  const buf = Buffer.allocUnsafe(64 * 1024);
  try {
    for (;;) {
      const n = await recv(fd, buf, buf.length, 0);
      if (n === 0) break; // the client closed its side
      // Unlike C's send, the promise settles only once all n bytes are out.
      await send(fd, buf, n, 0);
    }
  } catch (err) {
    // During shutdown the pending call rejects with ECANCELED because the
    // descriptor was closed under it: that is the shutdown working.
    if (!stopping && !PEER_GONE.has(codeOf(err) ?? '')) {
      process.stderr.write(`connection ${fd}: ${String(err)}\n`);
    }
  } finally {
    closeConnection(fd);
  }
}

async function acceptLoop(listener: number, connections: Set<Promise<void>>): Promise<void> {
  while (!stopping) {
    let fd: number;
    try {
      fd = await accept(listener, null, null);
    } catch (err) {
      if (stopping) return; // the listener was closed: ECANCELED
      process.stderr.write(`${String(err)}\n`);
      const code = codeOf(err);
      if (code === 'EMFILE' || code === 'ENFILE' || code === 'ENOBUFS' || code === 'ENOMEM') {
        // The client stays queued and the listener stays readable, so
        // retrying at once would spin: give the open connections a moment
        // to finish and free their descriptors.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      continue; // ECONNABORTED and the like concern one client, not the server
    }
    if (stopping) {
      close(fd);
      return;
    }
    served++;
    open.add(fd);
    // Not awaited: the loop goes straight back to accept while this client
    // is served. The set lets shutdown wait for every loop to finish.
    const done = serve(fd).finally(() => connections.delete(done));
    connections.add(done);
  }
}

async function main(): Promise<number> {
  const { port, host } = parseOptions();
  const listener = openListener(host, port);
  if (listener === null) return 1;

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // A second Ctrl-C now kills the process the default way.
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // Only a bug can keep the process alive once everything is closed; this
    // says so instead of hanging. unref(): the timer itself must not be
    // what keeps the process alive.
    setTimeout(() => {
      process.stderr.write('still running 10 s after shutdown: something was left open\n');
      process.exit(1);
    }, 10_000).unref();
    // Closing a descriptor rejects the accept, recv or send waiting on it
    // with ECANCELED, which ends each loop.
    close(listener.fd);
    for (const fd of [...open]) closeConnection(fd);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`listening on ${listener.where}\n`);
  const connections = new Set<Promise<void>>();
  await acceptLoop(listener.fd, connections);
  await Promise.all([...connections]);
  process.stdout.write(`closed: ${served} connections served\n`);
  // No process.exit(): with every socket closed the event loop is empty and
  // Node exits by itself.
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
