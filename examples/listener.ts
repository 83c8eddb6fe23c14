// listener: a UDP receiver. No connection: each datagram arrives whole, with its sender's address.
// Usage: listener PORT COUNT   (PORT 0: the kernel picks a free port; COUNT datagrams, then exit)
// Pairs with talker. Ported line by line from examples/c/listener.c.
// port-stats: 98 of 98 C lines map one to one
// Output: "listener: waiting to recvfrom on port N...", then for each datagram "listener: got packet from 127.0.0.1",
// "listener: packet is 5 bytes long", "listener: packet contains \"hello\"".
import { atoi, exit, fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_INET, INET6_ADDRSTRLEN, SOCK_DGRAM,
  addrinfo, bind, cast, close,
  freeaddrinfo, gai_strerror, getaddrinfo, getsockname, in6_addr, in_addr,
  inet_ntop, ntohs, perror, ptr, recvfrom, sizeof, sockaddr, sockaddr_in,
  sockaddr_in6, sockaddr_storage,
  socket, socklen_t,
} from 'bsdsock';

const MAXBUFLEN = 100;

// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

function main(argc: number, argv: string[]): number {
  let sockfd = -1;
  const hints = new addrinfo(), servinfo = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  let rv: number, count: number, got: number;
  let numbytes: number;
  const their_addr = new sockaddr_storage();
  const bound = new sockaddr_in();
  const buf = Buffer.alloc(MAXBUFLEN);
  const addr_len = new socklen_t();
  const s = Buffer.alloc(INET6_ADDRSTRLEN);

  if (argc != 3) {
    fprintf(stderr, 'usage: listener PORT COUNT\n');
    exit(1);
  }
  count = atoi(argv[2]);

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM; // UDP

  if ((rv = getaddrinfo('127.0.0.1', argv[1], hints, servinfo)) != 0) {
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(rv));
    return 1;
  }

  for (p = servinfo.value; p != null; p = p.ai_next) {
    if ((sockfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1) {
      perror('listener: socket');
      continue;
    }
    if (bind(sockfd, p.ai_addr!, p.ai_addrlen) == -1) {
      close(sockfd);
      perror('listener: bind');
      continue;
    }
    break;
  }

  if (p == null) {
    fprintf(stderr, 'listener: failed to bind socket\n');
    return 2;
  }

  freeaddrinfo(servinfo);

  // No listen and no accept: a bound datagram socket receives at once.
  addr_len.value = sizeof(bound);
  if (getsockname(sockfd, cast(sockaddr, bound), addr_len) == -1) {
    perror('getsockname');
    exit(1);
  }
  printf('listener: waiting to recvfrom on port %d...\n', ntohs(bound.sin_port));

  for (got = 0; got < count; got++) {
    // addr_len is in/out: how much room there is, then how much the address took.
    addr_len.value = sizeof(their_addr);
    if ((numbytes = recvfrom(sockfd, buf, MAXBUFLEN - 1, 0, cast(sockaddr, their_addr), addr_len)) == -1) {
      perror('recvfrom');
      exit(1);
    }

    printf('listener: got packet from %s\n',
           inet_ntop(their_addr.ss_family, get_in_addr(cast(sockaddr, their_addr)), s, sizeof(s)));
    printf('listener: packet is %d bytes long\n', numbytes);
    buf[numbytes] = 0; // a datagram carries bytes, not a C string
    printf('listener: packet contains "%s"\n', buf);
  }

  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
