// One attempt at the live channel: a WebSocket to <prefix>/v1/live that reports opened, each text message, and
// why it closed. Reconnecting is the engine's decision; a new attempt is a new LiveChannel.
#pragma once

#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/sync/transport.h"
#include "net/connector.h"
#include "net/transport_shared.h"

namespace offline_sync::net {

class LiveChannel : public std::enable_shared_from_this<LiveChannel> {
 public:
  static constexpr std::size_t kMaxMessageBytes = 64 * 1024;

  LiveChannel(std::shared_ptr<TransportShared> shared, std::string token, sync::LiveHandlers handlers);

  // On the executor's thread.
  void start();
  // Any thread: from now on no handler runs. The connection itself is closed on the executor's thread.
  void cancel();

 private:
  using PlainSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using TlsSocket = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  template <class F>
  void withSocket(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void onConnected(std::optional<Error> failure, ConnectedStream stream);
  void onHandshake(const boost::beast::error_code& ec);
  void read();
  void onRead(const boost::beast::error_code& ec);
  void fail(Error reason, int status);
  // polite: a close frame first (closeLive() on a healthy channel); else the socket is closed at once.
  void closeNow(bool polite);
  Error readFailure(const boost::beast::error_code& ec);
  Error refusal() const;

  std::shared_ptr<TransportShared> shared_;
  std::string token_;
  sync::LiveHandlers handlers_;
  std::atomic<bool> cancelled_{false};
  std::shared_ptr<Connector> connector_;
  std::optional<PlainSocket> plain_;
  std::optional<TlsSocket> tls_;
  boost::beast::websocket::response_type upgrade_;  // the server's answer to the upgrade, a refusal's status and body
  boost::beast::flat_buffer buffer_;
  bool opened_ = false;
  bool finished_ = false;  // closed() was called, or cancel() ran: no more reads, no more handlers
};

}  // namespace offline_sync::net
