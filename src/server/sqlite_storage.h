// The reference server's storage in one SQLite file: a write connection for pushes, a pool of readers for pulls.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "core/protocol/messages.h"
#include "core/store/connection.h"
#include "server/server_storage.h"
#include "server/sqlite_storage_readers.h"

namespace offline_sync::server {

class PushWriter;
class WalCheckpointer;

struct SqliteStorageOptions {
  // FULL by default: a push's answer tells the device to drop the change from its outbox, so a committed push must
  // survive power loss. NORMAL (in WAL mode: no fsync per commit) survives a killed process but may lose the newest
  // commits on power loss, which no device would send again; choose it only where the disk's cache is safe.
  store::Synchronous synchronous = store::Synchronous::full;
  // Pulls and latestCursor run on these, beside a push; callers beyond this many wait for a free one.
  std::size_t readerConnections = 4;
  int busyTimeoutMs = 5000;
  int writerPageCacheKiB = 64 * 1024;
  int readerPageCacheKiB = 16 * 1024;
  // WAL pages (4 KiB) not yet copied back into the file after which the checkpoint thread copies them; must be
  // positive. A WAL of 4 times this many pages is copied back by the committing push itself (WalCheckpointer).
  int walAutocheckpointPages = 10000;
  // Rows written since row_ids was last brought up to date are found through memory (a table of 32-byte slots, at
  // most half full: 8 MiB at 65,536); a push that leaves this many adds them to row_ids in one sorted pass
  // (row_finder.h). At 65,536 that push takes ~0.1–0.3 s longer, once per 65,536 changed rows, and writes each
  // row_ids leaf once instead of once per commit.
  std::size_t rowIndexFlushRows = 65536;
  // The per-change limits a push is checked against (changes beyond them are rejected).
  protocol::Limits limits;
};

class SqliteStorage final : public ServerStorage {
 public:
  // Opens (creating if missing) the file and its tables. Throws ERR_SCHEMA_TOO_NEW for a newer server's file.
  explicit SqliteStorage(const std::string& path, SqliteStorageOptions options = {});
  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  protocol::PushResponse push(std::string_view tenant, const protocol::PushRequest& request) override;
  protocol::PullResponse pull(std::string_view tenant, const protocol::PullRequest& request) override;
  std::int64_t latestCursor(std::string_view tenant) override;

 private:
  std::mutex writeMutex_;  // guards writer_ and pushWriter_
  std::unique_ptr<store::Connection> writer_;
  std::unique_ptr<PushWriter> pushWriter_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // after writer_: unhooks it before it closes
  ReaderPool readers_;
  protocol::Limits limits_;
};

}  // namespace offline_sync::server
