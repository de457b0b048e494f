// The native options of a sync client, as lib/sync.js passes them after validating and defaulting them: read again
// here (types and ranges) so a direct call cannot hand the engine nonsense.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "core/sync/sync_options.h"
#include "net/transport_options.h"

namespace offline_sync::addon {

struct SyncConfig {
  sync::SyncOptions sync;
  net::TransportOptions transport;
  std::optional<std::string> token;  // the fixed token; absent when the app gave getToken
};

// { url, token?, ca?, batchSize?, pullLimit?, live?, interval?, debounce?, maxDebounce?, conflictTimeout?,
//   retry?: { initialDelay?, maxDelay?, factor?, jitter? } }. Throws Error(ERR_INVALID_ARG) naming the option.
SyncConfig readSyncConfig(const Napi::Value& options);

}  // namespace offline_sync::addon
