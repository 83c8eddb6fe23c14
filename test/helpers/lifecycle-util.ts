// Shared builders for the socket lifecycle suites (socket, bind, listen,
// accept, connect, shutdown, close, names, socketpair, fcntl).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AF_INET,
  SOCK_STREAM,
  accept,
  close,
  connect,
  getsockopt,
  ntohs,
  ptr,
  sizeof,
  socket,
  socklen_t,
  type sockaddr_in,
  type sockaddr_in6,
} from 'bsdsock';
import { tcpListener } from './net';

/**
 * The descriptors a test opened, closed by `closeAll()` in afterEach so a
 * failing assertion cannot leak them. A test that closes one itself uses
 * `close(fd)` here so the number is forgotten (it may be reused later).
 */
export class FdSet {
  private readonly open = new Set<number>();

  /** Records fd (if >= 0) and returns it. */
  add(fd: number): number {
    if (fd >= 0) this.open.add(fd);
    return fd;
  }

  /** Closes fd through bsdsock and forgets it; returns close()'s result. */
  close(fd: number): number {
    this.open.delete(fd);
    return close(fd);
  }

  /** Forgets fd without closing it (the test closed it itself). */
  forget(fd: number): void {
    this.open.delete(fd);
  }

  /** Closes every recorded descriptor. */
  closeAll(): void {
    for (const fd of this.open) close(fd);
    this.open.clear();
  }
}

/** An int socket option, read with getsockopt (throws if the call fails). */
export function intOption(fd: number, level: number, name: number): number {
  const value = new ptr(0);
  const len = new socklen_t(sizeof('int'));
  if (getsockopt(fd, level, name, value, len) !== 0) throw new Error(`getsockopt(${level}, ${name}) failed`);
  return value.value;
}

/** The port of an IPv4 or IPv6 socket address, in host order. */
export function portOf(addr: sockaddr_in | sockaddr_in6): number {
  return ntohs('sin_port' in addr ? addr.sin_port : addr.sin6_port);
}

/**
 * A TCP connection over 127.0.0.1: the listener, the connecting client and
 * the accepted server side, all recorded in `fds`.
 */
export function tcpConnection(fds: FdSet): { listener: number; client: number; server: number; addr: sockaddr_in } {
  const { fd: listener, addr } = tcpListener();
  fds.add(listener);
  const client = fds.add(socket(AF_INET, SOCK_STREAM, 0));
  if (client < 0) throw new Error('socket failed');
  // The handshake completes through the listener's backlog: no accept needed yet.
  if (connect(client, addr, sizeof(addr)) !== 0) throw new Error('connect failed');
  const server = fds.add(accept(listener, null, null));
  if (server < 0) throw new Error('accept failed');
  return { listener, client, server, addr };
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-lifecycle-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
