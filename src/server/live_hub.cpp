// Listeners are called under the hub's lock, so none runs after its unsubscribe returns.
#include "server/live_hub.h"

#include <algorithm>

namespace offline_sync::server {

std::unique_ptr<LiveHub::Subscription> LiveHub::subscribe(std::string_view tenant, Listener listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = nextId_++;
  listeners_[std::string(tenant)].emplace_back(id, std::move(listener));
  return std::make_unique<Subscription>(*this, std::string(tenant), id);
}

void LiveHub::publish(std::string_view tenant, std::int64_t cursor) {
  std::lock_guard lock(mutex_);
  const auto found = listeners_.find(std::string(tenant));
  if (found == listeners_.end()) return;
  for (const auto& [id, listener] : found->second) listener(cursor);
}

std::size_t LiveHub::listenerCount() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [tenant, list] : listeners_) count += list.size();
  return count;
}

void LiveHub::unsubscribe(const std::string& tenant, std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto found = listeners_.find(tenant);
  if (found == listeners_.end()) return;
  std::erase_if(found->second, [id](const auto& entry) { return entry.first == id; });
  if (found->second.empty()) listeners_.erase(found);
}

}  // namespace offline_sync::server
