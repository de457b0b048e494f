// Hybrid logical clock: stamps that follow wall time but never go backwards, across restarts and peers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace offline_sync {

// A stamp packs milliseconds since the Unix epoch (high 48 bits) and a logical counter (low 16 bits), so stamps
// compare as plain integers. Ties between devices are broken by device id, outside the clock.
using HlcStamp = std::uint64_t;

inline constexpr int kHlcCounterBits = 16;
inline constexpr std::uint64_t hlcMillis(HlcStamp stamp) { return stamp >> kHlcCounterBits; }
inline constexpr HlcStamp hlcFromMillis(std::uint64_t millis) { return millis << kHlcCounterBits; }

class HybridClock {
 public:
  using WallClock = std::function<std::int64_t()>;  // milliseconds since the Unix epoch

  // maxAheadMs bounds how far a remote stamp may pull this clock past the wall clock, so one device with a clock set
  // years ahead cannot freeze everyone's clock at its value.
  explicit HybridClock(WallClock wall = systemMillis, std::int64_t maxAheadMs = 24LL * 3600 * 1000);
  HybridClock(const HybridClock&) = delete;
  HybridClock& operator=(const HybridClock&) = delete;

  // A stamp greater than every stamp this clock issued or observed. Thread-safe.
  HlcStamp now();
  // Takes in a stamp from a peer. Thread-safe. Returns false when the stamp was too far ahead of the wall clock and
  // the clock advanced only to the limit.
  bool observe(HlcStamp stamp);
  // Takes in this clock's own persisted high-water mark at start: never clamped, so the clock stays monotonic even
  // when the wall clock is now far behind it.
  void restore(HlcStamp stamp);
  // The greatest stamp issued or observed so far: what to persist.
  HlcStamp last() const noexcept { return last_.load(std::memory_order_acquire); }

  static std::int64_t systemMillis();

 private:
  void advanceTo(HlcStamp target);

  WallClock wall_;
  std::int64_t maxAheadMs_;
  std::atomic<HlcStamp> last_{0};
};

}  // namespace offline_sync
