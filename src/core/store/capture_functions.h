// The per-connection SQL functions the capture triggers call: whether to capture, and the change's clock stamp.
#pragma once

#include <memory>

#include "core/clock/hybrid_clock.h"
#include "core/store/connection.h"

namespace offline_sync::store {

enum class Capture { on, off };

// Registers _sync_capture() (1 on the application's connection, 0 on the sync engine's, so rows applied from the
// server are not captured again) and _sync_hlc() (a fresh stamp from clock, which the connection keeps alive).
// A connection without them (for example the sqlite3 shell) cannot write tracked tables: the triggers fail.
void registerCaptureFunctions(Connection& connection, std::shared_ptr<HybridClock> clock, Capture capture);

}  // namespace offline_sync::store
