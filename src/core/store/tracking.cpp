// db.track(): schema checks against sqlite_schema and pragma_table_xinfo, then triggers and bookkeeping.
#include "core/store/tracking.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/store/capture_triggers.h"
#include "core/store/sql_text.h"

namespace offline_sync::store {
namespace {

[[noreturn]] void notTrackable(std::string_view table, const std::string& reason) {
  throw Error(ErrorCategory::argument, "ERR_NOT_TRACKABLE",
              "Table '" + std::string(table) + "' cannot be tracked: " + reason);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// The table's name as declared, after checking it is an ordinary table of the application.
std::string canonicalName(Connection& connection, std::string_view table) {
  if (startsWithIgnoreCase(table, "_sync_") || startsWithIgnoreCase(table, "sqlite_")) {
    notTrackable(table, "it is an internal table");
  }
  // Triggers and indexes have their own namespace: a trigger may share the table's name.
  auto statement = connection.prepare(
      "SELECT name, type, sql FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')");
  statement->bindText(1, table);
  if (!statement->step()) notTrackable(table, "no such table");
  if (statement->columnText(1) != "table") notTrackable(table, "it is a " + std::string(statement->columnText(1)));
  if (startsWithIgnoreCase(statement->columnText(2), "CREATE VIRTUAL")) notTrackable(table, "it is a virtual table");
  return std::string(statement->columnText(0));
}

// The non-key columns, after checking the primary key is exactly `id TEXT`.
std::vector<std::string> dataColumns(Connection& connection, const std::string& table) {
  auto statement = connection.prepare("SELECT name, upper(type), pk, hidden FROM pragma_table_xinfo(?1)");
  statement->bindText(1, table);
  std::vector<std::string> columns;
  std::vector<std::string> keys;
  std::string keyType;
  while (statement->step()) {
    const std::string name(statement->columnText(0));
    if (statement->columnInt64(3) != 0) continue;  // generated or hidden: computed, never synced
    if (statement->columnInt64(2) > 0) {
      keys.push_back(name);
      keyType = std::string(statement->columnText(1));
    } else {
      columns.push_back(name);
    }
  }
  if (keys.empty()) notTrackable(table, "it has no primary key (it needs `id TEXT PRIMARY KEY`)");
  if (keys.size() > 1) notTrackable(table, "its primary key has several columns (it needs `id TEXT PRIMARY KEY`)");
  if (!equalsIgnoreCase(keys.front(), "id")) {
    notTrackable(table, "its primary key is '" + keys.front() + "', not 'id' (it needs `id TEXT PRIMARY KEY`)");
  }
  if (keyType != "TEXT") {
    notTrackable(table, "its primary key 'id' has type '" + keyType + "', not TEXT (UUIDs are recommended)");
  }
  if (columns.size() > kMaxTrackedColumns) {
    notTrackable(table, "it has more than " + std::to_string(kMaxTrackedColumns) + " columns besides id");
  }
  return columns;
}

// Columns keep their bits across calls: a column the table lost is marked inactive (a pending change may still name
// its bit), one that comes back takes its old bit, and a new one the next free bit.
void writeColumns(Connection& connection, TrackedTable& tracked, const std::vector<std::string>& current) {
  auto deactivate = connection.prepare("UPDATE _sync_columns SET active = 0 WHERE table_name = ?1 AND name = ?2");
  for (const auto& column : tracked.columns) {
    if (std::find(current.begin(), current.end(), column.name) != current.end()) continue;
    deactivate->reset();
    deactivate->bindText(1, tracked.name);
    deactivate->bindText(2, column.name);
    deactivate->step();
  }
  auto upsert = connection.prepare(
      "INSERT INTO _sync_columns (table_name, bit, name, active) "
      "SELECT ?1, coalesce((SELECT bit FROM _sync_columns WHERE table_name = ?1 AND name = ?2), "
      "                    (SELECT coalesce(max(bit) + 1, 0) FROM _sync_columns WHERE table_name = ?1)), ?2, 1 "
      "WHERE true ON CONFLICT (table_name, bit) DO UPDATE SET active = 1 RETURNING bit");
  tracked.columns.clear();
  for (const auto& name : current) {
    upsert->reset();
    upsert->bindText(1, tracked.name);
    upsert->bindText(2, name);
    upsert->step();
    const int bit = static_cast<int>(upsert->columnInt64(0));
    while (upsert->step()) {
    }
    if (bit >= static_cast<int>(kMaxTrackedColumns)) {
      notTrackable(tracked.name, "its columns changed too often: no change-mask bit is left for '" + name + "'");
    }
    tracked.columns.push_back({bit, name});
  }
  std::sort(tracked.columns.begin(), tracked.columns.end(),
            [](const TrackedColumn& a, const TrackedColumn& b) { return a.bit < b.bit; });
}

}  // namespace

std::optional<TrackedTable> trackedTable(Connection& connection, std::string_view table) {
  auto statement = connection.prepare("SELECT table_name, conflict FROM _sync_tracked WHERE table_name = ?1");
  statement->bindText(1, table);
  if (!statement->step()) return std::nullopt;
  TrackedTable tracked;
  tracked.name = std::string(statement->columnText(0));
  tracked.policy = parseConflictPolicy(statement->columnText(1)).value_or(ConflictPolicy::merge);
  auto columns =
      connection.prepare("SELECT bit, name FROM _sync_columns WHERE table_name = ?1 AND active = 1 ORDER BY bit");
  columns->bindText(1, tracked.name);
  while (columns->step()) {
    tracked.columns.push_back({static_cast<int>(columns->columnInt64(0)), std::string(columns->columnText(1))});
  }
  return tracked;
}

std::vector<TrackedTable> trackedTables(Connection& connection) {
  std::vector<std::string> names;
  auto statement = connection.prepare("SELECT table_name FROM _sync_tracked ORDER BY table_name");
  while (statement->step()) names.emplace_back(statement->columnText(0));
  std::vector<TrackedTable> tables;
  for (const auto& name : names) tables.push_back(*trackedTable(connection, name));
  return tables;
}

TrackedTable track(Connection& connection, std::string_view table, std::optional<ConflictPolicy> policy) {
  return withTransaction(connection, [&] {
    const std::string name = canonicalName(connection, table);
    const std::vector<std::string> current = dataColumns(connection, name);
    std::optional<TrackedTable> existing = trackedTable(connection, name);
    const bool firstTime = !existing.has_value();
    TrackedTable tracked = existing.value_or(TrackedTable{name, ConflictPolicy::merge, {}});
    if (policy) tracked.policy = *policy;
    writeColumns(connection, tracked, current);

    auto record = connection.prepare(
        "INSERT INTO _sync_tracked (table_name, conflict) VALUES (?1, ?2) "
        "ON CONFLICT (table_name) DO UPDATE SET conflict = excluded.conflict");
    record->bindText(1, name);
    record->bindText(2, conflictPolicyName(tracked.policy));
    record->step();

    connection.exec(dropCaptureTriggersSql(name) + createCaptureTriggersSql(tracked));
    if (firstTime) {
      // Rows written before tracking began are changes the server has not seen yet; each needs a TEXT id.
      auto badId = connection.prepare("SELECT 1 FROM " + quoteIdentifier(name) +
                                      " WHERE typeof(\"id\") <> 'text' LIMIT 1");
      if (badId->step()) notTrackable(name, "some of its rows have an id that is NULL or not TEXT");
      connection.exec("INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) SELECT " + quoteLiteral(name) +
                      ", \"id\", 1, " + std::to_string(tracked.allColumnsMask()) + ", _sync_hlc() FROM " +
                      quoteIdentifier(name) + " WHERE true ON CONFLICT DO NOTHING");
    }
    return tracked;
  });
}

void refreshTracking(Connection& connection) {
  for (const auto& tracked : trackedTables(connection)) {
    auto exists = connection.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    exists->bindText(1, tracked.name);
    if (exists->step()) track(connection, tracked.name, tracked.policy);
  }
}

}  // namespace offline_sync::store
