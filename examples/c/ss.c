/* ss: the IPv4 TCP sockets of this network namespace, asked of the kernel over NETLINK_SOCK_DIAG as
 * ss(8) asks (an inet_diag_req_v2 dump), one line each like `ss -tan`: state, local address:port, peer
 * address:port. Usage: ss. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

/* The TCP states in the kernel's order (TCP_ESTABLISHED is 1), named as ss names them. */
const char* states[] = {"UNKNOWN",   "ESTAB",  "SYN-SENT",   "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
                        "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN",     "CLOSING"};

int main(void) {
  int nl, len, done = 0;
  struct sockaddr_nl kernel;
  char buf[16384], local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN], laddr[32], paddr[32];
  struct nlmsghdr* nh = (struct nlmsghdr*)buf;
  struct inet_diag_req_v2* req = NLMSG_DATA(nh);
  struct inet_diag_msg* diag;

  if ((nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)) == -1) {
    perror("ss: socket");
    exit(1);
  }

  /* One request: every IPv4 TCP socket, whatever its state (a bit per state, all set). */
  memset(buf, 0, sizeof buf);
  nh->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2));
  nh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req->sdiag_family = AF_INET;
  req->sdiag_protocol = IPPROTO_TCP;
  req->idiag_states = 0xffffffff;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto(nl, buf, nh->nlmsg_len, 0, (struct sockaddr*)&kernel, sizeof kernel) == -1) {
    perror("ss: sendto");
    exit(1);
  }

  printf("%-10s %-21s %s\n", "State", "Local Address:Port", "Peer Address:Port");
  /* The answer comes in as many datagrams as it takes, each a run of messages, NLMSG_DONE last. */
  while (!done) {
    if ((len = recv(nl, buf, sizeof buf, 0)) == -1) {
      perror("ss: recv");
      exit(1);
    }
    for (nh = (struct nlmsghdr*)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE) {
        done = 1;
        break;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        fprintf(stderr, "ss: the kernel refused the request\n");
        exit(1);
      }
      diag = NLMSG_DATA(nh);
      inet_ntop(AF_INET, diag->id.idiag_src, local, sizeof local);
      inet_ntop(AF_INET, diag->id.idiag_dst, peer, sizeof peer);
      snprintf(laddr, sizeof laddr, "%s:%d", local, ntohs(diag->id.idiag_sport));
      if (diag->id.idiag_dport == 0) {
        snprintf(paddr, sizeof paddr, "%s:*", peer);
      } else {
        snprintf(paddr, sizeof paddr, "%s:%d", peer, ntohs(diag->id.idiag_dport));
      }
      printf("%-10s %-21s %s\n", states[diag->idiag_state], laddr, paddr);
    }
  }
  close(nl);
  return 0;
}
