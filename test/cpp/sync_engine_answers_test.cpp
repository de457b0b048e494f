// How the engine settles each kind of push answer (partial failure, merged, rejected, manual conflicts, 413) and
// how it follows the live channel.
#include <gtest/gtest.h>

#include "core/sync/sync_engine.h"
#include "sync_engine_fixture.h"

namespace offline_sync::sync::testing {
namespace {

using store::testing::scalar;

class SyncEngineAnswersTest : public SyncEngineFixture {
 protected:
  // Answers the front push with one result per change, built by `make` from the change and its index.
  void answerPush(const std::function<protocol::PushResult(const protocol::WireChange&, std::size_t)>& make) {
    auto request = frontPush();
    protocol::PushResponse response;
    for (std::size_t i = 0; i < request.changes.size(); ++i) response.results.push_back(make(request.changes[i], i));
    response.cursor = ++serverVersion;
    transport.respond(200, protocol::encodePushResponse(response));
    executor.runReady();
  }
  static protocol::PushResult applied(const protocol::WireChange& change, std::int64_t version) {
    return {change.id, protocol::PushStatus::applied, version, {}, {}, {}, {}, {}};
  }
};

TEST_F(SyncEngineAnswersTest, APartlyFailedBatchAcknowledgesQuarantinesAndSettlesAndTheQueueMovesOn) {
  options.batchSize = 3;
  insertLessons(0, 5);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t i) -> protocol::PushResult {
    if (i == 1) return {change.id, protocol::PushStatus::rejected, 0, {}, {}, "ERR_ROW_ID", "row id too long", {}};
    if (i == 2) {
      auto row = lessonRow(change.row, 7, 99);
      return {change.id, protocol::PushStatus::merged, 7, {"minutes"}, row, {}, {}, {}};
    }
    return applied(change, 5);
  });
  // The next batch goes out in the same round.
  ASSERT_TRUE(transport.hasRequest());
  EXPECT_EQ(frontPush().changes.size(), 2u);
  applyFrontPush();
  executor.runReady();
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_FALSE(slot.outcome->error);
  EXPECT_EQ(slot.outcome->pushed, 5);
  EXPECT_EQ(slot.outcome->conflicts, 1);
  // Rejected: kept, quarantined with the reason, reported; never counted as pending again.
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM _sync_sent WHERE state = 2 AND reason LIKE 'ERR_ROW_ID%'"), 1);
  EXPECT_EQ(store->pendingChanges(), 0);
  ASSERT_EQ(sink.errorCodes(), std::vector<std::string>{"ERR_REJECTED"});
  // Merged: the server kept its minutes; the local row now has them; a conflict event says so.
  EXPECT_EQ(scalar(db(), "SELECT minutes FROM lessons WHERE id = 'l2'"), 99);
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].id, "l2");
  EXPECT_EQ(sink.conflicts[0].columns, std::vector<std::string>{"minutes"});
  EXPECT_EQ(sink.conflicts[0].resolution, "merged");
  EXPECT_EQ(sink.conflicts[0].policy, "merge");
}

TEST_F(SyncEngineAnswersTest, AConflictThisDeviceWonIsReportedAsLocal) {
  insertLessons(0, 1);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t) {
    auto result = applied(change, 9);
    result.overrode = {"minutes"};
    return result;
  });
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(slot.outcome->conflicts, 1);
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].resolution, "local");
  EXPECT_EQ(sink.conflicts[0].columns, std::vector<std::string>{"minutes"});
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(SyncEngineAnswersTest, AMergedRowLeavesALaterChangeOfTheSameRowInTheBatchAlone) {
  insertLessons(0, 1);
  makeEngine();
  OutcomeSlot first;
  engine->syncNow(first.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t) { return applied(change, 1); });
  answerPull();
  executor.runReady();
  // c1 (minutes) is sent and its answer lost; c2 (status) is written after it.
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l0'");
  OutcomeSlot lost;
  engine->syncNow(lost.callback());
  executor.runReady();
  transport.failNetwork();
  executor.runReady();
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'l0'");
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  ASSERT_EQ(frontPush().changes.size(), 2u);
  // c1 lost to another device's minutes (version 2); c2 applied at 3: the server has status 'done'.
  answerPush([](const protocol::WireChange& change, std::size_t i) -> protocol::PushResult {
    if (i == 1) return applied(change, 3);
    auto row = lessonRow("l0", 2, 99);
    return {change.id, protocol::PushStatus::merged, 2, {"minutes"}, row, {}, {}, {}};
  });
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(scalar(db(), "SELECT minutes FROM lessons WHERE id = 'l0'"), 99);
  auto status = db().prepare("SELECT status FROM lessons WHERE id = 'l0'");
  ASSERT_TRUE(status->step());
  EXPECT_EQ(status->columnText(0), "done");  // not reverted by c1's merged row
  // The base of the row's next change stays the version of the row it had seen when it made c2 (its insert's): c2
  // was on its way when the merged row at 2 was written, and from the row at 3 it cannot tell whether another device
  // wrote in between.
  EXPECT_EQ(scalar(db(), "SELECT version FROM _sync_row_versions WHERE row_id = 'l0'"), 1);
}

class ManualConflictTest : public SyncEngineAnswersTest {
 protected:
  void SetUp() override {
    SyncEngineAnswersTest::SetUp();
    db().exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT, author TEXT)");
    store->track("notes", ConflictPolicy::manual);
    db().exec("INSERT INTO notes VALUES ('n1', 'local text', 'office')");
    sink.hasHandler = true;
    options.conflictTimeout = std::chrono::milliseconds(5000);
  }
  static protocol::RowState serverNote() {
    protocol::RowState row;
    row.table = "notes";
    row.row = "n1";
    row.version = 40;
    row.columns = {{"body", std::string("remote text")}, {"author", std::string("laptop")}};
    row.stamps = {{hlcFromMillis(5), "laptop", 40}, {hlcFromMillis(5), "laptop", 40}};
    return row;
  }
  // Starts a round whose push is answered `conflict`; the question is then waiting for an answer.
  void conflictRound(OutcomeSlot& slot) {
    makeEngine();
    engine->syncNow(slot.callback());
    executor.runReady();
    answerPush([](const protocol::WireChange& change, std::size_t) -> protocol::PushResult {
      return {change.id, protocol::PushStatus::conflict, 0, {"body", "author"}, serverNote(), {}, {}, {}};
    });
    ASSERT_EQ(sink.questions.size(), 1u);
    EXPECT_EQ(sink.questions[0].table, "notes");
    EXPECT_EQ(sink.questions[0].remote.columns.size(), 2u);
    EXPECT_EQ(sink.questions[0].local.columns.size(), 2u);
  }
};

TEST_F(ManualConflictTest, LocalIsPushedAgainOnTheServersVersion) {
  OutcomeSlot slot;
  conflictRound(slot);
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::local, {}}, std::nullopt);
  executor.runReady();
  const auto again = frontPush();
  ASSERT_EQ(again.changes.size(), 1u);
  EXPECT_EQ(again.changes[0].baseVersion, 40);
  applyFrontPush();
  executor.runReady();
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(slot.outcome->conflicts, 1);
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].resolution, "local");
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(ManualConflictTest, RemoteTakesTheServersRow) {
  OutcomeSlot slot;
  conflictRound(slot);
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::remote, {}}, std::nullopt);
  executor.runReady();
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_EQ(store->pendingChanges(), 0);
  auto body = db().prepare("SELECT body FROM notes WHERE id = 'n1'");
  ASSERT_TRUE(body->step());
  EXPECT_EQ(body->columnText(0), "remote text");
  EXPECT_EQ(sink.conflicts.at(0).resolution, "remote");
}

TEST_F(ManualConflictTest, MergedIsWrittenAndPushedAsANewChange) {
  OutcomeSlot slot;
  conflictRound(slot);
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::merged, {{"body", std::string("both texts")}}}, std::nullopt);
  executor.runReady();
  const auto again = frontPush();
  ASSERT_EQ(again.changes.size(), 1u);
  EXPECT_EQ(again.changes[0].op, store::ChangeOp::update);
  EXPECT_EQ(again.changes[0].baseVersion, 40);
  ASSERT_EQ(again.changes[0].columns.size(), 1u);
  EXPECT_EQ(again.changes[0].columns[0].value, store::Value(std::string("both texts")));
  applyFrontPush();
  executor.runReady();
  answerPull();
  executor.runReady();
  EXPECT_EQ(sink.conflicts.at(0).resolution, "merged");
}

TEST_F(ManualConflictTest, AMergedAnswerKeepsTheChangesUndisputedColumns) {
  OutcomeSlot slot;
  makeEngine();
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t) -> protocol::PushResult {
    return {change.id, protocol::PushStatus::conflict, 0, {"body"}, serverNote(), {}, {}, {}};
  });
  ASSERT_EQ(sink.answers.size(), 1u);
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::merged, {{"body", std::string("both texts")}}}, std::nullopt);
  executor.runReady();
  // Only body was disputed: the local author goes out with the merged body.
  const auto again = frontPush();
  ASSERT_EQ(again.changes.size(), 1u);
  ASSERT_EQ(again.changes[0].columns.size(), 2u);
  EXPECT_EQ(again.changes[0].columns[1].name, "author");
  EXPECT_EQ(again.changes[0].columns[1].value, store::Value(std::string("office")));
}

TEST_F(ManualConflictTest, AMergedAnswerPushesTheNewestLocalValueOfAnUndisputedColumn) {
  OutcomeSlot slot;
  makeEngine();
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t) -> protocol::PushResult {
    return {change.id, protocol::PushStatus::conflict, 0, {"body"}, serverNote(), {}, {}, {}};
  });
  // While the handler thinks, the user changes the undisputed author.
  db().exec("UPDATE notes SET author = 'office, later' WHERE id = 'n1'");
  sink.answers.at(0)(ConflictAnswer{ConflictAnswer::Use::merged, {{"body", std::string("both texts")}}}, std::nullopt);
  executor.runReady();
  const auto again = frontPush();
  ASSERT_EQ(again.changes.size(), 1u);
  ASSERT_EQ(again.changes[0].columns.size(), 2u);
  EXPECT_EQ(again.changes[0].columns[1].value, store::Value(std::string("office, later")));
  auto author = db().prepare("SELECT author, body FROM notes WHERE id = 'n1'");
  ASSERT_TRUE(author->step());
  EXPECT_EQ(author->columnText(0), "office, later");
  EXPECT_EQ(author->columnText(1), "both texts");
}

TEST_F(ManualConflictTest, AHandlerThatNeverAnswersTimesOutAndLeavesTheChangePending) {
  OutcomeSlot slot;
  conflictRound(slot);
  executor.advance(5000);
  // Not asked twice in the same round: the round pulls and ends.
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_FALSE(slot.outcome->error);
  EXPECT_EQ(sink.errorCodes(), std::vector<std::string>{"ERR_CONFLICT_TIMEOUT"});
  EXPECT_EQ(sink.questions.size(), 1u);
  EXPECT_EQ(store->pendingChanges(), 1);
  // A late answer is ignored.
  sink.answers[0](ConflictAnswer{ConflictAnswer::Use::remote, {}}, std::nullopt);
  executor.runReady();
  EXPECT_EQ(store->pendingChanges(), 1);
}

TEST_F(ManualConflictTest, AHandlerThatThrowsLeavesTheChangePending) {
  OutcomeSlot slot;
  conflictRound(slot);
  sink.answers[0](std::nullopt, Error(ErrorCategory::state, "ERR_CONFLICT_HANDLER", "handler threw: boom"));
  executor.runReady();
  answerPull();
  executor.runReady();
  EXPECT_EQ(sink.errorCodes(), std::vector<std::string>{"ERR_CONFLICT_HANDLER"});
  EXPECT_EQ(store->pendingChanges(), 1);
  EXPECT_TRUE(sink.conflicts.empty());
}

TEST_F(ManualConflictTest, WithoutAHandlerTheChangeStaysPendingAndAnErrorSaysWhy) {
  sink.hasHandler = false;
  OutcomeSlot slot;
  makeEngine();
  engine->syncNow(slot.callback());
  executor.runReady();
  answerPush([](const protocol::WireChange& change, std::size_t) -> protocol::PushResult {
    return {change.id, protocol::PushStatus::conflict, 0, {"body"}, serverNote(), {}, {}, {}};
  });
  answerPull();
  executor.runReady();
  EXPECT_EQ(sink.errorCodes(), std::vector<std::string>{"ERR_CONFLICT_HANDLER"});
  EXPECT_EQ(store->pendingChanges(), 1);
}

TEST_F(SyncEngineAnswersTest, A413HalvesTheBatchAndASingleOversizedChangeIsQuarantined) {
  options.batchSize = 4;
  insertLessons(0, 4);
  makeEngine();
  OutcomeSlot slot;
  engine->syncNow(slot.callback());
  executor.runReady();
  // The server refuses every push of more than one change, and l0 even alone; it applies the others.
  std::vector<std::size_t> sizes;
  while (transport.hasRequest() && transport.front().target == "/v1/push") {
    const auto push = frontPush();
    sizes.push_back(push.changes.size());
    if (push.changes.size() > 1 || push.changes.front().row == "l0") {
      transport.respond(413, R"({"error":{"code":"ERR_TOO_LARGE","message":"body over 8 MiB"}})");
    } else {
      applyFrontPush();
    }
    executor.runReady();
    ASSERT_LT(sizes.size(), 20u) << "the pushes never end";
  }
  // Halved after each refusal: 4, then 2, then single changes.
  ASSERT_GE(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], 4u);
  EXPECT_EQ(sizes[1], 2u);
  EXPECT_EQ(sizes.back(), 1u);
  answerPull();
  executor.runReady();
  ASSERT_TRUE(slot.outcome);
  EXPECT_FALSE(slot.outcome->error);
  // l0 alone is too large: quarantined; the others went through.
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM _sync_sent WHERE state = 2 AND row_id = 'l0'"), 1);
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM _sync_sent"), 1);
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(SyncEngineAnswersTest, LiveNotificationsTriggerPullsAndAnIdleLiveClientHasNoTimers) {
  options.live = true;
  makeEngine();
  engine->start();
  executor.runReady();
  ASSERT_EQ(transport.liveOpens, 1);
  transport.live->opened();
  completeRound();
  EXPECT_EQ(sink.lastState(), SyncState::idle);
  EXPECT_EQ(executor.timerCount(), 0u);  // idle and connected: nothing wakes the engine but the server
  transport.live->message(R"({"type":"changed","cursor":0})");
  executor.runReady();
  EXPECT_FALSE(transport.hasRequest());  // nothing newer than what it has
  transport.live->message(R"({"type":"changed","cursor":5})");
  executor.runReady();
  ASSERT_TRUE(transport.hasRequest());
  answerPull({lessonRow("r1", 5, 60)});
  executor.runReady();
  EXPECT_EQ(scalar(db(), "SELECT minutes FROM lessons WHERE id = 'r1'"), 60);
  // The channel drops: poll meanwhile and reopen on the backoff schedule.
  transport.live->closed(Error(ErrorCategory::network, "ERR_NETWORK", "reset"), 0);
  executor.runReady();
  EXPECT_EQ(executor.timerCount(), 2u);
  executor.runNextTimer();
  EXPECT_EQ(transport.liveOpens, 2);
  transport.live->closed(Error(ErrorCategory::auth, "ERR_AUTH", "refused"), 401);
  executor.runNextTimer();
  EXPECT_EQ(tokens.refreshes, 1);  // a refused upgrade fetches a fresh token
}

}  // namespace
}  // namespace offline_sync::sync::testing
