// A local change as the outbox holds it and the sync engine sends it, and the rules for folding two into one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/store/payload_codec.h"

namespace offline_sync::store {

// The outbox stores these numbers.
enum class ChangeOp { insert = 1, update = 2, remove = 3 };

struct OutboxChange {
  std::int64_t changeSeq = 0;  // with the device id, the change's idempotency key; never reused
  std::string table;
  std::string rowId;
  ChangeOp op = ChangeOp::insert;
  HlcStamp hlc = 0;
  std::int64_t baseVersion = 0;      // the row's server version it was made on; 0: new to the server
  std::vector<ColumnValue> columns;  // the changed columns and their values; none for a delete
  // Columns written before `hlc` (the change folds several writes) with their own stamps; the others have `hlc`.
  std::vector<std::pair<std::string, HlcStamp>> olderStamps;
  int attempts = 0;                  // times it was put back before
};

// What a pending entry records about one row: the operation and the bits of the changed columns.
struct PendingChange {
  ChangeOp op = ChangeOp::insert;
  std::int64_t columns = 0;
  bool operator==(const PendingChange&) const = default;
};

// Folds a newer change of a row into an older, unsent one. nullopt when they cancel out: an insert the server never
// saw, then a delete. `allColumns` is the mask of every tracked column. The capture triggers apply the same rules.
std::optional<PendingChange> coalesce(PendingChange older, PendingChange newer, bool knownToServer,
                                      std::int64_t allColumns);

}  // namespace offline_sync::store
