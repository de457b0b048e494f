#include <gtest/gtest.h>

#include "core/error.h"
#include "core/store/change.h"
#include "store_fixture.h"

namespace offline_sync::store {
namespace {

using testing::EntryRow;
using testing::StoreFixture;
using testing::scalar;

constexpr std::int64_t kAll = 0b111;  // student, minutes, status

class CaptureTest : public StoreFixture {};

TEST_F(CaptureTest, InsertIsCapturedWithEveryColumn) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].rowId, "a");
  EXPECT_EQ(rows[0].op, 1);
  EXPECT_EQ(rows[0].columns, kAll);
  EXPECT_EQ(store->pendingChanges(), 1);
}

TEST_F(CaptureTest, UpdateRecordsOnlyChangedColumns) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  db().exec("DELETE FROM _sync_outbox");  // as if pushed and acknowledged
  db().exec("INSERT INTO _sync_row_versions VALUES ('lessons', 'a', 5)");
  db().exec("UPDATE lessons SET minutes = 60 WHERE id = 'a'");
  db().exec("UPDATE lessons SET minutes = 60, status = 'booked' WHERE id = 'a'");  // no real change: nothing
  auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, 0b010);
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'a'");
  rows = outbox();
  ASSERT_EQ(rows.size(), 1u) << "a pending update is amended, not duplicated";
  EXPECT_EQ(rows[0].columns, 0b110);
}

TEST_F(CaptureTest, RolledBackTransactionLeavesNothing) {
  db().begin();
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'a'");
  db().rollback();
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM lessons"), 0);
}

TEST_F(CaptureTest, FailedStatementLeavesNothing) {
  db().exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL)");
  store->track("students", ConflictPolicy::merge);
  EXPECT_THROW(db().exec("INSERT INTO students VALUES ('s1', 'Ann'), ('s2', NULL)"), Error);
  EXPECT_TRUE(outbox().empty()) << "the statement's first row and its capture were undone together";
}

TEST_F(CaptureTest, NullOrNonTextIdIsRefused) {
  try {
    db().exec("INSERT INTO lessons (id, student) VALUES (NULL, 's1')");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("non-NULL TEXT"), std::string::npos);
  }
  EXPECT_THROW(db().exec("INSERT INTO lessons (id) VALUES (x'01')"), Error);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(CaptureTest, ChangedIdIsADeleteAndAnInsert) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  db().exec("DELETE FROM _sync_outbox");
  db().exec("INSERT INTO _sync_row_versions VALUES ('lessons', 'a', 3)");
  db().exec("UPDATE lessons SET id = 'b' WHERE id = 'a'");
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].rowId, "a");
  EXPECT_EQ(rows[0].op, 3);
  EXPECT_EQ(rows[1].rowId, "b");
  EXPECT_EQ(rows[1].op, 1);
}

TEST_F(CaptureTest, InFlightEntryIsNeverAmended) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  auto engine = store->openSyncConnection();
  Outbox(*engine, store->clock()).takeBatch(10);  // being pushed
  db().exec("UPDATE lessons SET minutes = 30 WHERE id = 'a'");
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].state, 1);
  EXPECT_EQ(rows[0].op, 1);
  EXPECT_EQ(rows[1].state, 0);
  EXPECT_EQ(rows[1].op, 2);
  EXPECT_EQ(rows[1].columns, 0b010);
  db().exec("DELETE FROM lessons WHERE id = 'a'");
  const auto after = outbox();
  ASSERT_EQ(after.size(), 2u) << "the row was sent, so its delete must be sent too";
  EXPECT_EQ(after[1].op, 3);
}

TEST_F(CaptureTest, EngineConnectionDoesNotCapture) {
  auto engine = store->openSyncConnection();
  engine->exec("INSERT INTO lessons VALUES ('remote', 's9', 60, 'booked')");
  engine->exec("UPDATE lessons SET minutes = 45 WHERE id = 'remote'");
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM lessons"), 1);
  db().exec("UPDATE lessons SET minutes = 30 WHERE id = 'remote'");
  EXPECT_EQ(outbox().size(), 1u) << "the application's own write is still captured";
}

TEST_F(CaptureTest, InMemoryDatabaseCannotOpenASyncConnection) {
  Store memory(":memory:", StoreOptions{});
  try {
    memory.openSyncConnection();
    FAIL() << "expected ERR_INVALID_ARG";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_INVALID_ARG");
  }
}

// Every two-write sequence on one unsent row, through the triggers, agrees with coalesce().
struct Sequence {
  const char* name;
  bool knownToServer;
  const char* first;
  const char* second;
  std::optional<PendingChange> expected;
};

class CoalescingTest : public StoreFixture, public ::testing::WithParamInterface<Sequence> {};

TEST_P(CoalescingTest, TriggersFoldLikeTheRules) {
  const Sequence& sequence = GetParam();
  if (sequence.knownToServer) {
    auto engine = store->openSyncConnection();
    engine->exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
    engine->exec("INSERT INTO _sync_row_versions VALUES ('lessons', 'a', 7)");
  }
  db().exec(sequence.first);
  db().exec(sequence.second);
  const auto rows = outbox();
  if (!sequence.expected) {
    EXPECT_TRUE(rows.empty()) << sequence.name;
    return;
  }
  ASSERT_EQ(rows.size(), 1u) << sequence.name;
  EXPECT_EQ(rows[0].op, static_cast<int>(sequence.expected->op)) << sequence.name;
  EXPECT_EQ(rows[0].columns, sequence.expected->columns) << sequence.name;
}

const char* kInsert = "INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')";
const char* kUpdateMinutes = "UPDATE lessons SET minutes = 45 WHERE id = 'a'";
const char* kUpdateStatus = "UPDATE lessons SET status = 'done' WHERE id = 'a'";
const char* kDelete = "DELETE FROM lessons WHERE id = 'a'";
const char* kReplace = "INSERT OR REPLACE INTO lessons VALUES ('a', 's2', 30, 'moved')";

INSTANTIATE_TEST_SUITE_P(
    Sequences, CoalescingTest,
    ::testing::Values(
        Sequence{"insert+update is an insert", false, kInsert, kUpdateMinutes, PendingChange{ChangeOp::insert, kAll}},
        Sequence{"insert+delete is nothing", false, kInsert, kDelete, std::nullopt},
        Sequence{"update+update unions columns", true, kUpdateMinutes, kUpdateStatus,
                 PendingChange{ChangeOp::update, 0b110}},
        Sequence{"update+delete is a delete", true, kUpdateMinutes, kDelete, PendingChange{ChangeOp::remove, 0}},
        Sequence{"delete+insert is an insert", true, kDelete, kInsert, PendingChange{ChangeOp::insert, kAll}},
        Sequence{"update+replace is an insert", true, kUpdateMinutes, kReplace, PendingChange{ChangeOp::insert, kAll}},
        Sequence{"insert+replace is an insert", false, kInsert, kReplace, PendingChange{ChangeOp::insert, kAll}}),
    [](const ::testing::TestParamInfo<Sequence>& info) {
      std::string name = info.param.name;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(CoalesceRulesTest, MatchTheContract) {
  const PendingChange insert{ChangeOp::insert, kAll};
  const PendingChange update{ChangeOp::update, 0b001};
  const PendingChange remove{ChangeOp::remove, 0};
  EXPECT_EQ(coalesce(insert, {ChangeOp::update, 0b010}, false, kAll), insert);
  EXPECT_EQ(coalesce(insert, remove, false, kAll), std::nullopt);
  EXPECT_EQ(coalesce(insert, remove, true, kAll), remove) << "a re-created row the server knows must be deleted";
  EXPECT_EQ(coalesce(update, {ChangeOp::update, 0b100}, true, kAll), (PendingChange{ChangeOp::update, 0b101}));
  EXPECT_EQ(coalesce(update, remove, true, kAll), remove);
  EXPECT_EQ(coalesce(remove, insert, true, kAll), insert);
  EXPECT_EQ(coalesce(remove, update, true, kAll), insert);
}

}  // namespace
}  // namespace offline_sync::store
