// bsdsock/timeline's pieces that make a lesson's drawing the same from run to run, on records made by
// hand: causalOrder (the order the causal links and a fixed rule give, whatever the records' times say),
// renderCausal, the UDP and ICMP decoding of decodeFrame, and the normalization the lessons' test
// compares with. Also the tracer's MSG_TRUNC line, which a lesson shows.
import { normalize } from '../scripts/lessons-normalize';
import {
  AF_INET,
  INADDR_LOOPBACK,
  MSG_TRUNC,
  SOCK_DGRAM,
  bind,
  close,
  getsockname,
  htonl,
  recv,
  sendto,
  sizeof,
  sockaddr_in,
  socket,
  socklen_t,
  trace,
} from 'bsdsock';
import {
  TCP_FLAGS,
  causalOrder,
  decodeFrame,
  packetText,
  readyOf,
  renderCausal,
  resultOf,
  tcpStates,
  type CallRecord,
  type TcpSegment,
  type TimelineRecord,
  type WireRecord,
} from 'bsdsock/timeline';

// --- Records made by hand ----------------------------------------------------------------------

const S = '127.0.0.1:8080';
const C = '127.0.0.1:40000';

function call(
  side: string,
  ph: string,
  id: number,
  name: string,
  text: string,
  ns: bigint,
  written = ns,
  sockets?: CallRecord['sockets'],
): CallRecord {
  return { type: 'call', side, ph, id, call: name, text, ns, written, sockets };
}

function seg(
  from: string,
  to: string,
  flags: number,
  seq: number,
  ack: number,
  length: number,
  ns: bigint,
): WireRecord {
  const packet: TcpSegment = { kind: 'tcp', ip: 'IPv4', from, to, flags, seq, ack, length, data: Buffer.alloc(0) };
  return { type: 'packet', ns, packet };
}

const { SYN, ACK, FIN, PSH } = TCP_FLAGS;
const sock = (
  fd: number,
  local: string,
  peer: string,
  state: 'LISTEN' | 'ESTABLISHED' | 'CLOSED' | 'CLOSE_WAIT',
): CallRecord['sockets'] => [{ fd, local, peer, state }];

/**
 * The seed's exchange, its records stamped by `t`: a function from each event's name to its time. Two
 * runs whose scheduler interleaved differently give two `t`s.
 */
function seed(t: (event: string) => bigint): TimelineRecord[] {
  const r: (CallRecord | WireRecord)[] = [
    call(
      'server',
      'line',
      1,
      'listen',
      'listen(3, 3) = 0',
      t('listen'),
      t('listen') + 1n,
      sock(3, '0.0.0.0:8080', '*', 'LISTEN'),
    ),
    call('server', 'start', 2, 'accept', 'accept(3, ', t('accept0')),
    call('client', 'line', 1, 'socket', 'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3', t('socket'), t('socket') + 1n),
    call('client', 'start', 2, 'connect', 'connect(3, {...}, 16', t('connect0')),
    seg(C, S, SYN, 100, 0, 0, t('syn')),
    seg(S, C, SYN | ACK, 500, 101, 0, t('synack')),
    seg(C, S, ACK, 101, 501, 0, t('ack')),
    call(
      'client',
      'end',
      2,
      'connect',
      'connect(3, {...}, 16) = 0',
      t('connect1'),
      t('connect1'),
      sock(3, C, S, 'ESTABLISHED'),
    ),
    call(
      'server',
      'end',
      2,
      'accept',
      'accept(3, NULL, NULL) = 4',
      t('accept1'),
      t('accept1'),
      sock(4, S, C, 'ESTABLISHED'),
    ),
    call('client', 'start', 3, 'recv', 'recv(3, ', t('recv0')),
    call('server', 'start', 3, 'send', 'send(4, "Hello", 5, 0', t('send0')),
    seg(S, C, PSH | ACK, 501, 101, 5, t('psh')),
    seg(C, S, ACK, 101, 506, 0, t('pshack')),
    call(
      'server',
      'end',
      3,
      'send',
      'send(4, "Hello", 5, 0) = 5',
      t('send1'),
      t('send1'),
      sock(4, S, C, 'ESTABLISHED'),
    ),
    call(
      'client',
      'end',
      3,
      'recv',
      'recv(3, "Hello", 1024, 0) = 5',
      t('recv1'),
      t('recv1'),
      sock(3, C, S, 'ESTABLISHED'),
    ),
    // A call in one line is written when it returns: after the FIN it sent.
    call('server', 'line', 4, 'close', 'close(4) = 0', t('close'), t('fin') + 1n, sock(4, S, C, 'ESTABLISHED')),
    seg(S, C, FIN | ACK, 506, 101, 0, t('fin')),
    seg(C, S, ACK, 101, 507, 0, t('finack')),
  ];
  r.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  return tcpStates(r, null).records;
}

const ORDER = [
  'listen',
  'accept0',
  'socket',
  'connect0',
  'syn',
  'synack',
  'ack',
  'connect1',
  'accept1',
  'recv0',
  'send0',
  'psh',
  'pshack',
  'send1',
  'recv1',
  'close',
  'fin',
  'finack',
];
/** Times in the order given, 10 ns apart. */
const inOrder =
  (order: string[]) =>
  (e: string): bigint =>
    BigInt(order.indexOf(e) * 10 + 10);
const programs = [{ name: 'server' }, { name: 'client', cuedBy: { program: 'server', record: 1 } }];

const drawn = (records: TimelineRecord[]): string[] =>
  causalOrder(records, programs).records.map((r) =>
    r.type === 'call'
      ? `${r.side} ${r.ph} ${r.call}`
      : r.type === 'packet'
        ? `wire ${packetText(r.packet)} ${r.packet.kind === 'tcp' ? r.packet.from.slice(-4) : ''}`
        : `${r.side} [${r.state}]`,
  );

describe('causalOrder', () => {
  test('two interleavings of the same exchange draw the same order', () => {
    const a = drawn(seed(inOrder(ORDER)));
    // The scheduler's other choices: accept returns before connect, the client's recv starts before
    // the server's send, returns after the server's close, and the ACKs are captured late.
    const other = [
      'listen',
      'accept0',
      'socket',
      'connect0',
      'syn',
      'synack',
      'ack',
      'accept1',
      'connect1',
      'send0',
      'recv0',
      'psh',
      'send1',
      'close',
      'pshack',
      'fin',
      'recv1',
      'finack',
    ];
    const b = drawn(seed(inOrder(other)));
    expect(b).toEqual(a);
  });

  test('what a call sent comes after it, what it waited for before its end, an answer after its question', () => {
    const order = drawn(seed(inOrder(ORDER)));
    const at = (s: string): number => {
      const k = order.indexOf(s);
      if (k < 0) throw new Error(`${s} not drawn:\n${order.join('\n')}`);
      return k;
    };
    expect(at('client start connect')).toBeLessThan(at('wire SYN 0000'));
    expect(at('wire SYN-ACK 8080')).toBeLessThan(at('client end connect'));
    expect(at('wire ACK 0000')).toBeLessThan(at('server end accept'));
    expect(at('server start send')).toBeLessThan(at('wire PSH-ACK len 5 8080'));
    expect(at('wire PSH-ACK len 5 8080')).toBeLessThan(at('client end recv'));
    expect(at('server line close')).toBeLessThan(at('wire FIN-ACK 8080'));
    // The listener's LISTEN right after listen; the client's program started on the server's accept.
    expect(order[1]).toBe('server [LISTEN]');
    expect(at('server start accept')).toBeLessThan(at('client line socket'));
  });

  test('a held program goes on only after what released it', () => {
    // The runner stamps the record a program was held before with the time it was let go.
    const records = seed(inOrder(ORDER.filter((e) => e !== 'recv0' && e !== 'recv1').concat('recv0', 'recv1')));
    const held = [
      { name: 'server' },
      {
        name: 'client',
        cuedBy: { program: 'server', record: 1 },
        held: { after: 2, until: { program: 'server', record: null } },
      },
    ];
    const out = causalOrder(records, held);
    const order = out.records
      .filter((r): r is CallRecord => r.type === 'call')
      .map((r) => `${r.side} ${r.ph} ${r.call}`);
    expect(order.indexOf('client start recv')).toBeGreaterThan(order.indexOf('server line close'));
    expect([...out.holds.keys()].map((r) => r.call)).toEqual(['connect']);
  });

  test('a retransmitted SYN is marked, and drawn after what came before it', () => {
    const records: (CallRecord | WireRecord)[] = [
      call('p', 'line', 1, 'listen', 'listen(3, 1) = 0', 1n, 2n, sock(3, S, '*', 'LISTEN')),
      call('p', 'line', 2, 'connect', 'connect(4, {...}, 16) = -1 EINPROGRESS (Operation now in progress)', 10n, 20n),
      seg(C, S, SYN, 100, 0, 0, 15n),
      call('p', 'start', 3, 'accept', 'accept(3, ', 30n),
      call('p', 'end', 3, 'accept', 'accept(3, NULL, NULL) = 5', 40n),
      seg(C, S, SYN, 100, 0, 0, 1000n),
      seg(S, C, SYN | ACK, 500, 101, 0, 1001n),
    ];
    const out = causalOrder(tcpStates(records, null).records, [{ name: 'p' }]);
    const wire = out.records.filter((r): r is WireRecord => r.type === 'packet');
    expect(out.retransmissions.has(wire[1])).toBe(true);
    expect(out.retransmissions.has(wire[0])).toBe(false);
    const names = out.records.map((r) =>
      r.type === 'call' ? r.call : r.type === 'packet' ? packetText(r.packet) : 'state',
    );
    expect(names.indexOf('accept')).toBeLessThan(names.lastIndexOf('SYN'));
    expect(renderCausal(out, { width: 200 })).toContain('─SYN (retransmission)─▶');
  });
});

describe('renderCausal', () => {
  test('a call is one line unless what it waited for comes between its start and its end', () => {
    const text = renderCausal(causalOrder(seed(inOrder(ORDER)), programs), {
      labels: new Map([['server', 'serveur']]),
      width: 200,
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('serveur │ listen(3, 3) = 0');
    expect(lines).toContain('serveur │ accept(3,  <unfinished ...>');
    expect(lines).toContain('serveur │ <... accept resumed>NULL, NULL) = 4');
    expect(lines).toContain(' client │ connect(3, {...}, 16 <unfinished ...>');
    expect(lines).toContain('serveur │ send(4, "Hello", 5, 0) = 5');
    expect(lines).toContain('    tcp │ 127.0.0.1:8080 ─PSH-ACK len 5─▶ 127.0.0.1:40000');
    expect(lines).toContain('serveur │ [LISTEN] :8080');
  });

  test('without the wire: the calls alone, split only for what shows', () => {
    const text = renderCausal(causalOrder(seed(inOrder(ORDER)), programs), { wire: false, width: 200 });
    expect(text).not.toMatch(/tcp │|\[LISTEN\]/);
    expect(text).toContain('client │ connect(3, {...}, 16) = 0');
  });
});

describe('resultOf and readyOf', () => {
  test('a line ending in its result', () => {
    expect(resultOf('recv(3, "a) = 1", 9, 0) = 5')).toEqual({ value: 5, errno: null });
    expect(resultOf('connect(3, {...}, 16) = -1 ECONNREFUSED (Connection refused)')).toEqual({
      value: -1,
      errno: 'ECONNREFUSED',
    });
    expect(resultOf('select(5, [3 4], NULL, NULL, NULL) = 1 (in [4])')).toEqual({ value: 1, errno: null });
  });

  test('the descriptors poll, select and epoll_wait report ready', () => {
    expect(readyOf('select', 'select(5, [3 4], NULL, NULL, NULL) = 1 (in [4])')).toEqual([
      { fd: 4, readable: true, hangup: false, error: false },
    ]);
    expect(readyOf('poll', 'poll([{fd=3, events=POLLRDHUP}], 1, -1) = 1 ([{fd=3, revents=POLLRDHUP}])')).toEqual([
      { fd: 3, readable: false, hangup: true, error: false },
    ]);
    expect(readyOf('epoll_wait', 'epoll_wait(5, [{events=EPOLLIN, data={u32=7, u64=7}}], 3, -1) = 1')).toEqual([
      { fd: 7, readable: true, hangup: false, error: false },
    ]);
  });
});

// --- Frames --------------------------------------------------------------------------------------

function ipv4(proto: number, payload: Buffer, src = [127, 0, 0, 1], dst = [127, 0, 0, 1]): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = proto;
  Buffer.from(src).copy(ip, 12);
  Buffer.from(dst).copy(ip, 16);
  return Buffer.concat([ip, payload]);
}

function frame(ethertype: number, body: Buffer): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(ethertype, 12);
  return Buffer.concat([eth, body]);
}

function udp(sport: number, dport: number, data: string): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + data.length, 4);
  return Buffer.concat([h, Buffer.from(data)]);
}

describe('decodeFrame: UDP and ICMP', () => {
  test('a UDP datagram: its ports and payload', () => {
    const p = decodeFrame(frame(0x0800, ipv4(17, udp(40000, 5000, 'deux'))));
    expect(p).toMatchObject({ kind: 'udp', ip: 'IPv4', from: '127.0.0.1:40000', to: '127.0.0.1:5000', length: 4 });
    expect(packetText(p)).toBe('UDP len 4');
  });

  test('an ICMP echo request and its reply: identifier and sequence number', () => {
    const echo = (type: number): Buffer => Buffer.from([type, 0, 0, 0, 0x10, 0x92, 0, 1, 0x62]);
    expect(packetText(decodeFrame(frame(0x0800, ipv4(1, echo(8)))))).toBe('ICMP echo request id=4242 seq=1');
    expect(decodeFrame(frame(0x0800, ipv4(1, echo(0))))).toMatchObject({
      kind: 'icmp',
      what: 'echo reply',
      id: 4242,
      seq: 1,
    });
  });

  test('an ICMP port unreachable says which datagram it is about', () => {
    const quoted = ipv4(17, udp(40000, 5001, 'allo'));
    const p = decodeFrame(frame(0x0800, ipv4(1, Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), quoted]))));
    expect(p).toMatchObject({
      kind: 'icmp',
      what: 'port unreachable',
      about: { protocol: 'udp', from: '127.0.0.1:40000', to: '127.0.0.1:5001' },
    });
    expect(packetText(p)).toBe('ICMP port unreachable');
  });

  test('a TCP segment is written as before; what is not decoded says why', () => {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(40000, 0);
    tcp.writeUInt16BE(8080, 2);
    tcp[12] = 5 << 4;
    tcp[13] = SYN;
    expect(packetText(decodeFrame(frame(0x0800, ipv4(6, tcp))))).toBe('SYN');
    expect(packetText(decodeFrame(frame(0x0806, Buffer.alloc(28))))).toBe('? ARP (42 bytes, not decoded)');
  });
});

// --- Normalization -------------------------------------------------------------------------------

describe("the lessons' normalization", () => {
  test('descriptors, ephemeral ports and pids by first appearance; a lesson port stays', () => {
    const a = [
      'serveur │ socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 18',
      'serveur │ accept(18, {sa_family=AF_INET, sin_port=htons(43316), sin_addr=inet_addr("127.0.0.1")}, [16]) = 20',
      '    tcp │ 127.0.0.1:43316 ─SYN─▶ 127.0.0.1:8080',
      'serveur │ [ESTABLISHED] :8080⇄:43316',
      'serveur │ select(21, [18 20], NULL, NULL, NULL) = 1 (in [20])',
      '── serveur (pid 123, sortie 0) ──',
    ].join('\n');
    const b = a
      .replace(/\b18\b/g, '3')
      .replace(/\b20\b/g, '4')
      .replace(/\b21\b/g, '5')
      .replace(/43316/g, '51000')
      .replace('123', '99999');
    expect(normalize(b)).toBe(normalize(a));
    expect(normalize(a)).toContain('htons(<port1>)');
    expect(normalize(a)).toContain('127.0.0.1:8080');
    expect(normalize(a)).toContain('pid <pid>');
    // Which descriptor is which still counts.
    expect(normalize(a.replace('close', 'x').replace('accept(18', 'accept(20'))).not.toBe(normalize(a));
  });

  test('a call wrapped at another place is the same call', () => {
    const one =
      'client │ connect(18, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0';
    const two =
      'client │ connect(3, {sa_family=AF_INET, sin_port=htons(8080),\nclient │     sin_addr=inet_addr("127.0.0.1")}, 16) = 0';
    expect(normalize(two)).toBe(normalize(one));
  });
});

// --- The tracer's MSG_TRUNC line -----------------------------------------------------------------

describe('recv with MSG_TRUNC', () => {
  test("is traced with the bytes it wrote, its result the datagram's length", () => {
    const lines: string[] = [];
    const a = socket(AF_INET, SOCK_DGRAM, 0);
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    try {
      expect(bind(a, addr, sizeof(addr))).toBe(0);
      const len = new socklen_t(sizeof(addr));
      getsockname(a, addr, len);
      sendto(a, 'un datagramme de 28 octets !', 28, 0, addr, sizeof(addr));
      trace({ stream: { write: (s: string) => lines.push(s) } });
      const buf = Buffer.alloc(64, 0x2e);
      expect(recv(a, buf, 4, MSG_TRUNC)).toBe(28);
    } finally {
      trace(false);
      close(a);
    }
    expect(lines.join('')).toContain('recv(' + a + ', "un d", 4, MSG_TRUNC) = 28');
  });
});
