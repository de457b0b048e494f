// A push in one BEGIN IMMEDIATE transaction: per change, the row is loaded and settled by merge::resolve, the answer
// recorded under the change id, and the row written with the tenant's next sequence number; a change id recorded
// before gets its recorded answer instead, and nothing is written. The statements are prepared once, so a change
// costs a few b-tree lookups and two writes. Values are bound without a copy: each outlives the step, and every
// statement is reset (ResetOnExit) before its values go away. Rows are found by id through a RowFinder.
#include "server/sqlite_storage_push.h"

#include <chrono>

#include "core/error.h"
#include "core/protocol/codec.h"
#include "core/protocol/rule_breaks.h"
#include "server/sqlite_storage_checks.h"
#include "server/sqlite_storage_schema.h"

namespace offline_sync::server {
namespace {

using protocol::PushResult;
using protocol::PushStatus;

std::int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::span<const std::byte> asBytes(const store::Blob& blob) { return {blob.data(), blob.size()}; }

protocol::RowState rowState(std::string_view table, std::string_view rowId, const merge::ServerRow& row) {
  protocol::RowState state;
  state.table = table;
  state.row = rowId;
  state.version = row.version;
  state.deleted = row.deleted;
  state.columns = row.columns;
  state.stamps = row.stamps;
  return state;
}

PushResult rejected(const std::string& id, Rejection rejection) {
  PushResult result;
  result.id = id;
  result.status = PushStatus::rejected;
  result.code = std::move(rejection.code);
  result.reason = std::move(rejection.reason);
  return result;
}

// Writes the columns resolve chose, with the change's stamp and the new version, into the working row.
void applyColumns(merge::ServerRow& row, const merge::Resolution& resolution, const protocol::WireChange& change,
                  const protocol::ColumnStamp& stamp) {
  row.columns.reserve(row.columns.size() + resolution.apply.size());
  row.stamps.reserve(row.stamps.size() + resolution.apply.size());
  for (const auto& name : resolution.apply) {
    const store::ColumnValue* source = nullptr;
    for (const auto& column : change.columns) {
      if (column.name == name) {
        source = &column;
        break;
      }
    }
    if (source == nullptr) {
      throw Error(ErrorCategory::internal, codes::internal, "The merge applied column '" + name + "', which change " +
                                                                change.id + " does not have");
    }
    std::size_t index = 0;
    while (index < row.columns.size() && row.columns[index].name != name) ++index;
    // Each column keeps the stamp of its own write (older than the change's for a column it folded in earlier).
    protocol::ColumnStamp columnStamp = stamp;
    columnStamp.hlc = change.columnHlc(name);
    if (index == row.columns.size()) {
      row.columns.push_back(*source);
      row.stamps.push_back(std::move(columnStamp));
    } else {
      row.columns[index].value = source->value;
      row.stamps[index] = std::move(columnStamp);
    }
  }
}

}  // namespace

PushWriter::PushWriter(store::Connection& connection, std::size_t indexFlushRows, std::size_t maxRowBytes)
    : connection_(connection), finder_(connection, indexFlushRows), maxRowBytes_(maxRowBytes) {
  // Held for the writer's life (cached() marks them persistent for SQLite); nothing else runs them.
  selectTenant_ = connection_.cached("SELECT id, seq FROM tenants WHERE name = ?1");
  insertTenant_ = connection_.cached("INSERT INTO tenants (name, seq) VALUES (?1, 0)");
  updateSeq_ = connection_.cached("UPDATE tenants SET seq = ?2 WHERE id = ?1");
  selectSeen_ = connection_.cached(
      "SELECT status, version, tbl, row_id, columns, code, reason FROM seen WHERE tenant = ?1 AND change_id = ?2");
  insertSeen_ = connection_.cached(
      "INSERT INTO seen (tenant, change_id, status, version, tbl, row_id, columns, code, reason, seen_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (tenant, change_id) DO NOTHING");
  insertRow_ = connection_.cached(
      "INSERT INTO rows (tenant, version, tbl, row_id, deleted, data, id_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  // The version is the primary key's second half: the row moves to the tenant's end of the b-tree.
  updateRow_ = connection_.cached("UPDATE rows SET version = ?3, deleted = ?4, data = ?5 WHERE tenant = ?1 AND version = ?2");
}

protocol::PushResponse PushWriter::push(std::string_view tenantName, const protocol::PushRequest& request,
                                       std::span<const CheckedChange> checked) {
  if (checked.size() != request.changes.size()) {
    throw Error(ErrorCategory::internal, codes::internal, "A push's checks do not match its changes");
  }
  protocol::PushResponse response;
  response.results.reserve(request.changes.size());
  bool flushed = false;
  try {
    store::withTransaction(connection_, [&] {
      finder_.begin();
      flushed = applyAll(tenantName, request, checked, response);
    });
  } catch (...) {
    finder_.rolledBack();
    throw;
  }
  finder_.committed(flushed);
  return response;
}

bool PushWriter::applyAll(std::string_view tenantName, const protocol::PushRequest& request,
                          std::span<const CheckedChange> checked, protocol::PushResponse& response) {
  Tenant tenant = loadTenant(tenantName, !request.changes.empty());
  const std::int64_t before = tenant.seq;
  now_ = nowMs();
  for (std::size_t i = 0; i < checked.size(); ++i) {
    response.results.push_back(applyChange(tenant, request.changes[i], checked[i], request.deviceId));
  }
  if (tenant.seq != before) {
    store::ResetOnExit reset(*updateSeq_);
    updateSeq_->bindInt64(1, tenant.id);
    updateSeq_->bindInt64(2, tenant.seq);
    updateSeq_->step();
  }
  response.cursor = tenant.seq;
  return finder_.flushIfDue();
}

PushWriter::Tenant PushWriter::loadTenant(std::string_view name, bool create) {
  Tenant tenant;
  {
    store::ResetOnExit reset(*selectTenant_);
    selectTenant_->bindText(1, name);
    if (selectTenant_->step()) {
      tenant.id = selectTenant_->columnInt64(0);
      tenant.seq = selectTenant_->columnInt64(1);
      return tenant;
    }
  }
  if (!create) return tenant;
  store::ResetOnExit reset(*insertTenant_);
  insertTenant_->bindText(1, name);
  insertTenant_->step();
  tenant.id = connection_.lastInsertRowid();
  return tenant;
}

PushResult PushWriter::applyChange(Tenant& tenant, const protocol::WireChange& change, const CheckedChange& checked,
                                   std::string_view deviceId) {
  if (!checked.ownId) {
    return rejected(change.id, {std::string(protocol::rejection_codes::changeId),
                                "the change id is malformed or names another device"});
  }
  // The answer is worked out first and recorded only if the change id is new (ON CONFLICT DO NOTHING); a change id
  // seen before gets its recorded answer and nothing is written. New ids are the common case: this spares them a
  // lookup of `seen` each, and a replay pays for the answer it throws away.
  if (checked.rejection) {
    PushResult result = rejected(change.id, *checked.rejection);
    if (!record(tenant, change, result)) return replayed(tenant, change.id);
    return result;
  }

  const std::int64_t idHash = checked.idHash;
  std::optional<RowFinder::Found> found = finder_.find(tenant.id, change.table, change.row, idHash);
  std::optional<merge::ServerRow> current;
  if (found) current = std::move(found->row);
  const merge::Resolution resolution = merge::resolve(current, change, deviceId);
  const std::optional<std::int64_t> previousVersion =
      current ? std::optional<std::int64_t>(current->version) : std::nullopt;
  if (resolution.rowChanged) {
    // The working row becomes the row after the change; resolve has seen the row as it was.
    const bool wasDeleted = current && current->deleted;
    merge::ServerRow& row = current ? *current : current.emplace();
    const std::int64_t version = tenant.seq + 1;  // taken once the change is known to be new
    const protocol::ColumnStamp stamp{change.hlc, std::string(deviceId), version};
    applyColumns(row, resolution, change, stamp);
    // A row deleted before keeps the stamp of the delete that removed it.
    if (resolution.deletedAfter && !wasDeleted) row.deletion = stamp;
    if (!resolution.deletedAfter) row.deletion = {};
    row.deleted = resolution.deletedAfter;
    row.version = version;
    if (auto tooLarge = rowTooLarge(tenant, change, idHash, row)) {
      PushResult result = rejected(change.id, std::move(*tooLarge));
      if (!record(tenant, change, result)) return replayed(tenant, change.id);
      return result;
    }
  }

  PushResult result;
  result.id = change.id;
  result.status = resolution.status;
  if (resolution.status != PushStatus::conflict) result.version = current ? current->version : 0;
  result.overrode = resolution.overrode;
  if (resolution.status == PushStatus::merged || resolution.status == PushStatus::conflict) {
    if (!current) {
      throw Error(ErrorCategory::internal, codes::internal,
                  "The merge answered change " + change.id + " with a row the server does not have");
    }
    result.columns = resolution.kept;
    result.row = rowState(change.table, change.row, *current);
  }
  if (!record(tenant, change, result)) return replayed(tenant, change.id);
  if (resolution.rowChanged) {
    tenant.seq = current->version;
    writeRow(tenant, change, idHash, *current, previousVersion);
    if (previousVersion) {
      finder_.rewritten(tenant.id, idHash, found->home, *previousVersion, current->version);
    } else {
      finder_.inserted(tenant.id, idHash, current->version);
    }
  }
  return result;
}

// Each value is within the value limit, but a row gathers columns over many changes: past maxRowBytes_ it could not
// be sent in a pull page or a push answer a client accepts. A row already past it (written under a larger limit) may
// still shrink.
std::optional<Rejection> PushWriter::rowTooLarge(const Tenant& tenant, const protocol::WireChange& change,
                                                 std::int64_t idHash, const merge::ServerRow& after) {
  const std::size_t bytes =
      protocol::approximateRowBytes(change.table, change.row, after.version, after.columns, after.stamps);
  if (bytes <= maxRowBytes_) return std::nullopt;
  if (const auto before = finder_.find(tenant.id, change.table, change.row, idHash)) {
    const merge::ServerRow& row = before->row;
    if (bytes <= protocol::approximateRowBytes(change.table, change.row, row.version, row.columns, row.stamps)) {
      return std::nullopt;
    }
  }
  return Rejection{std::string(protocol::rejection_codes::tooLarge),
                   "the row would take " + std::to_string(bytes) + " bytes, over the limit of " +
                       std::to_string(maxRowBytes_)};
}

PushResult PushWriter::replayed(const Tenant& tenant, const std::string& changeId) {
  auto recorded = recordedResult(tenant, changeId);
  if (!recorded) {
    throw Error(ErrorCategory::internal, codes::internal,
                "Change " + changeId + " is recorded as seen, but its answer cannot be read");
  }
  return std::move(*recorded);
}

std::optional<PushResult> PushWriter::recordedResult(const Tenant& tenant, const std::string& changeId) {
  PushResult result;
  std::string table;
  std::string rowId;
  {
    store::ResetOnExit reset(*selectSeen_);
    selectSeen_->bindInt64(1, tenant.id);
    selectSeen_->bindTextUnowned(2, changeId);
    if (!selectSeen_->step()) return std::nullopt;
    result.id = changeId;
    result.status = statusFromStored(selectSeen_->columnInt64(0));
    result.version = selectSeen_->columnInt64(1);
    table = selectSeen_->columnText(2);
    rowId = selectSeen_->columnText(3);
    // One stored list: kept or conflicting names as they are, overridden ones marked with a leading '+' (names are
    // identifiers, so no name starts with it).
    for (auto& name : decodeNames(selectSeen_->columnBlob(4))) {
      if (!name.empty() && name.front() == '+') {
        result.overrode.push_back(name.substr(1));
      } else {
        result.columns.push_back(std::move(name));
      }
    }
    result.code = selectSeen_->columnText(5);
    result.reason = selectSeen_->columnText(6);
  }
  // The row as it is now, not as it was: the newest state is what the device needs to settle its copy.
  if (result.status == PushStatus::merged || result.status == PushStatus::conflict) {
    auto row = finder_.find(tenant.id, table, rowId, rowIdHash(table, rowId));
    // Rows are never removed, so a recorded answer always finds its row; without it the answer cannot be sent.
    if (!row) {
      throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW",
                  "The row of recorded change " + changeId + " is missing (table '" + table + "', row '" + rowId + "')");
    }
    result.row = rowState(table, rowId, row->row);
  }
  return result;
}

void PushWriter::writeRow(const Tenant& tenant, const protocol::WireChange& change, std::int64_t idHash,
                          const merge::ServerRow& row, std::optional<std::int64_t> previousVersion) {
  const auto data = encoder_.encode(row.columns, row.stamps, row.deleted ? &row.deletion : nullptr);
  if (previousVersion) {
    store::ResetOnExit reset(*updateRow_);
    updateRow_->bindInt64(1, tenant.id);
    updateRow_->bindInt64(2, *previousVersion);
    updateRow_->bindInt64(3, row.version);
    updateRow_->bindInt64(4, row.deleted ? 1 : 0);
    updateRow_->bindBlobUnowned(5, data);
    updateRow_->step();
  } else {
    store::ResetOnExit reset(*insertRow_);
    insertRow_->bindInt64(1, tenant.id);
    insertRow_->bindInt64(2, row.version);
    insertRow_->bindTextUnowned(3, change.table);
    insertRow_->bindTextUnowned(4, change.row);
    insertRow_->bindInt64(5, row.deleted ? 1 : 0);
    insertRow_->bindBlobUnowned(6, data);
    insertRow_->bindInt64(7, idHash);
    insertRow_->step();
  }
}

bool PushWriter::record(const Tenant& tenant, const protocol::WireChange& change, const PushResult& result) {
  store::ResetOnExit reset(*insertSeen_);
  insertSeen_->bindInt64(1, tenant.id);
  insertSeen_->bindTextUnowned(2, change.id);
  insertSeen_->bindInt64(3, storedStatus(result.status));
  insertSeen_->bindInt64(4, result.version);
  // Only merged and conflict answers carry a row, rebuilt on replay; the others leave these NULL.
  if (result.row) {
    insertSeen_->bindTextUnowned(5, change.table);
    insertSeen_->bindTextUnowned(6, change.row);
  }
  if (!result.columns.empty() || !result.overrode.empty()) {
    std::vector<std::string> names = result.columns;
    for (const auto& name : result.overrode) names.push_back("+" + name);
    encodeNames(names, names_);
    insertSeen_->bindBlobUnowned(7, asBytes(names_));
  }
  if (result.status == PushStatus::rejected) {
    insertSeen_->bindTextUnowned(8, result.code);
    insertSeen_->bindTextUnowned(9, result.reason);
  }
  insertSeen_->bindInt64(10, now_);
  insertSeen_->step();
  return connection_.changes() == 1;
}

}  // namespace offline_sync::server
