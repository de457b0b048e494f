// The native side of one db.sync() client: the engine with its thread, transport and way to JS, the capture
// listener that tells it about local writes, and the order in which all of it is torn down.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

#include "addon/event_channel.h"
#include "addon/js_event_sink.h"
#include "addon/js_token_source.h"
#include "addon/sync_config.h"
#include "core/store/store.h"
#include "core/sync/sync_engine.h"
#include "net/asio_executor.h"
#include "net/http_transport.h"

namespace offline_sync::addon {

class SyncSession {
 public:
  // JS thread. Starts the engine's thread (the engine itself is idle until start() or syncNow()). Throws
  // ERR_INVALID_ARG for a bad URL or CA and for an in-memory database, which the engine cannot share.
  SyncSession(Napi::Env env, std::shared_ptr<store::Store> store, SyncConfig config, Napi::Function dispatch);
  // close(): never on the engine's thread (which cannot join itself); the addon only destroys sessions on the JS one.
  ~SyncSession();
  SyncSession(const SyncSession&) = delete;
  SyncSession& operator=(const SyncSession&) = delete;

  // Everything below runs on the JS thread.

  // Throws ERR_CLOSED after close().
  void start(Napi::Env env);
  // Resolves once the engine stopped on its thread (at once after close()).
  Napi::Promise stop(Napi::Env env);
  // One round; resolves with its outcome or rejects with its error (ERR_CLOSED after close()).
  Napi::Promise syncNow(Napi::Env env);
  // Removes the capture listener, stops the engine on its thread, joins that thread, destroys the engine, the
  // transport and the executor, and releases the thread-safe function. Idempotent; it waits at most for the engine's
  // current task.
  void close() noexcept;
  bool closed() const noexcept { return closed_; }

  JsEventSink& events() noexcept { return events_; }
  JsTokenSource& tokens() noexcept { return tokens_; }

 private:
  // Runs engine.stop() and transport.shutdown() on the engine's thread and waits for them: stopAndJoin() alone would
  // drop a stop still queued, and the engine must stop on its own thread.
  void stopOnEngineThread() noexcept;

  std::shared_ptr<store::Store> store_;  // kept open for the capture listener's removal
  // Destroyed by close(), last: the io_context's destruction frees what pending handlers still hold (sockets, the
  // resolver's thread), so a closed client leaves no descriptor or thread behind until JS collects it.
  std::unique_ptr<net::AsioExecutor> executor_;
  std::unique_ptr<net::HttpTransport> transport_;
  EventChannel channel_;
  JsEventSink events_;
  JsTokenSource tokens_;
  std::unique_ptr<sync::SyncEngine> engine_;
  std::uint64_t captureListener_ = 0;
  bool closed_ = false;
};

}  // namespace offline_sync::addon
