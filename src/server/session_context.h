// What every connection of the server shares: the router, the hub, the options, and the open sessions to stop.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "server/http_server.h"

namespace offline_sync::server {

// A connection that stop() must end: it finishes what it is doing, then closes.
class Session {
 public:
  virtual ~Session() = default;
  virtual void shutdown() = 0;  // any thread
};

class SessionContext {
 public:
  SessionContext(Router& router, LiveHub& hub, ServerOptions options)
      : router(router), hub(hub), options(std::move(options)) {}

  Router& router;
  LiveHub& hub;
  const ServerOptions options;
  std::atomic<bool> stopping{false};

  void add(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& weak) { return weak.expired(); });
    sessions_.push_back(session);
  }
  std::size_t openCount() {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& weak) { return weak.expired(); });
    return sessions_.size();
  }
  void shutdownAll() {
    std::vector<std::shared_ptr<Session>> open;
    {
      std::lock_guard lock(mutex_);
      for (auto& weak : sessions_) {
        if (auto session = weak.lock()) open.push_back(std::move(session));
      }
    }
    for (auto& session : open) session->shutdown();
  }

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

// Serves HTTP on an accepted connection (and hands WebSocket upgrades to the live channel).
void startHttpSession(boost::asio::ip::tcp::socket socket, SessionContext& context);

}  // namespace offline_sync::server
