// Coalescing rules: insert+update is an insert; insert+delete is nothing (if unseen); update+delete is a delete;
// update+update unions the columns; anything followed by an insert is an insert of every column.
#include "core/store/change.h"

namespace offline_sync::store {

std::optional<PendingChange> coalesce(PendingChange older, PendingChange newer, bool knownToServer,
                                      std::int64_t allColumns) {
  switch (newer.op) {
    case ChangeOp::insert:
      return PendingChange{ChangeOp::insert, allColumns};
    case ChangeOp::remove:
      if (older.op == ChangeOp::insert && !knownToServer) return std::nullopt;
      return PendingChange{ChangeOp::remove, 0};
    case ChangeOp::update:
      if (older.op == ChangeOp::update) return PendingChange{ChangeOp::update, older.columns | newer.columns};
      // After an insert the row is new, after a delete it was re-created: either way all of it is sent.
      return PendingChange{ChangeOp::insert, allColumns};
  }
  return newer;
}

}  // namespace offline_sync::store
