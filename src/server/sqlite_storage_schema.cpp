// Tables of the server storage. Tenants get a small integer id so keys do not repeat a long tenant name. Rows are
// clustered by (tenant, version): a push appends at the tenant's end of the b-tree and a pull reads one contiguous
// range. Finding a row by id goes through rows_by_id on (tenant, id_hash), a 64-bit hash of (table, row id): row ids
// are random UUIDs, so each insert lands on a random leaf of that index, and entries of ~20 bytes instead of ~60
// (table and row id as text) mean fewer leaves written per push and cheaper comparisons. The hash may collide, so
// lookups also compare table and row id; uniqueness of (tenant, table, row id) is kept by the single writer, which
// always looks a row up before inserting it.
#include "server/sqlite_storage_schema.h"

#include <string>

#include "core/error.h"

namespace offline_sync::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rows (
  tenant INTEGER NOT NULL,
  version INTEGER NOT NULL,
  id_hash INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (tenant, version)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rows_by_id ON rows (tenant, id_hash);
CREATE TABLE IF NOT EXISTS seen (
  tenant INTEGER NOT NULL,
  change_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  version INTEGER NOT NULL,
  tbl TEXT,
  row_id TEXT,
  columns BLOB,
  code TEXT,
  reason TEXT,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, change_id)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', 1);
)sql";

std::int64_t schemaVersion(store::Connection& connection) {
  auto statement = connection.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!statement->step()) {
    throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW", "The storage's meta table has no schema version");
  }
  return statement->columnInt64(0);
}

}  // namespace

void createStorageSchema(store::Connection& connection) {
  store::withTransaction(connection, [&] {
    connection.exec(kSchema);
    const std::int64_t version = schemaVersion(connection);
    if (version > kStorageSchemaVersion) {
      throw Error(ErrorCategory::state, codes::schemaTooNew,
                  "The storage file has schema version " + std::to_string(version) + " but this server knows only " +
                      std::to_string(kStorageSchemaVersion) + ": it was written by a newer server");
    }
  });
}

std::int64_t rowIdHash(std::string_view table, std::string_view rowId) {
  // FNV-1a over table, a NUL (never in a table name) and the row id, then murmur3's finalizer to spread the bits.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  for (char c : table) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : rowId) mix(static_cast<unsigned char>(c));
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return static_cast<std::int64_t>(hash);
}

std::int64_t storedStatus(protocol::PushStatus status) {
  switch (status) {
    case protocol::PushStatus::applied: return 0;
    case protocol::PushStatus::merged: return 1;
    case protocol::PushStatus::conflict: return 2;
    case protocol::PushStatus::rejected: return 3;
  }
  return 3;
}

protocol::PushStatus statusFromStored(std::int64_t stored) {
  switch (stored) {
    case 0: return protocol::PushStatus::applied;
    case 1: return protocol::PushStatus::merged;
    case 2: return protocol::PushStatus::conflict;
    case 3: return protocol::PushStatus::rejected;
    default:
      throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW",
                  "A recorded push result has an unknown status " + std::to_string(stored));
  }
}

}  // namespace offline_sync::server
