// inspect(fd): what ss(8) would say of one descriptor, put together from the package's own calls
// (getsockopt, getsockname, getpeername, fcntl) so that a learner can see where each column comes
// from. They are made on the addon directly: inspecting is not part of the program, so it writes no
// trace lines and leaves errno alone unless it fails.
//
// State: on Linux from TCP_INFO's first byte (tcpi_state) for TCP, as ss reads it. Queue sizes: ss
// asks the kernel over sock_diag netlink, and a program would use the SIOCINQ/SIOCOUTQ ioctls, which
// this package does not expose; inspect reads the same counters from /proc/net/{tcp,tcp6,udp,udp6},
// found by the socket's inode (/proc/self/fd/N -> socket:[inode]). Where /proc has nothing (Unix
// sockets, other systems) they are undefined. SO_ERROR is deliberately not read: reading it clears the
// pending error, which the program may be about to ask for.
import { readFileSync, readlinkSync } from 'node:fs';
import { inspect as utilInspect } from 'node:util';
import * as C from './constants.gen';
import { constantName } from './names';
import { setErrno } from './errno';
import { native } from './native';
import { sockaddr_in, sockaddr_in6, sockaddr_storage, sockaddr_un, socklen_t } from './structs';

/** A socket state as ss(8) names it. */
export type SocketState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'UNCONN'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'UNKNOWN';

/**
 * The options a learner sets, as the socket has them now. An option is absent where the platform
 * lacks it or it does not apply (TCP_NODELAY on a UDP socket, IPV6_V6ONLY on an IPv4 one).
 */
export interface SocketOptions {
  /** The socket is listening (listen was called). */
  SO_ACCEPTCONN?: boolean;
  /** bind may reuse a local address still in TIME_WAIT (socket(7)). */
  SO_REUSEADDR?: boolean;
  /** Several sockets may bind the same address and port, the kernel sharing the load (socket(7)). */
  SO_REUSEPORT?: boolean;
  /** Keep-alive probes are sent on an idle connection (socket(7), tcp(7)). */
  SO_KEEPALIVE?: boolean;
  /** Datagrams may be sent to a broadcast address (socket(7)). */
  SO_BROADCAST?: boolean;
  /** Bytes; Linux doubles what setsockopt was given (socket(7)). */
  SO_RCVBUF?: number;
  /** Bytes; Linux doubles what setsockopt was given (socket(7)). */
  SO_SNDBUF?: number;
  /** Nagle's algorithm is off: small segments go out at once (tcp(7)). */
  TCP_NODELAY?: boolean;
  /** An AF_INET6 socket takes IPv6 only, no IPv4-mapped addresses (ipv6(7)). */
  IPV6_V6ONLY?: boolean;
  /** From fcntl(F_GETFL). */
  O_NONBLOCK?: boolean;
  /** From fcntl(F_GETFD). */
  FD_CLOEXEC?: boolean;
}

// The kernel's TCP states (include/net/tcp_states.h, also glibc's netinet/tcp.h enum, which the
// constants table cannot see) in ss's spelling: tcpi_state and /proc/net's `st` column use them.
const LINUX_STATES: readonly SocketState[] = [
  'UNKNOWN',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'SYN-RECV', // TCP_NEW_SYN_RECV
];

/** One descriptor, as ss(8) would describe it. Made by `inspect(fd)`. */
export class SocketInfo {
  /**
   * @param fd - the descriptor.
   * @param family - 'AF_INET', 'AF_INET6', 'AF_UNIX', ... (SO_DOMAIN, or the bound address's family).
   * @param type - 'SOCK_STREAM', 'SOCK_DGRAM', ... (SO_TYPE).
   * @param protocol - 'IPPROTO_TCP', 'IPPROTO_UDP', ... for the IP families; the number otherwise (SO_PROTOCOL).
   * @param local - getsockname as ss writes it: '127.0.0.1:43210', '[::1]:43210', a Unix path,
   *   '@name' for an abstract Unix name, '*' for an unbound one.
   * @param peer - getpeername the same way, or null when not connected.
   * @param state - ss's state name: 'LISTEN', 'ESTAB', 'UNCONN', 'TIME-WAIT', ...
   * @param recvQ - ss's Recv-Q: for a listening TCP socket the connections waiting in the accept queue;
   *   for a connected one the bytes received and not yet read; for UDP the receive buffer's bytes in use.
   *   Undefined where /proc/net does not show it (Unix sockets, non-Linux).
   * @param sendQ - ss's Send-Q for a connected TCP socket: bytes sent and not yet acknowledged; for UDP
   *   the send buffer's bytes in use. Undefined for a listening socket (ss shows the backlog there, which
   *   only netlink or TCP_INFO's later fields give) and where recvQ is undefined.
   * @param options - the options set now.
   */
  constructor(
    readonly fd: number,
    readonly family: string,
    readonly type: string,
    readonly protocol: string,
    readonly local: string,
    readonly peer: string | null,
    readonly state: SocketState,
    readonly recvQ: number | undefined,
    readonly sendQ: number | undefined,
    readonly options: Readonly<SocketOptions>,
  ) {}

  /** ss's Netid column: tcp, udp, u_str, u_dgr, u_seq, raw, ... */
  get netid(): string {
    if (this.family === 'AF_UNIX') {
      const kind = { SOCK_STREAM: 'u_str', SOCK_DGRAM: 'u_dgr', SOCK_SEQPACKET: 'u_seq' }[this.type];
      return kind ?? this.type.toLowerCase();
    }
    if (this.protocol.startsWith('IPPROTO_')) return this.protocol.slice('IPPROTO_'.length).toLowerCase();
    return this.type === 'SOCK_RAW' ? 'raw' : this.family.toLowerCase();
  }

  /**
   * One line as ss writes one socket (Netid State Recv-Q Send-Q Local Peer), after the descriptor,
   * followed by the options: booleans by name when set, sizes as NAME=value.
   */
  toString(): string {
    const q = (n: number | undefined): string => (n === undefined ? '-' : String(n));
    const opts = Object.entries(this.options)
      .filter(([, v]) => v !== false)
      .map(([k, v]) => (v === true ? k : `${k}=${String(v)}`));
    const peer = this.peer ?? (this.family === 'AF_INET' ? '0.0.0.0:*' : this.family === 'AF_INET6' ? '[::]:*' : '*');
    return `fd ${this.fd}: ${this.netid} ${this.state} ${q(this.recvQ)} ${q(this.sendQ)} ${this.local} ${peer} ${opts.join(' ')}`.trimEnd();
  }

  /** What util.inspect and console.log print: `SocketInfo <the ss line>`. */
  [utilInspect.custom](): string {
    return `SocketInfo <${this.toString()}>`;
  }
}

const cell = new Int32Array(1);
const cellLen = new socklen_t(4);

// An int option, or undefined when the platform lacks it or the socket refuses it.
function intOption(fd: number, level: number | undefined, name: number | undefined): number | undefined {
  if (level === undefined || name === undefined) return undefined;
  cellLen.value = cell.byteLength;
  return native.getsockopt(fd, level, name, cell, cellLen.bytes) < 0 ? undefined : cell[0];
}

function boolOption(fd: number, level: number | undefined, name: number | undefined): boolean | undefined {
  const v = intOption(fd, level, name);
  return v === undefined ? undefined : v !== 0;
}

function be16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

// An address as ss writes it; null when the call fails (getpeername: not connected).
function addressText(fd: number, call: 'getsockname' | 'getpeername'): string | null {
  const ss = new sockaddr_storage();
  const len = new socklen_t(ss.bytes.length);
  if (native[call](fd, ss.bytes, len.bytes) < 0) return null;
  const b = ss.bytes;
  const n = Math.min(len.value, b.length);
  if (n === 0 || ss.ss_family === C.AF_UNSPEC) return call === 'getpeername' ? null : '*';
  if (ss.ss_family === C.AF_INET) {
    const f = sockaddr_in.layout.fields;
    const a = f.sin_addr[0];
    return `${b[a]}.${b[a + 1]}.${b[a + 2]}.${b[a + 3]}:${be16(b, f.sin_port[0])}`;
  }
  if (ss.ss_family === C.AF_INET6) {
    const f = sockaddr_in6.layout.fields;
    const a = f.sin6_addr[0];
    const ip = String(native.inet_ntop(C.AF_INET6, b.subarray(a, a + 16), null, C.INET6_ADDRSTRLEN));
    return `[${ip}]:${be16(b, f.sin6_port[0])}`;
  }
  if (ss.ss_family === C.AF_UNIX) {
    const off = sockaddr_un.layout.fields.sun_path[0];
    // An unnamed socket (socketpair, an unbound client) has nothing past the family.
    if (n <= off) return '*';
    const path = b.subarray(off, n);
    // ss writes an abstract name's NULs, the leading one included, as '@'.
    if (path[0] === 0) return Buffer.from(path).toString('utf8').replace(/\0/g, '@');
    const end = path.indexOf(0);
    return Buffer.from(path.subarray(0, end < 0 ? path.length : end)).toString('utf8');
  }
  return `family ${ss.ss_family}`;
}

/** What /proc/net says of the socket with this inode: [state, tx_queue, rx_queue]. */
function procNet(fd: number, file: string): [number, number, number] | undefined {
  let inode: string;
  let text: string;
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    if (m === null) return undefined;
    inode = m[1];
    text = readFileSync(`/proc/net/${file}`, 'latin1');
  } catch {
    return undefined;
  }
  // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
  for (const row of text.split('\n').slice(1)) {
    const col = row.trim().split(/\s+/);
    if (col.length < 10 || col[9] !== inode) continue;
    const [tx, rx] = col[4].split(':').map((h) => parseInt(h, 16));
    return [parseInt(col[3], 16), tx, rx];
  }
  return undefined;
}

function procFile(family: number, protocol: number): string | undefined {
  const six = family === C.AF_INET6 ? '6' : family === C.AF_INET ? '' : undefined;
  if (six === undefined) return undefined;
  if (protocol === C.IPPROTO_TCP) return `tcp${six}`;
  if (protocol === C.IPPROTO_UDP) return `udp${six}`;
  if (protocol === C.IPPROTO_UDPLITE) return `udplite${six}`;
  return undefined;
}

/**
 * Describes a socket as ss(8) would: family, type, protocol, local and peer address, state, queue
 * sizes and the options a learner sets. Not a C call: it is made of getsockopt, getsockname,
 * getpeername and fcntl (made beneath the tracer, leaving errno alone), plus /proc/net on Linux for
 * the queue sizes. `util.inspect` and `console.log` print it as one ss-like line.
 * @param fd - the descriptor.
 * @returns a SocketInfo, or null with errno set, as C would: EBADF (not an open descriptor),
 *   ENOTSOCK (a descriptor that is not a socket).
 */
export function inspect(fd: number): SocketInfo | null {
  // SO_TYPE answers for every socket, so its failure is the answer for a descriptor that is none.
  cellLen.value = cell.byteLength;
  const r = native.getsockopt(fd, C.SOL_SOCKET, C.SO_TYPE, cell, cellLen.bytes);
  if (r < 0) {
    setErrno(-r);
    return null;
  }
  const type = cell[0];
  const domain =
    intOption(fd, C.SOL_SOCKET, C.SO_DOMAIN) ??
    (() => {
      const ss = new sockaddr_storage();
      const len = new socklen_t(ss.bytes.length);
      return native.getsockname(fd, ss.bytes, len.bytes) < 0 ? C.AF_UNSPEC : ss.ss_family;
    })();
  const ip = domain === C.AF_INET || domain === C.AF_INET6;
  let proto = intOption(fd, C.SOL_SOCKET, C.SO_PROTOCOL);
  // Without SO_PROTOCOL (macOS), the IP families' defaults are what a learner asks for with 0.
  if (proto === undefined && ip)
    proto = type === C.SOCK_STREAM ? C.IPPROTO_TCP : type === C.SOCK_DGRAM ? C.IPPROTO_UDP : 0;
  proto ??= 0;
  const tcp = ip && proto === C.IPPROTO_TCP;

  const options: SocketOptions = {};
  const put = <K extends keyof SocketOptions>(k: K, v: SocketOptions[K] | undefined): void => {
    if (v !== undefined) options[k] = v;
  };
  put('SO_ACCEPTCONN', boolOption(fd, C.SOL_SOCKET, C.SO_ACCEPTCONN));
  put('SO_REUSEADDR', boolOption(fd, C.SOL_SOCKET, C.SO_REUSEADDR));
  if (ip) put('SO_REUSEPORT', boolOption(fd, C.SOL_SOCKET, C.SO_REUSEPORT));
  put('SO_KEEPALIVE', boolOption(fd, C.SOL_SOCKET, C.SO_KEEPALIVE));
  if (ip && type === C.SOCK_DGRAM) put('SO_BROADCAST', boolOption(fd, C.SOL_SOCKET, C.SO_BROADCAST));
  put('SO_RCVBUF', intOption(fd, C.SOL_SOCKET, C.SO_RCVBUF));
  put('SO_SNDBUF', intOption(fd, C.SOL_SOCKET, C.SO_SNDBUF));
  if (tcp) put('TCP_NODELAY', boolOption(fd, C.IPPROTO_TCP, C.TCP_NODELAY));
  if (domain === C.AF_INET6) put('IPV6_V6ONLY', boolOption(fd, C.IPPROTO_IPV6, C.IPV6_V6ONLY));
  const fl = native.fcntl(fd, C.F_GETFL);
  if (fl >= 0) put('O_NONBLOCK', (fl & C.O_NONBLOCK) !== 0);
  const fdFlags = native.fcntl(fd, C.F_GETFD);
  if (fdFlags >= 0) put('FD_CLOEXEC', (fdFlags & C.FD_CLOEXEC) !== 0);

  const peer = addressText(fd, 'getpeername');
  const linux = process.platform === 'linux';
  const file = linux ? procFile(domain, proto) : undefined;
  const proc = file === undefined ? undefined : procNet(fd, file);

  let state: SocketState;
  let tcpState: number | undefined;
  if (linux && tcp && C.TCP_INFO !== undefined) {
    // Only tcpi_state, the struct's first byte: the kernel copies as much of tcp_info as asked for.
    const info = new Uint8Array(1);
    const len = new socklen_t(1);
    if (native.getsockopt(fd, C.IPPROTO_TCP, C.TCP_INFO, info, len.bytes) >= 0 && len.value >= 1) tcpState = info[0];
  }
  tcpState ??= proc?.[0];
  if (tcpState !== undefined) state = LINUX_STATES[tcpState] ?? 'UNKNOWN';
  else if (options.SO_ACCEPTCONN === true) state = 'LISTEN';
  else state = peer === null ? 'UNCONN' : 'ESTAB';

  let recvQ: number | undefined;
  let sendQ: number | undefined;
  if (proc !== undefined) {
    recvQ = proc[2];
    // For a listening socket /proc's tx_queue is 0, not the backlog ss would show: better unknown.
    sendQ = state === 'LISTEN' ? undefined : proc[1];
  }

  return new SocketInfo(
    fd,
    constantName('AF_', domain) ?? String(domain),
    constantName('SOCK_', type) ?? String(type),
    ip ? (constantName('IPPROTO_', proto) ?? String(proto)) : String(proto),
    addressText(fd, 'getsockname') ?? '*',
    peer,
    state,
    recvQ,
    sendQ,
    options,
  );
}
