// One SQLite connection: opening with the product's pragmas, nested transactions, and a prepared-statement cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/store/statement.h"

namespace offline_sync::store {

enum class Synchronous { off, normal, full, extra };

struct OpenOptions {
  bool fileMustExist = false;
  int busyTimeoutMs = 5000;
  // FULL: a committed write survives power loss, not only a killed process.
  Synchronous synchronous = Synchronous::full;
  std::size_t statementCacheSize = 128;
  // SQLite's page cache per connection, in KiB, filled only as pages are used. SQLite's default (2 MiB) makes a large
  // write transaction spill and re-read pages; better-sqlite3 uses 16 MiB.
  int pageCacheKiB = 64 * 1024;
};

class Connection {
 public:
  Connection(const std::string& path, const OpenOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  const std::string& path() const noexcept { return path_; }
  bool isOpen() const noexcept { return db_.has_value(); }
  // Finalizes every statement prepared on this connection, then closes it. Idempotent.
  void close() noexcept;

  // Runs a script of any number of statements without parameters.
  void exec(std::string_view sql);
  // A statement owned by the caller; finalized when the connection closes.
  std::shared_ptr<Statement> prepare(std::string_view sql);
  // A statement from the LRU cache, keyed by its SQL text; a fresh one while the cached one is busy.
  std::shared_ptr<Statement> cached(std::string_view sql);
  std::size_t cachedCount() const noexcept { return cacheOrder_.size(); }

  std::int64_t changes() const;
  std::int64_t lastInsertRowid() const;

  // BEGIN IMMEDIATE at the outermost level, SAVEPOINT inside; commit/rollback end the innermost one.
  void begin();
  void commit();
  void rollback() noexcept;
  bool inTransaction() const;
  std::size_t transactionDepth() const noexcept { return savepointDepth_.size(); }

  sqlite3* handle() const;

 private:
  std::shared_ptr<Statement> track(std::shared_ptr<Statement> statement);

  std::string path_;
  std::optional<SQLite::Database> db_;
  std::size_t cacheCapacity_;
  // Most recently used first; the map points into the list.
  std::list<std::shared_ptr<Statement>> cacheOrder_;
  std::unordered_map<std::string_view, std::list<std::shared_ptr<Statement>>::iterator> cacheIndex_;
  // Every statement handed out, so close() can finalize them before the connection goes.
  std::vector<std::weak_ptr<Statement>> issued_;
  std::size_t pruneAt_ = 64;
  // One entry per open level: whether that level is a savepoint (true) or the outer BEGIN (false).
  std::vector<bool> savepointDepth_;
};

// Runs body between begin() and commit(), rolling back if it throws; returns what body returns.
template <typename Body>
auto withTransaction(Connection& connection, Body&& body) -> decltype(body()) {
  connection.begin();
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      connection.commit();
    } else {
      auto result = body();
      connection.commit();
      return result;
    }
  } catch (...) {
    connection.rollback();
    throw;
  }
}

}  // namespace offline_sync::store
