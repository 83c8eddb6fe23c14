// Values that do not depend on the run's descriptors: hostile values of every JavaScript type, integers,
// lengths, strings, and the constants a call's flags and options are made of.
import * as S from '../../lib/index';
import { note } from './describe';
import { genBuffer, genBufferOfSize, genStruct, hasStruct, memSize, newStruct } from './memory';
import { FuzzerOwnError } from './report';
import { chance, int, pick, rand } from './rng';

/** An object whose getter, valueOf and toPrimitive throw the fuzzer's own error. */
export function throwingObject(): object {
  const o = {
    valueOf: (): never => {
      throw new FuzzerOwnError('valueOf');
    },
    [Symbol.toPrimitive]: (): never => {
      throw new FuzzerOwnError('toPrimitive');
    },
  };
  Object.defineProperty(o, 'value', {
    get(): never {
      throw new FuzzerOwnError('getter');
    },
  });
  return note(o, '{throwing getter/valueOf}');
}

/** A Proxy whose every trap throws the fuzzer's own error. */
export function throwingProxy(): object {
  const handler: ProxyHandler<object> = {};
  const traps = ['get', 'has', 'getPrototypeOf', 'ownKeys', 'getOwnPropertyDescriptor', 'set', 'apply'] as const;
  for (const trap of traps) {
    handler[trap] = (): never => {
      throw new FuzzerOwnError(`proxy ${trap}`);
    };
  }
  return note(new Proxy({}, handler), 'Proxy{every trap throws}');
}

/** A value no integer parameter should take: NaN, ±Infinity, fractions, out of range, of another type. */
export function genHostileNumber(): unknown {
  return pick<unknown>([
    NaN,
    Infinity,
    -Infinity,
    0.5,
    -0.5,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    '1',
    '',
    true,
    false,
    null,
    undefined,
    1n,
    Symbol('x'),
    note({ valueOf: () => 1 }, '{valueOf: () => 1}'),
    throwingObject(),
    throwingProxy(),
    note(Object.freeze(new Number(3)), 'new Number(3)'),
    [1],
    {},
    note(() => 1, '() => 1'),
  ]);
}

/** Anything at all. */
export function genAny(): unknown {
  const r = int(6);
  if (r === 0) return genHostileNumber();
  if (r === 1) return genString();
  if (r === 2) return genBufferOfSize(int(64));
  if (r === 3) return genStruct();
  if (r === 4) return pick([0, 1, -1, 2147483647, -2147483648, 4]);
  return pick<unknown>([null, undefined, {}, [], throwingProxy(), throwingObject()]);
}

/** A string: empty, with NUL, lone surrogates, long, an address, a host or service name. */
export function genString(): string {
  return pick([
    '',
    'hello',
    'a\0b',
    '\0',
    '\ud800',
    'x\udc00y',
    '\u{1F600}',
    'é'.repeat(70),
    'z'.repeat(300),
    '127.0.0.1',
    '::1',
    '255.255.255.255',
    '1.2.3',
    '::ffff:127.0.0.1',
    'localhost',
    '80',
    'http',
    '-1',
    '0x7f.1',
  ]);
}

/** Mostly one of `valid`, else ±0 or a hostile value. */
export function genInt(
  valid: readonly number[] = [0, 1, -1, 2, 3, 7, 16, 255, 65535, 2147483647, -2147483648],
): unknown {
  if (chance(0.75)) return pick(valid);
  if (chance(0.5)) return int(2) === 0 ? -0 : 0;
  return genHostileNumber();
}

/** A length for a buffer of `size` bytes: exact, shorter, one past the end, huge, fractional, hostile. */
export function genLen(size: number): unknown {
  const r = rand();
  if (r < 0.35) return size;
  if (r < 0.5) return int(size + 1);
  if (r < 0.6) return size + 1; // one past the end
  if (r < 0.65) return 0;
  if (r < 0.7) return -0;
  if (r < 0.75) return -1;
  if (r < 0.8) return pick([2147483647, 2 ** 32, 2 ** 53, 2 ** 31]);
  if (r < 0.85) return size - 0.5;
  return genHostileNumber();
}

/** Data to send: a buffer, or now and then a string. */
export function genBufOrString(): unknown {
  return chance(0.2) ? genString() : genBuffer();
}

/** The byte length of data to send (a string is sent as its UTF-8 bytes). */
export function dataSize(b: unknown): number {
  return typeof b === 'string' ? Buffer.byteLength(b) : memSize(b);
}

// ---------------------------------------------------------------- sockets (safe ones only)

// Never AF_PACKET/AF_NETLINK nor SOCK_RAW: the fuzzer must not see or send other traffic.
const SAFE_DOMAINS = (): number[] => [S.AF_INET, S.AF_INET6, S.AF_UNIX, S.AF_UNSPEC, 12345, -1, 2147483647];
const SAFE_TYPES = (): number[] =>
  [S.SOCK_STREAM, S.SOCK_DGRAM, S.SOCK_SEQPACKET, 0, 99, -1].map(
    (t) => (chance(0.5) ? t | S.SOCK_NONBLOCK : t) | (chance(0.3) ? S.SOCK_CLOEXEC : 0),
  );

/** A socket domain (family). */
export function genDomain(): unknown {
  return chance(0.9) ? pick(SAFE_DOMAINS()) : genHostileNumber();
}
/** A socket type, with or without SOCK_NONBLOCK / SOCK_CLOEXEC. */
export function genType(): unknown {
  return chance(0.9) ? pick(SAFE_TYPES()) : genHostileNumber();
}
/** A protocol. */
export function genProtocol(): unknown {
  return chance(0.9) ? pick([0, S.IPPROTO_TCP, S.IPPROTO_UDP, 9999, -1]) : genHostileNumber();
}

/** send/recv flags: a few MSG_* bits, all bits, or a hostile value. */
export function genMsgFlags(): unknown {
  if (chance(0.15)) return genHostileNumber();
  const names = [
    'MSG_DONTWAIT',
    'MSG_PEEK',
    'MSG_TRUNC',
    'MSG_WAITALL',
    'MSG_NOSIGNAL',
    'MSG_OOB',
    'MSG_MORE',
  ] as const;
  let f = 0;
  for (const n of names) if (S[n] !== undefined && chance(0.15)) f |= S[n];
  return chance(0.05) ? pick([-1, 2147483647]) : f;
}

/** accept4's flags. */
export function genSockFlags(): unknown {
  return genInt([0, S.SOCK_NONBLOCK, S.SOCK_CLOEXEC, S.SOCK_NONBLOCK | S.SOCK_CLOEXEC, 1, -1]);
}

// ---------------------------------------------------------------- options

/** Socket option levels. */
export const LEVELS = (): number[] => [
  S.SOL_SOCKET,
  S.IPPROTO_TCP,
  S.IPPROTO_IP,
  S.IPPROTO_IPV6,
  S.IPPROTO_UDP,
  0,
  -1,
  9999,
];

const OPTION_NAMES = [
  'SO_REUSEADDR',
  'SO_KEEPALIVE',
  'SO_RCVBUF',
  'SO_SNDBUF',
  'SO_LINGER',
  'SO_RCVTIMEO',
  'SO_SNDTIMEO',
  'SO_ERROR',
  'SO_TYPE',
  'SO_PEERCRED',
  'SO_BROADCAST',
  'SO_REUSEPORT',
  'TCP_NODELAY',
  'TCP_MAXSEG',
  'IP_TTL',
  'IP_TOS',
  'IPV6_V6ONLY',
] as const;

/** Socket option names (those this platform has), and a few that name nothing. */
export const OPTNAMES = (): number[] =>
  OPTION_NAMES.map((n) => S[n] as number | undefined)
    .filter((v): v is number => v !== undefined)
    .concat([0, -1, 9999]);

/** An option value: an int, a struct of an option's type, null, or a buffer. */
export function genOptval(level: unknown, optname: unknown): unknown {
  const r = rand();
  if (r < 0.3) return genInt([0, 1, 4096, -1, 65536]);
  if (r < 0.45) {
    const kinds = [
      'linger',
      'timeval',
      'ucred',
      'ip_mreq',
      'ip_mreqn',
      'ipv6_mreq',
      'timespec',
      'tcp_info',
      'in6_pktinfo',
    ] as const;
    return newStruct(pick(kinds.filter(hasStruct)));
  }
  if (r < 0.5) return genFprog();
  if (r < 0.55) return null;
  if (r < 0.6 && level === S.SOL_SOCKET && optname === S.SO_LINGER) return newStruct('linger');
  return genBuffer();
}

/**
 * A sock_fprog for SO_ATTACH_FILTER: a program that accepts everything (or a bad one the kernel
 * refuses), with a len that may run past its instructions, or no instructions at all.
 */
function genFprog(): unknown {
  if (!hasStruct('sock_fprog') || !hasStruct('sock_filter')) return genBuffer();
  const prog = newStruct('sock_fprog');
  const n = pick([0, 1, 2]);
  const filter = S.array(S.sock_filter, n);
  for (let k = 0; k < n; k++) filter[k] = S.BPF_STMT((S.BPF_RET ?? 6) | (S.BPF_K ?? 0), pick([0xffff, 0, 1]));
  prog.filter = chance(0.1) ? null : chance(0.1) ? [...filter] : filter;
  prog.len = chance(0.8) ? n : pick([0, n + 1, 65535]);
  return note(prog, `sock_fprog{len=${prog.len}, ${n} insns}`);
}

// ---------------------------------------------------------------- fcntl

/** fcntl commands (those this platform has), and some that are not. */
export const FCNTL_CMDS = (): number[] =>
  [
    S.F_GETFL,
    S.F_SETFL,
    S.F_GETFD,
    S.F_SETFD,
    S.F_DUPFD,
    S.F_DUPFD_CLOEXEC,
    S.F_GETOWN,
    S.F_SETOWN,
    6,
    1024,
    -1,
  ].filter((v) => (v as number | undefined) !== undefined);

// ---------------------------------------------------------------- the resolver

/** getaddrinfo hints: null, hostile, a struct of another kind, or an addrinfo with odd fields. */
export function genHints(): unknown {
  if (chance(0.2)) return null;
  if (chance(0.1)) return genAny();
  if (chance(0.05)) return genStruct();
  const h = newStruct('addrinfo');
  h.ai_flags = pick([0, S.AI_NUMERICHOST, S.AI_PASSIVE, S.AI_CANONNAME, S.AI_NUMERICSERV, 0x7fffffff, -1]);
  h.ai_family = pick([S.AF_UNSPEC, S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345]);
  h.ai_socktype = pick([0, S.SOCK_STREAM, S.SOCK_DGRAM, 99]);
  h.ai_protocol = pick([0, S.IPPROTO_TCP, S.IPPROTO_UDP, 255]);
  return note(h, `addrinfo{flags=${h.ai_flags}, family=${h.ai_family}, socktype=${h.ai_socktype}}`);
}

/** Host names that never leave the machine: numeric, localhost, or refused before any query (NUL bytes, empty). */
export function genNode(): unknown {
  if (chance(0.1)) return null;
  if (chance(0.1)) return genAny();
  return pick(['127.0.0.1', '::1', 'localhost', '', 'a\0b', '\ud800', '999.1.1.1', '1.2.3', '0x7f.1', 'z'.repeat(300)]);
}

/** A service: numeric, out of range, a name, empty, with NUL or a lone surrogate. */
export function genService(): unknown {
  if (chance(0.2)) return null;
  if (chance(0.1)) return genAny();
  return pick(['80', '0', '65536', '-1', 'http', '', 'x\0y', '\udc00']);
}

/** A real addrinfo list (from getaddrinfo of a numeric address) half the time, else anything. */
export function genAddrinfoList(): unknown {
  let ai = genAny();
  if (chance(0.5)) {
    const res = new S.ptr<S.addrinfo | null>(null);
    try {
      S.getaddrinfo('127.0.0.1', '80', null, res);
      ai = res.value;
    } catch {
      // keep the hostile value
    }
  }
  return ai;
}
