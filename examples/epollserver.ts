// epollserver: an echo server on Linux's epoll. The interest list lives in the kernel (epoll_ctl edits
// it), so a wait costs the ready descriptors only. Every socket is non-blocking: accept and read return
// EAGAIN instead of stopping the one loop. Usage: epollserver PORT MAXCONN (PORT 0: any free port; once
// MAXCONN connections have come and all have hung up, it exits 0). Output: "epollserver: waiting for
// port-stats: 150 of 150 C lines map one to one
// connections on port N...", "epollserver: new connection from 127.0.0.1 on socket N", "epollserver: socket N hung up", "epollserver: all MAXCONN clients have left". Pairs with echoclient.
import { printf, fprintf, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, INET_ADDRSTRLEN, perror,
  errno, EAGAIN, EWOULDBLOCK, fcntl, F_GETFL, F_SETFL, O_NONBLOCK,
  socket, setsockopt, bind, listen, accept, close, getsockname, read, write,
  epoll_create1, epoll_ctl, epoll_wait, epoll_event, EPOLLIN, EPOLL_CTL_ADD, EPOLL_CTL_DEL,
  htons, ntohs, inet_pton, inet_ntop, cast, sizeof, array, socklen_t,
  sockaddr, sockaddr_in,
} from 'bsdsock';


const MAXEVENTS = 16;

// Adds O_NONBLOCK to the flags fd already has (F_SETFL alone would clear the others).
function set_nonblocking(fd: number): number {
  let flags = fcntl(fd, F_GETFL, 0);
  if (flags == -1) {
    return -1;
  }
  return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

function main(argc: number, argv: string[]): number {
  let listener: number, newfd: number, epfd: number;
  const addr = new sockaddr_in(), remoteaddr = new sockaddr_in();
  const addrlen = new socklen_t();
  const ev = new epoll_event(), events = array(epoll_event, MAXEVENTS);
  const buf = Buffer.alloc(512);
  const remoteIP = Buffer.alloc(INET_ADDRSTRLEN);
  const yes = new Int32Array([1]);
  let maxconn: number, accepted = 0, clients = 0;
  let n: number, i: number, fd: number, nbytes: number, off: number, w: number;

  if (argc != 3) {
    fprintf(stderr, "usage: epollserver PORT MAXCONN\n");
    exit(1);
  }
  maxconn = atoi(argv[2]);

  listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener == -1) {
    perror("socket");
    exit(1);
  }
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, yes, sizeof(yes));

  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", addr.sin_addr);
  if (bind(listener, cast(sockaddr, addr), sizeof(addr)) == -1 || listen(listener, 10) == -1 ||
      set_nonblocking(listener) == -1) {
    perror("epollserver: bind, listen or fcntl");
    exit(1);
  }

  addrlen.value = sizeof(addr);
  getsockname(listener, cast(sockaddr, addr), addrlen);
  printf("epollserver: waiting for connections on port %d...\n", ntohs(addr.sin_port));

  epfd = epoll_create1!(0);
  if (epfd == -1) {
    perror("epoll_create1");
    exit(1);
  }

  // data.fd is ours: epoll hands it back with the event, so we know which socket is ready.
  memset(ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  if (epoll_ctl!(epfd, EPOLL_CTL_ADD, listener, ev) == -1) {
    perror("epoll_ctl");
    exit(1);
  }

  for (;;) {
    n = epoll_wait!(epfd, events, MAXEVENTS, -1);
    if (n == -1) {
      perror("epoll_wait");
      exit(1);
    }

    for (i = 0; i < n; i++) {
      fd = events[i].data.fd;

      if (fd == listener) {
        // Several connections may be waiting: accept until the queue is empty (EAGAIN).
        for (;;) {
          addrlen.value = sizeof(remoteaddr);
          newfd = accept(listener, cast(sockaddr, remoteaddr), addrlen);
          if (newfd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
              perror("accept");
            }
            break;
          }
          set_nonblocking(newfd);
          memset(ev, 0, sizeof(ev));
          ev.events = EPOLLIN;
          ev.data.fd = newfd;
          epoll_ctl!(epfd, EPOLL_CTL_ADD, newfd, ev);
          accepted++;
          clients++;
          printf("epollserver: new connection from %s on socket %d\n",
                 inet_ntop(AF_INET, remoteaddr.sin_addr, remoteIP, sizeof(remoteIP)), newfd);
        }
        continue;
      }

      nbytes = read(fd, buf, sizeof(buf));
      if (nbytes == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        continue; // nothing after all: wait again
      }
      if (nbytes <= 0) {
        if (nbytes == 0) {
          printf("epollserver: socket %d hung up\n", fd);
        } else {
          perror("read");
        }
        // Out of the interest list before close: the number may be reused at once.
        epoll_ctl!(epfd, EPOLL_CTL_DEL, fd, null);
        close(fd);
        clients--;

        if (accepted >= maxconn && clients == 0) {
          printf("epollserver: all %d clients have left\n", maxconn);
          close(epfd);
          close(listener);
          return 0;
        }
        continue;
      }

      // Back to the sender. write may take less than all of it: send the rest.
      for (off = 0; off < nbytes; off += w) {
        w = write(fd, buf.subarray(off), nbytes - off);
        if (w == -1) {
          perror("write");
          break;
        }
      }
    }
  }
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
