// How a manual conflict ends, once the application's onConflict handler has answered. The change `changeSeq` was
// answered `conflict` with the server's row; nothing of it was applied on the server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/protocol/messages.h"
#include "core/store/connection.h"

namespace offline_sync::sync {

class ManualSettlement {
 public:
  ManualSettlement(store::Connection& connection, HybridClock& clock) : connection_(connection), clock_(clock) {}

  // 'local': the change goes back to pending, rebased on the server's version, and is pushed again.
  void keepLocal(std::int64_t changeSeq, const protocol::RowState& server);
  // 'remote': the change is dropped and the server's row applied (columns with newer pending changes stay local).
  void takeRemote(std::int64_t changeSeq, const protocol::RowState& server);
  // 'merged': the row takes the server's values, then these, and they are pushed as a new change based on the
  // server's version, with the current local values of the `alsoPush` columns (the change's undisputed ones).
  // Columns not tracked by the table are ERR_INVALID_ARG.
  void useMerged(std::int64_t changeSeq, const protocol::RowState& server, const std::vector<store::ColumnValue>& row,
                 const std::vector<std::string>& alsoPush = {});
  // No answer (the handler threw, timed out, or there is none): the change is pending again, unchanged (same base),
  // so the conflict comes back on a later round.
  void leavePending(std::int64_t changeSeq, std::string_view reason);

 private:
  store::Connection& connection_;
  HybridClock& clock_;
};

}  // namespace offline_sync::sync
