// poll(2): fds arrives as an array of pollfd structs (their bytes); they are
// gathered into C's contiguous array for the call and revents is written back.
// select(2) and the fd_set macros FD_ZERO, FD_SET, FD_CLR, FD_ISSET: each set
// arrives as its bytes (sizeof(fd_set)); the macros of the C library do the
// bit arithmetic, so the layout is the platform's own.
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include <cstring>
#include <vector>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) ThrowType(env, "poll", "fds", "an array of pollfd", info[0]);
  Napi::Array list = info[0].As<Napi::Array>();
  size_t nfds = static_cast<size_t>(ArgInteger(info, 1, "poll", "nfds", 0, list.Length()));
  int timeout = ArgInt(info, 2, "poll", "timeout");
  std::vector<struct pollfd> fds(nfds);
  std::vector<uint8_t*> places(nfds);
  for (size_t k = 0; k < nfds; k++) {
    Bytes b = ValueBytes(env, list.Get(static_cast<uint32_t>(k)), "poll", "fds[]", Nullable::kNo, Text::kNo, nullptr);
    if (b.length != sizeof(struct pollfd))
      ThrowType(env, "poll", "fds[]", "a pollfd", list.Get(static_cast<uint32_t>(k)));
    memcpy(&fds[k], b.data, sizeof(struct pollfd));
    places[k] = b.data;
  }
  BSDSOCK_VALIDATE_ONLY(info, 3);
  int r = poll(fds.data(), static_cast<nfds_t>(nfds), timeout);
  int e = errno;
  if (r >= 0) {
    for (size_t k = 0; k < nfds; k++) memcpy(places[k], &fds[k], sizeof(struct pollfd));
  }
  return Result(env, r, e);
}

// An fd_set argument: null where C may pass NULL, else exactly sizeof(fd_set)
// bytes. They are copied into an aligned fd_set for the call and back after it.
struct SetArg {
  Bytes bytes;
  fd_set set;
  fd_set* Pointer() { return bytes.present ? &set : nullptr; }
};

void ArgSet(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable,
            SetArg* out) {
  out->bytes = ArgBytes(info, i, fn, param, nullable, Text::kNo, nullptr);
  if (!out->bytes.present) return;
  if (out->bytes.length != sizeof(fd_set)) ThrowType(info.Env(), fn, param, "an fd_set", info[i]);
  memcpy(&out->set, out->bytes.data, sizeof(fd_set));
}

void StoreSet(SetArg* a) {
  if (a->bytes.present) memcpy(a->bytes.data, &a->set, sizeof(fd_set));
}

// select(nfds, readfds, writefds, exceptfds, timeout): nfds is at most
// FD_SETSIZE (past it the kernel would read past the sets); Linux writes the
// time left into timeout, as here.
Napi::Value Select(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int nfds = static_cast<int>(ArgInteger(info, 0, "select", "nfds", 0, FD_SETSIZE));
  SetArg sets[3];
  const char* names[3] = {"readfds", "writefds", "exceptfds"};
  for (size_t k = 0; k < 3; k++) ArgSet(info, k + 1, "select", names[k], Nullable::kYes, &sets[k]);
  Bytes t = ArgBytes(info, 4, "select", "timeout", Nullable::kYes, Text::kNo, nullptr);
  if (t.present && t.length != sizeof(struct timeval)) ThrowType(env, "select", "timeout", "a timeval", info[4]);
  BSDSOCK_VALIDATE_ONLY(info, 5);
  struct timeval tv;
  if (t.present) memcpy(&tv, t.data, sizeof(tv));
  int r = select(nfds, sets[0].Pointer(), sets[1].Pointer(), sets[2].Pointer(), t.present ? &tv : nullptr);
  int e = errno;
  for (SetArg& a : sets) StoreSet(&a);
  if (t.present) memcpy(t.data, &tv, sizeof(tv));
  return Result(env, r, e);
}

// fdSet(op, fd, set): FD_SET (0), FD_CLR (1), FD_ISSET (2) on one set. A
// descriptor outside 0..FD_SETSIZE-1 is a RangeError: the C macros would write
// outside the set.
Napi::Value FdSetOp(const Napi::CallbackInfo& info) {
  static const char* const kNames[3] = {"FD_SET", "FD_CLR", "FD_ISSET"};
  int op = static_cast<int>(ArgInteger(info, 0, "fdSet", "op", 0, 2));
  const char* fn = kNames[op];
  int fd = static_cast<int>(ArgInteger(info, 1, fn, "fd", 0, FD_SETSIZE - 1));
  SetArg a;
  ArgSet(info, 2, fn, "set", Nullable::kNo, &a);
  int r = 0;
  if (op == 0) FD_SET(fd, &a.set);
  if (op == 1) FD_CLR(fd, &a.set);
  if (op == 2) r = FD_ISSET(fd, &a.set) ? 1 : 0;
  StoreSet(&a);
  return Napi::Number::New(info.Env(), r);
}

Napi::Value FdZero(const Napi::CallbackInfo& info) {
  SetArg a;
  ArgSet(info, 0, "FD_ZERO", "set", Nullable::kNo, &a);
  FD_ZERO(&a.set);
  StoreSet(&a);
  return info.Env().Undefined();
}

#ifdef __linux__
// epoll(7), Linux only: epoll_create1(2), epoll_ctl(2), epoll_wait(2). An
// epoll_event arrives as its bytes (sizeof(struct epoll_event), packed on
// x86-64); epoll_wait fills C's contiguous array and each entry is written
// back to the caller's struct.
Napi::Value EpollCreate1(const Napi::CallbackInfo& info) {
  int flags = ArgInt(info, 0, "epoll_create1", "flags");
  BSDSOCK_SYSCALL(info.Env(), epoll_create1(flags));
}

Napi::Value EpollCtl(const Napi::CallbackInfo& info) {
  int epfd = ArgInt(info, 0, "epoll_ctl", "epfd");
  int op = ArgInt(info, 1, "epoll_ctl", "op");
  int fd = ArgInt(info, 2, "epoll_ctl", "fd");
  Bytes b = ArgBytes(info, 3, "epoll_ctl", "event", Nullable::kYes, Text::kNo, nullptr);
  if (b.present && b.length != sizeof(struct epoll_event))
    ThrowType(info.Env(), "epoll_ctl", "event", "an epoll_event", info[3]);
  struct epoll_event ev;
  if (b.present) memcpy(&ev, b.data, sizeof(ev));
  BSDSOCK_SYSCALL(info.Env(), epoll_ctl(epfd, op, fd, b.present ? &ev : nullptr));
}

// A hot call (args.h). `events` is either C's array itself, the contiguous bytes of a StructArray of
// epoll_event that the kernel fills in place (bsdsock's `array(epoll_event, n)`), or an array of
// separate epoll_event structs, filled one by one afterwards. maxevents must be positive (EINVAL
// otherwise, as C): only its upper bound, the number of structs given, is checked here.
napi_value EpollWait(napi_env env, const Argv<5>& a) {
  int epfd = ValueInt(env, a.v[0], "epoll_wait", "epfd");
  void* data = nullptr;
  size_t length = 0;
  bool is_array = false;
  if (napi_get_buffer_info(env, a.v[1], &data, &length) == napi_ok) {
    const size_t count = length / sizeof(struct epoll_event);
    int maxevents =
        static_cast<int>(ValueInteger(env, a.v[2], "epoll_wait", "maxevents", INT_MIN, static_cast<int64_t>(count)));
    int timeout = ValueInt(env, a.v[3], "epoll_wait", "timeout");
    BSDSOCK_HOT_VALIDATE_ONLY(env, a, 4);
    // The kernel copies the events out byte by byte, so the bytes need no particular alignment;
    // nothing here reads them through the pointer.
    BSDSOCK_SYSCALL(env, epoll_wait(epfd, static_cast<struct epoll_event*>(data), maxevents, timeout));
  }
  if (napi_is_array(env, a.v[1], &is_array) != napi_ok || !is_array) {
    ThrowType(env, "epoll_wait", "events", "an array of epoll_event", Napi::Value(env, a.v[1]));
  }
  uint32_t listed = 0;
  napi_get_array_length(env, a.v[1], &listed);
  int maxevents = static_cast<int>(ValueInteger(env, a.v[2], "epoll_wait", "maxevents", INT_MIN, listed));
  int timeout = ValueInt(env, a.v[3], "epoll_wait", "timeout");
  size_t n = maxevents > 0 ? static_cast<size_t>(maxevents) : 0;
  std::vector<uint8_t*> places(n);
  for (size_t k = 0; k < n; k++) {
    napi_value item = nullptr;
    if (napi_get_element(env, a.v[1], static_cast<uint32_t>(k), &item) != napi_ok) throw Napi::Error::New(env);
    Bytes b = ValueBytes(env, item, "epoll_wait", "events[]", Nullable::kNo, Text::kNo, nullptr);
    if (b.length != sizeof(struct epoll_event)) {
      ThrowType(env, "epoll_wait", "events[]", "an epoll_event", Napi::Value(env, item));
    }
    places[k] = b.data;
  }
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 4);
  std::vector<struct epoll_event> events(n > 0 ? n : 1);
  int r = epoll_wait(epfd, events.data(), maxevents, timeout);
  int e = errno;
  for (int k = 0; k < r; k++) memcpy(places[k], &events[k], sizeof(struct epoll_event));
  return Result(env, r, e);
}
#endif

// clock_gettime(clockid, tp): the clock's time into tp (a timespec). The tracer stamps its JSON
// records with CLOCK_REALTIME, the clock of the kernel's packet timestamps (SO_TIMESTAMPNS), so that
// calls and captured segments merge in true order.
Napi::Value ClockGettime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto clockid = static_cast<clockid_t>(ArgInteger(info, 0, "clock_gettime", "clockid", INT32_MIN, INT32_MAX));
  Bytes tp = ArgBytes(info, 1, "clock_gettime", "tp", Nullable::kNo, Text::kNo, nullptr);
  if (tp.length != sizeof(struct timespec)) ThrowType(env, "clock_gettime", "tp", "a timespec", info[1]);
  struct timespec ts;
  int r = clock_gettime(clockid, &ts);
  int e = errno;
  if (r == 0) memcpy(tp.data, &ts, sizeof(ts));
  return Result(env, r, e);
}

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) {
  AddFunction(env, exports, "poll", Poll);
  AddFunction(env, exports, "select", Select);
  AddFunction(env, exports, "fdSet", FdSetOp);
  AddFunction(env, exports, "FD_ZERO", FdZero);
  AddFunction(env, exports, "clock_gettime", ClockGettime);
#ifdef __linux__
  AddFunction(env, exports, "epoll_create1", EpollCreate1);
  AddFunction(env, exports, "epoll_ctl", EpollCtl);
  AddHotFunction(env, exports, "epoll_wait", Hot<5, EpollWait>);
#endif
}

}  // namespace bsdsock
