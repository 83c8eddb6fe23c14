// A timeline in an order that does not depend on the scheduler. Two programs and the kernel interleave
// differently from run to run: which program's call is written first, whether the kernel answers a
// segment before the sender's next call or after it (softirq in the sender's context or in ksoftirqd),
// whether a waiting call has returned before the other program moves on. The records' times say what
// happened in one run; the causal links say what must happen in every run. This module keeps only the
// links, then draws the records in the one order they and a fixed rule give:
//
//   - each program's records in its own order; each direction of each flow's packets in wire order;
//   - a packet after the call that sent it (a SYN in connect, data in send, a FIN in close or shutdown,
//     a datagram in sendto), and before that program's next record;
//   - a packet that answers another after it: a TCP segment after the segment its acknowledgment
//     number acknowledges, an ICMP error after the datagram it quotes, an echo reply after its request;
//   - a call that waited after what ended its wait: connect after the SYN-ACK (or the RST), accept
//     after the handshake's last ACK, recv after the segment that carried its last byte (the FIN for 0,
//     the RST for ECONNRESET), poll, select and epoll_wait after what made each ready descriptor ready;
//   - a program started on another's record after that record; a held program's next record after
//     what released it; a retransmission (a timer's doing, seconds later) after what came before it;
//
// and, among the records these allow next: packets first (the kernel answers at once); then the
// program that ran last if it is about to wait (it gets into its recv, accept or poll first); then a
// call that was waiting and may now return (the program the kernel wakes runs next); then the program
// that ran last (a program runs until it waits, as on one processor); then the column order. Every link points forward in time, so the order is always one that could have happened.
import type { CallRecord, StateRecord, TimelineRecord, WireRecord } from './states';
import type { CueRef, Held } from './run';
import { TCP_FLAGS, type IcmpMessage, type TcpSegment, type UdpDatagram } from './packets';

/** What the runner did that the records alone do not show (ProgramResult's cuedBy and held). */
export interface CausalProgram {
  /** The program's name (its records' `side`). */
  readonly name: string;
  /** It was started on a record of another program: that program and the record's index among its calls. */
  readonly cuedBy?: CueRef;
  /** It was held after its record `after` until another program's record (or end: null). */
  readonly held?: Held;
}

/** The records in causal order, and for each call that waited, the packets that ended its wait. */
export interface CausalTimeline {
  /** The calls, segments and states, in causal order. */
  readonly records: TimelineRecord[];
  /** By call record (the end record of a call that waited): the packets it waited for. */
  readonly anchors: ReadonlyMap<CallRecord, readonly WireRecord[]>;
  /** The call records after which a program was held (to say so where it happened). */
  readonly holds: ReadonlyMap<CallRecord, CausalProgram>;
  /** The segments a timer sent again (a SYN, data or a FIN with the sequence number of an earlier one). */
  readonly retransmissions: ReadonlySet<WireRecord>;
}

interface Unit {
  readonly index: number;
  readonly record: CallRecord | WireRecord;
  readonly states: StateRecord[];
  readonly preds: Set<Unit>;
  readonly succs: Set<Unit>;
}

const SENDS = new Set(['send', 'sendto', 'sendmsg', 'write', 'writev']);
const RECEIVES = new Set(['recv', 'recvfrom', 'recvmsg', 'read', 'readv']);
const WAITS_FOR_READINESS = new Set(['poll', 'select', 'epoll_wait']);
/** The calls that wait for the other side (not for room to write). */
const WAITING = new Set([...RECEIVES, ...WAITS_FOR_READINESS, 'accept', 'accept4', 'connect']);

const seqAdd = (a: number, b: number): number => (a + b) >>> 0;
const isTcp = (r: WireRecord): r is WireRecord & { packet: TcpSegment } => r.packet.kind === 'tcp';
const isUdp = (r: WireRecord): r is WireRecord & { packet: UdpDatagram } => r.packet.kind === 'udp';
const isIcmp = (r: WireRecord): r is WireRecord & { packet: IcmpMessage } => r.packet.kind === 'icmp';

/** Where a TCP segment's sequence space ends: its payload, and one for a SYN or a FIN. */
function seqEnd(s: TcpSegment): number {
  return seqAdd(
    seqAdd(s.seq, s.length),
    ((s.flags & TCP_FLAGS.SYN) !== 0 ? 1 : 0) + ((s.flags & TCP_FLAGS.FIN) !== 0 ? 1 : 0),
  );
}

/** The address a call's line gives for a sockaddr_in or sockaddr_in6 (`127.0.0.1:8080`, `[::1]:8080`), or null. */
function addressOf(text: string): string | null {
  const v4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([\d.]+)"\)/.exec(text);
  if (v4 !== null) return `${v4[2]}:${v4[1]}`;
  const v6 = /sin6_port=htons\((\d+)\).*inet_pton\(AF_INET6, "([0-9a-f:.]+)"/.exec(text);
  return v6 === null ? null : `[${v6[2]}]:${v6[1]}`;
}

/**
 * What is known of a descriptor's socket: the kernel's answer at this call, unless it has lost the
 * peer that an earlier call saw (a socket whose connection went to TIME_WAIT is closed for getpeername).
 */
function known(
  now: { local: string; peer: string; state: string } | undefined,
  before: { local: string; peer: string; state: string } | undefined,
): { local: string; peer: string; state: string } | undefined {
  if (now === undefined) return before;
  if (now.peer === '*' && before !== undefined && before.peer !== '*')
    return { ...now, local: before.local, peer: before.peer };
  return { local: now.local, peer: now.peer, state: now.state };
}

/** A call's result as its line shows it. */
export interface CallResult {
  /** The number it returned. */
  value: number;
  /** The errno name after a -1, or null. */
  errno: string | null;
}

/** A call's result and errno name, from the end of its line (`= 19`, `= -1 ECONNREFUSED (...)`, `= 1 (in [4])`). */
export function resultOf(text: string): CallResult | null {
  const m = /\) = (-?\d+)(?: (E[A-Z0-9]+))?(?: \([^"]*\)| \(\[.*\]\))?$/.exec(text);
  if (m === null) return null;
  return { value: Number(m[1]), errno: m[2] ?? null };
}

/** One descriptor a poll, select or epoll_wait reports ready, and how. */
export interface Ready {
  /** The descriptor. */
  readonly fd: number;
  /** Readable (POLLIN, select's in set, EPOLLIN). */
  readonly readable: boolean;
  /** The peer has closed its side (POLLRDHUP, EPOLLRDHUP). */
  readonly hangup: boolean;
  /** An error or a hangup of both sides (POLLERR, POLLHUP, select's except set). */
  readonly error: boolean;
}

/** The descriptors a poll, select or epoll_wait line reports ready, and how. */
export function readyOf(call: string, text: string): Ready[] {
  const out: Ready[] = [];
  if (call === 'select') {
    const m = /\) = \d+ \((.*)\)$/.exec(text);
    if (m === null) return out;
    for (const part of m[1].matchAll(/(in|out|except) \[([\d ]+)\]/g)) {
      for (const fd of part[2].split(' ')) {
        out.push({ fd: Number(fd), readable: part[1] === 'in', hangup: false, error: part[1] === 'except' });
      }
    }
  } else if (call === 'poll') {
    const m = /\) = \d+ \((\[.*\])\)$/.exec(text);
    if (m === null) return out;
    for (const e of m[1].matchAll(/\{fd=(\d+), revents=([A-Z|]+)\}/g)) {
      out.push({
        fd: Number(e[1]),
        readable: /POLLIN/.test(e[2]),
        hangup: /POLLRDHUP/.test(e[2]),
        error: /POLLERR|POLLHUP/.test(e[2]),
      });
    }
  } else if (call === 'epoll_wait') {
    const at = text.lastIndexOf(') = ');
    const events = text.slice(0, at);
    const n = Number(text.slice(at + 4));
    const all = [...events.matchAll(/\{events=([A-Z|]+), data=\{u32=(\d+),/g)];
    // epoll_wait's array is the one the program passed: only its first n entries are filled.
    for (const e of all.slice(0, n)) {
      out.push({
        fd: Number(e[2]),
        readable: /EPOLLIN/.test(e[1]),
        hangup: /EPOLLRDHUP/.test(e[1]),
        error: /EPOLLERR|EPOLLHUP/.test(e[1]),
      });
    }
  }
  return out;
}

/**
 * The records of a run (runTimeline's, in time order) in causal order: the same records, in an order
 * that the links between them and a fixed rule decide (see the top of this file), so that two runs of
 * programs that do the same thing draw the same timeline whatever the scheduler did.
 * @param records - the calls, packets and states, in time order.
 * @param programs - the programs, in column order, with what the runner did to them.
 */
export function causalOrder(records: readonly TimelineRecord[], programs: readonly CausalProgram[]): CausalTimeline {
  // Each state goes with the record that moved it (tcpStates writes it just after that record).
  const units: Unit[] = [];
  for (const r of records) {
    if (r.type === 'state') {
      units[units.length - 1]?.states.push(r);
      continue;
    }
    units.push({ index: units.length, record: r, states: [], preds: new Set(), succs: new Set() });
  }
  const link = (a: Unit | undefined, b: Unit | undefined): void => {
    // Only forward in time: the order drawn is then always one that could have happened.
    if (a === undefined || b === undefined || a.index >= b.index) return;
    a.succs.add(b);
    b.preds.add(a);
  };

  const calls = new Map<string, Unit[]>();
  for (const p of programs) calls.set(p.name, []);
  const wire: (Unit & { record: WireRecord })[] = [];
  for (const u of units) {
    if (u.record.type === 'call') {
      const list = calls.get(u.record.side) ?? [];
      calls.set(u.record.side, list);
      list.push(u);
    } else wire.push(u as Unit & { record: WireRecord });
  }
  for (const list of calls.values()) for (let k = 1; k < list.length; k++) link(list[k - 1], list[k]);

  // The wire: each direction of each flow in its own order.
  const flows = new Map<string, (Unit & { record: WireRecord })[]>();
  const flowOf = (r: WireRecord): string => {
    const p = r.packet;
    if (p.kind === 'tcp' || p.kind === 'udp') return `${p.kind} ${p.from}>${p.to}`;
    if (p.kind === 'icmp') return `icmp ${p.from}>${p.to}`;
    return 'other';
  };
  for (const u of wire) {
    const key = flowOf(u.record);
    const list = flows.get(key) ?? [];
    flows.set(key, list);
    link(list[list.length - 1], u);
    list.push(u);
  }
  const tcpFlow = (from: string, to: string): (Unit & { record: WireRecord & { packet: TcpSegment } })[] =>
    (flows.get(`tcp ${from}>${to}`) ?? []) as (Unit & { record: WireRecord & { packet: TcpSegment } })[];

  // Answers after what they answer.
  const retransmissions = new Set<Unit>();
  for (const u of wire) {
    const r = u.record;
    if (isTcp(r)) {
      const s = r.packet;
      const before = tcpFlow(s.from, s.to).filter((x) => x.index < u.index);
      if (
        before.some(
          (x) =>
            x.record.packet.seq === s.seq &&
            (x.record.packet.length > 0 || (x.record.packet.flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0) &&
            (s.length > 0 || (s.flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0),
        )
      ) {
        retransmissions.add(u);
      }
      if ((s.flags & TCP_FLAGS.ACK) !== 0) {
        // The latest: a retransmitted SYN is answered, not the one the kernel dropped.
        const acked = tcpFlow(s.to, s.from).filter((x) => x.index < u.index && seqEnd(x.record.packet) === s.ack);
        link(acked[acked.length - 1], u);
      } else if ((s.flags & TCP_FLAGS.RST) !== 0) {
        // A RST without ACK answers a segment: its sequence number is that segment's acknowledgment.
        const answered = tcpFlow(s.to, s.from).filter((x) => x.index < u.index && x.record.packet.ack === s.seq);
        link(answered[answered.length - 1], u);
      }
    } else if (isIcmp(r)) {
      const m = r.packet;
      if (m.about !== undefined) {
        const about = m.about;
        const quoted = wire.filter(
          (x) =>
            x.index < u.index &&
            (isUdp(x.record) || isTcp(x.record)) &&
            x.record.packet.kind === about.protocol &&
            (x.record.packet as UdpDatagram).from === about.from &&
            (x.record.packet as UdpDatagram).to === about.to,
        );
        link(quoted[quoted.length - 1], u);
      } else if (m.what === 'echo reply') {
        const request = wire.filter(
          (x) =>
            x.index < u.index &&
            isIcmp(x.record) &&
            x.record.packet.what === 'echo request' &&
            x.record.packet.id === m.id &&
            x.record.packet.seq === m.seq,
        );
        link(request[request.length - 1], u);
      }
    }
  }

  // A call's interval: its line (start to written), or its start and end records.
  interface Call {
    readonly side: string;
    readonly call: string;
    readonly first: Unit;
    readonly last: Unit;
    readonly from: bigint;
    readonly to: bigint;
  }
  const callList: Call[] = [];
  for (const [side, list] of calls) {
    const open = new Map<number, Unit>();
    for (const u of list) {
      const r = u.record as CallRecord;
      if (r.ph === 'line') callList.push({ side, call: r.call, first: u, last: u, from: r.ns, to: r.written });
      else if (r.ph === 'start') open.set(r.id, u);
      else if (r.ph === 'end') {
        const s = open.get(r.id);
        if (s !== undefined) {
          open.delete(r.id);
          callList.push({ side, call: r.call, first: s, last: u, from: (s.record as CallRecord).ns, to: r.written });
        }
      }
    }
  }
  const nextOf = new Map<Unit, Unit>();
  for (const list of calls.values()) for (let k = 1; k < list.length; k++) nextOf.set(list[k - 1], list[k]);

  // A packet after the call that sent it. Which calls send which packets: the kernel's answers (ACKs,
  // SYN-ACKs, RSTs to a closed port, ICMP errors) and timers' retransmissions are nobody's call.
  const sentBy = new Map<Unit, Call>();
  const emitters = (r: WireRecord): Set<string> | null => {
    const p = r.packet;
    if (p.kind === 'tcp') {
      if ((p.flags & TCP_FLAGS.SYN) !== 0) return (p.flags & TCP_FLAGS.ACK) === 0 ? new Set(['connect']) : null;
      if ((p.flags & TCP_FLAGS.RST) !== 0) return new Set(['close']);
      if (p.length > 0) return SENDS;
      if ((p.flags & TCP_FLAGS.FIN) !== 0) return new Set(['close', 'shutdown']);
      return null;
    }
    if (p.kind === 'udp') return SENDS;
    if (p.kind === 'icmp') return p.what === 'echo request' ? SENDS : null;
    return null;
  };
  for (const u of wire) {
    if (retransmissions.has(u)) continue;
    const names = emitters(u.record);
    if (names === null) continue;
    const from = u.record.from ?? null;
    const candidates = callList.filter(
      (c) => names.has(c.call) && c.from <= u.record.ns && u.record.ns <= c.to && (from === null || c.side === from),
    );
    if (candidates.length !== 1) continue;
    const c = candidates[0];
    sentBy.set(u, c);
    link(c.first, u);
    link(u, c.first === c.last ? nextOf.get(c.last) : c.last);
  }

  // A retransmission is a timer's: after whatever came before it.
  for (const u of retransmissions) {
    for (const list of calls.values()) {
      const before = list.filter((x) => x.index < u.index);
      link(before[before.length - 1], u);
    }
  }

  // What each waiting call waited for, in each program's order: the descriptors it knows (from the
  // kernel's `sockets` of its calls), the bytes it has read of each connection, the connections it has
  // accepted.
  const anchors = new Map<CallRecord, WireRecord[]>();
  const anchor = (end: Unit, packet: Unit | undefined): void => {
    if (packet === undefined || packet.index >= end.index) return;
    link(packet, end);
    const list = anchors.get(end.record as CallRecord) ?? [];
    list.push(packet.record as WireRecord);
    anchors.set(end.record as CallRecord, list);
  };
  const base = (from: string, to: string): number | null => {
    const syn = tcpFlow(from, to).find((x) => (x.record.packet.flags & TCP_FLAGS.SYN) !== 0);
    return syn === undefined ? null : seqAdd(syn.record.packet.seq, 1);
  };
  // The segment that carries the byte `offset` bytes after the start of from's stream to `to`.
  const carrying = (from: string, to: string, offset: number, before: number): Unit | undefined => {
    const b = base(from, to);
    if (b === null) return undefined;
    return tcpFlow(from, to).find((x) => {
      const s = x.record.packet;
      const rel = (s.seq - b) >>> 0;
      return x.index < before && s.length > 0 && rel <= offset && offset < rel + s.length;
    });
  };
  const finOf = (from: string, to: string, before: number): Unit | undefined =>
    tcpFlow(from, to).find((x) => x.index < before && (x.record.packet.flags & TCP_FLAGS.FIN) !== 0);
  const rstOf = (from: string, to: string, before: number): Unit | undefined =>
    tcpFlow(from, to).find((x) => x.index < before && (x.record.packet.flags & TCP_FLAGS.RST) !== 0);
  const handshakeAck = (from: string, to: string): Unit | undefined =>
    tcpFlow(from, to).find((x) => (x.record.packet.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.ACK);
  const portOf = (a: string): string => a.slice(a.lastIndexOf(':') + 1);

  for (const list of calls.values()) {
    const fds = new Map<number, { local: string; peer: string; state: string }>();
    const read = new Map<string, number>();
    const accepted = new Set<string>();
    // The handshake's last ACK of the oldest connection to a listener that has not been accepted.
    const nextConnection = (listener: string, before: number): Unit | undefined =>
      [...flows.keys()]
        .filter((k) => k.startsWith('tcp ') && portOf(k.slice(k.indexOf('>') + 1)) === portOf(listener))
        .map((k) => k.slice(4).split('>'))
        .filter(([from, to]) => !accepted.has(`${to}|${from}`))
        .map(([from, to]) => handshakeAck(from, to))
        .filter((x): x is Unit => x !== undefined && x.index < before)
        .sort((a, b) => a.index - b.index)[0];
    const starts = new Map<number, Unit>();
    for (const u of list) {
      const r = u.record as CallRecord;
      if (r.ph === 'start') starts.set(r.id, u);
      if (r.ph === 'end' || r.ph === 'line') {
        const result = resultOf(r.text);
        const sock = (fd: number): { local: string; peer: string; state: string } | undefined =>
          known(
            r.sockets?.find((s) => s.fd === fd),
            fds.get(fd),
          );
        const fdArg = Number(/^\w+\((-?\d+)/.exec(r.text)?.[1] ?? NaN);
        if (result !== null && r.ph === 'end') {
          if (r.call === 'connect' && result.value === 0) {
            const s = sock(fdArg);
            if (s !== undefined) {
              anchor(
                u,
                tcpFlow(s.peer, s.local).find(
                  (x) => (x.record.packet.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK),
                ),
              );
            }
          } else if (r.call === 'connect' && result.value < 0 && result.errno !== 'EINPROGRESS') {
            const start = starts.get(r.id);
            const syn = [...sentBy].find(([, c]) => c.first === start)?.[0];
            if (syn !== undefined && isTcp(syn.record as WireRecord)) {
              const s = (syn.record as WireRecord & { packet: TcpSegment }).packet;
              anchor(u, rstOf(s.to, s.from, u.index));
            }
          } else if ((r.call === 'accept' || r.call === 'accept4') && result.value >= 0) {
            const s = sock(result.value);
            if (s !== undefined && s.peer !== '*') {
              accepted.add(`${s.local}|${s.peer}`);
              anchor(u, handshakeAck(s.peer, s.local));
            } else {
              // The kernel was not asked (bsdsock/promises' records): the listener's next connection.
              const listener = fds.get(fdArg);
              const ack = listener === undefined ? undefined : nextConnection(listener.local, u.index);
              if (ack !== undefined) {
                const p = (ack.record as WireRecord & { packet: TcpSegment }).packet;
                accepted.add(`${p.to}|${p.from}`);
                fds.set(result.value, { local: p.to, peer: p.from, state: 'ESTABLISHED' });
                anchor(u, ack);
              }
            }
          } else if (RECEIVES.has(r.call)) {
            const s = sock(fdArg);
            const peek = /MSG_PEEK/.test(r.text);
            if (s !== undefined && s.peer !== '*') {
              const key = `${s.local}|${s.peer}`;
              const done = read.get(key) ?? 0;
              if (result.value > 0) {
                anchor(u, carrying(s.peer, s.local, done + result.value - 1, u.index));
                if (!peek) read.set(key, done + result.value);
              } else if (result.value === 0) anchor(u, finOf(s.peer, s.local, u.index));
              else if (result.errno === 'ECONNRESET' || result.errno === 'EPIPE')
                anchor(u, rstOf(s.peer, s.local, u.index));
            } else if (s === undefined && result.value !== -1) {
              // Not a TCP socket: the datagram (or ICMP error) that came last before it returned.
              const before = wire.filter((x) => x.index < u.index && x.record.packet.kind !== 'tcp');
              anchor(u, before[before.length - 1]);
            } else if (s === undefined && result.errno !== null && result.errno !== 'EAGAIN') {
              const before = wire.filter((x) => x.index < u.index && x.record.packet.kind === 'icmp');
              anchor(u, before[before.length - 1]);
            }
          } else if (WAITS_FOR_READINESS.has(r.call) && result.value > 0) {
            for (const ready of readyOf(r.call, r.text)) {
              const s = fds.get(ready.fd) ?? sock(ready.fd);
              if (s === undefined) continue;
              if (s.state === 'LISTEN') {
                anchor(u, nextConnection(s.local, u.index));
              } else if (ready.error) {
                anchor(u, rstOf(s.peer, s.local, u.index) ?? finOf(s.peer, s.local, u.index));
              } else if (ready.hangup) {
                anchor(u, finOf(s.peer, s.local, u.index));
              } else if (ready.readable) {
                const done = read.get(`${s.local}|${s.peer}`) ?? 0;
                anchor(u, carrying(s.peer, s.local, done, u.index) ?? finOf(s.peer, s.local, u.index));
              } else if (s.state === 'SYN_SENT') {
                // Writable: the connection it was making is made.
                anchor(
                  u,
                  tcpFlow(s.peer, s.local).find(
                    (x) =>
                      (x.record.packet.flags & TCP_FLAGS.SYN) !== 0 || (x.record.packet.flags & TCP_FLAGS.RST) !== 0,
                  ),
                );
              }
            }
          }
        }
        for (const s of r.sockets ?? []) {
          if (r.call === 'close') fds.delete(s.fd);
          // A socket still connecting has no peer for the kernel yet: connect's address is its peer.
          else if (s.peer === '*' && s.state === 'SYN_SENT' && r.call === 'connect') {
            fds.set(s.fd, { local: s.local, peer: addressOf(r.text) ?? '*', state: s.state });
          } else fds.set(s.fd, known(s, r.call === 'socket' ? undefined : fds.get(s.fd))!);
        }
        if (r.call === 'close' && r.ph === 'line') fds.delete(fdArg);
      }
    }
  }

  // What the runner did.
  const holds = new Map<CallRecord, CausalProgram>();
  for (const p of programs) {
    const own = calls.get(p.name) ?? [];
    if (p.cuedBy !== undefined) link(calls.get(p.cuedBy.program)?.[p.cuedBy.record], own[0]);
    if (p.held !== undefined) {
      const by = calls.get(p.held.until.program) ?? [];
      const release = p.held.until.record === null ? by[by.length - 1] : by[p.held.until.record];
      link(release, own[p.held.resumes ?? p.held.after + 1]);
      const at = own[p.held.after];
      if (at !== undefined) holds.set(at.record as CallRecord, p);
    }
  }

  // The order: packets as soon as they may come, then the program that ran last, then column order.
  const order: Unit[] = [];
  const waiting = new Map<Unit, number>(units.map((u) => [u, u.preds.size]));
  const readyWire: Unit[] = [];
  const readyCall = new Map<string, Unit>();
  const sides = [...calls.keys()];
  const release = (u: Unit): void => {
    for (const s of u.succs) {
      const n = waiting.get(s)! - 1;
      waiting.set(s, n);
      if (n === 0) offer(s);
    }
  };
  const offer = (u: Unit): void => {
    if (u.record.type === 'call') readyCall.set(u.record.side, u);
    else readyWire.push(u);
  };
  for (const u of units) if (u.preds.size === 0) offer(u);
  let current = sides[0];
  while (order.length < units.length) {
    let next: Unit | undefined;
    if (readyWire.length > 0) {
      readyWire.sort((a, b) => a.index - b.index);
      next = readyWire.shift();
    } else {
      // A call that was waiting returns as soon as it may (the program the kernel wakes runs next);
      // otherwise the program that ran last goes on.
      const isEnd = (s: string | undefined): boolean =>
        s !== undefined && (readyCall.get(s)?.record as CallRecord | undefined)?.ph === 'end';
      // ... but a program about to wait (its next call is one that waits for the other side) gets there first.
      const coming = current === undefined ? undefined : (readyCall.get(current)?.record as CallRecord | undefined);
      const aboutToWait = coming !== undefined && coming.ph === 'start' && WAITING.has(coming.call);
      const side =
        isEnd(current) || aboutToWait
          ? current
          : (sides.find((s) => isEnd(s)) ??
            (current !== undefined && readyCall.has(current) ? current : sides.find((s) => readyCall.has(s))));
      if (side === undefined) break;
      next = readyCall.get(side);
      readyCall.delete(side);
      current = side;
    }
    if (next === undefined) break;
    order.push(next);
    release(next);
  }
  // Unreachable with forward links only; kept so that a record is never lost.
  if (order.length < units.length) for (const u of units) if (!order.includes(u)) order.push(u);

  const out: TimelineRecord[] = [];
  for (const u of order) out.push(u.record, ...u.states);
  return {
    records: out,
    anchors,
    holds,
    retransmissions: new Set([...retransmissions].map((u) => u.record as WireRecord)),
  };
}
