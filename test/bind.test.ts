// bind(2): giving a socket its local address, and what getsockname then shows.
import { existsSync, statSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EINVAL,
  INADDR_LOOPBACK,
  SOCK_DGRAM,
  SOCK_STREAM,
  bind,
  errno,
  getsockname,
  htonl,
  htons,
  in6addr_loopback,
  inet_ntop,
  inet_pton,
  INET6_ADDRSTRLEN,
  offsetof,
  setErrno,
  sizeof,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  socklen_t,
  strlen,
} from 'bsdsock';
import { tempDir } from './helpers/build';
import { Fds } from './helpers/fds';
import { loopback4, loopback6, portOf, unixAddr } from './helpers/net';

const fds = new Fds();
const linuxOnly = process.platform === 'linux' ? test : test.skip;
afterEach(() => fds.closeAll());

const tcp4 = (): number => fds.socket(AF_INET, SOCK_STREAM);

describe('bind() on IPv4', () => {
  test('127.0.0.1:0 gets an ephemeral port, which getsockname shows with the address', () => {
    const fd = tcp4();
    const addr = loopback4(0);
    setErrno(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    expect(errno).toBe(0);

    const name = new sockaddr_in();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(len.value).toBe(sizeof(sockaddr_in));
    expect(name.sin_family).toBe(AF_INET);
    expect(portOf(name)).toBeGreaterThan(0);
    expect(name.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
  });

  test('an unbound socket shows port 0 and address 0.0.0.0', () => {
    const fd = tcp4();
    const name = new sockaddr_in();
    name.sin_port = htons(1234); // must be overwritten
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(portOf(name)).toBe(0);
    expect(name.sin_addr.s_addr).toBe(0);
  });

  test('UDP binds to 127.0.0.1:0 too', () => {
    const fd = fds.socket(AF_INET, SOCK_DGRAM);
    const addr = loopback4(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    const name = new sockaddr_in();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(portOf(name)).toBeGreaterThan(0);
  });

  test('a second socket on the same address and port: -1 EADDRINUSE', () => {
    const first = fds.bound(SOCK_STREAM);
    const second = tcp4();
    const same = loopback4(portOf(first.addr));
    setErrno(0);
    expect(bind(second, same, sizeof(same))).toBe(-1);
    expect(errno).toBe(EADDRINUSE);
    // The failed bind left the second socket unbound.
    const name = new sockaddr_in();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(second, name, len)).toBe(0);
    expect(portOf(name)).toBe(0);
  });

  test('binding the same socket twice: -1 EINVAL, and the first address stays', () => {
    const { fd, addr } = fds.bound(SOCK_STREAM);
    const other = loopback4(0);
    setErrno(0);
    expect(bind(fd, other, sizeof(other))).toBe(-1);
    expect(errno).toBe(EINVAL);
    const name = new sockaddr_in();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(portOf(name)).toBe(portOf(addr));
  });

  test('a non-local address (192.0.2.1, TEST-NET-1): -1 EADDRNOTAVAIL', () => {
    const fd = tcp4();
    const addr = new sockaddr_in();
    addr.sin_family = AF_INET;
    expect(inet_pton(AF_INET, '192.0.2.1', addr.sin_addr)).toBe(1);
    setErrno(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EADDRNOTAVAIL);
  });

  test('an IPv6 address on an IPv4 socket: -1 EAFNOSUPPORT', () => {
    const fd = tcp4();
    const addr = loopback6();
    setErrno(0);
    expect(bind(fd, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EAFNOSUPPORT);
  });

  test('an addrlen shorter than sockaddr_in: -1 EINVAL', () => {
    const fd = tcp4();
    const addr = loopback4(0);
    setErrno(0);
    expect(bind(fd, addr, 4)).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  test('a successful bind leaves the errno of an earlier failure unchanged', () => {
    const fd = tcp4();
    const bad = loopback4(0);
    expect(bind(fd, bad, 4)).toBe(-1);
    expect(errno).toBe(EINVAL);
    const good = loopback4(0);
    expect(bind(fd, good, sizeof(good))).toBe(0);
    expect(errno).toBe(EINVAL);
  });
});

describe('bind() on IPv6', () => {
  test('[::1]:0 gets an ephemeral port, shown by getsockname', () => {
    const fd = fds.socket(AF_INET6, SOCK_STREAM);
    expect(fd).toBeGreaterThanOrEqual(0);
    const addr = loopback6();
    expect(bind(fd, addr, sizeof(addr))).toBe(0);

    const name = new sockaddr_in6();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(len.value).toBe(sizeof(sockaddr_in6));
    expect(name.sin6_family).toBe(AF_INET6);
    expect(portOf(name)).toBeGreaterThan(0);
    expect(Buffer.from(name.sin6_addr.s6_addr)).toEqual(Buffer.from(in6addr_loopback.s6_addr));
    expect(inet_ntop(AF_INET6, name.sin6_addr, null, INET6_ADDRSTRLEN)).toBe('::1');
  });

  test('a second socket on the same [::1] port: -1 EADDRINUSE', () => {
    const { addr: name } = fds.bound6(SOCK_STREAM);
    const second = fds.socket(AF_INET6, SOCK_STREAM);
    setErrno(0);
    expect(bind(second, name, sizeof(name))).toBe(-1);
    expect(errno).toBe(EADDRINUSE);
  });
});

describe('bind() on AF_UNIX', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('lifecycle');
  });
  afterEach(() => tmp.remove());

  test('a path creates the socket file; binding another socket to it: -1 EADDRINUSE', () => {
    const path = tmp.path('server.sock');
    const fd = fds.socket(AF_UNIX, SOCK_STREAM);
    const addr = unixAddr(path);
    expect(existsSync(path)).toBe(false);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    expect(statSync(path).isSocket()).toBe(true);

    const name = new sockaddr_un();
    const len = new socklen_t(sizeof(name));
    expect(getsockname(fd, name, len)).toBe(0);
    expect(name.sun_family).toBe(AF_UNIX);
    expect(name.sun_path).toBe(path);
    expect(len.value).toBe(offsetof(sockaddr_un, 'sun_path') + strlen(path) + 1);

    const again = fds.socket(AF_UNIX, SOCK_STREAM);
    setErrno(0);
    expect(bind(again, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EADDRINUSE);
  });

  test('the file stays after close (bind again needs unlink first): EADDRINUSE', () => {
    const path = tmp.path('stale.sock');
    const addr = unixAddr(path);
    const fd = fds.socket(AF_UNIX, SOCK_DGRAM);
    expect(bind(fd, addr, sizeof(addr))).toBe(0);
    expect(fds.close(fd)).toBe(0);
    expect(statSync(path).isSocket()).toBe(true);

    const next = fds.socket(AF_UNIX, SOCK_DGRAM);
    setErrno(0);
    expect(bind(next, addr, sizeof(addr))).toBe(-1);
    expect(errno).toBe(EADDRINUSE);
  });

  linuxOnly('a Linux abstract name ("\\0" first) binds without a file and getsockname returns it', () => {
    const name = `bsdsock-lifecycle-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const addr = unixAddr(`\0${name}`);
    const addrlen = offsetof(sockaddr_un, 'sun_path') + 1 + strlen(name);

    const fd = fds.socket(AF_UNIX, SOCK_STREAM);
    expect(bind(fd, addr, addrlen)).toBe(0);
    expect(existsSync(name)).toBe(false);

    const got = new sockaddr_un();
    const len = new socklen_t(sizeof(got));
    expect(getsockname(fd, got, len)).toBe(0);
    expect(len.value).toBe(addrlen);
    expect(got.sun_family).toBe(AF_UNIX);
    expect(got.sun_path).toBe(`\0${name}`);

    // The name is taken while the socket lives.
    const other = fds.socket(AF_UNIX, SOCK_STREAM);
    setErrno(0);
    expect(bind(other, addr, addrlen)).toBe(-1);
    expect(errno).toBe(EADDRINUSE);
  });
});
