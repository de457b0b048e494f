// What a failed request means for the engine: the error to report, the state it leaves, and when to try again.
#pragma once

#include <chrono>
#include <optional>

#include "core/error.h"
#include "core/protocol/codec.h"
#include "core/sync/sync_events.h"
#include "core/sync/transport.h"

namespace offline_sync::sync {

namespace sync_codes {
inline constexpr std::string_view auth = "ERR_AUTH";
inline constexpr std::string_view server = "ERR_SERVER";
inline constexpr std::string_view busy = "ERR_BUSY";
inline constexpr std::string_view protocol = "ERR_PROTOCOL";
inline constexpr std::string_view stopped = "ERR_STOPPED";
inline constexpr std::string_view rejected = "ERR_REJECTED";
inline constexpr std::string_view conflictTimeout = "ERR_CONFLICT_TIMEOUT";
inline constexpr std::string_view conflictHandler = "ERR_CONFLICT_HANDLER";
}  // namespace sync_codes

struct RoundFailure {
  Error error;
  SyncState state = SyncState::error;  // offline for network failures, error otherwise
  std::optional<std::chrono::seconds> retryAfter;
  // Whether the same request may succeed later unchanged (network, 5xx, 429). Others are retried only at the
  // backoff's longest delay, in case the server was fixed.
  bool transient = true;
};

RoundFailure transportFailure(const Error& error);
// A response with a status other than 200: the server's error code and message when its body has them.
RoundFailure statusFailure(const HttpResponse& response, protocol::Decoder& decoder);
// The server answered 200 with something this client cannot use.
RoundFailure protocolFailure(const std::string& message);

}  // namespace offline_sync::sync
