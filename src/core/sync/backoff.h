// The retry schedule: exponential delays with jitter, capped, honouring a server's Retry-After.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "core/sync/sync_options.h"

namespace offline_sync::sync {

class Backoff {
 public:
  // random: uniform in [0, 1).
  Backoff(RetryOptions options, std::function<double()> random);

  // The delay before the next attempt; each call counts one more failure. Never over maxDelay, except that a
  // server's Retry-After is honoured as a minimum.
  Millis next(std::optional<std::chrono::seconds> retryAfter = std::nullopt);
  void reset() noexcept { failures_ = 0; }
  int failures() const noexcept { return failures_; }

 private:
  RetryOptions options_;
  std::function<double()> random_;
  int failures_ = 0;
};

}  // namespace offline_sync::sync
