// Data transfer: send(2), recv(2), sendto(2), recvfrom(2), sendmsg(2),
// recvmsg(2), read(2), write(2), and the cmsg(3) macros that walk a control
// buffer.
// Data moves straight between the kernel and the caller's buffer: no copy,
// except for a string, whose UTF-8 bytes are made once for the call.
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

// A (buf, len) pair at arguments i and i + 1: len may not exceed what buf holds. read(2) and write(2)
// call the length `count`.
Data ArgData(const Napi::CallbackInfo& info, size_t i, const char* fn, Text text, std::string* storage,
             const char* len_param = "len") {
  return ValueData(info.Env(), info[i], info[i + 1], fn, text, storage, len_param);
}

// send, recv, read and write are hot calls (args.h).

// read(2) and write(2) work on any descriptor, as in C: a socket, a pipe, a file.
napi_value Read(napi_env env, const Argv<4>& a) {
  int fd = ValueInt(env, a.v[0], "read", "fd");
  Data d = ValueData(env, a.v[1], a.v[2], "read", Text::kNo, nullptr, "count");
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 3);
  BSDSOCK_SYSCALL(env, read(fd, d.bytes.data, d.len));
}

napi_value Write(napi_env env, const Argv<4>& a) {
  std::string storage;
  int fd = ValueInt(env, a.v[0], "write", "fd");
  Data d = ValueData(env, a.v[1], a.v[2], "write", Text::kYes, &storage, "count");
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 3);
  BSDSOCK_SYSCALL(env, write(fd, d.bytes.data, d.len));
}

napi_value Send(napi_env env, const Argv<5>& a) {
  std::string storage;
  int fd = ValueInt(env, a.v[0], "send", "sockfd");
  Data d = ValueData(env, a.v[1], a.v[2], "send", Text::kYes, &storage, "len");
  int flags = ValueInt(env, a.v[3], "send", "flags");
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 4);
  BSDSOCK_SYSCALL(env, send(fd, d.bytes.data, d.len, flags));
}

napi_value Recv(napi_env env, const Argv<5>& a) {
  int fd = ValueInt(env, a.v[0], "recv", "sockfd");
  Data d = ValueData(env, a.v[1], a.v[2], "recv", Text::kNo, nullptr, "len");
  int flags = ValueInt(env, a.v[3], "recv", "flags");
  BSDSOCK_HOT_VALIDATE_ONLY(env, a, 4);
  BSDSOCK_SYSCALL(env, recv(fd, d.bytes.data, d.len, flags));
}

Napi::Value Sendto(const Napi::CallbackInfo& info) {
  std::string storage;
  int fd = ArgInt(info, 0, "sendto", "sockfd");
  Data d = ArgData(info, 1, "sendto", Text::kYes, &storage);
  int flags = ArgInt(info, 3, "sendto", "flags");
  SockaddrIn dest = ArgSockaddr(info, 4, "sendto", "dest_addr", Nullable::kYes);
  BSDSOCK_VALIDATE_ONLY(info, 6);
  BSDSOCK_SYSCALL(info.Env(), sendto(fd, d.bytes.data, d.len, flags, dest.addr, dest.len));
}

Napi::Value Recvfrom(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "recvfrom", "sockfd");
  Data d = ArgData(info, 1, "recvfrom", Text::kNo, nullptr);
  int flags = ArgInt(info, 3, "recvfrom", "flags");
  SockaddrOut src = ArgSockaddrOut(info, 4, "recvfrom", "src_addr", Nullable::kYes);
  BSDSOCK_VALIDATE_ONLY(info, 6);
  BSDSOCK_SYSCALL(info.Env(), recvfrom(fd, d.bytes.data, d.len, flags, src.addr, src.len));
}

// The msghdr arrives as its own bytes (the platform's struct msghdr, pointer
// fields zero) plus what the pointers would point at: the name, a flat array
// [base0, len0, base1, len1, ...] of the iovecs, and the control buffer.
// Lengths are checked against each buffer; the call runs on a local copy
// whose pointers are filled in; the scalar fields the kernel updates are
// copied back.
struct Message {
  struct msghdr hdr;
  uint8_t* hdr_bytes;
  std::vector<struct iovec> iov;
};

// count iovecs from a flat array [base0, len0, base1, len1, ...] (argument i):
// each len must fit its base. `param` names the array (msg.msg_iov, iov),
// `count_param` the count (msg.msg_iovlen, iovcnt).
void ArgIovecs(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, const char* count_param,
               size_t count, std::vector<struct iovec>* out) {
  Napi::Env env = info.Env();
  const std::string p(param);
  if (!info[i].IsArray()) ThrowType(env, fn, param, "an array of iovec", info[i]);
  Napi::Array flat = info[i].As<Napi::Array>();
  if (count > flat.Length() / 2) {
    ThrowRange(env, fn, count_param, "<= " + std::to_string(flat.Length() / 2) + " (the number of iovecs in " + p + ")",
               Napi::Number::New(env, static_cast<double>(count)));
  }
  out->resize(count);
  const std::string base_param = p + "[].iov_base", len_param = p + "[].iov_len";
  for (size_t k = 0; k < count; k++) {
    Napi::Value base = flat.Get(static_cast<uint32_t>(2 * k));
    Napi::Value len = flat.Get(static_cast<uint32_t>(2 * k + 1));
    Bytes b = ValueBytes(env, base, fn, base_param.c_str(), Nullable::kNo, Text::kNo, nullptr);
    if (!len.IsNumber()) ThrowType(env, fn, len_param.c_str(), "of type number", len);
    double l = len.As<Napi::Number>().DoubleValue();
    if (!(l >= 0) || l > static_cast<double>(b.length) || l != static_cast<double>(static_cast<size_t>(l))) {
      ThrowRange(env, fn, len_param.c_str(),
                 "an integer >= 0 and <= " + std::to_string(b.length) + " (the size of its iov_base)", len);
    }
    (*out)[k].iov_base = b.data;
    (*out)[k].iov_len = static_cast<size_t>(l);
  }
}

// readv(2) and writev(2): readv(fd, iov, iovcnt) with iov flat as above.
template <ssize_t (*Call)(int, const struct iovec*, int), const char* Name>
Napi::Value Vector(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, Name, "fd");
  auto iovcnt = static_cast<size_t>(ArgInteger(info, 2, Name, "iovcnt", 0, INT_MAX));
  std::vector<struct iovec> iov;
  ArgIovecs(info, 1, Name, "iov", "iovcnt", iovcnt, &iov);
  BSDSOCK_VALIDATE_ONLY(info, 3);
  BSDSOCK_SYSCALL(info.Env(), Call(fd, iov.data(), static_cast<int>(iovcnt)));
}
constexpr char kReadv[] = "readv";
constexpr char kWritev[] = "writev";

void ArgMessage(const Napi::CallbackInfo& info, const char* fn, Message* m) {
  Napi::Env env = info.Env();
  Bytes hdr = ArgBytes(info, 1, fn, "msg", Nullable::kNo, Text::kNo, nullptr);
  if (hdr.length != sizeof(struct msghdr)) ThrowType(env, fn, "msg", "a msghdr", info[1]);
  memcpy(&m->hdr, hdr.data, sizeof(struct msghdr));
  m->hdr_bytes = hdr.data;

  Bytes name = ArgBytes(info, 2, fn, "msg.msg_name", Nullable::kYes, Text::kNo, nullptr);
  if (m->hdr.msg_namelen > name.length) {
    ThrowRange(env, fn, "msg.msg_namelen", "<= " + std::to_string(name.length) + " (the size of msg_name)",
               Napi::Number::New(env, m->hdr.msg_namelen));
  }
  m->hdr.msg_name = name.data;

  size_t iovlen = static_cast<size_t>(m->hdr.msg_iovlen);
  ArgIovecs(info, 3, fn, "msg.msg_iov", "msg.msg_iovlen", iovlen, &m->iov);
  m->hdr.msg_iov = iovlen > 0 ? m->iov.data() : nullptr;

  Bytes control = ArgBytes(info, 4, fn, "msg.msg_control", Nullable::kYes, Text::kNo, nullptr);
  if (static_cast<size_t>(m->hdr.msg_controllen) > control.length) {
    ThrowRange(env, fn, "msg.msg_controllen", "<= " + std::to_string(control.length) + " (the size of msg_control)",
               Napi::Number::New(env, static_cast<double>(m->hdr.msg_controllen)));
  }
  m->hdr.msg_control = control.data;
}

// Copies back what the kernel may have changed, leaving the pointer fields
// of the JavaScript-visible bytes zero.
void StoreMessage(const Message& m) {
  struct msghdr out = m.hdr;
  out.msg_name = nullptr;
  out.msg_iov = nullptr;
  out.msg_control = nullptr;
  memcpy(m.hdr_bytes, &out, sizeof(out));
}

Napi::Value Sendmsg(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "sendmsg", "sockfd");
  Message m;
  ArgMessage(info, "sendmsg", &m);
  int flags = ArgInt(info, 5, "sendmsg", "flags");
  BSDSOCK_VALIDATE_ONLY(info, 6);
  BSDSOCK_SYSCALL(info.Env(), sendmsg(fd, &m.hdr, flags));
}

Napi::Value Recvmsg(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "recvmsg", "sockfd");
  Message m;
  ArgMessage(info, "recvmsg", &m);
  int flags = ArgInt(info, 5, "recvmsg", "flags");
  BSDSOCK_VALIDATE_ONLY(info, 6);
  // The kernel writes at most msg_namelen bytes of the sender's address but
  // sets msg_namelen to its full length, which may be more than the caller's
  // buffer. It receives into a local sockaddr_storage (large enough for any
  // address), and only what the caller's buffer holds is copied out; the
  // length the caller sees is the kernel's, as in C. (Found by the fuzzer
  // under ASan, whose recvmsg interceptor trusts the returned length.)
  uint8_t* user_name = static_cast<uint8_t*>(m.hdr.msg_name);
  socklen_t user_namelen = m.hdr.msg_namelen;
  struct sockaddr_storage name;
  if (user_name != nullptr) {
    m.hdr.msg_name = &name;
    m.hdr.msg_namelen = user_namelen < sizeof(name) ? user_namelen : static_cast<socklen_t>(sizeof(name));
  }
  ssize_t r = recvmsg(fd, &m.hdr, flags);
  int e = errno;
  if (user_name != nullptr) {
    if (r >= 0) {
      socklen_t filled = m.hdr.msg_namelen < user_namelen ? m.hdr.msg_namelen : user_namelen;
      if (filled > sizeof(name)) filled = sizeof(name);
      memcpy(user_name, &name, filled);
    }
    m.hdr.msg_name = user_name;
  }
  if (r >= 0) StoreMessage(m);
  return Result(info.Env(), r, e);
}

Napi::Value CmsgSpace(const Napi::CallbackInfo& info) {
  size_t len = ArgLength(info, 0, "CMSG_SPACE", "length");
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_SPACE(len)));
}

Napi::Value CmsgLen(const Napi::CallbackInfo& info) {
  size_t len = ArgLength(info, 0, "CMSG_LEN", "length");
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_LEN(len)));
}

// CMSG_FIRSTHDR / CMSG_NXTHDR over (control, controllen): the offset of the
// first or next header, or -1. The C macros run on a copy of the caller's
// first controllen bytes; controllen bounds every read they make.
Napi::Value CmsgNext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes control = ArgBytes(info, 0, "CMSG_NXTHDR", "msg_control", Nullable::kYes, Text::kNo, nullptr);
  size_t controllen = ArgLength(info, 1, "CMSG_NXTHDR", "msg_controllen");
  CheckFits(env, "CMSG_NXTHDR", "msg_controllen", controllen, "msg_control", control, info[1]);
  int64_t offset = ArgInteger(info, 2, "CMSG_NXTHDR", "offset", -1, INT_MAX);
  // The macros read cmsg_len through a struct cmsghdr pointer, which must be
  // aligned; a JavaScript buffer may start at any byte (UBSan: "member
  // access within misaligned address"). They walk an aligned copy instead.
  std::vector<struct cmsghdr> aligned((controllen + sizeof(struct cmsghdr) - 1) / sizeof(struct cmsghdr) + 1);
  uint8_t* base = reinterpret_cast<uint8_t*>(aligned.data());
  if (controllen > 0) memcpy(base, control.data, controllen);
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_control = base;
  m.msg_controllen = controllen;
  struct cmsghdr* c;
  if (offset < 0) {
    c = CMSG_FIRSTHDR(&m);
  } else {
    if (static_cast<size_t>(offset) + sizeof(struct cmsghdr) > controllen) return Napi::Number::New(env, -1);
    if (static_cast<size_t>(offset) % alignof(struct cmsghdr) != 0) return Napi::Number::New(env, -1);
    c = CMSG_NXTHDR(&m, reinterpret_cast<struct cmsghdr*>(base + offset));
  }
  if (c == nullptr) return Napi::Number::New(env, -1);
  size_t at = static_cast<size_t>(reinterpret_cast<uint8_t*>(c) - base);
  if (at + sizeof(struct cmsghdr) > controllen) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, static_cast<double>(at));
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  AddHotFunction(env, exports, "send", Hot<5, Send>);
  AddHotFunction(env, exports, "recv", Hot<5, Recv>);
  AddFunction(env, exports, "sendto", Sendto);
  AddFunction(env, exports, "recvfrom", Recvfrom);
  AddFunction(env, exports, "sendmsg", Sendmsg);
  AddFunction(env, exports, "recvmsg", Recvmsg);
  AddHotFunction(env, exports, "read", Hot<4, Read>);
  AddFunction(env, exports, "readv", Vector<readv, kReadv>);
  AddFunction(env, exports, "writev", Vector<writev, kWritev>);
  AddHotFunction(env, exports, "write", Hot<4, Write>);
  AddFunction(env, exports, "CMSG_SPACE", CmsgSpace);
  AddFunction(env, exports, "CMSG_LEN", CmsgLen);
  AddFunction(env, exports, "cmsgNext", CmsgNext);
  exports.Set("CMSG_DATA_OFFSET", Napi::Number::New(env, static_cast<double>(CMSG_LEN(0))));
}

}  // namespace bsdsock
