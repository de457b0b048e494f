// ManualSettlement: the outbox, base version and local row after each answer to a manual conflict.
#include "core/sync/manual_settlement.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/sync/remote_rows.h"
#include "store_fixture.h"

namespace offline_sync::sync {
namespace {

using store::ChangeOp;
using store::ColumnValue;
using store::Connection;
using store::testing::EntryRow;
using store::testing::outboxRows;
using store::testing::scalar;
using store::testing::StoreFixture;

constexpr std::int64_t kStudent = 0b001;
constexpr std::int64_t kMinutes = 0b010;
constexpr std::int64_t kStatus = 0b100;

std::vector<ColumnValue> lesson(const std::string& student, std::int64_t minutes, const std::string& status) {
  return {{"student", student}, {"minutes", minutes}, {"status", status}};
}
// The server's row of the fixture (s1, done) with these minutes.
std::vector<ColumnValue> lessonWith(std::int64_t minutes) { return lesson("s1", minutes, "done"); }

class ManualSettlementTest : public StoreFixture {
 protected:
  std::unique_ptr<Connection> engine;
  std::unique_ptr<store::Outbox> outboxApi;
  std::unique_ptr<ManualSettlement> settle;
  std::int64_t changeSeq = 0;        // l1's update of minutes to 45, in flight, based on version 3
  protocol::RowState server;         // l1 at version 5: another device changed minutes and status
  HlcStamp serverStamp = 0;

  void SetUp() override {
    StoreFixture::SetUp();
    store->track("lessons", ConflictPolicy::manual);
    engine = store->openSyncConnection();
    outboxApi = std::make_unique<store::Outbox>(*engine, store->clock());
    settle = std::make_unique<ManualSettlement>(*engine, store->clock());
    known("l1", 3);
    db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
    const auto batch = outboxApi->takeBatch(10);
    ASSERT_EQ(batch.size(), 1u);
    ASSERT_EQ(batch[0].baseVersion, 3);
    changeSeq = batch[0].changeSeq;
    serverStamp = hlcFromMillis(static_cast<std::uint64_t>(HybridClock::systemMillis() + 60'000));
    server = row("l1", 5, lesson("s1", 90, "done"));
  }
  protocol::RowState row(const std::string& id, std::int64_t version, std::vector<ColumnValue> columns) {
    protocol::RowState state{"lessons", id, version, false, std::move(columns), {}};
    for (std::size_t i = 0; i < state.columns.size(); ++i) state.stamps.push_back({serverStamp, "laptop", version});
    return state;
  }
  // A row both sides know at `version`, nothing unacknowledged.
  void known(const std::string& id, std::int64_t version) {
    const std::vector<protocol::RowState> rows{row(id, version, lesson("s1", 60, "booked"))};
    RemoteRows(*engine, store->clock()).applyPage(rows, version);
  }
  std::int64_t version(const std::string& id = "l1") {
    return scalar(*engine, "SELECT coalesce((SELECT version FROM _sync_row_versions WHERE row_id = '" + id + "'), -1)");
  }
  std::string column(const std::string& name, const std::string& id = "l1") {
    auto statement = engine->prepare("SELECT CAST(" + name + " AS TEXT) FROM lessons WHERE id = '" + id + "'");
    return statement->step() ? std::string(statement->columnText(0)) : "<no row>";
  }
  std::vector<EntryRow> outbox() { return outboxRows(*engine); }

  // Students s1 ("Lea", "000") at version 4 in a 'manual' table whose name is NOT NULL.
  void knownStudent() {
    db().exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT)");
    store->track("students", ConflictPolicy::manual);
    const std::vector<protocol::RowState> known{student(4, "Lea", "000")};
    RemoteRows(*engine, store->clock()).applyPage(known, 4);
  }
  protocol::RowState student(std::int64_t version, const std::string& name, const std::string& phone) {
    protocol::RowState state{"students", "s1", version, false, {{"name", name}, {"phone", phone}}, {}};
    for (std::size_t i = 0; i < state.columns.size(); ++i) state.stamps.push_back({serverStamp, "laptop", version});
    return state;
  }
  std::string studentRow() {
    auto row = engine->prepare("SELECT name || '/' || phone FROM students WHERE id = 's1'");
    return row->step() ? std::string(row->columnText(0)) : "<no row>";
  }
};

TEST_F(ManualSettlementTest, KeepLocalRequeuesTheChangeBasedOnTheServersVersion) {
  settle->keepLocal(changeSeq, server);
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, 0) << "pending again";
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, kMinutes);
  EXPECT_EQ(version(), 5);
  EXPECT_EQ(column("minutes"), "45");
  const auto resend = outboxApi->takeBatch(10);
  ASSERT_EQ(resend.size(), 1u);
  EXPECT_EQ(resend[0].baseVersion, 5) << "the server sees no conflict with what it showed us";
  EXPECT_GT(resend[0].changeSeq, changeSeq) << "a new change, under a new id";
  EXPECT_EQ(resend[0].columns, (std::vector<ColumnValue>{{"minutes", std::int64_t{45}}}));
}

TEST_F(ManualSettlementTest, KeepLocalFoldsIntoANewerPendingChange) {
  db().exec("UPDATE lessons SET status = 'cancelled' WHERE id = 'l1'");
  settle->keepLocal(changeSeq, server);
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, kMinutes | kStatus);
  EXPECT_EQ(version(), 5);
}

TEST_F(ManualSettlementTest, TakeRemoteDropsTheChangeAndAppliesTheServersRow) {
  settle->takeRemote(changeSeq, server);
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(column("minutes"), "90");
  EXPECT_EQ(column("status"), "done");
  EXPECT_EQ(version(), 5);
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(ManualSettlementTest, TakeRemoteKeepsColumnsOfNewerPendingChanges) {
  db().exec("UPDATE lessons SET status = 'cancelled' WHERE id = 'l1'");
  settle->takeRemote(changeSeq, server);
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, 0);
  EXPECT_EQ(rows[0].columns, kStatus);
  EXPECT_EQ(column("minutes"), "90");
  EXPECT_EQ(column("status"), "cancelled");
  EXPECT_EQ(version(), 3) << "the pending change keeps the base it was made on";
}

TEST_F(ManualSettlementTest, UseMergedWritesTheRowAndQueuesItBasedOnTheServersVersion) {
  settle->useMerged(changeSeq, server,
                    {{"id", std::string("l1")}, {"minutes", std::int64_t{50}}, {"status", std::string("done")}});
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, 0);
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, kMinutes | kStatus);
  EXPECT_EQ(column("minutes"), "50");
  EXPECT_EQ(column("status"), "done");
  EXPECT_EQ(column("student"), "s1");
  EXPECT_EQ(version(), 5);
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].baseVersion, 5);
  EXPECT_EQ(batch[0].op, ChangeOp::update);
  EXPECT_GT(batch[0].hlc, serverStamp) << "the merged change is newer than what it answers";
  EXPECT_EQ(batch[0].columns,
            (std::vector<ColumnValue>{{"minutes", std::int64_t{50}}, {"status", std::string("done")}}));
}

TEST_F(ManualSettlementTest, UseMergedFoldsIntoANewerPendingChange) {
  db().exec("UPDATE lessons SET student = 's7' WHERE id = 'l1'");
  settle->useMerged(changeSeq, server, {{"minutes", std::int64_t{50}}});
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, kStudent | kMinutes);
  EXPECT_EQ(column("student"), "s7");
}

TEST_F(ManualSettlementTest, UseMergedRefusesUnknownColumnsAndChangesNothing) {
  const std::vector<std::vector<ColumnValue>> invalid{
      {{"minutes", std::int64_t{50}}, {"colour", std::string("red")}},
      {{"minutes", std::int64_t{50}}, {"minutes", std::int64_t{51}}},
      {{"id", std::string("other")}, {"minutes", std::int64_t{50}}},
      {}};
  for (const auto& merged : invalid) {
    try {
      settle->useMerged(changeSeq, server, merged);
      ADD_FAILURE() << "expected ERR_INVALID_ARG for merged row " << merged.size();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "ERR_INVALID_ARG");
    }
  }
  EXPECT_EQ(outboxApi->counts().inFlight, 1);
  EXPECT_EQ(outboxApi->counts().pending, 0);
  EXPECT_EQ(version(), 3);
  EXPECT_EQ(column("minutes"), "45");
}

TEST_F(ManualSettlementTest, UseMergedBringsBackALocallyDeletedRow) {
  known("l2", 4);
  db().exec("DELETE FROM lessons WHERE id = 'l2'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_EQ(batch[1].op, ChangeOp::remove);
  const auto serverL2 = row("l2", 6, lesson("s2", 30, "booked"));
  settle->useMerged(batch[1].changeSeq, serverL2, {{"student", std::string("s2")}, {"status", std::string("moved")}});
  EXPECT_EQ(column("student", "l2"), "s2");
  EXPECT_EQ(column("status", "l2"), "moved");
  EXPECT_EQ(version("l2"), 6);
  EXPECT_EQ(scalar(*engine, "SELECT op FROM _sync_outbox WHERE row_id = 'l2'"), 2);
  EXPECT_EQ(scalar(*engine, "SELECT columns FROM _sync_outbox WHERE row_id = 'l2'"), kStudent | kStatus);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM _sync_sent WHERE change_seq = " +
                                std::to_string(batch[1].changeSeq)),
            0);
}

// A merged answer naming only the disputed column, on a table whose other columns are NOT NULL: the row exists, so
// only that column is written (an upsert would fail SQLite's NOT NULL check before reaching its ON CONFLICT).
TEST_F(ManualSettlementTest, UseMergedWritesOneColumnOfARowWithNotNullColumns) {
  knownStudent();
  db().exec("UPDATE students SET phone = '111' WHERE id = 's1'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_FALSE(batch.empty());
  const auto& change = batch.back();
  ASSERT_EQ(change.table, "students");
  ASSERT_EQ(change.op, ChangeOp::update);

  settle->useMerged(change.changeSeq, student(6, "Lea", "222"), {{"phone", std::string("333")}});
  EXPECT_EQ(studentRow(), "Lea/333");
  EXPECT_EQ(scalar(*engine, "SELECT version FROM _sync_row_versions WHERE row_id = 's1'"), 6);
  EXPECT_EQ(scalar(*engine, "SELECT columns FROM _sync_outbox WHERE row_id = 's1'"), 0b10);
}

// Deleted here, renamed there, and the answer is a merged row naming the NOT NULL column: the row comes back with
// the server's other columns and the merged name (not an insert of the other columns alone, which NOT NULL refuses).
TEST_F(ManualSettlementTest, UseMergedBringsBackALocallyDeletedRowWithNotNullColumns) {
  knownStudent();
  db().exec("DELETE FROM students WHERE id = 's1'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_FALSE(batch.empty());
  ASSERT_EQ(batch.back().op, ChangeOp::remove);

  settle->useMerged(batch.back().changeSeq, student(6, "Lea Schmidt", "000"), {{"name", std::string("Lea M.")}});
  EXPECT_EQ(studentRow(), "Lea M./000");
  EXPECT_EQ(scalar(*engine, "SELECT columns FROM _sync_outbox WHERE row_id = 's1'"), 0b01);
}

// The update in question was in flight when the row was deleted here: the merged answer brings the row back with the
// server's values and the merged one, and pushes all of it (never NULLs for the columns it does not name).
TEST_F(ManualSettlementTest, UseMergedAfterANewerLocalDeleteBringsBackTheServersRow) {
  db().exec("DELETE FROM lessons WHERE id = 'l1'");
  settle->useMerged(changeSeq, server, {{"minutes", std::int64_t{50}}});
  EXPECT_EQ(column("minutes"), "50");
  EXPECT_EQ(column("student"), "s1");
  EXPECT_EQ(column("status"), "done");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, ChangeOp::insert);
  EXPECT_EQ(batch[0].columns, lessonWith(50));
}

TEST_F(ManualSettlementTest, LeavePendingKeepsTheChangeAndItsBase) {
  settle->leavePending(changeSeq, "no answer");
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, 0);
  EXPECT_EQ(rows[0].columns, kMinutes);
  EXPECT_EQ(version(), 3);
  EXPECT_EQ(column("minutes"), "45");
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM _sync_outbox WHERE reason = 'no answer' AND attempts = 1"), 1);
  const auto again = outboxApi->takeBatch(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].baseVersion, 3) << "so the conflict comes back";
}

TEST_F(ManualSettlementTest, AChangeNoLongerInFlightIsLeftAlone) {
  settle->takeRemote(changeSeq, server);
  settle->keepLocal(changeSeq, server);
  settle->useMerged(changeSeq, server, {{"minutes", std::int64_t{1}}});
  settle->takeRemote(changeSeq + 100, server);
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(column("minutes"), "90");
}

TEST_F(ManualSettlementTest, AServerRowOfAnotherRowIsRefused) {
  auto other = server;
  other.row = "l9";
  try {
    settle->takeRemote(changeSeq, other);
    FAIL() << "expected ERR_INTERNAL";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_INTERNAL");
  }
  EXPECT_EQ(outboxApi->counts().inFlight, 1);
}

}  // namespace
}  // namespace offline_sync::sync
