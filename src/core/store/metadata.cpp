// Reads and writes the _sync_meta table through the connection's statement cache.
#include "core/store/metadata.h"

namespace offline_sync::store {

void createMetadataTable(Connection& connection) {
  connection.exec("CREATE TABLE IF NOT EXISTS _sync_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) "
                  "WITHOUT ROWID, STRICT");
}

std::optional<std::string> readMetadata(Connection& connection, std::string_view key) {
  auto statement = connection.cached("SELECT value FROM _sync_meta WHERE key = ?1");
  ResetOnExit reset(*statement);
  statement->bindText(1, key);
  std::optional<std::string> value;
  if (statement->step()) value.emplace(statement->columnText(0));
  return value;
}

void writeMetadata(Connection& connection, std::string_view key, std::string_view value) {
  auto statement = connection.cached(
      "INSERT INTO _sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  ResetOnExit reset(*statement);
  statement->bindText(1, key);
  statement->bindText(2, value);
  statement->step();
}

std::int64_t readIntegerMetadata(Connection& connection, std::string_view key, std::int64_t absent) {
  const auto stored = readMetadata(connection, key);
  return stored ? std::stoll(*stored) : absent;
}

}  // namespace offline_sync::store
