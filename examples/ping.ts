// ping: ICMP echo requests to an IPv4 address over a ping socket (SOCK_DGRAM, IPPROTO_ICMP), which
// needs no privileges where the caller's group is in net.ipv4.ping_group_range (ping sockets, icmp(7)).
// Usage: ping ADDRESS COUNT. Output: "PING ADDRESS: COUNT echo requests", one "N bytes from ADDRESS:
// icmp_seq=S" per reply, then the count of replies; it exits 0 when every request had its reply. Where the system forbids ping sockets, it says why on stderr and exits 1.
// port-stats: 109 of 109 C lines map one to one
import { printf, fprintf, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_DGRAM, IPPROTO_ICMP, INET_ADDRSTRLEN, POLLIN, EACCES, EPERM, errno, perror,
  socket, sendto, recvfrom, poll, close, inet_pton, inet_ntop, cast, sizeof, socklen_t, pollfd,
  sockaddr, sockaddr_in,
} from 'bsdsock';




const ECHO_REPLY = 0; // ICMP_ECHOREPLY
const ECHO_REQUEST = 8; // ICMP_ECHO
const PAYLOAD = 56; // bytes of data after the 8-byte ICMP header, as ping(8) sends

// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit words.
function checksum(buf: Uint8Array, len: number): number {
  let sum = 0;
  let i: number;

  for (i = 0; i + 1 < len; i += 2) {
    sum += (buf[i] << 8) | buf[i + 1];
  }
  if (i < len) {
    sum += buf[i] << 8;
  }
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return ~sum & 0xffff;
}

function main(argc: number, argv: string[]): number {
  let sockfd: number, count: number, seq: number, received = 0;
  const to = new sockaddr_in(), from = new sockaddr_in();
  const fromlen = new socklen_t();
  const pkt = Buffer.alloc(8 + PAYLOAD), reply = Buffer.alloc(1500);
  let sum: number;
  const pfd = new pollfd();
  const addrstr = Buffer.alloc(INET_ADDRSTRLEN);
  let n: number;

  if (argc != 3) {
    fprintf(stderr, "usage: ping ADDRESS COUNT\n");
    exit(1);
  }
  count = atoi(argv[2]);
  memset(to, 0, sizeof(to));
  to.sin_family = AF_INET;
  if (inet_pton(AF_INET, argv[1], to.sin_addr) != 1) {
    fprintf(stderr, "ping: %s is not an IPv4 address\n", argv[1]);
    exit(1);
  }

  // The kernel fills the identifier (the socket's own) and keeps other programs' replies away.
  if ((sockfd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) == -1) {
    const err = errno; // perror may change errno
    perror("ping: socket");
    if (err == EACCES || err == EPERM) {
      fprintf(stderr, "ping: this group may not open ping sockets: see sysctl net.ipv4.ping_group_range\n");
    }
    exit(1);
  }

  printf("PING %s: %d echo requests\n", argv[1], count);
  for (seq = 1; seq <= count; seq++) {
    // The ICMP header: type, code, checksum (2 bytes), identifier (2), sequence number (2).
    memset(pkt, 0, sizeof(pkt));
    pkt[0] = ECHO_REQUEST;
    pkt[6] = seq >> 8;
    pkt[7] = seq & 0xff;
    memset(pkt.subarray(8), 'x'.charCodeAt(0), PAYLOAD);
    sum = checksum(pkt, sizeof(pkt));
    pkt[2] = sum >> 8;
    pkt[3] = sum & 0xff;
    if (sendto(sockfd, pkt, sizeof(pkt), 0, cast(sockaddr, to), sizeof(to)) == -1) {
      perror("ping: sendto");
      exit(1);
    }

    pfd.fd = sockfd;
    pfd.events = POLLIN;
    if (poll([pfd], 1, 2000) <= 0) {
      printf("no reply to icmp_seq=%d\n", seq);
      continue;
    }
    fromlen.value = sizeof(from);
    if ((n = recvfrom(sockfd, reply, sizeof(reply), 0, cast(sockaddr, from), fromlen)) == -1) {
      perror("ping: recvfrom");
      exit(1);
    }
    // A ping socket gives the ICMP message without its IP header; a good one sums to 0.
    if (n < 8 || reply[0] != ECHO_REPLY || checksum(reply, n) != 0) {
      printf("ignored a bad reply of %d bytes\n", n);
      continue;
    }
    inet_ntop(AF_INET, from.sin_addr, addrstr, sizeof(addrstr));
    printf("%d bytes from %s: icmp_seq=%d\n", n, addrstr, (reply[6] << 8) | reply[7]);
    received++;
  }

  printf("--- %s: %d requests sent, %d replies received\n", argv[1], count, received);
  close(sockfd);
  return received == count ? 0 : 1;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
