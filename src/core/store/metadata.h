// The store's key-value metadata table (device id now; pull cursor, clock and versions as sync needs them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/store/connection.h"

namespace offline_sync::store {

inline constexpr std::string_view kMetadataTable = "_sync_meta";

namespace meta_keys {
inline constexpr std::string_view deviceId = "device_id";
}  // namespace meta_keys

void createMetadataTable(Connection& connection);
std::optional<std::string> readMetadata(Connection& connection, std::string_view key);
void writeMetadata(Connection& connection, std::string_view key, std::string_view value);

}  // namespace offline_sync::store
