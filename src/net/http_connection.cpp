// HttpConnection: write, then read with Beast's parser under limits. The deadline covers write and read together
// and is cleared afterwards, since Beast fails any operation started after an expired deadline.
#include "net/http_connection.h"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace offline_sync::net {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::size_t kHeaderLimit = 64 * 1024;
// The read buffer only ever holds headers and one read's worth of body (the parser moves body bytes out).
constexpr std::size_t kReadBufferLimit = kHeaderLimit + 1024 * 1024;
}  // namespace

HttpConnection::HttpConnection(std::shared_ptr<TransportShared> shared, ConnectedStream stream)
    : shared_(std::move(shared)), stream_(std::move(stream)), buffer_(kReadBufferLimit) {}

void HttpConnection::run(std::shared_ptr<Exchange> exchange, Done done) {
  exchange->error = {};
  exchange->writing = true;
  exchange->receivedAny = false;
  exchange->bytesRead = 0;
  exchange->parser.emplace();
  exchange->parser->header_limit(kHeaderLimit);
  exchange->parser->body_limit(shared_->options.maxResponseBytes);
  stream_.lowest().expires_after(shared_->options.requestTimeout);
  stream_.visit([&](auto& stream) {
    http::async_write(stream, exchange->request,
                      [self = shared_from_this(), exchange, done](const beast::error_code& ec, std::size_t) mutable {
                        self->onWrite(exchange, std::move(done), ec);
                      });
  });
}

void HttpConnection::onWrite(const std::shared_ptr<Exchange>& exchange, Done done, const beast::error_code& ec) {
  if (ec) return fail(exchange, done, ec);
  exchange->writing = false;
  stream_.visit([&](auto& stream) {
    http::async_read(stream, buffer_, *exchange->parser,
                     [self = shared_from_this(), exchange, done](const beast::error_code& ec, std::size_t bytes) mutable {
                       self->onRead(exchange, std::move(done), ec, bytes);
                     });
  });
}

void HttpConnection::onRead(const std::shared_ptr<Exchange>& exchange, Done done, const beast::error_code& ec,
                            std::size_t bytes) {
  exchange->bytesRead = bytes;
  if (ec) return fail(exchange, done, ec);
  ++completed_;
  if (open_) stream_.lowest().expires_never();
  if (!exchange->parser->get().keep_alive()) close();
  done(exchange);
}

void HttpConnection::fail(const std::shared_ptr<Exchange>& exchange, const Done& done, const beast::error_code& ec) {
  exchange->error = ec;
  exchange->receivedAny = exchange->parser && exchange->parser->got_some();
  close();
  done(exchange);
}

void HttpConnection::close() {
  if (!open_) return;
  open_ = false;
  stream_.close();
}

}  // namespace offline_sync::net
