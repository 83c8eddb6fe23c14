// The module: composes each concern's exports. N-API modules are
// context-aware, and nothing here is kept in a static, so the addon loads in
// any number of worker_threads and jest module registries at once.
#include "addon.h"

namespace bsdsock {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitConstants(env, exports);
  InitAddresses(env, exports);
  InitSockets(env, exports);
  InitIo(env, exports);
  InitSlots(env, exports);
  InitOptions(env, exports);
  InitPoll(env, exports);
  InitResolver(env, exports);
  InitNetdb(env, exports);
  InitAsync(env, exports);
  return exports;
}

}  // namespace bsdsock

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return bsdsock::Init(env, exports); }

NODE_API_MODULE(bsdsock, InitModule)
