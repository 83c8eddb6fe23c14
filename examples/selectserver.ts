// selectserver: pollserver.c's chat server with select(), the older call: the descriptors to watch are a
// bit set (fd_set) that select overwrites, so it is copied for each call. Usage and output as pollserver's:
// selectserver PORT MAXCONN; "selectserver: waiting for connections on port N...", "selectserver: new
// connection from 127.0.0.1 on socket N", "selectserver: socket N hung up", "selectserver: all MAXCONN clients have left". Pairs with chatclient.
// port-stats: 151 of 151 C lines map one to one
import { printf, fprintf, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, INET6_ADDRSTRLEN, perror, ptr,
  socket, setsockopt, bind, listen, accept, close, getsockname, recv, send,
  select, fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, assign, cast, sizeof, socklen_t,
  getaddrinfo, freeaddrinfo, gai_strerror, addrinfo, ntohs, inet_ntop,
  sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, in_addr, in6_addr,
} from 'bsdsock';


// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

function main(argc: number, argv: string[]): number {
  const master = new fd_set();   // every descriptor we watch
  const read_fds = new fd_set(); // select's copy, which it overwrites with the ready ones
  let fdmax: number;             // the highest descriptor in master: select wants it plus one

  let listener!: number, newfd: number; // the listening socket, and a newly accepted one
  const remoteaddr = new sockaddr_storage();
  const bound = new sockaddr_in();
  const addrlen = new socklen_t();
  const buf = Buffer.alloc(256);
  let nbytes: number;
  const remoteIP = Buffer.alloc(INET6_ADDRSTRLEN);
  const yes = 1;
  let i: number, j: number, rv: number;
  let maxconn: number, accepted = 0, clients = 0;
  let hints = new addrinfo(), ai = new ptr<addrinfo | null>(null), p: addrinfo | null;

  if (argc != 3) {
    fprintf(stderr, "usage: selectserver PORT MAXCONN\n");
    exit(1);
  }
  maxconn = atoi(argv[2]);

  FD_ZERO(master);
  FD_ZERO(read_fds);

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if ((rv = getaddrinfo("127.0.0.1", argv[1], hints, ai)) != 0) {
    fprintf(stderr, "selectserver: %s\n", gai_strerror(rv));
    exit(1);
  }

  for (p = ai.value; p != null; p = p.ai_next) {
    listener = socket(p.ai_family, p.ai_socktype, p.ai_protocol);
    if (listener < 0) {
      continue;
    }
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, yes, sizeof('int'));
    if (bind(listener, p.ai_addr!, p.ai_addrlen) < 0) {
      close(listener);
      continue;
    }
    break;
  }

  if (p == null) {
    fprintf(stderr, "selectserver: failed to bind\n");
    exit(2);
  }

  freeaddrinfo(ai);

  if (listen(listener, 10) == -1) {
    perror("listen");
    exit(3);
  }

  addrlen.value = sizeof(bound);
  getsockname(listener, cast(sockaddr, bound), addrlen);
  printf("selectserver: waiting for connections on port %d...\n", ntohs(bound.sin_port));

  FD_SET(listener, master);
  fdmax = listener; // so far, it is the only one

  for (;;) {
    assign(read_fds, master); // a copy: select keeps only the ready bits
    if (select(fdmax + 1, read_fds, null, null, null) == -1) {
      perror("select");
      exit(4);
    }

    // Every descriptor up to fdmax: the set has no list of its members to walk.
    for (i = 0; i <= fdmax; i++) {
      if (!FD_ISSET(i, read_fds)) {
        continue;
      }

      if (i == listener) {
        addrlen.value = sizeof(remoteaddr);
        newfd = accept(listener, cast(sockaddr, remoteaddr), addrlen);
        if (newfd == -1) {
          perror("accept");
          continue;
        }
        FD_SET(newfd, master);
        if (newfd > fdmax) {
          fdmax = newfd;
        }
        accepted++;
        clients++;
        printf("selectserver: new connection from %s on socket %d\n",
               inet_ntop(remoteaddr.ss_family, get_in_addr(cast(sockaddr, remoteaddr)), remoteIP, INET6_ADDRSTRLEN),
               newfd);
        continue;
      }

      if ((nbytes = recv(i, buf, sizeof(buf), 0)) <= 0) {
        // 0: the client closed its end. -1: an error. Either way, it is gone.
        if (nbytes == 0) {
          printf("selectserver: socket %d hung up\n", i);
        } else {
          perror("recv");
        }
        close(i);
        FD_CLR(i, master);
        clients--;

        if (accepted >= maxconn && clients == 0) {
          printf("selectserver: all %d clients have left\n", maxconn);
          close(listener);
          return 0;
        }
        continue;
      }

      // Everyone else hears it: every member of master but the listener and the sender.
      for (j = 0; j <= fdmax; j++) {
        if (FD_ISSET(j, master) && j != listener && j != i) {
          if (send(j, buf, nbytes, 0) == -1) {
            perror("send");
          }
        }
      }
    }
  }
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
