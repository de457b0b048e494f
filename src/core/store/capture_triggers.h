// The SQL of a tracked table's capture triggers: every write adds or amends its outbox entry in the same statement.
#pragma once

#include <string>

#include "core/store/tracked_table.h"

namespace offline_sync::store {

// Drops the table's capture triggers, if any.
std::string dropCaptureTriggersSql(const std::string& table);
// Creates the insert, update, re-key and delete triggers for the table's current columns.
std::string createCaptureTriggersSql(const TrackedTable& table);

}  // namespace offline_sync::store
