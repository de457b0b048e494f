// Builds the conflict events the app sees from a change and the server's answer to it.
#pragma once

#include <string>

#include "core/protocol/messages.h"
#include "core/store/change.h"
#include "core/sync/sync_events.h"

namespace offline_sync::sync {

// A `merged` answer: the table's policy settled it on the server; resolution 'remote' when nothing of the change
// survived, 'merged' when some of it did.
ConflictEvent settledByServer(const store::OutboxChange& change, const protocol::PushResult& result,
                              const std::string& policy);
// An `applied` answer that overrode conflicting server columns (policy client-wins, or merge when this device's
// write was the newer): resolution 'local'. The server's overridden values are not in the answer: remote is empty.
ConflictEvent wonOnServer(const store::OutboxChange& change, const protocol::PushResult& result,
                          const std::string& policy);
// A `conflict` answer: the question for the app's onConflict handler (resolution empty).
ConflictEvent manualQuestion(const store::OutboxChange& change, const protocol::PushResult& result,
                             const std::string& policy);

}  // namespace offline_sync::sync
