// Argument checks shared by every native file. Each check names the function
// and the parameter, and throws the error Node itself would throw
// (TypeError/RangeError with ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE /
// ERR_INVALID_ARG_VALUE) before any system call is made.
#pragma once

#include <napi.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>

#if defined(_WIN32)
#error "bsdsock binds the POSIX socket calls; Windows is not supported."
#endif

namespace bsdsock {

[[noreturn]] void ThrowType(Napi::Env env, const char* fn, const char* param, const char* expected, Napi::Value got);
[[noreturn]] void ThrowRange(Napi::Env env, const char* fn, const char* param, const std::string& must,
                             Napi::Value got);
[[noreturn]] void ThrowValue(Napi::Env env, const char* fn, const char* param, const std::string& reason,
                             Napi::Value got);

// Why an integer argument was refused: not a number (ERR_INVALID_ARG_TYPE), or a fraction or out of
// [min, max] (ERR_OUT_OF_RANGE). Out of line, so that the checks below inline to a few instructions.
[[noreturn]] void ThrowInteger(napi_env env, napi_value v, const char* fn, const char* param, int64_t min, int64_t max);

// Whether a number is an integer within [min, max]: in range first, so that the conversion is
// defined; then a value that converts back unchanged is an integer (cheaper than std::trunc, a libm
// call on baseline x86-64).
inline bool IsIntegerIn(double d, int64_t min, int64_t max) {
  return d >= static_cast<double>(min) && d <= static_cast<double>(max) &&
         static_cast<double>(static_cast<int64_t>(d)) == d;
}

// An integer argument: a number with no fraction, within [min, max]. One N-API call both checks the
// type and reads the value (napi_typeof first would cost as much again).
inline int64_t ValueInteger(napi_env env, napi_value v, const char* fn, const char* param, int64_t min, int64_t max) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !IsIntegerIn(d, min, max)) {
    ThrowInteger(env, v, fn, param, min, max);
  }
  return static_cast<int64_t>(d);
}

inline int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, int64_t min,
                          int64_t max) {
  return ValueInteger(info.Env(), info[i], fn, param, min, max);
}

inline int ArgInt(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param) {
  return static_cast<int>(ArgInteger(info, i, fn, param, INT_MIN, INT_MAX));
}

// A length (size_t or socklen_t in C): negative values are programming
// errors here, where C would wrap them into huge sizes.
inline size_t ArgLength(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param) {
  return static_cast<size_t>(ArgInteger(info, i, fn, param, 0, INT_MAX));
}

// Memory that JavaScript owns: a Buffer, any TypedArray, a DataView or an
// ArrayBuffer (detached ones are refused). With a string the UTF-8 bytes are
// copied into *text and described instead.
struct Bytes {
  uint8_t* data;
  size_t length;
  bool present;  // false for null when null is allowed
};

enum class Nullable { kNo, kYes };
enum class Text { kNo, kYes };

Bytes ValueBytes(Napi::Env env, napi_value v, const char* fn, const char* param, Nullable nullable, Text text,
                 std::string* storage);

inline Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable,
                      Text text, std::string* storage) {
  return ValueBytes(info.Env(), info[i], fn, param, nullable, text, storage);
}

// `len` must not describe more than the memory `param` holds.
[[noreturn]] void ThrowFits(Napi::Env env, const char* fn, const char* len_param, const char* buf_param, size_t size,
                            Napi::Value got);

inline void CheckFits(Napi::Env env, const char* fn, const char* len_param, size_t len, const char* buf_param,
                      const Bytes& bytes, Napi::Value got) {
  if (len > bytes.length) ThrowFits(env, fn, len_param, buf_param, bytes.length, got);
}

// A socklen_t in/out holder arrives as its 4 bytes.
// A C string argument: a string without NUL bytes, copied into storage (or null where C allows NULL).
const char* ArgCString(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable,
                       std::string* storage);

socklen_t* ValueSocklen(napi_env env, napi_value v, const char* fn, const char* param, Nullable nullable);

inline socklen_t* ArgSocklen(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param,
                             Nullable nullable) {
  return ValueSocklen(info.Env(), info[i], fn, param, nullable);
}

// A `const struct sockaddr *` and its length (arguments i and i + 1), as bind, connect, sendto and
// getnameinfo take them: the length must not describe more than the memory given. `param` names the
// address (`addr`, `dest_addr`); the length is its parameter plus "len" in C's names (`addrlen`).
struct SockaddrIn {
  const struct sockaddr* addr;
  socklen_t len;
  bool present;
};
SockaddrIn ValueSockaddr(napi_env env, napi_value addr, napi_value addrlen, const char* fn, const char* param,
                         Nullable nullable);

inline SockaddrIn ArgSockaddr(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param,
                              Nullable nullable) {
  return ValueSockaddr(info.Env(), info[i], info[i + 1], fn, param, nullable);
}

// A `struct sockaddr *` out-parameter (argument i) with its `socklen_t *` in/out length (i + 1), as
// accept, getsockname and recvfrom take them. Either may be null, as in C; the length it holds on
// entry must fit the struct it describes.
struct SockaddrOut {
  struct sockaddr* addr;
  socklen_t* len;
};
SockaddrOut ValueSockaddrOut(napi_env env, napi_value addr, napi_value addrlen, const char* fn, const char* param,
                             Nullable nullable);

inline SockaddrOut ArgSockaddrOut(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param,
                                  Nullable nullable) {
  return ValueSockaddrOut(info.Env(), info[i], info[i + 1], fn, param, nullable);
}

// The value a wrapper returns for a call: the result, or -errno on failure
// (the TypeScript side stores errno and returns -1, as C does).
inline Napi::Value Result(Napi::Env env, int64_t r, int saved_errno) {
  int64_t v = r < 0 ? -saved_errno : r;
  napi_value out;
  // A small integer (every send/recv result, as len <= INT_MAX) skips the
  // double conversion and heap number of napi_create_double.
  if (v >= INT32_MIN && v <= INT32_MAX) {
    napi_create_int32(env, static_cast<int32_t>(v), &out);
  } else {
    napi_create_double(env, static_cast<double>(v), &out);
  }
  return Napi::Value(env, out);
}

// Every system call goes through this so errno is read before any N-API call
// can overwrite it.
#define BSDSOCK_SYSCALL(env, expr)              \
  do {                                          \
    const int64_t bsdsock_r_ = (expr);          \
    const int bsdsock_e_ = errno;               \
    return Result(env, bsdsock_r_, bsdsock_e_); \
  } while (0)

// The promises API checks the arguments of an operation that must wait its
// turn without making the call: the wrappers pass one extra `true`.
inline bool ValidateOnly(const Napi::CallbackInfo& info, size_t n) {
  return info.Length() > n && info[n].IsBoolean() && info[n].As<Napi::Boolean>().Value();
}

#define BSDSOCK_VALIDATE_ONLY(info, n)                        \
  do {                                                        \
    if (ValidateOnly(info, n)) return info.Env().Undefined(); \
  } while (0)

void AddFunction(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb);

// ---------------------------------------------------------------- hot calls
//
// The calls a loop makes (send, recv, read, write, socket, connect, accept, close, setsockopt,
// epoll_wait) are bare napi_callbacks instead of node-addon-api functions: CallbackInfo asks N-API for
// six arguments, `this` and the data pointer, and its wrapper is one more call (≈ 70 instructions a
// call, bench/floor). A hot call reads its arguments with one napi_get_cb_info into a stack array and
// checks them with the inline helpers below, in the same order and with the same errors as the Arg*
// helpers; only their error paths are out of line.

// The arguments of a hot call that takes at most N (its validate-only flag included).
template <size_t N>
struct Argv {
  size_t argc;      // how many the caller passed; may be more than N
  napi_value v[N];  // undefined past argc, as CallbackInfo's operator[] gives
};

// A hot call's body runs inside the same exception bridge node-addon-api puts around its callbacks:
// a Napi::Error thrown by a check becomes the JavaScript exception.
template <size_t N, napi_value (*Body)(napi_env, const Argv<N>&)>
napi_value Hot(napi_env env, napi_callback_info cbinfo) {
  Argv<N> a;
  a.argc = N;
  napi_get_cb_info(env, cbinfo, &a.argc, a.v, nullptr, nullptr);
  try {
    return Body(env, a);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

void AddHotFunction(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb);

inline int ValueInt(napi_env env, napi_value v, const char* fn, const char* param) {
  return static_cast<int>(ValueInteger(env, v, fn, param, INT_MIN, INT_MAX));
}

// The memory of a (buf, len) pair, len checked against it: a Buffer (any ArrayBufferView with bytes)
// in one napi_get_buffer_info; anything else (a string, an ArrayBuffer, an empty view, which may be
// detached) the way ValueBytes takes it.
struct Data {
  Bytes bytes;
  size_t len;
};

inline Bytes ValueBuffer(napi_env env, napi_value buf, const char* fn, Text text, std::string* storage) {
  void* data;
  size_t length;
  if (napi_get_buffer_info(env, buf, &data, &length) == napi_ok && length > 0) {
    return Bytes{static_cast<uint8_t*>(data), length, true};
  }
  return ValueBytes(env, buf, fn, "buf", Nullable::kNo, text, storage);
}

inline Data ValueData(napi_env env, napi_value buf, napi_value len, const char* fn, Text text, std::string* storage,
                      const char* len_param) {
  Bytes b = ValueBuffer(env, buf, fn, text, storage);
  const auto n = static_cast<size_t>(ValueInteger(env, len, fn, len_param, 0, INT_MAX));
  if (n > b.length) ThrowFits(env, fn, len_param, "buf", b.length, Napi::Value(env, len));
  return Data{b, n};
}

// BSDSOCK_VALIDATE_ONLY for a hot call: the flag is a trailing `true` at index n.
template <size_t N>
inline bool ValidateOnly(napi_env env, const Argv<N>& a, size_t n) {
  bool flag = false;
  return a.argc > n && napi_get_value_bool(env, a.v[n], &flag) == napi_ok && flag;
}

#define BSDSOCK_HOT_VALIDATE_ONLY(env, a, n) \
  do {                                       \
    if (ValidateOnly(env, a, n)) {           \
      napi_value bsdsock_u_;                 \
      napi_get_undefined(env, &bsdsock_u_);  \
      return bsdsock_u_;                     \
    }                                        \
  } while (0)

}  // namespace bsdsock
