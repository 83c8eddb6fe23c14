// streamserver: a TCP server that sends "Hello, world!" to each client, then closes that connection.
// Usage: streamserver PORT COUNT   (PORT 0: the kernel picks a free port; COUNT connections, then exit)
// Output: "server: waiting for connections on port N...", then for each connection
// "server: got connection from 127.0.0.1". Pairs with streamclient. Ported line by line from examples/c/streamserver.c.
// port-stats: 114 of 114 C lines map one to one
import { atoi, exit, fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_INET, INET6_ADDRSTRLEN, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR,
  accept, addrinfo, bind,
  cast, close, freeaddrinfo, gai_strerror, getaddrinfo, getsockname,
  in6_addr, in_addr, inet_ntop, listen, ntohs, perror, ptr,
  send, setsockopt, sizeof, sockaddr, sockaddr_in, sockaddr_in6,
  sockaddr_storage, socket, socklen_t, strlen,
} from 'bsdsock';

const BACKLOG = 10; // how many pending connections the kernel queues before accept

// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

function main(argc: number, argv: string[]): number {
  let sockfd = -1, new_fd: number; // listen on sockfd, talk to a client on new_fd
  const hints = new addrinfo(), servinfo = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  const their_addr = new sockaddr_storage(); // big enough for any family's address
  const bound = new sockaddr_in();
  const sin_size = new socklen_t();
  const yes = Int32Array.of(1);
  const s = Buffer.alloc(INET6_ADDRSTRLEN);
  const msg = 'Hello, world!';
  let rv: number, count: number, served: number;

  if (argc != 3) {
    fprintf(stderr, 'usage: streamserver PORT COUNT\n');
    exit(1);
  }
  count = atoi(argv[2]);

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;

  // Loopback only: this server is never reachable from another machine.
  if ((rv = getaddrinfo('127.0.0.1', argv[1], hints, servinfo)) != 0) {
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(rv));
    return 1;
  }

  // Bind to the first result that works.
  for (p = servinfo.value; p != null; p = p.ai_next) {
    if ((sockfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1) {
      perror('server: socket');
      continue;
    }

    // A port left in TIME_WAIT by an earlier run can be bound again at once.
    if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof(yes)) == -1) {
      perror('setsockopt');
      exit(1);
    }

    if (bind(sockfd, p.ai_addr!, p.ai_addrlen) == -1) {
      close(sockfd);
      perror('server: bind');
      continue;
    }

    break;
  }

  freeaddrinfo(servinfo); // all done with this structure

  if (p == null) {
    fprintf(stderr, 'server: failed to bind\n');
    exit(1);
  }

  if (listen(sockfd, BACKLOG) == -1) {
    perror('listen');
    exit(1);
  }

  // With port 0 only the kernel knows which port it chose: ask it.
  sin_size.value = sizeof(bound);
  if (getsockname(sockfd, cast(sockaddr, bound), sin_size) == -1) {
    perror('getsockname');
    exit(1);
  }
  printf('server: waiting for connections on port %d...\n', ntohs(bound.sin_port));

  for (served = 0; served < count; served++) {
    sin_size.value = sizeof(their_addr);
    new_fd = accept(sockfd, cast(sockaddr, their_addr), sin_size);
    if (new_fd == -1) {
      perror('accept');
      continue;
    }

    inet_ntop(their_addr.ss_family, get_in_addr(cast(sockaddr, their_addr)), s, sizeof(s));
    printf('server: got connection from %s\n', s);

    if (send(new_fd, msg, strlen(msg), 0) == -1) {
      perror('send');
    }
    close(new_fd);
  }

  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
