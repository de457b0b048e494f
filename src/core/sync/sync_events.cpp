// The names events carry to JS.
#include "core/sync/sync_events.h"

namespace offline_sync::sync {

std::string_view stateName(SyncState state) {
  switch (state) {
    case SyncState::offline: return "offline";
    case SyncState::connecting: return "connecting";
    case SyncState::syncing: return "syncing";
    case SyncState::idle: return "idle";
    case SyncState::error: return "error";
    case SyncState::stopped: return "stopped";
  }
  return "error";
}

std::string_view phaseName(SyncPhase phase) { return phase == SyncPhase::push ? "push" : "pull"; }

}  // namespace offline_sync::sync
