// The C structs: sizes, offsets and bytes compared with what a C program
// compiled here (test/c/layouts.c) reports from the same headers; zero-filled
// instances, network-order fields, sockaddr_un paths, sizeof, socklen_t, and
// the programming errors a wrong struct or value throws.
import path from 'node:path';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_PASSIVE,
  INADDR_LOOPBACK,
  IPPROTO_UDP,
  POLLHUP,
  POLLIN,
  POLLOUT,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  CMSG_LEN,
  addrinfo,
  bind,
  cast,
  cmsghdr,
  connect,
  getsockname,
  htonl,
  htons,
  in6_addr,
  in6addr_loopback,
  in_addr,
  inet_pton,
  iovec,
  linger,
  msghdr,
  ntohs,
  offsetof,
  pollfd,
  sizeof,
  sockaddr,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  sockaddr_un,
  socklen_t,
  timeval,
  timespec,
  ip_mreq,
  ip_mreqn,
  ipv6_mreq,
  in_pktinfo,
  in6_pktinfo,
  sockaddr_ll,
  sockaddr_nl,
  nlmsghdr,
  sockaddr_vm,
  sockaddr_can,
  sockaddr_alg,
  tcp_info,
  ifreq,
  sock_filter,
  sock_fprog,
  inet_diag_sockid,
  inet_diag_req_v2,
  inet_diag_msg,
  array,
  assign,
  BPF_JUMP,
  BPF_STMT,
  BPF_JMP,
  BPF_JEQ,
  BPF_K,
  BPF_RET,
  AF_PACKET,
  ETH_P_ALL,
  PACKET_OUTGOING,
  IFF_UP,
  IFF_LOOPBACK,
  type CTypeName,
  type Struct,
  type StructClass,
} from 'bsdsock';
import * as bsdsock from 'bsdsock';
import { memcpy, memset } from 'bsdsock/libc';
import { native } from '../lib/native';
import { Struct as StructBase, isInstance, platformStruct, present } from '../lib/structs';
import { root } from './helpers/build';
import { compileC, runC } from './helpers/c';
import { bad, expectThrown } from './helpers/errors';
import { Fds } from './helpers/fds';
import { localPort, loopback4, unixAddr } from './helpers/net';
import { cc, describeNeeding, testNeeding } from './helpers/tools';

const fds = new Fds();
afterEach(() => fds.closeAll());

const onLinux = process.platform === 'linux' ? test : test.skip;

interface CLayouts {
  sizes: Map<string, number>;
  fields: Map<string, Map<string, [number, number]>>;
  types: Map<string, number>;
  bytes: Map<string, string>;
}

function readCLayouts(): CLayouts {
  const run = runC(compileC(path.join(root, 'test/c/layouts.c')));
  const c: CLayouts = { sizes: new Map(), fields: new Map(), types: new Map(), bytes: new Map() };
  for (const line of run.stdout.trim().split('\n')) {
    const [kind, ...rest] = line.split(' ');
    if (kind === 'size') c.sizes.set(rest[0], Number(rest[1]));
    else if (kind === 'field') {
      const fields = c.fields.get(rest[0]) ?? new Map<string, [number, number]>();
      fields.set(rest[1], [Number(rest[2]), Number(rest[3])]);
      c.fields.set(rest[0], fields);
    } else if (kind === 'type') c.types.set(rest[0].replace(/\+/g, ' '), Number(rest[1]));
    else if (kind === 'bytes') c.bytes.set(rest[0], rest[1]);
    else throw new Error(`unexpected line from layouts: ${line}`);
  }
  return c;
}

// What the C compiler reports (the tests that read it need one, and are skipped without; see
// helpers/tools.ts).
let C: CLayouts;
beforeAll(() => {
  if (cc().missing === null) C = readCLayouts();
}, 180000);
const withC = testNeeding(cc());

type AnyStructClass = StructClass & (new () => Struct);

const classes: [string, AnyStructClass][] = [
  ['sockaddr', sockaddr],
  ['sockaddr_in', sockaddr_in],
  ['sockaddr_in6', sockaddr_in6],
  ['sockaddr_un', sockaddr_un],
  ['sockaddr_storage', sockaddr_storage],
  ['in_addr', in_addr],
  ['in6_addr', in6_addr],
  ['pollfd', pollfd],
  ['linger', linger],
  ['timeval', timeval],
  ['iovec', iovec],
  ['msghdr', msghdr],
  ['cmsghdr', cmsghdr],
  ['addrinfo', addrinfo],
  ['timespec', timespec],
  ['ip_mreq', ip_mreq],
  ['ipv6_mreq', ipv6_mreq],
  // Linux's own (linux/*.h, netpacket/packet.h, net/if.h): elsewhere their layouts are size 0.
  ...(process.platform === 'linux'
    ? ([
        ['sockaddr_ll', sockaddr_ll],
        ['sockaddr_nl', sockaddr_nl],
        ['nlmsghdr', nlmsghdr],
        ['sockaddr_vm', sockaddr_vm],
        ['sockaddr_can', sockaddr_can],
        ['sockaddr_alg', sockaddr_alg],
        ['ip_mreqn', ip_mreqn],
        ['in_pktinfo', in_pktinfo],
        ['in6_pktinfo', in6_pktinfo],
        ['tcp_info', tcp_info],
        ['ifreq', ifreq],
        ['sock_filter', sock_filter],
        ['sock_fprog', sock_fprog],
        ['inet_diag_sockid', inet_diag_sockid],
        ['inet_diag_req_v2', inet_diag_req_v2],
        ['inet_diag_msg', inet_diag_msg],
      ] as [string, AnyStructClass][])
    : []),
];

describeNeeding(cc())('layouts agree with the C compiler', () => {
  test('the C program describes every struct checked here', () => {
    expect([...C.sizes.keys()].sort()).toEqual(classes.map(([n]) => n).sort());
  });

  test.each(classes)('struct %s: sizeof of the class and of an instance equal C sizeof', (name, Class) => {
    expect(sizeof(Class)).toBe(C.sizes.get(name));
    expect(sizeof(new Class())).toBe(C.sizes.get(name));
  });

  test.each(classes)('struct %s: the same fields, each at C offsetof with C sizeof', (name, Class) => {
    const cFields = C.fields.get(name)!;
    expect(Object.keys(Class.layout.fields).sort()).toEqual([...cFields.keys()].sort());
    for (const [field, [offset, size]] of cFields) {
      expect([field, offsetof(Class, field)]).toEqual([field, offset]);
      expect([field, Class.layout.fields[field][1]]).toEqual([field, size]);
    }
  });

  test('sizeof of each C type name equals C sizeof', () => {
    expect(C.types.size).toBeGreaterThan(10);
    for (const [name, size] of C.types) {
      expect([name, sizeof(name as CTypeName)]).toEqual([name, size]);
    }
  });
});

describe('accessors write the bytes C writes', () => {
  const hex = (s: Struct): string => s.bytes.toString('hex');

  withC('sockaddr_in: family in host order, port and address in network order', () => {
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8080);
    expect(inet_pton(AF_INET, '192.0.2.33', addr.sin_addr)).toBe(1);
    expect(hex(addr)).toBe(C.bytes.get('sockaddr_in'));
    const port = offsetof(sockaddr_in, 'sin_port');
    expect([...addr.bytes.subarray(port, port + 2)]).toEqual([8080 >> 8, 8080 & 0xff]);
    expect(ntohs(addr.sin_port)).toBe(8080);
  });

  withC('sockaddr_in6: port, flowinfo, address and scope', () => {
    const addr = new sockaddr_in6();
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(443);
    addr.sin6_flowinfo = htonl(0x12345);
    expect(inet_pton(AF_INET6, '2001:db8::7', addr.sin6_addr)).toBe(1);
    addr.sin6_scope_id = 3;
    expect(hex(addr)).toBe(C.bytes.get('sockaddr_in6'));
  });

  withC('sockaddr_un: family and a NUL-terminated path', () => {
    const addr = new sockaddr_un();
    addr.sun_family = AF_UNIX;
    addr.sun_path = '/tmp/bsdsock.sock';
    expect(hex(addr)).toBe(C.bytes.get('sockaddr_un'));
  });

  withC('pollfd, linger, timeval', () => {
    const pfd = new pollfd();
    pfd.fd = 7;
    pfd.events = POLLIN | POLLOUT;
    pfd.revents = POLLHUP;
    expect(hex(pfd)).toBe(C.bytes.get('pollfd'));
    const lin = new linger();
    lin.l_onoff = 1;
    lin.l_linger = 30;
    expect(hex(lin)).toBe(C.bytes.get('linger'));
    const tv = new timeval();
    tv.tv_sec = 5;
    tv.tv_usec = 250000;
    expect(hex(tv)).toBe(C.bytes.get('timeval'));
  });

  withC('cmsghdr for SCM_RIGHTS and addrinfo hints', () => {
    const cm = new cmsghdr();
    cm.cmsg_len = CMSG_LEN(sizeof('int'));
    cm.cmsg_level = SOL_SOCKET;
    cm.cmsg_type = SCM_RIGHTS;
    expect(hex(cm)).toBe(C.bytes.get('cmsghdr'));
    const hints = new addrinfo();
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET6;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    expect(hex(hints)).toBe(C.bytes.get('addrinfo'));
  });

  const withCOnLinux = process.platform === 'linux' ? withC : test.skip;

  withCOnLinux('tcp_info: the two 4-bit window scales share the byte after tcpi_options, as C packs them', () => {
    const ti = new tcp_info();
    ti.tcpi_state = 1;
    ti.tcpi_snd_wscale = 7;
    ti.tcpi_rcv_wscale = 9;
    ti.tcpi_rtt = 12345;
    ti.tcpi_bytes_acked = 0x123456789a;
    expect(hex(ti)).toBe(C.bytes.get('tcp_info'));
    expect([ti.tcpi_snd_wscale, ti.tcpi_rcv_wscale, ti.tcpi_bytes_acked]).toEqual([7, 9, 0x123456789a]);
    expect(() => (ti.tcpi_rcv_wscale = 16)).toThrow(RangeError);
  });

  withCOnLinux('sockaddr_ll: protocol in network order, hardware address bytes', () => {
    const ll = new sockaddr_ll();
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = 1;
    ll.sll_hatype = 772;
    ll.sll_pkttype = PACKET_OUTGOING;
    ll.sll_halen = 6;
    ll.sll_addr = Uint8Array.of(0, 0, 0, 0, 0, 0xab);
    expect(hex(ll)).toBe(C.bytes.get('sockaddr_ll'));
    expect(ll.sa_family).toBe(AF_PACKET);
  });

  withCOnLinux("ifreq: the name, then the union (ifr_flags shares ifr_ifindex's bytes)", () => {
    const ifr = new ifreq();
    ifr.ifr_name = 'lo';
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK;
    expect(hex(ifr)).toBe(C.bytes.get('ifreq'));
    expect(ifr.ifr_name).toBe('lo');
    expect(ifr.ifr_ifindex).toBe(IFF_UP | IFF_LOOPBACK);
    expect(ifr.ifr_addr.bytes.byteOffset).toBe(ifr.bytes.byteOffset + offsetof(ifreq, 'ifr_addr'));
  });

  withCOnLinux("sock_filter: BPF_JUMP and BPF_STMT make the instructions C's macros make", () => {
    const insn = array(sock_filter, 2);
    insn[0] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1);
    insn[1] = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
    expect(insn.bytes.toString('hex')).toBe(C.bytes.get('sock_filter'));
  });

  test('a field reads back what was written', () => {
    const addr = new sockaddr_in6();
    addr.sin6_scope_id = 0xffffffff;
    addr.sin6_flowinfo = htonl(1);
    expect(addr.sin6_scope_id).toBe(0xffffffff);
    expect(addr.sin6_flowinfo).toBe(htonl(1));
    const pfd = new pollfd();
    pfd.fd = -1;
    expect(pfd.fd).toBe(-1);
  });
});

describe('instances', () => {
  test.each(classes)('new %s() is zero-filled bytes of C sizeof, its own', (_name, Class) => {
    const a = new Class();
    const b = new Class();
    expect(a.bytes.length).toBe(sizeof(Class));
    expect(a.bytes.every((x) => x === 0)).toBe(true);
    a.bytes.fill(0xff);
    expect(b.bytes.every((x) => x === 0)).toBe(true);
    expect(new Class().bytes.every((x) => x === 0)).toBe(true);
  });

  test('small structs share an ArrayBuffer, yet calls, casts and libc reach only their own bytes', () => {
    // The premise: a's neighbour on the slab lies right after it (a slab that fills up between the two
    // starts a new one: then the next pair shares it).
    let a = new sockaddr_in();
    let next = new sockaddr_in();
    if (next.bytes.buffer !== a.bytes.buffer) [a, next] = [next, new sockaddr_in()];
    expect(next.bytes.buffer).toBe(a.bytes.buffer);
    expect(next.bytes.byteOffset).toBe(a.bytes.byteOffset + sizeof(sockaddr_in));
    next.bytes.fill(0xab);
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expectThrown(() => getsockname(fd, a, new socklen_t(sizeof(sockaddr_storage))), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'getsockname',
      param: 'addrlen',
    });
    expect(() => cast(sockaddr_in6, a)).toThrow(RangeError);
    expect(() => memset(a, 0, sizeof(a) + 1)).toThrow(RangeError);
    expect(() => memcpy(a, next, sizeof(a) + 1)).toThrow(RangeError);
    expect(next.bytes.every((x) => x === 0xab)).toBe(true);
    // Listing the shared buffer for transfer does not detach it under the other structs: Node 20
    // copies it, Node 21 and later throw a DataCloneError.
    try {
      structuredClone(a.bytes.buffer, { transfer: [a.bytes.buffer] });
    } catch (error) {
      expect((error as Error).name).toBe('DataCloneError');
    }
    next.sin_port = htons(80);
    expect(a.bytes.length).toBe(sizeof(sockaddr_in));
    expect(ntohs(next.sin_port)).toBe(80);
    // Assignment copies the bytes; each struct still reads its own.
    assign(a, next);
    next.sin_port = htons(81);
    expect(ntohs(a.sin_port)).toBe(80);
    expect(a.bytes.equals(next.bytes)).toBe(false);
  });

  test('sin_addr is a view on the sockaddr_in bytes; assigning an in_addr copies it', () => {
    const addr = new sockaddr_in();
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const at = offsetof(sockaddr_in, 'sin_addr');
    expect([...addr.bytes.subarray(at, at + 4)]).toEqual([127, 0, 0, 1]);
    const other = new in_addr();
    expect(inet_pton(AF_INET, '10.0.0.9', other)).toBe(1);
    addr.sin_addr = other;
    other.s_addr = 0;
    expect([...addr.bytes.subarray(at, at + 4)]).toEqual([10, 0, 0, 9]);
  });

  test('sin6_addr = in6addr_loopback copies the 16 bytes, leaving the constant alone', () => {
    const addr = new sockaddr_in6();
    addr.sin6_addr = in6addr_loopback;
    const at = offsetof(sockaddr_in6, 'sin6_addr');
    expect(addr.bytes.subarray(at, at + 16).equals(in6addr_loopback.bytes)).toBe(true);
    addr.sin6_addr.s6_addr = new Uint8Array(16);
    expect(in6addr_loopback.bytes[15]).toBe(1);
  });

  test('cast views the same bytes as another struct, as a C pointer cast does', () => {
    const storage = new sockaddr_storage();
    const in4 = cast(sockaddr_in, storage);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(9);
    expect(storage.ss_family).toBe(AF_INET);
    expect(cast(sockaddr_in, storage.bytes).sin_port).toBe(htons(9));
  });
});

describe('sockaddr_un paths', () => {
  const pathAt = offsetof(sockaddr_un, 'sun_path');
  const pathSize = (): number => sockaddr_un.layout.fields.sun_path[1];

  test('a path reads back as written, stored as UTF-8 and NUL-padded', () => {
    const addr = new sockaddr_un();
    addr.sun_path = '/tmp/café.sock';
    expect(addr.sun_path).toBe('/tmp/café.sock');
    const encoded = Buffer.from('/tmp/café.sock');
    expect(addr.bytes.subarray(pathAt, pathAt + encoded.length).equals(encoded)).toBe(true);
    expect(addr.bytes.subarray(pathAt + encoded.length).every((b) => b === 0)).toBe(true);
  });

  test('a shorter path replaces a longer one entirely', () => {
    const addr = new sockaddr_un();
    addr.sun_path = '/tmp/a-rather-long-name';
    addr.sun_path = '/x';
    expect(addr.sun_path).toBe('/x');
    expect(addr.bytes.subarray(pathAt + 2).every((b) => b === 0)).toBe(true);
  });

  test('an abstract name: a leading NUL byte, then the name', () => {
    const addr = new sockaddr_un();
    addr.sun_path = '\0bsdsock-name';
    expect(addr.bytes[pathAt]).toBe(0);
    expect(addr.bytes.subarray(pathAt + 1, pathAt + 13).toString()).toBe('bsdsock-name');
    expect(addr.sun_path).toBe('\0bsdsock-name');
  });

  onLinux('an abstract name binds, and getsockname gives it back with its exact length', () => {
    const fd = fds.socket(AF_UNIX, SOCK_STREAM);
    const name = `\0bsdsock-structs-${process.pid}-${Date.now()}`;
    const addr = unixAddr(name);
    const addrlen = pathAt + Buffer.byteLength(name);
    expect(bind(fd, addr, addrlen)).toBe(0);
    const got = new sockaddr_un();
    const len = new socklen_t(sizeof(got));
    expect(getsockname(fd, got, len)).toBe(0);
    expect(len.value).toBe(addrlen);
    expect(got.sun_family).toBe(AF_UNIX);
    expect(got.sun_path).toBe(name);
  });

  test('a path of exactly sizeof(sun_path) bytes fits (no room for the NUL, as in C)', () => {
    const addr = new sockaddr_un();
    addr.sun_path = 'p'.repeat(pathSize());
    expect(addr.sun_path).toBe('p'.repeat(pathSize()));
    expect(addr.bytes.length).toBe(sizeof(sockaddr_un));
  });

  test('a longer path throws RangeError, the old path stays, errno untouched', () => {
    const addr = new sockaddr_un();
    addr.sun_path = '/tmp/kept';
    const expected = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'sockaddr_un', param: 'sun_path' } as const;
    expectThrown(() => {
      addr.sun_path = 'p'.repeat(pathSize() + 1);
    }, expected);
    // Length counts UTF-8 bytes: each 'é' is two.
    expectThrown(() => {
      addr.sun_path = 'é'.repeat(Math.floor(pathSize() / 2) + 1);
    }, expected);
    expect(addr.sun_path).toBe('/tmp/kept');
  });

  test('sun_path of another type throws TypeError', () => {
    const addr = new sockaddr_un();
    expectThrown(
      () => {
        addr.sun_path = bad(42);
      },
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'sockaddr_un', param: 'sun_path' },
    );
  });
});

describe('a wrong struct or size is a programming error, not a syscall', () => {
  test('bind with a struct that is not a socket address: TypeError', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const expected = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'bind', param: 'addr' } as const;
    expectThrown(() => bind(fd, bad(new linger()), sizeof(linger)), expected);
    expectThrown(() => bind(fd, bad(new in_addr()), sizeof(in_addr)), expected);
    expectThrown(() => bind(fd, bad({ sin_family: AF_INET, sin_port: 0 }), sizeof(sockaddr_in)), expected);
    expectThrown(() => bind(fd, bad('127.0.0.1'), sizeof(sockaddr_in)), expected);
    expect(localPort(fd)).toBe(0);
  });

  test('bind with addrlen larger than the struct: RangeError', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const addr = loopback4();
    const expected = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'bind', param: 'addrlen' } as const;
    expectThrown(() => bind(fd, addr, sizeof(sockaddr_in6)), expected);
    expectThrown(() => bind(fd, addr, sizeof(addr) + 1), expected);
    expectThrown(() => bind(fd, addr, -1), expected);
    expect(localPort(fd)).toBe(0);
  });

  test('connect with addrlen larger than the struct: RangeError', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    expectThrown(() => connect(fd, loopback4(), sizeof(sockaddr_storage)), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'connect',
      param: 'addrlen',
    });
  });

  test('field values the C type cannot hold: RangeError; other types: TypeError', () => {
    const addr = new sockaddr_in();
    const range = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'sockaddr_in' } as const;
    expectThrown(
      () => {
        addr.sin_port = 65536;
      },
      { ...range, param: 'sin_port' },
    );
    expectThrown(
      () => {
        addr.sin_port = 1.5;
      },
      { ...range, param: 'sin_port' },
    );
    expectThrown(
      () => {
        addr.sin_family = -1;
      },
      { ...range, param: 'sin_family' },
    );
    expectThrown(
      () => {
        addr.sin_zero = new Uint8Array(sockaddr_in.layout.fields.sin_zero[1] + 1);
      },
      { ...range, param: 'sin_zero' },
    );
    expectThrown(
      () => {
        addr.sin_port = bad('80');
      },
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'sockaddr_in', param: 'sin_port' },
    );
    expectThrown(
      () => {
        addr.sin_addr = bad(new in6_addr());
      },
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'sockaddr_in', param: 'sin_addr' },
    );
    expect(addr.bytes.every((b) => b === 0)).toBe(true);

    const pfd = new pollfd();
    expectThrown(
      () => {
        pfd.fd = 2 ** 31;
      },
      { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'pollfd', param: 'fd' },
    );
    const tv = new timeval();
    expectThrown(
      () => {
        tv.tv_sec = 0.5;
      },
      { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'timeval', param: 'tv_sec' },
    );
  });

  test('cast to a struct larger than the source: RangeError', () => {
    expectThrown(() => cast(sockaddr_in6, new sockaddr_in()), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'cast',
      param: 'source',
    });
    expectThrown(() => cast(sockaddr_in, bad(42)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'cast',
      param: 'source',
    });
  });
});

describe('sizeof and offsetof', () => {
  test('buffers: their byte length', () => {
    expect(sizeof(Buffer.alloc(5))).toBe(5);
    expect(sizeof(new Uint32Array(3))).toBe(12);
    expect(sizeof(new DataView(new ArrayBuffer(32), 4, 10))).toBe(10);
    expect(sizeof(new ArrayBuffer(7))).toBe(7);
    expect(sizeof(new Uint8Array(0))).toBe(0);
  });

  test('a struct instance that views a larger buffer still has its C size', () => {
    const in4 = cast(sockaddr_in, new sockaddr_storage());
    expect(sizeof(in4)).toBe(sizeof(sockaddr_in));
    expect(in4.bytes.length).toBe(sizeof(sockaddr_in));
  });

  withC('a socklen_t holder has the size of C socklen_t', () => {
    expect(sizeof(new socklen_t(16))).toBe(C.types.get('socklen_t'));
  });

  test('an unknown type name: ERR_INVALID_ARG_VALUE; anything else: ERR_INVALID_ARG_TYPE', () => {
    expectThrown(() => sizeof(bad('float')), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'sizeof',
      param: 'x',
    });
    for (const x of [42, null, undefined, {}, () => 0]) {
      expectThrown(() => sizeof(bad(x)), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'sizeof', param: 'x' });
    }
  });

  test('offsetof a field the struct does not have: ERR_INVALID_ARG_VALUE', () => {
    expectThrown(() => offsetof(sockaddr_in, 'sin6_port'), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'offsetof',
      param: 'member',
    });
  });
});

describe('socklen_t', () => {
  test('holds a length; 0 by default', () => {
    expect(new socklen_t().value).toBe(0);
    const len = new socklen_t(sizeof(sockaddr_in6));
    expect(len.value).toBe(sizeof(sockaddr_in6));
    len.value = 0xffffffff;
    expect(len.value).toBe(0xffffffff);
  });

  test('getsockname reads the size in and writes the address length out', () => {
    const fd = fds.socket(AF_INET, SOCK_STREAM);
    const addr = loopback4();
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    const storage = new sockaddr_storage();
    const len = new socklen_t(sizeof(storage));
    expect(getsockname(fd, storage, len)).toBe(0);
    expect(len.value).toBe(sizeof(sockaddr_in));
    expect(storage.ss_family).toBe(AF_INET);
    expect(cast(sockaddr_in, storage).sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
  });

  test('values a socklen_t cannot hold throw', () => {
    const len = new socklen_t(4);
    const range = { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'socklen_t', param: 'value' } as const;
    for (const v of [-1, 1.5, 2 ** 32, NaN]) {
      expectThrown(() => {
        len.value = v;
      }, range);
    }
    expectThrown(() => new socklen_t(-4), range);
    expectThrown(
      () => {
        len.value = bad('4');
      },
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'socklen_t', param: 'value' },
    );
    expect(len.value).toBe(4);
  });
});

// issue 13, "Bad input": a struct whose layout the platform lacks is undefined, never a class over a
// guessed (empty) layout; its type stays the class, as a missing constant's stays number.
describe('a struct the platform lacks is undefined', () => {
  const structClasses = Object.entries(bsdsock).filter(
    // SockaddrStruct, the abstract base of the socket addresses, is no C struct and has no layout.
    ([n, v]) =>
      typeof v === 'function' &&
      (v as { prototype?: unknown }).prototype instanceof StructBase &&
      n !== 'SockaddrStruct',
  ) as [string, StructClass][];

  test('every exported struct class has a layout here, not an empty one', () => {
    expect(structClasses.length).toBeGreaterThanOrEqual(36);
    for (const [name, Class] of structClasses) {
      expect([name, Class.name]).toEqual([name, name]);
      expect([name, Class.layout.size > 0]).toEqual([name, true]);
    }
    // Among them, the platform-only ones.
    const names = structClasses.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['ucred', 'epoll_event', 'sockaddr_ll', 'tcp_info', 'inet_diag_msg']));
  });

  test('platformStruct: the class for a layout the addon has, undefined for one it lacks', () => {
    expect(platformStruct(bsdsock.sockaddr_ll)).toBe(bsdsock.sockaddr_ll);
    expect(platformStruct(bsdsock.tcp_info)).toBe(bsdsock.tcp_info);
    // The same class where the addon has no layout of that name: what another platform sees.
    const { sockaddr_ll: _absent, ...elsewhere } = native.layouts;
    expect(platformStruct(bsdsock.sockaddr_ll, elsewhere)).toBeUndefined();
    expect(platformStruct(bsdsock.sockaddr_in, elsewhere)).toBe(bsdsock.sockaddr_in);
    class no_such_struct extends StructBase {
      static readonly layout = { size: 4, align: 4, fields: {} };
    }
    expect(platformStruct(no_such_struct)).toBeUndefined();
  });

  test('the helpers that take such a struct do not need its class to exist', () => {
    // isInstance is what lib/ uses in place of instanceof for them: false, not a TypeError, for undefined.
    expect(isInstance(new bsdsock.ifreq(), undefined as unknown as typeof bsdsock.ifreq)).toBe(false);
    expect(isInstance(new bsdsock.ifreq(), bsdsock.ifreq)).toBe(true);
    expect(present(undefined as unknown as typeof bsdsock.ifreq)).toBe(false);
    expect(present(bsdsock.ifreq)).toBe(true);
  });
});
