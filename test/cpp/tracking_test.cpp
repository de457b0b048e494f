#include "core/store/tracking.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "store_fixture.h"

namespace offline_sync::store {
namespace {

using testing::outboxRows;
using testing::scalar;
using offline_sync::testing::TempDir;

std::string notTrackableReason(Store& store, const std::string& table) {
  try {
    store.track(table, ConflictPolicy::merge);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_NOT_TRACKABLE");
    return e.what();
  }
  ADD_FAILURE() << table << " was tracked";
  return {};
}

TEST(TrackingTest, RefusesTablesItCannotSyncAndSaysWhy) {
  Store store(":memory:", StoreOptions{});
  store.connection().exec(R"sql(
    CREATE TABLE int_key (id INTEGER PRIMARY KEY, x);
    CREATE TABLE no_key (id TEXT, x);
    CREATE TABLE other_key (uuid TEXT PRIMARY KEY, x);
    CREATE TABLE composite (id TEXT, x TEXT, PRIMARY KEY (id, x));
    CREATE VIEW a_view AS SELECT 1 AS id;
  )sql");
  EXPECT_NE(notTrackableReason(store, "int_key").find("type 'INTEGER'"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "no_key").find("no primary key"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "other_key").find("'uuid', not 'id'"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "composite").find("several columns"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "a_view").find("view"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "missing").find("no such table"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "_sync_outbox").find("internal"), std::string::npos);
  EXPECT_NE(notTrackableReason(store, "sqlite_schema").find("internal"), std::string::npos);
}

TEST(TrackingTest, RefusesMoreThan63Columns) {
  Store store(":memory:", StoreOptions{});
  std::string sql = "CREATE TABLE wide (id TEXT PRIMARY KEY";
  for (int i = 0; i < 64; ++i) sql += ", c" + std::to_string(i);
  store.connection().exec(sql + ")");
  EXPECT_NE(notTrackableReason(store, "wide").find("more than 63"), std::string::npos);
}

TEST(TrackingTest, IsIdempotentAndKeepsExistingRowsQueuedOnce) {
  Store store(":memory:", StoreOptions{});
  auto& db = store.connection();
  db.exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT); INSERT INTO students VALUES ('s1', 'Ann'), ('s2', 'Bo')");
  const auto first = store.track("students", ConflictPolicy::merge);
  const auto again = store.track("STUDENTS", ConflictPolicy::clientWins);
  EXPECT_EQ(again.name, "students");
  EXPECT_EQ(again.policy, ConflictPolicy::clientWins);
  EXPECT_EQ(outboxRows(db).size(), 2u) << "rows from before tracking are queued once, as inserts";
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'students'"), 4);
  EXPECT_EQ(trackedTable(db, "students")->policy, ConflictPolicy::clientWins);
}

TEST(TrackingTest, TrackingAgainWithoutAPolicyKeepsTheStoredOne) {
  Store store(":memory:", StoreOptions{});
  store.connection().exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT)");
  EXPECT_EQ(store.track("students", std::nullopt).policy, ConflictPolicy::merge) << "a new table defaults to merge";
  store.track("students", ConflictPolicy::manual);
  store.connection().exec("ALTER TABLE students ADD COLUMN phone TEXT");
  EXPECT_EQ(store.track("students", std::nullopt).policy, ConflictPolicy::manual);
}

TEST(TrackingTest, RefusesATableWithRowsWhoseIdIsNotText) {
  Store store(":memory:", StoreOptions{});
  store.connection().exec("CREATE TABLE p (id TEXT PRIMARY KEY, v); INSERT INTO p VALUES (NULL, 1), ('ok', 2)");
  EXPECT_NE(notTrackableReason(store, "p").find("NULL or not TEXT"), std::string::npos);
  EXPECT_EQ(scalar(store.connection(), "SELECT count(*) FROM _sync_outbox"), 0) << "nothing half-done";
}

TEST(TrackingTest, ATriggerWithTheTablesNameDoesNotHideIt) {
  Store store(":memory:", StoreOptions{});
  store.connection().exec(
      "CREATE TABLE audit (id TEXT PRIMARY KEY, v); CREATE TRIGGER items AFTER INSERT ON audit BEGIN SELECT 1; END; "
      "CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT)");
  EXPECT_EQ(store.track("items", std::nullopt).name, "items");
}

TEST(TrackingTest, WritesInTheStepAfterARebuildAreCaptured) {
  Store store(":memory:", StoreOptions{});
  std::vector<std::string> steps{"CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('a', 'old')"};
  store.migrate(steps);
  store.track("t", std::nullopt);
  store.connection().exec("DELETE FROM _sync_outbox");
  steps.push_back("CREATE TABLE t2 (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t2 SELECT * FROM t; DROP TABLE t; "
                  "ALTER TABLE t2 RENAME TO t");
  steps.push_back("UPDATE t SET v = 'migrated'");
  store.migrate(steps);
  EXPECT_EQ(outboxRows(store.connection()).size(), 1u) << "each step commits with its table's triggers in place";
}

TEST(TrackingTest, SurvivesReopening) {
  TempDir dir;
  {
    Store store(dir.file("a.db"), StoreOptions{});
    store.connection().exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT)");
    store.track("students", ConflictPolicy::manual);
  }
  Store store(dir.file("a.db"), StoreOptions{});
  store.connection().exec("INSERT INTO students VALUES ('s1', 'Ann')");
  EXPECT_EQ(outboxRows(store.connection()).size(), 1u);
  EXPECT_EQ(trackedTable(store.connection(), "students")->policy, ConflictPolicy::manual);
}

TEST(TrackingTest, AddedColumnJoinsOnTheNextTrackWithANewBit) {
  Store store(":memory:", StoreOptions{});
  auto& db = store.connection();
  db.exec("CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT, phone TEXT)");
  store.track("students", ConflictPolicy::merge);
  db.exec("ALTER TABLE students ADD COLUMN email TEXT");
  const auto tracked = store.track("students", ConflictPolicy::merge);
  ASSERT_EQ(tracked.columns.size(), 3u);
  EXPECT_EQ(tracked.columns[2].name, "email");
  EXPECT_EQ(tracked.columns[2].bit, 2);
  db.exec("INSERT INTO students VALUES ('s1', 'Ann', NULL, NULL)");
  db.exec("DELETE FROM _sync_outbox; INSERT INTO _sync_row_versions VALUES ('students', 's1', 1)");
  db.exec("UPDATE students SET email = 'ann@example.org' WHERE id = 's1'");
  const auto rows = outboxRows(db);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].columns, 0b100);
}

TEST(TrackingTest, MigrationThatRebuildsATableGetsItsTriggersBack) {
  Store store(":memory:", StoreOptions{});
  auto& db = store.connection();
  const std::vector<std::string> v1{"CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT, phone TEXT)"};
  store.migrate(v1);
  store.track("students", ConflictPolicy::merge);
  auto v2 = v1;
  // The documented way to drop a column SQLite cannot drop in place: build, copy, swap.
  v2.push_back(
      "CREATE TABLE students_new (id TEXT PRIMARY KEY, name TEXT); INSERT INTO students_new SELECT id, name FROM "
      "students; DROP TABLE students; ALTER TABLE students_new RENAME TO students");
  store.migrate(v2);
  db.exec("DELETE FROM _sync_outbox");
  db.exec("INSERT INTO students VALUES ('s1', 'Ann')");
  EXPECT_EQ(outboxRows(db).size(), 1u) << "capture continues after the rebuild";
  EXPECT_EQ(trackedTable(db, "students")->columns.size(), 1u);
}

}  // namespace
}  // namespace offline_sync::store
