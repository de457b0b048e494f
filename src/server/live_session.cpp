// One WebSocket per subscribed device. Notifications are coalesced: only the newest waits while a write is in progress,
// so a slow client costs one message of memory, never a growing queue.
#include "server/live_session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>
#include <optional>

namespace offline_sync::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

class LiveSession : public Session, public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(beast::tcp_stream stream, std::string tenant, SessionContext& context)
      : ws_(std::move(stream)), tenant_(std::move(tenant)), context_(context) {}

  void run(http::request<http::string_body> request) {
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    // Beast pings at half the idle timeout and closes when the timeout passes without an answer.
    timeouts.idle_timeout = context_.options.livePingInterval * 2;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(request, beast::bind_front_handler(&LiveSession::onAccept, shared_from_this()));
  }

  void shutdown() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->subscription_.reset();
      self->closing_ = true;
      if (!self->writing_) self->close();
    });
  }

 private:
  void onAccept(beast::error_code ec) {
    if (ec) return;
    // The listener runs on the publishing thread: it only posts to this connection's strand.
    std::weak_ptr<LiveSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    subscription_ = context_.hub.subscribe(tenant_, [weak, executor](std::int64_t cursor) {
      net::post(executor, [weak, cursor] {
        if (auto self = weak.lock()) self->queue(protocol::encodeLiveMessage({protocol::LiveMessage::Type::changed, cursor}));
      });
    });
    queue(context_.router.helloMessage(tenant_));
    if (context_.stopping) return shutdown();
    doRead();
  }

  void doRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LiveSession::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec) {
      subscription_.reset();  // closed, timed out, or a message over the limit
      return;
    }
    buffer_.consume(buffer_.size());  // clients have nothing to say on this channel
    doRead();
  }

  void queue(std::string message) {
    pending_ = std::move(message);
    if (!writing_) doWrite();
  }

  void doWrite() {
    if (!pending_ || closing_) return;
    writing_ = true;
    outgoing_ = std::move(*pending_);
    pending_.reset();
    ws_.text(true);
    ws_.async_write(net::buffer(outgoing_), beast::bind_front_handler(&LiveSession::onWrite, shared_from_this()));
  }

  void onWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      subscription_.reset();
      return;
    }
    if (closing_) return close();
    doWrite();
  }

  // Once only: shutdown() may come twice (the server stopping while this session also saw it stopping at accept),
  // and Beast allows one close operation at a time.
  void close() {
    if (closeStarted_) return;
    closeStarted_ = true;
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string tenant_;
  SessionContext& context_;
  beast::flat_buffer buffer_;
  std::unique_ptr<LiveHub::Subscription> subscription_;
  std::optional<std::string> pending_;
  std::string outgoing_;
  bool writing_ = false;
  bool closing_ = false;
  bool closeStarted_ = false;
};

}  // namespace

void startLiveSession(beast::tcp_stream stream, http::request<http::string_body> request, std::string tenant,
                      SessionContext& context) {
  auto session = std::make_shared<LiveSession>(std::move(stream), std::move(tenant), context);
  context.add(session);
  session->run(std::move(request));
}

}  // namespace offline_sync::server
