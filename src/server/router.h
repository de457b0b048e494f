// The server's HTTP handlers without the sockets: authentication, limits, decoding, storage and live notification.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/codec.h"
#include "server/http_types.h"
#include "server/live_hub.h"
#include "server/server_storage.h"
#include "server/tokens.h"

namespace offline_sync::server {

class Router {
 public:
  Router(ServerStorage& storage, const TokenTable& tokens, LiveHub& hub, protocol::Limits limits = {});

  // Thread-safe. Never throws: every failure is an error response with a code.
  HttpResponse handle(const HttpRequest& request);

  // For the live channel's upgrade: the tenant, or the error response to send instead.
  struct Authorized {
    std::optional<std::string> tenant;
    HttpResponse refusal;
  };
  Authorized authorize(const HttpRequest& request) const;
  // The live channel's greeting for a tenant.
  std::string helloMessage(const std::string& tenant);

  const protocol::Limits& limits() const noexcept { return limits_; }

 private:
  HttpResponse route(const HttpRequest& request);
  HttpResponse push(const std::string& tenant, const HttpRequest& request);
  HttpResponse pull(const std::string& tenant, const HttpRequest& request);

  // simdjson parsers are reused, one per concurrent request.
  std::unique_ptr<protocol::Decoder> acquireDecoder();
  void releaseDecoder(std::unique_ptr<protocol::Decoder> decoder);

  ServerStorage& storage_;
  const TokenTable& tokens_;
  LiveHub& hub_;
  protocol::Limits limits_;
  std::mutex decodersMutex_;
  std::vector<std::unique_ptr<protocol::Decoder>> decoders_;
};

// The JSON error response for a status and code.
HttpResponse errorResponse(int status, std::string_view code, const std::string& message);

}  // namespace offline_sync::server
