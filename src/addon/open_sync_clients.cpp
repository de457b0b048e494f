// Weak references to an environment's sync sessions: a client the app closed and JS collected is simply skipped.
#include "addon/open_sync_clients.h"

#include <algorithm>

#include "addon/sync_session.h"

namespace offline_sync::addon {

void OpenSyncClients::add(const std::shared_ptr<SyncSession>& session) {
  std::erase_if(sessions_, [](const std::weak_ptr<SyncSession>& weak) {
    const auto live = weak.lock();
    return !live || live->closed();
  });
  sessions_.push_back(session);
}

void OpenSyncClients::closeAll() noexcept {
  for (auto& weak : sessions_) {
    if (auto session = weak.lock()) session->close();
  }
  sessions_.clear();
}

}  // namespace offline_sync::addon
