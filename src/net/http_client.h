// The request side of the transport: a bounded queue of requests sent one at a time over one kept-alive connection,
// reconnecting when it is gone, and the conversion of Beast's results into the engine's responses and errors.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "core/sync/transport.h"
#include "net/connector.h"
#include "net/http_connection.h"
#include "net/transport_shared.h"

namespace offline_sync::net {

class HttpClient : public std::enable_shared_from_this<HttpClient> {
 public:
  // Requests waiting behind the one in flight; more fail at once (the engine has at most two pushes queued).
  static constexpr std::size_t kMaxQueued = 16;

  explicit HttpClient(std::shared_ptr<TransportShared> shared);

  // Everything below runs on the executor's thread.

  // epoch: the transport's epoch when send() was called; a request of an older epoch is dropped unanswered.
  void send(sync::HttpRequest request, sync::ResponseHandler handler, std::uint64_t epoch);
  // Drops every queued and in-flight request without calling its handler, and closes the connection.
  void cancelAll();

 private:
  struct Pending {
    sync::HttpRequest request;
    sync::ResponseHandler handler;
    std::uint64_t epoch = 0;
    std::shared_ptr<Exchange> exchange;  // built when it is queued
    bool retried = false;
  };

  void startNext();
  void connect();
  void onConnected(std::uint64_t attempt, std::optional<Error> failure, ConnectedStream stream);
  void runExchange();
  void onExchange(std::uint64_t attempt, bool reusedConnection, const std::shared_ptr<Exchange>& exchange);
  void complete(std::optional<Error> failure, sync::HttpResponse response);

  std::shared_ptr<Exchange> buildExchange(const sync::HttpRequest& request) const;
  Error failureOf(const Exchange& exchange) const;
  // The response, or the error that makes it unusable (too large once inflated, unknown encoding).
  std::optional<Error> convert(Exchange& exchange, sync::HttpResponse& out) const;

  std::shared_ptr<TransportShared> shared_;
  std::deque<Pending> queue_;
  std::optional<Pending> current_;
  std::shared_ptr<HttpConnection> connection_;
  std::shared_ptr<Connector> connector_;
  // Every connect and exchange gets a new number; a completion carrying an older one was superseded or cancelled.
  std::uint64_t attempt_ = 0;
};

}  // namespace offline_sync::net
