// Validation helpers: the messages follow Node's own ERR_INVALID_ARG_TYPE and
// ERR_OUT_OF_RANGE forms, prefixed with the C function's name.
#include "args.h"

#include <sys/socket.h>

#include <cmath>
#include <string>

namespace bsdsock {
namespace {

std::string Describe(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return std::string("type boolean (") + (v.As<Napi::Boolean>().Value() ? "true" : "false") + ")";
    case napi_number: {
      double d = v.As<Napi::Number>().DoubleValue();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      char buf[64];
      snprintf(buf, sizeof(buf), "%.17g", d);
      return buf;
    }
    case napi_string: {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.size() > 28) s = s.substr(0, 25) + "...";
      return "type string ('" + s + "')";
    }
    case napi_symbol:
      return "type symbol";
    case napi_bigint:
      return "type bigint";
    case napi_function:
      return "function";
    case napi_object:
      if (v.IsArray()) return "an instance of Array";
      if (v.IsTypedArray() || v.IsBuffer()) return "an instance of TypedArray";
      if (v.IsArrayBuffer()) return "an instance of ArrayBuffer";
      return "an instance of Object";
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

int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, int64_t min,
                   int64_t max) {
  Napi::Value v = info[i];
  // One call both checks the type and reads the value: napi_typeof first
  // would cost as much again on every call.
  double d;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok) ThrowType(info.Env(), fn, param, "of type number", v);
  // In range first, so that the conversion is defined; then a value that
  // converts back unchanged is an integer (cheaper than std::trunc, a libm
  // call on baseline x86-64).
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) ||
      static_cast<double>(static_cast<int64_t>(d)) != d) {
    ThrowRange(info.Env(), fn, param, "an integer >= " + std::to_string(min) + " and <= " + std::to_string(max), v);
  }
  return static_cast<int64_t>(d);
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

void CheckFits(Napi::Env env, const char* fn, const char* len_param, size_t len, const char* buf_param,
               const Bytes& bytes, Napi::Value got) {
  if (len > bytes.length) {
    ThrowRange(env, fn, len_param, "<= " + std::to_string(bytes.length) + " (the size of \"" + buf_param + "\")", got);
  }
}

socklen_t* ArgSocklen(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* param, Nullable nullable) {
  Bytes b = ArgBytes(info, i, fn, param, nullable, Text::kNo, nullptr);
  if (!b.present) return nullptr;
  if (b.length < sizeof(socklen_t) || reinterpret_cast<uintptr_t>(b.data) % alignof(socklen_t) != 0) {
    ThrowType(info.Env(), fn, param, "a socklen_t", info[i]);
  }
  return reinterpret_cast<socklen_t*>(b.data);
}

void AddFunction(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb) {
  exports.Set(name, Napi::Function::New(env, cb, name));
}

}  // namespace bsdsock
