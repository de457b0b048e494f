// The engine's shortcuts and joins: its own changes are not pulled back, syncNow joins a round still pushing, and a
// dropped live channel shows as offline until it is back.
#include <gtest/gtest.h>

#include "core/sync/sync_engine.h"
#include "sync_engine_fixture.h"

namespace offline_sync::sync::testing {
namespace {

class SyncEngineCursorTest : public SyncEngineFixture {
 protected:
  // Answers the front push with the given versions, one per change, and the server's newest sequence number.
  void answerPushWith(const std::vector<std::int64_t>& versions, std::int64_t cursor) {
    auto request = frontPush();
    ASSERT_EQ(request.changes.size(), versions.size());
    protocol::PushResponse response;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      response.results.push_back(
          {request.changes[i].id, protocol::PushStatus::applied, versions[i], {}, {}, {}, {}, {}});
    }
    response.cursor = cursor;
    transport.respond(200, protocol::encodePushResponse(response));
    executor.runReady();
  }
};

TEST_F(SyncEngineCursorTest, ItsOwnConsecutiveVersionsAreNotPulledBack) {
  insertLessons(0, 3);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPushWith({1, 2, 3}, 3);
  // Nothing else happened on the server: the pull starts after this device's own changes.
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=3&limit=1000");
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(pullCursor(), 3);
}

TEST_F(SyncEngineCursorTest, AnotherDevicesVersionInBetweenIsPulled) {
  insertLessons(0, 2);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPushWith({1, 3}, 3);  // version 2 is someone else's
  // The cursor moves over version 1 (its own) and stops before 2.
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=1&limit=1000");
  answerPull({lessonRow("x", 2, 45), lessonRow("l1", 3, 31)});
  executor.runReady();
  EXPECT_EQ(store::testing::scalar(db(), "SELECT minutes FROM lessons WHERE id = 'x'"), 45);
}

TEST_F(SyncEngineCursorTest, ANewerVersionAfterTheBatchIsPulled) {
  insertLessons(0, 1);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPushWith({1}, 2);  // version 2 came from another device after this one
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=1&limit=1000");
}

TEST_F(SyncEngineCursorTest, AnUpdateThatChangedNothingDoesNotMoveTheCursorOverAnotherDevicesVersion) {
  insertLessons(0, 1);
  makeEngine();
  OutcomeSlot first;
  engine->syncNow(first.callback());
  executor.runReady();
  answerPushWith({1}, 1);
  answerPull();
  executor.runReady();
  ASSERT_EQ(pullCursor(), 1);
  // An update whose columns were all untracked meanwhile: it goes with no column, and the server changes nothing.
  db().exec("INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc) VALUES ('lessons', 'l0', 2, 0, 1)");
  OutcomeSlot second;
  engine->syncNow(second.callback());
  executor.runReady();
  ASSERT_TRUE(frontPush().changes.at(0).columns.empty());
  answerPushWith({2}, 2);  // the row's version as it is: another device's update, not pulled yet
  EXPECT_EQ(transport.front().target, "/v1/pull?cursor=1&limit=1000");
  answerPull({lessonRow("l0", 2, 75)});
  executor.runReady();
  EXPECT_EQ(store::testing::scalar(db(), "SELECT minutes FROM lessons WHERE id = 'l0'"), 75);
}

TEST_F(SyncEngineCursorTest, SyncNowJoinsARoundStillPushing) {
  options.batchSize = 1;
  insertLessons(0, 1);
  makeEngine();
  OutcomeSlot first;
  OutcomeSlot second;
  engine->syncNow(first.callback());
  executor.runReady();
  insertLessons(1, 1);  // committed while the round pushes: this round sends it
  engine->syncNow(second.callback());
  applyFrontPush();
  executor.runReady();
  EXPECT_EQ(frontPush().changes.at(0).row, "l1");
  applyFrontPush();
  executor.runReady();
  answerPull();
  executor.runReady();
  ASSERT_TRUE(first.outcome && second.outcome);
  EXPECT_EQ(second.outcome->pushed, 2);
  EXPECT_FALSE(transport.hasRequest());  // no second round
}

TEST_F(SyncEngineCursorTest, ADroppedLiveChannelIsOfflineUntilItIsBack) {
  options.live = true;
  makeEngine();
  engine->start();
  executor.runReady();
  transport.live->opened();
  completeRound();
  EXPECT_EQ(sink.lastState(), SyncState::idle);
  transport.live->closed(Error(ErrorCategory::network, "ERR_NETWORK", "connection reset"), 0);
  executor.runReady();
  EXPECT_EQ(sink.lastState(), SyncState::offline);
  ASSERT_TRUE(sink.statuses.back().error);
  EXPECT_EQ(sink.statuses.back().error->code(), "ERR_NETWORK");
  // Reopened on the backoff schedule (the poll timer is the later one): a catch-up round shows idle again.
  while (transport.liveOpens < 2) ASSERT_GE(executor.runNextTimer(), 0);
  transport.live->opened();
  executor.runReady();
  ASSERT_TRUE(transport.hasRequest());
  answerPull();
  executor.runReady();
  EXPECT_EQ(sink.lastState(), SyncState::idle);
}

}  // namespace
}  // namespace offline_sync::sync::testing
