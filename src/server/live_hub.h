// Who listens for a tenant's new changes: the live channel's sessions subscribe, a committed push publishes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace offline_sync::server {

class LiveHub {
 public:
  using Listener = std::function<void(std::int64_t cursor)>;

  // Removes its listener when destroyed.
  class Subscription {
   public:
    Subscription(LiveHub& hub, std::string tenant, std::uint64_t id) : hub_(&hub), tenant_(std::move(tenant)), id_(id) {}
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { hub_->unsubscribe(tenant_, id_); }

   private:
    LiveHub* hub_;
    std::string tenant_;
    std::uint64_t id_;
  };

  // The listener runs on the publishing thread and must only post work elsewhere; it is never called after its
  // subscription is destroyed.
  std::unique_ptr<Subscription> subscribe(std::string_view tenant, Listener listener);
  void publish(std::string_view tenant, std::int64_t cursor);
  std::size_t listenerCount() const;

 private:
  void unsubscribe(const std::string& tenant, std::uint64_t id);

  mutable std::mutex mutex_;
  std::uint64_t nextId_ = 1;
  std::unordered_map<std::string, std::vector<std::pair<std::uint64_t, Listener>>> listeners_;
};

}  // namespace offline_sync::server
