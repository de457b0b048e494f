#include "server/row_finder.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "server/row_codec.h"

namespace offline_sync::server {

RowFinder::RowFinder(store::Connection& connection, std::size_t flushRows)
    : connection_(connection), flushRows_(std::max<std::size_t>(1, flushRows)) {
  // Held for the finder's life (cached() marks them persistent for SQLite); nothing else runs them.
  dataVersion_ = connection_.cached("PRAGMA data_version");
  selectRecentRow_ = connection_.cached(
      "SELECT deleted, data FROM rows WHERE tenant = ?1 AND version = ?2 AND tbl = ?3 AND row_id = ?4");
  // CROSS JOIN keeps row_ids outer: its key prefix finds the candidates, each then one lookup in rows.
  selectIndexedRow_ = connection_.cached(
      "SELECT r.version, r.deleted, r.data FROM row_ids AS i CROSS JOIN rows AS r "
      "ON r.tenant = i.tenant AND r.version = i.version "
      "WHERE i.id_hash = ?2 AND i.tenant = ?1 AND r.tbl = ?3 AND r.row_id = ?4");
  // Entries of rows rewritten since they were added point at versions no row has any more: a pass removes them
  // beside the new entry, on the same leaf, instead of a push dirtying a random leaf per rewrite.
  deleteDeadRowIds_ = connection_.cached(
      "DELETE FROM row_ids WHERE id_hash = ?2 AND tenant = ?1 AND version < ?3 "
      "AND NOT EXISTS (SELECT 1 FROM rows WHERE rows.tenant = ?1 AND rows.version = row_ids.version)");
  // OR IGNORE: the key is the whole entry, so one already there (a repaired file, say) is the one wanted.
  insertRowId_ = connection_.cached("INSERT OR IGNORE INTO row_ids (id_hash, tenant, version) VALUES (?2, ?1, ?3)");
  markIndexed_ = connection_.cached("UPDATE tenants SET indexed_seq = seq WHERE id = ?1");
}

void RowFinder::begin() {
  std::int64_t dataVersion = 0;
  {
    store::ResetOnExit reset(*dataVersion_);
    dataVersion_->step();
    dataVersion = dataVersion_->columnInt64(0);
  }
  if (dataVersion == seenDataVersion_) return;
  // First use, or another connection committed since our last transaction: what it wrote is not in recent_.
  recent_.clear();
  auto rows = connection_.prepare(
      "SELECT r.tenant, r.id_hash, r.version FROM tenants AS t CROSS JOIN rows AS r "
      "ON r.tenant = t.id AND r.version > t.indexed_seq");
  // Whether row_ids still holds an earlier version of these rows is not known: the next pass looks.
  while (rows->step()) recent_.add(rows->columnInt64(0), rows->columnInt64(1), rows->columnInt64(2), true);
  recent_.commit();  // the file's committed state: nothing for a rollback to undo
  rebuildFilter();
  seenDataVersion_ = dataVersion;
}

void RowFinder::rebuildFilter() {
  auto count = connection_.prepare("SELECT count(*) FROM row_ids");
  const std::int64_t entries = count->step() ? count->columnInt64(0) : 0;
  RowIdFilter filter(2 * static_cast<std::size_t>(entries) + flushRows_);
  auto keys = connection_.prepare("SELECT tenant, id_hash FROM row_ids");
  while (keys->step()) filter.add(keys->columnInt64(0), keys->columnInt64(1));
  filter_ = std::move(filter);
}

std::optional<RowFinder::Found> RowFinder::find(std::int64_t tenant, std::string_view table, std::string_view rowId,
                                                std::int64_t idHash) {
  candidates_.clear();
  recent_.versions(tenant, idHash, candidates_);
  for (const std::int64_t version : candidates_) {
    store::ResetOnExit reset(*selectRecentRow_);
    selectRecentRow_->bindInt64(1, tenant);
    selectRecentRow_->bindInt64(2, version);
    selectRecentRow_->bindTextUnowned(3, table);
    selectRecentRow_->bindTextUnowned(4, rowId);
    if (!selectRecentRow_->step()) continue;  // another row with the same id hash
    return Found{readRow(*selectRecentRow_, 0, version, table, rowId), Home::recent};
  }
  // Not recent, so row_ids holds it if the row exists; most new rows' ids are certainly not there.
  if (!filter_.mayContain(tenant, idHash)) return std::nullopt;
  store::ResetOnExit reset(*selectIndexedRow_);
  selectIndexedRow_->bindInt64(1, tenant);
  selectIndexedRow_->bindInt64(2, idHash);
  selectIndexedRow_->bindTextUnowned(3, table);
  selectIndexedRow_->bindTextUnowned(4, rowId);
  if (!selectIndexedRow_->step()) return std::nullopt;
  return Found{readRow(*selectIndexedRow_, 1, selectIndexedRow_->columnInt64(0), table, rowId), Home::indexed};
}

void RowFinder::inserted(std::int64_t tenant, std::int64_t idHash, std::int64_t version) {
  recent_.add(tenant, idHash, version);
}

void RowFinder::rewritten(std::int64_t tenant, std::int64_t idHash, Home home, std::int64_t previousVersion,
                          std::int64_t version) {
  if (home == Home::recent) {
    recent_.move(tenant, idHash, previousVersion, version);
  } else {
    recent_.add(tenant, idHash, version, true);  // its row_ids entry is now dead: the next pass removes it
  }
}

bool RowFinder::flushIfDue() {
  if (recent_.size() < flushRows_) return false;
  const std::vector<RecentRowIndex::Entry> entries = recent_.sorted();
  std::vector<std::int64_t> tenants;
  for (const auto& entry : entries) tenants.push_back(entry.tenant);
  std::sort(tenants.begin(), tenants.end());
  tenants.erase(std::unique(tenants.begin(), tenants.end()), tenants.end());
  for (const std::int64_t tenant : tenants) {
    store::ResetOnExit reset(*markIndexed_);
    markIndexed_->bindInt64(1, tenant);
    markIndexed_->step();
  }
  for (const auto& entry : entries) {
    if (entry.replacesIndexed) {
      store::ResetOnExit reset(*deleteDeadRowIds_);
      deleteDeadRowIds_->bindInt64(1, entry.tenant);
      deleteDeadRowIds_->bindInt64(2, entry.idHash);
      deleteDeadRowIds_->bindInt64(3, entry.version);
      deleteDeadRowIds_->step();
    }
    store::ResetOnExit reset(*insertRowId_);
    insertRowId_->bindInt64(1, entry.tenant);
    insertRowId_->bindInt64(2, entry.idHash);
    insertRowId_->bindInt64(3, entry.version);
    insertRowId_->step();
    filter_.add(entry.tenant, entry.idHash);  // stays if the push rolls back: a false positive only
  }
  if (filter_.crowded()) rebuildFilter();
  return true;
}

void RowFinder::committed(bool flushed) noexcept {
  if (flushed) {
    recent_.clear();
  } else {
    recent_.commit();
  }
}

merge::ServerRow RowFinder::readRow(store::Statement& statement, int firstColumn, std::int64_t version,
                                    std::string_view table, std::string_view rowId) {
  merge::ServerRow row;
  row.version = version;
  const std::int64_t deleted = statement.columnInt64(firstColumn);
  RowData data = decodeRow(statement.columnBlob(firstColumn + 1), table, rowId);
  // Every delete stores its stamp; a mismatch means the row was not written by this code.
  if ((deleted != 0 && deleted != 1) || (deleted == 1) != data.deletion.has_value()) {
    throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW",
                "A stored row's deleted flag does not match its data (table '" + std::string(table) + "', row '" +
                    std::string(rowId) + "')");
  }
  row.deleted = deleted == 1;
  row.columns = std::move(data.columns);
  row.stamps = std::move(data.stamps);
  if (data.deletion) row.deletion = std::move(*data.deletion);
  return row;
}

}  // namespace offline_sync::server
