#include "server/wal_checkpointer.h"

#include <sqlite3.h>

#include "core/error.h"

namespace offline_sync::server {

WalCheckpointer::WalCheckpointer(const std::string& path, const store::OpenOptions& options,
                                 store::Connection& writer, int pages)
    : writer_(writer), pages_(pages), connection_(path, options) {
  if (pages <= 0) throwInvalidArgument("the WAL checkpoint threshold must be positive");
  // A connection opens the WAL with its first read; a checkpoint on one that has not would find nothing to copy.
  connection_.exec("SELECT count(*) FROM sqlite_schema");
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  // Replaces SQLite's auto-checkpoint on the writer.
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::afterCommit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  thread_.request_stop();
  thread_.join();
}

int WalCheckpointer::afterCommit(void* self, sqlite3* db, const char* dbName, int frames) {
  auto& checkpointer = *static_cast<WalCheckpointer*>(self);
  // The WAL starts over once everything was copied back: then nothing of it is copied yet.
  int copied = checkpointer.copied_.load(std::memory_order_relaxed);
  if (frames < copied) {
    checkpointer.copied_.store(0, std::memory_order_relaxed);
    copied = 0;
  }
  if (frames >= kHardLimitFactor * checkpointer.pages_) {
    // As SQLite's own hook: a passive checkpoint never waits, and a failed one is retried after the next commit.
    sqlite3_wal_checkpoint_v2(db, dbName, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames - copied >= checkpointer.pages_) {
    try {
      std::lock_guard lock(checkpointer.mutex_);
      checkpointer.due_ = true;
    } catch (...) {
      return SQLITE_OK;  // inside SQLite's commit nothing may propagate; the next commit wakes the thread
    }
    checkpointer.wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!wake_.wait(lock, stop, [this] { return due_; })) return;  // stop requested
    due_ = false;
    lock.unlock();
    int walFrames = 0;
    int copied = 0;
    // A failure (another checkpoint running, say) leaves the frames in the WAL for the next one.
    if (sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied) ==
        SQLITE_OK) {
      copied_.store(copied, std::memory_order_relaxed);
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

}  // namespace offline_sync::server
