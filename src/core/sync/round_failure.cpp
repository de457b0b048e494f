// Maps transport errors and HTTP statuses onto the codes users see (docs/PROTOCOL.md, "Transport").
#include "core/sync/round_failure.h"

namespace offline_sync::sync {

RoundFailure transportFailure(const Error& error) {
  const std::string_view code = error.code() == net_codes::responseTooLarge ? sync_codes::protocol : error.code();
  return {Error(ErrorCategory::network, code, error.what()), SyncState::offline, std::nullopt, true};
}

RoundFailure statusFailure(const HttpResponse& response, protocol::Decoder& decoder) {
  std::string serverCode;
  std::string message = "the server answered " + std::to_string(response.status);
  try {
    const auto body = decoder.error(response.body);
    serverCode = body.code;
    if (!body.message.empty()) message += ": " + body.message;
  } catch (const Error&) {
    // Not an error body (a proxy's page, say): the status alone speaks.
  }
  const int status = response.status;
  if (status == 401) {
    return {Error(ErrorCategory::auth, sync_codes::auth, message), SyncState::error, std::nullopt, false};
  }
  if (status == 429) {
    return {Error(ErrorCategory::network, sync_codes::busy, message), SyncState::error, response.retryAfter, true};
  }
  if (status >= 500) {
    const std::string_view code = status == 503 && serverCode == "ERR_UNAVAILABLE" ? "ERR_UNAVAILABLE"
                                                                                   : sync_codes::server;
    return {Error(ErrorCategory::network, code, message), SyncState::error, response.retryAfter, true};
  }
  // 4xx: this client sent something the server will never accept unchanged.
  const bool known = serverCode.rfind("ERR_", 0) == 0 && serverCode.size() <= 40;
  return {Error(ErrorCategory::protocol, known ? std::string_view(serverCode) : sync_codes::protocol, message),
          SyncState::error, std::nullopt, false};
}

RoundFailure protocolFailure(const std::string& message) {
  return {Error(ErrorCategory::protocol, sync_codes::protocol, "the server's answer is unusable: " + message),
          SyncState::error, std::nullopt, true};
}

}  // namespace offline_sync::sync
