// Tokens for the engine: fixed, cached, or asked of the app's getToken through lib/.
#include "addon/js_token_source.h"

#include <utility>

#include "core/sync/round_failure.h"

namespace offline_sync::addon {

void JsTokenSource::fetch(bool refresh, Callback done) {
  if (fixed_) return done(*fixed_, std::nullopt);
  std::uint64_t id = 0;
  {
    std::unique_lock lock(mutex_);
    if (refresh) cached_.reset();  // the server refused it
    if (cached_) {
      std::string token = *cached_;
      lock.unlock();
      return done(std::move(token), std::nullopt);
    }
    waiting_.push_back(std::move(done));
    if (inFlight_ != 0) return;
    id = inFlight_ = nextId_++;
  }
  if (channel_.send(TokenMessage{id, refresh})) return;
  // The channel is closing: answer now rather than leave the round waiting for a token that cannot come.
  answer(id, std::nullopt, "the sync client is closing");
}

void JsTokenSource::answer(std::uint64_t id, std::optional<std::string> token, const std::string& failure) {
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (id == 0 || id != inFlight_) return;
    inFlight_ = 0;
    callbacks.swap(waiting_);
    if (token && !token->empty()) cached_ = *token;
  }
  for (auto& callback : callbacks) {
    if (token && !token->empty()) {
      callback(*token, std::nullopt);
    } else {
      callback(std::nullopt, Error(ErrorCategory::auth, sync::sync_codes::auth, failure));
    }
  }
}

void JsTokenSource::clear() noexcept {
  std::vector<Callback> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(waiting_);
  inFlight_ = 0;
}

}  // namespace offline_sync::addon
