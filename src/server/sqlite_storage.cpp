// Opening the storage, pushes serialized on the write connection, pulls and cursors on pooled readers. In WAL mode a
// reader sees the last committed push and never waits for the one in progress; a thread of its own copies the WAL
// back into the file (WalCheckpointer).
#include "server/sqlite_storage.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "core/protocol/codec.h"
#include "core/store/statement.h"
#include "server/row_codec.h"
#include "server/sqlite_storage_checks.h"
#include "server/sqlite_storage_push.h"
#include "server/sqlite_storage_schema.h"
#include "server/wal_checkpointer.h"

namespace offline_sync::server {
namespace {

// One statement, so the page and `more` come from one snapshot. The scalar subquery runs once; the rest is a range
// scan of the rows b-tree, which is clustered by (tenant, version).
constexpr std::string_view kPageSql =
    "SELECT version, tbl, row_id, deleted, data FROM rows "
    "WHERE tenant = (SELECT id FROM tenants WHERE name = ?1) AND version > ?2 ORDER BY version LIMIT ?3";
constexpr std::string_view kSeqSql = "SELECT seq FROM tenants WHERE name = ?1";

store::OpenOptions writerOptions(const SqliteStorageOptions& options) {
  store::OpenOptions open;
  open.busyTimeoutMs = options.busyTimeoutMs;
  open.synchronous = options.synchronous;
  open.pageCacheKiB = options.writerPageCacheKiB;
  return open;
}

store::OpenOptions readerOptions(const SqliteStorageOptions& options) {
  store::OpenOptions open;
  open.fileMustExist = true;  // the writer created it
  open.busyTimeoutMs = options.busyTimeoutMs;
  open.synchronous = options.synchronous;
  open.pageCacheKiB = options.readerPageCacheKiB;
  open.statementCacheSize = 8;
  return open;
}

}  // namespace

SqliteStorage::SqliteStorage(const std::string& path, SqliteStorageOptions options)
    : writer_(std::make_unique<store::Connection>(path, writerOptions(options))),
      readers_(path, readerOptions(options), options.readerConnections),
      limits_(options.limits) {
  if (options.walAutocheckpointPages <= 0) throwInvalidArgument("walAutocheckpointPages must be positive");
  if (options.rowIndexFlushRows == 0) throwInvalidArgument("rowIndexFlushRows must be positive");
  createStorageSchema(*writer_);
  pushWriter_ = std::make_unique<PushWriter>(*writer_, options.rowIndexFlushRows, options.limits.maxRowBytes);
  checkpointer_ = std::make_unique<WalCheckpointer>(path, readerOptions(options), *writer_,
                                                    options.walAutocheckpointPages);
}

SqliteStorage::~SqliteStorage() = default;

protocol::PushResponse SqliteStorage::push(std::string_view tenant, const protocol::PushRequest& request) {
  // Outside the lock: checks and hashes need only the request, so they overlap another push's transaction.
  const std::vector<CheckedChange> checked = checkChanges(request, limits_);
  std::lock_guard lock(writeMutex_);
  return pushWriter_->push(tenant, request, checked);
}

protocol::PullResponse SqliteStorage::pull(std::string_view tenant, const protocol::PullRequest& request) {
  protocol::PullResponse response;
  response.cursor = request.cursor;
  // LIMIT limit + 1 tells whether more rows follow without a second query.
  const auto limit = static_cast<std::int64_t>(
      std::min<std::size_t>(request.limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max() - 1)));

  auto reader = readers_.acquire();
  auto page = reader->cached(kPageSql);
  store::ResetOnExit reset(*page);
  page->bindText(1, tenant);
  page->bindInt64(2, request.cursor);
  page->bindInt64(3, limit + 1);
  std::size_t pageBytes = 0;
  while (page->step()) {
    if (static_cast<std::int64_t>(response.rows.size()) == limit) {
      response.more = true;
      break;
    }
    protocol::RowState row;
    row.version = page->columnInt64(0);
    row.table = page->columnText(1);
    row.row = page->columnText(2);
    row.deleted = page->columnInt64(3) != 0;
    RowData data = decodeRow(page->columnBlob(4), row.table, row.row);
    row.columns = std::move(data.columns);
    row.stamps = std::move(data.stamps);
    pageBytes += protocol::approximateRowBytes(row);
    // The row that would take the page past its byte bound starts the next page instead; a page has at least one.
    if (pageBytes > limits_.maxPullPageBytes && !response.rows.empty()) {
      response.more = true;
      break;
    }
    response.rows.push_back(std::move(row));
  }
  if (!response.rows.empty()) response.cursor = response.rows.back().version;
  return response;
}

std::int64_t SqliteStorage::latestCursor(std::string_view tenant) {
  auto reader = readers_.acquire();
  auto statement = reader->cached(kSeqSql);
  store::ResetOnExit reset(*statement);
  statement->bindText(1, tenant);
  return statement->step() ? statement->columnInt64(0) : 0;
}

}  // namespace offline_sync::server
