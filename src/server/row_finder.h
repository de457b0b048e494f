// Finds a tenant's stored row by table and id, and keeps the two ways of finding it up to date: the recent row index
// (rows written since the last pass, in memory) and row_ids (the rest, on disk); see sqlite_storage_schema.cpp.
// A rewritten row becomes recent. Its row_ids entry stays until the next pass, pointing at a version no row has:
// versions are never reused, and a lookup joins row_ids to rows, so such an entry never matches. Another connection
// that commits to the file (a second server process, a repair, a TRUNCATE checkpoint) changes PRAGMA data_version:
// the next transaction then rebuilds the recent index from the rows above each tenant's indexed_seq, and the filter
// that spares new rows a row_ids lookup from row_ids itself: right, but a scan of both.
//
// Used inside the push writer's transaction: begin() first, then find / inserted / rewritten, flushIfDue() last,
// then committed() or rolledBack() once the transaction has ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/merge/resolve.h"
#include "core/store/connection.h"
#include "server/recent_row_index.h"
#include "server/row_id_filter.h"

namespace offline_sync::server {

class RowFinder {
 public:
  enum class Home { recent, indexed };  // where find() found a row
  struct Found {
    merge::ServerRow row;
    Home home = Home::recent;
  };

  // connection must outlive the finder and hold the storage schema. A transaction that leaves at least flushRows
  // recent rows adds them all to row_ids (flushIfDue).
  RowFinder(store::Connection& connection, std::size_t flushRows);

  // Rebuilds the recent index if the file changed behind it (or on first use). Inside the transaction.
  void begin();
  std::optional<Found> find(std::int64_t tenant, std::string_view table, std::string_view rowId, std::int64_t idHash);
  // A new row was written at version.
  void inserted(std::int64_t tenant, std::int64_t idHash, std::int64_t version);
  // A row find() returned (from `home`, at previousVersion) was written again at version.
  void rewritten(std::int64_t tenant, std::int64_t idHash, Home home, std::int64_t previousVersion,
                 std::int64_t version);
  // Adds every recent row to row_ids (removing the dead entries of the same ids) and moves each tenant's indexed_seq
  // up to its seq, when there are enough. The caller has written its tenants' seq. True when it did.
  bool flushIfDue();
  // After the transaction: flushed is what flushIfDue() answered.
  void committed(bool flushed) noexcept;
  void rolledBack() noexcept { recent_.rollback(); }

 private:
  // Fills filter_ from row_ids, sized with room for the passes to come.
  void rebuildFilter();
  merge::ServerRow readRow(store::Statement& statement, int firstColumn, std::int64_t version, std::string_view table,
                           std::string_view rowId);

  store::Connection& connection_;
  const std::size_t flushRows_;
  RecentRowIndex recent_;
  RowIdFilter filter_;  // every (tenant, id hash) in row_ids, and some that are not
  std::vector<std::int64_t> candidates_;  // find()'s scratch list of recent versions
  std::int64_t seenDataVersion_ = -1;     // PRAGMA data_version when recent_ last matched the file
  std::shared_ptr<store::Statement> dataVersion_;
  std::shared_ptr<store::Statement> selectRecentRow_;
  std::shared_ptr<store::Statement> selectIndexedRow_;
  std::shared_ptr<store::Statement> deleteDeadRowIds_;
  std::shared_ptr<store::Statement> insertRowId_;
  std::shared_ptr<store::Statement> markIndexed_;
};

}  // namespace offline_sync::server
