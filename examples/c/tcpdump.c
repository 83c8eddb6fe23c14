/* tcpdump: a tiny packet capture on lo: an AF_PACKET socket with a classic BPF filter that keeps the
 * IPv4 TCP segments to or from one port, each decoded from its Ethernet, IPv4 and TCP headers into one
 * line as tcpdump prints it: "IP 127.0.0.1.40000 > 127.0.0.1.8080: Flags [S.], length 0" (S SYN, F FIN,
 * P PSH, R RST, "." ACK; the length is the TCP payload's). Usage: tcpdump PORT COUNT: it exits 0 after
 * COUNT segments. Needs CAP_NET_RAW: run it in a network namespace of your own (unshare -rn). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/filter.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10

int main(int argc, char* argv[]) {
  int sockfd, port, count, seen = 0, n, iphl, thl;
  struct sockaddr_ll ll, from;
  socklen_t fromlen;
  unsigned char frame[65536];
  unsigned char* tcp;
  char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], flags[8];

  if (argc != 3) {
    fprintf(stderr, "usage: tcpdump PORT COUNT\n");
    exit(1);
  }
  port = atoi(argv[1]);
  count = atoi(argv[2]);

  /* Ethernet header (14 bytes; lo has one too, of zeros), then IPv4 (protocol at 23, header length in
   * the low 4 bits of byte 14), then TCP (ports first). Kept: 0xffff bytes; dropped: 0. */
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),              /* the ethertype */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8), /* IPv4, or drop */
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),              /* the IP protocol */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 6),
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14), /* X = the IP header's length */
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14),  /* the source port */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 2, 0),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16), /* the destination port */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog prog;
  prog.len = sizeof code / sizeof code[0];
  prog.filter = code;

  if ((sockfd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) == -1) {
    perror("tcpdump: socket (a packet socket needs CAP_NET_RAW)");
    exit(1);
  }
  /* The filter before bind, so that no packet gets in unfiltered. */
  if (setsockopt(sockfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == -1) {
    perror("tcpdump: setsockopt SO_ATTACH_FILTER");
    exit(1);
  }
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = if_nametoindex("lo");
  if (bind(sockfd, (struct sockaddr*)&ll, sizeof ll) == -1) {
    perror("tcpdump: bind");
    exit(1);
  }
  printf("tcpdump: listening on lo, port %d\n", port);
  fflush(stdout);

  while (seen < count) {
    fromlen = sizeof from;
    if ((n = recvfrom(sockfd, frame, sizeof frame, 0, (struct sockaddr*)&from, &fromlen)) == -1) {
      perror("tcpdump: recvfrom");
      exit(1);
    }
    /* On lo each packet is seen going out and coming in: keep one of the two, as tcpdump does. */
    if (from.sll_pkttype == PACKET_OUTGOING) {
      continue;
    }
    iphl = (frame[14] & 0x0f) * 4;
    tcp = frame + 14 + iphl;
    thl = (tcp[12] >> 4) * 4;
    inet_ntop(AF_INET, frame + 26, src, sizeof src);
    inet_ntop(AF_INET, frame + 30, dst, sizeof dst);
    memset(flags, 0, sizeof flags);
    n = 0;
    if (tcp[13] & TH_SYN) flags[n++] = 'S';
    if (tcp[13] & TH_FIN) flags[n++] = 'F';
    if (tcp[13] & TH_PUSH) flags[n++] = 'P';
    if (tcp[13] & TH_RST) flags[n++] = 'R';
    if (tcp[13] & TH_ACK) flags[n++] = '.';
    printf("IP %s.%d > %s.%d: Flags [%s], length %d\n", src, (tcp[0] << 8) | tcp[1], dst, (tcp[2] << 8) | tcp[3], flags,
           ((frame[16] << 8) | frame[17]) - iphl - thl);
    fflush(stdout);
    seen++;
  }
  close(sockfd);
  return 0;
}
