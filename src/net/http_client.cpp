// HttpClient: one request at a time, the retry of a request that failed on a kept-alive connection before any byte
// of the answer came back (the server had closed it while idle; resending is safe because push is idempotent), and
// the mapping of failures onto ERR_NETWORK / ERR_TIMEOUT / ERR_PROTOCOL.
#include "net/http_client.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <charconv>

#include "core/protocol/messages.h"
#include "core/util/gzip.h"
#include "net/url.h"

namespace offline_sync::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace codes = sync::net_codes;

namespace {

constexpr std::size_t kGzipRequestThreshold = 1024;
constexpr std::string_view kUserAgent = "offline-sync/1";

// A handler's exception must not stop the queue behind it, nor the executor's thread.
void deliver(const sync::ResponseHandler& handler, std::optional<Error> failure, sync::HttpResponse response) {
  if (!handler) return;
  try {
    handler(std::move(failure), std::move(response));
  } catch (...) {
  }
}

// Answers a request that never went out; posted, so no handler runs inside send().
void deliverLater(asio::io_context& io, sync::ResponseHandler handler, Error failure) {
  asio::post(io, [handler = std::move(handler), failure = std::move(failure)] { deliver(handler, failure, {}); });
}

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view text) {
  // Delta-seconds only; the HTTP-date form is rare in practice and the engine's own backoff covers it.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || text.size() > 9 || ec != std::errc() || end != text.data() + text.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

}  // namespace

HttpClient::HttpClient(std::shared_ptr<TransportShared> shared) : shared_(std::move(shared)) {}

void HttpClient::send(sync::HttpRequest request, sync::ResponseHandler handler, std::uint64_t epoch) {
  if (epoch != shared_->epoch.load()) return;
  if (queue_.size() >= kMaxQueued) {
    return deliverLater(shared_->io, std::move(handler),
                        Error(ErrorCategory::network, codes::network,
                              "Too many requests waiting for " + shared_->url.where() + " (" +
                                  std::to_string(kMaxQueued) + ")"));
  }
  // Control characters would let the caller's data split the request into others.
  if (!isHeaderSafe(request.token) || !isHeaderSafe(request.target) || request.target.find(' ') != std::string::npos ||
      request.target.empty() || request.target.front() != '/') {
    return deliverLater(shared_->io, std::move(handler),
                        Error(ErrorCategory::argument, offline_sync::codes::invalidArg,
                              "The request target or token has characters HTTP does not allow"));
  }
  // Built (and compressed) now rather than when its turn comes: then it goes out the moment the one before is
  // answered, before that answer is handed over, and the server works on it meanwhile.
  std::shared_ptr<Exchange> exchange;
  try {
    exchange = buildExchange(request);
  } catch (const std::exception& error) {
    return deliverLater(shared_->io, std::move(handler),
                        Error(ErrorCategory::internal, offline_sync::codes::internal,
                              std::string("Cannot build the request: ") + error.what()));
  }
  queue_.push_back(Pending{std::move(request), std::move(handler), epoch, std::move(exchange), false});
  startNext();
}

void HttpClient::cancelAll() {
  ++attempt_;
  queue_.clear();
  current_.reset();
  if (connector_) connector_->cancel();
  connector_.reset();
  if (connection_) connection_->close();
  connection_.reset();
}

void HttpClient::startNext() {
  while (!current_ && !queue_.empty()) {
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    if (next.epoch != shared_->epoch.load()) continue;
    current_ = std::move(next);
    if (connection_ && connection_->reusable()) return runExchange();
    return connect();
  }
}

std::shared_ptr<Exchange> HttpClient::buildExchange(const sync::HttpRequest& request) const {
  auto exchange = std::make_shared<Exchange>();
  auto& message = exchange->request;
  const bool post = request.method == sync::HttpRequest::Method::post;
  message.method(post ? http::verb::post : http::verb::get);
  message.target(shared_->url.prefix + request.target);
  message.version(11);
  message.set(http::field::host, shared_->url.hostHeader);
  message.set(http::field::user_agent, kUserAgent);
  message.set(http::field::authorization, "Bearer " + request.token);
  message.set(protocol::kProtocolHeader, std::to_string(protocol::kProtocolVersion));
  message.set(http::field::accept_encoding, "gzip");
  message.keep_alive(true);
  if (post) {
    message.set(http::field::content_type, "application/json");
    if (request.body.size() > kGzipRequestThreshold) {
      message.set(http::field::content_encoding, "gzip");
      message.body() = gzipCompress(request.body, GzipEffort::fastest);
    } else {
      message.body() = request.body;
    }
  }
  message.prepare_payload();
  return exchange;
}

void HttpClient::connect() {
  if (connection_) connection_->close();
  connection_.reset();
  connector_ = std::make_shared<Connector>(shared_);
  connector_->start([self = shared_from_this(), attempt = ++attempt_](std::optional<Error> failure,
                                                                      ConnectedStream stream) {
    self->onConnected(attempt, std::move(failure), std::move(stream));
  });
}

void HttpClient::onConnected(std::uint64_t attempt, std::optional<Error> failure, ConnectedStream stream) {
  if (attempt != attempt_) return;
  connector_.reset();
  if (failure) return complete(std::move(failure), {});
  connection_ = std::make_shared<HttpConnection>(shared_, std::move(stream));
  runExchange();
}

void HttpClient::runExchange() {
  const bool reused = connection_->completed() > 0;
  connection_->run(current_->exchange, [self = shared_from_this(), attempt = ++attempt_, reused](
                                           const std::shared_ptr<Exchange>& exchange) {
    self->onExchange(attempt, reused, exchange);
  });
}

void HttpClient::onExchange(std::uint64_t attempt, bool reusedConnection, const std::shared_ptr<Exchange>& exchange) {
  if (attempt != attempt_ || !current_) return;
  if (exchange->error) {
    // A timeout is not retried: the server may be working on it, and a second wait would double the deadline.
    const bool stale = reusedConnection && !exchange->receivedAny && exchange->error != beast::error::timeout;
    if (stale && !current_->retried) {
      current_->retried = true;
      return connect();
    }
    return complete(failureOf(*exchange), {});
  }
  sync::HttpResponse response;
  auto failure = convert(*exchange, response);
  if (failure) return complete(std::move(failure), {});
  complete(std::nullopt, std::move(response));
}

void HttpClient::complete(std::optional<Error> failure, sync::HttpResponse response) {
  Pending done = std::move(*current_);
  current_.reset();
  // After a successful answer, the next request goes out before the answer is handed over (a pipelined push is
  // applied by the server while the engine settles this one). After a failure or a refusal the engine hears of it
  // first; a request it queued before still goes out after (the engine ignores its answer once the round failed).
  if (!failure && response.status >= 200 && response.status < 300) startNext();
  // Started before a shutdown(): dropped, so nothing in flight then can report success afterwards.
  if (done.epoch == shared_->epoch.load()) deliver(done.handler, std::move(failure), std::move(response));
  startNext();  // the handler may have sent (and so started) the next request already: then this does nothing
}

Error HttpClient::failureOf(const Exchange& exchange) const {
  const auto& ec = exchange.error;
  const std::string where = shared_->url.where();
  if (ec == beast::error::timeout) {
    return Error(ErrorCategory::network, codes::timeout,
                 "No complete answer from " + where + " within " +
                     std::to_string(shared_->options.requestTimeout.count()) + " ms");
  }
  if (ec == http::error::body_limit) {
    // Only a 200's body is an answer the engine may ask for again in parts; an error page is not worth another try.
    const auto& parser = exchange.parser;
    const bool answer = parser && parser->is_header_done() && parser->get().result_int() == 200;
    return Error(ErrorCategory::protocol, answer ? codes::responseTooLarge : std::string_view("ERR_PROTOCOL"),
                 "The response from " + where + " is larger than " +
                     std::to_string(shared_->options.maxResponseBytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return Error(ErrorCategory::protocol, "ERR_PROTOCOL", "The response headers from " + where + " are too large");
  }
  if (ec == http::error::end_of_stream && !exchange.receivedAny) {
    return Error(ErrorCategory::network, codes::network, where + " closed the connection without answering");
  }
  if (ec == http::error::partial_message || (ec == http::error::end_of_stream && exchange.receivedAny)) {
    return Error(ErrorCategory::network, codes::network, where + " closed the connection in the middle of the response");
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return Error(ErrorCategory::network, codes::network, "Malformed HTTP response from " + where + ": " + ec.message());
  }
  return Error(ErrorCategory::network, codes::network,
               std::string(exchange.writing ? "Sending the request to " : "Reading the response from ") + where +
                   " failed: " + ec.message());
}

std::optional<Error> HttpClient::convert(Exchange& exchange, sync::HttpResponse& out) const {
  auto message = exchange.parser->release();
  out.status = static_cast<int>(message.result_int());
  out.wireBytes = exchange.bytesRead;
  if (const auto found = message.find(http::field::retry_after); found != message.end()) {
    out.retryAfter = parseRetryAfter(found->value());
  }
  const std::string_view encoding = message[http::field::content_encoding];
  if (beast::iequals(encoding, "gzip")) {
    try {
      out.body = gzipDecompress(message.body(), shared_->options.maxResponseBytes);
    } catch (const Error& error) {
      const std::string where = shared_->url.where();
      if (error.code() == "ERR_TOO_LARGE") {
        return Error(ErrorCategory::protocol, out.status == 200 ? codes::responseTooLarge : "ERR_PROTOCOL",
                     "The response from " + where + " inflates to more than " +
                         std::to_string(shared_->options.maxResponseBytes) + " bytes");
      }
      return Error(ErrorCategory::protocol, "ERR_PROTOCOL",
                   "The gzip response from " + where + " is malformed: " + error.what());
    }
  } else if (encoding.empty() || beast::iequals(encoding, "identity")) {
    out.body = std::move(message.body());
  } else {
    return Error(ErrorCategory::protocol, "ERR_PROTOCOL",
                 "Unsupported Content-Encoding \"" + std::string(encoding) + "\" from " + shared_->url.where());
  }
  return std::nullopt;
}

}  // namespace offline_sync::net
