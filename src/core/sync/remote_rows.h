// Rows the server sent, written into the local tables on the engine's connection (capture off): pull pages, and the
// rows carried by merged and conflict push answers. A column with an unacknowledged local change (pending or in
// flight) keeps its local value, and such a row keeps its base version, until the server answers that change.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/protocol/messages.h"
#include "core/store/connection.h"

namespace offline_sync::sync {

struct AppliedRows {
  std::int64_t count = 0;            // rows written (inserted, updated or deleted) locally
  std::vector<std::string> tables;   // tables written, in first-seen order
  std::int64_t skipped = 0;          // rows of tables this device does not track (kept on the server only)
};

class RemoteRows {
 public:
  RemoteRows(store::Connection& connection, HybridClock& clock) : connection_(connection), clock_(clock) {}

  // One pull page and its cursor, in one transaction (with the clock's high-water mark).
  AppliedRows applyPage(std::span<const protocol::RowState> rows, std::int64_t cursor);
  // One row, in the caller's transaction if there is one; adds to `into`.
  void applyRow(const protocol::RowState& row, AppliedRows& into);

 private:
  store::Connection& connection_;
  HybridClock& clock_;
};

}  // namespace offline_sync::sync
