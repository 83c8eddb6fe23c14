// showip: prints every address getaddrinfo gives for a host, IPv4 and IPv6 alike (ported line by line from examples/c/showip.c).
// Usage: showip HOST   (e.g. showip localhost, showip 127.0.0.1, showip ::1)
// Output: "IP addresses for HOST:" then one line per address, "  IPv4: 127.0.0.1" or "  IPv6: ::1".
// Exit: 0, 1 on a usage error, 2 when getaddrinfo fails (its message on stderr).
// port-stats: 60 of 60 C lines map one to one
import { fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_INET, AF_UNSPEC, INET6_ADDRSTRLEN, SOCK_STREAM,
  addrinfo, cast, freeaddrinfo, gai_strerror, getaddrinfo,
  in6_addr, in_addr, inet_ntop, ptr, sizeof,
  sockaddr_in, sockaddr_in6,
} from 'bsdsock';

function main(argc: number, argv: string[]): number {
  const hints = new addrinfo(), res = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  let status: number;
  const ipstr = Buffer.alloc(INET6_ADDRSTRLEN);

  if (argc != 2) {
    fprintf(stderr, 'usage: showip HOST\n');
    return 1;
  }

  // Zeroed hints mean "no preference" for every field not set below.
  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC; // IPv4 or IPv6, whichever the host has
  hints.ai_socktype = SOCK_STREAM; // one entry per address, not one per socket type

  if ((status = getaddrinfo(argv[1], null, hints, res)) != 0) {
    // getaddrinfo does not set errno: its own code has its own message.
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(status));
    return 2;
  }

  printf('IP addresses for %s:\n', argv[1]);

  for (p = res.value; p != null; p = p.ai_next) {
    let addr: in_addr | in6_addr;
    let ipver: string;

    // ai_addr is a generic struct sockaddr *: the family says which struct it really points to.
    if (p.ai_family == AF_INET) {
      const ipv4: sockaddr_in = cast(sockaddr_in, p.ai_addr!);
      addr = ipv4.sin_addr;
      ipver = 'IPv4';
    } else {
      const ipv6: sockaddr_in6 = cast(sockaddr_in6, p.ai_addr!);
      addr = ipv6.sin6_addr;
      ipver = 'IPv6';
    }

    // The binary address (network byte order) to its printable form.
    inet_ntop(p.ai_family, addr, ipstr, sizeof(ipstr));
    printf('  %s: %s\n', ipver, ipstr);
  }

  // The whole linked list was allocated by getaddrinfo: one call frees it.
  freeaddrinfo(res);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
