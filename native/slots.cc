// The hot calls through shared slots: send, recv, read, write, accept and close once more, taking
// their integers from, and leaving their result in, an Int32Array the addon shares with lib/
// ([fd, len, flags, result]); only a buffer is an argument. lib/io.ts and lib/sockets.ts take this
// way for int32 arguments they have checked with `typeof` and `| 0` (a len also >= 0), so that
// reading each JavaScript number through N-API (napi_get_value_double, ≈ 50 instructions) and making
// the result (napi_create_int32, ≈ 50) are left out (bench/PROFILE.md). Everything else goes through
// the ordinary functions, whose checks throw the errors; the buffer is checked here as there, and a
// len past it gets the same error.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

enum Slot { kFd, kLen, kFlags, kResult, kSlots };

enum class Op { kSend, kRecv, kRead, kWrite };

template <Op kOp>
napi_value BufferCall(napi_env env, napi_callback_info cbinfo) {
  constexpr bool kOut = kOp == Op::kSend || kOp == Op::kWrite;
  constexpr const char* kFn = kOp == Op::kSend   ? "send"
                              : kOp == Op::kRecv ? "recv"
                              : kOp == Op::kRead ? "read"
                                                 : "write";
  constexpr const char* kLenParam = kOp == Op::kSend || kOp == Op::kRecv ? "len" : "count";
  size_t argc = 1;
  napi_value buf;
  void* data = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, &buf, nullptr, &data);
  int32_t* slots = static_cast<int32_t*>(data);
  try {
    std::string storage;
    Bytes b = ValueBuffer(env, buf, kFn, kOut ? Text::kYes : Text::kNo, kOut ? &storage : nullptr);
    const auto len = static_cast<size_t>(slots[kLen]);
    if (len > b.length) {
      ThrowFits(env, kFn, kLenParam, "buf", b.length, Napi::Number::New(env, static_cast<double>(len)));
    }
    ssize_t r;
    switch (kOp) {
      case Op::kSend:
        r = send(slots[kFd], b.data, len, slots[kFlags]);
        break;
      case Op::kRecv:
        r = recv(slots[kFd], b.data, len, slots[kFlags]);
        break;
      case Op::kRead:
        r = read(slots[kFd], b.data, len);
        break;
      default:
        r = write(slots[kFd], b.data, len);
        break;
    }
    const int e = errno;
    // len <= INT_MAX, so the count fits.
    slots[kResult] = r < 0 ? -e : static_cast<int32_t>(r);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  }
  return nullptr;
}

// accept(fd, NULL, NULL) and close(fd): nothing to check but the descriptor, which lib/ has.
napi_value AcceptCall(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 0;
  void* data = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, nullptr, nullptr, &data);
  int32_t* slots = static_cast<int32_t*>(data);
  const int r = accept(slots[kFd], nullptr, nullptr);
  slots[kResult] = r < 0 ? -errno : r;
  return nullptr;
}

napi_value CloseCall(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 0;
  void* data = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, nullptr, nullptr, &data);
  int32_t* slots = static_cast<int32_t*>(data);
  const int r = close(slots[kFd]);
  slots[kResult] = r < 0 ? -errno : r;
  return nullptr;
}

}  // namespace

// The slots live in memory of the addon's own, for the life of the environment: the ArrayBuffer
// JavaScript sees is a view on it that cannot take it away (detached or collected, the memory stays).
void InitSlots(Napi::Env env, Napi::Object exports) {
  auto* slots = new int32_t[kSlots]();
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_env_cleanup_hook(
                                     env, [](void* p) { delete[] static_cast<int32_t*>(p); }, slots));
  napi_value buffer, view;
  NAPI_THROW_IF_FAILED_VOID(
      env, napi_create_external_arraybuffer(env, slots, sizeof(int32_t) * kSlots, nullptr, nullptr, &buffer));
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_typedarray(env, napi_int32_array, kSlots, buffer, 0, &view));
  exports.Set("slots", view);
  const struct {
    const char* name;
    napi_callback cb;
  } calls[] = {
      {"sendSlots", BufferCall<Op::kSend>}, {"recvSlots", BufferCall<Op::kRecv>},
      {"readSlots", BufferCall<Op::kRead>}, {"writeSlots", BufferCall<Op::kWrite>},
      {"acceptSlots", AcceptCall},          {"closeSlots", CloseCall},
  };
  for (const auto& c : calls) {
    napi_value fn;
    NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, c.name, NAPI_AUTO_LENGTH, c.cb, slots, &fn));
    exports.Set(c.name, fn);
  }
}

}  // namespace bsdsock
