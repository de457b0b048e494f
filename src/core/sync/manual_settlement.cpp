// The four endings of a manual conflict, each one transaction on the engine's connection. A change that is no longer
// in flight (already settled: a replayed answer) is left alone.
#include "core/sync/manual_settlement.h"

#include <optional>
#include <set>
#include <string>

#include "core/error.h"
#include "core/store/change.h"
#include "core/store/column_stamps.h"
#include "core/store/metadata.h"
#include "core/store/outbox.h"
#include "core/store/sql_text.h"
#include "core/store/tracking.h"
#include "core/store/value.h"
#include "core/sync/remote_rows.h"

namespace offline_sync::sync {
namespace {

using store::ChangeOp;
using store::Connection;
using store::ResetOnExit;

constexpr std::string_view kKeptLocal = "conflict: the application kept its local change";

struct RowKey {
  std::string table;
  std::string rowId;
};

// The in-flight change's row; nullopt when the change is not in flight. The server's row must be the same row: a
// mismatch is the engine's bug, and settling it would write the wrong row.
std::optional<RowKey> inFlightRow(Connection& connection, std::int64_t changeSeq, const protocol::RowState& server) {
  auto statement = connection.cached("SELECT table_name, row_id FROM _sync_sent WHERE change_seq = ?1 AND state = 1");
  ResetOnExit reset(*statement);
  statement->bindInt64(1, changeSeq);
  if (!statement->step()) return std::nullopt;
  RowKey key{std::string(statement->columnText(0)), std::string(statement->columnText(1))};
  if (key.table != server.table || key.rowId != server.row) {
    throw Error(ErrorCategory::internal, codes::internal,
                "Change " + std::to_string(changeSeq) + " is for " + key.table + "/" + key.rowId +
                    ", but the conflict's row is " + server.table + "/" + server.row);
  }
  return key;
}

void deleteInFlight(Connection& connection, std::int64_t changeSeq) {
  auto statement = connection.cached("DELETE FROM _sync_sent WHERE change_seq = ?1 AND state = 1");
  ResetOnExit reset(*statement);
  statement->bindInt64(1, changeSeq);
  statement->step();
}

void setRowVersion(Connection& connection, const RowKey& key, std::int64_t version) {
  auto statement = connection.cached(
      "INSERT INTO _sync_row_versions (table_name, row_id, version) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (table_name, row_id) DO UPDATE SET version = excluded.version");
  ResetOnExit reset(*statement);
  statement->bindText(1, key.table);
  statement->bindText(2, key.rowId);
  statement->bindInt64(3, version);
  statement->step();
}

// This device's later stamps must be newer than any it saw, and stay so after a restart.
void observeServer(Connection& connection, HybridClock& clock, const protocol::RowState& server) {
  for (const auto& stamp : server.stamps) clock.observe(stamp.hlc);
  store::writeMetadata(connection, store::meta_keys::hlc, std::to_string(clock.last()));
}

// The merged values, checked against the tracked columns. An `id` equal to the row's own is allowed (a handler may
// return the whole row) and left out; an empty result has nothing to push and is refused.
std::vector<store::ColumnValue> checkedMerged(const store::TrackedTable& table, const protocol::RowState& server,
                                              const std::vector<store::ColumnValue>& row, std::int64_t& mask) {
  std::vector<store::ColumnValue> columns;
  std::set<std::string, std::less<>> seen;
  mask = 0;
  for (const auto& column : row) {
    if (column.name == "id") {
      const auto* id = std::get_if<std::string>(&column.value);
      if (id == nullptr || *id != server.row) {
        throwInvalidArgument("The merged row's id must be the conflicting row's id '" + server.row + "'");
      }
      continue;
    }
    const auto* tracked = table.column(column.name);
    if (tracked == nullptr) {
      throwInvalidArgument("The merged row names column '" + column.name + "', which table '" + table.name +
                           "' does not track");
    }
    if (!seen.insert(column.name).second) {
      throwInvalidArgument("The merged row names column '" + column.name + "' twice");
    }
    mask |= std::int64_t{1} << tracked->bit;
    columns.push_back(column);
  }
  if (columns.empty()) throwInvalidArgument("The merged row has no columns: answer 'local' or 'remote' instead");
  return columns;
}

bool rowExists(Connection& connection, const store::TrackedTable& table, const std::string& rowId) {
  auto statement = connection.cached("SELECT 1 FROM " + store::quoteIdentifier(table.name) + " WHERE \"id\" = ?1");
  ResetOnExit reset(*statement);
  statement->bindText(1, rowId);
  return statement->step();
}

// Runs `sql`, whose ?1 is the row id and ?2... the columns' values in order.
void runWithRow(Connection& connection, const std::string& sql, const std::string& rowId,
                const std::vector<store::ColumnValue>& columns) {
  auto statement = connection.cached(sql);
  ResetOnExit reset(*statement);
  statement->bindText(1, rowId);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    store::bindValue(*statement, static_cast<int>(i + 2), columns[i].value);
  }
  statement->step();
}

// Inserts the row with these columns.
void insertColumns(Connection& connection, const std::string& table, const std::string& rowId,
                   const std::vector<store::ColumnValue>& columns) {
  std::string names = "\"id\"";
  std::string values = "?1";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    names += ", " + store::quoteIdentifier(columns[i].name);
    values += ", ?" + std::to_string(i + 2);
  }
  runWithRow(connection, "INSERT INTO " + store::quoteIdentifier(table) + " (" + names + ") VALUES (" + values + ")",
             rowId, columns);
}

// Inserts the row with the server's values of the columns this table tracks.
void insertServerRow(Connection& connection, const store::TrackedTable& table, const std::string& rowId,
                     const protocol::RowState& server) {
  std::vector<store::ColumnValue> columns;
  for (const auto& column : server.columns) {
    if (table.column(column.name) != nullptr) columns.push_back(column);
  }
  insertColumns(connection, table.name, rowId, columns);
}

// Updates these columns of the row, or inserts it with them when it is absent (a locally deleted row comes back).
// Not an upsert: SQLite checks NOT NULL before ON CONFLICT, so an upsert naming only some columns fails on an existing
// row whose other columns are NOT NULL.
void writeColumns(Connection& connection, const RowKey& key, const std::vector<store::ColumnValue>& columns) {
  std::string assignments;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    assignments += (i == 0 ? "" : ", ") + store::quoteIdentifier(columns[i].name) + " = ?" + std::to_string(i + 2);
  }
  runWithRow(connection, "UPDATE " + store::quoteIdentifier(key.table) + " SET " + assignments + " WHERE \"id\" = ?1",
             key.rowId, columns);
  if (connection.changes() == 0) insertColumns(connection, key.table, key.rowId, columns);
}

// A pending update of `mask`, folded into the row's pending entry if it has one (as the capture triggers fold).
void enqueueUpdate(Connection& connection, const RowKey& key, std::int64_t mask, std::int64_t allColumns,
                   HlcStamp hlc) {
  std::optional<std::pair<std::int64_t, store::PendingChange>> pending;
  store::StampedColumns pendingStamps;
  {
    auto find = connection.cached(
        "SELECT entry, op, columns, hlc, column_hlcs FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2");
    ResetOnExit reset(*find);
    find->bindText(1, key.table);
    find->bindText(2, key.rowId);
    if (find->step()) {
      pending.emplace(find->columnInt64(0),
                      store::PendingChange{static_cast<ChangeOp>(find->columnInt64(1)), find->columnInt64(2)});
      pendingStamps = {find->columnInt64(2), static_cast<HlcStamp>(find->columnInt64(3)),
                       find->columnType(4) == store::ColumnType::null ? store::ColumnStamps{}
                                                                       : store::parseColumnStamps(find->columnText(4))};
    }
  }
  if (!pending) {
    auto insert = connection.cached(
        "INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) VALUES (?1, ?2, ?3, ?4, ?5)");
    ResetOnExit reset(*insert);
    insert->bindText(1, key.table);
    insert->bindText(2, key.rowId);
    insert->bindInt64(3, static_cast<std::int64_t>(ChangeOp::update));
    insert->bindInt64(4, mask);
    insert->bindInt64(5, static_cast<std::int64_t>(hlc));
    insert->step();
    return;
  }
  // The server knows the row (it answered with it), so nothing cancels out: an update can only widen the entry.
  const auto merged =
      store::coalesce(pending->second, store::PendingChange{ChangeOp::update, mask}, true, allColumns).value();
  // The pending change's columns this update does not write keep their own, older stamps.
  const std::string stamps = store::formatColumnStamps(store::foldColumnStamps(pendingStamps, {mask, hlc, {}}));
  auto update =
      connection.cached("UPDATE _sync_outbox SET op = ?2, columns = ?3, hlc = ?4, column_hlcs = ?5 WHERE entry = ?1");
  ResetOnExit reset(*update);
  update->bindInt64(1, pending->first);
  update->bindInt64(2, static_cast<std::int64_t>(merged.op));
  update->bindInt64(3, merged.columns);
  update->bindInt64(4, static_cast<std::int64_t>(hlc));
  if (stamps.empty()) {
    update->bindNull(5);
  } else {
    update->bindText(5, stamps);
  }
  update->step();
}

}  // namespace

void ManualSettlement::keepLocal(std::int64_t changeSeq, const protocol::RowState& server) {
  store::withTransaction(connection_, [&] {
    const auto key = inFlightRow(connection_, changeSeq, server);
    if (!key) return;
    observeServer(connection_, clock_, server);
    // Set first: putBack's folding into a newer pending change then knows the server has the row, and takeBatch
    // reads this version as the resent change's base, so the server no longer sees a conflict with what it showed us.
    setRowVersion(connection_, *key, server.version);
    store::Outbox(connection_, clock_).putBack(changeSeq, kKeptLocal);
  });
}

void ManualSettlement::takeRemote(std::int64_t changeSeq, const protocol::RowState& server) {
  store::withTransaction(connection_, [&] {
    if (!inFlightRow(connection_, changeSeq, server)) return;
    deleteInFlight(connection_, changeSeq);
    // With the change gone, the row takes the server's values, except columns of newer pending changes; it records
    // server.version only if no such change is left (one that is keeps the base it was made on).
    AppliedRows applied;
    RemoteRows(connection_, clock_).applyRow(server, applied);
    store::writeMetadata(connection_, store::meta_keys::hlc, std::to_string(clock_.last()));
  });
}

void ManualSettlement::useMerged(std::int64_t changeSeq, const protocol::RowState& server,
                                 const std::vector<store::ColumnValue>& row, const std::vector<std::string>& alsoPush) {
  store::withTransaction(connection_, [&] {
    const auto table = store::trackedTable(connection_, server.table);
    if (!table) throwInvalidArgument("Table '" + server.table + "' is not tracked: a merged row cannot be written");
    std::int64_t mask = 0;
    const auto columns = checkedMerged(*table, server, row, mask);
    for (const auto& name : alsoPush) {
      if (const auto* column = table->column(name)) mask |= std::int64_t{1} << column->bit;
    }
    const auto key = inFlightRow(connection_, changeSeq, server);
    if (!key) return;
    deleteInFlight(connection_, changeSeq);
    // The new change's stamp must be newer than everything the server showed.
    observeServer(connection_, clock_, server);
    // Pending first, so the server's row written next leaves these columns alone: the merged ones are written after
    // it, and the `alsoPush` ones keep their current local value (a newer local write included).
    enqueueUpdate(connection_, *key, mask, table->allColumnsMask(), clock_.now());
    // The row as the server has it (a tombstone's values too: the change brings the row back on the server with
    // them), so that every column the answer does not set matches the server.
    protocol::RowState base = server;
    base.deleted = false;
    AppliedRows applied;
    RemoteRows(connection_, clock_).applyRow(base, applied);
    // Deleted here after the change in question (a newer pending delete, now folded into a re-insert): applyRow left
    // it absent, as every column is local. The answer brings it back, with the server's values where it sets none.
    if (!rowExists(connection_, *table, key->rowId)) insertServerRow(connection_, *table, key->rowId, base);
    writeColumns(connection_, *key, columns);
    // The merged values answer what the server showed at server.version: that is the new change's base.
    setRowVersion(connection_, *key, server.version);
  });
}

void ManualSettlement::leavePending(std::int64_t changeSeq, std::string_view reason) {
  store::Outbox(connection_, clock_).putBack(changeSeq, reason);
}

}  // namespace offline_sync::sync
