// SQLite scalar functions and hooks bound to one connection; no state outside the connection, the clock and the
// listeners it is given.
#include "core/store/capture_functions.h"

#include <sqlite3.h>

#include "core/store/column_stamps.h"
#include "core/store/sqlite_error.h"

namespace offline_sync::store {
namespace {

// SQLite's own auto-checkpoint threshold (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT), which our WAL hook takes over.
constexpr int kAutoCheckpointFrames = 1000;

void captureOn(sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_int(context, 1); }
void captureOff(sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_int(context, 0); }

// What _sync_hlc() needs: the clock, and on the application's connection the listeners to mark.
struct StampContext {
  std::shared_ptr<HybridClock> clock;
  std::shared_ptr<CaptureListeners> listeners;
};

void nextStamp(sqlite3_context* context, int, sqlite3_value**) {
  // No exception may cross SQLite's C frames: a failing wall clock fails the statement instead.
  try {
    const auto& stamp = *static_cast<StampContext*>(sqlite3_user_data(context));
    sqlite3_result_int64(context, static_cast<sqlite3_int64>(stamp.clock->now()));
    // The triggers call _sync_hlc() exactly when they add or amend an outbox entry (not for an UPDATE that changes
    // no tracked column, nor for a delete that only cancels an unsent insert): precisely the writes to push.
    if (stamp.listeners) stamp.listeners->markCaptured();
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

// _sync_fold_stamps(old_columns, old_hlc, old_column_hlcs, new_columns, new_hlc): the column_hlcs of an outbox entry
// after a newer write of new_columns is folded into it (NULL when every column has the entry's stamp).
void foldStamps(sqlite3_context* context, int, sqlite3_value** args) {
  try {
    const auto* oldText = reinterpret_cast<const char*>(sqlite3_value_text(args[2]));
    const StampedColumns older{sqlite3_value_int64(args[0]), static_cast<HlcStamp>(sqlite3_value_int64(args[1])),
                               oldText == nullptr ? ColumnStamps{} : parseColumnStamps(oldText)};
    const StampedColumns newer{sqlite3_value_int64(args[3]), static_cast<HlcStamp>(sqlite3_value_int64(args[4])), {}};
    const std::string folded = formatColumnStamps(foldColumnStamps(older, newer));
    if (folded.empty()) {
      sqlite3_result_null(context);
    } else {
      sqlite3_result_text(context, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
    }
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

// SQLite calls this when the function is replaced or the connection closes.
void releaseStampContext(void* holder) { std::unique_ptr<StampContext>(static_cast<StampContext*>(holder)); }

void afterRollback(void* listeners) { static_cast<CaptureListeners*>(listeners)->clearCaptured(); }

// Runs after each commit in WAL mode, once the write lock is released: another connection reading the outbox now
// sees the committed entries.
int afterCommit(void* listeners, sqlite3* db, const char* dbName, int frames) {
  if (frames >= kAutoCheckpointFrames) {
    // As SQLite's default hook: a passive checkpoint never waits, and a failed one is simply retried next commit.
    sqlite3_wal_checkpoint_v2(db, dbName, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  static_cast<CaptureListeners*>(listeners)->notifyIfCaptured();
  return SQLITE_OK;
}

}  // namespace

std::uint64_t CaptureListeners::add(Listener listener) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*listeners_);
  const std::uint64_t id = nextId_++;
  next->emplace_back(id, std::move(listener));
  listeners_ = std::move(next);
  return id;
}

void CaptureListeners::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*listeners_);
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  listeners_ = std::move(next);
}

void CaptureListeners::notifyIfCaptured() noexcept {
  if (!captured_.exchange(false, std::memory_order_relaxed)) return;
  std::shared_ptr<const List> snapshot;
  try {
    std::lock_guard lock(mutex_);
    snapshot = listeners_;
  } catch (...) {
    return;  // a lock that cannot be taken: the next commit notifies
  }
  for (const auto& [id, listener] : *snapshot) {
    // Called from inside SQLite's commit: nothing may propagate, and one listener's failure must not starve the rest.
    try {
      listener();
    } catch (...) {
    }
  }
}

void registerCaptureFunctions(Connection& connection, std::shared_ptr<HybridClock> clock, Capture capture,
                              std::shared_ptr<CaptureListeners> listeners) {
  sqlite3* db = connection.handle();
  // Innocuous: usable from triggers even with trusted_schema off. Deterministic: constant on one connection.
  checkSqlite(db,
              sqlite3_create_function_v2(db, "_sync_capture", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                         nullptr, capture == Capture::on ? captureOn : captureOff, nullptr, nullptr,
                                         nullptr),
              "registering _sync_capture");
  checkSqlite(db,
              sqlite3_create_function_v2(db, "_sync_fold_stamps", 5,
                                         SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, foldStamps,
                                         nullptr, nullptr, nullptr),
              "registering _sync_fold_stamps");
  CaptureListeners* hooked = listeners.get();
  // SQLite owns the holder from here on, and releases it through releaseStampContext even when registration fails.
  auto holder = std::make_unique<StampContext>(StampContext{std::move(clock), std::move(listeners)});
  checkSqlite(db,
              sqlite3_create_function_v2(db, "_sync_hlc", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, holder.release(),
                                         nextStamp, nullptr, nullptr, releaseStampContext),
              "registering _sync_hlc");
  if (hooked != nullptr) {
    // The hooks get a plain pointer: the caller keeps the listeners alive for as long as the connection is open.
    sqlite3_rollback_hook(db, afterRollback, hooked);
    sqlite3_wal_hook(db, afterCommit, hooked);
  }
}

}  // namespace offline_sync::store
