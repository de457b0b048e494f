// The reference server's storage, behind a small interface so another database (PostgreSQL) can back it later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/protocol/messages.h"

namespace offline_sync::server {

// Implementations are thread-safe: the HTTP server calls them from several threads.
class ServerStorage {
 public:
  virtual ~ServerStorage() = default;
  // Applies a validated push for a tenant in one transaction: each change once (a change id seen before returns
  // its recorded result), settled by merge::resolve, with one increasing sequence per tenant.
  virtual protocol::PushResponse push(std::string_view tenant, const protocol::PushRequest& request) = 0;
  // Rows with version > cursor, lowest first, at most limit; `more` when there are further rows.
  virtual protocol::PullResponse pull(std::string_view tenant, const protocol::PullRequest& request) = 0;
  // The tenant's newest sequence number (0 when it has none).
  virtual std::int64_t latestCursor(std::string_view tenant) = 0;
};

}  // namespace offline_sync::server
