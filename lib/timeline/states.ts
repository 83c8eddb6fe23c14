// Each side's TCP states, from the segments on the wire and the calls, by TCP's state machine (RFC
// 9293, section 3.3.2, as Linux runs it), then checked against what the kernel said: after each call
// (the tracer's `sockets`, from TCP_INFO) and at the end (sock_diag). A state is never guessed: the
// machine moves on a segment seen or a call made, and a disagreement with the kernel is reported.
import type { SocketState, TcpState } from '../trace/sockets';
import type { KernelSocket } from './capture';
import { TCP_FLAGS, type TcpSegment } from './packets';

/** A traced call's record (the tracer's JSON line), with the program it came from. */
export interface CallRecord {
  /** Always `call`. */
  readonly type: 'call';
  /** The program: `server`, `client`, or the name it was given. */
  readonly side: string;
  /**
   * When it happened, for ordering: nanoseconds since the epoch, CLOCK_REALTIME. A call in one line
   * is placed at its start (what it sent comes after it); any other record when it was written.
   */
  readonly ns: bigint;
  /** When it was written (after the call returned): where the kernel's `sockets` were read. */
  readonly written: bigint;
  /** `start`, `end` (a call that waited), `line` (a call in one piece), `explain` (a hint), `warning`. */
  readonly ph: string;
  /** The call's id within its program (a start and its end share it). */
  readonly id: number;
  /** The call's name. */
  readonly call: string;
  /** Its line, as strace writes it. */
  readonly text: string;
  /** What the kernel said of its TCP sockets (a close: just before it). */
  readonly sockets?: readonly SocketState[];
}

/** A segment the capture saw. */
export interface WireRecord {
  /** Always `packet`. */
  readonly type: 'packet';
  /** When the kernel saw it: nanoseconds since the epoch, CLOCK_REALTIME (SO_TIMESTAMPNS). */
  readonly ns: bigint;
  /** The frame, decoded. */
  readonly packet: import('./packets').Packet;
  /** The program that sent it, when known; the receiver is then the other one. */
  from?: string | null;
  /** The program it went to, when known. */
  to?: string | null;
}

/** A socket's change of TCP state. */
export interface StateRecord {
  /** Always `state`. */
  readonly type: 'state';
  /** When: the time of the segment or call that moved it. */
  readonly ns: bigint;
  /** The program that owns the socket, or null when the run does not say. */
  readonly side: string | null;
  /** The socket's local address and port. */
  readonly local: string;
  /** Its peer's address and port (`*` for a listener). */
  readonly peer: string;
  /** The state it enters. */
  readonly state: TcpState;
  /** The state it leaves (null for a socket the machine meets for the first time). */
  readonly previous: TcpState | null;
  /** What moved it: `listen`, `close`, `sent SYN`, `received FIN-ACK`, ... */
  readonly cause: string;
}

/** One comparison of the kernel's answer with the machine's. */
export interface StateCheck {
  /** Where the kernel was asked: after a call (`accept`, `close`) or at the end (`sock_diag`). */
  readonly at: string;
  /** The program that owns the socket, or null when the run does not say. */
  readonly side: string | null;
  /** The socket's local address and port. */
  readonly local: string;
  /** Its peer's (`*` for a listener). */
  readonly peer: string;
  /** What the kernel said. */
  readonly kernel: TcpState;
  /** The states the machine had while the kernel could have been asked. */
  readonly model: readonly TcpState[];
  /** True when the kernel's state is one of them. */
  readonly ok: boolean;
}

/** What tcpStates returns. */
export interface StatesResult {
  /** The calls, segments and state changes, in time order. */
  readonly records: TimelineRecord[];
  /** The machine's states checked against the kernel's answers. */
  readonly checks: StateCheck[];
}

/** Any record of a timeline, in time order. */
export type TimelineRecord = CallRecord | WireRecord | StateRecord;

interface Endpoint {
  local: string;
  peer: string;
  side: string | null;
  state: TcpState;
  /** The sequence number of the FIN this socket sent, once it has. */
  fin: number | null;
  /** Every state it went through: [ns, state]. */
  history: [bigint, TcpState][];
}

const portOf = (address: string): string => address.slice(address.lastIndexOf(':') + 1);
const key = (local: string, peer: string): string => `${local}>${peer}`;

/** Adds `b` to sequence number `a`, modulo 2^32. */
const seqAdd = (a: number, b: number): number => (a + b) >>> 0;

/**
 * Runs the state machine over the calls and segments (in time order) and checks it against the
 * kernel. Returns the records with the state changes in place, each segment marked with its sender
 * and receiver program, and the checks.
 * @param records - the calls and the segments, in time order.
 * @param finalSockets - the kernel's table of TCP sockets at the end (sock_diag), if it was read.
 */
export function tcpStates(
  records: readonly (CallRecord | WireRecord)[],
  finalSockets: readonly KernelSocket[] | null,
): StatesResult {
  // Which program owns each port: the kernel named them in the calls' `sockets`.
  const owner = new Map<string, string>();
  const sides = new Set<string>();
  for (const r of records) {
    if (r.type !== 'call') continue;
    sides.add(r.side);
    for (const s of r.sockets ?? []) if (s.local !== '*') owner.set(portOf(s.local), r.side);
  }
  const ownerOf = (local: string, peer: string): string | null => {
    const known = owner.get(portOf(local));
    if (known !== undefined) return known;
    const other = owner.get(portOf(peer));
    if (other !== undefined && sides.size === 2) return [...sides].find((s) => s !== other) ?? null;
    return null;
  };

  const endpoints = new Map<string, Endpoint>();
  const out: TimelineRecord[] = [];
  const move = (ns: bigint, e: Endpoint, state: TcpState, cause: string): void => {
    if (e.state === state) return;
    const previous = e.history.length === 0 ? null : e.state;
    e.state = state;
    e.history.push([ns, state]);
    out.push({ type: 'state', ns, side: e.side, local: e.local, peer: e.peer, state, previous, cause });
  };
  const endpoint = (local: string, peer: string, initial: TcpState, ns: bigint, cause: string): Endpoint => {
    const k = key(local, peer);
    let e = endpoints.get(k);
    if (e === undefined) {
      e = { local, peer, side: ownerOf(local, peer), state: initial, fin: null, history: [] };
      endpoints.set(k, e);
      e.history.push([ns, initial]);
      out.push({ type: 'state', ns, side: e.side, local, peer, state: initial, previous: null, cause });
    }
    return e;
  };
  const listenerOn = (address: string): Endpoint | undefined =>
    [...endpoints.values()].find((e) => e.state === 'LISTEN' && portOf(e.local) === portOf(address));

  const checks: StateCheck[] = [];
  const asked: { r: CallRecord; s: SocketState; since: bigint }[] = [];
  const lastRecordOf = new Map<string, bigint>();
  // The programs inside connect: a SYN is theirs when only one is (the kernel names the port only
  // after connect returns, and never when it fails).
  const connecting = new Set<string>();

  for (const [k, r] of records.entries()) {
    if (r.type === 'packet') {
      out.push(r);
      if (r.packet.kind !== 'tcp') continue;
      const seg = r.packet;
      if ((seg.flags & TCP_FLAGS.SYN) !== 0 && (seg.flags & TCP_FLAGS.ACK) === 0 && connecting.size === 1) {
        if (!owner.has(portOf(seg.from))) owner.set(portOf(seg.from), [...connecting][0]);
      }
      r.from = ownerOf(seg.from, seg.to);
      r.to = ownerOf(seg.to, seg.from);
      sent(r.ns, seg);
      received(r.ns, seg, k);
      continue;
    }
    out.push(r);
    if (r.ph === 'explain' || r.ph === 'warning') continue;
    if (r.call === 'connect' && r.ph === 'start') connecting.add(r.side);
    if (r.call === 'connect' && r.ph === 'end') connecting.delete(r.side);
    const since = lastRecordOf.get(r.side) ?? r.ns;
    lastRecordOf.set(r.side, r.written);
    for (const s of r.sockets ?? []) {
      if (r.call === 'listen' && s.state === 'LISTEN') {
        const e = endpoint(s.local, '*', 'LISTEN', r.ns, 'listen');
        move(r.ns, e, 'LISTEN', 'listen');
      }
      asked.push({ r, s, since });
      const e = endpoints.get(key(s.local, s.peer));
      if (e !== undefined && r.call === 'close' && (s.state === 'LISTEN' || s.state === 'SYN_SENT')) {
        move(r.ns, e, 'CLOSED', 'close');
      }
    }
  }

  // Once every state change is known: the kernel was asked between the program's previous record and
  // this one's writing, so its answer must be a state the machine had then.
  for (const { r, s, since } of asked) {
    const e = endpoints.get(key(s.local, s.peer));
    if (e === undefined) {
      // A socket the wire has not shown (just made, bound, or never connected) is CLOSED for the
      // machine too; anything else it should have seen.
      checks.push({
        at: r.call,
        side: r.side,
        local: s.local,
        peer: s.peer,
        kernel: s.state,
        model: ['CLOSED'],
        ok: s.state === 'CLOSED',
      });
      continue;
    }
    const window = statesBetween(e, since, r.written);
    checks.push({
      at: r.call,
      side: r.side,
      local: s.local,
      peer: s.peer,
      kernel: s.state,
      model: window,
      ok: window.includes(s.state),
    });
  }

  if (finalSockets !== null) {
    const seen = new Set<string>();
    for (const s of finalSockets) {
      const e = endpoints.get(key(s.local, s.peer));
      seen.add(key(s.local, s.peer));
      const model = e === undefined ? ['CLOSED' as TcpState] : [e.state];
      checks.push({
        at: 'sock_diag',
        side: e?.side ?? null,
        local: s.local,
        peer: s.peer,
        kernel: s.state,
        model,
        ok: model.includes(s.state),
      });
    }
    // A socket the machine leaves open must be in the kernel's table.
    for (const [k, e] of endpoints) {
      if (e.state === 'CLOSED' || seen.has(k)) continue;
      checks.push({
        at: 'sock_diag',
        side: e.side,
        local: e.local,
        peer: e.peer,
        kernel: 'CLOSED',
        model: [e.state],
        ok: false,
      });
    }
  }
  return { records: out, checks };

  function sent(ns: bigint, seg: TcpSegment): void {
    const syn = (seg.flags & TCP_FLAGS.SYN) !== 0;
    const ack = (seg.flags & TCP_FLAGS.ACK) !== 0;
    const what = `sent ${seg.flags & TCP_FLAGS.SYN && ack ? 'SYN-ACK' : flagName(seg.flags)}`;
    if (syn && !ack) {
      const e = endpoint(seg.from, seg.to, 'SYN_SENT', ns, what);
      move(ns, e, 'SYN_SENT', what);
      return;
    }
    // A listener answers a SYN with a SYN-ACK from a new, half-open socket: the SYN alone does not
    // make one (the kernel drops it when the accept queue is full).
    if (syn && ack && !endpoints.has(key(seg.from, seg.to)) && listenerOn(seg.from) !== undefined) {
      endpoint(seg.from, seg.to, 'SYN_RECV', ns, 'received SYN, sent SYN-ACK');
      return;
    }
    const e = endpoints.get(key(seg.from, seg.to));
    if (e === undefined) return;
    if (seg.flags & TCP_FLAGS.RST) {
      move(ns, e, 'CLOSED', what);
      return;
    }
    if (seg.flags & TCP_FLAGS.FIN) {
      e.fin = seqAdd(seg.seq, seg.length);
      if (e.state === 'ESTABLISHED' || e.state === 'SYN_RECV') move(ns, e, 'FIN_WAIT1', what);
      else if (e.state === 'CLOSE_WAIT') move(ns, e, 'LAST_ACK', what);
    }
  }

  // A FIN sent before the peer's FIN arrived acknowledges only what came before the peer's FIN: the
  // sender had closed too (a simultaneous close), though the capture shows its FIN second.
  function closedFirst(k: number, e: Endpoint, finSeq: number): TcpSegment | null {
    for (const r of records.slice(k + 1)) {
      if (r.type !== 'packet' || r.packet.kind !== 'tcp') continue;
      const next = r.packet;
      if (next.from !== e.local || next.to !== e.peer) continue;
      return (next.flags & TCP_FLAGS.FIN) !== 0 && next.ack !== seqAdd(finSeq, 1) ? next : null;
    }
    return null;
  }

  function received(ns: bigint, seg: TcpSegment, k: number): void {
    const what = `received ${flagName(seg.flags)}`;
    const syn = (seg.flags & TCP_FLAGS.SYN) !== 0;
    const ack = (seg.flags & TCP_FLAGS.ACK) !== 0;
    const e = endpoints.get(key(seg.to, seg.from));
    if (seg.flags & TCP_FLAGS.RST) {
      if (e !== undefined && e.state !== 'LISTEN') move(ns, e, 'CLOSED', what);
      return;
    }
    if (syn && !ack) return;
    if (e === undefined) return;
    if (syn && ack) {
      if (e.state === 'SYN_SENT') move(ns, e, 'ESTABLISHED', what);
      return;
    }
    const finAcked = ack && e.fin !== null && seg.ack === seqAdd(e.fin, 1);
    // The acknowledgment first, then the FIN, as the kernel processes a segment (tcp_rcv_state_process);
    // a FIN-ACK that acknowledges this socket's own FIN moves it twice, and only the last state shows.
    let next: TcpState = e.state;
    if (ack && next === 'SYN_RECV') next = 'ESTABLISHED';
    if (finAcked && next === 'FIN_WAIT1') next = 'FIN_WAIT2';
    else if (finAcked && next === 'CLOSING') next = 'TIME_WAIT';
    else if (finAcked && next === 'LAST_ACK') next = 'CLOSED';
    if (seg.flags & TCP_FLAGS.FIN) {
      const own = next === 'ESTABLISHED' ? closedFirst(k, e, seqAdd(seg.seq, seg.length)) : null;
      if (own !== null) {
        e.fin = seqAdd(own.seq, own.length);
        move(ns, e, 'FIN_WAIT1', `sent ${flagName(own.flags)}`);
        next = 'CLOSING';
      } else if (next === 'ESTABLISHED') next = 'CLOSE_WAIT';
      else if (next === 'FIN_WAIT1') next = 'CLOSING';
      else if (next === 'FIN_WAIT2') next = 'TIME_WAIT';
    }
    move(ns, e, next, what);
  }
}

function flagName(flags: number): string {
  const names: string[] = [];
  if (flags & TCP_FLAGS.SYN) names.push('SYN');
  if (flags & TCP_FLAGS.FIN) names.push('FIN');
  if (flags & TCP_FLAGS.RST) names.push('RST');
  if (flags & TCP_FLAGS.PSH) names.push('PSH');
  if (flags & TCP_FLAGS.ACK) names.push('ACK');
  return names.join('-');
}

/** The states an endpoint had at some time within [from, to] (CLOSED before the machine met it). */
function statesBetween(e: Endpoint, from: bigint, to: bigint): TcpState[] {
  const states: TcpState[] = [];
  let current: TcpState | null = 'CLOSED';
  for (const [ns, state] of e.history) {
    if (ns <= from) current = state;
    else if (ns <= to) {
      if (current !== null && !states.includes(current)) states.push(current);
      current = state;
    }
  }
  if (current !== null && !states.includes(current)) states.push(current);
  return states;
}
