// socket(2): creating endpoints, the flags it takes, and its errno values.
import { readFileSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAFNOSUPPORT,
  EINVAL,
  EPERM,
  EPROTONOSUPPORT,
  FD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  O_NONBLOCK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_DOMAIN,
  SO_TYPE,
  errno,
  fcntl,
  setErrno,
  socket,
} from 'bsdsock';
import { Fds } from './helpers/fds';
import { intOption } from './helpers/net';

const fds = new Fds();
afterEach(() => fds.closeAll());

const CAP_NET_RAW = 13;

/** Whether this process may open raw sockets: root with CAP_NET_RAW in effect. */
function mayOpenRawSockets(): boolean {
  if (process.getuid?.() !== 0) return false;
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CapEff:'));
  if (line === undefined) return true; // no capability information: root is enough
  return (BigInt(`0x${line.slice('CapEff:'.length).trim()}`) & (1n << BigInt(CAP_NET_RAW))) !== 0n;
}

describe('socket() creates endpoints', () => {
  const families: [string, number][] = [
    ['AF_INET', AF_INET],
    ['AF_INET6', AF_INET6],
    ['AF_UNIX', AF_UNIX],
  ];
  const types: [string, number][] = [
    ['SOCK_STREAM', SOCK_STREAM],
    ['SOCK_DGRAM', SOCK_DGRAM],
  ];
  for (const [familyName, family] of families) {
    for (const [typeName, type] of types) {
      test(`${familyName} ${typeName} returns a descriptor whose SO_TYPE is ${typeName}`, () => {
        const fd = fds.add(socket(family, type, 0));
        expect(fd).toBeGreaterThanOrEqual(0);
        expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(type);
        if (SO_DOMAIN !== undefined) expect(intOption(fd, SOL_SOCKET, SO_DOMAIN)).toBe(family);
      });
    }
  }

  test('an explicit protocol matching the type is accepted', () => {
    const tcp = fds.add(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    const udp = fds.add(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    expect(tcp).toBeGreaterThanOrEqual(0);
    expect(udp).toBeGreaterThanOrEqual(0);
    expect(intOption(tcp, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
    expect(intOption(udp, SOL_SOCKET, SO_TYPE)).toBe(SOCK_DGRAM);
  });

  test('each call returns a distinct descriptor', () => {
    const a = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    const b = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(b).not.toBe(a);
  });
});

describe('socket() type flags', () => {
  test('without flags the socket is blocking and not close-on-exec', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(0);
  });

  test('SOCK_NONBLOCK | SOCK_CLOEXEC set O_NONBLOCK and FD_CLOEXEC', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    // The flags are not part of the type.
    expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
  });

  test('SOCK_NONBLOCK alone sets only O_NONBLOCK', () => {
    const fd = fds.add(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(0);
  });

  test('SOCK_CLOEXEC alone sets only FD_CLOEXEC', () => {
    const fd = fds.add(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
  });
});

describe('socket() failures return -1 and set errno', () => {
  beforeEach(() => setErrno(0));

  test('an unknown family: EAFNOSUPPORT', () => {
    expect(socket(9999, SOCK_STREAM, 0)).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('an unknown type: EINVAL', () => {
    expect(socket(AF_INET, 9999, 0)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('an unknown flag bit in type: EINVAL', () => {
    const unknownFlag = 1 << 30;
    expect(unknownFlag & (SOCK_NONBLOCK | SOCK_CLOEXEC)).toBe(0);
    expect(socket(AF_INET, SOCK_STREAM | unknownFlag, 0)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('a protocol the type does not carry (AF_INET SOCK_STREAM IPPROTO_UDP): EPROTONOSUPPORT', () => {
    expect(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)).toBe(-1);
    expect(errno).toBe(EPROTONOSUPPORT);
  });

  test('AF_INET SOCK_DGRAM IPPROTO_TCP: EPROTONOSUPPORT', () => {
    expect(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)).toBe(-1);
    expect(errno).toBe(EPROTONOSUPPORT);
  });
});

describe('socket() SOCK_RAW depends on privilege', () => {
  if (mayOpenRawSockets()) {
    test('privileged (root with CAP_NET_RAW): AF_INET SOCK_RAW IPPROTO_ICMP succeeds', () => {
      setErrno(0);
      const fd = fds.add(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(intOption(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_RAW);
      expect(errno).toBe(0);
    });
  } else {
    test('unprivileged: AF_INET SOCK_RAW IPPROTO_ICMP fails with EPERM', () => {
      setErrno(0);
      const fd = fds.record(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
      expect(fd).toBe(-1);
      expect(errno).toBe(EPERM);
    });
  }
});

describe('errno and successful calls', () => {
  test('a successful socket() leaves the errno of an earlier failure unchanged', () => {
    expect(socket(9999, SOCK_STREAM, 0)).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('a successful socket() does not reset errno to 0 either way round', () => {
    expect(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)).toBe(-1);
    expect(errno).toBe(EPROTONOSUPPORT);
    expect(fds.add(socket(AF_UNIX, SOCK_DGRAM, 0))).toBeGreaterThanOrEqual(0);
    expect(errno).toBe(EPROTONOSUPPORT);
  });
});
