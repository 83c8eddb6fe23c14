// The readiness engine behind bsdsock/promises: one libuv poll handle
// (epoll/kqueue) per descriptor, on the event loop of the environment that
// made the call, so a Worker uses its own loop. No thread is parked on a
// socket: the TypeScript side tries the non-blocking call, and only after
// EAGAIN asks this engine to say when the descriptor is ready.
//
// Hazards handled here (see libuv's poll.rst):
// - uv_poll_init makes the descriptor non-blocking, and fails with EEXIST
//   when the loop already watches it (a descriptor Node's own handle owns).
// - The handle must be stopped before the descriptor is closed, and its
//   memory freed only in the uv_close callback.
// - Re-arming around every operation costs epoll_ctl calls; a direction is
//   disarmed only when it fires with nobody waiting on it.
// - Promises settled from a libuv callback need a callback scope, or the
//   code after `await` waits for some unrelated event: OnReady opens one.
#include <uv.h>

#include <unordered_map>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

struct Engine;
void OnReady(uv_poll_t* handle, int status, int events);

struct Watcher {
  uv_poll_t handle;
  Engine* engine;
  int fd;
  int armed;  // UV_READABLE | UV_WRITABLE currently requested
  bool referenced;
};

struct Engine {
  napi_env env;
  uv_loop_t* loop;
  std::unordered_map<int, Watcher*> watchers;
  Napi::FunctionReference on_ready;
  napi_async_context async_context = nullptr;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  size_t closing = 0;
  bool shutting_down = false;
};

// The callback's return value tells what to do next: which fired directions
// had nobody waiting (disarm them) and whether anyone still waits (keep the
// loop alive).
constexpr int kStillWaiting = 4;

void SetReferenced(Watcher* w, bool referenced) {
  if (w->referenced == referenced) return;
  w->referenced = referenced;
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&w->handle);
  if (referenced) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
}

void Arm(Watcher* w, int events) {
  if (events == w->armed) return;
  w->armed = events;
  if (events == 0) {
    uv_poll_stop(&w->handle);
  } else {
    uv_poll_start(&w->handle, events, OnReady);
  }
}

void OnClosed(uv_handle_t* handle) {
  Watcher* w = static_cast<Watcher*>(handle->data);
  Engine* e = w->engine;
  delete w;
  e->closing--;
  if (e->shutting_down && e->closing == 0 && e->cleanup != nullptr) {
    napi_async_cleanup_hook_handle hook = e->cleanup;
    e->cleanup = nullptr;
    if (e->async_context != nullptr) napi_async_destroy(e->env, e->async_context);
    delete e;
    napi_remove_async_cleanup_hook(hook);
  }
}

void Release(Engine* e, Watcher* w) {
  e->watchers.erase(w->fd);
  uv_poll_stop(&w->handle);
  e->closing++;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);
}

// A small integer for JavaScript without napi_create_double's conversion.
napi_value Int32(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

void OnReady(uv_poll_t* handle, int status, int events) {
  Watcher* w = static_cast<Watcher*>(handle->data);
  Engine* e = w->engine;
  if (e->shutting_down) return;
  Napi::Env env(e->env);
  Napi::HandleScope scope(env);
  // On error, report both directions so every waiting operation retries its
  // call and meets the error itself.
  int fired = status < 0 ? w->armed : events;
  int fd = w->fd;
  napi_value args[3] = {Int32(env, fd), Int32(env, fired), Int32(env, status)};
  napi_value result = nullptr;
  napi_value recv = env.Global();
  // The dispatcher's answer is applied before the callback scope closes:
  // closing it runs the continuations of the promises just settled, which
  // may start new operations on fd (engineWatch) that an answer computed
  // before they existed must not disarm or unref.
  napi_callback_scope callback_scope;
  napi_open_callback_scope(e->env, recv, e->async_context, &callback_scope);
  napi_status s = napi_call_function(e->env, recv, e->on_ready.Value(), 3, args, &result);
  if (s == napi_pending_exception) {
    // An exception from the dispatcher is a bug on the TypeScript side;
    // surface it as an uncaught exception rather than lose it.
    napi_value error;
    napi_get_and_clear_last_exception(e->env, &error);
    napi_close_callback_scope(e->env, callback_scope);
    napi_fatal_exception(e->env, error);
    return;
  }
  // The dispatcher may have released this descriptor; then the watcher is gone.
  auto it = e->watchers.find(fd);
  if (it != e->watchers.end() && it->second == w) {
    int32_t next = 0;
    if (s == napi_ok && result != nullptr) napi_get_value_int32(e->env, result, &next);
    int idle_fired = next & (UV_READABLE | UV_WRITABLE);
    Arm(w, w->armed & ~idle_fired);
    SetReferenced(w, (next & kStillWaiting) != 0);
  }
  napi_close_callback_scope(e->env, callback_scope);
}

Engine* EngineOf(const Napi::CallbackInfo& info) { return static_cast<Engine*>(info.Data()); }

// engineAttach(fd): makes fd non-blocking and gives it a (stopped, unref'd)
// poll handle. Returns 0, or -errno (EEXIST: another handle on this loop
// already watches fd; EBADF/ENOTSOCK... from the kernel).
Napi::Value Attach(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineAttach", "fd");
  if (e->watchers.count(fd) != 0) return Napi::Number::New(info.Env(), 0);
  Watcher* w = new Watcher();
  w->engine = e;
  w->fd = fd;
  w->armed = 0;
  w->referenced = false;
  int r = uv_poll_init(e->loop, &w->handle, fd);
  if (r != 0) {
    delete w;
    return Napi::Number::New(info.Env(), r);  // libuv errors are -errno on POSIX
  }
  w->handle.data = w;
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->handle));
  e->watchers.emplace(fd, w);
  return Napi::Number::New(info.Env(), 0);
}

// engineWatch(fd, events): someone waits for `events` on fd; arm them and
// keep the loop alive.
Napi::Value Watch(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineWatch", "fd");
  int events = ArgInt(info, 1, "engineWatch", "events") & (UV_READABLE | UV_WRITABLE);
  auto it = e->watchers.find(fd);
  if (it == e->watchers.end()) return Napi::Number::New(info.Env(), -EBADF);
  Watcher* w = it->second;
  Arm(w, w->armed | events);
  SetReferenced(w, true);
  return Napi::Value(info.Env(), Int32(info.Env(), 0));
}

// engineSettle(fd, disarm, waiting): after an abort or a synchronous
// completion, drop the directions nobody waits on and let the loop go.
Napi::Value Settle(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineSettle", "fd");
  int disarm = ArgInt(info, 1, "engineSettle", "disarm") & (UV_READABLE | UV_WRITABLE);
  bool waiting = info[2].ToBoolean();
  auto it = e->watchers.find(fd);
  if (it == e->watchers.end()) return info.Env().Undefined();
  Arm(it->second, it->second->armed & ~disarm);
  SetReferenced(it->second, waiting);
  return info.Env().Undefined();
}

// engineRelease(fd): stops and closes fd's handle, before the descriptor
// itself is closed, so no stale handle watches a number the kernel reuses.
Napi::Value ReleaseFd(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineRelease", "fd");
  auto it = e->watchers.find(fd);
  if (it != e->watchers.end()) Release(e, it->second);
  return info.Env().Undefined();
}

// engineStats(): [handles, armed, referenced], for tests and the ledger.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  uint32_t armed = 0, referenced = 0;
  for (auto& kv : e->watchers) {
    if (kv.second->armed != 0) armed++;
    if (kv.second->referenced) referenced++;
  }
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(e->watchers.size())));
  out.Set(1u, Napi::Number::New(info.Env(), armed));
  out.Set(2u, Napi::Number::New(info.Env(), referenced));
  return out;
}

Napi::Value SetCallback(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  if (!info[0].IsFunction()) ThrowType(info.Env(), "engineSetCallback", "callback", "a function", info[0]);
  e->on_ready = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// When the environment goes away (Worker exit, process exit) every handle
// is closed; the hook completes once the last close callback has run.
void OnEnvCleanup(napi_async_cleanup_hook_handle hook, void* data) {
  Engine* e = static_cast<Engine*>(data);
  e->shutting_down = true;
  e->cleanup = hook;
  e->on_ready.Reset();
  std::unordered_map<int, Watcher*> all;
  all.swap(e->watchers);
  for (auto& kv : all) {
    uv_poll_stop(&kv.second->handle);
    e->closing++;
    uv_close(reinterpret_cast<uv_handle_t*>(&kv.second->handle), OnClosed);
  }
  if (e->closing == 0) {
    e->cleanup = nullptr;
    if (e->async_context != nullptr) napi_async_destroy(e->env, e->async_context);
    delete e;
    napi_remove_async_cleanup_hook(hook);
  }
}

}  // namespace

void InitAsync(Napi::Env env, Napi::Object exports) {
  Engine* e = new Engine();
  e->env = env;
  if (napi_get_uv_event_loop(env, &e->loop) != napi_ok) {
    delete e;
    throw Napi::Error::New(env, "bsdsock: no event loop for this environment");
  }
  napi_async_init(env, Napi::Object::New(env), Napi::String::New(env, "bsdsock:readiness"), &e->async_context);
  napi_add_async_cleanup_hook(env, OnEnvCleanup, e, nullptr);
  Napi::Object engine = Napi::Object::New(env);
  auto add = [&](const char* name, Napi::Function::Callback cb) {
    engine.Set(name, Napi::Function::New(env, cb, name, e));
  };
  add("attach", Attach);
  add("watch", Watch);
  add("settle", Settle);
  add("release", ReleaseFd);
  add("stats", Stats);
  add("setCallback", SetCallback);
  engine.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  engine.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  engine.Set("STILL_WAITING", Napi::Number::New(env, kStillWaiting));
  exports.Set("engine", engine);
}

}  // namespace bsdsock
