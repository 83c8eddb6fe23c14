// Validation helpers: the messages follow Node's own ERR_INVALID_ARG_TYPE and
// ERR_OUT_OF_RANGE forms, prefixed with the C function's name.
#include "args.h"

#include <sys/socket.h>

#include <cmath>
#include <cstring>
#include <string>

namespace bsdsock {
namespace {

// What a value's String() is, for numbers and bigints (a shortest round trip, as JavaScript prints it).
std::string AsText(napi_env env, napi_value v) {
  napi_value text;
  size_t length = 0;
  if (napi_coerce_to_string(env, v, &text) != napi_ok ||
      napi_get_value_string_utf8(env, text, nullptr, 0, &length) != napi_ok) {
    return "?";
  }
  std::string out(length + 1, '\0');
  napi_get_value_string_utf8(env, text, &out[0], out.size(), &length);
  out.resize(length);
  return out;
}

// `value.constructor.name`, read with the raw N-API calls so that a hostile object (a Proxy, a
// throwing getter) leaves no exception behind: the error being made must not become another.
std::string ConstructorName(napi_env env, napi_value object) {
  napi_value ctor, name;
  bool ok = napi_get_named_property(env, object, "constructor", &ctor) == napi_ok;
  napi_valuetype type = napi_undefined;
  ok = ok && napi_typeof(env, ctor, &type) == napi_ok && type == napi_function;
  ok = ok && napi_get_named_property(env, ctor, "name", &name) == napi_ok;
  ok = ok && napi_typeof(env, name, &type) == napi_ok && type == napi_string;
  std::string out;
  if (ok) {
    size_t length = 0;
    napi_get_value_string_utf8(env, name, nullptr, 0, &length);
    out.assign(length + 1, '\0');
    napi_get_value_string_utf8(env, name, &out[0], out.size(), &length);
    out.resize(length);
  }
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  return out.empty() ? "Object" : out;
}

// Word for word what lib/errors.ts's describe() writes, so an error reads the same whichever side
// found it.
std::string Describe(Napi::Value v) {
  napi_env env = v.Env();
  switch (v.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return std::string("type boolean (") + (v.As<Napi::Boolean>().Value() ? "true" : "false") + ")";
    case napi_number:
      return AsText(env, v);
    case napi_string: {
      // Cut by UTF-16 units, as String.prototype.slice cuts.
      std::u16string s = v.As<Napi::String>().Utf16Value();
      if (s.size() > 28) s = s.substr(0, 25) + u"...";
      return "type string ('" + Napi::String::New(env, s).Utf8Value() + "')";
    }
    case napi_symbol:
      return "type symbol";
    case napi_bigint:
      return "type bigint (" + AsText(env, v) + "n)";
    case napi_function:
      return "function";
    case napi_object:
      if (v.IsArray()) return "an instance of Array";
      return "an instance of " + ConstructorName(env, v);
    default:
      return "a value";
  }
}

size_t ElementBytes(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

[[noreturn]] void Throw(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

}  // namespace

void ThrowType(Napi::Env env, const char* fn, const char* param, const char* expected, Napi::Value got) {
  std::string msg =
      std::string(fn) + "(): The \"" + param + "\" argument must be " + expected + ". Received " + Describe(got);
  Throw(Napi::TypeError::New(env, msg), "ERR_INVALID_ARG_TYPE");
}

void ThrowRange(Napi::Env env, const char* fn, const char* param, const std::string& must, Napi::Value got) {
  std::string msg = std::string(fn) + "(): The value of \"" + param + "\" is out of range. It must be " + must +
                    ". Received " + Describe(got);
  Throw(Napi::RangeError::New(env, msg), "ERR_OUT_OF_RANGE");
}

void ThrowValue(Napi::Env env, const char* fn, const char* param, const std::string& reason, Napi::Value got) {
  std::string msg = std::string(fn) + "(): The argument '" + param + "' " + reason + ". Received " + Describe(got);
  Throw(Napi::TypeError::New(env, msg), "ERR_INVALID_ARG_VALUE");
}

void ThrowInteger(napi_env env, napi_value v, const char* fn, const char* param, int64_t min, int64_t max) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, v, &type);
  if (type != napi_number) ThrowType(env, fn, param, "of type number", Napi::Value(env, v));
  ThrowRange(env, fn, param, "an integer >= " + std::to_string(min) + " and <= " + std::to_string(max),
             Napi::Value(env, v));
}

Bytes ValueBytes(Napi::Env env, napi_value v, const char* fn, const char* param, Nullable nullable, Text text,
                 std::string* storage) {
  bool is = false;
  napi_value arraybuffer = nullptr;
  void* data = nullptr;
  size_t length = 0;
  // Buffers and other typed arrays are the common case: test for them before
  // anything else, and ask only for what is needed. Where null is allowed it
  // is the common case (accept's addr and addrlen), and is tested first.
  napi_valuetype type = napi_object;
  if (nullable == Nullable::kYes) {
    napi_typeof(env, v, &type);
    if (type == napi_null) return Bytes{nullptr, 0, false};
  }
  // A Buffer (a Uint8Array) first, with the one call that gives its address
  // and byte length; an empty one goes on below, for the detached check.
  if (type == napi_object && napi_get_buffer_info(env, v, &data, &length) == napi_ok && length > 0) {
    return Bytes{static_cast<uint8_t*>(data), length, true};
  }
  if (type == napi_object && napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type ta_type;
    size_t count;
    napi_get_typedarray_info(env, v, &ta_type, &count, &data, nullptr, nullptr);
    length = count * ElementBytes(ta_type);
    // A detached buffer reports length 0; only then is its ArrayBuffer needed.
    if (length == 0) napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &arraybuffer, nullptr);
  } else {
    if (nullable == Nullable::kNo) napi_typeof(env, v, &type);
    if (type == napi_string && text == Text::kYes) {
      *storage = Napi::String(env, v).Utf8Value();
      return Bytes{reinterpret_cast<uint8_t*>(storage->data()), storage->size(), true};
    }
    if (type == napi_object) {
      if (napi_is_dataview(env, v, &is) == napi_ok && is) {
        size_t offset;
        napi_get_dataview_info(env, v, &length, &data, &arraybuffer, &offset);
      } else if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
        arraybuffer = v;
        napi_get_arraybuffer_info(env, v, &data, &length);
      }
    }
  }
  if (is) {
    if (length == 0 && arraybuffer != nullptr) {
      bool detached = false;
      napi_is_detached_arraybuffer(env, arraybuffer, &detached);
      if (detached) {
        ThrowValue(env, fn, param, "must not be a detached ArrayBuffer", Napi::Value(env, v));
      }
    }
    return Bytes{static_cast<uint8_t*>(data), length, true};
  }
  const char* expected =
      text == Text::kYes ? (nullable == Nullable::kYes ? "a string, Buffer, TypedArray, DataView, ArrayBuffer or null"
                                                       : "a string, Buffer, TypedArray, DataView or ArrayBuffer")
                         : (nullable == Nullable::kYes ? "a Buffer, TypedArray, DataView, ArrayBuffer or null"
                                                       : "a Buffer, TypedArray, DataView or ArrayBuffer");
  ThrowType(env, fn, param, expected, Napi::Value(env, v));
}

void ThrowFits(Napi::Env env, const char* fn, const char* len_param, const char* buf_param, size_t size,
               Napi::Value got) {
  ThrowRange(env, fn, len_param, "<= " + std::to_string(size) + " (the size of \"" + buf_param + "\")", got);
}

socklen_t* ValueSocklen(napi_env env, napi_value v, const char* fn, const char* param, Nullable nullable) {
  Bytes b = ValueBytes(env, v, fn, param, nullable, Text::kNo, nullptr);
  if (!b.present) return nullptr;
  if (b.length < sizeof(socklen_t) || reinterpret_cast<uintptr_t>(b.data) % alignof(socklen_t) != 0) {
    ThrowType(env, fn, param, "a socklen_t", Napi::Value(env, v));
  }
  return reinterpret_cast<socklen_t*>(b.data);
}

void AddFunction(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb) {
  exports.Set(name, Napi::Function::New(env, cb, name));
}

void AddHotFunction(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn));
  exports.Set(name, fn);
}

// C calls the length after the address: addr/addrlen, src_addr/addrlen, dest_addr/addrlen.
SockaddrIn ValueSockaddr(napi_env env, napi_value addr, napi_value addrlen, const char* fn, const char* param,
                         Nullable nullable) {
  Bytes b = ValueBytes(env, addr, fn, param, nullable, Text::kNo, nullptr);
  size_t len = static_cast<size_t>(ValueInteger(env, addrlen, fn, "addrlen", 0, INT_MAX));
  CheckFits(env, fn, "addrlen", len, param, b, Napi::Value(env, addrlen));
  return SockaddrIn{reinterpret_cast<const struct sockaddr*>(b.data), static_cast<socklen_t>(len), b.present};
}

SockaddrOut ValueSockaddrOut(napi_env env, napi_value addr, napi_value addrlen, const char* fn, const char* param,
                             Nullable nullable) {
  Bytes b = ValueBytes(env, addr, fn, param, nullable, Text::kNo, nullptr);
  socklen_t* len = ValueSocklen(env, addrlen, fn, "addrlen", nullable);
  if (b.present && len == nullptr) {
    ThrowValue(env, fn, "addrlen", std::string("must be a socklen_t when ") + param + " is given",
               Napi::Value(env, addrlen));
  }
  if (b.present && *len > b.length) {
    ThrowRange(env, fn, "addrlen", "<= " + std::to_string(b.length) + " (the size of \"" + param + "\")",
               Napi::Number::New(env, *len));
  }
  return SockaddrOut{reinterpret_cast<struct sockaddr*>(b.data), b.present ? len : nullptr};
}

const char* ArgCString(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable,
                       std::string* storage) {
  if (nullable == Nullable::kYes && info[i].IsNull()) return nullptr;
  if (!info[i].IsString()) {
    ThrowType(info.Env(), fn, param, nullable == Nullable::kYes ? "of type string or null" : "of type string", info[i]);
  }
  *storage = info[i].As<Napi::String>().Utf8Value();
  if (strlen(storage->c_str()) != storage->size()) {
    ThrowValue(info.Env(), fn, param, "must not contain NUL bytes", info[i]);
  }
  return storage->c_str();
}

}  // namespace bsdsock
