// Copies the server's WAL back into the database file on a thread of its own.
//
// SQLite's auto-checkpoint runs inside the commit that crosses its threshold: inside a push, with the storage's
// write lock held, so every other push waits for the copy and the file's fsync. Here a commit only wakes the thread,
// which runs a PASSIVE checkpoint (it never blocks the writer or a reader) on its own connection. Should the WAL still
// reach kHardLimitFactor times the threshold (the thread cannot keep up, or a long read pins old frames), the
// committing connection checkpoints too, as SQLite would; the thread has copied most frames by then.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "core/store/connection.h"

struct sqlite3;

namespace offline_sync::server {

class WalCheckpointer {
 public:
  static constexpr int kHardLimitFactor = 4;

  // Opens its own connection to path (in WAL mode, as writer) and hooks writer's commits: once `pages` WAL pages
  // have not been copied back, the thread checkpoints. writer must outlive this object.
  WalCheckpointer(const std::string& path, const store::OpenOptions& options, store::Connection& writer, int pages);
  // Unhooks the writer, then stops and joins the thread.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints the thread has completed.
  std::uint64_t checkpoints() const noexcept { return checkpoints_.load(std::memory_order_relaxed); }

 private:
  // SQLite's WAL hook: runs on the writer's thread after each commit, with frames the WAL's length in pages.
  static int afterCommit(void* self, sqlite3* db, const char* dbName, int frames);
  void run(const std::stop_token& stop);

  store::Connection& writer_;
  const int pages_;
  store::Connection connection_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool due_ = false;                 // guarded by mutex_
  std::atomic<int> copied_{0};       // WAL frames the thread's last checkpoint had copied back
  std::atomic<std::uint64_t> checkpoints_{0};
  std::jthread thread_;              // last: starts once the rest exists, and is stopped first
};

}  // namespace offline_sync::server
