// A connected stream to the server, plain TCP or TLS over TCP, with the one operation code needs for both.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>

namespace offline_sync::net {

struct ConnectedStream {
  ConnectedStream() = default;
  // Leaves other empty: a moved-from ssl_stream has no state at all, so it must not stay engaged.
  ConnectedStream(ConnectedStream&& other) : plain(std::move(other.plain)), tls(std::move(other.tls)) {
    other.plain.reset();
    other.tls.reset();
  }
  ConnectedStream& operator=(ConnectedStream&&) = delete;

  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;

  bool empty() const { return !plain && !tls; }

  // The TCP layer: for deadlines (expires_after) and closing.
  boost::beast::tcp_stream& lowest() { return tls ? boost::beast::get_lowest_layer(*tls) : *plain; }

  // Calls f with the stream to read and write, whichever it is.
  template <class F>
  void visit(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  // Closes the socket; pending operations complete with operation_aborted. No TLS close_notify: nothing more will be
  // read, and the server owes us nothing.
  void close() {
    if (empty()) return;
    boost::beast::error_code ignored;
    lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    lowest().close();
  }
};

}  // namespace offline_sync::net
