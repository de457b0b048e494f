// The client sync engine: pushes the outbox in batches, pulls pages, settles conflicts and schedules itself
// (debounced local writes, live notifications, the poll interval, backoff with jitter after failures).
// It does no I/O of its own: the network is a Transport, time is an Executor, reports go to an EventSink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock/hybrid_clock.h"
#include "core/store/connection.h"
#include "core/sync/executor.h"
#include "core/sync/sync_events.h"
#include "core/sync/sync_options.h"
#include "core/sync/transport.h"

namespace offline_sync::sync {

struct EngineParts {
  Executor& executor;
  Transport& transport;
  EventSink& events;
  TokenSource& tokens;
};

class SyncEngine {
 public:
  using RoundCallback = std::function<void(const RoundOutcome&)>;

  // connection: the engine's own connection to the store (Store::openSyncConnection), used on the executor's thread
  // only. random: uniform in [0, 1), for the backoff's jitter (tests give a fixed one).
  SyncEngine(EngineParts parts, std::unique_ptr<store::Connection> connection, std::shared_ptr<HybridClock> clock,
             std::string deviceId, SyncOptions options, std::function<double()> random = {});
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  // Every member below runs on the executor's thread.

  // Connects (the live channel when enabled) and syncs at once, then keeps syncing on its schedule.
  void start();
  // Cancels timers and the transport; a round in flight ends with ERR_STOPPED and loses nothing (changes in flight
  // stay in flight and are resent, with the same ids, after the next start). State stopped. Idempotent.
  void stop();
  // One full round (push everything, then pull until up to date); done gets its outcome. Works whether or not the
  // engine was started. A round still pushing is joined (it sends every write committed before the call); one
  // already pulling is followed by a new round, whose outcome done gets.
  void syncNow(RoundCallback done);
  // A tracked local write committed: push soon (debounced).
  void localWrite();

  SyncState state() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace offline_sync::sync
