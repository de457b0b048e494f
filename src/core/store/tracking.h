// Starting change capture for a table (db.track) and reading back which tables are tracked.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/store/connection.h"
#include "core/store/tracked_table.h"

namespace offline_sync::store {

// Validates the table (one TEXT primary key column named id; not a view, virtual or internal table; at most 63 other
// columns) or throws ERR_NOT_TRACKABLE with the reason; then, in one transaction, records it with its policy,
// gives new columns the next bits, (re)creates its capture triggers and, the first time, queues its existing rows as
// inserts. Idempotent. Without a policy, a tracked table keeps its own (a new one gets merge). Needs the capture
// functions registered on the connection.
TrackedTable track(Connection& connection, std::string_view table, std::optional<ConflictPolicy> policy);

// Re-runs track() for every tracked table that exists, with its stored policy: after migrations, a rebuilt table gets
// its triggers back and added columns are captured.
void refreshTracking(Connection& connection);

std::optional<TrackedTable> trackedTable(Connection& connection, std::string_view table);
std::vector<TrackedTable> trackedTables(Connection& connection);

}  // namespace offline_sync::store
