// The store's own tables for change capture: the outbox, the tracked tables and their columns, row versions.
#pragma once

#include "core/store/connection.h"

namespace offline_sync::store {

// States of a sent change (_sync_sent.state); pending changes are the rows of _sync_outbox.
enum class SentState { inFlight = 1, quarantined = 2 };

// Creates the capture tables if they are missing. Idempotent; run inside the open transaction.
void createSyncSchema(Connection& connection);

}  // namespace offline_sync::store
