// The one thread-safe function of a sync client: the engine's thread sends messages, the JS thread turns them into
// dispatch(kind, payload) calls and settles the promises of syncNow() and stop().
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "addon/sync_messages.h"

namespace offline_sync::addon {

class EventChannel {
 public:
  // dispatch: lib/'s function(kind, payload). JS thread.
  EventChannel(Napi::Env env, Napi::Function dispatch);
  // Releases the function if release() was not called.
  ~EventChannel();
  EventChannel(const EventChannel&) = delete;
  EventChannel& operator=(const EventChannel&) = delete;

  // Any thread. Never blocks: the queue is unbounded, so the engine never waits for a busy JS thread. False (and the
  // message dropped) once the channel is closing.
  bool send(SyncMessage message) noexcept;

  // JS thread, until release(): a promise that a SettleMessage with the returned id settles.
  std::uint64_t addPromise(Napi::Promise::Deferred deferred);
  // JS thread, until release(): a started client keeps the event loop alive, as does a pending promise; an idle,
  // stopped one does not keep the process from exiting.
  void setStarted(Napi::Env env, bool started);
  // JS thread. Messages already queued are still delivered (a round's ERR_STOPPED reaches its promise); promises left
  // unsettled once the queue is drained are rejected with ERR_STOPPED. Idempotent.
  void release() noexcept;

 private:
  struct Context;
  // Whether the function still exists. Node deletes it right after its finalizer, which can run before this channel
  // is released (an environment's teardown closes every thread-safe function): the finalizer closes the gate, and
  // every call into the function happens under it, so none reaches a deleted one.
  struct Gate {
    std::mutex mutex;
    bool open = true;      // the function exists
    bool released = false;  // this channel gave up its reference
  };

  static void callJs(Napi::Env env, Napi::Function dispatch, Context* context, SyncMessage* message);
  static void finalize(Napi::Env env, void* unused, Context* context);
  using Function = Napi::TypedThreadSafeFunction<Context, SyncMessage, callJs>;

  Function function_;
  Context* context_ = nullptr;  // owned by the function: freed by its finalizer, after release()
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();  // shared with the context, for the finalizer
};

}  // namespace offline_sync::addon
