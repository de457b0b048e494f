// The reference server's network side: Beast HTTP and WebSocket on a pool of threads, with a graceful stop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/live_hub.h"
#include "server/router.h"

namespace offline_sync::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port)
  int threads = 2;
  std::chrono::seconds requestTimeout{30};   // to read one request, headers and body (slow clients are dropped)
  std::chrono::seconds idleTimeout{60};      // between requests on a kept-alive connection
  std::chrono::seconds livePingInterval{20};  // WebSocket pings; two unanswered ones close the connection
  std::chrono::seconds stopGrace{10};        // how long stop() lets requests in progress finish
};

class HttpServer {
 public:
  // Binds the listening socket (throws Error ERR_NETWORK if it cannot).
  HttpServer(Router& router, LiveHub& hub, ServerOptions options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  std::uint16_t port() const;
  // Serves on the option's number of threads until stop().
  void start();
  // Stops accepting, lets requests in progress finish (up to stopGrace), closes live channels. Idempotent; any thread.
  void stop();
  // Returns when every thread has finished, also when SIGINT or SIGTERM stopped the server (see stopOnSignals).
  void wait();
  // SIGINT and SIGTERM call stop().
  void stopOnSignals();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace offline_sync::server
