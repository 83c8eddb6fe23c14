// Descriptors: what the process has open (as /proc/self/fd shows it), and the one tracker every
// suite records its descriptors in, so that afterEach closes them even when an expect failed.
import { readdirSync, readlinkSync } from 'node:fs';
import {
  AF_INET,
  AF_UNIX,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_LINGER,
  accept,
  close,
  connect,
  errno,
  errnoName,
  linger,
  setsockopt,
  sizeof,
  socket,
  socketpair,
  type sockaddr_in,
  type sockaddr_in6,
} from 'bsdsock';
import { bound4, bound6, tcpListener, tcpListener6 } from './net';

/** fd number -> what it refers to ("socket:[1234]", "pipe:[5]", a path). */
export function openDescriptors(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The directory's own descriptor is gone by the time it is read.
    }
  }
  return out;
}

/** The sockets open now that were not open in `before`. */
export function newSockets(before: Map<number, string>): string[] {
  const leaked: string[] = [];
  for (const [fd, target] of openDescriptors()) {
    if (target.startsWith('socket:') && before.get(fd) !== target) leaked.push(`${fd} -> ${target}`);
  }
  return leaked;
}

/** What /proc/self/fd says fd is now ("socket:[inode]"), or null when fd is not open. */
export function targetOf(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** True while some descriptor of this process still refers to target (from targetOf, which must have found one). */
export function stillOpen(target: string | null): boolean {
  if (target === null) throw new Error('stillOpen: the descriptor was not open when its target was read');
  return [...openDescriptors().values()].includes(target);
}

/** Throws for a call that failed, naming it and errno. */
function failed(what: string): never {
  throw new Error(`${what} failed: errno ${errnoName(errno) ?? errno}`);
}

/**
 * The descriptors a test opened. Every suite calls `closeAll()` in afterEach, which closes what is
 * still recorded whatever the test did: an expect that failed half-way leaks nothing. A test that
 * closes a descriptor itself does it with `close(fd)` here (or `forget(fd)` when something else,
 * such as a net.Socket, now owns it), so the number is not closed again once the kernel reuses it;
 * and `closeAll()` closes a number only while it still refers to what was recorded.
 */
export class Fds {
  /** fd -> its /proc/self/fd target when recorded (null where /proc could not say). */
  private readonly open = new Map<number, string | null>();

  /** Records fd, which must be a descriptor (a -1 throws, naming errno), and returns it. */
  add(fd: number): number {
    if (fd < 0) throw new Error(`expected a descriptor, got ${fd} (errno ${errnoName(errno) ?? errno})`);
    this.open.set(fd, targetOf(fd));
    return fd;
  }

  /** For a call that may fail: records fd if it is a descriptor, and returns it unchanged (-1 too). */
  record(fd: number): number {
    if (fd >= 0) this.open.set(fd, targetOf(fd));
    return fd;
  }

  /** Closes fd now (close()'s result) and forgets it. */
  close(fd: number): number {
    this.open.delete(fd);
    return close(fd);
  }

  /** Forgets fd without closing it: the test closed it, or handed it to an owner that will. */
  forget(fd: number): void {
    this.open.delete(fd);
  }

  /** Closes every descriptor still recorded that still refers to what was recorded. */
  closeAll(): void {
    const all = [...this.open];
    this.open.clear();
    for (const [fd, target] of all) {
      if (target === null || targetOf(fd) === target) close(fd);
    }
  }

  /** A new socket, recorded. */
  socket(domain: number, type: number, protocol = 0): number {
    return this.add(socket(domain, type, protocol));
  }

  /** socketpair(AF_UNIX, type), both ends recorded. */
  unixPair(type: number): [number, number] {
    const sv = new Int32Array(2);
    if (socketpair(AF_UNIX, type, 0, sv) !== 0) failed('socketpair');
    return [this.add(sv[0]), this.add(sv[1])];
  }

  /** A socket of `type` (SOCK_STREAM by default) listening on 127.0.0.1 at an ephemeral port, and its address. */
  listener(type = SOCK_STREAM, backlog = 16): { fd: number; addr: sockaddr_in } {
    const made = tcpListener(type, backlog);
    this.add(made.fd);
    return made;
  }

  /** The same on [::1]. */
  listener6(type = SOCK_STREAM, backlog = 16): { fd: number; addr: sockaddr_in6 } {
    const made = tcpListener6(type, backlog);
    this.add(made.fd);
    return made;
  }

  /** A socket of `type` bound to 127.0.0.1 at an ephemeral port (not listening), and its address. */
  bound(type: number): { fd: number; addr: sockaddr_in } {
    const made = bound4(type);
    this.add(made.fd);
    return made;
  }

  /** The same on [::1]. */
  bound6(type: number): { fd: number; addr: sockaddr_in6 } {
    const made = bound6(type);
    this.add(made.fd);
    return made;
  }

  /**
   * A TCP connection over 127.0.0.1: the listener, the client and the accepted server side, all
   * recorded. connect completes through the listener's backlog, so neither call blocks.
   */
  tcpConnection(): { listener: number; client: number; server: number; addr: sockaddr_in } {
    const { fd: listener, addr } = this.listener();
    const client = this.socket(AF_INET, SOCK_STREAM);
    if (connect(client, addr, sizeof(addr)) !== 0) failed('connect');
    const server = this.add(accept(listener, null, null));
    return { listener, client, server, addr };
  }

  /** A connected TCP pair on 127.0.0.1, [client, server]; the listener is closed already. */
  tcpPair(): [number, number] {
    const { listener, client, server } = this.tcpConnection();
    this.close(listener);
    return [client, server];
  }

  /** Closes fd with SO_LINGER {1, 0}, so that its peer gets an RST, and forgets it. */
  reset(fd: number): void {
    const l = new linger();
    l.l_onoff = 1;
    l.l_linger = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, l, sizeof(l)) !== 0) failed('setsockopt(SO_LINGER)');
    if (this.close(fd) !== 0) failed('close');
  }
}
