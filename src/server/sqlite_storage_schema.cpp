// Tables of the server storage. Tenants get a small integer id so keys do not repeat a long tenant name. Rows are
// clustered by (tenant, version): a push appends at the tenant's end of the b-tree and a pull reads one contiguous
// range. Finding a row by id goes through row_ids, keyed by (id_hash, tenant, version) where id_hash is a 64-bit hash
// of (table, row id): ~20 bytes an entry instead of ~60 (table and row id as text), with the hash first because
// SQLite compares keys whose first field differs as plain integers, and the tenant is mostly the same.
//
// Row ids are random UUIDs, so row_ids is not kept up to date on every write, which would dirty a random leaf per
// change. It holds an entry for every row up to the tenant's indexed_seq (and, until the next pass, dead entries of
// rows rewritten since); the push writer finds the newer rows through memory and adds them in sorted passes
// (row_finder.h). The hash may collide, so lookups also compare table and row id; uniqueness of (tenant, table,
// row id) is kept by the single writer, which always looks a row up before inserting it.
//
// Schema versions: 1 indexed rows by id with an SQLite index (rows_by_id) on every write; 2 has row_ids and
// tenants.indexed_seq. A version 1 file is migrated when a version 2 server opens it.
#include "server/sqlite_storage_schema.h"

#include <string>

#include "core/error.h"

namespace offline_sync::server {
namespace {

constexpr const char* kMetaTable = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Where each row is, by id: see the top of this file. In both the new schema and the migration.
constexpr const char* kRowIdsTable = R"sql(
CREATE TABLE row_ids (
  id_hash INTEGER NOT NULL,
  tenant INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (id_hash, tenant, version)
) STRICT, WITHOUT ROWID;
)sql";

constexpr const char* kSchema = R"sql(
CREATE TABLE tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL,
  indexed_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE rows (
  tenant INTEGER NOT NULL,
  version INTEGER NOT NULL,
  id_hash INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (tenant, version)
) STRICT, WITHOUT ROWID;
CREATE TABLE seen (
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
INSERT INTO meta (key, value) VALUES ('schema_version', 2);
)sql";

// Version 1 kept rows_by_id on (tenant, id_hash) up to date on every write; its entries become row_ids, all indexed.
// Runs after kRowIdsTable.
constexpr const char* kMigrateFrom1 = R"sql(
INSERT INTO row_ids (id_hash, tenant, version)
  SELECT id_hash, tenant, version FROM rows ORDER BY id_hash, tenant, version;
DROP INDEX rows_by_id;
ALTER TABLE tenants ADD COLUMN indexed_seq INTEGER NOT NULL DEFAULT 0;
UPDATE tenants SET indexed_seq = seq;
UPDATE meta SET value = 2 WHERE key = 'schema_version';
)sql";

// 0 for a new file.
std::int64_t schemaVersion(store::Connection& connection) {
  auto statement = connection.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  return statement->step() ? statement->columnInt64(0) : 0;
}

bool hasTable(store::Connection& connection, std::string_view name) {
  auto statement = connection.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  statement->bindText(1, name);
  return statement->step();
}

}  // namespace

void createStorageSchema(store::Connection& connection) {
  store::withTransaction(connection, [&] {
    connection.exec(kMetaTable);
    const std::int64_t version = schemaVersion(connection);
    if (version > kStorageSchemaVersion) {
      throw Error(ErrorCategory::state, codes::schemaTooNew,
                  "The storage file has schema version " + std::to_string(version) + " but this server knows only " +
                      std::to_string(kStorageSchemaVersion) + ": it was written by a newer server");
    }
    if (version == 0 && hasTable(connection, "tenants")) {
      throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW",
                  "The storage file has the server's tables but no schema version in its meta table");
    }
    if (version < kStorageSchemaVersion) connection.exec(kRowIdsTable);
    if (version == 0) connection.exec(kSchema);
    if (version == 1) connection.exec(kMigrateFrom1);
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
