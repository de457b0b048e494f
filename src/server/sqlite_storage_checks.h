// The checks the storage makes on each change before it uses the change's identifiers or records its id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/messages.h"

namespace offline_sync::server {

using protocol::Rejection;

// Whether the change id is well formed and names the pushing device. When not, the change is rejected without
// being recorded: recording it would let one device poison another device's change id.
bool changeIdBelongsTo(std::string_view changeId, std::string_view deviceId);

// Why the server refuses this change for good (docs/PROTOCOL.md, "rejected"); nullopt when it may be applied.
std::optional<Rejection> checkChange(const protocol::WireChange& change, const protocol::Limits& limits);

// What the storage makes of a change from the change alone. Worked out before the write lock is taken, so it runs
// beside another push instead of lengthening the serialized part.
struct CheckedChange {
  bool ownId = false;                  // changeIdBelongsTo
  std::optional<Rejection> rejection;  // checkChange, when ownId
  std::int64_t idHash = 0;             // rowIdHash of table and row, when ownId and not rejected
};

// One entry per change of the request, in order.
std::vector<CheckedChange> checkChanges(const protocol::PushRequest& request, const protocol::Limits& limits);

}  // namespace offline_sync::server
