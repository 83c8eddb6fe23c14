// poll(2): fds arrives as an array of pollfd structs (their bytes); they are
// gathered into C's contiguous array for the call and revents is written back.
#include <poll.h>

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

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) { AddFunction(env, exports, "poll", Poll); }

}  // namespace bsdsock
