// The per-connection SQL functions the capture triggers call (whether to capture, and the change's clock stamp), and
// the store's listeners of committed captured writes, which those functions feed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/store/connection.h"

namespace offline_sync::store {

enum class Capture { on, off };

// Who hears that a transaction with captured writes committed on the application's connection. One per store; the
// connection's SQLite callbacks mark, clear and notify it on the writing thread, while listeners may be added and
// removed from any thread.
class CaptureListeners {
 public:
  using Listener = std::function<void()>;

  std::uint64_t add(Listener listener);
  // A notification already under way on another thread may still reach the listener once.
  void remove(std::uint64_t id);

  // From the SQLite callbacks (never throw): a write was captured; the transaction rolled back; it committed.
  void markCaptured() noexcept { captured_.store(true, std::memory_order_relaxed); }
  void clearCaptured() noexcept { captured_.store(false, std::memory_order_relaxed); }
  void notifyIfCaptured() noexcept;

 private:
  using List = std::vector<std::pair<std::uint64_t, Listener>>;

  std::atomic<bool> captured_{false};
  std::mutex mutex_;
  std::uint64_t nextId_ = 1;
  // Copied on add/remove, so a notification calls a snapshot without holding the lock (a listener may remove itself).
  std::shared_ptr<const List> listeners_ = std::make_shared<const List>();
};

// Registers _sync_capture() (1 on the application's connection, 0 on the sync engine's, so rows applied from the
// server are not captured again) and _sync_hlc() (a fresh stamp from clock, which the connection keeps alive).
// A connection without them (for example the sqlite3 shell) cannot write tracked tables: the triggers fail.
// With listeners (the application's connection), every _sync_hlc() call marks a captured write, and the connection's
// rollback and WAL hooks clear it or notify the listeners once the transaction has committed. The WAL hook replaces
// SQLite's auto-checkpoint, so it checkpoints as SQLite would; `PRAGMA wal_autocheckpoint` on this connection would in
// turn replace the hook and silence the listeners.
void registerCaptureFunctions(Connection& connection, std::shared_ptr<HybridClock> clock, Capture capture,
                              std::shared_ptr<CaptureListeners> listeners = nullptr);

}  // namespace offline_sync::store
