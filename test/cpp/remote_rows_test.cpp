// RemoteRows: server rows written into local tables around unacknowledged local changes, a page at a time.
#include "core/sync/remote_rows.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "core/error.h"
#include "core/store/metadata.h"
#include "store_fixture.h"

namespace offline_sync::sync {
namespace {

using store::ColumnValue;
using store::Connection;
using store::testing::outboxRows;
using store::testing::scalar;
using store::testing::StoreFixture;

constexpr std::int64_t kMinutes = 0b010;

protocol::RowState serverRow(const std::string& id, std::int64_t version, std::vector<ColumnValue> columns,
                             bool deleted = false, const std::string& table = "lessons", HlcStamp hlc = 1) {
  protocol::RowState row{table, id, version, deleted, std::move(columns), {}};
  for (std::size_t i = 0; i < row.columns.size(); ++i) row.stamps.push_back({hlc, "other-device", version});
  return row;
}

std::vector<ColumnValue> lesson(const std::string& student, std::int64_t minutes, const std::string& status) {
  return {{"student", student}, {"minutes", minutes}, {"status", status}};
}

std::string text(Connection& connection, const std::string& sql) {
  auto statement = connection.prepare(sql);
  if (!statement->step()) return "<no row>";
  if (statement->columnType(0) == store::ColumnType::null) return "<null>";
  return std::string(statement->columnText(0));
}

class RemoteRowsTest : public StoreFixture {
 protected:
  std::unique_ptr<Connection> engine;
  std::unique_ptr<RemoteRows> remote;
  std::unique_ptr<store::Outbox> outboxApi;

  void SetUp() override {
    StoreFixture::SetUp();
    engine = store->openSyncConnection();
    remote = std::make_unique<RemoteRows>(*engine, store->clock());
    outboxApi = std::make_unique<store::Outbox>(*engine, store->clock());
  }
  AppliedRows apply(std::vector<protocol::RowState> rows, std::int64_t cursor) {
    return remote->applyPage(rows, cursor);
  }
  // A row both sides know at `version`, with nothing unacknowledged.
  void known(const std::string& id, std::int64_t version) {
    apply({serverRow(id, version, lesson("s1", 60, "booked"))}, version);
  }
  std::int64_t version(const std::string& id) {
    return scalar(*engine, "SELECT coalesce((SELECT version FROM _sync_row_versions WHERE table_name = 'lessons' "
                           "AND row_id = '" + id + "'), -1)");
  }
  std::string column(const std::string& id, const std::string& name) {
    return text(*engine, "SELECT " + name + " FROM lessons WHERE id = '" + id + "'");
  }
  std::optional<std::string> cursor() { return store::readMetadata(*engine, store::meta_keys::pullCursor); }
};

TEST_F(RemoteRowsTest, SyncConnectionDoesNotCaptureAndHasForeignKeysOff) {
  EXPECT_EQ(scalar(*engine, "SELECT _sync_capture()"), 0);
  EXPECT_EQ(scalar(db(), "SELECT _sync_capture()"), 1);
  EXPECT_EQ(scalar(*engine, "PRAGMA foreign_keys"), 0);
  EXPECT_EQ(scalar(db(), "PRAGMA foreign_keys"), 1);
}

TEST_F(RemoteRowsTest, InsertsANewRowWithoutCapturingIt) {
  const auto applied = apply({serverRow("l1", 5, lesson("s1", 60, "booked"))}, 5);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(applied.tables, std::vector<std::string>{"lessons"});
  EXPECT_EQ(applied.skipped, 0);
  EXPECT_EQ(column("l1", "student"), "s1");
  EXPECT_EQ(column("l1", "minutes"), "60");
  EXPECT_EQ(version("l1"), 5);
  EXPECT_EQ(cursor(), "5");
  EXPECT_TRUE(outboxRows(db()).empty()) << "rows from the server are not changes to push";
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(RemoteRowsTest, UpdatesOnlyTheColumnsTheServerSent) {
  known("l1", 5);
  const auto applied = apply({serverRow("l1", 9, {{"minutes", std::int64_t{90}}})}, 9);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(column("l1", "minutes"), "90");
  EXPECT_EQ(column("l1", "status"), "booked");
  EXPECT_EQ(version("l1"), 9);
  EXPECT_TRUE(outboxRows(db()).empty());
}

TEST_F(RemoteRowsTest, DeletesARowAndRecordsTheTombstoneVersion) {
  known("l1", 5);
  const auto applied = apply({serverRow("l1", 6, lesson("s1", 60, "booked"), true)}, 6);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM lessons"), 0);
  EXPECT_EQ(version("l1"), 6) << "a later re-creation is based on the deletion";
  EXPECT_TRUE(outboxRows(db()).empty());
}

TEST_F(RemoteRowsTest, DeleteOfAnUnknownRowWritesNothingButAdvances) {
  const auto applied = apply({serverRow("ghost", 4, {}, true)}, 4);
  EXPECT_EQ(applied.count, 0);
  EXPECT_TRUE(applied.tables.empty());
  EXPECT_EQ(version("ghost"), 4);
  EXPECT_EQ(cursor(), "4");
}

TEST_F(RemoteRowsTest, SkipsTablesNotTrackedHere) {
  db().exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)");  // exists, not tracked
  const auto applied = apply({serverRow("n1", 1, {{"body", std::string("x")}}, false, "notes"),
                              serverRow("i1", 2, {{"body", std::string("y")}}, false, "invoices"),
                              serverRow("l1", 3, lesson("s1", 60, "booked"))},
                             3);
  EXPECT_EQ(applied.skipped, 2);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM notes"), 0);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM _sync_row_versions"), 1);
  EXPECT_EQ(cursor(), "3");
}

TEST_F(RemoteRowsTest, IgnoresColumnsThisDeviceDoesNotHave) {
  auto columns = lesson("s1", 60, "booked");
  columns.insert(columns.begin(), {"colour", std::string("red")});
  const auto applied = apply({serverRow("l1", 5, columns)}, 5);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(column("l1", "status"), "booked");
}

TEST_F(RemoteRowsTest, PendingColumnStaysLocalWhileTheOthersApply) {
  known("l1", 5);
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
  const auto applied = apply({serverRow("l1", 8, lesson("s2", 90, "done"))}, 8);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(column("l1", "minutes"), "45") << "the local value waits for the server's answer";
  EXPECT_EQ(column("l1", "student"), "s2");
  EXPECT_EQ(column("l1", "status"), "done");
  EXPECT_EQ(version("l1"), 5) << "the pending change keeps the base it was made on";
  const auto rows = outboxRows(db());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, 2);
  EXPECT_EQ(rows[0].columns, kMinutes) << "applying did not add to the pending change";
}

// A pending NOT NULL column left out of the write: the row exists, so the others are updated in place (an upsert
// naming only some columns fails SQLite's NOT NULL check before its ON CONFLICT, and the page would never apply).
TEST_F(RemoteRowsTest, APendingNotNullColumnDoesNotStopTheOthersFromApplying) {
  db().exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT)");
  store->track("students", ConflictPolicy::merge);
  const auto student = [](std::int64_t version, const std::string& name, const std::string& phone) {
    return serverRow("s1", version, {{"name", name}, {"phone", phone}}, false, "students");
  };
  apply({student(2, "Lea", "000")}, 2);
  db().exec("UPDATE students SET name = 'Lea S.' WHERE id = 's1'");
  const auto applied = apply({student(3, "Lea Schmidt", "222")}, 3);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(text(*engine, "SELECT name || '/' || phone FROM students WHERE id = 's1'"), "Lea S./222");
  EXPECT_EQ(cursor(), "3");
}

TEST_F(RemoteRowsTest, RowWhoseEveryColumnIsPendingIsNotWritten) {
  db().exec("INSERT INTO lessons VALUES ('l1', 'mine', 30, 'draft')");  // a pending insert: every column local
  const auto applied = apply({serverRow("l1", 3, lesson("theirs", 60, "booked"))}, 3);
  EXPECT_EQ(applied.count, 0);
  EXPECT_TRUE(applied.tables.empty());
  EXPECT_EQ(column("l1", "student"), "mine");
  EXPECT_EQ(version("l1"), -1);
  EXPECT_EQ(cursor(), "3");
}

TEST_F(RemoteRowsTest, PendingDeleteKeepsTheRowAbsent) {
  known("l1", 5);
  db().exec("DELETE FROM lessons WHERE id = 'l1'");
  const auto applied = apply({serverRow("l1", 8, lesson("s2", 90, "done"))}, 8);
  EXPECT_EQ(applied.count, 0);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM lessons"), 0);
  EXPECT_EQ(version("l1"), 5);
}

TEST_F(RemoteRowsTest, InFlightChangesAreKeptLikePendingOnes) {
  known("l1", 5);
  known("l2", 6);
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'; DELETE FROM lessons WHERE id = 'l2'");
  ASSERT_EQ(outboxApi->takeBatch(10).size(), 2u);
  const auto applied =
      apply({serverRow("l1", 8, lesson("s2", 90, "done")), serverRow("l2", 9, lesson("s2", 90, "done"))}, 9);
  EXPECT_EQ(applied.count, 1);
  EXPECT_EQ(column("l1", "minutes"), "45");
  EXPECT_EQ(column("l1", "status"), "done");
  EXPECT_EQ(column("l2", "status"), "<no row>");
  EXPECT_EQ(version("l1"), 5);
  EXPECT_EQ(version("l2"), 6);
  EXPECT_EQ(outboxApi->counts().inFlight, 2);
}

TEST_F(RemoteRowsTest, ServerDeleteWaitsForTheAnswerToALocalChange) {
  known("l1", 5);
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'l1'");
  const auto applied = apply({serverRow("l1", 7, {}, true)}, 7);
  EXPECT_EQ(applied.count, 0);
  EXPECT_EQ(column("l1", "status"), "done");
  EXPECT_EQ(version("l1"), 5);
}

TEST_F(RemoteRowsTest, QuarantinedChangesDoNotHoldColumnsBack) {
  known("l1", 5);
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
  const auto batch = outboxApi->takeBatch(10);
  outboxApi->quarantine(batch[0].changeSeq, "refused");
  apply({serverRow("l1", 8, lesson("s1", 90, "booked"))}, 8);
  EXPECT_EQ(column("l1", "minutes"), "90");
  EXPECT_EQ(version("l1"), 8);
}

TEST_F(RemoteRowsTest, AFailingRowRollsTheWholePageBack) {
  db().exec("CREATE TABLE rooms (id TEXT PRIMARY KEY, name TEXT NOT NULL, seats INTEGER CHECK (seats > 0))");
  store->track("rooms", ConflictPolicy::merge);
  apply({serverRow("l0", 2, lesson("s0", 60, "booked"))}, 2);
  const HlcStamp persisted = std::stoull(*store::readMetadata(*engine, store::meta_keys::hlc));
  try {
    apply({serverRow("l1", 3, lesson("s1", 60, "booked")),
           serverRow("r1", 4, {{"name", std::string("A")}, {"seats", std::int64_t{0}}}, false, "rooms")},
          4);
    FAIL() << "expected the CHECK constraint to fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::sqlite);
    EXPECT_EQ(e.code(), "SQLITE_CONSTRAINT_CHECK");
  }
  EXPECT_EQ(column("l1", "student"), "<no row>");
  EXPECT_EQ(version("l1"), -1);
  EXPECT_EQ(cursor(), "2");
  EXPECT_EQ(std::stoull(*store::readMetadata(*engine, store::meta_keys::hlc)), persisted);
  EXPECT_FALSE(engine->inTransaction());
  try {
    apply({serverRow("r2", 5, {{"seats", std::int64_t{3}}}, false, "rooms")}, 5);  // name NOT NULL, not sent
    FAIL() << "expected the NOT NULL constraint to fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_CONSTRAINT_NOTNULL");
  }
  EXPECT_EQ(cursor(), "2");
}

TEST_F(RemoteRowsTest, ObservesStampsAndPersistsTheClockWithTheCursor) {
  const HlcStamp ahead = hlcFromMillis(static_cast<std::uint64_t>(HybridClock::systemMillis() + 60'000)) + 7;
  apply({serverRow("l1", 5, lesson("s1", 60, "booked"), false, "lessons", ahead)}, 5);
  EXPECT_GE(store->clock().last(), ahead);
  EXPECT_EQ(std::stoull(*store::readMetadata(*engine, store::meta_keys::hlc)), store->clock().last());
  EXPECT_GT(store->clock().now(), ahead);
  db().exec("UPDATE lessons SET minutes = 1 WHERE id = 'l1'");
  EXPECT_GT(static_cast<HlcStamp>(scalar(db(), "SELECT hlc FROM _sync_outbox")), ahead);
}

TEST_F(RemoteRowsTest, ChildRowsMayArriveBeforeTheirParents) {
  db().exec("CREATE TABLE slots (id TEXT PRIMARY KEY, lesson_id TEXT NOT NULL REFERENCES lessons (id))");
  store->track("slots", ConflictPolicy::merge);
  const auto applied = apply({serverRow("x1", 4, {{"lesson_id", std::string("l9")}}, false, "slots"),
                              serverRow("l9", 5, lesson("s1", 60, "booked"))},
                             5);
  EXPECT_EQ(applied.count, 2);
  EXPECT_EQ(applied.tables, (std::vector<std::string>{"slots", "lessons"}));
}

TEST_F(RemoteRowsTest, ApplyRowAddsUpAndJoinsTheCallersTransaction) {
  AppliedRows into;
  engine->begin();
  remote->applyRow(serverRow("l1", 5, lesson("s1", 60, "booked")), into);
  remote->applyRow(serverRow("l2", 6, lesson("s1", 60, "booked")), into);
  remote->applyRow(serverRow("n1", 7, {}, false, "notes"), into);
  EXPECT_EQ(into.count, 2);
  EXPECT_EQ(into.tables, std::vector<std::string>{"lessons"});
  EXPECT_EQ(into.skipped, 1);
  engine->rollback();
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM lessons"), 0);
}

TEST_F(RemoteRowsTest, AppliesAHundredThousandRowsQuickly) {
  constexpr int kRows = 100'000;
  std::vector<protocol::RowState> rows;
  rows.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(serverRow("row-" + std::to_string(i), i + 1, lesson("student " + std::to_string(i % 97), i % 120,
                                                                        i % 2 ? "booked" : "done")));
  }
  // Timed: inserts with an empty outbox (no lookups), then updates of the same rows while an unrelated change is
  // pending (one indexed lookup per row).
  const auto timed = [&](const char* what) {
    const auto start = std::chrono::steady_clock::now();
    const auto applied = remote->applyPage(rows, kRows);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[ perf     ] %s: %d rows in %.3f s = %.0f rows/s\n", what, kRows, seconds, kRows / seconds);
    EXPECT_EQ(applied.count, kRows);
    return seconds;
  };
  const double inserts = timed("insert, empty outbox");
  db().exec("INSERT INTO lessons VALUES ('local', 's', 1, 'x')");
  const double updates = timed("update, outbox not empty");
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM lessons"), kRows + 1);
  // Only a guard against a per-row cost that grows with the page (a release build takes about 0.4 s each, an
  // address-sanitized debug build about 3 s); the printout is the measurement.
  EXPECT_LT(inserts, 10.0);
  EXPECT_LT(updates, 10.0);
}

}  // namespace
}  // namespace offline_sync::sync
