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
// - Poll handles never keep the loop alive themselves: one keeper handle
//   does, while the TypeScript side counts operations waiting (in memory
//   shared with it). A busy server's count seldom reaches 0, so the usual
//   wait costs no call here at all: its direction is most likely armed
//   already, which the TypeScript side also knows.
// - Promises settled from a libuv callback need a callback scope, or the
//   code after `await` waits for some unrelated event: Dispatch opens one.
// - Entering JavaScript from a libuv callback is costly (a callback scope,
//   then a microtask checkpoint when it closes). One epoll wake-up often
//   reports many descriptors, so OnReady only notes each one, and a check
//   handle, which libuv runs right after the poll phase of the same loop
//   iteration, hands the whole batch to JavaScript in one call.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "addon.h"
#include "args.h"

namespace bsdsock {
namespace {

struct Engine;
void OnReady(uv_poll_t* handle, int status, int events);

// One per descriptor the promises API uses, so one per idle connection of a
// server: kept small. The handle's `data` is the engine; the watcher is
// found from its handle, which is its first member.
struct Watcher {
  uv_poll_t handle;
  int fd;
  int status;     // libuv's status, when noted
  uint8_t armed;  // UV_READABLE | UV_WRITABLE currently requested
  uint8_t fired;  // the directions OnReady saw ready, when noted
  bool noted;     // in the engine's ready list
};
static_assert(std::is_standard_layout_v<Watcher> && offsetof(Watcher, handle) == 0,
              "a Watcher is found from its handle's address");

Watcher* WatcherOf(uv_handle_t* handle) { return reinterpret_cast<Watcher*>(handle); }
Engine* EngineOf(uv_handle_t* handle) { return static_cast<Engine*>(handle->data); }

// The batch shared with JavaScript: per ready descriptor, [fd, fired,
// status]; the dispatcher writes its answer over `fired`.
constexpr size_t kBatchFields = 3;

struct Engine {
  napi_env env;
  uv_loop_t* loop;
  // Indexed by descriptor number, as libuv's own watcher array is: a slot
  // costs 8 bytes where a hash map's node and bucket cost some 40.
  std::vector<Watcher*> watchers;
  Napi::FunctionReference on_ready;
  uv_check_t dispatch;
  std::vector<Watcher*> ready;  // noted by OnReady, dispatched by Dispatch
  Napi::Reference<Napi::TypedArrayOf<int32_t>> batch;
  int32_t* batch_slots = nullptr;  // the batch's memory, off the V8 heap
  size_t batch_capacity = 0;       // entries it holds
  uv_async_t keeper;               // never sent: referenced, it keeps the loop alive
  Napi::Reference<Napi::TypedArrayOf<int32_t>> shared;
  int32_t* state = nullptr;  // [operations waiting, keeper referenced], shared
  napi_async_context async_context = nullptr;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  size_t closing = 0;
  bool shutting_down = false;
};

// Slots of the state shared with the TypeScript side.
constexpr int kWaiting = 0;  // operations waiting, counted by TypeScript
constexpr int kKept = 1;     // 1 while the keeper is referenced, set here

void Keep(Engine* e, bool keep) {
  if ((e->state[kKept] != 0) == keep) return;
  e->state[kKept] = keep ? 1 : 0;
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&e->keeper);
  if (keep) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
}

// fd's watcher, or null.
Watcher* Find(Engine* e, int fd) {
  return fd >= 0 && static_cast<size_t>(fd) < e->watchers.size() ? e->watchers[static_cast<size_t>(fd)] : nullptr;
}

void Arm(Watcher* w, int events) {
  if (events == w->armed) return;
  w->armed = static_cast<uint8_t>(events);
  if (events == 0) {
    uv_poll_stop(&w->handle);
  } else {
    uv_poll_start(&w->handle, events, OnReady);
  }
}

// Once the environment is going away and its last handle has closed, the
// engine is freed and the cleanup hook completed.
void FinishIfClosed(Engine* e) {
  if (!e->shutting_down || e->closing != 0 || e->cleanup == nullptr) return;
  napi_async_cleanup_hook_handle hook = e->cleanup;
  e->cleanup = nullptr;
  if (e->async_context != nullptr) napi_async_destroy(e->env, e->async_context);
  delete e;
  napi_remove_async_cleanup_hook(hook);
}

void OnClosed(uv_handle_t* handle) {
  Engine* e = EngineOf(handle);
  delete WatcherOf(handle);
  e->closing--;
  FinishIfClosed(e);
}

void OnEngineHandleClosed(uv_handle_t* handle) {
  Engine* e = static_cast<Engine*>(handle->data);
  e->closing--;
  FinishIfClosed(e);
}

void Release(Engine* e, Watcher* w) {
  e->watchers[static_cast<size_t>(w->fd)] = nullptr;
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

void Dispatch(uv_check_t* handle);

// A handle that stays current: not released (closed) since it was noted.
bool Current(Engine* e, Watcher* w) { return Find(e, w->fd) == w; }

void OnReady(uv_poll_t* handle, int status, int events) {
  Watcher* w = WatcherOf(reinterpret_cast<uv_handle_t*>(handle));
  Engine* e = EngineOf(reinterpret_cast<uv_handle_t*>(handle));
  if (e->shutting_down) return;
  // On error, report both directions so every waiting operation retries its
  // call and meets the error itself.
  uint8_t fired = status < 0 ? w->armed : static_cast<uint8_t>(events & (UV_READABLE | UV_WRITABLE));
  // libuv may poll again within one phase when a wake-up filled its event
  // array, and so report a descriptor twice: merge into the first note.
  if (w->noted) {
    w->fired |= fired;
    if (status < 0) w->status = status;
    return;
  }
  w->noted = true;
  w->fired = fired;
  w->status = status;
  if (e->ready.empty()) uv_check_start(&e->dispatch, Dispatch);
  e->ready.push_back(w);
}

// Makes room for n entries in the batch shared with JavaScript.
void ReserveBatch(Engine* e, size_t n) {
  if (n <= e->batch_capacity) return;
  size_t capacity = e->batch_capacity == 0 ? 64 : e->batch_capacity;
  while (capacity < n) capacity *= 2;
  Napi::Env env(e->env);
  Napi::ArrayBuffer memory = Napi::ArrayBuffer::New(env, capacity * kBatchFields * sizeof(int32_t));
  e->batch = Napi::Persistent(Napi::TypedArrayOf<int32_t>::New(env, capacity * kBatchFields, memory, 0));
  e->batch_slots = static_cast<int32_t*>(memory.Data());
  e->batch_capacity = capacity;
}

void Dispatch(uv_check_t* handle) {
  Engine* e = static_cast<Engine*>(handle->data);
  uv_check_stop(handle);
  // A descriptor closed by other JavaScript during the poll phase (its handle
  // is closing, not yet freed) is dropped here.
  size_t count = 0;
  for (Watcher* w : e->ready) {
    w->noted = false;
    if (Current(e, w)) e->ready[count++] = w;
  }
  e->ready.resize(count);
  if (count == 0 || e->shutting_down) {
    e->ready.clear();
    return;
  }
  Napi::Env env(e->env);
  Napi::HandleScope scope(env);
  ReserveBatch(e, count);
  int32_t* slots = e->batch_slots;
  for (size_t i = 0; i < count; i++) {
    slots[i * kBatchFields] = e->ready[i]->fd;
    slots[i * kBatchFields + 1] = e->ready[i]->fired;
    slots[i * kBatchFields + 2] = e->ready[i]->status;
  }
  napi_value args[2] = {e->batch.Value(), Int32(env, static_cast<int32_t>(count))};
  napi_value recv = env.Global();
  // The dispatcher's answers (directions that fired with nobody waiting) are
  // applied before the callback scope closes: closing it runs the
  // continuations of the promises just settled, which may start new
  // operations on these descriptors that an answer computed before they
  // existed must not disarm. Whether the loop stays alive is decided after,
  // from the count of waiting operations those continuations left.
  napi_callback_scope callback_scope;
  napi_open_callback_scope(e->env, recv, e->async_context, &callback_scope);
  napi_status s = napi_call_function(e->env, recv, e->on_ready.Value(), 2, args, nullptr);
  if (s == napi_pending_exception) {
    // An exception from the dispatcher is a bug on the TypeScript side;
    // surface it as an uncaught exception rather than lose it.
    e->ready.clear();
    napi_value error;
    napi_get_and_clear_last_exception(e->env, &error);
    napi_close_callback_scope(e->env, callback_scope);
    napi_fatal_exception(e->env, error);
    return;
  }
  for (size_t i = 0; i < count; i++) {
    Watcher* w = e->ready[i];
    // The dispatcher may have released this descriptor; then the watcher is
    // closing and its answer is moot.
    if (s != napi_ok || !Current(e, w)) continue;
    int32_t idle = slots[i * kBatchFields + 1];
    Arm(w, w->armed & ~(idle & (UV_READABLE | UV_WRITABLE)));
  }
  e->ready.clear();
  napi_close_callback_scope(e->env, callback_scope);
  if (!e->shutting_down) Keep(e, e->state[kWaiting] > 0);
}

Engine* EngineOf(const Napi::CallbackInfo& info) { return static_cast<Engine*>(info.Data()); }

// engineAttach(fd): makes fd non-blocking and gives it a (stopped, unref'd)
// poll handle. Returns 0, or -errno (EEXIST: another handle on this loop
// already watches fd; EBADF/ENOTSOCK... from the kernel).
Napi::Value Attach(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineAttach", "fd");
  if (Find(e, fd) != nullptr) return Napi::Number::New(info.Env(), 0);
  if (fd < 0) return Napi::Number::New(info.Env(), -EBADF);
  Watcher* w = new Watcher();
  w->fd = fd;
  w->status = 0;
  w->armed = 0;
  w->fired = 0;
  w->noted = false;
  int r = uv_poll_init(e->loop, &w->handle, fd);
  if (r != 0) {
    delete w;
    return Napi::Number::New(info.Env(), r);  // libuv errors are -errno on POSIX
  }
  w->handle.data = e;
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->handle));
  // Only now, fd proven open (below the descriptor limit), may it size the
  // table; libuv has just sized its own the same way.
  if (static_cast<size_t>(fd) >= e->watchers.size()) e->watchers.resize(static_cast<size_t>(fd) + 1, nullptr);
  e->watchers[static_cast<size_t>(fd)] = w;
  return Napi::Number::New(info.Env(), 0);
}

// engineWatch(fd, events): someone waits for `events` on fd: arm them.
Napi::Value Watch(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineWatch", "fd");
  int events = ArgInt(info, 1, "engineWatch", "events") & (UV_READABLE | UV_WRITABLE);
  Watcher* w = Find(e, fd);
  if (w == nullptr) return Napi::Number::New(info.Env(), -EBADF);
  Arm(w, w->armed | events);
  return Napi::Value(info.Env(), Int32(info.Env(), 0));
}

// engineDisarm(fd, events): nobody waits for `events` on fd any more (an
// abort, a poll that settled).
Napi::Value Disarm(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineDisarm", "fd");
  int events = ArgInt(info, 1, "engineDisarm", "events") & (UV_READABLE | UV_WRITABLE);
  Watcher* w = Find(e, fd);
  if (w != nullptr) Arm(w, w->armed & ~events);
  return info.Env().Undefined();
}

// engineKeep(keep): the waiting count left 0 (keep the loop alive) or
// reached it outside a dispatch (let the loop end).
Napi::Value KeepLoop(const Napi::CallbackInfo& info) {
  Keep(EngineOf(info), info[0].ToBoolean());
  return info.Env().Undefined();
}

// engineRelease(fd): stops and closes fd's handle, before the descriptor
// itself is closed, so no stale handle watches a number the kernel reuses.
Napi::Value ReleaseFd(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  int fd = ArgInt(info, 0, "engineRelease", "fd");
  Watcher* w = Find(e, fd);
  if (w != nullptr) Release(e, w);
  return info.Env().Undefined();
}

// engineStats(): [handles, armed], for tests and the ledger.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  Engine* e = EngineOf(info);
  uint32_t handles = 0;
  uint32_t armed = 0;
  for (Watcher* w : e->watchers) {
    if (w == nullptr) continue;
    handles++;
    if (w->armed != 0) armed++;
  }
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), handles));
  out.Set(1u, Napi::Number::New(info.Env(), armed));
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
  e->batch.Reset();
  e->shared.Reset();
  e->ready.clear();
  uv_check_stop(&e->dispatch);
  e->closing += 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&e->dispatch), OnEngineHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&e->keeper), OnEngineHandleClosed);
  std::vector<Watcher*> all;
  all.swap(e->watchers);
  for (Watcher* w : all) {
    if (w == nullptr) continue;
    uv_poll_stop(&w->handle);
    e->closing++;
    uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);
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
  uv_check_init(e->loop, &e->dispatch);
  e->dispatch.data = e;
  uv_unref(reinterpret_cast<uv_handle_t*>(&e->dispatch));
  uv_async_init(e->loop, &e->keeper, nullptr);
  e->keeper.data = e;
  uv_unref(reinterpret_cast<uv_handle_t*>(&e->keeper));
  Napi::ArrayBuffer state_memory = Napi::ArrayBuffer::New(env, 2 * sizeof(int32_t));
  Napi::TypedArrayOf<int32_t> state = Napi::TypedArrayOf<int32_t>::New(env, 2, state_memory, 0);
  e->state = static_cast<int32_t*>(state_memory.Data());
  e->state[kWaiting] = 0;
  e->state[kKept] = 0;
  e->shared = Napi::Persistent(state);
  napi_async_init(env, Napi::Object::New(env), Napi::String::New(env, "bsdsock:readiness"), &e->async_context);
  napi_add_async_cleanup_hook(env, OnEnvCleanup, e, nullptr);
  Napi::Object engine = Napi::Object::New(env);
  auto add = [&](const char* name, Napi::Function::Callback cb) {
    engine.Set(name, Napi::Function::New(env, cb, name, e));
  };
  add("attach", Attach);
  add("watch", Watch);
  add("disarm", Disarm);
  add("keep", KeepLoop);
  add("release", ReleaseFd);
  add("stats", Stats);
  add("setCallback", SetCallback);
  engine.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  engine.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  engine.Set("state", state);
  exports.Set("engine", engine);
}

}  // namespace bsdsock
