// Applies server rows to the local tables: one prepared upsert per column subset, and unacknowledged local changes
// looked up only when the outbox holds any, so a row usually costs two statements (the row and its version).
#include "core/sync/remote_rows.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/store/metadata.h"
#include "core/store/sql_text.h"
#include "core/store/tracking.h"
#include "core/store/value.h"

namespace offline_sync::sync {
namespace {

using store::ChangeOp;
using store::Connection;
using store::quoteIdentifier;
using store::ResetOnExit;

// A tracked table as sync writes it, with its statements prepared once per page.
struct LocalTable {
  store::TrackedTable tracked;
  std::string quotedName;
  std::vector<std::string> quotedColumns;                     // parallel to tracked.columns
  std::unordered_map<std::string_view, std::size_t> byName;   // views into tracked.columns, which never move
  // By the mask of the columns written; held for the page, so a row costs no statement-cache lookup.
  std::unordered_map<std::int64_t, std::shared_ptr<store::Statement>> upserts;
  std::unordered_map<std::int64_t, std::shared_ptr<store::Statement>> updates;  // rows with local columns left out
  std::shared_ptr<store::Statement> remove;
};

// What this device has not had acknowledged yet about one row (pending or in flight).
struct LocalChanges {
  bool any = false;
  bool deleted = false;     // a local delete the server has not answered: the row stays absent
  std::int64_t columns = 0;  // bits of columns whose local value the server has not answered
};

std::string upsertSql(const LocalTable& table, std::int64_t mask) {
  std::string columns = "\"id\"";
  std::string values = "?1";
  std::string updates;
  int parameter = 1;
  for (std::size_t i = 0; i < table.tracked.columns.size(); ++i) {
    if ((mask & (std::int64_t{1} << table.tracked.columns[i].bit)) == 0) continue;
    const std::string& name = table.quotedColumns[i];
    columns += ", " + name;
    values += ", ?" + std::to_string(++parameter);
    updates += (updates.empty() ? "" : ", ") + name + " = excluded." + name;
  }
  // No column to write (the server sent none this table tracks): the row still exists.
  const std::string onConflict = updates.empty() ? "DO NOTHING" : "DO UPDATE SET " + updates;
  return "INSERT INTO " + table.quotedName + " (" + columns + ") VALUES (" + values + ") ON CONFLICT (\"id\") " +
         onConflict;
}

// The same columns as an UPDATE of an existing row. A row whose local columns are left out must not go through the
// upsert: SQLite checks NOT NULL before ON CONFLICT, so naming only some columns fails when a left-out one is NOT NULL.
std::string updateSql(const LocalTable& table, std::int64_t mask) {
  std::string assignments;
  int parameter = 1;
  for (std::size_t i = 0; i < table.tracked.columns.size(); ++i) {
    if ((mask & (std::int64_t{1} << table.tracked.columns[i].bit)) == 0) continue;
    assignments += (assignments.empty() ? "" : ", ") + table.quotedColumns[i] + " = ?" + std::to_string(++parameter);
  }
  return "UPDATE " + table.quotedName + " SET " + assignments + " WHERE \"id\" = ?1";
}

// One page's worth of state: tables resolved once, and whether the outbox is empty (then no row has local changes).
class RowWriter {
 public:
  RowWriter(Connection& connection, HybridClock& clock) : connection_(connection), clock_(clock) {}

  void apply(const protocol::RowState& row, AppliedRows& into) {
    HlcStamp newest = 0;
    for (const auto& stamp : row.stamps) newest = std::max(newest, stamp.hlc);
    if (newest != 0) clock_.observe(newest);
    LocalTable* table = localTable(row.table);
    if (table == nullptr) {
      ++into.skipped;
      return;
    }
    const LocalChanges local = localChanges(row.table, row.row);
    bool written = false;
    if (row.deleted) {
      // A local change the server has not answered yet is settled by that answer, not by this row.
      if (!local.any) written = remove(*table, row.row);
    } else if (!local.deleted) {
      written = upsert(*table, row, local);
    }
    if (!local.any) recordVersion(table->tracked.name, row.row, row.version);
    if (!written) return;
    ++into.count;
    if (std::find(into.tables.begin(), into.tables.end(), table->tracked.name) == into.tables.end()) {
      into.tables.push_back(table->tracked.name);
    }
  }

 private:
  // nullptr when the table is not tracked here, or no longer exists.
  LocalTable* localTable(const std::string& name) {
    auto found = tables_.find(name);
    if (found != tables_.end()) return found->second ? &*found->second : nullptr;
    std::optional<LocalTable> resolved;
    if (tableExists(name)) {
      if (auto tracked = store::trackedTable(connection_, name)) {
        resolved.emplace();
        resolved->tracked = std::move(*tracked);
      }
    }
    found = tables_.emplace(name, std::move(resolved)).first;
    if (!found->second) return nullptr;
    // Filled in place: the views point into strings that stay put inside the map's node.
    LocalTable& table = *found->second;
    table.quotedName = quoteIdentifier(table.tracked.name);
    for (std::size_t i = 0; i < table.tracked.columns.size(); ++i) {
      table.quotedColumns.push_back(quoteIdentifier(table.tracked.columns[i].name));
      table.byName.emplace(table.tracked.columns[i].name, i);
    }
    return &table;
  }

  bool tableExists(const std::string& name) {
    auto statement = connection_.cached("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    ResetOnExit reset(*statement);
    statement->bindText(1, name);
    return statement->step();
  }

  LocalChanges localChanges(const std::string& table, const std::string& rowId) {
    if (!anyUnacknowledged_) {
      auto any = connection_.cached(
          "SELECT EXISTS (SELECT 1 FROM _sync_outbox) OR EXISTS (SELECT 1 FROM _sync_sent WHERE state = 1)");
      ResetOnExit reset(*any);
      any->step();
      anyUnacknowledged_ = any->columnInt64(0) != 0;
    }
    LocalChanges local;
    if (!*anyUnacknowledged_) return local;
    if (!changesOfRow_) {
      changesOfRow_ = connection_.cached(
          "SELECT op, columns FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2 "
          "UNION ALL SELECT op, columns FROM _sync_sent WHERE table_name = ?1 AND row_id = ?2 AND state = 1");
    }
    auto& statement = changesOfRow_;
    ResetOnExit reset(*statement);
    statement->bindText(1, table);
    statement->bindText(2, rowId);
    while (statement->step()) {
      local.any = true;
      if (statement->columnInt64(0) == static_cast<std::int64_t>(ChangeOp::remove)) local.deleted = true;
      local.columns |= statement->columnInt64(1);
    }
    return local;
  }

  // The server's columns this table tracks, minus the locally unacknowledged ones. False when nothing was written.
  bool upsert(LocalTable& table, const protocol::RowState& row, const LocalChanges& local) {
    std::int64_t mask = chooseColumns(table, row, local.columns);
    // Every column the server sent is still local: the row stays as it is, until the answer.
    if (mask == 0 && local.any) return false;
    if (local.columns != 0) {
      auto& update = table.updates[mask];
      if (!update) update = connection_.cached(updateSql(table, mask));
      if (writeRow(*update, row) > 0) return true;
      // Not there (deleted here, say), so no local value to keep: inserted with every column the server sent (the
      // caller writes its own over them), as a row missing a NOT NULL column could not be.
      mask = chooseColumns(table, row, 0);
    }
    auto& upsert = table.upserts[mask];
    if (!upsert) upsert = connection_.cached(upsertSql(table, mask));
    return writeRow(*upsert, row) > 0;
  }

  // Fills slots_ with the server's columns this table tracks, except those in `skipped`; returns their mask.
  std::int64_t chooseColumns(const LocalTable& table, const protocol::RowState& row, std::int64_t skipped) {
    slots_.assign(table.tracked.columns.size(), -1);
    std::int64_t mask = 0;
    for (std::size_t i = 0; i < row.columns.size(); ++i) {
      const auto found = table.byName.find(row.columns[i].name);
      if (found == table.byName.end()) continue;  // a column this device does not have (yet)
      const std::int64_t bit = std::int64_t{1} << table.tracked.columns[found->second].bit;
      if ((skipped & bit) != 0) continue;         // the local value waits for the server's answer
      slots_[found->second] = static_cast<int>(i);
      mask |= bit;
    }
    return mask;
  }

  // Binds the row's id and its columns in slots_ order, runs the statement, and returns the rows it changed.
  std::int64_t writeRow(store::Statement& statement, const protocol::RowState& row) {
    ResetOnExit reset(statement);
    statement.bindText(1, row.row);
    int parameter = 1;
    for (const int slot : slots_) {
      if (slot >= 0) store::bindValue(statement, ++parameter, row.columns[static_cast<std::size_t>(slot)].value);
    }
    statement.step();
    return connection_.changes();
  }

  bool remove(LocalTable& table, const std::string& rowId) {
    if (!table.remove) table.remove = connection_.cached("DELETE FROM " + table.quotedName + " WHERE \"id\" = ?1");
    auto& statement = table.remove;
    ResetOnExit reset(*statement);
    statement->bindText(1, rowId);
    statement->step();
    return connection_.changes() > 0;
  }

  void recordVersion(const std::string& table, const std::string& rowId, std::int64_t version) {
    if (!recordVersion_) {
      recordVersion_ = connection_.cached(
          "INSERT INTO _sync_row_versions (table_name, row_id, version) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (table_name, row_id) DO UPDATE SET version = max(version, excluded.version)");
    }
    auto& statement = recordVersion_;
    ResetOnExit reset(*statement);
    statement->bindText(1, table);
    statement->bindText(2, rowId);
    statement->bindInt64(3, version);
    statement->step();
  }

  Connection& connection_;
  HybridClock& clock_;
  std::map<std::string, std::optional<LocalTable>, std::less<>> tables_;
  std::shared_ptr<store::Statement> changesOfRow_;
  std::shared_ptr<store::Statement> recordVersion_;
  // Checked once per page: the page's transaction holds the write lock, so the outbox cannot change meanwhile.
  std::optional<bool> anyUnacknowledged_;
  std::vector<int> slots_;  // per tracked column, the index of the server's value, or -1
};

}  // namespace

AppliedRows RemoteRows::applyPage(std::span<const protocol::RowState> rows, std::int64_t cursor) {
  return store::withTransaction(connection_, [&] {
    AppliedRows applied;
    RowWriter writer(connection_, clock_);
    for (const auto& row : rows) writer.apply(row, applied);
    store::writeMetadata(connection_, store::meta_keys::pullCursor, std::to_string(cursor));
    // The stamps just observed are this device's floor from now on, even after a restart.
    store::writeMetadata(connection_, store::meta_keys::hlc, std::to_string(clock_.last()));
    return applied;
  });
}

void RemoteRows::applyRow(const protocol::RowState& row, AppliedRows& into) {
  // A savepoint inside the caller's transaction; alone, its own transaction, so that no local write can be captured
  // between reading the row's unacknowledged changes and writing around them.
  store::withTransaction(connection_, [&] {
    RowWriter writer(connection_, clock_);
    writer.apply(row, into);
  });
}

}  // namespace offline_sync::sync
