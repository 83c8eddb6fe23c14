// Name resolution: getaddrinfo(3), freeaddrinfo(3), gai_strerror(3),
// getnameinfo(3). The C list is copied into JavaScript values and freed
// before returning, so no C memory outlives the call.
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>
#include <vector>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// The arguments of getaddrinfo, copied so the call can also run on the
// thread pool. hints arrives as the bytes of a struct addrinfo; only its
// four int fields are read, as getaddrinfo(3) specifies.
struct AddrinfoQuery {
  std::string node_s, service_s;
  bool has_node = false, has_service = false, has_hints = false;
  struct addrinfo hints;

  void Read(const Napi::CallbackInfo& info, const char* fn) {
    has_node = ArgCString(info, 0, fn, "node", Nullable::kYes, &node_s) != nullptr;
    has_service = ArgCString(info, 1, fn, "service", Nullable::kYes, &service_s) != nullptr;
    Bytes hints_b = ArgBytes(info, 2, fn, "hints", Nullable::kYes, Text::kNo, nullptr);
    memset(&hints, 0, sizeof(hints));
    has_hints = hints_b.present;
    if (has_hints) {
      if (hints_b.length != sizeof(struct addrinfo)) ThrowType(info.Env(), fn, "hints", "an addrinfo", info[2]);
      struct addrinfo given;
      memcpy(&given, hints_b.data, sizeof(given));
      hints.ai_flags = given.ai_flags;
      hints.ai_family = given.ai_family;
      hints.ai_socktype = given.ai_socktype;
      hints.ai_protocol = given.ai_protocol;
    }
  }

  int Run(struct addrinfo** res, int* e) const {
    int status = getaddrinfo(has_node ? node_s.c_str() : nullptr, has_service ? service_s.c_str() : nullptr,
                             has_hints ? &hints : nullptr, res);
    *e = errno;
    return status;
  }
};

// [status, errno, entries]; each entry is [ai_flags, ai_family,
// ai_socktype, ai_protocol, ai_addr bytes, ai_canonname]. Frees res.
Napi::Array AddrinfoResult(Napi::Env env, int status, int e, struct addrinfo* res) {
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

Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  AddrinfoQuery q;
  q.Read(info, "getaddrinfo");
  struct addrinfo* res = nullptr;
  int e = 0;
  int status = q.Run(&res, &e);
  return AddrinfoResult(info.Env(), status, e, res);
}

// The resolver has no readiness form, so bsdsock/promises runs it on the
// libuv thread pool: the only pool use in the package.
class AddrinfoWorker : public Napi::AsyncWorker {
 public:
  AddrinfoWorker(Napi::Function callback, AddrinfoQuery query)
      : Napi::AsyncWorker(callback, "bsdsock:getaddrinfo"), query_(std::move(query)) {}
  ~AddrinfoWorker() override {
    if (res_ != nullptr) freeaddrinfo(res_);
  }
  void Execute() override { status_ = query_.Run(&res_, &errno_); }
  void OnOK() override {
    Napi::Env env = Env();
    struct addrinfo* res = res_;
    res_ = nullptr;
    Callback().Call({AddrinfoResult(env, status_, errno_, res)});
  }

 private:
  AddrinfoQuery query_;
  struct addrinfo* res_ = nullptr;
  int status_ = 0;
  int errno_ = 0;
};

Napi::Value GetaddrinfoAsync(const Napi::CallbackInfo& info) {
  AddrinfoQuery q;
  q.Read(info, "getaddrinfo");
  if (!info[3].IsFunction()) ThrowType(info.Env(), "getaddrinfo", "callback", "a function", info[3]);
  (new AddrinfoWorker(info[3].As<Napi::Function>(), std::move(q)))->Queue();
  return info.Env().Undefined();
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  int code = ArgInt(info, 0, "gai_strerror", "errcode");
  return Napi::String::New(info.Env(), gai_strerror(code));
}

// getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags) ->
// [status, errno]; host and serv are char buffers filled NUL-terminated.
// The query copies the address and owns result buffers, so the call can
// also run on the thread pool; the caller's buffers are written on the
// JavaScript thread.
struct NameinfoQuery {
  std::vector<uint8_t> addr;
  std::vector<char> host, serv;
  bool want_host = false, want_serv = false;
  int flags = 0;
  Bytes host_out{nullptr, 0, false}, serv_out{nullptr, 0, false};

  void Read(const Napi::CallbackInfo& info, const char* fn) {
    Napi::Env env = info.Env();
    SockaddrIn a = ArgSockaddr(info, 0, fn, "addr", Nullable::kNo);
    host_out = ArgBytes(info, 2, fn, "host", Nullable::kYes, Text::kNo, nullptr);
    size_t hostlen = ArgLength(info, 3, fn, "hostlen");
    CheckFits(env, fn, "hostlen", hostlen, "host", host_out, info[3]);
    serv_out = ArgBytes(info, 4, fn, "serv", Nullable::kYes, Text::kNo, nullptr);
    size_t servlen = ArgLength(info, 5, fn, "servlen");
    CheckFits(env, fn, "servlen", servlen, "serv", serv_out, info[5]);
    flags = ArgInt(info, 6, fn, "flags");
    addr.assign(reinterpret_cast<const uint8_t*>(a.addr), reinterpret_cast<const uint8_t*>(a.addr) + a.len);
    want_host = host_out.present;
    want_serv = serv_out.present;
    host.assign(hostlen, 0);
    serv.assign(servlen, 0);
  }

  int Run(int* e) {
    int status = getnameinfo(reinterpret_cast<const sockaddr*>(addr.data()), static_cast<socklen_t>(addr.size()),
                             want_host ? host.data() : nullptr, static_cast<socklen_t>(host.size()),
                             want_serv ? serv.data() : nullptr, static_cast<socklen_t>(serv.size()), flags);
    *e = errno;
    return status;
  }

  // Copies the results into the caller's buffers (as many bytes as it gave).
  void Store(uint8_t* host_data, uint8_t* serv_data) const {
    if (want_host && host_data != nullptr && !host.empty()) memcpy(host_data, host.data(), host.size());
    if (want_serv && serv_data != nullptr && !serv.empty()) memcpy(serv_data, serv.data(), serv.size());
  }
};

Napi::Array NameinfoResult(Napi::Env env, int status, int e) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, status));
  out.Set(1u, Napi::Number::New(env, status == EAI_SYSTEM ? e : 0));
  return out;
}

Napi::Value Getnameinfo(const Napi::CallbackInfo& info) {
  NameinfoQuery q;
  q.Read(info, "getnameinfo");
  int e = 0;
  int status = q.Run(&e);
  if (status == 0) q.Store(q.host_out.data, q.serv_out.data);
  return NameinfoResult(info.Env(), status, e);
}

class NameinfoWorker : public Napi::AsyncWorker {
 public:
  NameinfoWorker(Napi::Function callback, NameinfoQuery query, Napi::Value host, Napi::Value serv)
      : Napi::AsyncWorker(callback, "bsdsock:getnameinfo"), query_(std::move(query)) {
    // The caller's buffers stay alive until the result is written into them.
    buffers_ = Napi::Persistent(Napi::Object::New(callback.Env()));
    buffers_.Set("host", host);
    buffers_.Set("serv", serv);
  }
  void Execute() override { status_ = query_.Run(&errno_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array result = NameinfoResult(env, status_, errno_);
    if (status_ == 0) {
      // Re-read the buffers: one may have been detached or shrunk while the
      // pool worked. Then nothing is written and the third slot carries the
      // error the argument check throws, for the promise to reject with: a
      // throw here would be an uncaught exception.
      try {
        std::string ignored;
        Napi::Value host_v = buffers_.Get("host");
        Napi::Value serv_v = buffers_.Get("serv");
        Bytes host = ValueBytes(env, host_v, "getnameinfo", "host", Nullable::kYes, Text::kNo, &ignored);
        Bytes serv = ValueBytes(env, serv_v, "getnameinfo", "serv", Nullable::kYes, Text::kNo, &ignored);
        CheckFits(env, "getnameinfo", "hostlen", query_.host.size(), "host", host, host_v);
        CheckFits(env, "getnameinfo", "servlen", query_.serv.size(), "serv", serv, serv_v);
        query_.Store(host.data, serv.data);
      } catch (const Napi::Error& error) {
        result.Set(2u, error.Value());
      }
    }
    Callback().Call({result});
  }

 private:
  NameinfoQuery query_;
  Napi::ObjectReference buffers_;
  int status_ = 0;
  int errno_ = 0;
};

Napi::Value GetnameinfoAsync(const Napi::CallbackInfo& info) {
  NameinfoQuery q;
  q.Read(info, "getnameinfo");
  BSDSOCK_VALIDATE_ONLY(info, 8);
  if (!info[7].IsFunction()) ThrowType(info.Env(), "getnameinfo", "callback", "a function", info[7]);
  (new NameinfoWorker(info[7].As<Napi::Function>(), std::move(q), info[2], info[4]))->Queue();
  return info.Env().Undefined();
}

}  // namespace

void InitResolver(Napi::Env env, Napi::Object exports) {
  AddFunction(env, exports, "getaddrinfo", Getaddrinfo);
  AddFunction(env, exports, "gai_strerror", GaiStrerror);
  AddFunction(env, exports, "getnameinfo", Getnameinfo);
  AddFunction(env, exports, "getaddrinfoAsync", GetaddrinfoAsync);
  AddFunction(env, exports, "getnameinfoAsync", GetnameinfoAsync);
}

}  // namespace bsdsock
