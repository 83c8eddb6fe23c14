// Byte order (htons, htonl, ntohs, ntohl), address text (inet_pton,
// inet_ntop, inet_addr, inet_ntoa) and strlen: results, C's failure values
// and errno, and the programming errors thrown before the C library is called.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAFNOSUPPORT,
  ENOSPC,
  ENOTTY,
  INADDR_LOOPBACK,
  INADDR_NONE,
  INET6_ADDRSTRLEN,
  INET_ADDRSTRLEN,
  errno,
  htonl,
  htons,
  in6_addr,
  in6addr_loopback,
  in_addr,
  inet_addr,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
  setErrno,
  sockaddr_in,
  strlen,
} from 'bsdsock';
import { bad, expectThrown } from './helpers/errors';

/** The bytes a C program would see in memory for a uint16_t / uint32_t holding v. */
const memory16 = (v: number): number[] => [...new Uint8Array(new Uint16Array([v]).buffer)];
const memory32 = (v: number): number[] => [...new Uint8Array(new Uint32Array([v]).buffer)];

/** The value of a uint16_t / uint32_t whose bytes in memory are these. */
const fromMemory16 = (bytes: number[]): number => new Uint16Array(new Uint8Array(bytes).buffer)[0];
const fromMemory32 = (bytes: number[]): number => new Uint32Array(new Uint8Array(bytes).buffer)[0];

describe('htons, htonl, ntohs, ntohl', () => {
  test('htons stores the most significant byte first in memory', () => {
    expect(memory16(htons(0x1234))).toEqual([0x12, 0x34]);
    expect(memory16(htons(8080))).toEqual([8080 >> 8, 8080 & 0xff]);
  });

  test('htonl stores the most significant byte first in memory', () => {
    expect(memory32(htonl(0x7f000001))).toEqual([127, 0, 0, 1]);
    expect(memory32(htonl(0xc0a80afe))).toEqual([0xc0, 0xa8, 0x0a, 0xfe]);
  });

  test('ntohs and ntohl read network-order memory back as the number', () => {
    expect(ntohs(fromMemory16([0x1f, 0x90]))).toBe(8080);
    expect(ntohl(fromMemory32([10, 1, 2, 3]))).toBe((10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 2 ** 8 + 3) >>> 0);
  });

  test('htons agrees with Buffer.writeUInt16BE, htonl with writeUInt32BE', () => {
    for (const v of [0, 1, 0xff, 0x100, 0x1234, 0xfffe, 0xffff]) {
      const be = Buffer.alloc(2);
      be.writeUInt16BE(v);
      expect(memory16(htons(v))).toEqual([...be]);
    }
    for (const v of [0, 1, 0xff, 0x10000, 0x12345678, 0x80000000, 0xffffffff]) {
      const be = Buffer.alloc(4);
      be.writeUInt32BE(v);
      expect(memory32(htonl(v))).toEqual([...be]);
    }
  });

  test('round trips give the value back, over the whole range ends', () => {
    for (const v of [0, 1, 80, 443, 8080, 0x8000, 0xffff]) {
      expect(ntohs(htons(v))).toBe(v);
      expect(htons(ntohs(v))).toBe(v);
    }
    for (const v of [0, 1, INADDR_LOOPBACK, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff]) {
      expect(ntohl(htonl(v))).toBe(v);
      expect(htonl(ntohl(v))).toBe(v);
    }
  });

  test('results are unsigned: htonl never returns a negative number', () => {
    expect(htonl(0xffffff7f)).toBeGreaterThan(0);
    expect(htonl(0x80)).toBeGreaterThan(0);
  });

  test('out-of-range, negative and fractional values throw RangeError', () => {
    const cases: [(v: number) => number, string, string, number][] = [
      [htons, 'htons', 'hostshort', 65536],
      [htons, 'htons', 'hostshort', -1],
      [htons, 'htons', 'hostshort', 1.5],
      [ntohs, 'ntohs', 'netshort', 0x10000],
      [ntohs, 'ntohs', 'netshort', NaN],
      [htonl, 'htonl', 'hostlong', 2 ** 32],
      [htonl, 'htonl', 'hostlong', -1],
      [htonl, 'htonl', 'hostlong', 0.25],
      [ntohl, 'ntohl', 'netlong', Infinity],
    ];
    for (const [fn, name, param, v] of cases) {
      expectThrown(() => fn(v), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: name, param });
    }
  });

  test('a non-number throws TypeError', () => {
    expectThrown(() => htons(bad('80')), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'htons',
      param: 'hostshort',
    });
    expectThrown(() => htonl(bad(1n)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'htonl',
      param: 'hostlong',
    });
  });
});

describe('inet_pton', () => {
  test('AF_INET text into an in_addr: 1, the bytes in network order, errno untouched', () => {
    const a = new in_addr();
    setErrno(ENOTTY);
    expect(inet_pton(AF_INET, '192.168.10.254', a)).toBe(1);
    expect([...a.bytes]).toEqual([192, 168, 10, 254]);
    expect(a.s_addr).toBe(htonl(0xc0a80afe));
    expect(errno).toBe(ENOTTY);
  });

  test("into a sockaddr_in's sin_addr, as the seed's client does", () => {
    const addr = new sockaddr_in();
    expect(inet_pton(AF_INET, '127.0.0.1', addr.sin_addr)).toBe(1);
    expect(addr.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
  });

  test('AF_INET6 text into an in6_addr', () => {
    const a = new in6_addr();
    expect(inet_pton(AF_INET6, '2001:db8::1', a)).toBe(1);
    expect([...a.s6_addr]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(inet_pton(AF_INET6, '::1', a)).toBe(1);
    expect(a.bytes.equals(in6addr_loopback.bytes)).toBe(true);
    expect(inet_pton(AF_INET6, '::ffff:192.0.2.1', a)).toBe(1);
    expect([...a.s6_addr]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  });

  test('into a plain buffer of the right size', () => {
    const buf = new Uint8Array(4);
    expect(inet_pton(AF_INET, '10.0.0.7', buf)).toBe(1);
    expect([...buf]).toEqual([10, 0, 0, 7]);
  });

  test.each([['256.0.0.1'], ['1.2.3'], ['1.2.3.4.5'], [' 1.2.3.4'], [''], ['::1'], ['localhost'], ['1.2.3.4\0']])(
    'AF_INET %j is not an address: 0, dst unchanged, errno untouched',
    (text) => {
      const a = new in_addr();
      a.s_addr = htonl(0x01020304);
      setErrno(ENOTTY);
      expect(inet_pton(AF_INET, text, a)).toBe(0);
      expect([...a.bytes]).toEqual([1, 2, 3, 4]);
      expect(errno).toBe(ENOTTY);
    },
  );

  test.each([['1:2:3:4:5:6:7:8:9'], ['::g'], ['2001:db8::1::2'], ['1.2.3.4'], [':::'], ['']])(
    'AF_INET6 %j is not an address: 0',
    (text) => {
      const a = new in6_addr();
      expect(inet_pton(AF_INET6, text, a)).toBe(0);
      expect(a.bytes.every((b) => b === 0)).toBe(true);
    },
  );

  test('an unknown family: -1 with errno EAFNOSUPPORT', () => {
    const a = new in6_addr();
    setErrno(0);
    expect(inet_pton(AF_UNIX, '127.0.0.1', a)).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('programming errors: src not a string, dst too small for the family or not memory', () => {
    const a = new in_addr();
    expectThrown(() => inet_pton(AF_INET, bad(0x7f000001), a), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_pton',
      param: 'src',
    });
    expectThrown(() => inet_pton(AF_INET6, '::1', a), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'inet_pton',
      param: 'dst',
    });
    expectThrown(() => inet_pton(AF_INET, '1.2.3.4', new Uint8Array(3)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'inet_pton',
      param: 'dst',
    });
    expectThrown(() => inet_pton(AF_INET, '1.2.3.4', bad(null)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_pton',
      param: 'dst',
    });
    expectThrown(() => inet_pton(AF_INET, '1.2.3.4', bad(5)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_pton',
      param: 'dst',
    });
    expectThrown(() => inet_pton(1.5, '1.2.3.4', a), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'inet_pton',
      param: 'af',
    });
    expect(a.s_addr).toBe(0);
  });
});

describe('inet_ntop', () => {
  test('AF_INET: the dotted text, errno untouched', () => {
    const a = new in_addr();
    a.s_addr = htonl(0xc0000221);
    setErrno(ENOTTY);
    expect(inet_ntop(AF_INET, a, null, INET_ADDRSTRLEN)).toBe('192.0.2.33');
    expect(errno).toBe(ENOTTY);
  });

  test('AF_INET6: the canonical compressed text (RFC 5952), v4-mapped in dotted form', () => {
    const a = new in6_addr();
    a.s6_addr = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(inet_ntop(AF_INET6, a, null, INET6_ADDRSTRLEN)).toBe('2001:db8::1');
    expect(inet_ntop(AF_INET6, in6addr_loopback, null, INET6_ADDRSTRLEN)).toBe('::1');
    expect(inet_ntop(AF_INET6, new in6_addr(), null, INET6_ADDRSTRLEN)).toBe('::');
    a.s6_addr = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]);
    expect(inet_ntop(AF_INET6, a, null, INET6_ADDRSTRLEN)).toBe('::ffff:10.1.2.3');
  });

  test('pton then ntop gives the text back', () => {
    for (const text of ['0.0.0.0', '10.20.30.40', '255.255.255.255']) {
      const a = new in_addr();
      expect(inet_pton(AF_INET, text, a)).toBe(1);
      expect(inet_ntop(AF_INET, a, null, INET_ADDRSTRLEN)).toBe(text);
    }
    for (const text of ['fe80::1:2', '2001:db8:1:2:3:4:5:6', 'ff02::fb']) {
      const a = new in6_addr();
      expect(inet_pton(AF_INET6, text, a)).toBe(1);
      expect(inet_ntop(AF_INET6, a, null, INET6_ADDRSTRLEN)).toBe(text);
    }
  });

  test('a dst buffer receives the text and its NUL, as C writes it', () => {
    const a = new in_addr();
    a.s_addr = htonl(0x0a000001);
    const dst = Buffer.alloc(INET_ADDRSTRLEN, 0xee);
    expect(inet_ntop(AF_INET, a, dst, dst.length)).toBe('10.0.0.1');
    expect(dst.subarray(0, 9).equals(Buffer.from('10.0.0.1\0'))).toBe(true);
    expect(strlen(dst)).toBe(8);
  });

  test('size exactly strlen + 1 is enough; one less: null with errno ENOSPC', () => {
    const a = new in_addr();
    a.s_addr = htonl(0xc0000221);
    const text = '192.0.2.33';
    expect(inet_ntop(AF_INET, a, null, text.length + 1)).toBe(text);
    setErrno(0);
    expect(inet_ntop(AF_INET, a, null, text.length)).toBeNull();
    expect(errno).toBe(ENOSPC);
    setErrno(0);
    expect(inet_ntop(AF_INET, a, Buffer.alloc(4), 4)).toBeNull();
    expect(errno).toBe(ENOSPC);
  });

  test('a full IPv6 address does not fit in INET_ADDRSTRLEN: ENOSPC', () => {
    const a = new in6_addr();
    expect(inet_pton(AF_INET6, '2001:db8:1:2:3:4:5:6', a)).toBe(1);
    setErrno(0);
    expect(inet_ntop(AF_INET6, a, null, INET_ADDRSTRLEN)).toBeNull();
    expect(errno).toBe(ENOSPC);
  });

  test('an unknown family: null with errno EAFNOSUPPORT', () => {
    setErrno(0);
    expect(inet_ntop(AF_UNIX, new in6_addr(), null, INET6_ADDRSTRLEN)).toBeNull();
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('programming errors: size larger than dst, negative size, src too small, src not memory', () => {
    const a = new in_addr();
    const dst = Buffer.alloc(8, 0xee);
    expectThrown(() => inet_ntop(AF_INET, a, dst, 16), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'inet_ntop',
      param: 'size',
    });
    expect(dst.every((b) => b === 0xee)).toBe(true);
    expectThrown(() => inet_ntop(AF_INET, a, null, -1), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'inet_ntop',
      param: 'size',
    });
    expectThrown(() => inet_ntop(AF_INET6, a, null, INET6_ADDRSTRLEN), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'inet_ntop',
      param: 'src',
    });
    expectThrown(() => inet_ntop(AF_INET, bad('127.0.0.1'), null, INET_ADDRSTRLEN), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_ntop',
      param: 'src',
    });
    expectThrown(() => inet_ntop(AF_INET, a, bad('buffer'), INET_ADDRSTRLEN), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_ntop',
      param: 'dst',
    });
  });
});

describe('inet_addr', () => {
  test('dotted text gives the address in network byte order', () => {
    expect(inet_addr('127.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(memory32(inet_addr('192.0.2.33'))).toEqual([192, 0, 2, 33]);
  });

  test("the shorthand forms of inet_aton(3) are accepted, as C's inet_addr accepts them", () => {
    expect(inet_addr('127.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_addr('0x7f.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
  });

  test('garbage gives INADDR_NONE, which "255.255.255.255" also gives', () => {
    expect(inet_addr('not an address')).toBe(INADDR_NONE);
    expect(inet_addr('256.1.1.1')).toBe(INADDR_NONE);
    expect(inet_addr('')).toBe(INADDR_NONE);
    expect(inet_addr('255.255.255.255')).toBe(INADDR_NONE);
  });

  test('a non-string throws TypeError', () => {
    expectThrown(() => inet_addr(bad(0x7f000001)), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'inet_addr',
      param: 'cp',
    });
  });
});

describe('inet_ntoa', () => {
  test('an in_addr gives its dotted text', () => {
    const a = new in_addr();
    a.s_addr = htonl(0xc0a80001);
    expect(inet_ntoa(a)).toBe('192.168.0.1');
    expect(inet_ntoa(new in_addr())).toBe('0.0.0.0');
  });

  test("a sockaddr_in's sin_addr, as a server prints its client", () => {
    const addr = new sockaddr_in();
    expect(inet_pton(AF_INET, '10.9.8.7', addr.sin_addr)).toBe(1);
    expect(inet_ntoa(addr.sin_addr)).toBe('10.9.8.7');
  });

  test('anything but an in_addr throws TypeError', () => {
    const expected = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'inet_ntoa', param: 'in' } as const;
    expectThrown(() => inet_ntoa(bad(Buffer.from([127, 0, 0, 1]))), expected);
    expectThrown(() => inet_ntoa(bad(new in6_addr())), expected);
    expectThrown(() => inet_ntoa(bad(htonl(INADDR_LOOPBACK))), expected);
  });
});

describe('strlen', () => {
  test('a string: its UTF-8 length in bytes', () => {
    expect(strlen('')).toBe(0);
    expect(strlen('hello')).toBe(5);
    expect(strlen('é')).toBe(2);
    expect(strlen('€')).toBe(3);
    expect(strlen('😀')).toBe(4);
    expect(strlen('Bonjour du serveur')).toBe(Buffer.byteLength('Bonjour du serveur'));
  });

  test('a char buffer: the bytes before the first NUL', () => {
    expect(strlen(Buffer.from('abc\0def\0'))).toBe(3);
    expect(strlen(new Uint8Array([0, 1, 2]))).toBe(0);
    expect(strlen(Buffer.from('é\0', 'utf8'))).toBe(2);
  });

  test('a buffer without a NUL: its whole length', () => {
    expect(strlen(Buffer.from('no terminator'))).toBe(13);
    expect(strlen(new Uint8Array(0))).toBe(0);
  });

  test('anything else throws TypeError', () => {
    const expected = { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', fn: 'strlen', param: 's' } as const;
    expectThrown(() => strlen(bad(42)), expected);
    expectThrown(() => strlen(bad(null)), expected);
    expectThrown(() => strlen(bad(new Uint16Array(2))), expected);
  });
});
