// tcpdump: a tiny packet capture on lo: an AF_PACKET socket with a classic BPF filter that keeps the
// IPv4 TCP segments to or from one port, each decoded from its Ethernet, IPv4 and TCP headers into one
// line as tcpdump prints it: "IP 127.0.0.1.40000 > 127.0.0.1.8080: Flags [S.], length 0" (S SYN, F FIN,
// P PSH, R RST, "." ACK; the length is the TCP payload's). Usage: tcpdump PORT COUNT: it exits 0 after COUNT segments. Needs CAP_NET_RAW: run it in a network namespace of your own (unshare -rn).
// port-stats: 106 of 107 C lines map one to one
import { printf, fprintf, fflush, stdout, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, AF_PACKET, SOCK_RAW, SOL_SOCKET, SO_ATTACH_FILTER, ETH_P_ALL, ETH_P_IP, IPPROTO_TCP,
  PACKET_OUTGOING, INET_ADDRSTRLEN, BPF_LD, BPF_LDX, BPF_H, BPF_B, BPF_ABS, BPF_IND, BPF_MSH, BPF_JMP,
  BPF_JEQ, BPF_K, BPF_RET, BPF_STMT, BPF_JUMP, perror, socket, setsockopt, bind, recvfrom, close, htons,
  inet_ntop, if_nametoindex, cast, sizeof, socklen_t, sockaddr, sockaddr_ll, sock_filter, sock_fprog,
} from 'bsdsock';





const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_PUSH = 0x08;
const TH_ACK = 0x10;

function main(argc: number, argv: string[]): number {
  let sockfd: number, port: number, count: number, seen = 0, n: number, iphl: number, thl: number;
  const ll = new sockaddr_ll(), from = new sockaddr_ll();
  const fromlen = new socklen_t();
  const frame = Buffer.alloc(65536);
  let tcp: Buffer;
  const src = Buffer.alloc(INET_ADDRSTRLEN), dst = Buffer.alloc(INET_ADDRSTRLEN), flags = Buffer.alloc(8);

  if (argc != 3) {
    fprintf(stderr, "usage: tcpdump PORT COUNT\n");
    exit(1);
  }
  port = atoi(argv[1]);
  count = atoi(argv[2]);

  // Ethernet header (14 bytes; lo has one too, of zeros), then IPv4 (protocol at 23, header length in
  // the low 4 bits of byte 14), then TCP (ports first). Kept: 0xffff bytes; dropped: 0.
  const code: sock_filter[] = [
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12), // the ethertype
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8), // IPv4, or drop
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23), // the IP protocol
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 6),
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14), // X = the IP header's length
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14), // the source port
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 2, 0),
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16), // the destination port
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
    BPF_STMT(BPF_RET | BPF_K, 0),
  ];
  const prog = new sock_fprog();
  prog.len = code.length; // C: sizeof code / sizeof code[0] (a TypeScript array knows its length)
  prog.filter = code;

  if ((sockfd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) == -1) {
    perror("tcpdump: socket (a packet socket needs CAP_NET_RAW)");
    exit(1);
  }
  // The filter before bind, so that no packet gets in unfiltered.
  if (setsockopt(sockfd, SOL_SOCKET, SO_ATTACH_FILTER, prog, sizeof(prog)) == -1) {
    perror("tcpdump: setsockopt SO_ATTACH_FILTER");
    exit(1);
  }
  memset(ll, 0, sizeof(ll));
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = if_nametoindex("lo");
  if (bind(sockfd, cast(sockaddr, ll), sizeof(ll)) == -1) {
    perror("tcpdump: bind");
    exit(1);
  }
  printf("tcpdump: listening on lo, port %d\n", port);
  fflush(stdout);

  while (seen < count) {
    fromlen.value = sizeof(from);
    if ((n = recvfrom(sockfd, frame, sizeof(frame), 0, cast(sockaddr, from), fromlen)) == -1) {
      perror("tcpdump: recvfrom");
      exit(1);
    }
    // On lo each packet is seen going out and coming in: keep one of the two, as tcpdump does.
    if (from.sll_pkttype == PACKET_OUTGOING) {
      continue;
    }
    iphl = (frame[14] & 0x0f) * 4;
    tcp = frame.subarray(14 + iphl);
    thl = (tcp[12] >> 4) * 4;
    inet_ntop(AF_INET, frame.subarray(26, 30), src, sizeof(src));
    inet_ntop(AF_INET, frame.subarray(30, 34), dst, sizeof(dst));
    memset(flags, 0, sizeof(flags));
    n = 0;
    if (tcp[13] & TH_SYN) flags[n++] = 'S'.charCodeAt(0);
    if (tcp[13] & TH_FIN) flags[n++] = 'F'.charCodeAt(0);
    if (tcp[13] & TH_PUSH) flags[n++] = 'P'.charCodeAt(0);
    if (tcp[13] & TH_RST) flags[n++] = 'R'.charCodeAt(0);
    if (tcp[13] & TH_ACK) flags[n++] = '.'.charCodeAt(0);
    printf("IP %s.%d > %s.%d: Flags [%s], length %d\n", src, (tcp[0] << 8) | tcp[1], dst, (tcp[2] << 8) | tcp[3], flags,
           ((frame[16] << 8) | frame[17]) - iphl - thl);
    fflush(stdout);
    seen++;
  }
  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
