// What the kernel says about a TCP socket when a traced call returns: its addresses and its state
// (TCP_INFO's tcpi_state). The timeline (lib/timeline) draws each side's TCP states from the packets
// it captured, and checks them against these answers; the tracer adds them to its JSON records when
// asked (BSDSOCK_TRACE_SOCKETS=1). Asked of the addon directly, so that neither errno nor the trace
// sees these extra calls.
import * as C from '../constants.gen';
import { native } from '../native';
import { sockaddr_in, sockaddr_in6, sockaddr_storage, tcp_info } from '../structs';

/** One TCP socket as the kernel describes it. */
export interface SocketState {
  /** The descriptor, in the process that made the call. */
  readonly fd: number;
  /** Its local address, as `127.0.0.1:8080` or `[::1]:8080`. */
  readonly local: string;
  /** Its peer's address, or `*` when it has none (a listener, a socket never connected). */
  readonly peer: string;
  /** Its TCP state, named as RFC 793 names it: `LISTEN`, `SYN_SENT`, ..., `CLOSED`. */
  readonly state: TcpState;
}

/** The TCP states, under the names of RFC 793 (Linux's TCP_CLOSE is CLOSED here). */
export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSED'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING';

// The kernel's numbers (netinet/tcp.h), from the system headers like every constant.
const STATE_BY_NUMBER: ReadonlyMap<number, TcpState> = new Map<number, TcpState>(
  (
    [
      [C.TCP_ESTABLISHED, 'ESTABLISHED'],
      [C.TCP_SYN_SENT, 'SYN_SENT'],
      [C.TCP_SYN_RECV, 'SYN_RECV'],
      [C.TCP_FIN_WAIT1, 'FIN_WAIT1'],
      [C.TCP_FIN_WAIT2, 'FIN_WAIT2'],
      [C.TCP_TIME_WAIT, 'TIME_WAIT'],
      [C.TCP_CLOSE, 'CLOSED'],
      [C.TCP_CLOSE_WAIT, 'CLOSE_WAIT'],
      [C.TCP_LAST_ACK, 'LAST_ACK'],
      [C.TCP_LISTEN, 'LISTEN'],
      [C.TCP_CLOSING, 'CLOSING'],
    ] as const
  ).filter(([n]) => n !== undefined),
);

/**
 * The name of a kernel TCP state number (tcpi_state, idiag_state), or undefined for one the headers
 * do not define.
 */
export function tcpStateName(n: number): TcpState | undefined {
  return STATE_BY_NUMBER.get(n);
}

/** `127.0.0.1:8080`, `[::1]:8080`, or null for a family other than AF_INET and AF_INET6. */
export function endpointText(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [familyAt] = sockaddr_storage.layout.fields.ss_family;
  const family = new Uint16Array(new Uint8Array(b.subarray(familyAt, familyAt + 2)).buffer)[0];
  // The port is in network order in every family: read it big-endian.
  if (family === C.AF_INET) {
    const [portAt] = sockaddr_in.layout.fields.sin_port;
    const [addrAt] = sockaddr_in.layout.fields.sin_addr;
    return `${[...b.subarray(addrAt, addrAt + 4)].join('.')}:${b.readUInt16BE(portAt)}`;
  }
  if (family === C.AF_INET6) {
    const [portAt] = sockaddr_in6.layout.fields.sin6_port;
    const [addrAt] = sockaddr_in6.layout.fields.sin6_addr;
    return `[${ipv6Text(b.subarray(addrAt, addrAt + 16))}]:${b.readUInt16BE(portAt)}`;
  }
  return null;
}

/** An IPv6 address as inet_ntop writes it (the longest run of zero groups as `::`). */
export function ipv6Text(raw: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((raw[i] << 8) | raw[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${raw[12]}.${raw[13]}.${raw[14]}.${raw[15]}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const ANY = new Set(['0.0.0.0:0', '[::]:0']);

/**
 * The kernel's view of descriptor fd if it is a TCP socket (TCP_INFO answers), else null. Makes only
 * getsockopt, getsockname and getpeername, through the addon: errno and the trace are untouched.
 */
export function tcpSocketState(fd: number): SocketState | null {
  if (!Number.isInteger(fd) || fd < 0 || C.TCP_INFO === undefined) return null;
  const info = new tcp_info();
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.bytes.length);
  // A socket that is not TCP (or not a socket) answers with an error: nothing to say then.
  if (native.getsockopt(fd, C.IPPROTO_TCP, C.TCP_INFO, info.bytes, len) < 0) return null;
  const state = tcpStateName(info.tcpi_state);
  if (state === undefined) return null;
  const address = (which: 'getsockname' | 'getpeername'): string => {
    const addr = new sockaddr_storage();
    const addrlen = Buffer.alloc(4);
    addrlen.writeUInt32LE(addr.bytes.length);
    if (native[which](fd, addr.bytes, addrlen) < 0) return '*';
    const text = endpointText(addr.bytes);
    return text === null || ANY.has(text) ? '*' : text;
  };
  return { fd, local: address('getsockname'), peer: address('getpeername'), state };
}
