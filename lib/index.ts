/**
 * bsdsock: the BSD socket system calls, one to one. Each function has its C
 * name, C parameters in C order, and C's return value; a failed call
 * returns -1 and sets `errno`. Programming errors (a wrong type, a length
 * larger than its buffer) throw before any system call is made.
 * @packageDocumentation
 * @module bsdsock
 */
import { native } from './native';
import { in6_addr } from './structs';
import { plainExports } from './exports';

export { errno, setErrno, strerror, perror, errnoName, onErrno, h_errno, herror, hstrerror } from './errno';
export * from './constants.gen';
export {
  Struct,
  SockaddrStruct,
  sockaddr,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  sockaddr_storage,
  in_addr,
  in6_addr,
  pollfd,
  fd_set,
  epoll_event,
  epoll_data,
  linger,
  timeval,
  ucred,
  iovec,
  msghdr,
  cmsghdr,
  addrinfo,
  timespec,
  ip_mreq,
  ip_mreqn,
  ipv6_mreq,
  in_pktinfo,
  in6_pktinfo,
  sockaddr_ll,
  sockaddr_nl,
  nlmsghdr,
  sockaddr_vm,
  sockaddr_can,
  sockaddr_alg,
  tcp_info,
  ifreq,
  sock_filter,
  sock_fprog,
  inet_diag_sockid,
  inet_diag_req_v2,
  inet_diag_msg,
  BPF_STMT,
  BPF_JUMP,
  socklen_t,
  ptr,
  sizeof,
  offsetof,
  cast,
  assign,
  array,
} from './structs';
export type { BufferLike, SockaddrLike, StructClass, CTypeName, StructArray, StructType } from './structs';
export type { StructLayout, FieldLayout } from './native';
export {
  socket,
  bind,
  listen,
  accept,
  accept4,
  connect,
  shutdown,
  close,
  getsockname,
  getpeername,
  socketpair,
  fcntl,
  dup,
  dup2,
  ioctl,
} from './sockets';
export {
  send,
  recv,
  read,
  write,
  readv,
  writev,
  sendto,
  recvfrom,
  sendmsg,
  recvmsg,
  CMSG_SPACE,
  CMSG_LEN,
  CMSG_FIRSTHDR,
  CMSG_NXTHDR,
  CMSG_DATA,
} from './io';
export { setsockopt, getsockopt } from './options';
export { NLMSG_ALIGN, NLMSG_LENGTH, NLMSG_SPACE, NLMSG_DATA, NLMSG_OK, NLMSG_NEXT, NLMSG_PAYLOAD } from './netlink';
export {
  poll,
  select,
  FD_ZERO,
  FD_SET,
  FD_CLR,
  FD_ISSET,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  clock_gettime,
} from './poll';
export {
  getaddrinfo,
  freeaddrinfo,
  gai_strerror,
  getnameinfo,
  gethostbyname,
  gethostbyaddr,
  getservbyname,
  getservbyport,
  hostent,
  servent,
} from './resolver';
export {
  htons,
  htonl,
  ntohs,
  ntohl,
  inet_pton,
  inet_ntop,
  inet_addr,
  inet_aton,
  inet_ntoa,
  strlen,
  if_nametoindex,
  if_indextoname,
} from './addresses';
export { trace } from './trace';
export { faults, faultCounts, type FaultRule, type FaultCall } from './faults';
export type { TraceOptions, TraceTime } from './trace';
export { hint, hintTable, type Hint, type HintLang } from './explain';
export { inspect, SocketInfo, type SocketOptions, type SocketState } from './inspect';
export { openSockets, type OpenSocket, type LedgerCall } from './ledger';

/** `in6addr_any` (`::`), the IPv6 wildcard address, from the C library. Treat as const. */
export const in6addr_any: in6_addr = new in6_addr(native.in6addr_any);
/** `in6addr_loopback` (`::1`), from the C library. Treat as const. */
export const in6addr_loopback: in6_addr = new in6_addr(native.in6addr_loopback);

module.exports = plainExports(module.exports as Record<string, unknown>);
