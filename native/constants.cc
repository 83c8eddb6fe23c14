// Constants, errno names and messages: strerror(3), perror(3).
// Every value is the compiler's reading of the system headers, through the
// table generated from constants.list; nothing here is typed as a number.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // AI_IDN, SO_PEERCRED and the other Linux names
#endif

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <sys/un.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/can.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <sys/epoll.h>
// The TCP states are an enum in glibc's and musl's netinet/tcp.h, which #ifdef cannot see.
#define TCP_ESTABLISHED TCP_ESTABLISHED
#define TCP_SYN_SENT TCP_SYN_SENT
#define TCP_SYN_RECV TCP_SYN_RECV
#define TCP_FIN_WAIT1 TCP_FIN_WAIT1
#define TCP_FIN_WAIT2 TCP_FIN_WAIT2
#define TCP_TIME_WAIT TCP_TIME_WAIT
#define TCP_CLOSE TCP_CLOSE
#define TCP_CLOSE_WAIT TCP_CLOSE_WAIT
#define TCP_LAST_ACK TCP_LAST_ACK
#define TCP_LISTEN TCP_LISTEN
#define TCP_CLOSING TCP_CLOSING
// The INET_DIAG_* attribute types are an enum in linux/inet_diag.h, likewise.
#define INET_DIAG_NONE INET_DIAG_NONE
#define INET_DIAG_MEMINFO INET_DIAG_MEMINFO
#define INET_DIAG_INFO INET_DIAG_INFO
#define INET_DIAG_VEGASINFO INET_DIAG_VEGASINFO
#define INET_DIAG_CONG INET_DIAG_CONG
#define INET_DIAG_TOS INET_DIAG_TOS
#define INET_DIAG_TCLASS INET_DIAG_TCLASS
#define INET_DIAG_SKMEMINFO INET_DIAG_SKMEMINFO
#define INET_DIAG_SHUTDOWN INET_DIAG_SHUTDOWN
#endif

#include <cerrno>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

struct ConstantEntry {
  const char* name;
  int64_t value;
  bool present;
  bool is_errno;
};

#define BSDSOCK_CONSTANT(name, is_errno) {#name, static_cast<int64_t>(name), true, is_errno},
#define BSDSOCK_ABSENT(name, is_errno) {#name, 0, false, is_errno},
const ConstantEntry kConstants[] = {
#include "constants.gen.h"
};
#undef BSDSOCK_CONSTANT
#undef BSDSOCK_ABSENT

// strerror(3); strerror_r has two incompatible forms, so use the
// thread-safe locale-free one where glibc offers it.
std::string Message(int e) {
#if defined(__GLIBC__)
  return strerrordesc_np(e) != nullptr ? strerrordesc_np(e) : "Unknown error " + std::to_string(e);
#else
  char buf[256];
  if (strerror_r(e, buf, sizeof(buf)) != 0) {
    return "Unknown error " + std::to_string(e);
  }
  return buf;
#endif
}

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  int e = ArgInt(info, 0, "strerror", "errnum");
  return Napi::String::New(info.Env(), Message(e));
}

// perror(3) writes through the C library's own stderr, with the given errno
// placed where the C library reads it.
Napi::Value Perror(const Napi::CallbackInfo& info) {
  std::string storage;
  const char* s = nullptr;
  if (!info[0].IsNull() && !info[0].IsUndefined()) {
    if (!info[0].IsString()) {
      ThrowType(info.Env(), "perror", "s", "of type string or null", info[0]);
    }
    storage = info[0].As<Napi::String>().Utf8Value();
    s = storage.c_str();
  }
  int e = ArgInt(info, 1, "perror", "errnum");
  errno = e;
  perror(s);
  fflush(stderr);
  return info.Env().Undefined();
}

}  // namespace

const char* ErrnoName(int e) {
  for (const ConstantEntry& c : kConstants) {
    if (c.is_errno && c.present && c.value == e) return c.name;
  }
  return nullptr;
}

std::string ErrnoMessage(int e) { return Message(e); }

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
  Napi::Object errno_names = Napi::Object::New(env);
  for (const ConstantEntry& c : kConstants) {
    if (c.present) {
      constants.Set(c.name, Napi::Number::New(env, static_cast<double>(c.value)));
      // The first name listed for a value names it (EAGAIN, not EWOULDBLOCK).
      if (c.is_errno && ErrnoName(static_cast<int>(c.value)) == c.name) {
        errno_names.Set(Napi::Number::New(env, static_cast<double>(c.value)), Napi::String::New(env, c.name));
      }
    } else {
      constants.Set(c.name, env.Undefined());
    }
  }
  exports.Set("constants", constants);
  exports.Set("errnoNames", errno_names);
  AddFunction(env, exports, "strerror", Strerror);
  AddFunction(env, exports, "perror", Perror);
}

}  // namespace bsdsock
