#include "core/clock/hybrid_clock.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace offline_sync {
namespace {

// A wall clock the test moves by hand.
struct FakeWall {
  std::int64_t millis = 1'700'000'000'000;
  HybridClock::WallClock fn() {
    return [this] { return millis; };
  }
};

TEST(HybridClockTest, FollowsWallTimeWhenItAdvances) {
  FakeWall wall;
  HybridClock clock(wall.fn());
  const HlcStamp first = clock.now();
  EXPECT_EQ(hlcMillis(first), static_cast<std::uint64_t>(wall.millis));
  wall.millis += 5;
  const HlcStamp second = clock.now();
  EXPECT_EQ(hlcMillis(second), static_cast<std::uint64_t>(wall.millis));
  EXPECT_EQ(second & 0xffff, 0u) << "a new millisecond restarts the counter";
}

TEST(HybridClockTest, CountsWithinOneMillisecond) {
  FakeWall wall;
  HybridClock clock(wall.fn());
  HlcStamp previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const HlcStamp next = clock.now();
    EXPECT_EQ(next, previous + 1);
    previous = next;
  }
}

TEST(HybridClockTest, StaysMonotonicWhenTheWallClockJumpsBack) {
  FakeWall wall;
  HybridClock clock(wall.fn());
  const HlcStamp before = clock.now();
  wall.millis -= 3'600'000;  // an hour back (NTP correction, a user changing the time)
  const HlcStamp after = clock.now();
  EXPECT_GT(after, before);
  EXPECT_EQ(hlcMillis(after), hlcMillis(before)) << "the clock waits for the wall clock to catch up";
}

TEST(HybridClockTest, RestartFromPersistedStampStaysMonotonic) {
  FakeWall wall;
  HlcStamp persisted = 0;
  {
    HybridClock clock(wall.fn());
    for (int i = 0; i < 10; ++i) persisted = clock.now();
  }
  wall.millis -= 3'600'000;  // the machine restarts with its clock an hour behind
  HybridClock restarted(wall.fn(), 1'000);
  restarted.restore(persisted);  // unlike a peer's stamp, never clamped
  EXPECT_GT(restarted.now(), persisted);
}

TEST(HybridClockTest, ObservingARemoteStampAdvancesPastIt) {
  FakeWall wall;
  HybridClock clock(wall.fn());
  const HlcStamp remote = hlcFromMillis(static_cast<std::uint64_t>(wall.millis + 2'000)) + 7;  // a peer 2 s ahead
  EXPECT_TRUE(clock.observe(remote));
  EXPECT_GT(clock.now(), remote);
  EXPECT_TRUE(clock.observe(1)) << "an older stamp is accepted and changes nothing";
  EXPECT_GT(clock.now(), remote);
}

TEST(HybridClockTest, ClampsAStampTooFarAhead) {
  FakeWall wall;
  HybridClock clock(wall.fn(), 1'000);
  const HlcStamp farAhead = hlcFromMillis(static_cast<std::uint64_t>(wall.millis + 10'000'000));
  EXPECT_FALSE(clock.observe(farAhead));
  EXPECT_LT(clock.now(), farAhead);
  EXPECT_LE(hlcMillis(clock.last()), static_cast<std::uint64_t>(wall.millis + 1'000));
}

TEST(HybridClockTest, UniqueAcrossThreads) {
  HybridClock clock;
  constexpr int kThreads = 4;
  constexpr int kEach = 20'000;
  std::vector<std::vector<HlcStamp>> stamps(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) stamps[static_cast<std::size_t>(t)].push_back(clock.now());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<HlcStamp> all;
  for (const auto& list : stamps) {
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1], list[i]);
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace offline_sync
