// Routes /v1/push, /v1/pull; /v1/live is upgraded by the session after authorize(). Errors map to the status codes of
// docs/PROTOCOL.md; anything unexpected is a 500 with nothing applied (storage rolls back).
#include "server/router.h"

#include <charconv>

#include "core/error.h"
#include "core/util/gzip.h"

namespace offline_sync::server {
namespace {

constexpr std::size_t kGzipResponseThreshold = 1024;

std::string_view pathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// The value of `name` in the query string, if present.
std::optional<std::string_view> queryParameter(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::int64_t> parseCount(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

bool isJson(std::string_view contentType) {
  const std::string_view mediaType = contentType.substr(0, contentType.find(';'));
  return mediaType == "application/json";
}

HttpResponse jsonResponse(std::string body, bool acceptsGzip, GzipEffort effort = GzipEffort::standard) {
  HttpResponse response;
  if (acceptsGzip && body.size() > kGzipResponseThreshold) {
    response.body = gzipCompress(body, effort);
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    response.body = std::move(body);
  }
  return response;
}

int statusFor(const Error& error) {
  if (error.code() == "ERR_TOO_LARGE") return 413;
  if (error.category() == ErrorCategory::protocol || error.category() == ErrorCategory::argument) return 400;
  return 500;
}

}  // namespace

HttpResponse errorResponse(int status, std::string_view code, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.body = protocol::encodeError({std::string(code), message});
  return response;
}

Router::Router(ServerStorage& storage, const TokenTable& tokens, LiveHub& hub, protocol::Limits limits)
    : storage_(storage), tokens_(tokens), hub_(hub), limits_(limits) {}

Router::Authorized Router::authorize(const HttpRequest& request) const {
  Authorized result;
  if (request.protocolVersion != std::to_string(protocol::kProtocolVersion)) {
    result.refusal = errorResponse(400, "ERR_PROTOCOL_VERSION",
                                   "This server speaks protocol " + std::to_string(protocol::kProtocolVersion) +
                                       " (header X-Offline-Sync-Protocol)");
    return result;
  }
  result.tenant = tokens_.tenantForAuthorization(request.authorization);
  if (!result.tenant) {
    result.refusal = errorResponse(401, "ERR_AUTH", "A valid 'Authorization: Bearer <token>' header is required");
    result.refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return result;
}

HttpResponse Router::handle(const HttpRequest& request) {
  HttpResponse response;
  try {
    response = route(request);
  } catch (const Error& e) {
    response = errorResponse(statusFor(e), e.code(), e.what());
  } catch (const std::exception& e) {
    response = errorResponse(500, "ERR_SERVER", std::string("Internal error: ") + e.what());
  }
  // Every answer names the protocol version, so a client on another version can tell why it was refused.
  response.headers.emplace_back(std::string(protocol::kProtocolHeader), std::to_string(protocol::kProtocolVersion));
  return response;
}

HttpResponse Router::route(const HttpRequest& request) {
  const std::string_view path = pathOf(request.target);
  const bool known = path == "/v1/push" || path == "/v1/pull" || path == "/v1/live";
  if (!known) return errorResponse(404, "ERR_NOT_FOUND", "No such endpoint: " + std::string(path));
  const char* method = path == "/v1/push" ? "POST" : "GET";
  if (request.method != method) {
    HttpResponse response = errorResponse(405, "ERR_METHOD", std::string(path) + " takes " + method);
    response.headers.emplace_back("Allow", method);
    return response;
  }
  if (path == "/v1/live") return errorResponse(400, "ERR_PROTOCOL", "/v1/live needs a WebSocket upgrade");
  Authorized authorized = authorize(request);
  if (!authorized.tenant) return authorized.refusal;
  return path == "/v1/push" ? push(*authorized.tenant, request) : pull(*authorized.tenant, request);
}

HttpResponse Router::push(const std::string& tenant, const HttpRequest& request) {
  if (!isJson(request.contentType)) return errorResponse(415, "ERR_MEDIA_TYPE", "The body must be application/json");
  if (request.body.size() > limits_.maxBodyBytes) {
    return errorResponse(413, "ERR_TOO_LARGE", "The body is larger than " + std::to_string(limits_.maxBodyBytes));
  }
  std::string inflated;
  std::string_view body = request.body;
  if (request.contentEncoding == "gzip") {
    inflated = gzipDecompress(request.body, limits_.maxBodyBytes);
    body = inflated;
  } else if (!request.contentEncoding.empty() && request.contentEncoding != "identity") {
    return errorResponse(415, "ERR_MEDIA_TYPE", "Unknown Content-Encoding: " + request.contentEncoding);
  }
  auto decoder = acquireDecoder();
  protocol::PushRequest push;
  try {
    push = decoder->pushRequest(body);
  } catch (...) {
    releaseDecoder(std::move(decoder));
    throw;
  }
  releaseDecoder(std::move(decoder));
  const std::int64_t before = storage_.latestCursor(tenant);
  protocol::PushResponse result = storage_.push(tenant, push);
  if (result.cursor > before) hub_.publish(tenant, result.cursor);
  // A push answer repeats the same few keys and statuses: level 1 packs it nearly as well, at a fraction of the CPU.
  return jsonResponse(protocol::encodePushResponse(result), request.acceptsGzip, GzipEffort::fastest);
}

HttpResponse Router::pull(const std::string& tenant, const HttpRequest& request) {
  protocol::PullRequest pull;
  pull.limit = limits_.defaultPullLimit;
  if (const auto cursor = queryParameter(request.target, "cursor")) {
    const auto value = parseCount(*cursor);
    if (!value) return errorResponse(400, "ERR_PROTOCOL", "cursor must be a non-negative integer");
    pull.cursor = *value;
  }
  if (const auto limit = queryParameter(request.target, "limit")) {
    const auto value = parseCount(*limit);
    if (!value || *value < 1 || static_cast<std::size_t>(*value) > limits_.maxPullLimit) {
      return errorResponse(400, "ERR_PROTOCOL", "limit must be an integer from 1 to " +
                                                    std::to_string(limits_.maxPullLimit));
    }
    pull.limit = static_cast<std::size_t>(*value);
  }
  return jsonResponse(protocol::encodePullResponse(storage_.pull(tenant, pull)), request.acceptsGzip,
                      GzipEffort::fastest);
}

std::string Router::helloMessage(const std::string& tenant) {
  return protocol::encodeLiveMessage({protocol::LiveMessage::Type::hello, storage_.latestCursor(tenant)});
}

std::unique_ptr<protocol::Decoder> Router::acquireDecoder() {
  {
    std::lock_guard lock(decodersMutex_);
    if (!decoders_.empty()) {
      auto decoder = std::move(decoders_.back());
      decoders_.pop_back();
      return decoder;
    }
  }
  return std::make_unique<protocol::Decoder>(limits_);
}

void Router::releaseDecoder(std::unique_ptr<protocol::Decoder> decoder) {
  std::lock_guard lock(decodersMutex_);
  decoders_.push_back(std::move(decoder));
}

}  // namespace offline_sync::server
