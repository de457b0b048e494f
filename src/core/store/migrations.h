// Application schema migrations: step i runs once, in its own transaction, and is recorded in the file.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "core/store/connection.h"

namespace offline_sync::store {

struct MigrationResult {
  std::size_t applied = 0;  // steps run by this call
  std::size_t version = 0;  // steps applied to the file in all
};

// Runs the steps the file has not seen yet. A failing step rolls back alone (earlier ones stay) and throws
// its SQLite error, naming the step; a file that has seen more steps than given throws ERR_SCHEMA_TOO_NEW.
// afterStep runs inside each step's transaction, after its SQL.
MigrationResult migrate(Connection& connection, std::span<const std::string> steps,
                        const std::function<void()>& afterStep = {});

}  // namespace offline_sync::store
