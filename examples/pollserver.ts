// pollserver: a chat server for many clients in one process: poll() says which sockets are ready, and
// what one client sends goes to every other client. Usage: pollserver PORT MAXCONN (PORT 0: any free
// port; once MAXCONN connections have come and all have hung up, it exits 0, so tests know it ends).
// Output: "pollserver: waiting for connections on port N...", "pollserver: new connection from 127.0.0.1 on socket N", "pollserver: socket N hung up", "pollserver: all MAXCONN clients have left".
// port-stats: 152 of 153 C lines map one to one
import { printf, fprintf, stderr, exit, atoi, memset, malloc, realloc, free } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, INET6_ADDRSTRLEN, POLLIN, POLLHUP, perror,
  socket, setsockopt, bind, listen, accept, close, getsockname, recv, send, poll,
  htons, ntohs, inet_pton, inet_ntop, cast, sizeof, ptr, socklen_t, pollfd, type StructArray,
  sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, in_addr, in6_addr,
} from 'bsdsock';


// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

// A listening socket on 127.0.0.1:port, or -1.
function get_listener_socket(port: string): number {
  let listener: number;
  const yes = new Int32Array([1]);
  const addr = new sockaddr_in();

  if ((listener = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
    return -1;
  }
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, yes, sizeof(yes));
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(port));
  inet_pton(AF_INET, "127.0.0.1", addr.sin_addr);
  if (bind(listener, cast(sockaddr, addr), sizeof(addr)) == -1 || listen(listener, 10) == -1) {
    close(listener);
    return -1;
  }
  return listener;
}

// Appends newfd to the array, doubling it when full: *pfds may move, as realloc moves memory.
function add_to_pfds(pfds: ptr<StructArray<pollfd>>, newfd: number, fd_count: ptr<number>, fd_size: ptr<number>): void {
  if (fd_count.value == fd_size.value) {
    fd_size.value *= 2;
    pfds.value = realloc(pfds.value, sizeof(pfds.value[0]) * fd_size.value);
  }
  pfds.value[fd_count.value].fd = newfd;
  pfds.value[fd_count.value].events = POLLIN; // tell me when it can be read
  pfds.value[fd_count.value].revents = 0;
  fd_count.value++;
}

// Removes entry i: the last entry is copied into the hole, so the array stays packed.
function del_from_pfds(pfds: StructArray<pollfd>, i: number, fd_count: ptr<number>): void {
  // A struct assignment copies every field: pfds[i] becomes a copy, not a second name for the last entry.
  pfds[i] = pfds[fd_count.value - 1];
  fd_count.value--;
}

function main(argc: number, argv: string[]): number {
  let listener: number, newfd: number; // the listening socket, and a newly accepted one
  const remoteaddr = new sockaddr_storage();
  const bound = new sockaddr_in();
  const addrlen = new socklen_t();
  const buf = Buffer.alloc(256);
  const remoteIP = Buffer.alloc(INET6_ADDRSTRLEN);
  let maxconn: number, accepted = 0;
  let i: number, j: number, nbytes: number, sender_fd: number, dest_fd: number;

  if (argc != 3) {
    fprintf(stderr, "usage: pollserver PORT MAXCONN\n");
    exit(1);
  }
  maxconn = atoi(argv[2]);

  // Room for 5 descriptors to begin with; add_to_pfds grows it.
  const fd_count = new ptr(0), fd_size = new ptr(5);
  const pfds = new ptr(malloc(sizeof(pollfd) * fd_size.value, pollfd));

  if ((listener = get_listener_socket(argv[1])) == -1) {
    fprintf(stderr, "pollserver: cannot get a listening socket\n");
    exit(1);
  }

  addrlen.value = sizeof(bound);
  getsockname(listener, cast(sockaddr, bound), addrlen);
  printf("pollserver: waiting for connections on port %d...\n", ntohs(bound.sin_port));
  // Entry 0 is always the listener: readable means a connection is waiting to be accepted.
  add_to_pfds(pfds, listener, fd_count, fd_size);

  for (;;) {
    if (poll(pfds.value, fd_count.value, -1) == -1) {
      perror("poll");
      exit(1);
    }

    for (i = 0; i < fd_count.value; i++) {
      // POLLHUP as well as POLLIN: a peer that is gone is "ready" too, and recv says so with 0.
      if (!(pfds.value[i].revents & (POLLIN | POLLHUP))) {
        continue;
      }

      if (pfds.value[i].fd == listener) {
        addrlen.value = sizeof(remoteaddr);
        newfd = accept(listener, cast(sockaddr, remoteaddr), addrlen);
        if (newfd == -1) {
          perror("accept");
          continue;
        }
        add_to_pfds(pfds, newfd, fd_count, fd_size);
        accepted++;
        printf("pollserver: new connection from %s on socket %d\n",
               inet_ntop(remoteaddr.ss_family, get_in_addr(cast(sockaddr, remoteaddr)), remoteIP, INET6_ADDRSTRLEN),
               newfd);
        continue;
      }

      nbytes = recv(pfds.value[i].fd, buf, sizeof(buf), 0);
      sender_fd = pfds.value[i].fd;
      if (nbytes <= 0) {
        // 0: the client closed its end. -1: an error. Either way, it is gone.
        if (nbytes == 0) {
          printf("pollserver: socket %d hung up\n", sender_fd);
        } else {
          perror("recv");
        }
        close(pfds.value[i].fd);
        del_from_pfds(pfds.value, i, fd_count);
        // The last entry now sits at i and has not been looked at yet: look at i again.
        i--;
        // Only the listener left, and no more connections to wait for: done.
        if (accepted >= maxconn && fd_count.value == 1) {
          printf("pollserver: all %d clients have left\n", maxconn);
          close(listener);
          free(pfds.value);
          return 0;
        }
        continue;
      }

      // Everyone else hears it: every entry but the listener and the sender.
      for (j = 0; j < fd_count.value; j++) {
        dest_fd = pfds.value[j].fd;
        if (dest_fd != listener && dest_fd != sender_fd && send(dest_fd, buf, nbytes, 0) == -1) {
          perror("send");
        }
      }
    }
  }
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
