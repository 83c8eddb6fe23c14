// bsdsock/timeline's parts on their own: frames decoded from bytes laid out as the RFCs say, TCP's
// state machine over segments (the textbook closes, a simultaneous close, a refused connect), checks
// that fail when the kernel disagrees, and undecodable frames drawn as such. The live capture is
// exercised by test/demo.test.ts, which needs a namespace.
import {
  decodeFrame,
  flagsText,
  itemsOf,
  renderNarrow,
  rowsOf,
  segmentText,
  tcpStates,
  type CallRecord,
  type TcpSegment,
  type WireRecord,
} from 'bsdsock/timeline';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** An Ethernet frame (zero addresses, as on lo) carrying an IPv4 TCP segment. */
function ipv4Tcp(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  flags: number,
  seq: number,
  ack: number,
  payload = Buffer.alloc(0),
): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from(src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(seq, 4);
  tcp.writeUInt32BE(ack, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, tcp, payload]);
}

describe('decodeFrame', () => {
  test('an IPv4 TCP segment: addresses, ports, flags, sequence numbers, payload length', () => {
    const p = decodeFrame(ipv4Tcp('127.0.0.1', 46406, '127.0.0.1', 8080, PSH | ACK, 100, 200, Buffer.from('hello')));
    expect(p).toEqual({
      kind: 'tcp',
      ip: 'IPv4',
      from: '127.0.0.1:46406',
      to: '127.0.0.1:8080',
      flags: PSH | ACK,
      seq: 100,
      ack: 200,
      length: 5,
      data: Buffer.from('hello'),
    });
    expect(segmentText(p as TcpSegment)).toBe('PSH-ACK len 5');
  });

  test('the payload length comes from the IP header, even when the capture kept fewer bytes', () => {
    const frame = ipv4Tcp('10.0.0.1', 1, '10.0.0.2', 2, ACK, 0, 0, Buffer.alloc(1000, 0x61));
    const p = decodeFrame(frame.subarray(0, 64), frame.length) as TcpSegment;
    expect(p.length).toBe(1000);
    expect(p.data.length).toBe(64 - 54);
  });

  test('an IPv6 TCP segment', () => {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x86dd, 12);
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(20, 4);
    ip[6] = 6;
    ip[23] = 1; // ::1
    ip[39] = 1;
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(5000, 0);
    tcp.writeUInt16BE(80, 2);
    tcp[12] = 5 << 4;
    tcp[13] = SYN;
    const p = decodeFrame(Buffer.concat([eth, ip, tcp]));
    expect(p).toMatchObject({ kind: 'tcp', ip: 'IPv6', from: '[::1]:5000', to: '[::1]:80', flags: SYN, length: 0 });
  });

  test('what is not a TCP segment says what it is, or why it was not decoded', () => {
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    expect(decodeFrame(arp)).toEqual({ kind: 'other', what: 'ARP', length: 42 });
    expect(decodeFrame(Buffer.alloc(10))).toEqual({
      kind: 'other',
      what: 'truncated Ethernet header (10 bytes)',
      length: 10,
    });
    const gre = ipv4Tcp('127.0.0.1', 5353, '127.0.0.1', 53, 0, 0, 0);
    gre[14 + 9] = 47;
    expect(decodeFrame(gre)).toMatchObject({ kind: 'other', what: 'IPv4 protocol 47 127.0.0.1 > 127.0.0.1' });
    const cut = ipv4Tcp('127.0.0.1', 1, '127.0.0.1', 2, SYN, 0, 0).subarray(0, 40);
    expect(decodeFrame(cut)).toMatchObject({
      kind: 'other',
      what: 'IPv4 TCP with a truncated header 127.0.0.1 > 127.0.0.1',
    });
    const other = Buffer.alloc(60);
    other.writeUInt16BE(0x88cc, 12);
    expect(decodeFrame(other)).toMatchObject({ kind: 'other', what: 'ethertype 0x88cc' });
  });

  test('flags as a learner names them', () => {
    expect([SYN, SYN | ACK, ACK, FIN | ACK, RST | ACK, RST, 0].map(flagsText)).toEqual([
      'SYN',
      'SYN-ACK',
      'ACK',
      'FIN-ACK',
      'RST-ACK',
      'RST',
      'none',
    ]);
  });
});

// --- The state machine -----------------------------------------------------------------------

let clock = 1000n;
const S = '127.0.0.1:8080';
const C = '127.0.0.1:40000';

function call(side: string, callName: string, ph: string, sockets?: CallRecord['sockets']): CallRecord {
  clock += 10n;
  return {
    type: 'call',
    side,
    ns: clock,
    written: clock,
    ph,
    id: 1,
    call: callName,
    text: `${callName}(...)`,
    sockets,
  };
}

function wire(from: string, to: string, flags: number, seq: number, ack: number, length = 0): WireRecord {
  clock += 10n;
  const packet: TcpSegment = { kind: 'tcp', ip: 'IPv4', from, to, flags, seq, ack, length, data: Buffer.alloc(0) };
  return { type: 'packet', ns: clock, packet };
}

/** A listener on the server, and a connection from the client, established. */
function handshake(): (CallRecord | WireRecord)[] {
  return [
    call('server', 'listen', 'line', [{ fd: 3, local: '0.0.0.0:8080', peer: '*', state: 'LISTEN' }]),
    call('client', 'connect', 'start'),
    wire(C, S, SYN, 1000, 0),
    wire(S, C, SYN | ACK, 5000, 1001),
    wire(C, S, ACK, 1001, 5001),
    call('client', 'connect', 'end', [{ fd: 3, local: C, peer: S, state: 'ESTABLISHED' }]),
    call('server', 'accept', 'end', [{ fd: 4, local: S, peer: C, state: 'ESTABLISHED' }]),
  ];
}

const statesOf = (records: ReturnType<typeof tcpStates>['records'], side: string): string[] =>
  records.flatMap((r) => (r.type === 'state' && r.side === side && r.peer !== '*' ? [r.state] : []));

describe('tcpStates', () => {
  test('the server closes first: FIN_WAIT1, FIN_WAIT2, TIME_WAIT on its side; CLOSE_WAIT, LAST_ACK, CLOSED on the other', () => {
    const { records, checks } = tcpStates(
      [
        ...handshake(),
        wire(S, C, FIN | ACK, 5001, 1001),
        wire(C, S, ACK, 1001, 5002),
        wire(C, S, FIN | ACK, 1001, 5002),
        wire(S, C, ACK, 5002, 1002),
        call('server', 'close', 'line', [{ fd: 3, local: '0.0.0.0:8080', peer: '*', state: 'LISTEN' }]),
      ],
      [{ local: S, peer: C, state: 'TIME_WAIT', expiresMs: 59000 }],
    );
    expect(statesOf(records, 'server')).toEqual(['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT']);
    expect(statesOf(records, 'client')).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks.map((c) => `${c.at} ${c.kernel}`)).toEqual([
      'listen LISTEN',
      'connect ESTABLISHED',
      'accept ESTABLISHED',
      'close LISTEN',
      'sock_diag TIME_WAIT',
    ]);
  });

  test('a simultaneous close: both sides pass through CLOSING to TIME_WAIT', () => {
    const { records } = tcpStates(
      [
        ...handshake(),
        wire(S, C, FIN | ACK, 5001, 1001),
        wire(C, S, FIN | ACK, 1001, 5001),
        wire(S, C, ACK, 5002, 1002),
        wire(C, S, ACK, 1002, 5002),
      ],
      null,
    );
    expect(statesOf(records, 'server').slice(2)).toEqual(['FIN_WAIT1', 'CLOSING', 'TIME_WAIT']);
    expect(statesOf(records, 'client').slice(2)).toEqual(['FIN_WAIT1', 'CLOSING', 'TIME_WAIT']);
  });

  test('a SYN answered by RST: SYN_SENT, then CLOSED; the RST comes from no program', () => {
    const { records } = tcpStates(
      [call('client', 'connect', 'start'), wire(C, S, SYN, 1, 0), wire(S, C, RST | ACK, 0, 2)],
      null,
    );
    expect(statesOf(records, 'client')).toEqual(['SYN_SENT', 'CLOSED']);
    const rst = records.find(
      (r) => r.type === 'packet' && r.packet.kind === 'tcp' && r.packet.flags & RST,
    ) as WireRecord;
    expect([rst.from, rst.to]).toEqual([null, 'client']);
  });

  test('a check fails when the kernel reports a state the machine never had, or lacks a socket it left open', () => {
    const records = handshake();
    records.push(call('server', 'send', 'end', [{ fd: 4, local: S, peer: C, state: 'CLOSE_WAIT' }]));
    const { checks } = tcpStates(records, [{ local: S, peer: C, state: 'LAST_ACK', expiresMs: 0 }]);
    expect(checks.filter((c) => !c.ok).map((c) => `${c.at} kernel ${c.kernel}, machine ${c.model.join('|')}`)).toEqual([
      'send kernel CLOSE_WAIT, machine ESTABLISHED',
      'sock_diag kernel LAST_ACK, machine ESTABLISHED',
      'sock_diag kernel CLOSED, machine LISTEN',
      'sock_diag kernel CLOSED, machine ESTABLISHED',
    ]);
  });
});

describe('drawing', () => {
  test('a frame that was not decoded is drawn as such, never dropped', () => {
    clock += 10n;
    const other: WireRecord = { type: 'packet', ns: clock, packet: { kind: 'other', what: 'ARP', length: 42 } };
    const items = itemsOf([call('server', 'socket', 'line'), other]);
    expect(items.map((i) => [i.kind, i.text])).toEqual([
      ['call', 'socket(...)'],
      ['wire', '? ARP (42 bytes, not decoded)'],
    ]);
    const out = renderNarrow(rowsOf(items), 80, { left: ['server', 'server'], right: ['client', 'client'] });
    expect(out).toBe('server │ socket(...)\n   tcp │ ? ARP (42 bytes, not decoded)\n');
  });
});
