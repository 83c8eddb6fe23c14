/* Prints, from this platform's own headers, what test/structs.test.ts
 * compares with bsdsock: each struct's sizeof and each field's offsetof and
 * size, the sizes of the scalar types, and the bytes of a few structs filled
 * the way a C program fills them.
 *
 *   size   <struct> <sizeof>
 *   field  <struct> <member> <offsetof> <sizeof member>
 *   type   <name>   <sizeof>          (a space in the name written as '+')
 *   bytes  <label>  <hex>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#ifdef __linux__
#include <linux/can.h>
#include <linux/filter.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h> /* the kernel's tcp_info, with the 64-bit counters */
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netpacket/packet.h>
#endif

#define SIZE(S) printf("size %s %zu\n", #S, sizeof(struct S))
#define FIELD(S, F) printf("field %s %s %zu %zu\n", #S, #F, offsetof(struct S, F), sizeof(((struct S*)0)->F))
#define TYPE(T, label) printf("type %s %zu\n", label, sizeof(T))

static void bytes(const char* label, const void* p, size_t n) {
  const unsigned char* b = p;
  printf("bytes %s ", label);
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

int main(void) {
  SIZE(sockaddr);
  FIELD(sockaddr, sa_family);
  FIELD(sockaddr, sa_data);
  SIZE(sockaddr_in);
  FIELD(sockaddr_in, sin_family);
  FIELD(sockaddr_in, sin_port);
  FIELD(sockaddr_in, sin_addr);
  FIELD(sockaddr_in, sin_zero);
  SIZE(sockaddr_in6);
  FIELD(sockaddr_in6, sin6_family);
  FIELD(sockaddr_in6, sin6_port);
  FIELD(sockaddr_in6, sin6_flowinfo);
  FIELD(sockaddr_in6, sin6_addr);
  FIELD(sockaddr_in6, sin6_scope_id);
  SIZE(sockaddr_un);
  FIELD(sockaddr_un, sun_family);
  FIELD(sockaddr_un, sun_path);
  SIZE(sockaddr_storage);
  FIELD(sockaddr_storage, ss_family);
  SIZE(in_addr);
  FIELD(in_addr, s_addr);
  SIZE(in6_addr);
  /* s6_addr is a macro for a union member; the name printed is the C one. */
  printf("field in6_addr s6_addr %zu %zu\n", offsetof(struct in6_addr, s6_addr),
         sizeof(((struct in6_addr*)0)->s6_addr));
  SIZE(pollfd);
  FIELD(pollfd, fd);
  FIELD(pollfd, events);
  FIELD(pollfd, revents);
  SIZE(linger);
  FIELD(linger, l_onoff);
  FIELD(linger, l_linger);
  SIZE(timeval);
  FIELD(timeval, tv_sec);
  FIELD(timeval, tv_usec);
  SIZE(iovec);
  FIELD(iovec, iov_base);
  FIELD(iovec, iov_len);
  SIZE(msghdr);
  FIELD(msghdr, msg_name);
  FIELD(msghdr, msg_namelen);
  FIELD(msghdr, msg_iov);
  FIELD(msghdr, msg_iovlen);
  FIELD(msghdr, msg_control);
  FIELD(msghdr, msg_controllen);
  FIELD(msghdr, msg_flags);
  SIZE(cmsghdr);
  FIELD(cmsghdr, cmsg_len);
  FIELD(cmsghdr, cmsg_level);
  FIELD(cmsghdr, cmsg_type);
  SIZE(addrinfo);
  FIELD(addrinfo, ai_flags);
  FIELD(addrinfo, ai_family);
  FIELD(addrinfo, ai_socktype);
  FIELD(addrinfo, ai_protocol);
  FIELD(addrinfo, ai_addrlen);
  FIELD(addrinfo, ai_addr);
  FIELD(addrinfo, ai_canonname);
  FIELD(addrinfo, ai_next);

  SIZE(timespec);
  FIELD(timespec, tv_sec);
  FIELD(timespec, tv_nsec);
  SIZE(ip_mreq);
  FIELD(ip_mreq, imr_multiaddr);
  FIELD(ip_mreq, imr_interface);
  SIZE(ipv6_mreq);
  FIELD(ipv6_mreq, ipv6mr_multiaddr);
  FIELD(ipv6_mreq, ipv6mr_interface);
#ifdef __linux__
  SIZE(sockaddr_ll);
  FIELD(sockaddr_ll, sll_family);
  FIELD(sockaddr_ll, sll_protocol);
  FIELD(sockaddr_ll, sll_ifindex);
  FIELD(sockaddr_ll, sll_hatype);
  FIELD(sockaddr_ll, sll_pkttype);
  FIELD(sockaddr_ll, sll_halen);
  FIELD(sockaddr_ll, sll_addr);
  SIZE(sockaddr_nl);
  FIELD(sockaddr_nl, nl_family);
  FIELD(sockaddr_nl, nl_pid);
  FIELD(sockaddr_nl, nl_groups);
  SIZE(nlmsghdr);
  FIELD(nlmsghdr, nlmsg_len);
  FIELD(nlmsghdr, nlmsg_type);
  FIELD(nlmsghdr, nlmsg_flags);
  FIELD(nlmsghdr, nlmsg_seq);
  FIELD(nlmsghdr, nlmsg_pid);
  SIZE(sockaddr_vm);
  FIELD(sockaddr_vm, svm_family);
  FIELD(sockaddr_vm, svm_port);
  FIELD(sockaddr_vm, svm_cid);
#ifdef VMADDR_FLAG_TO_HOST
  FIELD(sockaddr_vm, svm_flags);
#endif
  SIZE(sockaddr_can);
  FIELD(sockaddr_can, can_family);
  FIELD(sockaddr_can, can_ifindex);
  SIZE(sockaddr_alg);
  FIELD(sockaddr_alg, salg_family);
  FIELD(sockaddr_alg, salg_type);
  FIELD(sockaddr_alg, salg_feat);
  FIELD(sockaddr_alg, salg_mask);
  FIELD(sockaddr_alg, salg_name);
  SIZE(ip_mreqn);
  FIELD(ip_mreqn, imr_multiaddr);
  FIELD(ip_mreqn, imr_address);
  FIELD(ip_mreqn, imr_ifindex);
  SIZE(in_pktinfo);
  FIELD(in_pktinfo, ipi_ifindex);
  FIELD(in_pktinfo, ipi_spec_dst);
  FIELD(in_pktinfo, ipi_addr);
  SIZE(in6_pktinfo);
  FIELD(in6_pktinfo, ipi6_addr);
  FIELD(in6_pktinfo, ipi6_ifindex);
  SIZE(tcp_info);
  FIELD(tcp_info, tcpi_state);
  FIELD(tcp_info, tcpi_ca_state);
  FIELD(tcp_info, tcpi_retransmits);
  FIELD(tcp_info, tcpi_probes);
  FIELD(tcp_info, tcpi_backoff);
  FIELD(tcp_info, tcpi_options);
  FIELD(tcp_info, tcpi_rto);
  FIELD(tcp_info, tcpi_ato);
  FIELD(tcp_info, tcpi_snd_mss);
  FIELD(tcp_info, tcpi_rcv_mss);
  FIELD(tcp_info, tcpi_unacked);
  FIELD(tcp_info, tcpi_sacked);
  FIELD(tcp_info, tcpi_lost);
  FIELD(tcp_info, tcpi_retrans);
  FIELD(tcp_info, tcpi_fackets);
  FIELD(tcp_info, tcpi_last_data_sent);
  FIELD(tcp_info, tcpi_last_ack_sent);
  FIELD(tcp_info, tcpi_last_data_recv);
  FIELD(tcp_info, tcpi_last_ack_recv);
  FIELD(tcp_info, tcpi_pmtu);
  FIELD(tcp_info, tcpi_rcv_ssthresh);
  FIELD(tcp_info, tcpi_rtt);
  FIELD(tcp_info, tcpi_rttvar);
  FIELD(tcp_info, tcpi_snd_ssthresh);
  FIELD(tcp_info, tcpi_snd_cwnd);
  FIELD(tcp_info, tcpi_advmss);
  FIELD(tcp_info, tcpi_reordering);
  FIELD(tcp_info, tcpi_rcv_rtt);
  FIELD(tcp_info, tcpi_rcv_space);
  FIELD(tcp_info, tcpi_total_retrans);
  FIELD(tcp_info, tcpi_pacing_rate);
  FIELD(tcp_info, tcpi_max_pacing_rate);
  FIELD(tcp_info, tcpi_bytes_acked);
  FIELD(tcp_info, tcpi_bytes_received);
  FIELD(tcp_info, tcpi_segs_out);
  FIELD(tcp_info, tcpi_segs_in);
  FIELD(tcp_info, tcpi_notsent_bytes);
  FIELD(tcp_info, tcpi_min_rtt);
  FIELD(tcp_info, tcpi_data_segs_in);
  FIELD(tcp_info, tcpi_data_segs_out);
  FIELD(tcp_info, tcpi_delivery_rate);
  FIELD(tcp_info, tcpi_busy_time);
  FIELD(tcp_info, tcpi_rwnd_limited);
  FIELD(tcp_info, tcpi_sndbuf_limited);
  FIELD(tcp_info, tcpi_delivered);
  FIELD(tcp_info, tcpi_delivered_ce);
  FIELD(tcp_info, tcpi_bytes_sent);
  FIELD(tcp_info, tcpi_bytes_retrans);
  FIELD(tcp_info, tcpi_dsack_dups);
  FIELD(tcp_info, tcpi_reord_seen);
  FIELD(tcp_info, tcpi_rcv_ooopack);
  FIELD(tcp_info, tcpi_snd_wnd);
  SIZE(ifreq);
  FIELD(ifreq, ifr_name);
  FIELD(ifreq, ifr_ifindex);
  FIELD(ifreq, ifr_flags);
  FIELD(ifreq, ifr_addr);
  FIELD(ifreq, ifr_mtu);
  SIZE(sock_filter);
  FIELD(sock_filter, code);
  FIELD(sock_filter, jt);
  FIELD(sock_filter, jf);
  FIELD(sock_filter, k);
  SIZE(sock_fprog);
  FIELD(sock_fprog, len);
  FIELD(sock_fprog, filter);
  SIZE(inet_diag_sockid);
  FIELD(inet_diag_sockid, idiag_sport);
  FIELD(inet_diag_sockid, idiag_dport);
  FIELD(inet_diag_sockid, idiag_src);
  FIELD(inet_diag_sockid, idiag_dst);
  FIELD(inet_diag_sockid, idiag_if);
  FIELD(inet_diag_sockid, idiag_cookie);
  SIZE(inet_diag_req_v2);
  FIELD(inet_diag_req_v2, sdiag_family);
  FIELD(inet_diag_req_v2, sdiag_protocol);
  FIELD(inet_diag_req_v2, idiag_ext);
  FIELD(inet_diag_req_v2, pad);
  FIELD(inet_diag_req_v2, idiag_states);
  FIELD(inet_diag_req_v2, id);
  SIZE(inet_diag_msg);
  FIELD(inet_diag_msg, idiag_family);
  FIELD(inet_diag_msg, idiag_state);
  FIELD(inet_diag_msg, idiag_timer);
  FIELD(inet_diag_msg, idiag_retrans);
  FIELD(inet_diag_msg, id);
  FIELD(inet_diag_msg, idiag_expires);
  FIELD(inet_diag_msg, idiag_rqueue);
  FIELD(inet_diag_msg, idiag_wqueue);
  FIELD(inet_diag_msg, idiag_uid);
  FIELD(inet_diag_msg, idiag_inode);
#endif

  TYPE(char, "char");
  TYPE(short, "short");
  TYPE(int, "int");
  TYPE(long, "long");
  TYPE(long long, "long+long");
  TYPE(size_t, "size_t");
  TYPE(ssize_t, "ssize_t");
  TYPE(socklen_t, "socklen_t");
  TYPE(sa_family_t, "sa_family_t");
  TYPE(in_port_t, "in_port_t");
  TYPE(in_addr_t, "in_addr_t");
  TYPE(uint16_t, "uint16_t");
  TYPE(uint32_t, "uint32_t");
  TYPE(time_t, "time_t");
  TYPE(void*, "void+*");

  /* The structs as a C program fills them; padding stays zero from memset. */
  struct sockaddr_in in4;
  memset(&in4, 0, sizeof(in4));
  in4.sin_family = AF_INET;
  in4.sin_port = htons(8080);
  inet_pton(AF_INET, "192.0.2.33", &in4.sin_addr);
  bytes("sockaddr_in", &in4, sizeof(in4));

  struct sockaddr_in6 in6;
  memset(&in6, 0, sizeof(in6));
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  in6.sin6_flowinfo = htonl(0x12345);
  inet_pton(AF_INET6, "2001:db8::7", &in6.sin6_addr);
  in6.sin6_scope_id = 3;
  bytes("sockaddr_in6", &in6, sizeof(in6));

  struct sockaddr_un un;
  memset(&un, 0, sizeof(un));
  un.sun_family = AF_UNIX;
  strcpy(un.sun_path, "/tmp/bsdsock.sock");
  bytes("sockaddr_un", &un, sizeof(un));

  struct pollfd pfd;
  memset(&pfd, 0, sizeof(pfd));
  pfd.fd = 7;
  pfd.events = POLLIN | POLLOUT;
  pfd.revents = POLLHUP;
  bytes("pollfd", &pfd, sizeof(pfd));

  struct linger lin;
  memset(&lin, 0, sizeof(lin));
  lin.l_onoff = 1;
  lin.l_linger = 30;
  bytes("linger", &lin, sizeof(lin));

  struct timeval tv;
  memset(&tv, 0, sizeof(tv));
  tv.tv_sec = 5;
  tv.tv_usec = 250000;
  bytes("timeval", &tv, sizeof(tv));

  struct cmsghdr cm;
  memset(&cm, 0, sizeof(cm));
  cm.cmsg_len = CMSG_LEN(sizeof(int));
  cm.cmsg_level = SOL_SOCKET;
  cm.cmsg_type = SCM_RIGHTS;
  bytes("cmsghdr", &cm, sizeof(cm));

  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_PASSIVE;
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_protocol = IPPROTO_UDP;
  bytes("addrinfo", &hints, sizeof(hints));

#ifdef __linux__
  /* The two 4-bit fields of tcp_info, where this compiler puts them. */
  struct tcp_info ti;
  memset(&ti, 0, sizeof(ti));
  ti.tcpi_state = 1;
  ti.tcpi_snd_wscale = 7;
  ti.tcpi_rcv_wscale = 9;
  ti.tcpi_rtt = 12345;
  ti.tcpi_bytes_acked = 0x123456789aULL;
  bytes("tcp_info", &ti, sizeof(ti));

  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof(ll));
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = 1;
  ll.sll_hatype = 772;
  ll.sll_pkttype = PACKET_OUTGOING;
  ll.sll_halen = 6;
  ll.sll_addr[5] = 0xab;
  bytes("sockaddr_ll", &ll, sizeof(ll));

  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_UP | IFF_LOOPBACK;
  bytes("ifreq", &ifr, sizeof(ifr));

  struct sock_filter insn[2] = {
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
  };
  bytes("sock_filter", insn, sizeof(insn));
#endif
  return 0;
}
