// Socket options: setsockopt(2) and getsockopt(2). The value is an int (a
// JavaScript number) or bytes (a struct such as linger or timeval, or a
// Buffer), with its length, as C passes `const void *optval, socklen_t optlen`.
#include <sys/socket.h>
#ifdef __linux__
#include <linux/filter.h>
#endif

#include <climits>
#include <cstring>
#include <string>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// A hot call (args.h): servers set options on every connection they accept. An int optval is told
// from memory by reading it as a number, which is also the first step of its check (napi_typeof
// would cost as much again).
napi_value Setsockopt(napi_env env, const Argv<5>& a) {
  int fd = ValueInt(env, a.v[0], "setsockopt", "sockfd");
  int level = ValueInt(env, a.v[1], "setsockopt", "level");
  int optname = ValueInt(env, a.v[2], "setsockopt", "optname");
  auto optlen = static_cast<size_t>(ValueInteger(env, a.v[4], "setsockopt", "optlen", 0, INT_MAX));
  double number;
  if (napi_get_value_double(env, a.v[3], &number) == napi_ok) {
    if (!IsIntegerIn(number, INT_MIN, INT_MAX)) ThrowInteger(env, a.v[3], "setsockopt", "optval", INT_MIN, INT_MAX);
    auto value = static_cast<int>(number);
    if (optlen > sizeof(value)) {
      ThrowRange(env, "setsockopt", "optlen", "<= " + std::to_string(sizeof(value)) + " (the size of an int optval)",
                 Napi::Value(env, a.v[4]));
    }
    BSDSOCK_SYSCALL(env, setsockopt(fd, level, optname, &value, static_cast<socklen_t>(optlen)));
  }
  Bytes value = ValueBytes(env, a.v[3], "setsockopt", "optval", Nullable::kYes, Text::kNo, nullptr);
  CheckFits(env, "setsockopt", "optlen", optlen, "optval", value, Napi::Value(env, a.v[4]));
  BSDSOCK_SYSCALL(env, setsockopt(fd, level, optname, value.data, static_cast<socklen_t>(optlen)));
}

#ifdef __linux__
// setsockopt(fd, level, optname, prog, optlen) where prog is a struct sock_fprog (SO_ATTACH_FILTER,
// SO_ATTACH_REUSEPORT_CBPF): JavaScript holds its len and its filter's bytes apart (C's pointer has no
// JavaScript form), so the struct the kernel reads is made here, its pointer at those bytes.
// Arguments: fd, level, optname, len, filter bytes (or null), optlen.
Napi::Value SetsockoptFprog(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "setsockopt", "sockfd");
  int level = ArgInt(info, 1, "setsockopt", "level");
  int optname = ArgInt(info, 2, "setsockopt", "optname");
  auto len = static_cast<unsigned short>(ArgInteger(info, 3, "setsockopt", "optval.len", 0, USHRT_MAX));
  Bytes filter = ArgBytes(info, 4, "setsockopt", "optval.filter", Nullable::kYes, Text::kNo, nullptr);
  size_t optlen = ArgLength(info, 5, "setsockopt", "optlen");
  size_t count = filter.present ? filter.length / sizeof(struct sock_filter) : 0;
  if (len > count) {
    ThrowRange(env, "setsockopt", "optval.len", "<= " + std::to_string(count) + " (the instructions in optval.filter)",
               info[3]);
  }
  if (optlen > sizeof(struct sock_fprog)) {
    ThrowRange(env, "setsockopt", "optlen",
               "<= " + std::to_string(sizeof(struct sock_fprog)) + " (sizeof(struct sock_fprog))", info[5]);
  }
  struct sock_fprog prog;
  memset(&prog, 0, sizeof(prog));
  prog.len = len;
  prog.filter = filter.present && filter.length > 0 ? reinterpret_cast<struct sock_filter*>(filter.data) : nullptr;
  BSDSOCK_SYSCALL(env, setsockopt(fd, level, optname, &prog, static_cast<socklen_t>(optlen)));
}
#endif

Napi::Value Getsockopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "getsockopt", "sockfd");
  int level = ArgInt(info, 1, "getsockopt", "level");
  int optname = ArgInt(info, 2, "getsockopt", "optname");
  Bytes value = ArgBytes(info, 3, "getsockopt", "optval", Nullable::kYes, Text::kNo, nullptr);
  socklen_t* optlen = ArgSocklen(info, 4, "getsockopt", "optlen", Nullable::kYes);
  if (value.present && optlen == nullptr) {
    ThrowValue(env, "getsockopt", "optlen", "must be a socklen_t when optval is given", info[4]);
  }
  if (optlen != nullptr && *optlen > value.length) {
    ThrowRange(env, "getsockopt", "optlen", "<= " + std::to_string(value.length) + " (the size of \"optval\")",
               Napi::Number::New(env, *optlen));
  }
  BSDSOCK_SYSCALL(env, getsockopt(fd, level, optname, value.data, optlen));
}

}  // namespace

void InitOptions(Napi::Env env, Napi::Object exports) {
  AddHotFunction(env, exports, "setsockopt", Hot<5, Setsockopt>);
  AddFunction(env, exports, "getsockopt", Getsockopt);
#ifdef __linux__
  AddFunction(env, exports, "setsockoptFprog", SetsockoptFprog);
#endif
}

}  // namespace bsdsock
