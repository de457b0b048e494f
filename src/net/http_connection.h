// One kept-alive HTTP/1.1 connection to the server: a connected stream and its read buffer, one exchange at a time.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "net/connected_stream.h"
#include "net/transport_shared.h"

namespace offline_sync::net {

// A request and what became of it. Shared with the operations in flight, so it outlives a cancelled client.
struct Exchange {
  boost::beast::http::request<boost::beast::http::string_body> request;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser;
  boost::beast::error_code error;
  bool writing = false;       // the error came while sending the request (else while reading the response)
  bool receivedAny = false;   // some of the response arrived: resending is no longer safe to do blindly
  std::size_t bytesRead = 0;  // the response's size on the wire
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Done = std::function<void(const std::shared_ptr<Exchange>& exchange)>;

  HttpConnection(std::shared_ptr<TransportShared> shared, ConnectedStream stream);

  // Writes the request and reads the response within requestTimeout; done runs once, with exchange->error set on
  // failure (then the connection is closed). On the executor's thread, one exchange at a time.
  void run(std::shared_ptr<Exchange> exchange, Done done);
  void close();

  // Open, idle, and no stray bytes from the server waiting in the buffer.
  bool reusable() const { return open_ && buffer_.size() == 0; }
  // Exchanges completed on it: more than 0 means a failure may just be the server having closed it while idle.
  std::size_t completed() const { return completed_; }

 private:
  void onWrite(const std::shared_ptr<Exchange>& exchange, Done done, const boost::beast::error_code& ec);
  void onRead(const std::shared_ptr<Exchange>& exchange, Done done, const boost::beast::error_code& ec,
              std::size_t bytes);
  void fail(const std::shared_ptr<Exchange>& exchange, const Done& done, const boost::beast::error_code& ec);

  std::shared_ptr<TransportShared> shared_;
  ConnectedStream stream_;
  boost::beast::flat_buffer buffer_;
  bool open_ = true;
  std::size_t completed_ = 0;
};

}  // namespace offline_sync::net
