// The floor under a bsdsock call: two functions that do nothing but take recv's four arguments and
// return the number 0, one through node-addon-api (what native/ is written with), one as a bare
// napi_callback. bench/floor/run.sh counts their instructions per call beside bsdsock's recv, libc's
// recv from C and node:ffi's recv, so the cost of N-API itself can be told from bsdsock's own.
#include <napi.h>
#include <sys/socket.h>

#include <cerrno>
#include <unistd.h>

// The rows count only what runs between two calls of collect(): run under callgrind with
// --collect-atstart=no, the start-up, the warm-up and the JIT compiles are left out. Without the
// header (valgrind not installed) collect() does nothing, and the wall-clock rows still run.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define FLOOR_TOGGLE() CALLGRIND_TOGGLE_COLLECT
#else
#define FLOOR_TOGGLE() ((void)0)
#endif

namespace {

// Both return through napi_create_int32, as bsdsock's Result does for every send/recv count, so that
// the two differ only by how the call reaches them.
Napi::Value AddonApi(const Napi::CallbackInfo& info) {
  napi_value out;
  napi_create_int32(info.Env(), 0, &out);
  return Napi::Value(info.Env(), out);
}

napi_value Raw(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_value out;
  napi_create_int32(env, 0, &out);
  return out;
}

napi_value Collect(napi_env env, napi_callback_info) {
  FLOOR_TOGGLE();
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

// The servers of the ping-pong and churn workloads as C loops inside a Node process
// (bench/floor/in-node.ts): what the process itself costs, with no JavaScript or N-API per call.
// Each returns its count, or -errno.
napi_value PingpongServer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  napi_get_value_int32(env, argv[0], &fd);
  int32_t n = 0;
  unsigned char byte;
  for (;;) {
    ssize_t r = recv(fd, &byte, 1, 0);
    if (r < 0) {
      n = -errno;
      break;
    }
    if (r == 0) break;
    if (send(fd, &byte, 1, 0) != 1) {
      n = -errno;
      break;
    }
    n++;
  }
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

napi_value ChurnServer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t listen_fd = -1, count = 0;
  napi_get_value_int32(env, argv[0], &listen_fd);
  napi_get_value_int32(env, argv[1], &count);
  int32_t n = 0;
  for (; n < count; n++) {
    int fd = accept(listen_fd, nullptr, nullptr);
    if (fd < 0) {
      n = -errno;
      break;
    }
    close(fd);
  }
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  napi_value pingpong, churn;
  napi_create_function(env, "pingpongServer", NAPI_AUTO_LENGTH, PingpongServer, nullptr, &pingpong);
  exports.Set("pingpongServer", pingpong);
  napi_create_function(env, "churnServer", NAPI_AUTO_LENGTH, ChurnServer, nullptr, &churn);
  exports.Set("churnServer", churn);
  exports.Set("addonApi", Napi::Function::New(env, AddonApi, "addonApi"));
  napi_value raw;
  napi_create_function(env, "raw", NAPI_AUTO_LENGTH, Raw, nullptr, &raw);
  exports.Set("raw", raw);
  napi_value collect;
  napi_create_function(env, "collect", NAPI_AUTO_LENGTH, Collect, nullptr, &collect);
  exports.Set("collect", collect);
  return exports;
}

}  // namespace

NODE_API_MODULE(floor, Init)
