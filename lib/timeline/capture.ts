// Watching the wire and the kernel's sockets with this package's own calls: a packet socket
// (AF_PACKET/SOCK_RAW) on an interface, each frame stamped by the kernel on CLOCK_REALTIME
// (SO_TIMESTAMPNS), the clock of the tracer's JSON records; and the kernel's table of TCP sockets over
// netlink (NETLINK_SOCK_DIAG), as ss(8) reads it. A packet socket needs CAP_NET_RAW: an unprivileged
// user has it inside a network namespace of their own (`unshare -rn`), where lo is theirs alone.
import * as C from '../constants.gen';
import { errno, strerror } from '../errno';
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_PACKET,
  CMSG_DATA,
  CMSG_FIRSTHDR,
  CMSG_NXTHDR,
  CMSG_SPACE,
  NLMSG_DATA,
  NLMSG_LENGTH,
  NLMSG_NEXT,
  NLMSG_OK,
  bind,
  close,
  htons,
  if_nametoindex,
  ntohs,
  ioctl,
  recv,
  recvmsg,
  sendto,
  setsockopt,
  socket,
} from '../index';
import {
  cast,
  ifreq,
  inet_diag_msg,
  inet_diag_req_v2,
  iovec,
  msghdr,
  nlmsghdr,
  ptr,
  sizeof,
  sockaddr,
  sockaddr_ll,
  sockaddr_nl,
  timespec,
} from '../structs';
import { ipv6Text, tcpStateName, type TcpState } from '../trace/sockets';
import { decodeFrame, type Packet } from './packets';

/** A frame the capture saw, with the kernel's timestamp. */
export interface CapturedPacket {
  /** When the kernel saw it: nanoseconds since the epoch on CLOCK_REALTIME. */
  readonly ns: bigint;
  /** The frame, decoded. */
  readonly packet: Packet;
}

/** Why something could not be done, as one line: the call and its error. */
export class CaptureError extends Error {
  constructor(
    /** The call that failed (`socket(AF_PACKET)`). */
    readonly call: string,
    /** Its errno. */
    readonly errnum: number,
  ) {
    super(
      `${call}: ${strerror(errnum)}${errnum === C.EPERM || errnum === C.EACCES ? ' (a packet socket needs CAP_NET_RAW: run inside `unshare -rn`)' : ''}`,
    );
  }
}

function int(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

/**
 * Brings an interface up (ioctl SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP), as `ip link set lo up`
 * does: lo is down in a new network namespace. Throws a CaptureError when it cannot.
 */
export function interfaceUp(ifname = 'lo'): void {
  const fd = socket(AF_INET, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0);
  if (fd < 0) throw new CaptureError('socket(AF_INET, SOCK_DGRAM)', errno);
  try {
    const ifr = new ifreq();
    ifr.ifr_name = ifname;
    if (ioctl(fd, C.SIOCGIFFLAGS, ifr) < 0) throw new CaptureError(`ioctl(SIOCGIFFLAGS, "${ifname}")`, errno);
    if ((ifr.ifr_flags & C.IFF_UP) !== 0) return;
    ifr.ifr_flags |= C.IFF_UP;
    if (ioctl(fd, C.SIOCSIFFLAGS, ifr) < 0) throw new CaptureError(`ioctl(SIOCSIFFLAGS, "${ifname}")`, errno);
  } finally {
    close(fd);
  }
}

/**
 * A packet capture on one interface: every frame that arrives on it (on lo, each frame once: the
 * outgoing copy is left out), timestamped by the kernel. Non-blocking: read() takes what has arrived.
 */
export class PacketCapture {
  private readonly frame: Buffer;
  private readonly iov = new iovec();
  private readonly from = new sockaddr_ll();
  private readonly control = Buffer.alloc(CMSG_SPACE(sizeof(timespec)) * 2);
  private readonly keepOutgoing: boolean;
  private closed = false;

  private constructor(
    /** The packet socket's descriptor. */
    readonly fd: number,
    /** The interface it listens on. */
    readonly ifname: string,
    snaplen: number,
    ignoresOutgoing: boolean,
  ) {
    this.frame = Buffer.alloc(snaplen);
    this.iov.iov_base = this.frame;
    this.iov.iov_len = snaplen;
    this.keepOutgoing = !ignoresOutgoing;
  }

  /**
   * Opens a capture on `ifname` (lo by default). Throws a CaptureError that says which call failed
   * and why (EPERM: no CAP_NET_RAW here).
   * @param ifname - the interface.
   * @param snaplen - how many bytes of each frame to keep (headers and the start of the payload).
   */
  static open(ifname = 'lo', snaplen = 256): PacketCapture {
    if (AF_PACKET === undefined) throw new CaptureError('socket(AF_PACKET)', C.EAFNOSUPPORT ?? 97);
    const ifindex = if_nametoindex(ifname);
    if (ifindex === 0) throw new CaptureError(`if_nametoindex("${ifname}")`, errno);
    const fd = socket(AF_PACKET, C.SOCK_RAW | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, htons(C.ETH_P_ALL));
    if (fd < 0) throw new CaptureError('socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))', errno);
    try {
      if (setsockopt(fd, C.SOL_SOCKET, C.SO_TIMESTAMPNS, int(1), 4) < 0) {
        throw new CaptureError('setsockopt(SO_TIMESTAMPNS)', errno);
      }
      // Room for a burst: lessons send more than the seed's handful of segments before read() runs.
      setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, int(4 << 20), 4);
      const ignoresOutgoing =
        C.PACKET_IGNORE_OUTGOING !== undefined &&
        setsockopt(fd, C.SOL_PACKET, C.PACKET_IGNORE_OUTGOING, int(1), 4) === 0;
      const ll = new sockaddr_ll();
      ll.sll_family = AF_PACKET;
      ll.sll_protocol = htons(C.ETH_P_ALL);
      ll.sll_ifindex = ifindex;
      if (bind(fd, cast(sockaddr, ll), sizeof(ll)) < 0) throw new CaptureError(`bind(AF_PACKET, "${ifname}")`, errno);
      return new PacketCapture(fd, ifname, snaplen, ignoresOutgoing);
    } catch (e) {
      close(fd);
      throw e;
    }
  }

  /** The frames that arrived since the last read, oldest first. */
  read(): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    while (!this.closed) {
      const msg = new msghdr();
      msg.msg_name = this.from;
      msg.msg_namelen = sizeof(this.from);
      msg.msg_iov = [this.iov];
      msg.msg_iovlen = 1;
      msg.msg_control = this.control;
      msg.msg_controllen = this.control.length;
      const n = recvmsg(this.fd, msg, C.MSG_TRUNC);
      if (n < 0) {
        if (errno === C.EAGAIN || errno === C.EWOULDBLOCK || errno === C.EINTR) break;
        throw new CaptureError('recvmsg(AF_PACKET)', errno);
      }
      if (this.keepOutgoing && this.from.sll_pkttype === C.PACKET_OUTGOING) continue;
      let ns: bigint | null = null;
      for (let c = CMSG_FIRSTHDR(msg); c !== null; c = CMSG_NXTHDR(msg, c)) {
        if (c.cmsg_level === C.SOL_SOCKET && c.cmsg_type === C.SCM_TIMESTAMPNS) {
          const ts = cast(timespec, CMSG_DATA(c));
          ns = BigInt(ts.tv_sec) * 1_000_000_000n + BigInt(ts.tv_nsec);
        }
      }
      const kept = Math.min(n, this.frame.length);
      out.push({ ns: ns ?? BigInt(Date.now()) * 1_000_000n, packet: decodeFrame(this.frame.subarray(0, kept), n) });
    }
    return out;
  }

  /** Closes the packet socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}

/** One TCP socket of the kernel's table (sock_diag). */
export interface KernelSocket {
  /** Its local address and port: `127.0.0.1:8080`. */
  readonly local: string;
  /** Its peer's, or `*` for a listener. */
  readonly peer: string;
  /** Its state. */
  readonly state: TcpState;
  /** Milliseconds left on its timer (a TIME_WAIT socket's time to live), 0 when none runs. */
  readonly expiresMs: number;
}

/**
 * The TCP sockets of this network namespace, in every state, asked of the kernel over
 * NETLINK_SOCK_DIAG (an inet_diag_req_v2 dump per family), as `ss -tan` asks.
 */
export function tcpSockets(): KernelSocket[] {
  const out: KernelSocket[] = [];
  for (const family of [AF_INET, AF_INET6]) out.push(...dumpFamily(family));
  return out;
}

function dumpFamily(family: number): KernelSocket[] {
  const nl = socket(AF_NETLINK, C.SOCK_RAW | C.SOCK_CLOEXEC, C.NETLINK_SOCK_DIAG);
  if (nl < 0) throw new CaptureError('socket(AF_NETLINK, NETLINK_SOCK_DIAG)', errno);
  try {
    const buf = Buffer.alloc(32768);
    const nh = cast(nlmsghdr, buf);
    const req = cast(inet_diag_req_v2, NLMSG_DATA(nh));
    nh.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
    nh.nlmsg_type = C.SOCK_DIAG_BY_FAMILY;
    nh.nlmsg_flags = C.NLM_F_REQUEST | C.NLM_F_DUMP;
    req.sdiag_family = family;
    req.sdiag_protocol = C.IPPROTO_TCP;
    req.idiag_states = 0xffffffff;
    const kernel = new sockaddr_nl();
    kernel.nl_family = AF_NETLINK;
    if (sendto(nl, buf, nh.nlmsg_len, 0, kernel, sizeof(kernel)) < 0)
      throw new CaptureError('sendto(NETLINK_SOCK_DIAG)', errno);
    const out: KernelSocket[] = [];
    for (;;) {
      const len = new ptr(recv(nl, buf, buf.length, 0));
      if (len.value < 0) throw new CaptureError('recv(NETLINK_SOCK_DIAG)', errno);
      for (let m = cast(nlmsghdr, buf); NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
        if (m.nlmsg_type === C.NLMSG_DONE) return out;
        if (m.nlmsg_type === C.NLMSG_ERROR) throw new CaptureError('NETLINK_SOCK_DIAG dump', C.EINVAL);
        const d = cast(inet_diag_msg, NLMSG_DATA(m));
        const state = tcpStateName(d.idiag_state);
        if (state === undefined) continue;
        const address = (raw: Uint8Array, port: number): string =>
          d.idiag_family === AF_INET ? `${[...raw.subarray(0, 4)].join('.')}:${port}` : `[${ipv6Text(raw)}]:${port}`;
        const sport = ntohs(d.id.idiag_sport);
        const dport = ntohs(d.id.idiag_dport);
        out.push({
          local: address(d.id.idiag_src, sport),
          peer: dport === 0 && state === 'LISTEN' ? '*' : address(d.id.idiag_dst, dport),
          state,
          expiresMs: d.idiag_expires,
        });
      }
    }
  } finally {
    close(nl);
  }
}
