// AsioExecutor: task order, timers and their cancellation, throwing tasks, and stopping from any thread.
#include "net/asio_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "net_test_support.h"

namespace offline_sync::net {
namespace {

using testing::kWait;
using testing::onExecutor;
using namespace std::chrono_literals;

TEST(AsioExecutorTest, RunsPostedTasksInOrderOnItsThread) {
  AsioExecutor executor;
  executor.startThread();
  std::vector<int> order;  // touched on the executor's thread only
  std::atomic<bool> allOnThread{true};
  for (int i = 0; i < 100; ++i) {
    executor.post([&, i] {
      allOnThread = allOnThread && executor.runningInThisThread();
      order.push_back(i);
    });
  }
  onExecutor(executor, [] {});
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_TRUE(allOnThread);
  EXPECT_FALSE(executor.runningInThisThread());
}

TEST(AsioExecutorTest, TimersRunOnceAfterTheirDelayWithIdsFromOne) {
  AsioExecutor executor;
  executor.startThread();
  std::promise<std::int64_t> fired;
  auto future = fired.get_future();
  std::int64_t start = 0;
  sync::Executor::TimerId first = 0;
  sync::Executor::TimerId second = 0;
  onExecutor(executor, [&] {
    start = executor.nowMs();
    first = executor.after(30ms, [&] { fired.set_value(executor.nowMs()); });
    second = executor.after(0ms, [] {});
  });
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 2u);
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  EXPECT_GE(future.get() - start, 30);
  // A fired timer is forgotten: cancelling it now does nothing.
  onExecutor(executor, [&] { executor.cancel(first); });
}

TEST(AsioExecutorTest, ACancelledTimerNeverRuns) {
  AsioExecutor executor;
  executor.startThread();
  std::atomic<int> ran{0};
  std::promise<void> later;
  auto laterDone = later.get_future();
  onExecutor(executor, [&] {
    const auto soon = executor.after(1ms, [&] { ++ran; });
    const auto zero = executor.after(0ms, [&] { ++ran; });
    executor.cancel(soon);
    executor.cancel(zero);
    executor.cancel(12345);  // unknown: nothing happens
    // Runs after both would have fired.
    executor.after(50ms, [&] { later.set_value(); });
  });
  ASSERT_EQ(laterDone.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(ran, 0);
}

TEST(AsioExecutorTest, ACancelThatRacesTheExpiryStillWins) {
  // The timer is due before the task that cancels it runs: its wait has completed, but the task must not run.
  AsioExecutor executor;
  executor.startThread();
  std::atomic<int> ran{0};
  onExecutor(executor, [&] {
    const auto id = executor.after(0ms, [&] { ++ran; });
    const auto deadline = std::chrono::steady_clock::now() + 5ms;
    while (std::chrono::steady_clock::now() < deadline) {
    }  // let it expire while this task holds the thread
    executor.cancel(id);
  });
  onExecutor(executor, [] {});
  EXPECT_EQ(ran, 0);
}

TEST(AsioExecutorTest, AThrowingTaskDoesNotStopTheThread) {
  AsioExecutor executor;
  executor.startThread();
  executor.post([] { throw std::runtime_error("task failed"); });
  executor.post([] { throw 42; });
  std::promise<void> timerRan;
  auto timerFuture = timerRan.get_future();
  onExecutor(executor, [&] {
    executor.after(0ms, [] { throw std::runtime_error("timer failed"); });
    executor.after(1ms, [&] { timerRan.set_value(); });
  });
  ASSERT_EQ(timerFuture.wait_for(kWait), std::future_status::ready);
  std::atomic<bool> ran{false};
  onExecutor(executor, [&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(AsioExecutorTest, StopAndJoinIsIdempotentAndDropsWhatIsQueued) {
  AsioExecutor executor;
  executor.startThread();
  onExecutor(executor, [] {});
  executor.stopAndJoin();
  executor.stopAndJoin();
  std::atomic<bool> ran{false};
  executor.post([&] { ran = true; });  // accepted, never run
  executor.stopAndJoin();
  EXPECT_FALSE(ran);
  EXPECT_THROW(executor.startThread(), Error);
}

TEST(AsioExecutorTest, StopAndJoinFromItsOwnThreadDoesNotDeadlock) {
  AsioExecutor executor;
  executor.startThread();
  std::promise<void> returned;
  auto future = returned.get_future();
  executor.post([&] {
    executor.stopAndJoin();  // only stops: the join is left to a later call from another thread
    returned.set_value();
  });
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  executor.stopAndJoin();
}

TEST(AsioExecutorTest, StopAndJoinFromSeveralThreadsAtOnce) {
  AsioExecutor executor;
  executor.startThread();
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 4; ++i) stoppers.emplace_back([&] { executor.stopAndJoin(); });
  for (auto& thread : stoppers) thread.join();
}

TEST(AsioExecutorTest, DestroyingWithPendingTimersIsClean) {
  auto executor = std::make_unique<AsioExecutor>();
  executor->startThread();
  auto held = std::make_shared<int>(1);
  std::weak_ptr<int> weak = held;
  onExecutor(*executor, [&, held = std::move(held)]() mutable {
    executor->after(std::chrono::hours(1), [held = std::move(held)] {});
  });
  executor.reset();
  EXPECT_TRUE(weak.expired()) << "the pending timer's task is released with the executor";
}

TEST(AsioExecutorTest, NowMsIsMonotonic) {
  AsioExecutor executor;
  const auto a = executor.nowMs();
  const auto b = executor.nowMs();
  EXPECT_LE(a, b);
  EXPECT_GT(a, 0);
}

}  // namespace
}  // namespace offline_sync::net
