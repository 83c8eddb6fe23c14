// bench/c/echo-server.c on bsdsock's synchronous API, call for call: one
// thread, level-triggered epoll, every byte read written back, a reply the
// socket cannot take at once kept and flushed on EPOLLOUT. Runs until killed
// (the harness reads its CPU time from /proc).
//   echo-server <port>
import {
  EAGAIN,
  ECONNABORTED,
  EINTR,
  EPOLLIN,
  EPOLLOUT,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  F_GETFL,
  F_SETFL,
  IPPROTO_TCP,
  MSG_NOSIGNAL,
  O_NONBLOCK,
  SOCK_NONBLOCK,
  TCP_NODELAY,
  accept4,
  array,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  errno,
  fcntl,
  recv,
  send,
  setsockopt,
  sizeof,
} from 'bsdsock';
import { arg_count, die, listen_on, usage } from './common';

const BUF = 65536;
const MAX_EVENTS = 256;

// What is left of a reply, per descriptor (C: struct pending, indexed by fd). bsdsock has no
// getrlimit, so where C sizes its table from RLIMIT_NOFILE this one is an array that grows.
const pending: (Buffer | null)[] = [];

function set_nonblocking(fd: number): void {
  const flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die('fcntl');
}

function drop(ep: number, fd: number): void {
  epoll_ctl!(ep, EPOLL_CTL_DEL, fd, null);
  pending[fd] = null;
  close(fd);
}

function want(ep: number, fd: number, events: number): void {
  const ev = new epoll_event();
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl!(ep, EPOLL_CTL_MOD, fd, ev) < 0) die('epoll_ctl');
}

function main(argv: string[]): number {
  if (argv.length !== 1) usage('echo-server <port>');
  const listen_fd = listen_on(arg_count(argv[0]));
  set_nonblocking(listen_fd);
  const ep = epoll_create1!(EPOLL_CLOEXEC);
  if (ep < 0) die('epoll_create1');
  const ev = new epoll_event();
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd;
  if (epoll_ctl!(ep, EPOLL_CTL_ADD, listen_fd, ev) < 0) die('epoll_ctl');

  const buf = Buffer.alloc(BUF);
  const events = array(epoll_event, MAX_EVENTS);
  for (;;) {
    const n = epoll_wait!(ep, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno === EINTR) continue;
      die('epoll_wait');
    }
    for (let i = 0; i < n; i++) {
      const fd = events[i].data.fd;
      if (fd === listen_fd) {
        for (;;) {
          const c = accept4!(listen_fd, null, null, SOCK_NONBLOCK);
          if (c < 0) {
            if (errno === EAGAIN || errno === ECONNABORTED) break;
            die('accept4');
          }
          pending[c] = null;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, 1, sizeof('int'));
          const cev = new epoll_event();
          cev.events = EPOLLIN;
          cev.data.fd = c;
          if (epoll_ctl!(ep, EPOLL_CTL_ADD, c, cev) < 0) die('epoll_ctl');
        }
        continue;
      }
      const p = pending[fd];
      if (p !== null) {
        // Waiting for EPOLLOUT: flush what is left, then read again.
        const w = send(fd, p, p.length, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno === EAGAIN) continue;
          drop(ep, fd);
          continue;
        }
        pending[fd] = w === p.length ? null : p.subarray(w);
        if (pending[fd] === null) want(ep, fd, EPOLLIN);
        continue;
      }
      const r = recv(fd, buf, BUF, 0);
      if (r <= 0) {
        if (r < 0 && errno === EAGAIN) continue;
        drop(ep, fd);
        continue;
      }
      let w = send(fd, buf, r, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno !== EAGAIN) {
          drop(ep, fd);
          continue;
        }
        w = 0;
      }
      if (w < r) {
        pending[fd] = Buffer.from(buf.subarray(w, r));
        want(ep, fd, EPOLLOUT);
      }
    }
  }
}

process.exitCode = main(process.argv.slice(2));
