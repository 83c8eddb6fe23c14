// Socket lifecycle: socket(2), bind(2), listen(2), accept(2), accept4(2),
// connect(2), shutdown(2), close(2), getsockname(2), getpeername(2),
// socketpair(2), fcntl(2). Each validates its arguments, makes exactly one
// system call and returns its result, or -errno for the TypeScript side to
// store in errno. No flag is added and nothing is retried.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // accept4
#endif

#include <fcntl.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <net/if.h>
#endif
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include <cstring>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// socket, connect, accept and close are hot calls (args.h): a connection's life is made of them.
napi_value Socket(napi_env env, const Argv<3>& a) {
  int domain = ValueInt(env, a.v[0], "socket", "domain");
  int type = ValueInt(env, a.v[1], "socket", "type");
  int protocol = ValueInt(env, a.v[2], "socket", "protocol");
  BSDSOCK_SYSCALL(env, socket(domain, type, protocol));
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "bind", "sockfd");
  SockaddrIn a = ArgSockaddr(info, 1, "bind", "addr", Nullable::kNo);
  BSDSOCK_SYSCALL(info.Env(), bind(fd, a.addr, a.len));
}

napi_value Connect(napi_env env, const Argv<4>& a) {
  int fd = ValueInt(env, a.v[0], "connect", "sockfd");
  SockaddrIn addr = ValueSockaddr(env, a.v[1], a.v[2], "connect", "addr", Nullable::kNo);
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 3);
  BSDSOCK_SYSCALL(env, connect(fd, addr.addr, addr.len));
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "listen", "sockfd");
  int backlog = ArgInt(info, 1, "listen", "backlog");
  BSDSOCK_SYSCALL(info.Env(), listen(fd, backlog));
}

// accept(sockfd) alone, addr and addrlen left out, is accept(sockfd, NULL, NULL): the wrappers pass
// that form for the common case, which then costs no type test of two nulls (napi_typeof, ≈ 85
// instructions each). Anything passed in their place is checked as before.
napi_value Accept(napi_env env, const Argv<4>& a) {
  int fd = ValueInt(env, a.v[0], "accept", "sockfd");
  if (a.argc <= 1) BSDSOCK_SYSCALL(env, accept(fd, nullptr, nullptr));
  SockaddrOut addr = ValueSockaddrOut(env, a.v[1], a.v[2], "accept", "addr", Nullable::kYes);
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 3);
  BSDSOCK_SYSCALL(env, accept(fd, addr.addr, addr.len));
}

#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
#define BSDSOCK_HAVE_ACCEPT4 1
Napi::Value Accept4(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "accept4", "sockfd");
  SockaddrOut a = ArgSockaddrOut(info, 1, "accept4", "addr", Nullable::kYes);
  int flags = ArgInt(info, 3, "accept4", "flags");
  BSDSOCK_VALIDATE_ONLY(info, 4);
  BSDSOCK_SYSCALL(info.Env(), accept4(fd, a.addr, a.len, flags));
}
#endif

// getsockname(2) and getpeername(2) have one prototype: (sockfd, addr, addrlen).
template <int (*Call)(int, struct sockaddr*, socklen_t*), const char* Name>
Napi::Value NameCall(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, Name, "sockfd");
  SockaddrOut a = ArgSockaddrOut(info, 1, Name, "addr", Nullable::kNo);
  BSDSOCK_SYSCALL(info.Env(), Call(fd, a.addr, a.len));
}
constexpr char kGetsockname[] = "getsockname";
constexpr char kGetpeername[] = "getpeername";

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "shutdown", "sockfd");
  int how = ArgInt(info, 1, "shutdown", "how");
  BSDSOCK_SYSCALL(info.Env(), shutdown(fd, how));
}

// close(2) is never retried on EINTR: on Linux the descriptor is released
// even when close reports EINTR, and a retry could close a descriptor that
// another thread has just been given.
napi_value Close(napi_env env, const Argv<1>& a) {
  int fd = ValueInt(env, a.v[0], "close", "fd");
  BSDSOCK_SYSCALL(env, close(fd));
}

// socketpair(domain, type, protocol, sv): sv is C's `int sv[2]`, an
// Int32Array of at least two elements.
Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  int domain = ArgInt(info, 0, "socketpair", "domain");
  int type = ArgInt(info, 1, "socketpair", "type");
  int protocol = ArgInt(info, 2, "socketpair", "protocol");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[3].As<Napi::TypedArray>().ElementLength() < 2) {
    ThrowType(info.Env(), "socketpair", "sv", "an Int32Array of length 2 (int sv[2])", info[3]);
  }
  int* sv = info[3].As<Napi::Int32Array>().Data();
  BSDSOCK_SYSCALL(info.Env(), socketpair(domain, type, protocol, sv));
}

// fcntl(fd, cmd, arg): the commands that take an int (or nothing). Commands
// whose third argument is a pointer (F_GETLK, ...) would need a struct this
// package does not model, so they are refused rather than passed a number.
// dup(2) and dup2(2): a second descriptor for the same open socket (or file).
Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "dup", "oldfd");
  BSDSOCK_SYSCALL(info.Env(), dup(fd));
}

Napi::Value Dup2(const Napi::CallbackInfo& info) {
  int oldfd = ArgInt(info, 0, "dup2", "oldfd");
  int newfd = ArgInt(info, 1, "dup2", "newfd");
  BSDSOCK_SYSCALL(info.Env(), dup2(oldfd, newfd));
}

// ioctl(fd, request, argp) for the requests on a socket whose argument is an
// int (C's `int *argp`): FIONREAD/SIOCINQ, SIOCOUTQ/TIOCOUTQ, SIOCATMARK
// (the kernel writes it), FIONBIO (the kernel reads it). A request that takes
// a struct would make the kernel read or write past the int: it is refused.
bool IntRequest(unsigned long request) {
  static const unsigned long kRequests[] = {
#ifdef FIONREAD
      FIONREAD,
#endif
#ifdef FIONBIO
      FIONBIO,
#endif
#ifdef SIOCATMARK
      SIOCATMARK,
#endif
#ifdef SIOCINQ
      SIOCINQ,
#endif
#ifdef SIOCOUTQ
      SIOCOUTQ,
#endif
#ifdef TIOCOUTQ
      TIOCOUTQ,
#endif
  };
  for (unsigned long r : kRequests)
    if (r == request) return true;
  return false;
}

#ifdef __linux__
// The interface requests of netdevice(7) whose argument is a struct ifreq: the kernel reads ifr_name
// (or ifr_ifindex for SIOCGIFNAME) and reads or writes one member of the union.
bool IfreqRequest(unsigned long request) {
  static const unsigned long kRequests[] = {SIOCGIFNAME,    SIOCGIFINDEX,   SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFADDR,
                                            SIOCGIFNETMASK, SIOCGIFBRDADDR, SIOCGIFMTU,   SIOCSIFMTU,   SIOCGIFHWADDR};
  for (unsigned long r : kRequests)
    if (r == request) return true;
  return false;
}
#endif

Napi::Value Ioctl(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "ioctl", "fd");
  auto request = static_cast<unsigned long>(ArgInteger(info, 1, "ioctl", "request", 0, UINT32_MAX));
#ifdef __linux__
  if (IfreqRequest(request)) {
    Bytes argp = ArgBytes(info, 2, "ioctl", "argp", Nullable::kNo, Text::kNo, nullptr);
    if (argp.length != sizeof(struct ifreq)) {
      ThrowType(info.Env(), "ioctl", "argp", "an ifreq, as this request takes", info[2]);
    }
    // A real, aligned struct ifreq; the name is terminated where C's IFNAMSIZ ends, whatever the bytes say.
    struct ifreq ifr;
    memcpy(&ifr, argp.data, sizeof(ifr));
    ifr.ifr_name[IFNAMSIZ - 1] = '\0';
    int r = ioctl(fd, request, &ifr);
    int e = errno;
    memcpy(argp.data, &ifr, sizeof(ifr));
    return Result(info.Env(), r, e);
  }
#endif
  if (!IntRequest(request)) {
    ThrowValue(info.Env(), "ioctl", "request",
               "must be a request whose argument is an int (FIONREAD, FIONBIO, SIOCATMARK, SIOCINQ, SIOCOUTQ) or an "
               "ifreq (SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFADDR, SIOCGIFMTU, ...)",
               info[1]);
  }
  Bytes argp = ArgBytes(info, 2, "ioctl", "argp", Nullable::kNo, Text::kNo, nullptr);
  if (argp.length != sizeof(int)) ThrowType(info.Env(), "ioctl", "argp", "an int holder (4 bytes)", info[2]);
  int value;
  memcpy(&value, argp.data, sizeof(value));
  int r = ioctl(fd, request, &value);
  int e = errno;
  memcpy(argp.data, &value, sizeof(value));
  return Result(info.Env(), r, e);
}

Napi::Value Fcntl(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "fcntl", "fd");
  int cmd = ArgInt(info, 1, "fcntl", "cmd");
  switch (cmd) {
    case F_GETFL:
    case F_GETFD:
#ifdef F_GETOWN
    case F_GETOWN:
#endif
      BSDSOCK_SYSCALL(info.Env(), fcntl(fd, cmd));
    case F_SETFL:
    case F_SETFD:
    case F_DUPFD:
#ifdef F_DUPFD_CLOEXEC
    case F_DUPFD_CLOEXEC:
#endif
#ifdef F_SETOWN
    case F_SETOWN:
#endif
    {
      int arg = ArgInt(info, 2, "fcntl", "arg");
      BSDSOCK_SYSCALL(info.Env(), fcntl(fd, cmd, arg));
    }
    default:
      ThrowValue(info.Env(), "fcntl", "cmd",
                 "must be one of F_GETFL, F_SETFL, F_GETFD, F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC, F_GETOWN, F_SETOWN",
                 info[1]);
  }
}

}  // namespace

void InitSockets(Napi::Env env, Napi::Object exports) {
  AddHotFunction(env, exports, "socket", Hot<3, Socket>);
  AddFunction(env, exports, "bind", Bind);
  AddHotFunction(env, exports, "connect", Hot<4, Connect>);
  AddFunction(env, exports, "listen", Listen);
  AddHotFunction(env, exports, "accept", Hot<4, Accept>);
#ifdef BSDSOCK_HAVE_ACCEPT4
  AddFunction(env, exports, "accept4", Accept4);
#endif
  AddFunction(env, exports, "getsockname", NameCall<getsockname, kGetsockname>);
  AddFunction(env, exports, "getpeername", NameCall<getpeername, kGetpeername>);
  AddFunction(env, exports, "shutdown", Shutdown);
  AddHotFunction(env, exports, "close", Hot<1, Close>);
  AddFunction(env, exports, "socketpair", Socketpair);
  AddFunction(env, exports, "fcntl", Fcntl);
  AddFunction(env, exports, "dup", Dup);
  AddFunction(env, exports, "dup2", Dup2);
  AddFunction(env, exports, "ioctl", Ioctl);
}

}  // namespace bsdsock
