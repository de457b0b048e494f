// Exponential backoff: initialDelay × factor^failures, scaled by a jitter factor, then capped.
#include "core/sync/backoff.h"

#include <algorithm>
#include <cmath>

namespace offline_sync::sync {

constexpr Millis kMaxRetryAfter = std::chrono::hours(1);

Backoff::Backoff(RetryOptions options, std::function<double()> random)
    : options_(options), random_(std::move(random)) {}

Millis Backoff::next(std::optional<std::chrono::seconds> retryAfter) {
  const double max = static_cast<double>(options_.maxDelay.count());
  // Capped before the jitter too, so a long outage does not overflow the exponent.
  const double base = std::min(max, static_cast<double>(options_.initialDelay.count()) *
                                        std::pow(options_.factor, std::min(failures_, 64)));
  ++failures_;
  const double unit = random_ ? std::clamp(random_(), 0.0, 1.0) : 0.5;
  const double scaled = base * (1.0 + options_.jitter * (2.0 * unit - 1.0));
  auto delay = Millis(static_cast<std::int64_t>(std::clamp(scaled, 0.0, max)));
  // A server's Retry-After is honoured up to an hour: a wrong or hostile one must not silence the client for years.
  if (retryAfter) delay = std::max<Millis>(delay, std::min<Millis>(*retryAfter, kMaxRetryAfter));
  return delay;
}

}  // namespace offline_sync::sync
