// The production sync::Transport: protocol v1 over HTTP/1.1 (one kept-alive connection, gzip both ways) and the
// WebSocket live channel, on Boost.Beast, with every completion on the AsioExecutor's thread. Beast stays out of this
// header so the engine and the addon compile without it.
#pragma once

#include <memory>
#include <string>

#include "core/sync/transport.h"
#include "net/asio_executor.h"
#include "net/transport_options.h"

namespace offline_sync::net {

// Lifetime rules:
//  - the executor must outlive the transport (the sockets belong to its io_context);
//  - destroy the transport on the executor's thread, or after that thread is joined: the destructor calls shutdown(),
//    which drops the handlers, and on the executor's thread that happens before the destructor returns, so no
//    handler can run afterwards with references to whatever the caller is tearing down. (The transport's own memory
//    is safe either way: connections hold what they use by shared_ptr.)
class HttpTransport final : public sync::Transport {
 public:
  // Throws Error(argument, ERR_INVALID_ARG) for a malformed URL (http[s]://host[:port][/prefix]), a ca that is not
  // PEM, or deadlines and limits that are not positive.
  HttpTransport(AsioExecutor& executor, TransportOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // All four are thread-safe; the handlers always run on the executor's thread, never inside the call itself.
  // Up to 16 requests may wait behind the one in flight; more fail at once with ERR_NETWORK.
  void send(sync::HttpRequest request, sync::ResponseHandler handler) override;
  // Replaces (silently closes) a live channel that is already open.
  void openLive(std::string token, sync::LiveHandlers handlers) override;
  void closeLive() override;
  // Cancels everything in flight: the handlers of requests sent and of a live channel opened before it are dropped
  // without being called (none will report success). The transport stays usable: a later send() or openLive()
  // connects again.
  void shutdown() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace offline_sync::net
