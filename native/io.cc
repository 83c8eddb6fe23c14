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

struct Data {
  Bytes bytes;
  size_t len;
};

// A (buf, len) pair: len may not exceed what buf holds. read(2) and write(2)
// call the length `count`.
Data ArgData(const Napi::CallbackInfo& info, size_t i, const char* fn, Text text, std::string* storage,
             const char* len_param = "len") {
  Bytes b = ArgBytes(info, i, fn, "buf", Nullable::kNo, text, storage);
  size_t len = ArgLength(info, i + 1, fn, len_param);
  CheckFits(info.Env(), fn, len_param, len, "buf", b, info[i + 1]);
  return Data{b, len};
}

// read(2) and write(2) work on any descriptor, as in C: a socket, a pipe, a file.
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "read", "fd");
  Data d = ArgData(info, 1, "read", Text::kNo, nullptr, "count");
  BSDSOCK_VALIDATE_ONLY(info, 3);
  BSDSOCK_SYSCALL(info.Env(), read(fd, d.bytes.data, d.len));
}

Napi::Value Write(const Napi::CallbackInfo& info) {
  std::string storage;
  int fd = ArgInt(info, 0, "write", "fd");
  Data d = ArgData(info, 1, "write", Text::kYes, &storage, "count");
  BSDSOCK_VALIDATE_ONLY(info, 3);
  BSDSOCK_SYSCALL(info.Env(), write(fd, d.bytes.data, d.len));
}

Napi::Value Send(const Napi::CallbackInfo& info) {
  std::string storage;
  int fd = ArgInt(info, 0, "send", "sockfd");
  Data d = ArgData(info, 1, "send", Text::kYes, &storage);
  int flags = ArgInt(info, 3, "send", "flags");
  BSDSOCK_VALIDATE_ONLY(info, 4);
  BSDSOCK_SYSCALL(info.Env(), send(fd, d.bytes.data, d.len, flags));
}

Napi::Value Recv(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0, "recv", "sockfd");
  Data d = ArgData(info, 1, "recv", Text::kNo, nullptr);
  int flags = ArgInt(info, 3, "recv", "flags");
  BSDSOCK_VALIDATE_ONLY(info, 4);
  BSDSOCK_SYSCALL(info.Env(), recv(fd, d.bytes.data, d.len, flags));
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

  if (!info[3].IsArray()) ThrowType(env, fn, "msg.msg_iov", "an array of iovec", info[3]);
  Napi::Array flat = info[3].As<Napi::Array>();
  size_t iovlen = static_cast<size_t>(m->hdr.msg_iovlen);
  if (iovlen > flat.Length() / 2) {
    ThrowRange(env, fn, "msg.msg_iovlen",
               "<= " + std::to_string(flat.Length() / 2) + " (the number of iovecs in msg_iov)",
               Napi::Number::New(env, static_cast<double>(iovlen)));
  }
  m->iov.resize(iovlen);
  for (size_t k = 0; k < iovlen; k++) {
    Napi::Value base = flat.Get(static_cast<uint32_t>(2 * k));
    Napi::Value len = flat.Get(static_cast<uint32_t>(2 * k + 1));
    Bytes b = ValueBytes(env, base, fn, "msg.msg_iov[].iov_base", Nullable::kNo, Text::kNo, nullptr);
    if (!len.IsNumber()) ThrowType(env, fn, "msg.msg_iov[].iov_len", "of type number", len);
    double l = len.As<Napi::Number>().DoubleValue();
    if (!(l >= 0) || l > static_cast<double>(b.length) || l != static_cast<double>(static_cast<size_t>(l))) {
      ThrowRange(env, fn, "msg.msg_iov[].iov_len",
                 "an integer >= 0 and <= " + std::to_string(b.length) + " (the size of its iov_base)", len);
    }
    m->iov[k].iov_base = b.data;
    m->iov[k].iov_len = static_cast<size_t>(l);
  }
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
  AddFunction(env, exports, "send", Send);
  AddFunction(env, exports, "recv", Recv);
  AddFunction(env, exports, "sendto", Sendto);
  AddFunction(env, exports, "recvfrom", Recvfrom);
  AddFunction(env, exports, "sendmsg", Sendmsg);
  AddFunction(env, exports, "recvmsg", Recvmsg);
  AddFunction(env, exports, "read", Read);
  AddFunction(env, exports, "write", Write);
  AddFunction(env, exports, "CMSG_SPACE", CmsgSpace);
  AddFunction(env, exports, "CMSG_LEN", CmsgLen);
  AddFunction(env, exports, "cmsgNext", CmsgNext);
  exports.Set("CMSG_DATA_OFFSET", Napi::Number::New(env, static_cast<double>(CMSG_LEN(0))));
}

}  // namespace bsdsock
