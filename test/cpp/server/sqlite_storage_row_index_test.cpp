// Finding rows by id: the recent rows kept in memory, row_ids and the passes between them, a rollback, a restart, a
// second server on the same file and the migration of a version 1 file.
#include "server/sqlite_storage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "core/error.h"
#include "server/recent_row_index.h"
#include "server/row_id_filter.h"
#include "server/sqlite_storage_fixture.h"
#include "server/sqlite_storage_schema.h"

namespace offline_sync::server::testing {
namespace {

constexpr HlcStamp kHlc = 111546104115200000;

WireChange insert(const std::string& id, const std::string& row, int n = 1) {
  return makeChange(id, row, ChangeOp::insert, 0, kHlc, lessonColumns(n));
}

WireChange setMinutes(const std::string& id, const std::string& row, std::int64_t base, std::int64_t minutes) {
  return makeChange(id, row, ChangeOp::update, base, kHlc + minutes, {{"minutes", minutes}});
}

// Each row of the tenant once, by id, with its minutes; fails on a row id pulled twice.
std::map<std::string, std::int64_t> minutesById(SqliteStorage& storage) {
  std::map<std::string, std::int64_t> minutes;
  for (const auto& row : pullAll(storage, "t")) {
    const auto* value = columnValue(row, "minutes");
    EXPECT_NE(value, nullptr) << row.row;
    if (value == nullptr) continue;
    EXPECT_TRUE(minutes.emplace(row.row, std::get<std::int64_t>(*value)).second) << row.row << " pulled twice";
  }
  return minutes;
}

TEST(RecentRowIndexTest, ListsEveryVersionOfAnIdHashAndUndoesARolledBackPush) {
  RecentRowIndex index;
  index.add(1, 42, 1);
  index.add(1, 42, 2);  // another row with the same hash
  index.add(2, 42, 1);  // another tenant
  index.add(2, 7, 3);
  index.commit();
  std::vector<std::int64_t> versions;
  index.versions(1, 42, versions);
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<std::int64_t>{1, 2}));

  index.move(1, 42, 2, 3);
  index.add(1, 7, 4);
  index.move(1, 42, 3, 5);
  EXPECT_THROW(index.move(1, 42, 9, 10), Error);
  index.rollback();
  // In row_ids' key order: id hash, tenant, version.
  const std::vector<RecentRowIndex::Entry> committed{{2, 7, 3}, {1, 42, 1}, {1, 42, 2}, {2, 42, 1}};
  EXPECT_EQ(index.sorted(), committed);

  index.move(1, 42, 1, 6);
  index.commit();
  index.rollback();  // nothing since the commit
  EXPECT_EQ(index.sorted(), (std::vector<RecentRowIndex::Entry>{{2, 7, 3}, {1, 42, 2}, {1, 42, 6}, {2, 42, 1}}));
  index.clear();
  EXPECT_EQ(index.size(), 0u);
}

TEST(RecentRowIndexTest, ARolledBackRunOfAddsAndMovesRestoresEveryEntry) {
  // Enough entries to grow the table during the undone edits, many on a handful of hashes (long probe runs), so the
  // entries a rollback removes sit among those it must keep.
  std::mt19937_64 random(42);
  RecentRowIndex index;
  std::int64_t version = 0;
  const auto someHash = [&] { return random() % 4 == 0 ? static_cast<std::int64_t>(random() % 8) :
                                                          static_cast<std::int64_t>(random()); };
  std::vector<RecentRowIndex::Entry> added;
  for (int i = 0; i < 3000; ++i) {
    added.push_back({1 + static_cast<std::int64_t>(random() % 3), someHash(), ++version});
    index.add(added.back().tenant, added.back().idHash, added.back().version);
  }
  index.commit();
  const auto before = index.sorted();
  ASSERT_EQ(before.size(), 3000u);
  for (int i = 0; i < 5000; ++i) {
    if (i % 3 == 0) {
      auto& entry = added[random() % added.size()];
      index.move(entry.tenant, entry.idHash, entry.version, ++version);
      entry.version = version;
    } else {
      index.add(1 + static_cast<std::int64_t>(random() % 3), someHash(), ++version);
    }
  }
  EXPECT_EQ(index.size(), 3000u + 3333u);
  index.rollback();
  EXPECT_EQ(index.sorted(), before);
  for (const auto& entry : before) {  // and each is still found by its hash
    std::vector<std::int64_t> versions;
    index.versions(entry.tenant, entry.idHash, versions);
    EXPECT_NE(std::find(versions.begin(), versions.end(), entry.version), versions.end());
  }
}

TEST(RowIdFilterTest, HasNoFalseNegativesAndFewFalsePositives) {
  std::mt19937_64 random(7);
  RowIdFilter filter(10000);
  std::vector<std::pair<std::int64_t, std::int64_t>> keys;
  for (int i = 0; i < 10000; ++i) {
    keys.emplace_back(1 + static_cast<std::int64_t>(random() % 5), static_cast<std::int64_t>(random()));
    filter.add(keys.back().first, keys.back().second);
  }
  for (const auto& [tenant, idHash] : keys) EXPECT_TRUE(filter.mayContain(tenant, idHash));
  EXPECT_FALSE(filter.crowded());
  int falsePositives = 0;
  for (int i = 0; i < 100000; ++i) {
    falsePositives += filter.mayContain(6, static_cast<std::int64_t>(random())) ? 1 : 0;
  }
  EXPECT_LT(falsePositives, 500);  // sized for 16 bits an entry or more: well under 0.5%
  for (int i = 0; i < 200000; ++i) filter.add(1, static_cast<std::int64_t>(random()));
  EXPECT_TRUE(filter.crowded());
}

TEST_F(SqliteStorageTest, RowsAreFoundBeforeAndAfterTheyAreAddedToRowIds) {
  SqliteStorageOptions options;
  options.rowIndexFlushRows = 3;
  reopen(options);
  storage().push("t", makePush("d", {insert("d:1", "A"), insert("d:2", "B")}));
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids"), 0);  // two recent rows: below the threshold
  storage().push("t", makePush("d", {insert("d:3", "C")}));
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids"), 3);
  EXPECT_EQ(queryInt(path_, "SELECT indexed_seq FROM tenants"), 3);

  // A is found in row_ids and becomes recent (its entry there goes); D is new; B is rewritten twice in one push.
  const auto response = storage().push(
      "t", makePush("d", {setMinutes("d:4", "A", 1, 10), insert("d:5", "D"), setMinutes("d:6", "B", 2, 20),
                          setMinutes("d:7", "B", 6, 21)}));
  for (const auto& result : response.results) EXPECT_EQ(result.status, PushStatus::applied) << result.id;
  EXPECT_EQ(response.results[3].version, 7);
  // Three recent rows (A, D, B): the push added them, so row_ids holds one entry per row, at its version.
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids"), 4);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids i JOIN rows r USING (tenant, version)"), 4);

  storage().push("t", makePush("d", {setMinutes("d:8", "A", 4, 11), setMinutes("d:9", "C", 3, 30)}));
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 11}, {"B", 21}, {"C", 30},
                                                                           {"D", 90}}));
}

class RowIndexPassesTest : public SqliteStorageTest, public ::testing::WithParamInterface<std::size_t> {};

// With passes after every push (1) and none (the default): the undo covers a move in memory, and a row found in
// row_ids that became recent.
TEST_P(RowIndexPassesTest, ARolledBackPushLeavesTheRecentRowsAsTheFileHasThem) {
  SqliteStorageOptions options;
  options.rowIndexFlushRows = GetParam();
  reopen(options);
  storage().push("t", makePush("d", {insert("d:1", "A"), insert("d:2", "B")}));
  tamper(path_, "UPDATE rows SET data = x'01ff' WHERE row_id = 'B'");
  // A moves to version 3 in memory, then B's damage rolls the push back: A must be found at version 1 again.
  EXPECT_THROW(storage().push("t", makePush("d", {setMinutes("d:3", "A", 1, 10), setMinutes("d:4", "B", 2, 20)})),
               Error);
  const auto response = storage().push("t", makePush("d", {setMinutes("d:5", "A", 1, 12), insert("d:6", "C")}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 3);
  tamper(path_, "DELETE FROM rows WHERE row_id = 'B'");  // so the pull below can read every row
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 12}, {"C", 90}}));
}

INSTANTIATE_TEST_SUITE_P(EveryPushAndNever, RowIndexPassesTest, ::testing::Values(1, 65536));

TEST_F(SqliteStorageTest, ARewrittenRowsOldEntryStaysDeadUntilTheNextPassEvenAcrossARestart) {
  SqliteStorageOptions options;
  options.rowIndexFlushRows = 3;
  reopen(options);
  storage().push("t", makePush("d", {insert("d:1", "A"), insert("d:2", "B"), insert("d:3", "C")}));
  // A is rewritten: no write to row_ids, whose entry for A now points at a version no row has.
  storage().push("t", makePush("d", {setMinutes("d:4", "A", 1, 10)}));
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids"), 3);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids i JOIN rows r USING (tenant, version)"), 2);
  reopen(options);
  EXPECT_EQ(storage().push("t", makePush("d", {setMinutes("d:5", "A", 4, 11)})).results[0].version, 5);
  // The pass (two more rows make three recent ones) adds A's new entry and removes the dead one.
  storage().push("t", makePush("d", {insert("d:6", "D"), insert("d:7", "E")}));
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids"), 5);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids i JOIN rows r USING (tenant, version)"), 5);
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 11}, {"B", 90}, {"C", 90},
                                                                           {"D", 90}, {"E", 90}}));
}

TEST_F(SqliteStorageTest, RecentRowsAreFoundAgainAfterARestart) {
  SqliteStorageOptions options;
  options.rowIndexFlushRows = 3;
  reopen(options);
  storage().push("t", makePush("d", {insert("d:1", "A"), insert("d:2", "B"), insert("d:3", "C")}));  // row_ids
  storage().push("t", makePush("d", {insert("d:4", "D"), setMinutes("d:5", "A", 1, 10)}));  // recent only
  reopen(options);
  const auto response = storage().push(
      "t", makePush("e", {setMinutes("e:1", "A", 5, 11), setMinutes("e:2", "B", 2, 21), setMinutes("e:3", "D", 4, 41)}));
  for (const auto& result : response.results) EXPECT_EQ(result.status, PushStatus::applied) << result.id;
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 11}, {"B", 21}, {"C", 90},
                                                                           {"D", 41}}));
}

TEST_F(SqliteStorageTest, TwoServersOnOneFileFindEachOthersRows) {
  SqliteStorageOptions flushEveryPush;
  flushEveryPush.rowIndexFlushRows = 1;
  SqliteStorage other(path_, flushEveryPush);
  storage().push("t", makePush("d", {insert("d:1", "A")}));
  // The other server has not seen A in memory: it must still find it, and the first must find what it writes.
  auto response = other.push("t", makePush("e", {setMinutes("e:1", "A", 1, 10), insert("e:2", "B")}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 2);
  response = storage().push("t", makePush("d", {setMinutes("d:2", "A", 2, 11), setMinutes("d:3", "B", 3, 20)}));
  EXPECT_EQ(response.results[0].version, 4);
  EXPECT_EQ(response.results[1].version, 5);
  response = other.push("t", makePush("e", {setMinutes("e:3", "A", 4, 12), setMinutes("e:4", "B", 5, 21)}));
  EXPECT_EQ(response.results[0].version, 6);
  EXPECT_EQ(response.results[1].version, 7);
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 12}, {"B", 21}}));
}

TEST_F(SqliteStorageTest, AVersionOneFileIsMigratedWithEveryRowStillFound) {
  storage().push("t", makePush("d", {insert("d:1", "A"), insert("d:2", "B")}));
  storage().push("u", makePush("d", {insert("d:1", "A")}));
  storage_.reset();
  // What a version 1 server left: rows_by_id instead of row_ids, no indexed_seq.
  tamper(path_, "DROP TABLE row_ids; ALTER TABLE tenants DROP COLUMN indexed_seq; "
                "CREATE INDEX rows_by_id ON rows (tenant, id_hash); "
                "UPDATE meta SET value = 1 WHERE key = 'schema_version'");
  reopen();
  EXPECT_EQ(queryInt(path_, "SELECT value FROM meta WHERE key = 'schema_version'"), kStorageSchemaVersion);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM sqlite_schema WHERE name = 'rows_by_id'"), 0);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM row_ids i JOIN rows r USING (tenant, version)"), 3);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM tenants WHERE indexed_seq = seq"), 2);

  const auto response = storage().push("t", makePush("d", {setMinutes("d:3", "A", 1, 10), insert("d:4", "C")}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 3);
  // A change recorded before the migration is still a replay.
  const auto replay = storage().push("t", makePush("d", {insert("d:2", "B")}));
  EXPECT_EQ(replay.results[0].status, PushStatus::applied);
  EXPECT_EQ(replay.results[0].version, 2);
  EXPECT_EQ(replay.cursor, 4);  // nothing written
  EXPECT_EQ((minutesById(storage())), (std::map<std::string, std::int64_t>{{"A", 10}, {"B", 90}, {"C", 90}}));
}

}  // namespace
}  // namespace offline_sync::server::testing
