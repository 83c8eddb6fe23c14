// Name resolution: getaddrinfo(3), freeaddrinfo(3), gai_strerror(3),
// getnameinfo(3). The C list is copied into JavaScript values and freed
// before returning, so no C memory outlives the call.
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// An optional C string argument (node, service): null or a string.
const char* ArgCString(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param,
                       std::string* storage) {
  if (info[i].IsNull()) return nullptr;
  if (!info[i].IsString()) ThrowType(info.Env(), fn, param, "of type string or null", info[i]);
  *storage = info[i].As<Napi::String>().Utf8Value();
  if (strlen(storage->c_str()) != storage->size()) {
    ThrowValue(info.Env(), fn, param, "must not contain NUL bytes", info[i]);
  }
  return storage->c_str();
}

// getaddrinfo(node, service, hints) -> [status, errno, entries]; each entry
// is [ai_flags, ai_family, ai_socktype, ai_protocol, ai_addr bytes,
// ai_canonname]. hints arrives as the bytes of a struct addrinfo; only its
// four int fields are read, as getaddrinfo(3) specifies.
Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string node_s, service_s;
  const char* node = ArgCString(info, 0, "getaddrinfo", "node", &node_s);
  const char* service = ArgCString(info, 1, "getaddrinfo", "service", &service_s);
  Bytes hints_b = ArgBytes(info, 2, "getaddrinfo", "hints", Nullable::kYes, Text::kNo, nullptr);
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  if (hints_b.present) {
    if (hints_b.length != sizeof(struct addrinfo)) ThrowType(env, "getaddrinfo", "hints", "an addrinfo", info[2]);
    struct addrinfo given;
    memcpy(&given, hints_b.data, sizeof(given));
    hints.ai_flags = given.ai_flags;
    hints.ai_family = given.ai_family;
    hints.ai_socktype = given.ai_socktype;
    hints.ai_protocol = given.ai_protocol;
  }
  struct addrinfo* res = nullptr;
  int status = getaddrinfo(node, service, hints_b.present ? &hints : nullptr, &res);
  int e = errno;
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, status));
  out.Set(1u, Napi::Number::New(env, status == EAI_SYSTEM ? e : 0));
  Napi::Array entries = Napi::Array::New(env);
  uint32_t n = 0;
  for (struct addrinfo* p = status == 0 ? res : nullptr; p != nullptr; p = p->ai_next) {
    Napi::Array entry = Napi::Array::New(env, 6);
    entry.Set(0u, Napi::Number::New(env, p->ai_flags));
    entry.Set(1u, Napi::Number::New(env, p->ai_family));
    entry.Set(2u, Napi::Number::New(env, p->ai_socktype));
    entry.Set(3u, Napi::Number::New(env, p->ai_protocol));
    entry.Set(4u, p->ai_addr != nullptr ? Napi::Value(Napi::Buffer<uint8_t>::Copy(
                                              env, reinterpret_cast<uint8_t*>(p->ai_addr), p->ai_addrlen))
                                        : env.Null());
    entry.Set(5u, p->ai_canonname != nullptr ? Napi::Value(Napi::String::New(env, p->ai_canonname)) : env.Null());
    entries.Set(n++, entry);
  }
  if (res != nullptr) freeaddrinfo(res);
  out.Set(2u, entries);
  return out;
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  int code = ArgInt(info, 0, "gai_strerror", "errcode");
  return Napi::String::New(info.Env(), gai_strerror(code));
}

// getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags) ->
// [status, errno]; host and serv are char buffers filled NUL-terminated.
Napi::Value Getnameinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes addr = ArgBytes(info, 0, "getnameinfo", "addr", Nullable::kNo, Text::kNo, nullptr);
  size_t addrlen = ArgLength(info, 1, "getnameinfo", "addrlen");
  CheckFits(env, "getnameinfo", "addrlen", addrlen, "addr", addr, info[1]);
  Bytes host = ArgBytes(info, 2, "getnameinfo", "host", Nullable::kYes, Text::kNo, nullptr);
  size_t hostlen = ArgLength(info, 3, "getnameinfo", "hostlen");
  CheckFits(env, "getnameinfo", "hostlen", hostlen, "host", host, info[3]);
  Bytes serv = ArgBytes(info, 4, "getnameinfo", "serv", Nullable::kYes, Text::kNo, nullptr);
  size_t servlen = ArgLength(info, 5, "getnameinfo", "servlen");
  CheckFits(env, "getnameinfo", "servlen", servlen, "serv", serv, info[5]);
  int flags = ArgInt(info, 6, "getnameinfo", "flags");
  int status = getnameinfo(reinterpret_cast<const sockaddr*>(addr.data), static_cast<socklen_t>(addrlen),
                           reinterpret_cast<char*>(host.data), static_cast<socklen_t>(hostlen),
                           reinterpret_cast<char*>(serv.data), static_cast<socklen_t>(servlen), flags);
  int e = errno;
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, status));
  out.Set(1u, Napi::Number::New(env, status == EAI_SYSTEM ? e : 0));
  return out;
}

}  // namespace

void InitResolver(Napi::Env env, Napi::Object exports) {
  AddFunction(env, exports, "getaddrinfo", Getaddrinfo);
  AddFunction(env, exports, "gai_strerror", GaiStrerror);
  AddFunction(env, exports, "getnameinfo", Getnameinfo);
}

}  // namespace bsdsock
