// Pushes on their way at once: the next batch is sent before the one before is answered, a row's later change waits
// for its earlier change's answer, answers are settled in the order sent, and a renewed token covers both.
#include <gtest/gtest.h>

#include "core/sync/sync_engine.h"
#include "sync_engine_fixture.h"

namespace offline_sync::sync::testing {
namespace {

class SyncEnginePipelineTest : public SyncEngineFixture {
 protected:
  static constexpr const char* kExpired = R"({"error":{"code":"ERR_AUTH","message":"expired"}})";
  OutcomeSlot slot;

  // The push request at `index` of the transport's queue.
  protocol::PushRequest sentPush(std::size_t index) {
    protocol::Decoder pushDecoder;
    return pushDecoder.pushRequest(transport.sent.at(index).request.body);
  }
  std::vector<std::string> rowsOf(std::size_t index) {
    std::vector<std::string> rows;
    for (const auto& change : sentPush(index).changes) rows.push_back(change.row);
    return rows;
  }
  // Inserts `lessons` rows and starts a round pushing them in batches of `batchSize`; its outcome lands in `slot`.
  void startRound(std::size_t batchSize, int lessons) {
    options.batchSize = batchSize;
    insertLessons(0, lessons);
    makeEngine();
    engine->syncNow(slot.callback());
    executor.runReady();
  }
  // Answers the rest of the round (pushes applied, an empty pull): it ends without error, nothing left pending.
  void finishRound() {
    completeRound();
    ASSERT_TRUE(slot.outcome);
    EXPECT_FALSE(slot.outcome->error);
    EXPECT_EQ(store->pendingChanges(), 0);
  }
  void updateLesson(int n, int minutes) {
    db().exec("UPDATE lessons SET minutes = " + std::to_string(minutes) + " WHERE id = 'l" + std::to_string(n) + "'");
  }
};

TEST_F(SyncEnginePipelineTest, TheNextBatchIsOnItsWayBeforeTheFirstIsAnswered) {
  startRound(2, 5);
  // Two pushes at once, no more.
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(rowsOf(0), (std::vector<std::string>{"l0", "l1"}));
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l2", "l3"}));
  applyFrontPush();
  executor.runReady();
  // The first answered, the third batch goes out behind the second.
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l4"}));
  ASSERT_NO_FATAL_FAILURE(finishRound());
  EXPECT_EQ(slot.outcome->pushed, 5);
  EXPECT_EQ(pullCursor(), 5);  // all five versions its own: none pulled back
}

TEST_F(SyncEnginePipelineTest, ARowsLaterChangeWaitsForTheAnswerToItsEarlierOne) {
  startRound(2, 5);
  ASSERT_EQ(transport.sent.size(), 2u);  // l0, l1 and l2, l3
  // Both rows have their insert on its way.
  updateLesson(0, 90);
  updateLesson(2, 91);
  applyFrontPush();  // l0 and l1: versions 1 and 2
  executor.runReady();
  ASSERT_EQ(transport.sent.size(), 2u);
  // l0's insert is answered, so its update goes, based on the insert's version; l2's waits for l2's insert.
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l4", "l0"}));
  EXPECT_EQ(sentPush(1).changes[1].baseVersion, 1);
  applyFrontPush();  // l2 and l3: versions 3 and 4
  executor.runReady();
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l2"}));
  EXPECT_EQ(sentPush(1).changes[0].baseVersion, 3);
  ASSERT_NO_FATAL_FAILURE(finishRound());
}

TEST_F(SyncEnginePipelineTest, AnAnswerWaitsForTheOneBeforeIt) {
  startRound(1, 2);
  ASSERT_EQ(transport.sent.size(), 2u);
  // The second answer arrives first (say, a token renewal resent the first): it is settled only after the first.
  auto first = std::move(transport.sent.front());
  transport.sent.pop_front();
  applyFrontPush();  // answers l1 with version 1
  executor.runReady();
  EXPECT_EQ(store->pendingChanges(), 2);
  transport.sent.push_front(std::move(first));
  applyFrontPush();  // answers l0 with version 2
  executor.runReady();
  EXPECT_EQ(store->pendingChanges(), 0);
  EXPECT_EQ(store::testing::scalar(db(), "SELECT version FROM _sync_row_versions WHERE row_id = 'l1'"), 1);
  EXPECT_EQ(store::testing::scalar(db(), "SELECT version FROM _sync_row_versions WHERE row_id = 'l0'"), 2);
  ASSERT_NO_FATAL_FAILURE(finishRound());
}

TEST_F(SyncEnginePipelineTest, BothPushesRefusedForAnExpiredTokenGoAgainWithOneNewToken) {
  tokens.refreshedToken = "fresh";
  startRound(1, 2);
  ASSERT_EQ(transport.sent.size(), 2u);
  transport.respond(401, kExpired);
  transport.respond(401, kExpired);
  executor.runReady();
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(transport.sent[0].request.token, "fresh");
  EXPECT_EQ(transport.sent[1].request.token, "fresh");
  EXPECT_EQ(rowsOf(0), (std::vector<std::string>{"l0"}));  // in the order first sent
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l1"}));
  ASSERT_NO_FATAL_FAILURE(finishRound());
  EXPECT_EQ(tokens.refreshes, 1);
}

TEST_F(SyncEnginePipelineTest, AFailedSecondPushFailsTheRoundAndLosesNothing) {
  startRound(1, 2);
  ASSERT_EQ(transport.sent.size(), 2u);
  applyFrontPush();
  transport.failNetwork();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  ASSERT_TRUE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->error->code(), "ERR_NETWORK");
  // l0 acknowledged, l1 still in flight: the next round sends it again under the same id.
  EXPECT_EQ(store->pendingChanges(), 1);
  EXPECT_EQ(store::testing::scalar(db(), "SELECT count(*) FROM _sync_sent WHERE state = 1 AND row_id = 'l1'"), 1);
}

TEST_F(SyncEnginePipelineTest, A413WithTheNextBatchOnItsWaySendsTheRefusedChangesAgainInHalves) {
  startRound(2, 4);
  ASSERT_EQ(transport.sent.size(), 2u);  // l0, l1 and l2, l3
  transport.respond(413, R"({"error":{"code":"ERR_TOO_LARGE","message":"too large"}})");
  executor.runReady();
  // l2, l3 still on its way; l0 goes again alone (half the batch), l1 waits for a place.
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(rowsOf(0), (std::vector<std::string>{"l2", "l3"}));
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l0"}));
  ASSERT_NO_FATAL_FAILURE(finishRound());
  EXPECT_EQ(slot.outcome->pushed, 4);
}

TEST_F(SyncEnginePipelineTest, AnAnswerTooLargeToReadSendsTheBatchAgainInHalvesAndForOneChangeFailsTheRound) {
  // Merged answers carry whole rows, so an answer can outgrow the transport's cap although the request was small.
  startRound(2, 4);
  ASSERT_EQ(transport.sent.size(), 2u);  // l0, l1 and l2, l3
  transport.failNetwork(net_codes::responseTooLarge);
  executor.runReady();
  // As after a 413: l2, l3 still on its way; l0 goes again alone, l1 waits for a place.
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(rowsOf(0), (std::vector<std::string>{"l2", "l3"}));
  EXPECT_EQ(rowsOf(1), (std::vector<std::string>{"l0"}));
  applyFrontPush();
  executor.runReady();
  ASSERT_EQ(rowsOf(0), (std::vector<std::string>{"l0"}));
  // One change's answer too large: nothing smaller to send. The round fails as a protocol error, l0 stays queued.
  transport.failNetwork(net_codes::responseTooLarge);
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  ASSERT_TRUE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->error->code(), "ERR_PROTOCOL");
  EXPECT_EQ(store->pendingChanges(), 2);  // l0 and l1, sent again next round
  EXPECT_EQ(store::testing::scalar(db(), "SELECT count(*) FROM _sync_sent WHERE state = 2"), 0);  // none quarantined
}

TEST_F(SyncEnginePipelineTest, AManualConflictHoldsTheNextAnswerUntilTheAppHasAnswered) {
  store->track("lessons", ConflictPolicy::manual);
  sink.hasHandler = true;
  options.conflictTimeout = std::chrono::milliseconds(5000);
  startRound(1, 2);
  ASSERT_EQ(transport.sent.size(), 2u);
  // l0 conflicts; l1's answer comes before the app has decided.
  const auto request = frontPush();
  protocol::PushResponse conflict;
  conflict.results.push_back({request.changes[0].id, protocol::PushStatus::conflict, 0, {"minutes"},
                              lessonRow("l0", 7, 99, "office"), {}, {}, {}});
  conflict.cursor = 7;
  transport.respond(200, protocol::encodePushResponse(conflict));
  serverVersion = 7;
  applyFrontPush();  // l1: version 8
  executor.runReady();
  ASSERT_EQ(sink.answers.size(), 1u);
  EXPECT_EQ(store->pendingChanges(), 2);  // l1's answer waits behind the question
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::remote, {}}, std::nullopt);
  executor.runReady();
  EXPECT_EQ(store::testing::scalar(db(), "SELECT minutes FROM lessons WHERE id = 'l0'"), 99);
  EXPECT_EQ(store::testing::scalar(db(), "SELECT version FROM _sync_row_versions WHERE row_id = 'l1'"), 8);
  ASSERT_NO_FATAL_FAILURE(finishRound());
}

// Under AddressSanitizer this also checks that the ended round is freed: a request kept for after the renewal holds it.
TEST_F(SyncEnginePipelineTest, ARoundThatFailsWhileItsTokenIsRenewedLosesNothing) {
  startRound(1, 2);
  ASSERT_EQ(transport.sent.size(), 2u);
  transport.respond(401, kExpired);  // the renewal starts
  transport.failNetwork();  // the other push fails meanwhile: the round ends
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  ASSERT_TRUE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->error->code(), "ERR_NETWORK");
  EXPECT_FALSE(transport.hasRequest());  // the renewed token sends nothing for the ended round
  EXPECT_EQ(store->pendingChanges(), 2);  // both in flight, sent again next round
}

}  // namespace
}  // namespace offline_sync::sync::testing
