// Capture triggers, coalescing in SQL so a write costs one outbox upsert:
//   insert: a new pending entry, or the pending one becomes an insert of all columns;
//   update: the changed columns' bits join a pending update; an insert stays an insert (of all columns);
//   delete: cancels a pending insert the server never saw, otherwise the pending entry becomes a delete;
//   a changed id is a delete of the old id and an insert of the new one.
// A change already sent is never amended: it has left _sync_outbox for _sync_sent.
#include "core/store/capture_triggers.h"

#include "core/store/sql_text.h"

namespace offline_sync::store {
namespace {

std::string triggerName(const char* kind, const std::string& table) {
  return quoteIdentifier("_sync_" + std::string(kind) + "_" + table);
}

// "OLD.c IS NOT NEW.c" for one column.
std::string changed(const TrackedColumn& column) {
  const std::string name = quoteIdentifier(column.name);
  return "OLD." + name + " IS NOT NEW." + name;
}

std::string anyColumnChanged(const TrackedTable& table) {
  std::string sql;
  for (const auto& column : table.columns) sql += (sql.empty() ? "(" : " OR ") + changed(column);
  return sql + ")";
}

std::string changedColumnsMask(const TrackedTable& table) {
  std::string sql;
  for (const auto& column : table.columns) {
    if (!sql.empty()) sql += " | ";
    sql += "((" + changed(column) + ") << " + std::to_string(column.bit) + ")";
  }
  return sql;
}

// The statements that record `key` (NEW."id") as inserted with every column.
std::string insertSteps(const TrackedTable& table, const std::string& key) {
  const std::string literal = quoteLiteral(table.name);
  const std::string all = std::to_string(table.allColumnsMask());
  const std::string message = quoteLiteral("offline-sync: " + table.name + ".id must be a non-NULL TEXT value");
  // The id check is an expression of the insert rather than a statement of its own: one statement per write.
  const std::string checkedKey =
      "CASE WHEN typeof(" + key + ") = 'text' THEN " + key + " ELSE RAISE(ABORT, " + message + ") END";
  return "INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) VALUES (" + literal + ", " + checkedKey +
         ", 1, " + all + ", _sync_hlc())\n  ON CONFLICT (table_name, row_id) DO UPDATE SET op = 1, " +
         "columns = " + all + ", hlc = excluded.hlc, column_hlcs = NULL;\n";
}

// The statements that record `key` (OLD."id") as deleted.
std::string deleteSteps(const TrackedTable& table, const std::string& key) {
  const std::string literal = quoteLiteral(table.name);
  const std::string sameRow = "table_name = " + literal + " AND row_id = " + key;
  const std::string knownToServer = "EXISTS (SELECT 1 FROM _sync_row_versions WHERE " + sameRow + ")";
  const std::string sent = "EXISTS (SELECT 1 FROM _sync_sent WHERE " + sameRow + ")";
  const std::string pending = "EXISTS (SELECT 1 FROM _sync_outbox WHERE " + sameRow + ")";
  // First cancel an insert nobody else has seen; then whatever is still pending, or a row others know, is deleted.
  return "DELETE FROM _sync_outbox WHERE " + sameRow + " AND op = 1 AND NOT " + knownToServer +
         " AND NOT " + sent + ";\n" + "INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) SELECT " +
         literal + ", " + key + ", 3, 0, _sync_hlc() WHERE " + pending + " OR " + knownToServer + " OR " + sent +
         "\n  ON CONFLICT (table_name, row_id) DO UPDATE SET op = 3, columns = 0, hlc = excluded.hlc, " +
         "column_hlcs = NULL;\n";
}

}  // namespace

std::string dropCaptureTriggersSql(const std::string& table) {
  std::string sql;
  for (const char* kind : {"insert", "update", "rekey", "delete"}) {
    sql += "DROP TRIGGER IF EXISTS " + triggerName(kind, table) + ";\n";
  }
  return sql;
}

std::string createCaptureTriggersSql(const TrackedTable& table) {
  const std::string target = quoteIdentifier(table.name);
  const std::string literal = quoteLiteral(table.name);
  std::string sql;
  sql += "CREATE TRIGGER " + triggerName("insert", table.name) + " AFTER INSERT ON " + target +
         " WHEN _sync_capture() BEGIN\n" + insertSteps(table, "NEW.\"id\"") + "END;\n";
  if (!table.columns.empty()) {
    sql += "CREATE TRIGGER " + triggerName("update", table.name) + " AFTER UPDATE ON " + target +
           " WHEN _sync_capture() AND OLD.\"id\" IS NEW.\"id\" AND " + anyColumnChanged(table) + " BEGIN\n" +
           "INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) VALUES (" + literal + ", NEW.\"id\", 2, " +
           changedColumnsMask(table) + ", _sync_hlc())\n" +
           "  ON CONFLICT (table_name, row_id) DO UPDATE SET op = CASE op WHEN 2 THEN 2 ELSE 1 END, "
           "columns = CASE op WHEN 2 THEN columns | excluded.columns ELSE " +
           std::to_string(table.allColumnsMask()) + " END, hlc = excluded.hlc, " +
           // The columns this write leaves alone keep their own stamps (column_stamps.h).
           "column_hlcs = _sync_fold_stamps(columns, hlc, column_hlcs, excluded.columns, excluded.hlc);\nEND;\n";
  }
  sql += "CREATE TRIGGER " + triggerName("rekey", table.name) + " AFTER UPDATE OF \"id\" ON " + target +
         " WHEN _sync_capture() AND OLD.\"id\" IS NOT NEW.\"id\" BEGIN\n" + deleteSteps(table, "OLD.\"id\"") +
         insertSteps(table, "NEW.\"id\"") + "END;\n";
  sql += "CREATE TRIGGER " + triggerName("delete", table.name) + " AFTER DELETE ON " + target +
         " WHEN _sync_capture() BEGIN\n" + deleteSteps(table, "OLD.\"id\"") + "END;\n";
  return sql;
}

}  // namespace offline_sync::store
