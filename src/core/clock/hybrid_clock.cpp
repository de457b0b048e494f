// Lock-free HLC: each stamp is max(last + 1, wall time), so a wall clock jumping back only slows the clock down.
#include "core/clock/hybrid_clock.h"

#include <algorithm>
#include <chrono>

namespace offline_sync {
namespace {

HlcStamp wallStamp(std::int64_t millis) { return hlcFromMillis(static_cast<std::uint64_t>(std::max<std::int64_t>(0, millis))); }

}  // namespace

HybridClock::HybridClock(WallClock wall, std::int64_t maxAheadMs) : wall_(std::move(wall)), maxAheadMs_(maxAheadMs) {}

std::int64_t HybridClock::systemMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

HlcStamp HybridClock::now() {
  const HlcStamp wall = wallStamp(wall_());
  HlcStamp previous = last_.load(std::memory_order_acquire);
  HlcStamp next = 0;
  do {
    next = std::max(previous + 1, wall);
  } while (!last_.compare_exchange_weak(previous, next, std::memory_order_acq_rel, std::memory_order_acquire));
  return next;
}

void HybridClock::advanceTo(HlcStamp target) {
  HlcStamp previous = last_.load(std::memory_order_acquire);
  while (previous < target &&
         !last_.compare_exchange_weak(previous, target, std::memory_order_acq_rel, std::memory_order_acquire)) {
  }
}

bool HybridClock::observe(HlcStamp stamp) {
  const HlcStamp limit = wallStamp(wall_() + maxAheadMs_);
  advanceTo(std::min(stamp, limit));
  return stamp <= limit;
}

void HybridClock::restore(HlcStamp stamp) { advanceTo(stamp); }

}  // namespace offline_sync
