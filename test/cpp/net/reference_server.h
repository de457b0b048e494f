// The real reference server (src/server) in-process on 127.0.0.1 and a free port, on a fresh SQLite file.
#pragma once

#include <memory>
#include <string>

#include "server/http_server.h"
#include "server/sqlite_storage.h"
#include "temp_dir.h"

namespace offline_sync::net::testing {

class ReferenceServer {
 public:
  // Tokens: alpha → school-a, beta → school-b.
  explicit ReferenceServer(server::ServerOptions options = defaults())
      : storage_(dir_.file("server.db"), storageOptions()), router_(storage_, tokens(), hub_) {
    http_ = std::make_unique<server::HttpServer>(router_, hub_, options);
    http_->start();
  }
  ~ReferenceServer() { stop(); }
  ReferenceServer(const ReferenceServer&) = delete;
  ReferenceServer& operator=(const ReferenceServer&) = delete;

  std::uint16_t port() const { return port_ != 0 ? port_ : (port_ = http_->port()); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  // Stops and waits for the server's threads. Idempotent.
  void stop() {
    port();
    http_->stop();
    http_->wait();
  }

  static server::ServerOptions defaults() {
    server::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.stopGrace = std::chrono::seconds(2);
    return options;
  }

 private:
  static server::SqliteStorageOptions storageOptions() {
    server::SqliteStorageOptions options;
    options.synchronous = store::Synchronous::normal;  // no fsync per push: the tests do not pull the plug
    return options;
  }
  server::TokenTable& tokens() {
    tokens_.add("alpha:school-a");
    tokens_.add("beta:school-b");
    return tokens_;
  }

  offline_sync::testing::TempDir dir_;
  server::SqliteStorage storage_;
  server::TokenTable tokens_;
  server::LiveHub hub_;
  server::Router router_;
  std::unique_ptr<server::HttpServer> http_;
  mutable std::uint16_t port_ = 0;
};

}  // namespace offline_sync::net::testing
