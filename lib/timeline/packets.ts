// Decoding captured frames: the Ethernet header an AF_PACKET socket delivers (lo has one too, of
// zeros), then IPv4 or IPv6, then TCP, as the RFCs lay them out (RFC 791, 8200, 9293). Only what a
// learner reads off the wire is kept: addresses, ports, flags, sequence and acknowledgment numbers,
// the payload's length. Anything else is an `other` packet that says why it was not decoded, so that
// a timeline never drops a packet silently.
import * as C from '../constants.gen';
import { ipv6Text } from '../trace/sockets';

/** TCP's flag bits (RFC 9293, section 3.1), from netinet/tcp.h's TH_* names. */
export const TCP_FLAGS = {
  /** No more data from the sender (TH_FIN). */
  FIN: C.TH_FIN,
  /** Synchronize sequence numbers: the first segment of each direction (TH_SYN). */
  SYN: C.TH_SYN,
  /** Reset the connection (TH_RST). */
  RST: C.TH_RST,
  /** Push: hand the data to the application now (TH_PUSH). */
  PSH: C.TH_PUSH,
  /** The acknowledgment number is valid (TH_ACK). */
  ACK: C.TH_ACK,
  /** The urgent pointer is valid (TH_URG). */
  URG: C.TH_URG,
} as const;

/** A TCP segment read off the wire. */
export interface TcpSegment {
  /** Always `tcp`: what tells a segment from an OtherPacket. */
  readonly kind: 'tcp';
  /** `IPv4` or `IPv6`. */
  readonly ip: 'IPv4' | 'IPv6';
  /** The sender's address and port, as `127.0.0.1:46406` (`[::1]:46406` for IPv6). */
  readonly from: string;
  /** The receiver's address and port. */
  readonly to: string;
  /** The flag bits (TCP_FLAGS). */
  readonly flags: number;
  /** The sequence number. */
  readonly seq: number;
  /** The acknowledgment number (meaningful when ACK is set). */
  readonly ack: number;
  /** The payload's length in bytes, from the IP header (the capture may hold fewer of them). */
  readonly length: number;
  /** The payload bytes the capture holds (at most its snapshot length). */
  readonly data: Buffer;
}

/** A frame that is not a TCP segment this decoder reads, with the reason. */
export interface OtherPacket {
  /** Always `other`. */
  readonly kind: 'other';
  /** What the frame is, or why it could not be decoded: `ARP`, `UDP 127.0.0.1:5353 > ...`, `truncated IPv4 header`. */
  readonly what: string;
  /** The frame's length on the wire. */
  readonly length: number;
}

/** What decodeFrame makes of a frame. */
export type Packet = TcpSegment | OtherPacket;

// From the system headers (linux/if_ether.h, netinet/in.h), like every constant of the package.
const ETH_HLEN = C.ETH_HLEN ?? NaN;
/**
 * Decodes one frame as an AF_PACKET/SOCK_RAW socket on an Ethernet-like interface delivers it.
 * @param frame - the bytes received (possibly cut at the capture's snapshot length).
 * @param wireLength - the frame's length on the wire (recv's return with MSG_TRUNC), if known.
 */
export function decodeFrame(frame: Uint8Array, wireLength: number = frame.length): Packet {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const other = (what: string): OtherPacket => ({ kind: 'other', what, length: wireLength });
  if (b.length < ETH_HLEN) return other(`truncated Ethernet header (${b.length} bytes)`);
  const ethertype = b.readUInt16BE(12);
  if (ethertype === C.ETH_P_ARP) return other('ARP');
  if (ethertype === C.ETH_P_IP) {
    if (b.length < ETH_HLEN + 20) return other('truncated IPv4 header');
    const ihl = (b[ETH_HLEN] & 0x0f) * 4;
    if (b[ETH_HLEN] >> 4 !== 4 || ihl < 20) return other('IPv4 header with a bad version or length');
    const total = b.readUInt16BE(ETH_HLEN + 2);
    const proto = b[ETH_HLEN + 9];
    const src = [...b.subarray(ETH_HLEN + 12, ETH_HLEN + 16)].join('.');
    const dst = [...b.subarray(ETH_HLEN + 16, ETH_HLEN + 20)].join('.');
    const fragment = b.readUInt16BE(ETH_HLEN + 6) & 0x1fff;
    if (fragment !== 0) return other(`IPv4 fragment ${src} > ${dst}`);
    return transport(b, ETH_HLEN + ihl, total - ihl, proto, src, dst, 'IPv4', other);
  }
  if (ethertype === C.ETH_P_IPV6) {
    if (b.length < ETH_HLEN + 40) return other('truncated IPv6 header');
    const payload = b.readUInt16BE(ETH_HLEN + 4);
    const next = b[ETH_HLEN + 6];
    const src = `[${ipv6Text(b.subarray(ETH_HLEN + 8, ETH_HLEN + 24))}]`;
    const dst = `[${ipv6Text(b.subarray(ETH_HLEN + 24, ETH_HLEN + 40))}]`;
    return transport(b, ETH_HLEN + 40, payload, next, src, dst, 'IPv6', other);
  }
  return other(`ethertype 0x${ethertype.toString(16).padStart(4, '0')}`);
}

function transport(
  b: Buffer,
  at: number,
  ipPayload: number,
  proto: number,
  src: string,
  dst: string,
  ip: 'IPv4' | 'IPv6',
  other: (what: string) => OtherPacket,
): Packet {
  if (proto === C.IPPROTO_TCP) {
    if (b.length < at + 20) return other(`${ip} TCP with a truncated header ${src} > ${dst}`);
    const offset = (b[at + 12] >> 4) * 4;
    if (offset < 20) return other(`${ip} TCP with a bad header length ${src} > ${dst}`);
    const sport = b.readUInt16BE(at);
    const dport = b.readUInt16BE(at + 2);
    const length = Math.max(0, ipPayload - offset);
    const start = Math.min(b.length, at + offset);
    return {
      kind: 'tcp',
      ip,
      from: `${src}:${sport}`,
      to: `${dst}:${dport}`,
      flags: b[at + 13],
      seq: b.readUInt32BE(at + 4),
      ack: b.readUInt32BE(at + 8),
      length,
      data: Buffer.from(b.subarray(start, Math.min(b.length, start + length))),
    };
  }
  if (proto === C.IPPROTO_UDP && b.length >= at + 4) {
    return other(`UDP ${src}:${b.readUInt16BE(at)} > ${dst}:${b.readUInt16BE(at + 2)}`);
  }
  if (proto === C.IPPROTO_ICMP || proto === C.IPPROTO_ICMPV6)
    return other(`${proto === C.IPPROTO_ICMP ? 'ICMP' : 'ICMPv6'} ${src} > ${dst}`);
  return other(`${ip} protocol ${proto} ${src} > ${dst}`);
}

/**
 * A segment's flags as a learner names them: `SYN`, `SYN-ACK`, `ACK`, `PSH-ACK`, `FIN-ACK`, `RST`,
 * `RST-ACK`, in that order of importance.
 */
export function flagsText(flags: number): string {
  const names: string[] = [];
  for (const [name, bit] of [
    ['SYN', TCP_FLAGS.SYN],
    ['FIN', TCP_FLAGS.FIN],
    ['RST', TCP_FLAGS.RST],
    ['PSH', TCP_FLAGS.PSH],
    ['URG', TCP_FLAGS.URG],
    ['ACK', TCP_FLAGS.ACK],
  ] as const) {
    if (flags & bit) names.push(name);
  }
  return names.length === 0 ? 'none' : names.join('-');
}

/** `SYN`, `ACK`, `PSH-ACK len 19`: the flags, and the payload's length when there is one. */
export function segmentText(seg: TcpSegment): string {
  return seg.length > 0 ? `${flagsText(seg.flags)} len ${seg.length}` : flagsText(seg.flags);
}
