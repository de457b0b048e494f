// The SQLite server storage's tables, created idempotently, and the check that a file is not from a newer server.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/protocol/messages.h"
#include "core/store/connection.h"

namespace offline_sync::server {

inline constexpr std::int64_t kStorageSchemaVersion = 2;

// Creates the tables of a new file, or migrates an older file's, in one write transaction, so two processes opening a
// file at once do not collide. Throws ERR_SCHEMA_TOO_NEW when the file was written by a newer schema.
void createStorageSchema(store::Connection& connection);

// The id_hash of row_ids and rows. Stored: it must never change for a schema version.
std::int64_t rowIdHash(std::string_view table, std::string_view rowId);

// A row id hash with the tenant folded in, for the in-memory tables keyed by both (never stored). rowIdHash is already
// well mixed; the tenant only needs to move it.
inline std::uint64_t tenantRowHash(std::int64_t tenant, std::int64_t idHash) {
  return static_cast<std::uint64_t>(idHash) ^ (static_cast<std::uint64_t>(tenant) * 0x9e3779b97f4a7c15ULL);
}

// The numbers a `seen` row stores for a push status; fixed here, independent of the enum's declaration order.
std::int64_t storedStatus(protocol::PushStatus status);
// Throws ERR_CORRUPT_ROW for a number no version of this schema wrote.
protocol::PushStatus statusFromStored(std::int64_t stored);

}  // namespace offline_sync::server
