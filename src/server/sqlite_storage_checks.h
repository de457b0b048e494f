// The checks the storage makes on each change before it uses the change's identifiers or records its id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/protocol/messages.h"

namespace offline_sync::server {

struct Rejection {
  std::string code;
  std::string reason;
};

// Whether the change id is well formed and names the pushing device. When not, the change is rejected without
// being recorded: recording it would let one device poison another device's change id.
bool changeIdBelongsTo(std::string_view changeId, std::string_view deviceId);

// Why the server refuses this change for good (docs/PROTOCOL.md, "rejected"); nullopt when it may be applied.
std::optional<Rejection> checkChange(const protocol::WireChange& change, const protocol::Limits& limits);

}  // namespace offline_sync::server
