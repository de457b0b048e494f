// One HTTP/1.1 connection: read a request under a deadline, answer through the router, keep alive. Requests over the
// body limit get a 413 and the connection closes (after draining what the client still sends, for up to 2 s); slow
// or silent clients are dropped at the deadline.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <algorithm>
#include <chrono>
#include <optional>

#include "server/live_session.h"
#include "server/session_context.h"

namespace offline_sync::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

constexpr std::size_t kHeaderLimit = 16 * 1024;
// Beast reads at most the read buffer's free capacity at a time, and the buffer stays small because the body is
// moved out of it as it arrives: a 200 KB push took ~350 reads, each a recvmsg, an epoll_wait and a timer re-arm.
// A connection that sends a larger body gets a buffer of up to this size for its life.
constexpr std::size_t kBodyReadChunk = 64 * 1024;
// After refusing a request it did not read to the end, how long the session still reads (and drops) what the client
// sends before closing: closing a socket with unread input sends a reset, which can destroy the answer at the client
// before it is read. Bounded by time only, as Apache's and nginx's lingering close: a byte bound let a client still
// sending at loopback speed get the reset before it had read the answer.
constexpr std::chrono::seconds kLingerTime{2};

std::string headerValue(const http::request<http::string_body>& request, std::string_view name) {
  const auto found = request.find(name);
  return found == request.end() ? std::string() : std::string(found->value());
}

// The value of query parameter `name` in `target`, matched as a whole name; empty when absent.
std::string queryParameter(std::string_view target, std::string_view name) {
  const auto query = target.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    const auto end = rest.find('&');
    const std::string_view pair = rest.substr(0, end);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return std::string(pair.substr(equals + 1));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return {};
}

// `upgrade`: a WebSocket request, which may carry its token as ?access_token= (browsers cannot set headers on a
// WebSocket); every other request needs the header.
HttpRequest toRequest(http::request<http::string_body>&& request, bool upgrade) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  // Two Authorization headers are ambiguous: neither is taken (the request is refused as unauthorized).
  if (request.count(http::field::authorization) == 1) out.authorization = headerValue(request, "Authorization");
  out.protocolVersion = headerValue(request, protocol::kProtocolHeader);
  out.contentType = headerValue(request, "Content-Type");
  out.contentEncoding = headerValue(request, "Content-Encoding");
  out.acceptsGzip = headerValue(request, "Accept-Encoding").find("gzip") != std::string::npos;
  if (upgrade && request.count(http::field::authorization) == 0) {
    const std::string token = queryParameter(out.target, "access_token");
    if (!token.empty()) out.authorization = "Bearer " + token;
  }
  out.body = std::move(request.body());
  return out;
}

class HttpSession : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(net::ip::tcp::socket&& socket, SessionContext& context) : stream_(std::move(socket)), context_(context) {}

  void start() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::doRead, shared_from_this())); }

  void shutdown() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      // Idle between requests: close now. Busy: the response goes out, then the connection closes.
      if (!self->busy_) self->close();
    });
  }

 private:
  void doRead() {
    if (context_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(context_.router.limits().maxBodyBytes);
    stream_.expires_after(firstRead_ ? context_.options.requestTimeout : context_.options.idleTimeout);
    firstRead_ = false;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::onHeader, shared_from_this()));
  }

  // From the first header on, the request is in flight: a stop lets it finish.
  void onHeader(beast::error_code ec, std::size_t) {
    if (ec) return onRead(ec, 0);
    busy_ = true;
    if (const auto length = parser_->content_length(); length && *length > buffer_.capacity()) {
      buffer_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, kBodyReadChunk)));
    }
    stream_.expires_after(context_.options.requestTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      return respond(errorResponse(413, "ERR_TOO_LARGE", "The body is larger than the server accepts"), false, true);
    }
    if (ec == http::error::header_limit) {
      const char* message = "The request line and headers are larger than the server accepts";
      return respond(errorResponse(431, "ERR_TOO_LARGE", message), false, true);
    }
    if (ec) {
      busy_ = false;
      return close();  // end of stream, timeout, reset, or a malformed request line
    }
    http::request<http::string_body> request = parser_->release();
    const bool keepAlive = request.keep_alive();
    if (beast::websocket::is_upgrade(request)) {
      HttpRequest converted = toRequest(http::request<http::string_body>(request), true);
      Router::Authorized authorized = context_.router.authorize(converted);
      if (converted.target.substr(0, converted.target.find('?')) != "/v1/live") {
        return respond(errorResponse(404, "ERR_NOT_FOUND", "No WebSocket endpoint here"), false);
      }
      if (!authorized.tenant) return respond(std::move(authorized.refusal), false);
      stream_.expires_never();
      return startLiveSession(std::move(stream_), std::move(request), *authorized.tenant, context_);
    }
    busy_ = true;
    respond(context_.router.handle(toRequest(std::move(request), false)), keepAlive);
  }

  // unread: the request was refused before it was read to the end (the client may still be sending it).
  void respond(HttpResponse response, bool keepAlive, bool unread = false) {
    busy_ = true;
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    message->set(http::field::server, "offline-sync-server");
    message->set(http::field::content_type, "application/json");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keepAlive && !context_.stopping);
    message->prepare_payload();
    stream_.expires_after(context_.options.requestTimeout);
    http::async_write(stream_, *message, [self = shared_from_this(), message, unread](beast::error_code ec,
                                                                                        std::size_t) {
      self->busy_ = false;
      if (!ec && unread) return self->lingerThenClose();
      if (ec || !message->keep_alive()) return self->close();
      self->doRead();
    });
  }

  // The answer is out: stop sending, then drop what the client still sends until it closes its side or kLingerTime
  // passes, and close.
  void lingerThenClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kBodyReadChunk), [self = shared_from_this()](beast::error_code ec,
                                                                                        std::size_t) {
      if (ec || self->context_.stopping) return self->stream_.close();
      self->drain();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  SessionContext& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool busy_ = false;
  bool firstRead_ = true;
};

}  // namespace

void startHttpSession(net::ip::tcp::socket socket, SessionContext& context) {
  auto session = std::make_shared<HttpSession>(std::move(socket), context);
  context.add(session);
  session->start();
}

}  // namespace offline_sync::server
