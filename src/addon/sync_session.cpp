// A sync client's lifetime: construction in dependency order, every engine call posted to the engine's thread, and
// a teardown that leaves no thread, socket or thread-safe function behind.
#include "addon/sync_session.h"

#include <future>
#include <utility>

#include "addon/errors.h"
#include "core/sync/round_failure.h"

namespace offline_sync::addon {

SyncSession::SyncSession(Napi::Env env, std::shared_ptr<store::Store> store, SyncConfig config,
                         Napi::Function dispatch)
    : store_(std::move(store)),
      executor_(std::make_unique<net::AsioExecutor>()),
      transport_(std::make_unique<net::HttpTransport>(*executor_, std::move(config.transport))),
      channel_(env, dispatch),
      events_(channel_),
      tokens_(channel_, std::move(config.token)) {
  // Built before the engine's thread exists, so its constructor's reads of the store need no posting.
  engine_ = std::make_unique<sync::SyncEngine>(sync::EngineParts{*executor_, *transport_, events_, tokens_},
                                               store_->openSyncConnection(), store_->sharedClock(),
                                               store_->deviceId(), std::move(config.sync));
  executor_->startThread();
  // Runs on the writing (JS) thread inside its commit: only a post, never the engine itself. The posted task may
  // use engine_ because every task runs before close() joins the thread, and the engine goes only after that.
  captureListener_ = store_->addCaptureListener([this] { executor_->post([this] { engine_->localWrite(); }); });
}

SyncSession::~SyncSession() { close(); }

void SyncSession::start(Napi::Env env) {
  if (closed_) throw Error(ErrorCategory::state, codes::closed, "The sync client is closed");
  executor_->post([this] { engine_->start(); });
  channel_.setStarted(env, true);
}

Napi::Promise SyncSession::stop(Napi::Env env) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (closed_) {
    deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  const Napi::Promise promise = deferred.Promise();
  const std::uint64_t id = channel_.addPromise(deferred);
  channel_.setStarted(env, false);
  executor_->post([this, id] {
    engine_->stop();
    channel_.send(SettleMessage{id, std::nullopt});
  });
  return promise;
}

Napi::Promise SyncSession::syncNow(Napi::Env env) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (closed_) {
    deferred.Reject(makeError(env, codes::closed, "The sync client is closed").Value());
    return deferred.Promise();
  }
  const Napi::Promise promise = deferred.Promise();
  const std::uint64_t id = channel_.addPromise(deferred);
  executor_->post([this, id] {
    // The engine calls back once: with the round's outcome, or ERR_STOPPED if it stops first (also in its destructor).
    engine_->syncNow([this, id](const sync::RoundOutcome& outcome) { channel_.send(SettleMessage{id, outcome}); });
  });
  return promise;
}

void SyncSession::stopOnEngineThread() noexcept {
  try {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> stopped = done->get_future();
    // The task alone owns the promise: should it be dropped unrun, the future is released (broken promise).
    executor_->post([this, done = std::move(done)] {
      try {
        engine_->stop();
        transport_->shutdown();
      } catch (...) {
        // stop() reports through the event sink; a failure here must not keep close() waiting.
      }
      done->set_value();
    });
    stopped.wait();
  } catch (...) {
    // Out of memory for the task: stopAndJoin() below still ends the thread, and the engine stops in its destructor.
  }
}

void SyncSession::close() noexcept {
  if (closed_) return;
  closed_ = true;
  try {
    if (captureListener_ != 0) store_->removeCaptureListener(captureListener_);
  } catch (...) {
    // Out of memory copying the listener list: the listener stays, and posts to a stopped executor, which drops it.
  }
  stopOnEngineThread();
  executor_->stopAndJoin();
  // From here on this thread is the only one: the parked answers go first (they hold the engine's rounds), then the
  // engine (its destructor's stop() finds it stopped), then the transport, which must outlive the engine's use, then
  // the io_context with the handlers it never ran.
  events_.clear();
  tokens_.clear();
  engine_.reset();
  transport_.reset();
  executor_.reset();
  channel_.release();
}

}  // namespace offline_sync::addon
