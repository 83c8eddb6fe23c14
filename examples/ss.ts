// ss: the IPv4 TCP sockets of this network namespace, asked of the kernel over NETLINK_SOCK_DIAG as
// ss(8) asks (an inet_diag_req_v2 dump), one line each like `ss -tan`: state, local address:port, peer address:port. Usage: ss.
// port-stats: 76 of 77 C lines map one to one
import { printf, fprintf, snprintf, stderr, exit, memset } from 'bsdsock/libc';
import {
  AF_INET, AF_NETLINK, SOCK_RAW, IPPROTO_TCP, NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST,
  NLM_F_DUMP, NLMSG_DONE, NLMSG_ERROR, INET_ADDRSTRLEN, NLMSG_LENGTH, NLMSG_DATA, NLMSG_OK, NLMSG_NEXT,
  perror, socket, sendto, recv, close, ntohs, inet_ntop, cast, sizeof, ptr, sockaddr_nl, nlmsghdr,
  inet_diag_req_v2, inet_diag_msg,
} from 'bsdsock';




// The TCP states in the kernel's order (TCP_ESTABLISHED is 1), named as ss names them.
const states = ["UNKNOWN",   "ESTAB",  "SYN-SENT",   "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
                "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN",     "CLOSING"];

function main(): number {
  let nl: number, done = 0; const len = new ptr(0);
  const kernel = new sockaddr_nl();
  const buf = Buffer.alloc(16384), local = Buffer.alloc(INET_ADDRSTRLEN), peer = Buffer.alloc(INET_ADDRSTRLEN), laddr = Buffer.alloc(32), paddr = Buffer.alloc(32);
  let nh: nlmsghdr = cast(nlmsghdr, buf);
  const req = cast(inet_diag_req_v2, NLMSG_DATA(nh));
  let diag: inet_diag_msg;

  if ((nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)) == -1) {
    perror("ss: socket");
    exit(1);
  }

  // One request: every IPv4 TCP socket, whatever its state (a bit per state, all set).
  memset(buf, 0, sizeof(buf));
  nh.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
  nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.sdiag_family = AF_INET;
  req.sdiag_protocol = IPPROTO_TCP;
  req.idiag_states = 0xffffffff;
  memset(kernel, 0, sizeof(kernel));
  kernel.nl_family = AF_NETLINK;
  if (sendto(nl, buf, nh.nlmsg_len, 0, kernel, sizeof(kernel)) == -1) { // no cast: sockaddr_nl is smaller than sockaddr
    perror("ss: sendto");
    exit(1);
  }

  printf("%-10s %-21s %s\n", "State", "Local Address:Port", "Peer Address:Port");
  // The answer comes in as many datagrams as it takes, each a run of messages, NLMSG_DONE last.
  while (!done) {
    if ((len.value = recv(nl, buf, sizeof(buf), 0)) == -1) {
      perror("ss: recv");
      exit(1);
    }
    for (nh = cast(nlmsghdr, buf); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
      if (nh.nlmsg_type == NLMSG_DONE) {
        done = 1;
        break;
      }
      if (nh.nlmsg_type == NLMSG_ERROR) {
        fprintf(stderr, "ss: the kernel refused the request\n");
        exit(1);
      }
      diag = cast(inet_diag_msg, NLMSG_DATA(nh));
      inet_ntop(AF_INET, diag.id.idiag_src, local, sizeof(local));
      inet_ntop(AF_INET, diag.id.idiag_dst, peer, sizeof(peer));
      snprintf(laddr, sizeof(laddr), "%s:%d", local, ntohs(diag.id.idiag_sport));
      if (diag.id.idiag_dport == 0) {
        snprintf(paddr, sizeof(paddr), "%s:*", peer);
      } else {
        snprintf(paddr, sizeof(paddr), "%s:%d", peer, ntohs(diag.id.idiag_dport));
      }
      printf("%-10s %-21s %s\n", states[diag.idiag_state], laddr, paddr);
    }
  }
  close(nl);
  return 0;
}
process.exitCode = main();
