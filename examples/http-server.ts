// A small HTTP/1.1 server on bsdsock/promises, with keep-alive.
//
//   node dist/examples/http-server.js [--port 7007] [--host 127.0.0.1]
//
//   GET /        a fixed HTML page
//   GET /stats   connections and requests so far, and the readiness engine's handles, as JSON
//
// The socket set-up, accept loop and shutdown are those of echo-server.ts;
// what is new is the protocol. TCP carries a stream of bytes, not messages:
// one recv may return half a request, or three requests a client pipelined,
// so each connection keeps its own buffer and parses whatever complete
// requests it holds.
import { parseArgs } from 'node:util';
import {
  AF_INET,
  AF_INET6,
  INET6_ADDRSTRLEN,
  INET_ADDRSTRLEN,
  SHUT_WR,
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
  shutdown,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  socket,
  socklen_t,
} from 'bsdsock';
import { accept, engineStats, recv, send } from 'bsdsock/promises';

// ---- Options and the listening socket (as in echo-server.ts) ----

interface Listener {
  fd: number;
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

function openListener(host: string, port: number): Listener | null {
  const ipv6 = host.includes(':');
  const addr = ipv6 ? new sockaddr_in6() : new sockaddr_in();
  if (addr instanceof sockaddr_in6) {
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
  } else {
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
  }
  const dst = addr instanceof sockaddr_in6 ? addr.sin6_addr : addr.sin_addr;
  if (inet_pton(ipv6 ? AF_INET6 : AF_INET, host, dst) !== 1) {
    process.stderr.write(`--host: not a numeric IP address: ${host}\n`);
    return null;
  }
  const fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror('socket');
    return null;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int')) < 0) {
    perror('setsockopt(SO_REUSEADDR)');
  } else if (bind(fd, addr, sizeof(addr)) < 0) {
    perror('bind');
  } else if (listen(fd, 511) < 0) {
    perror('listen');
  } else if (getsockname(fd, addr, new socklen_t(sizeof(addr))) < 0) {
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

// ---- HTTP ----

/**
 * The most a request line and its headers may take. The connection's buffer
 * has this size, so one client can never make the server hold more.
 */
const MAX_HEAD = 16 * 1024;

interface Request {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x, as RFC 9112 says). */
  minor: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Map<string, string>;
}

/** A request that cannot be answered normally: the status to answer with, then close. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    why: string,
  ) {
    super(why);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.(\d)$/;

// Header bytes are decoded as latin1: HTTP header values are octets, and
// latin1 maps each octet to one character and back without loss.
function parseHead(head: string): Request {
  const lines = head.split('\r\n');
  const m = REQUEST_LINE.exec(lines[0]);
  if (m === null) throw new HttpError(400, 'malformed request line');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    // A line starting with whitespace is obsolete line folding; RFC 9112
    // lets a server reject it, which is simpler and safer than unfolding.
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new HttpError(400, 'malformed header line');
    const value = line.slice(colon + 1).trim();
    const key = name.toLowerCase();
    const earlier = headers.get(key);
    headers.set(key, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  const request: Request = { method: m[1], target: m[2], minor: Math.min(Number(m[3]), 1), headers };
  if (request.minor === 1 && !headers.has('host')) throw new HttpError(400, 'HTTP/1.1 request without Host');
  return request;
}

/** How many body bytes follow the head: they are skipped, but must be counted to find the next request. */
function bodyLength(request: Request): number {
  // A chunked body would have to be decoded to find where it ends; this
  // server does not, so it cannot stay in step with the stream.
  if (request.headers.has('transfer-encoding')) throw new HttpError(501, 'Transfer-Encoding not supported');
  const value = request.headers.get('content-length');
  if (value === undefined) return 0;
  // "5, 5" (a repeated header) is allowed when the values agree.
  const values = new Set(value.split(',').map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) throw new HttpError(400, 'bad Content-Length');
  return Number(only);
}

/** Whether the connection stays open after this request (RFC 9112 section 9.3). */
function keepAlive(request: Request): boolean {
  const options = (request.headers.get('connection') ?? '').toLowerCase().split(',');
  const has = (option: string): boolean => options.some((o) => o.trim() === option);
  return request.minor >= 1 ? !has('close') : has('keep-alive');
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
};

function response(
  status: number,
  type: string,
  body: Buffer,
  options: { head?: boolean; close: boolean; http10KeepAlive?: boolean; extra?: string },
): Buffer {
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status]}`,
    `Date: ${new Date().toUTCString()}`,
    'Server: bsdsock-example',
    `Content-Type: ${type}`,
    `Content-Length: ${body.length}`,
  ];
  // HTTP/1.1 keeps the connection by default, so only the exceptions are said:
  // closing, or keeping an HTTP/1.0 client's connection it asked to keep.
  if (options.close) lines.push('Connection: close');
  else if (options.http10KeepAlive === true) lines.push('Connection: keep-alive');
  if (options.extra !== undefined) lines.push(options.extra);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  // HEAD gets the same headers as GET, Content-Length included, and no body.
  return options.head === true ? head : Buffer.concat([head, body]);
}

const PAGE = Buffer.from(
  `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>bsdsock</title></head>
<body>
<h1>Hello from bsdsock</h1>
<p>This page was sent by accept, recv and send from <code>bsdsock/promises</code>:
the BSD socket calls, one to one, on Node's event loop.</p>
<p>See <a href="/stats">/stats</a>.</p>
</body>
</html>
`,
  'utf8',
);

// ---- The server ----

let stopping = false;
let accepted = 0;
let requestsServed = 0;
const open = new Set<number>();

function closeConnection(fd: number): void {
  if (open.delete(fd)) close(fd);
}

function answer(request: Request): Buffer {
  requestsServed++; // counted before /stats is built, so /stats includes itself
  const close = !keepAlive(request);
  const http10KeepAlive = request.minor === 0 && !close;
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) {
    return response(405, 'text/plain', Buffer.from('method not allowed\n'), {
      close,
      http10KeepAlive,
      extra: 'Allow: GET, HEAD',
    });
  }
  // Only the path selects the page; a query string is ignored.
  const path = request.target.split('?')[0];
  if (path === '/') return response(200, 'text/html; charset=utf-8', PAGE, { head, close, http10KeepAlive });
  if (path === '/stats') {
    const stats = {
      connectionsAccepted: accepted,
      connectionsOpen: open.size,
      requestsServed,
      engine: engineStats(),
    };
    const body = Buffer.from(`${JSON.stringify(stats)}\n`);
    return response(200, 'application/json', body, { head, close, http10KeepAlive });
  }
  return response(404, 'text/plain', Buffer.from('not found\n'), { head, close, http10KeepAlive });
}

/** The `code` of a rejection from bsdsock/promises ('ECANCELED', ...). */
function codeOf(err: unknown): string | undefined {
  return err instanceof Error ? (err as Error & { code?: string }).code : undefined;
}

const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

// Closing a socket that still has unread input makes the kernel answer with
// a reset, and a reset can destroy the response still on its way to the
// client. So: send our FIN, read and drop what the client still sends until
// it closes too (or two seconds pass), and only then close.
async function lingeringClose(fd: number): Promise<void> {
  shutdown(fd, SHUT_WR);
  const sink = Buffer.allocUnsafe(4096);
  const signal = AbortSignal.timeout(2000);
  try {
    while ((await recv(fd, sink, sink.length, 0, { signal })) > 0);
  } catch {
    // The response is out; whatever the client does now no longer matters.
  }
}

async function serve(fd: number): Promise<void> {
  const buf = Buffer.allocUnsafe(MAX_HEAD);
  // buf[start, end) holds received bytes not yet parsed.
  let start = 0;
  let end = 0;
  // Bytes of a request body still to arrive and be dropped.
  let skip = 0;
  try {
    for (;;) {
      const n = await recv(fd, buf.subarray(end), buf.length - end, 0);
      if (n === 0) return; // the client closed: it wants no more answers
      end += n;

      // Answer every complete request in the buffer, and send the answers
      // together: a pipelining client gets one write, not one per request.
      const out: Buffer[] = [];
      let closing = false;
      while (!closing) {
        const dropped = Math.min(skip, end - start);
        skip -= dropped;
        start += dropped;
        if (skip > 0) break;
        // RFC 9112 asks servers to ignore empty lines before a request line.
        while (end - start >= 2 && buf[start] === 13 && buf[start + 1] === 10) start += 2;
        const at = buf.subarray(start, end).indexOf('\r\n\r\n');
        if (at < 0) break; // the rest of the head has not arrived yet
        const headEnd = start + at;
        try {
          const request = parseHead(buf.toString('latin1', start, headEnd));
          skip = bodyLength(request);
          out.push(answer(request));
          closing = !keepAlive(request);
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          // After a bad request the stream cannot be trusted to be in step:
          // answer and close.
          out.push(response(err.status, 'text/plain', Buffer.from(`${err.message}\n`), { close: true }));
          closing = true;
        }
        start = headEnd + 4;
      }

      // Keep the unparsed tail at the front, so the next recv has room.
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      if (!closing && end === buf.length) {
        out.push(response(431, 'text/plain', Buffer.from('request head too large\n'), { close: true }));
        closing = true;
      }

      if (out.length > 0) {
        const bytes = out.length === 1 ? out[0] : Buffer.concat(out);
        await send(fd, bytes, bytes.length, 0);
      }
      if (closing) {
        await lingeringClose(fd);
        return;
      }
    }
  } catch (err) {
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
      if (stopping) return;
      process.stderr.write(`${String(err)}\n`);
      const code = codeOf(err);
      if (code === 'EMFILE' || code === 'ENFILE' || code === 'ENOBUFS' || code === 'ENOMEM') {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      continue;
    }
    if (stopping) {
      close(fd);
      return;
    }
    accepted++;
    open.add(fd);
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
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    setTimeout(() => {
      process.stderr.write('still running 10 s after shutdown: something was left open\n');
      process.exit(1);
    }, 10_000).unref();
    // Connections are closed mid-request if need be: the pending recv or
    // send rejects with ECANCELED and each loop ends.
    close(listener.fd);
    for (const fd of [...open]) closeConnection(fd);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`listening on ${listener.where}\n`);
  const connections = new Set<Promise<void>>();
  await acceptLoop(listener.fd, connections);
  await Promise.all([...connections]);
  process.stdout.write(`closed: ${accepted} connections served, ${requestsServed} requests answered\n`);
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
