// Opens one connection to the server: resolve, TCP connect, and for https a verified TLS handshake, all within the
// transport's connectTimeout. Used by the HTTP connections and the live channel alike.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "core/error.h"
#include "net/connected_stream.h"
#include "net/transport_shared.h"

namespace offline_sync::net {

class Connector : public std::enable_shared_from_this<Connector> {
 public:
  // Runs once: an Error (network, timeout or tls) or the connected stream.
  using Callback = std::function<void(std::optional<Error> failure, ConnectedStream stream)>;

  explicit Connector(std::shared_ptr<TransportShared> shared);

  // On the executor's thread, as is everything here.
  void start(Callback done);
  // Abandons the attempt: the callback is dropped without being called.
  void cancel();

 private:
  void onResolved(const boost::system::error_code& ec, const boost::asio::ip::tcp::resolver::results_type& results);
  void onConnected(const boost::system::error_code& ec);
  void onHandshake(const boost::system::error_code& ec);
  void onDeadline();
  void fail(Error error);
  void succeed();
  std::string tlsFailure(const boost::system::error_code& ec);

  std::shared_ptr<TransportShared> shared_;
  boost::asio::ip::tcp::resolver resolver_;
  // One deadline for the whole attempt: it cancels the resolver or closes the socket, whichever is in progress.
  boost::asio::steady_timer deadline_;
  ConnectedStream stream_;
  Callback done_;
  bool finished_ = false;
};

}  // namespace offline_sync::net
