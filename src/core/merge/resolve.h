// The server's conflict rules (docs/CONFLICTS.md) as a pure function: a change against the row as the server has it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/messages.h"

namespace offline_sync::merge {

// (hlc, device) total order: true when a is newer than b.
bool newer(HlcStamp aHlc, std::string_view aDevice, HlcStamp bHlc, std::string_view bDevice);

// The server's row before the change; nullopt when the server has never seen it.
struct ServerRow {
  std::int64_t version = 0;
  bool deleted = false;
  std::vector<store::ColumnValue> columns;
  std::vector<protocol::ColumnStamp> stamps;  // parallel to columns
  protocol::ColumnStamp deletion;             // the deletion's stamp when deleted
};

struct Resolution {
  protocol::PushStatus status = protocol::PushStatus::applied;  // applied, merged or conflict (never rejected)
  std::vector<std::string> apply;  // columns of the change to write (with the change's stamp and new version)
  std::vector<std::string> kept;   // merged: columns that kept the server's value; conflict: the conflicting ones
  // Conflicting columns that took the change's value (all of the change's columns when it revived a row deleted
  // after its base; the columns changed since base when its delete won): the device is told it overrode them.
  std::vector<std::string> overrode;
  // The row's deleted flag after the change. A resolution that applies nothing and changes no flag takes no
  // sequence number (rowChanged false).
  bool deletedAfter = false;
  bool rowChanged = false;
};

Resolution resolve(const std::optional<ServerRow>& current, const protocol::WireChange& change,
                   std::string_view deviceId);

}  // namespace offline_sync::merge
