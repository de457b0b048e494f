// The channel's JS-thread side: converting messages, settling promises, keeping the loop alive while there is work.
#include "addon/event_channel.h"

#include <memory>
#include <unordered_map>
#include <utility>

#include "addon/errors.h"
#include "core/sync/round_failure.h"

namespace offline_sync::addon {

// JS-thread state. It belongs to the thread-safe function, whose finalizer runs after the last queued message:
// a message that settles a promise always finds its table.
struct EventChannel::Context {
  std::shared_ptr<Gate> gate;
  napi_threadsafe_function function = nullptr;
  std::unordered_map<std::uint64_t, Napi::Promise::Deferred> promises;
  std::uint64_t nextPromise = 1;
  bool started = false;

  void updateRef(Napi::Env env) const {
    if (started || !promises.empty()) {
      napi_ref_threadsafe_function(env, function);
    } else {
      napi_unref_threadsafe_function(env, function);
    }
  }

  void settle(Napi::Env env, const SettleMessage& message) {
    const auto found = promises.find(message.promiseId);
    if (found == promises.end()) return;
    Napi::Promise::Deferred deferred = found->second;
    promises.erase(found);
    updateRef(env);
    if (!message.outcome) {
      deferred.Resolve(env.Undefined());
    } else if (message.outcome->error) {
      deferred.Reject(errorToJs(env, *message.outcome->error));
    } else {
      deferred.Resolve(outcomeToJs(env, *message.outcome));
    }
  }
};

EventChannel::EventChannel(Napi::Env env, Napi::Function dispatch) {
  auto context = std::make_unique<Context>();
  context->gate = gate_;
  // maxQueueSize 0: unbounded, so send() never blocks the engine's thread on JS.
  function_ = Function::New(env, dispatch, "offline-sync:sync-events", 0, 1, context.get(), finalize,
                            static_cast<void*>(nullptr));
  context_ = context.release();  // the finalizer takes it back
  context_->function = function_;
  context_->updateRef(env);
}

EventChannel::~EventChannel() { release(); }

bool EventChannel::send(SyncMessage message) noexcept {
  try {
    auto owned = std::make_unique<SyncMessage>(std::move(message));
    std::lock_guard lock(gate_->mutex);
    if (!gate_->open || gate_->released) return false;
    if (function_.NonBlockingCall(owned.get()) != napi_ok) return false;  // closing: ours to free
    owned.release();  // callJs frees it, with or without an environment
    return true;
  } catch (...) {
    return false;  // out of memory: the event is lost, the engine goes on
  }
}

std::uint64_t EventChannel::addPromise(Napi::Promise::Deferred deferred) {
  const Napi::Env env = deferred.Env();
  const std::uint64_t id = context_->nextPromise++;
  context_->promises.emplace(id, std::move(deferred));
  context_->updateRef(env);
  return id;
}

void EventChannel::setStarted(Napi::Env env, bool started) {
  context_->started = started;
  context_->updateRef(env);
}

void EventChannel::release() noexcept {
  std::lock_guard lock(gate_->mutex);
  if (gate_->released) return;
  gate_->released = true;
  // Once an environment's teardown began, Node closes the function itself: releasing it then is refused, harmlessly,
  // and once it is finalized there is nothing left to release.
  if (gate_->open) function_.Release();
}

void EventChannel::callJs(Napi::Env env, Napi::Function dispatch, Context* context, SyncMessage* raw) {
  std::unique_ptr<SyncMessage> message(raw);
  // No environment: the function is being torn down with messages still queued; they are only freed.
  if (static_cast<napi_env>(env) == nullptr || context == nullptr || !message) return;
  try {
    if (const auto* settle = std::get_if<SettleMessage>(message.get())) return context->settle(env, *settle);
    if (dispatch.IsEmpty()) return;
    dispatch.Call({Napi::String::New(env, eventKind(*message)), eventPayload(env, *message)});
  } catch (...) {
    // lib/'s dispatch reports a throwing listener itself (on the next tick, as an uncaught exception); what can still
    // fail here is the environment going away, and nothing may propagate into Node's dispatch loop.
  }
}

void EventChannel::finalize(Napi::Env env, void*, Context* context) {
  std::unique_ptr<Context> owned(context);
  if (!owned) return;
  {
    // Waits for a send() under way on the engine's thread; later ones see the function gone.
    std::lock_guard lock(owned->gate->mutex);
    owned->gate->open = false;
  }
  if (static_cast<napi_env>(env) == nullptr) return;
  try {
    for (auto& [id, deferred] : owned->promises) {
      deferred.Reject(makeError(env, sync::sync_codes::stopped, "the sync client was closed").Value());
    }
  } catch (...) {
    // The environment is going away: nobody is left to see these promises.
  }
}

}  // namespace offline_sync::addon
