// The sync clients open in one environment, so its teardown (worker exit, renderer reload) can close those the app
// left open, before the stores they read from are closed.
#pragma once

#include <memory>
#include <vector>

namespace offline_sync::addon {

class SyncSession;

class OpenSyncClients {
 public:
  void add(const std::shared_ptr<SyncSession>& session);
  // JS thread (the environment's cleanup hook).
  void closeAll() noexcept;

 private:
  std::vector<std::weak_ptr<SyncSession>> sessions_;
};

}  // namespace offline_sync::addon
