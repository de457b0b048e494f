// Each push status end to end through the SQLite storage: applied, merged, conflict (with the row) and rejected.
#include "server/sqlite_storage.h"

#include <gtest/gtest.h>

#include "server/sqlite_storage_fixture.h"

namespace offline_sync::server::testing {
namespace {

constexpr HlcStamp kHlc = 111546104115200000;

// CONFLICTS.md's lesson L at version 1 from the office, then the laptop's minutes: 60 at version 2.
class PushResultsTest : public SqliteStorageTest {
 protected:
  PushResultsTest() {
    storage().push("t", makePush("office", {makeChange("office:1", "L", ChangeOp::insert, 0, kHlc,
                                                       {{"starts_at", std::string("09:00")},
                                                        {"minutes", std::int64_t{90}},
                                                        {"status", std::string("booked")}})}));
    storage().push("t", makePush("laptop", {makeChange("laptop:1", "L", ChangeOp::update, 1, kHlc + 6,
                                                       {{"minutes", std::int64_t{60}}})}));
  }

  PushResult officePush(const std::string& id, HlcStamp hlc, std::vector<ColumnValue> columns, ConflictPolicy policy) {
    const auto response =
        storage().push("t", makePush("office", {makeChange(id, "L", ChangeOp::update, 1, hlc, std::move(columns),
                                                           policy)}));
    return response.results.at(0);
  }
};

TEST_F(PushResultsTest, MergeLetsTheNewerStampWin) {
  const auto result = officePush("office:2", kHlc + 7, {{"minutes", std::int64_t{45}}}, ConflictPolicy::merge);
  EXPECT_EQ(result.status, PushStatus::applied);
  EXPECT_EQ(result.version, 3);
  // The office is told it overrode the laptop's minutes, and a replay says so again.
  EXPECT_EQ(result.overrode, std::vector<std::string>{"minutes"});
  EXPECT_EQ(*columnValue(pullAll(storage(), "t").at(0), "minutes"), store::Value(std::int64_t{45}));
  const auto replay = officePush("office:2", kHlc + 7, {{"minutes", std::int64_t{45}}}, ConflictPolicy::merge);
  EXPECT_EQ(replay.overrode, result.overrode);
  EXPECT_EQ(replay.version, 3);
}

TEST_F(PushResultsTest, ServerWinsKeepsTheServersValueAndAnswersMergedWithTheRow) {
  // The status was not changed since base 1, so it is applied; minutes keeps the laptop's 60.
  const auto result = officePush("office:2", kHlc + 7,
                                 {{"minutes", std::int64_t{45}}, {"status", std::string("cancelled")}},
                                 ConflictPolicy::serverWins);
  EXPECT_EQ(result.status, PushStatus::merged);
  EXPECT_EQ(result.version, 3);
  EXPECT_EQ(result.columns, std::vector<std::string>{"minutes"});
  ASSERT_TRUE(result.row.has_value());
  EXPECT_EQ(result.row->table, "lessons");
  EXPECT_EQ(result.row->row, "L");
  EXPECT_EQ(result.row->version, 3);
  EXPECT_FALSE(result.row->deleted);
  EXPECT_EQ(*columnValue(*result.row, "minutes"), store::Value(std::int64_t{60}));
  EXPECT_EQ(*columnValue(*result.row, "status"), store::Value(std::string("cancelled")));
  EXPECT_EQ(*columnStamp(*result.row, "minutes"), (protocol::ColumnStamp{kHlc + 6, "laptop", 2}));
  EXPECT_EQ(*columnStamp(*result.row, "status"), (protocol::ColumnStamp{kHlc + 7, "office", 3}));
  // The row in the answer is the row a pull returns.
  const auto pulled = pullAll(storage(), "t").at(0);
  EXPECT_EQ(pulled.columns, result.row->columns);
  EXPECT_EQ(pulled.stamps, result.row->stamps);
}

TEST_F(PushResultsTest, MergedWithNothingAppliedKeepsTheVersionAndTakesNoNumber) {
  const auto result = officePush("office:2", kHlc + 7, {{"minutes", std::int64_t{45}}}, ConflictPolicy::serverWins);
  EXPECT_EQ(result.status, PushStatus::merged);
  EXPECT_EQ(result.version, 2);
  EXPECT_EQ(result.columns, std::vector<std::string>{"minutes"});
  EXPECT_EQ(storage().latestCursor("t"), 2);
}

TEST_F(PushResultsTest, ManualAnswersConflictWithTheServersRowAndAppliesNothing) {
  const auto result = officePush("office:2", kHlc + 7, {{"minutes", std::int64_t{45}}}, ConflictPolicy::manual);
  EXPECT_EQ(result.status, PushStatus::conflict);
  EXPECT_EQ(result.columns, std::vector<std::string>{"minutes"});
  ASSERT_TRUE(result.row.has_value());
  EXPECT_EQ(result.row->version, 2);
  EXPECT_EQ(*columnValue(*result.row, "minutes"), store::Value(std::int64_t{60}));
  EXPECT_EQ(storage().latestCursor("t"), 2);

  // Replayed, a conflict answers again with the row as it is now.
  storage().push("t", makePush("laptop", {makeChange("laptop:2", "L", ChangeOp::update, 2, kHlc + 8,
                                                     {{"minutes", std::int64_t{50}}})}));
  const auto replay = officePush("office:2", kHlc + 7, {{"minutes", std::int64_t{45}}}, ConflictPolicy::manual);
  EXPECT_EQ(replay.status, PushStatus::conflict);
  EXPECT_EQ(replay.columns, result.columns);
  ASSERT_TRUE(replay.row.has_value());
  EXPECT_EQ(replay.row->version, 3);
  EXPECT_EQ(*columnValue(*replay.row, "minutes"), store::Value(std::int64_t{50}));
}

TEST_F(PushResultsTest, ADeleteThatLosesToNewerUpdatesIsMerged) {
  const auto response = storage().push(
      "t", makePush("office", {makeChange("office:2", "L", ChangeOp::remove, 1, kHlc + 1, {})}));
  const auto& result = response.results.at(0);
  EXPECT_EQ(result.status, PushStatus::merged);
  EXPECT_EQ(result.columns, std::vector<std::string>{"minutes"});
  ASSERT_TRUE(result.row.has_value());
  EXPECT_FALSE(result.row->deleted);
  EXPECT_EQ(response.cursor, 2);
}

TEST_F(PushResultsTest, AnUpdateLosingToANewerDeleteLeavesTheRowDeleted) {
  storage().push("t", makePush("laptop", {makeChange("laptop:2", "L", ChangeOp::remove, 2, kHlc + 10, {})}));
  const auto result =
      officePush("office:2", kHlc + 9, {{"status", std::string("cancelled")}}, ConflictPolicy::merge);
  EXPECT_EQ(result.status, PushStatus::merged);
  EXPECT_EQ(result.columns, std::vector<std::string>{"status"});
  ASSERT_TRUE(result.row.has_value());
  EXPECT_TRUE(result.row->deleted);
  // The row stays deleted, but its status is newer than the deleted row's: the tombstone keeps it (a new version),
  // so a later change that brings the row back finds it whichever of the two reached the server first.
  EXPECT_EQ(result.row->version, 4);
  EXPECT_EQ(*columnValue(*result.row, "status"), store::Value(std::string("cancelled")));
}

TEST_F(PushResultsTest, ClientWinsBringsADeletedRowBack) {
  storage().push("t", makePush("laptop", {makeChange("laptop:2", "L", ChangeOp::remove, 2, kHlc + 10, {})}));
  const auto result =
      officePush("office:2", kHlc + 9, {{"status", std::string("cancelled")}}, ConflictPolicy::clientWins);
  EXPECT_EQ(result.status, PushStatus::applied);
  EXPECT_EQ(result.version, 4);
  const auto row = pullAll(storage(), "t").at(0);
  EXPECT_FALSE(row.deleted);
  EXPECT_EQ(*columnValue(row, "status"), store::Value(std::string("cancelled")));
}

TEST_F(SqliteStorageTest, AChangeIdOfAnotherDeviceIsRejectedAndNotRecorded) {
  const auto response = storage().push(
      "t", makePush("office", {makeChange("laptop:1", "L", ChangeOp::insert, 0, 1, {{"a", std::int64_t{1}}})}));
  EXPECT_EQ(response.results.at(0).status, PushStatus::rejected);
  EXPECT_EQ(response.results.at(0).code, "ERR_CHANGE_ID");
  EXPECT_EQ(response.cursor, 0);
  // The id was never the office's to use: the laptop's own change with that id is applied.
  const auto laptop = storage().push(
      "t", makePush("laptop", {makeChange("laptop:1", "L", ChangeOp::insert, 0, 2, {{"a", std::int64_t{2}}})}));
  EXPECT_EQ(laptop.results.at(0).status, PushStatus::applied);
}

TEST_F(SqliteStorageTest, InvalidChangesAreRejectedOnceAndForAll) {
  protocol::Limits limits;
  limits.maxValueBytes = 10;
  SqliteStorageOptions options;
  options.limits = limits;
  reopen(options);
  const auto request = makePush(
      "d", {makeChange("d:1", "L", ChangeOp::insert, 0, 1, {{"a", std::int64_t{1}}}, ConflictPolicy::merge, ""),
            makeChange("d:2", "", ChangeOp::insert, 0, 1, {{"a", std::int64_t{1}}}),
            makeChange("d:3", "L", ChangeOp::insert, 0, 1, {{"a", std::int64_t{1}}, {"a", std::int64_t{2}}}),
            makeChange("d:4", "L", ChangeOp::insert, 0, 1, {{"a", std::string(11, 'x')}}),
            makeChange("d:5", "L", ChangeOp::insert, 0, 1, {{"a", std::string(10, 'x')}})});
  const auto first = storage().push("t", request);
  const std::vector<std::string> codes{"ERR_TABLE", "ERR_ROW_ID", "ERR_COLUMN", "ERR_TOO_LARGE"};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(first.results[i].status, PushStatus::rejected) << i;
    EXPECT_EQ(first.results[i].code, codes[i]) << i;
    EXPECT_FALSE(first.results[i].reason.empty()) << i;
  }
  EXPECT_EQ(first.results[4].status, PushStatus::applied);
  EXPECT_EQ(first.results[4].version, 1);
  const auto second = storage().push("t", request);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_TRUE(sameResult(first.results[i], second.results[i])) << i;
  EXPECT_EQ(pullAll(storage(), "t").size(), 1u);
}

TEST_F(PushResultsTest, AReplayedMergeAnswersTheSameWithTheCurrentRow) {
  const auto first = officePush("office:2", kHlc + 7,
                                {{"minutes", std::int64_t{45}}, {"status", std::string("cancelled")}},
                                ConflictPolicy::serverWins);
  const auto again = officePush("office:2", kHlc + 7,
                                {{"minutes", std::int64_t{45}}, {"status", std::string("cancelled")}},
                                ConflictPolicy::serverWins);
  EXPECT_TRUE(sameResult(first, again));
  EXPECT_EQ(storage().latestCursor("t"), 3);
}

}  // namespace
}  // namespace offline_sync::server::testing
