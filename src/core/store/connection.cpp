// Opening, closing and transaction nesting for one SQLite connection, plus its statement cache.
#include "core/store/connection.h"

#include <sqlite3.h>

#include <SQLiteCpp/Exception.h>
#include <algorithm>

#include "core/error.h"
#include "core/store/sqlite_error.h"

namespace offline_sync::store {
namespace {

std::string_view synchronousPragma(Synchronous mode) {
  switch (mode) {
    case Synchronous::off: return "PRAGMA synchronous=OFF";
    case Synchronous::normal: return "PRAGMA synchronous=NORMAL";
    case Synchronous::full: return "PRAGMA synchronous=FULL";
    case Synchronous::extra: return "PRAGMA synchronous=EXTRA";
  }
  return "PRAGMA synchronous=FULL";
}

std::string savepointName(std::size_t depth) { return "_sync_sp" + std::to_string(depth); }

}  // namespace

Connection::Connection(const std::string& path, const OpenOptions& options)
    : path_(path), cacheCapacity_(options.statementCacheSize) {
  if (path.empty()) throwInvalidArgument("The database path must not be empty");
  if (path.find('\0') != std::string::npos) throwInvalidArgument("The database path contains a NUL character");
  if (options.busyTimeoutMs < 0) throwInvalidArgument("The busy timeout must not be negative");
  // NOMUTEX: a connection is only ever used by the thread that owns it, so SQLite need not lock it.
  const int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (options.fileMustExist ? 0 : SQLite::OPEN_CREATE);
  try {
    db_.emplace(path, flags, options.busyTimeoutMs);
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode() >= 0 ? e.getExtendedErrorCode() : SQLITE_CANTOPEN;
    throw Error(ErrorCategory::sqlite, sqliteCodeName(code), std::string("Cannot open database '") + path + "': " + e.what());
  }
  sqlite3* db = db_->getHandle();
  sqlite3_extended_result_codes(db, 1);
  // WAL lets the sync engine's connection read and write beside the app's; it is a no-op for :memory:.
  exec("PRAGMA journal_mode=WAL");
  exec(synchronousPragma(options.synchronous));
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA cache_size=-" + std::to_string(options.pageCacheKiB));
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
  if (!db_) return;
  cacheIndex_.clear();
  cacheOrder_.clear();
  for (auto& weak : issued_) {
    if (auto statement = weak.lock()) statement->finalize();
  }
  issued_.clear();
  savepointDepth_.clear();
  // Every statement is finalized, so the close itself cannot be refused as busy; it rolls back an open transaction.
  db_.reset();
}

sqlite3* Connection::handle() const {
  if (!db_) throw Error(ErrorCategory::state, codes::closed, "The database connection is closed");
  return db_->getHandle();
}

void Connection::exec(std::string_view sql) {
  sqlite3* db = handle();
  if (sql.find('\0') != std::string_view::npos) throwInvalidArgument("The SQL text contains a NUL character");
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Error(ErrorCategory::sqlite, sqliteCodeName(sqlite3_extended_errcode(db)), what);
  }
}

std::shared_ptr<Statement> Connection::track(std::shared_ptr<Statement> statement) {
  if (issued_.size() >= pruneAt_) {
    std::erase_if(issued_, [](const std::weak_ptr<Statement>& weak) { return weak.expired(); });
    pruneAt_ = std::max<std::size_t>(64, issued_.size() * 2);
  }
  issued_.push_back(statement);
  return statement;
}

std::shared_ptr<Statement> Connection::prepare(std::string_view sql) {
  return track(std::make_shared<Statement>(handle(), sql, false));
}

std::shared_ptr<Statement> Connection::cached(std::string_view sql) {
  if (auto found = cacheIndex_.find(sql); found != cacheIndex_.end()) {
    auto position = found->second;
    if ((*position)->busy()) return prepare(sql);
    cacheOrder_.splice(cacheOrder_.begin(), cacheOrder_, position);
    return *position;
  }
  auto statement = track(std::make_shared<Statement>(handle(), sql, true));
  if (cacheCapacity_ == 0) return statement;
  cacheOrder_.push_front(statement);
  cacheIndex_.emplace(cacheOrder_.front()->sql(), cacheOrder_.begin());
  if (cacheOrder_.size() > cacheCapacity_) {
    cacheIndex_.erase(cacheOrder_.back()->sql());
    cacheOrder_.pop_back();
  }
  return statement;
}

std::int64_t Connection::changes() const { return sqlite3_changes64(handle()); }

std::int64_t Connection::lastInsertRowid() const { return sqlite3_last_insert_rowid(handle()); }

bool Connection::inTransaction() const { return sqlite3_get_autocommit(handle()) == 0; }

void Connection::begin() {
  // A transaction the application opened with exec("BEGIN") nests like ours: we add a savepoint inside it.
  const bool nested = inTransaction();
  if (nested) {
    exec("SAVEPOINT " + savepointName(savepointDepth_.size()));
  } else {
    savepointDepth_.clear();
    exec("BEGIN IMMEDIATE");
  }
  savepointDepth_.push_back(nested);
}

void Connection::commit() {
  if (!isOpen()) throw Error(ErrorCategory::state, codes::closed, "The database was closed inside the transaction");
  if (savepointDepth_.empty() || !inTransaction()) {
    savepointDepth_.clear();
    throw Error(ErrorCategory::state, codes::transactionState,
                "The transaction was already ended (by COMMIT or ROLLBACK inside the transaction function)");
  }
  const bool savepoint = savepointDepth_.back();
  exec(savepoint ? "RELEASE " + savepointName(savepointDepth_.size() - 1) : std::string("COMMIT"));
  savepointDepth_.pop_back();
}

void Connection::rollback() noexcept {
  if (savepointDepth_.empty()) return;
  const bool savepoint = savepointDepth_.back();
  const std::string name = savepointName(savepointDepth_.size() - 1);
  savepointDepth_.pop_back();
  if (!db_ || sqlite3_get_autocommit(db_->getHandle()) != 0) {
    // SQLite already rolled the whole transaction back (for example after SQLITE_FULL): nothing is left to undo.
    savepointDepth_.clear();
    return;
  }
  sqlite3* db = db_->getHandle();
  if (savepoint) {
    const std::string sql = "ROLLBACK TO " + name + "; RELEASE " + name;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  } else {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace offline_sync::store
