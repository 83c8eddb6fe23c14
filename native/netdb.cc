// The older netdb lookups: gethostbyname(3), gethostbyaddr(3), getservbyname(3),
// getservbyport(3), herror(3), hstrerror(3). The C library returns a pointer into
// storage it owns; each answer is copied into JavaScript values at once, so no
// C memory outlives the call.
//
// gethostbyname and friends keep their answer in static storage, shared by every
// thread of the process. The addon runs in any number of worker_threads and on
// the thread pool, so on glibc the reentrant *_r forms are used, each with a
// buffer of its own. h_errno is not kept here: each call reports the value it
// set, and the TypeScript side stores it per thread (lib/errno.ts), as it does
// errno.
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// The *_r forms report ERANGE when the answer does not fit the buffer given; the
// buffer then doubles, up to this (glibc's own gethostbyname grows its buffer the
// same way).
constexpr size_t kFirstBuffer = 1024;
constexpr size_t kLastBuffer = size_t{1} << 24;

#if !defined(__GLIBC__)
// Without the reentrant forms, the C library's static answer is shared by the
// whole process: one lock, process-wide on purpose, keeps two threads (Workers,
// the thread pool) from reading it while another overwrites it.
std::mutex& LegacyLock() {
  static std::mutex lock;
  return lock;
}
#endif

std::vector<std::string> CopyList(char** list) {
  std::vector<std::string> out;
  for (char** p = list; p != nullptr && *p != nullptr; p++) out.emplace_back(*p);
  return out;
}

// A struct hostent, copied while its memory is valid.
struct HostAnswer {
  bool found = false;
  std::string name;
  std::vector<std::string> aliases;
  int addrtype = 0;
  int length = 0;
  std::vector<std::vector<uint8_t>> addrs;
  int herr = 0;  // h_errno after a NULL answer
  int err = 0;   // errno, which matters when h_errno is NETDB_INTERNAL

  void Copy(const struct hostent* h) {
    found = true;
    name = h->h_name != nullptr ? h->h_name : "";
    aliases = CopyList(h->h_aliases);
    addrtype = h->h_addrtype;
    length = h->h_length;
    for (char** p = h->h_addr_list; p != nullptr && *p != nullptr; p++) {
      const uint8_t* a = reinterpret_cast<const uint8_t*>(*p);
      addrs.emplace_back(a, a + (length > 0 ? length : 0));
    }
  }
};

// The arguments of gethostbyname or gethostbyaddr, copied so the call can also
// run on the thread pool.
struct HostQuery {
  bool by_addr = false;
  std::string name;
  std::vector<uint8_t> addr;
  int type = 0;

  void ReadByName(const Napi::CallbackInfo& info) {
    ArgCString(info, 0, "gethostbyname", "name", Nullable::kNo, &name);
  }

  void ReadByAddr(const Napi::CallbackInfo& info) {
    const char* fn = "gethostbyaddr";
    Bytes b = ArgBytes(info, 0, fn, "addr", Nullable::kNo, Text::kNo, nullptr);
    size_t len = ArgLength(info, 1, fn, "len");
    CheckFits(info.Env(), fn, "len", len, "addr", b, info[1]);
    type = ArgInt(info, 2, fn, "type");
    by_addr = true;
    addr.assign(b.data, b.data + len);
  }

  HostAnswer Run() const {
    HostAnswer out;
#if defined(__GLIBC__)
    std::vector<char> buf(kFirstBuffer);
    struct hostent he;
    struct hostent* res = nullptr;
    for (;;) {
      int herr = 0;
      int r = by_addr ? gethostbyaddr_r(addr.data(), static_cast<socklen_t>(addr.size()), type, &he, buf.data(),
                                        buf.size(), &res, &herr)
                      : gethostbyname_r(name.c_str(), &he, buf.data(), buf.size(), &res, &herr);
      out.err = errno;
      if (r == ERANGE && herr == NETDB_INTERNAL && buf.size() < kLastBuffer) {
        buf.resize(buf.size() * 2);
        continue;
      }
      if (res != nullptr) {
        out.Copy(res);
      } else {
        out.herr = herr;
      }
      return out;
    }
#else
    std::lock_guard<std::mutex> guard(LegacyLock());
    struct hostent* res =
        by_addr ? gethostbyaddr(addr.data(), static_cast<socklen_t>(addr.size()), type) : gethostbyname(name.c_str());
    out.err = errno;
    if (res != nullptr) {
      out.Copy(res);
    } else {
      out.herr = h_errno;
    }
    return out;
#endif
  }
};

Napi::Array StringArray(Napi::Env env, const std::vector<std::string>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); i++) out.Set(i, Napi::String::New(env, list[i]));
  return out;
}

// [h_errno, errno, entry]; entry is null (C's NULL) or [h_name, h_aliases,
// h_addrtype, h_length, h_addr_list (Buffers)].
Napi::Array HostResult(Napi::Env env, const HostAnswer& a) {
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, a.found ? 0 : a.herr));
  out.Set(1u, Napi::Number::New(env, a.found ? 0 : a.err));
  if (!a.found) {
    out.Set(2u, env.Null());
    return out;
  }
  Napi::Array entry = Napi::Array::New(env, 5);
  entry.Set(0u, Napi::String::New(env, a.name));
  entry.Set(1u, StringArray(env, a.aliases));
  entry.Set(2u, Napi::Number::New(env, a.addrtype));
  entry.Set(3u, Napi::Number::New(env, a.length));
  Napi::Array addrs = Napi::Array::New(env, a.addrs.size());
  for (uint32_t i = 0; i < a.addrs.size(); i++) {
    addrs.Set(i, Napi::Buffer<uint8_t>::Copy(env, a.addrs[i].data(), a.addrs[i].size()));
  }
  entry.Set(4u, addrs);
  out.Set(2u, entry);
  return out;
}

// A struct servent, copied while its memory is valid.
struct ServAnswer {
  bool found = false;
  std::string name, proto;
  std::vector<std::string> aliases;
  int port = 0;

  void Copy(const struct servent* s) {
    found = true;
    name = s->s_name != nullptr ? s->s_name : "";
    aliases = CopyList(s->s_aliases);
    port = s->s_port;
    proto = s->s_proto != nullptr ? s->s_proto : "";
  }
};

// The arguments of getservbyname or getservbyport.
struct ServQuery {
  bool by_port = false;
  std::string name, proto;
  bool has_proto = false;
  int port = 0;

  void ReadByName(const Napi::CallbackInfo& info) {
    ArgCString(info, 0, "getservbyname", "name", Nullable::kNo, &name);
    has_proto = ArgCString(info, 1, "getservbyname", "proto", Nullable::kYes, &proto) != nullptr;
  }

  void ReadByPort(const Napi::CallbackInfo& info) {
    port = ArgInt(info, 0, "getservbyport", "port");
    has_proto = ArgCString(info, 1, "getservbyport", "proto", Nullable::kYes, &proto) != nullptr;
    by_port = true;
  }

  ServAnswer Run() const {
    ServAnswer out;
    const char* p = has_proto ? proto.c_str() : nullptr;
#if defined(__GLIBC__)
    std::vector<char> buf(kFirstBuffer);
    struct servent se;
    struct servent* res = nullptr;
    for (;;) {
      int r = by_port ? getservbyport_r(port, p, &se, buf.data(), buf.size(), &res)
                      : getservbyname_r(name.c_str(), p, &se, buf.data(), buf.size(), &res);
      if (r == ERANGE && buf.size() < kLastBuffer) {
        buf.resize(buf.size() * 2);
        continue;
      }
      if (res != nullptr) out.Copy(res);
      return out;
    }
#else
    std::lock_guard<std::mutex> guard(LegacyLock());
    struct servent* res = by_port ? getservbyport(port, p) : getservbyname(name.c_str(), p);
    if (res != nullptr) out.Copy(res);
    return out;
#endif
  }
};

// null (C's NULL) or [s_name, s_aliases, s_port, s_proto].
Napi::Value ServResult(Napi::Env env, const ServAnswer& a) {
  if (!a.found) return env.Null();
  Napi::Array entry = Napi::Array::New(env, 4);
  entry.Set(0u, Napi::String::New(env, a.name));
  entry.Set(1u, StringArray(env, a.aliases));
  entry.Set(2u, Napi::Number::New(env, a.port));
  entry.Set(3u, Napi::String::New(env, a.proto));
  return entry;
}

Napi::Value Gethostbyname(const Napi::CallbackInfo& info) {
  HostQuery q;
  q.ReadByName(info);
  return HostResult(info.Env(), q.Run());
}

Napi::Value Gethostbyaddr(const Napi::CallbackInfo& info) {
  HostQuery q;
  q.ReadByAddr(info);
  return HostResult(info.Env(), q.Run());
}

Napi::Value Getservbyname(const Napi::CallbackInfo& info) {
  ServQuery q;
  q.ReadByName(info);
  return ServResult(info.Env(), q.Run());
}

Napi::Value Getservbyport(const Napi::CallbackInfo& info) {
  ServQuery q;
  q.ReadByPort(info);
  return ServResult(info.Env(), q.Run());
}

// The lookups have no readiness form (the NSS modules may ask DNS, LDAP, ...), so
// bsdsock/promises runs them on the libuv thread pool, as it does getaddrinfo.
class HostWorker : public Napi::AsyncWorker {
 public:
  HostWorker(Napi::Function callback, HostQuery query)
      : Napi::AsyncWorker(callback, "bsdsock:gethostby"), query_(std::move(query)) {}
  void Execute() override { answer_ = query_.Run(); }
  void OnOK() override { Callback().Call({HostResult(Env(), answer_)}); }

 private:
  HostQuery query_;
  HostAnswer answer_;
};

class ServWorker : public Napi::AsyncWorker {
 public:
  ServWorker(Napi::Function callback, ServQuery query)
      : Napi::AsyncWorker(callback, "bsdsock:getservby"), query_(std::move(query)) {}
  void Execute() override { answer_ = query_.Run(); }
  void OnOK() override { Callback().Call({ServResult(Env(), answer_)}); }

 private:
  ServQuery query_;
  ServAnswer answer_;
};

Napi::Function ArgCallback(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (!info[i].IsFunction()) ThrowType(info.Env(), fn, "callback", "a function", info[i]);
  return info[i].As<Napi::Function>();
}

Napi::Value GethostbynameAsync(const Napi::CallbackInfo& info) {
  HostQuery q;
  q.ReadByName(info);
  (new HostWorker(ArgCallback(info, 1, "gethostbyname"), std::move(q)))->Queue();
  return info.Env().Undefined();
}

Napi::Value GethostbyaddrAsync(const Napi::CallbackInfo& info) {
  HostQuery q;
  q.ReadByAddr(info);
  (new HostWorker(ArgCallback(info, 3, "gethostbyaddr"), std::move(q)))->Queue();
  return info.Env().Undefined();
}

Napi::Value GetservbynameAsync(const Napi::CallbackInfo& info) {
  ServQuery q;
  q.ReadByName(info);
  (new ServWorker(ArgCallback(info, 2, "getservbyname"), std::move(q)))->Queue();
  return info.Env().Undefined();
}

Napi::Value GetservbyportAsync(const Napi::CallbackInfo& info) {
  ServQuery q;
  q.ReadByPort(info);
  (new ServWorker(ArgCallback(info, 2, "getservbyport"), std::move(q)))->Queue();
  return info.Env().Undefined();
}

// herror(3) writes through the C library's own stderr, with the calling
// thread's h_errno placed where the C library reads it.
Napi::Value Herror(const Napi::CallbackInfo& info) {
  std::string storage;
  const char* s = ArgCString(info, 0, "herror", "s", Nullable::kYes, &storage);
  int herr = ArgInt(info, 1, "herror", "h_errno");
  h_errno = herr;
  herror(s);
  fflush(stderr);
  return info.Env().Undefined();
}

Napi::Value Hstrerror(const Napi::CallbackInfo& info) {
  int err = ArgInt(info, 0, "hstrerror", "err");
  return Napi::String::New(info.Env(), hstrerror(err));
}

}  // namespace

void InitNetdb(Napi::Env env, Napi::Object exports) {
  AddFunction(env, exports, "gethostbyname", Gethostbyname);
  AddFunction(env, exports, "gethostbyaddr", Gethostbyaddr);
  AddFunction(env, exports, "getservbyname", Getservbyname);
  AddFunction(env, exports, "getservbyport", Getservbyport);
  AddFunction(env, exports, "gethostbynameAsync", GethostbynameAsync);
  AddFunction(env, exports, "gethostbyaddrAsync", GethostbyaddrAsync);
  AddFunction(env, exports, "getservbynameAsync", GetservbynameAsync);
  AddFunction(env, exports, "getservbyportAsync", GetservbyportAsync);
  AddFunction(env, exports, "herror", Herror);
  AddFunction(env, exports, "hstrerror", Hstrerror);
}

}  // namespace bsdsock
