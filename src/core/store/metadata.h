// The store's key-value metadata table (device id now; pull cursor, clock and versions as sync needs them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/store/connection.h"

namespace offline_sync::store {

inline constexpr std::string_view kMetadataTable = "_sync_meta";

namespace meta_keys {
inline constexpr std::string_view deviceId = "device_id";
inline constexpr std::string_view storeFormat = "store_format";      // layout version of the _sync_ tables
inline constexpr std::string_view hlc = "hlc";                        // the clock's high-water mark
inline constexpr std::string_view nextChangeSeq = "next_change_seq";  // the next change id; never reused
inline constexpr std::string_view pullCursor = "pull_cursor";         // the server sequence pulled up to
inline constexpr std::string_view lastSyncAt = "last_sync_at";        // ms since epoch of the last full sync
inline constexpr std::string_view protocolVersion = "protocol_version";
}  // namespace meta_keys

void createMetadataTable(Connection& connection);
std::optional<std::string> readMetadata(Connection& connection, std::string_view key);
// A metadata value stored as a decimal integer (cursor, sequence, time); `absent` when there is none.
std::int64_t readIntegerMetadata(Connection& connection, std::string_view key, std::int64_t absent);
void writeMetadata(Connection& connection, std::string_view key, std::string_view value);

}  // namespace offline_sync::store
