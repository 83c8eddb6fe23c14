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

// An integer argument: a number with no fraction, within [min, max].
int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, int64_t min,
                   int64_t max);

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
void CheckFits(Napi::Env env, const char* fn, const char* len_param, size_t len, const char* buf_param,
               const Bytes& bytes, Napi::Value got);

// A socklen_t in/out holder arrives as its 4 bytes.
// A C string argument: a string without NUL bytes, copied into storage (or null where C allows NULL).
const char* ArgCString(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable,
                       std::string* storage);

socklen_t* ArgSocklen(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable);

// A `const struct sockaddr *` and its length (arguments i and i + 1), as bind, connect, sendto and
// getnameinfo take them: the length must not describe more than the memory given. `param` names the
// address (`addr`, `dest_addr`); the length is its parameter plus "len" in C's names (`addrlen`).
struct SockaddrIn {
  const struct sockaddr* addr;
  socklen_t len;
  bool present;
};
SockaddrIn ArgSockaddr(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable);

// A `struct sockaddr *` out-parameter (argument i) with its `socklen_t *` in/out length (i + 1), as
// accept, getsockname and recvfrom take them. Either may be null, as in C; the length it holds on
// entry must fit the struct it describes.
struct SockaddrOut {
  struct sockaddr* addr;
  socklen_t* len;
};
SockaddrOut ArgSockaddrOut(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param,
                           Nullable nullable);

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

}  // namespace bsdsock
