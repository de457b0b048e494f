// How the sync engine reaches the server: HTTP requests and the WebSocket live channel. The engine decides, the
// transport moves bytes (src/net/http_transport.h over Boost.Beast; a fake in the engine's tests).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace offline_sync::sync {

// Codes of transport failures (Error category network).
namespace net_codes {
inline constexpr std::string_view network = "ERR_NETWORK";      // refused, reset, DNS, cut off, malformed HTTP
inline constexpr std::string_view timeout = "ERR_TIMEOUT";      // connect, read or write deadline passed
inline constexpr std::string_view tls = "ERR_TLS";              // handshake or certificate verification failed
inline constexpr std::string_view cancelled = "ERR_CANCELLED";  // shutdown() while in flight
// A 200 response over the transport's cap, on the wire or inflated (category protocol). For a push batch the engine
// sends the same changes again in halves; users see ERR_PROTOCOL.
inline constexpr std::string_view responseTooLarge = "ERR_RESPONSE_TOO_LARGE";
}  // namespace net_codes

struct HttpRequest {
  enum class Method { get, post } method = Method::get;
  std::string target;  // path and query, e.g. "/v1/pull?cursor=0&limit=1000" (appended to the URL's path prefix)
  std::string body;    // JSON, for post
  std::string token;   // sent as "Authorization: Bearer <token>"
};

struct HttpResponse {
  int status = 0;
  std::string body;                            // decompressed
  std::optional<std::chrono::seconds> retryAfter;
  std::size_t wireBytes = 0;                   // bytes received for it (compressed size), for progress events
};

// failure is set for a transport failure (then response is empty); an HTTP error status is a response.
using ResponseHandler = std::function<void(std::optional<Error> failure, HttpResponse response)>;

struct LiveHandlers {
  std::function<void()> opened;
  std::function<void(std::string_view text)> message;  // one text frame
  // The channel is closed (refused, lost, missed pings, or the server closed it). Not called after closeLive().
  // An HTTP status of the refused upgrade, when there was one, is in status (401 for a bad token).
  std::function<void(Error reason, int status)> closed;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // One request; the handler runs once, on the executor's thread. Connections are kept alive and reused.
  virtual void send(HttpRequest request, ResponseHandler handler) = 0;
  // Opens the live channel (at most one); the handlers run on the executor's thread.
  virtual void openLive(std::string token, LiveHandlers handlers) = 0;
  virtual void closeLive() = 0;
  // Closes every connection; handlers of requests in flight run with ERR_CANCELLED or not at all.
  virtual void shutdown() = 0;
};

}  // namespace offline_sync::sync
