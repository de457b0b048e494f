// Conflict events carry both sides as plain rows: the change's values, and the server's row.
#include "core/sync/conflict_report.h"

#include <algorithm>

namespace offline_sync::sync {
namespace {

ConflictEvent sides(const store::OutboxChange& change, const protocol::PushResult& result, const std::string& policy) {
  ConflictEvent event;
  event.table = change.table;
  event.id = change.rowId;
  event.columns = result.columns;
  event.local.columns = change.columns;
  event.local.deleted = change.op == store::ChangeOp::remove;
  if (result.row) {
    event.remote.columns = result.row->columns;
    event.remote.deleted = result.row->deleted;
    event.remoteVersion = result.row->version;
  }
  event.policy = policy;
  return event;
}

}  // namespace

ConflictEvent settledByServer(const store::OutboxChange& change, const protocol::PushResult& result,
                              const std::string& policy) {
  auto event = sides(change, result, policy);
  event.columns.insert(event.columns.end(), result.overrode.begin(), result.overrode.end());
  const bool everyColumnKept = std::all_of(change.columns.begin(), change.columns.end(), [&](const auto& column) {
    return std::find(result.columns.begin(), result.columns.end(), column.name) != result.columns.end();
  });
  // A delete that did not happen, or an update of a row that stayed deleted, lost as a whole.
  const bool lostWhole = (change.op == store::ChangeOp::remove && !event.remote.deleted) ||
                         (change.op != store::ChangeOp::remove && event.remote.deleted);
  event.resolution = lostWhole || everyColumnKept ? "remote" : "merged";
  return event;
}

ConflictEvent wonOnServer(const store::OutboxChange& change, const protocol::PushResult& result,
                          const std::string& policy) {
  auto event = sides(change, result, policy);
  event.columns = result.overrode;
  event.resolution = "local";
  return event;
}

ConflictEvent manualQuestion(const store::OutboxChange& change, const protocol::PushResult& result,
                             const std::string& policy) {
  return sides(change, result, policy);
}

}  // namespace offline_sync::sync
