// The sync engine's rounds and schedule, on a fake transport and virtual time.
#include "core/sync/sync_engine.h"

#include <gtest/gtest.h>

#include "core/sync/backoff.h"
#include "sync_engine_fixture.h"

namespace offline_sync::sync::testing {
namespace {

using store::testing::scalar;

class SyncEngineTest : public SyncEngineFixture {};

TEST_F(SyncEngineTest, AnEmptyRoundPullsOnceAndEndsIdle) {
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  ASSERT_TRUE(transport.hasRequest());
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=0&limit=1000");
  EXPECT_EQ(transport.front().token, "secret");
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_FALSE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->pushed, 0);
  EXPECT_FALSE(transport.hasRequest());
  EXPECT_EQ(sink.lastState(), SyncState::idle);
  EXPECT_GT(sink.statuses.back().lastSyncAt, 0);
}

TEST_F(SyncEngineTest, PushesInBatchesThenPullsAndAcknowledges) {
  options.batchSize = 500;
  insertLessons(0, 1200);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  std::vector<std::size_t> sizes;
  while (transport.hasRequest() && transport.front().target == "/v1/push") {
    auto request = frontPush();
    sizes.push_back(request.changes.size());
    EXPECT_EQ(request.deviceId, store->deviceId());
    EXPECT_EQ(request.changes.front().policy, ConflictPolicy::merge);
    applyFrontPush();
    executor.runReady();
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{500, 500, 200}));
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(slot.outcome->pushed, 1200);
  EXPECT_EQ(store->pendingChanges(), 0);
  EXPECT_EQ(scalar(db(), "SELECT max(version) FROM _sync_row_versions"), 1200);
  // One progress event per batch, and the push total known from the start.
  ASSERT_GE(sink.progresses.size(), 3u);
  EXPECT_EQ(sink.progresses[0].done, 500);
  EXPECT_EQ(sink.progresses[0].total, 1200);
  EXPECT_EQ(sink.progresses[2].done, 1200);
  EXPECT_GT(sink.progresses[2].bytes, sink.progresses[0].bytes);
}

TEST_F(SyncEngineTest, PullsEveryPageAndStoresTheCursor) {
  options.pullLimit = 2;
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPull({lessonRow("a", 1, 45), lessonRow("b", 2, 50)}, true);
  executor.runReady();
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=2&limit=2");
  answerPull({lessonRow("c", 3, 55)}, false);
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(slot.outcome->pulled, 3);
  EXPECT_EQ(pullCursor(), 3);
  EXPECT_EQ(scalar(db(), "SELECT minutes FROM lessons WHERE id = 'c'"), 55);
  EXPECT_EQ(store->pendingChanges(), 0);  // applied rows are not captured again
  ASSERT_EQ(sink.changes.size(), 2u);
  EXPECT_EQ(sink.changes[0].tables, std::vector<std::string>{"lessons"});
  EXPECT_EQ(sink.changes[0].count, 2);
}

TEST_F(SyncEngineTest, ABurstOfLocalWritesBecomesOnePush) {
  options.debounce = std::chrono::milliseconds(30);
  makeEngine();
  engine->start();
  completeRound();
  for (int i = 0; i < 10; ++i) {
    insertLessons(i, 1);
    engine->localWrite();
    executor.advance(5);
  }
  EXPECT_FALSE(transport.hasRequest());
  executor.advance(30);
  ASSERT_TRUE(transport.hasRequest());
  EXPECT_EQ(frontPush().changes.size(), 10u);
  applyFrontPush();
  executor.runReady();
  answerPull();
  executor.runReady();
  EXPECT_FALSE(transport.hasRequest());
}

TEST_F(SyncEngineTest, AStreamOfWritesStillPushesAtMaxDebounce) {
  options.debounce = std::chrono::milliseconds(30);
  options.maxDebounce = std::chrono::milliseconds(100);
  makeEngine();
  engine->start();
  completeRound();
  int writes = 0;
  while (!transport.hasRequest() && writes < 100) {
    insertLessons(writes++, 1);
    engine->localWrite();
    executor.advance(10);
  }
  EXPECT_LE(writes, 12);  // about 100 ms of writes every 10 ms
}

TEST_F(SyncEngineTest, NetworkFailuresBackOffExponentiallyUpToMaxDelay) {
  options.retry = {std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 2.0, 0.2};
  makeEngine();
  engine->start();
  executor.runReady();
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 6; ++i) {
    transport.failNetwork();
    executor.runReady();
    EXPECT_EQ(sink.lastState(), SyncState::offline);
    // Local writes while offline wait for the schedule.
    insertLessons(i, 1);
    engine->localWrite();
    delays.push_back(executor.runNextTimer());
    ASSERT_TRUE(transport.hasRequest());
  }
  // The fake random source is 0.5: no jitter.
  EXPECT_EQ(delays, (std::vector<std::int64_t>{100, 200, 400, 800, 1000, 1000}));
  EXPECT_EQ(sink.errors.back().code(), "ERR_NETWORK");
  EXPECT_EQ(sink.statuses.back().state, SyncState::syncing);
  completeRound();
  EXPECT_EQ(sink.lastState(), SyncState::idle);
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(SyncEngineTest, JitterSpreadsTheDelay) {
  Backoff low({std::chrono::milliseconds(1000), std::chrono::milliseconds(60000), 2.0, 0.2}, [] { return 0.0; });
  Backoff high({std::chrono::milliseconds(1000), std::chrono::milliseconds(60000), 2.0, 0.2}, [] { return 0.999; });
  EXPECT_EQ(low.next().count(), 800);
  EXPECT_NEAR(static_cast<double>(high.next().count()), 1200.0, 1.0);
  Backoff capped({std::chrono::milliseconds(1000), std::chrono::milliseconds(5000), 2.0, 0.2}, [] { return 0.999; });
  for (int i = 0; i < 100; ++i) EXPECT_LE(capped.next().count(), 5000);
}

TEST_F(SyncEngineTest, ARetryAfterOverAnHourWaitsAnHour) {
  Backoff backoff({std::chrono::milliseconds(1000), std::chrono::milliseconds(60000), 2.0, 0.2}, [] { return 0.5; });
  EXPECT_EQ(backoff.next(std::chrono::seconds(999'999'999)), std::chrono::hours(1)) << "a 31-year Retry-After";
  EXPECT_EQ(backoff.next(std::chrono::seconds(120)), std::chrono::seconds(120)) << "a shorter one is honoured";
}

TEST_F(SyncEngineTest, RetryAfterIsHonoured) {
  makeEngine();
  engine->start();
  executor.runReady();
  transport.respond(503, R"({"error":{"code":"ERR_UNAVAILABLE","message":"shutting down"}})",
                    std::chrono::seconds(7));
  executor.runReady();
  EXPECT_EQ(sink.lastState(), SyncState::error);
  EXPECT_EQ(sink.errors.back().code(), "ERR_UNAVAILABLE");
  EXPECT_EQ(executor.runNextTimer(), 7000);
  EXPECT_TRUE(transport.hasRequest());
}

TEST_F(SyncEngineTest, A401FetchesAFreshTokenOnceThenReportsErrAuth) {
  insertLessons(0, 1);
  tokens.refreshedToken = "fresh";
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  const auto body = transport.front().body;
  transport.respond(401, R"({"error":{"code":"ERR_AUTH","message":"unknown token"}})");
  executor.runReady();
  ASSERT_TRUE(transport.hasRequest());
  EXPECT_EQ(transport.front().token, "fresh");
  EXPECT_EQ(transport.front().body, body);  // the same changes, the same ids
  transport.respond(401, R"({"error":{"code":"ERR_AUTH","message":"unknown token"}})");
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  ASSERT_TRUE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->error->code(), "ERR_AUTH");
  EXPECT_EQ(tokens.refreshes, 1);
  EXPECT_EQ(store->pendingChanges(), 1);  // nothing lost
}

TEST_F(SyncEngineTest, AMalformedAnswerIsErrProtocolAndTheBatchIsResentUnchanged) {
  insertLessons(0, 3);
  makeEngine();
  OutcomeSlot first;
  engine->syncNow(first.callback());
  executor.runReady();
  const auto ids = frontPush().changes;
  transport.respond(200, R"({"results": "nope", "cursor": 1})");
  executor.runReady();
  ASSERT_TRUE(first.outcome && first.outcome->error);
  EXPECT_EQ(first.outcome->error->code(), "ERR_PROTOCOL");
  EXPECT_EQ(store->pendingChanges(), 3);
  OutcomeSlot second;
  engine->syncNow(second.callback());
  executor.runReady();
  const auto again = frontPush().changes;
  ASSERT_EQ(again.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(again[i].id, ids[i].id);
  // A result list that does not match the batch is refused too.
  transport.respond(200, R"({"results": [], "cursor": 1})");
  executor.runReady();
  ASSERT_TRUE(second.outcome && second.outcome->error);
  EXPECT_EQ(second.outcome->error->code(), "ERR_PROTOCOL");
}

TEST_F(SyncEngineTest, StopEndsTheRoundWithErrStoppedAndARestartResendsTheSameIds) {
  insertLessons(0, 2);
  makeEngine();
  engine->start();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  const auto ids = frontPush().changes;
  engine->stop();
  ASSERT_TRUE(slot.outcome && slot.outcome->error);
  EXPECT_EQ(slot.outcome->error->code(), "ERR_STOPPED");
  EXPECT_EQ(sink.lastState(), SyncState::stopped);
  EXPECT_EQ(executor.timerCount(), 0u);
  // The late answer to the cancelled request changes nothing.
  applyFrontPush();
  executor.runReady();
  EXPECT_EQ(store->pendingChanges(), 2);
  engine->start();
  executor.runReady();
  const auto again = frontPush().changes;
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].id, ids[0].id);
  completeRound();
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(SyncEngineTest, SyncNowDuringARoundGetsTheFollowingRound) {
  makeEngine();
  OutcomeSlot first;
  OutcomeSlot second;
  engine->syncNow(first.callback());
  executor.runReady();
  insertLessons(0, 1);  // written after the round began
  engine->syncNow(second.callback());
  answerPull();
  executor.runReady();
  ASSERT_TRUE(first.outcome);
  EXPECT_FALSE(second.outcome);
  EXPECT_EQ(frontPush().changes.size(), 1u);
  completeRound();
  ASSERT_TRUE(second.outcome);
  EXPECT_EQ(second.outcome->pushed, 1);
}

TEST_F(SyncEngineTest, WithoutLiveAnIdleClientPollsAtTheInterval) {
  options.interval = std::chrono::milliseconds(30000);
  makeEngine();
  engine->start();
  completeRound();
  EXPECT_EQ(executor.timerCount(), 1u);
  EXPECT_EQ(executor.runNextTimer(), 30000);
  EXPECT_TRUE(transport.hasRequest());
}

}  // namespace
}  // namespace offline_sync::sync::testing
