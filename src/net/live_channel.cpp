// LiveChannel: connect (Connector), upgrade with the token headers, then read text frames until the channel ends.
// Beast's own timeouts drive the pings: idle for livePing, it pings; silent for twice that, it gives up.
#include "net/live_channel.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/protocol/codec.h"
#include "net/url.h"

namespace offline_sync::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace codes = sync::net_codes;

LiveChannel::LiveChannel(std::shared_ptr<TransportShared> shared, std::string token, sync::LiveHandlers handlers)
    : shared_(std::move(shared)), token_(std::move(token)), handlers_(std::move(handlers)),
      buffer_(kMaxMessageBytes + 4096) {}

void LiveChannel::start() {
  if (finished_ || cancelled_) return;  // closed before the posted start ran
  if (!isHeaderSafe(token_)) {
    // Posted: closed() must not run inside openLive().
    asio::post(shared_->io, [self = shared_from_this()] {
      if (self->finished_) return;
      self->fail(Error(ErrorCategory::argument, offline_sync::codes::invalidArg,
                       "The live channel token has characters HTTP does not allow"),
                 0);
    });
    return;
  }
  connector_ = std::make_shared<Connector>(shared_);
  connector_->start([self = shared_from_this()](std::optional<Error> failure, ConnectedStream stream) {
    self->onConnected(std::move(failure), std::move(stream));
  });
}

void LiveChannel::cancel() {
  cancelled_ = true;
  asio::dispatch(shared_->io, [self = shared_from_this()] {
    if (self->finished_) return;
    self->finished_ = true;
    self->handlers_ = {};  // released here, on the executor's thread
    self->closeNow(true);
  });
}

void LiveChannel::onConnected(std::optional<Error> failure, ConnectedStream stream) {
  connector_.reset();
  if (finished_) return;
  if (failure) return fail(std::move(*failure), 0);
  // The WebSocket's own timeouts take over from here: the TCP layer must not have one of its own.
  stream.lowest().expires_never();
  if (stream.tls) {
    tls_.emplace(std::move(*stream.tls));
  } else {
    plain_.emplace(std::move(*stream.plain));
  }
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = shared_->options.connectTimeout;  // the upgrade, and the closing handshake
  // Beast pings after half the idle timeout without traffic, and gives up when the other half passes silently.
  timeouts.idle_timeout = 2 * shared_->options.livePing;
  timeouts.keep_alive_pings = true;
  const std::string authorization = "Bearer " + token_;
  withSocket([&](auto& socket) {
    socket.set_option(timeouts);
    socket.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& request) {
      request.set(http::field::authorization, authorization);
      request.set(protocol::kProtocolHeader, std::to_string(protocol::kProtocolVersion));
      request.set(http::field::user_agent, "offline-sync/1");
    }));
    socket.read_message_max(kMaxMessageBytes);
    socket.async_handshake(upgrade_, shared_->url.hostHeader, shared_->url.prefix + "/v1/live",
                           [self = shared_from_this()](const beast::error_code& ec) { self->onHandshake(ec); });
  });
}

void LiveChannel::onHandshake(const beast::error_code& ec) {
  if (finished_) return;
  if (ec == websocket::error::upgrade_declined || (ec && upgrade_.result_int() != 0 && upgrade_.result_int() != 101)) {
    return fail(refusal(), static_cast<int>(upgrade_.result_int()));
  }
  if (ec) {
    const bool timeout = ec == beast::error::timeout;
    return fail(Error(ErrorCategory::network, timeout ? codes::timeout : codes::network,
                      "Opening the live channel to " + shared_->url.where() + " failed: " + ec.message()),
                0);
  }
  opened_ = true;
  upgrade_ = {};
  if (!cancelled_ && handlers_.opened) {
    try {
      handlers_.opened();
    } catch (...) {
    }
  }
  if (!finished_) read();
}

Error LiveChannel::refusal() const {
  std::string detail;
  try {
    const auto body = protocol::Decoder().error(upgrade_.body());
    detail = " " + body.code + ": " + body.message;
  } catch (const std::exception&) {
    // Not the protocol's error body (a proxy's page, say): the status says enough.
  }
  return Error(ErrorCategory::network, codes::network,
               shared_->url.where() + " refused the live channel with HTTP " + std::to_string(upgrade_.result_int()) +
                   detail);
}

void LiveChannel::read() {
  withSocket([&](auto& socket) {
    socket.async_read(buffer_, [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
      self->onRead(ec);
    });
  });
}

void LiveChannel::onRead(const beast::error_code& ec) {
  if (finished_) return;
  if (ec) return fail(readFailure(ec), 0);
  bool text = false;
  withSocket([&](auto& socket) { text = socket.got_text(); });
  if (text && !cancelled_ && handlers_.message) {
    // flat_buffer is contiguous; the view is valid until consume() below.
    const std::string_view message(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    try {
      handlers_.message(message);
    } catch (...) {
    }
  }
  buffer_.consume(buffer_.size());
  if (!finished_) read();  // the handler may have closed the channel
}

Error LiveChannel::readFailure(const beast::error_code& ec) {
  const std::string where = shared_->url.where();
  if (ec == websocket::error::closed) {
    std::string reason;
    withSocket([&](auto& socket) {
      const auto& close = socket.reason();
      reason = " (code " + std::to_string(close.code) + (close.reason.empty() ? "" : ", " + std::string(close.reason.data(), close.reason.size())) + ")";
    });
    return Error(ErrorCategory::network, codes::network, where + " closed the live channel" + reason);
  }
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return Error(ErrorCategory::protocol, "ERR_PROTOCOL",
                 "A live channel message from " + where + " is over " + std::to_string(kMaxMessageBytes) + " bytes");
  }
  if (ec == beast::error::timeout) {
    return Error(ErrorCategory::network, codes::timeout, where + " stopped answering on the live channel (no pong)");
  }
  return Error(ErrorCategory::network, codes::network, "The live channel to " + where + " failed: " + ec.message());
}

void LiveChannel::fail(Error reason, int status) {
  finished_ = true;
  closeNow(false);
  auto closed = std::move(handlers_.closed);
  handlers_ = {};
  if (cancelled_ || !closed) return;
  try {
    closed(std::move(reason), status);
  } catch (...) {
  }
}

void LiveChannel::closeNow(bool polite) {
  if (connector_) connector_->cancel();
  connector_.reset();
  if (!plain_ && !tls_) return;
  withSocket([&](auto& socket) {
    if (polite && opened_ && socket.is_open()) {
      // A polite close frame; the handshake timeout bounds how long the server may take to answer it.
      socket.async_close(websocket::close_code::normal, [self = shared_from_this()](const beast::error_code&) {});
    } else {
      beast::error_code ignored;
      beast::get_lowest_layer(socket).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(socket).close();
    }
  });
}

}  // namespace offline_sync::net
