// bench/c/common.h transcribed call for call onto bsdsock's synchronous
// API, and the same stdout protocol for the harness: "port <n>" once
// listening, "done n=<ops> cpu_us=<us>" (server) or "done n=<ops> ns=<ns>"
// (client) at the end.
import {
  AF_INET,
  EXIT_FAILURE,
  INADDR_LOOPBACK,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
  SO_REUSEADDR,
  bind,
  connect,
  getsockname,
  htonl,
  htons,
  listen,
  ntohs,
  perror,
  setsockopt,
  sizeof,
  sockaddr_in,
  socket,
  socklen_t,
} from 'bsdsock';

export function die(what: string): never {
  perror(what);
  process.exit(EXIT_FAILURE);
}

export function arg_count(s: string | undefined): number {
  const v = Number(s);
  if (s === undefined || s === '' || !Number.isSafeInteger(v) || v < 0) {
    process.stderr.write(`not a count: ${s}\n`);
    process.exit(EXIT_FAILURE);
  }
  return v;
}

export function now_ns(): bigint {
  return process.hrtime.bigint();
}

export function cpu_us(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function listen_on(port: number): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die('socket');
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, sizeof('int')) < 0) die('setsockopt');
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, addr, sizeof(addr)) < 0) die('bind');
  if (listen(fd, SOMAXCONN) < 0) die('listen');
  const len = new socklen_t(sizeof(addr));
  if (getsockname(fd, addr, len) < 0) die('getsockname');
  process.stdout.write(`port ${ntohs(addr.sin_port)}\n`);
  return fd;
}

export function connect_to(port: number): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die('socket');
  const addr = new sockaddr_in();
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, addr, sizeof(addr)) < 0) die('connect');
  return fd;
}

export function usage(text: string): never {
  process.stderr.write(`usage: ${text}\n`);
  process.exit(EXIT_FAILURE);
}
