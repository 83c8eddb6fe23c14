// Addresses and structs: byteorder(3) htons/htonl/ntohs/ntohl, inet_pton(3),
// inet_ntop(3), inet_addr(3), inet_ntoa(3), and the layouts (size, and each
// field's offset, size and signedness) of the structs the TypeScript classes
// mirror, as this platform's headers define them.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // struct ucred
#endif

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/select.h>
#ifdef __linux__
// The Linux-only families and option structs. tcp_info is linux/tcp.h's (glibc's netinet/tcp.h has an
// older copy without the 64-bit counters); this file includes no netinet/tcp.h, so the two do not meet.
#include <linux/can.h>
#include <linux/filter.h>
#include <linux/if_alg.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/vm_sockets.h>
#include <netpacket/packet.h>
#include <sys/epoll.h>
#endif
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <cstring>
#include <limits>
#include <type_traits>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// byteorder(3): htons, ntohs, htonl, ntohl. Functions of their own rather than the macros glibc may
// make of them, so that each can be a template argument.
uint16_t HostToNet16(uint16_t v) { return htons(v); }
uint16_t NetToHost16(uint16_t v) { return ntohs(v); }
uint32_t HostToNet32(uint32_t v) { return htonl(v); }
uint32_t NetToHost32(uint32_t v) { return ntohl(v); }

template <typename T, T (*Convert)(T), const char* Name, const char* Param>
Napi::Value ByteOrder(const Napi::CallbackInfo& info) {
  auto v = static_cast<T>(ArgInteger(info, 0, Name, Param, 0, std::numeric_limits<T>::max()));
  return Napi::Number::New(info.Env(), Convert(v));
}
constexpr char kHtons[] = "htons", kNtohs[] = "ntohs", kHtonl[] = "htonl", kNtohl[] = "ntohl";
constexpr char kHostshort[] = "hostshort", kNetshort[] = "netshort", kHostlong[] = "hostlong", kNetlong[] = "netlong";

size_t AddressSize(int af) {
  if (af == AF_INET) return sizeof(struct in_addr);
  if (af == AF_INET6) return sizeof(struct in6_addr);
  return 0;
}

// inet_pton(af, src, dst): dst is the in_addr/in6_addr bytes. An unknown af
// is the kernel-style failure C reports (-1, EAFNOSUPPORT), so it is passed
// through; a dst too small for a known af is a programming error.
Napi::Value InetPton(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt(info, 0, "inet_pton", "af");
  if (!info[1].IsString()) ThrowType(env, "inet_pton", "src", "of type string", info[1]);
  std::string src = info[1].As<Napi::String>().Utf8Value();
  Bytes dst = ArgBytes(info, 2, "inet_pton", "dst", Nullable::kNo, Text::kNo, nullptr);
  if (dst.length < AddressSize(af)) {
    ThrowValue(env, "inet_pton", "dst",
               af == AF_INET ? "must be an in_addr for AF_INET" : "must be an in6_addr for AF_INET6", info[2]);
  }
  if (strlen(src.c_str()) != src.size()) return Napi::Number::New(env, 0);  // an embedded NUL ends C's string
  alignas(struct in6_addr) unsigned char out[sizeof(struct in6_addr)];
  int r = inet_pton(af, src.c_str(), out);
  int e = errno;
  if (r == 1) memcpy(dst.data, out, AddressSize(af));
  return Result(env, r, e);
}

// inet_ntop(af, src, dst, size): returns the text (also written into dst,
// NUL-terminated), or null with -errno in the second slot.
Napi::Value InetNtop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt(info, 0, "inet_ntop", "af");
  Bytes src = ArgBytes(info, 1, "inet_ntop", "src", Nullable::kNo, Text::kNo, nullptr);
  Bytes dst = ArgBytes(info, 2, "inet_ntop", "dst", Nullable::kYes, Text::kNo, nullptr);
  size_t size = ArgLength(info, 3, "inet_ntop", "size");
  if (src.length < AddressSize(af)) {
    ThrowValue(env, "inet_ntop", "src",
               af == AF_INET ? "must be an in_addr for AF_INET" : "must be an in6_addr for AF_INET6", info[1]);
  }
  if (dst.present) CheckFits(env, "inet_ntop", "size", size, "dst", dst, info[3]);
  char text[INET6_ADDRSTRLEN];
  alignas(struct in6_addr) unsigned char in[sizeof(struct in6_addr)] = {0};
  // For an unknown family the size is 0 and src may be empty, its data
  // pointer null: memcpy(dst, NULL, 0) is still undefined behaviour.
  if (AddressSize(af) > 0) memcpy(in, src.data, AddressSize(af));
  // Ask for at most `size` bytes so ENOSPC comes from the C library itself.
  socklen_t cap = static_cast<socklen_t>(size < sizeof(text) ? size : sizeof(text));
  const char* r = inet_ntop(af, in, text, cap);
  int e = errno;
  if (r == nullptr) return Napi::Number::New(env, -e);
  if (dst.present) memcpy(dst.data, text, strlen(text) + 1);
  return Napi::String::New(env, text);
}

Napi::Value InetAddr(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "inet_addr", "cp", "of type string", info[0]);
  std::string cp = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(info.Env(), inet_addr(cp.c_str()));
}

// inet_aton(cp, inp): 1 and the address in *inp, or 0 for text that is not one.
Napi::Value InetAton(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "inet_aton", "cp", "of type string", info[0]);
  Bytes inp = ArgBytes(info, 1, "inet_aton", "inp", Nullable::kNo, Text::kNo, nullptr);
  if (inp.length != sizeof(struct in_addr)) ThrowType(info.Env(), "inet_aton", "inp", "an in_addr", info[1]);
  std::string cp = info[0].As<Napi::String>().Utf8Value();
  struct in_addr out;
  int r = inet_aton(cp.c_str(), &out);
  if (r != 0) memcpy(inp.data, &out, sizeof(out));
  return Napi::Number::New(info.Env(), r);
}

Napi::Value InetNtoa(const Napi::CallbackInfo& info) {
  Bytes in = ArgBytes(info, 0, "inet_ntoa", "in", Nullable::kNo, Text::kNo, nullptr);
  if (in.length < sizeof(struct in_addr)) ThrowValue(info.Env(), "inet_ntoa", "in", "must be an in_addr", info[0]);
  struct in_addr a;
  memcpy(&a, in.data, sizeof(a));
  return Napi::String::New(info.Env(), inet_ntoa(a));
}

// if_nametoindex(3): the index, or 0 with errno (ENODEV: no such interface) as -errno.
Napi::Value IfNametoindex(const Napi::CallbackInfo& info) {
  std::string storage;
  const char* ifname = ArgCString(info, 0, "if_nametoindex", "ifname", Nullable::kNo, &storage);
  errno = 0;
  unsigned int r = if_nametoindex(ifname);
  int e = errno;
  if (r == 0) return Napi::Number::New(info.Env(), -(e != 0 ? e : ENODEV));
  return Napi::Number::New(info.Env(), r);
}

// if_indextoname(3): the name, also written NUL-terminated into ifname (at least IF_NAMESIZE bytes, as C
// requires), or -errno (ENXIO: no interface has that index).
Napi::Value IfIndextoname(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ifindex = static_cast<unsigned int>(ArgInteger(info, 0, "if_indextoname", "ifindex", 0, UINT32_MAX));
  Bytes ifname = ArgBytes(info, 1, "if_indextoname", "ifname", Nullable::kNo, Text::kNo, nullptr);
  if (ifname.length < IF_NAMESIZE) {
    ThrowRange(env, "if_indextoname", "ifname", "at least IF_NAMESIZE = " + std::to_string(IF_NAMESIZE) + " bytes long",
               Napi::Number::New(env, static_cast<double>(ifname.length)));
  }
  char name[IF_NAMESIZE];
  const char* r = if_indextoname(ifindex, name);
  int e = errno;
  if (r == nullptr) return Napi::Number::New(env, -e);
  memcpy(ifname.data, name, strlen(name) + 1);
  return Napi::String::New(env, name);
}

template <typename T>
constexpr bool IsSigned() {
  return std::is_signed<T>::value;
}

// One field of a layout: [offset, size, signed].
Napi::Array Field(Napi::Env env, size_t offset, size_t size, bool is_signed) {
  Napi::Array a = Napi::Array::New(env, 3);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(offset)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(size)));
  a.Set(2u, Napi::Boolean::New(env, is_signed));
  return a;
}

// The name is stringized where the field is listed, before glibc's macros
// (s6_addr is __in6_u.__u6_addr8) expand it.
#define BSDSOCK_FIELD(layout, S, F, name)                                          \
  layout.Set(name, Field(env, offsetof(S, F), sizeof(static_cast<S*>(nullptr)->F), \
                         IsSigned<std::remove_all_extents_t<decltype(S::F)>>()))

#define BSDSOCK_LAYOUT(S, ...)                               \
  do {                                                       \
    Napi::Object fields = Napi::Object::New(env);            \
    using Struct = S;                                        \
    static_cast<void>(sizeof(Struct));                       \
    __VA_ARGS__                                              \
    Napi::Object layout = Napi::Object::New(env);            \
    layout.Set("size", Napi::Number::New(env, sizeof(S)));   \
    layout.Set("align", Napi::Number::New(env, alignof(S))); \
    layout.Set("fields", fields);                            \
    layouts.Set(#S, layout);                                 \
  } while (0)
#define F(name) BSDSOCK_FIELD(fields, Struct, name, #name);

Napi::Object Layouts(Napi::Env env) {
  Napi::Object layouts = Napi::Object::New(env);
  BSDSOCK_LAYOUT(sockaddr, F(sa_family) F(sa_data));
  BSDSOCK_LAYOUT(sockaddr_in, F(sin_family) F(sin_port) F(sin_addr) F(sin_zero));
  BSDSOCK_LAYOUT(sockaddr_in6, F(sin6_family) F(sin6_port) F(sin6_flowinfo) F(sin6_addr) F(sin6_scope_id));
  BSDSOCK_LAYOUT(sockaddr_un, F(sun_family) F(sun_path));
  BSDSOCK_LAYOUT(sockaddr_storage, F(ss_family));
  BSDSOCK_LAYOUT(in_addr, F(s_addr));
  BSDSOCK_LAYOUT(in6_addr, F(s6_addr));
  BSDSOCK_LAYOUT(pollfd, F(fd) F(events) F(revents));
  BSDSOCK_LAYOUT(iovec, F(iov_base) F(iov_len));
  BSDSOCK_LAYOUT(msghdr,
                 F(msg_name) F(msg_namelen) F(msg_iov) F(msg_iovlen) F(msg_control) F(msg_controllen) F(msg_flags));
  BSDSOCK_LAYOUT(cmsghdr, F(cmsg_len) F(cmsg_level) F(cmsg_type));
  BSDSOCK_LAYOUT(addrinfo, F(ai_flags) F(ai_family) F(ai_socktype) F(ai_protocol) F(ai_addrlen) F(ai_addr)
                               F(ai_canonname) F(ai_next));
  BSDSOCK_LAYOUT(linger, F(l_onoff) F(l_linger));
  BSDSOCK_LAYOUT(timeval, F(tv_sec) F(tv_usec));
  // fd_set's one field is named differently by each C library: only its size is public.
  BSDSOCK_LAYOUT(fd_set, );
#ifdef __linux__
  BSDSOCK_LAYOUT(epoll_data, F(fd) F(u32) F(u64));
  BSDSOCK_LAYOUT(epoll_event, F(events) F(data));
#endif
#if defined(SO_PEERCRED) && defined(__linux__)
  BSDSOCK_LAYOUT(ucred, F(pid) F(uid) F(gid));
#endif
  BSDSOCK_LAYOUT(timespec, F(tv_sec) F(tv_nsec));
  BSDSOCK_LAYOUT(ip_mreq, F(imr_multiaddr) F(imr_interface));
  BSDSOCK_LAYOUT(ipv6_mreq, F(ipv6mr_multiaddr) F(ipv6mr_interface));
#ifdef __linux__
  BSDSOCK_LAYOUT(sockaddr_ll,
                 F(sll_family) F(sll_protocol) F(sll_ifindex) F(sll_hatype) F(sll_pkttype) F(sll_halen) F(sll_addr));
  BSDSOCK_LAYOUT(sockaddr_nl, F(nl_family) F(nl_pid) F(nl_groups));
  BSDSOCK_LAYOUT(nlmsghdr, F(nlmsg_len) F(nlmsg_type) F(nlmsg_flags) F(nlmsg_seq) F(nlmsg_pid));
#ifdef VMADDR_FLAG_TO_HOST  // svm_flags came with it (Linux 5.11)
  BSDSOCK_LAYOUT(sockaddr_vm, F(svm_family) F(svm_port) F(svm_cid) F(svm_flags));
#else
  BSDSOCK_LAYOUT(sockaddr_vm, F(svm_family) F(svm_port) F(svm_cid));
#endif
  BSDSOCK_LAYOUT(sockaddr_can, F(can_family) F(can_ifindex));
  BSDSOCK_LAYOUT(sockaddr_alg, F(salg_family) F(salg_type) F(salg_feat) F(salg_mask) F(salg_name));
  BSDSOCK_LAYOUT(ip_mreqn, F(imr_multiaddr) F(imr_address) F(imr_ifindex));
  BSDSOCK_LAYOUT(in_pktinfo, F(ipi_ifindex) F(ipi_spec_dst) F(ipi_addr));
  BSDSOCK_LAYOUT(in6_pktinfo, F(ipi6_addr) F(ipi6_ifindex));
  // The two 4-bit fields tcpi_snd_wscale and tcpi_rcv_wscale (and the later bit-fields) have no offsetof:
  // lib/structs.ts reads their byte, the one after tcpi_options.
  BSDSOCK_LAYOUT(
      tcp_info,
      F(tcpi_state) F(tcpi_ca_state) F(tcpi_retransmits) F(tcpi_probes) F(tcpi_backoff) F(tcpi_options) F(tcpi_rto)
          F(tcpi_ato) F(tcpi_snd_mss) F(tcpi_rcv_mss) F(tcpi_unacked) F(tcpi_sacked) F(tcpi_lost) F(tcpi_retrans)
              F(tcpi_fackets) F(tcpi_last_data_sent) F(tcpi_last_ack_sent) F(tcpi_last_data_recv) F(tcpi_last_ack_recv)
                  F(tcpi_pmtu) F(tcpi_rcv_ssthresh) F(tcpi_rtt) F(tcpi_rttvar) F(tcpi_snd_ssthresh) F(tcpi_snd_cwnd)
                      F(tcpi_advmss) F(tcpi_reordering) F(tcpi_rcv_rtt) F(tcpi_rcv_space) F(tcpi_total_retrans)
                          F(tcpi_pacing_rate) F(tcpi_max_pacing_rate) F(tcpi_bytes_acked) F(tcpi_bytes_received)
                              F(tcpi_segs_out) F(tcpi_segs_in) F(tcpi_notsent_bytes) F(tcpi_min_rtt)
                                  F(tcpi_data_segs_in) F(tcpi_data_segs_out) F(tcpi_delivery_rate) F(tcpi_busy_time)
                                      F(tcpi_rwnd_limited) F(tcpi_sndbuf_limited) F(tcpi_delivered) F(tcpi_delivered_ce)
                                          F(tcpi_bytes_sent) F(tcpi_bytes_retrans) F(tcpi_dsack_dups) F(tcpi_reord_seen)
                                              F(tcpi_rcv_ooopack) F(tcpi_snd_wnd));
  BSDSOCK_LAYOUT(ifreq, F(ifr_name) F(ifr_ifindex) F(ifr_flags) F(ifr_addr) F(ifr_mtu));
  BSDSOCK_LAYOUT(sock_filter, F(code) F(jt) F(jf) F(k));
  BSDSOCK_LAYOUT(sock_fprog, F(len) F(filter));
  // NETLINK_SOCK_DIAG (sock_diag(7)): what ss asks the kernel, and what it answers.
  BSDSOCK_LAYOUT(inet_diag_sockid, F(idiag_sport) F(idiag_dport) F(idiag_src) F(idiag_dst) F(idiag_if) F(idiag_cookie));
  BSDSOCK_LAYOUT(inet_diag_req_v2, F(sdiag_family) F(sdiag_protocol) F(idiag_ext) F(pad) F(idiag_states) F(id));
  BSDSOCK_LAYOUT(inet_diag_msg, F(idiag_family) F(idiag_state) F(idiag_timer) F(idiag_retrans) F(id) F(idiag_expires)
                                    F(idiag_rqueue) F(idiag_wqueue) F(idiag_uid) F(idiag_inode));
#endif
  return layouts;
}
#undef F

// sizeof() of the C scalar types a program passes to setsockopt and friends.
Napi::Object TypeSizes(Napi::Env env) {
  Napi::Object sizes = Napi::Object::New(env);
  sizes.Set("char", Napi::Number::New(env, sizeof(char)));
  sizes.Set("short", Napi::Number::New(env, sizeof(short)));
  sizes.Set("int", Napi::Number::New(env, sizeof(int)));
  sizes.Set("long", Napi::Number::New(env, sizeof(long)));
  sizes.Set("long long", Napi::Number::New(env, sizeof(long long)));
  sizes.Set("size_t", Napi::Number::New(env, sizeof(size_t)));
  sizes.Set("ssize_t", Napi::Number::New(env, sizeof(ssize_t)));
  sizes.Set("socklen_t", Napi::Number::New(env, sizeof(socklen_t)));
  sizes.Set("sa_family_t", Napi::Number::New(env, sizeof(sa_family_t)));
  sizes.Set("in_port_t", Napi::Number::New(env, sizeof(in_port_t)));
  sizes.Set("in_addr_t", Napi::Number::New(env, sizeof(in_addr_t)));
  sizes.Set("uint16_t", Napi::Number::New(env, sizeof(uint16_t)));
  sizes.Set("uint32_t", Napi::Number::New(env, sizeof(uint32_t)));
  sizes.Set("time_t", Napi::Number::New(env, sizeof(time_t)));
  sizes.Set("void *", Napi::Number::New(env, sizeof(void*)));
  return sizes;
}

Napi::Buffer<uint8_t> AddressBytes(Napi::Env env, const struct in6_addr& a) {
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&a), sizeof(a));
}

}  // namespace

void InitAddresses(Napi::Env env, Napi::Object exports) {
  AddFunction(env, exports, "htons", ByteOrder<uint16_t, HostToNet16, kHtons, kHostshort>);
  AddFunction(env, exports, "ntohs", ByteOrder<uint16_t, NetToHost16, kNtohs, kNetshort>);
  AddFunction(env, exports, "htonl", ByteOrder<uint32_t, HostToNet32, kHtonl, kHostlong>);
  AddFunction(env, exports, "ntohl", ByteOrder<uint32_t, NetToHost32, kNtohl, kNetlong>);
  AddFunction(env, exports, "inet_pton", InetPton);
  AddFunction(env, exports, "inet_ntop", InetNtop);
  AddFunction(env, exports, "inet_addr", InetAddr);
  AddFunction(env, exports, "inet_aton", InetAton);
  AddFunction(env, exports, "inet_ntoa", InetNtoa);
  AddFunction(env, exports, "if_nametoindex", IfNametoindex);
  AddFunction(env, exports, "if_indextoname", IfIndextoname);
  exports.Set("layouts", Layouts(env));
  exports.Set("typeSizes", TypeSizes(env));
  exports.Set("in6addr_any", AddressBytes(env, in6addr_any));
  exports.Set("in6addr_loopback", AddressBytes(env, in6addr_loopback));
  exports.Set("littleEndian", Napi::Boolean::New(env, htons(1) != 1));
}

}  // namespace bsdsock
