// Push and pull semantics of the SQLite storage: sequences, tenants, idempotency, paging, tombstones, statuses.
#include "server/sqlite_storage.h"

#include <gtest/gtest.h>

#include <map>

#include "core/protocol/codec.h"
#include "server/sqlite_storage_fixture.h"

namespace offline_sync::server::testing {
namespace {

constexpr HlcStamp kHlc = 111546104115200000;

WireChange insert(const std::string& id, const std::string& row, int n = 1) {
  return makeChange(id, row, ChangeOp::insert, 0, kHlc, lessonColumns(n));
}

TEST_F(SqliteStorageTest, InsertIsAppliedAndPulledWithItsStamps) {
  auto response = storage().push("school-a", makePush("office-1", {insert("office-1:1", "L1")}));
  ASSERT_EQ(response.results.size(), 1u);
  EXPECT_EQ(response.results[0].id, "office-1:1");
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 1);
  EXPECT_FALSE(response.results[0].row.has_value());
  EXPECT_EQ(response.cursor, 1);
  EXPECT_EQ(storage().latestCursor("school-a"), 1);

  const auto page = storage().pull("school-a", PullRequest{0, 1000});
  ASSERT_EQ(page.rows.size(), 1u);
  const RowState& row = page.rows[0];
  EXPECT_EQ(row.table, "lessons");
  EXPECT_EQ(row.row, "L1");
  EXPECT_EQ(row.version, 1);
  EXPECT_FALSE(row.deleted);
  EXPECT_EQ(row.columns, lessonColumns(1));
  ASSERT_EQ(row.stamps.size(), row.columns.size());
  for (const auto& stamp : row.stamps) EXPECT_EQ(stamp, (protocol::ColumnStamp{kHlc, "office-1", 1}));
  EXPECT_EQ(page.cursor, 1);
  EXPECT_FALSE(page.more);
}

TEST_F(SqliteStorageTest, AnUpdateRestampsOnlyItsColumns) {
  storage().push("t", makePush("d", {insert("d:1", "L1")}));
  auto response = storage().push(
      "t", makePush("e", {makeChange("e:1", "L1", ChangeOp::update, 1, kHlc + 5, {{"minutes", std::int64_t{60}}})}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 2);
  const auto rows = pullAll(storage(), "t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version, 2);
  EXPECT_EQ(*columnValue(rows[0], "minutes"), store::Value(std::int64_t{60}));
  EXPECT_EQ(*columnStamp(rows[0], "minutes"), (protocol::ColumnStamp{kHlc + 5, "e", 2}));
  EXPECT_EQ(*columnStamp(rows[0], "status"), (protocol::ColumnStamp{kHlc, "d", 1}));
}

TEST_F(SqliteStorageTest, TenantsNeverSeeOrOverwriteEachOthersRows) {
  storage().push("a", makePush("d", {makeChange("d:1", "same", ChangeOp::insert, 0, kHlc, {{"v", std::string("A")}})}));
  // The same device, change id, table and row id in another tenant is another change on another row.
  auto b = storage().push("b", makePush("d", {makeChange("d:1", "same", ChangeOp::insert, 0, kHlc + 1,
                                                         {{"v", std::string("B")}}),
                                              makeChange("d:2", "same", ChangeOp::remove, 1, kHlc + 2, {})}));
  EXPECT_EQ(b.results[0].status, PushStatus::applied);
  EXPECT_EQ(b.results[0].version, 1);
  EXPECT_EQ(b.results[1].status, PushStatus::applied);
  EXPECT_EQ(b.results[1].version, 2);
  auto a = storage().push("a", makePush("d", {makeChange("d:2", "same", ChangeOp::update, 1, kHlc + 3,
                                                         {{"v", std::string("A2")}})}));
  EXPECT_EQ(a.results[0].status, PushStatus::applied);
  EXPECT_EQ(a.results[0].version, 2);

  const auto rowsA = pullAll(storage(), "a");
  ASSERT_EQ(rowsA.size(), 1u);
  EXPECT_FALSE(rowsA[0].deleted);
  EXPECT_EQ(*columnValue(rowsA[0], "v"), store::Value(std::string("A2")));
  const auto rowsB = pullAll(storage(), "b");
  ASSERT_EQ(rowsB.size(), 1u);
  EXPECT_TRUE(rowsB[0].deleted);
  EXPECT_EQ(*columnValue(rowsB[0], "v"), store::Value(std::string("B")));
  EXPECT_TRUE(pullAll(storage(), "c").empty());
  EXPECT_EQ(storage().latestCursor("c"), 0);
}

TEST_F(SqliteStorageTest, EachTenantHasItsOwnIncreasingSequence) {
  auto a = storage().push("a", makePush("d", {insert("d:1", "r1"), insert("d:2", "r2"), insert("d:3", "r3")}));
  auto b = storage().push("b", makePush("d", {insert("d:1", "r1"), insert("d:2", "r2")}));
  EXPECT_EQ(a.results[2].version, 3);
  EXPECT_EQ(a.cursor, 3);
  EXPECT_EQ(b.results[1].version, 2);
  EXPECT_EQ(b.cursor, 2);
  a = storage().push("a", makePush("d", {insert("d:4", "r4")}));
  EXPECT_EQ(a.results[0].version, 4);
  EXPECT_EQ(storage().latestCursor("a"), 4);
  EXPECT_EQ(storage().latestCursor("b"), 2);
  // A push of nothing answers the cursor and changes nothing.
  EXPECT_EQ(storage().push("a", makePush("d", {})).cursor, 4);
  EXPECT_EQ(storage().push("new", makePush("d", {})).cursor, 0);
}

TEST_F(SqliteStorageTest, ReplayingAPushAppliesNothingAndAnswersTheSame) {
  const auto request = makePush("d", {insert("d:1", "L1"), insert("d:2", "L2"),
                                      makeChange("d:3", "L1", ChangeOp::update, 1, kHlc + 1, {{"minutes", 45.0}})});
  const auto first = storage().push("t", request);
  const auto second = storage().push("t", request);
  ASSERT_EQ(second.results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(sameResult(first.results[i], second.results[i])) << i;
  EXPECT_EQ(first.cursor, 3);
  EXPECT_EQ(second.cursor, 3);
  EXPECT_EQ(pullAll(storage(), "t").size(), 2u);

  // Half seen, half new: the seen ones answer as before, the new ones take the next numbers.
  auto mixed = request;
  mixed.changes.resize(2);
  mixed.changes.push_back(insert("d:4", "L3"));
  mixed.changes.push_back(makeChange("d:5", "L2", ChangeOp::update, 2, kHlc + 2, {{"status", std::string("done")}}));
  const auto third = storage().push("t", mixed);
  EXPECT_TRUE(sameResult(third.results[0], first.results[0]));
  EXPECT_TRUE(sameResult(third.results[1], first.results[1]));
  EXPECT_EQ(third.results[2].version, 4);
  EXPECT_EQ(third.results[3].version, 5);
  EXPECT_EQ(third.cursor, 5);

  // The same id twice in one push: the second is the first's answer.
  const auto twice = storage().push("t", makePush("d", {insert("d:6", "L6"), insert("d:6", "L7")}));
  EXPECT_TRUE(sameResult(twice.results[0], twice.results[1]));
  EXPECT_EQ(twice.cursor, 6);
  EXPECT_EQ(pullAll(storage(), "t").size(), 4u);
}

TEST_F(SqliteStorageTest, PagesCoverEveryRowOnceAtEveryLimit) {
  std::vector<WireChange> changes;
  for (int i = 0; i < 10; ++i) changes.push_back(insert("d:" + std::to_string(i + 1), "r" + std::to_string(i), i));
  storage().push("t", makePush("d", changes));

  // Limit 1: one row per page, `more` until the last.
  std::int64_t cursor = 0;
  for (int i = 1; i <= 10; ++i) {
    const auto page = storage().pull("t", PullRequest{cursor, 1});
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_EQ(page.rows[0].version, i);
    EXPECT_EQ(page.cursor, i);
    EXPECT_EQ(page.more, i < 10);
    cursor = page.cursor;
  }
  // An exact multiple: the last full page already says there is no more.
  auto page = storage().pull("t", PullRequest{0, 5});
  EXPECT_EQ(page.rows.size(), 5u);
  EXPECT_TRUE(page.more);
  page = storage().pull("t", PullRequest{page.cursor, 5});
  EXPECT_EQ(page.rows.size(), 5u);
  EXPECT_EQ(page.cursor, 10);
  EXPECT_FALSE(page.more);
  page = storage().pull("t", PullRequest{0, 10});
  EXPECT_EQ(page.rows.size(), 10u);
  EXPECT_FALSE(page.more);
  // At and beyond the end, and for a tenant with nothing: no rows, the request's cursor back.
  for (std::int64_t end : {10, 11, 1000}) {
    page = storage().pull("t", PullRequest{end, 5});
    EXPECT_TRUE(page.rows.empty());
    EXPECT_EQ(page.cursor, end);
    EXPECT_FALSE(page.more);
  }
  page = storage().pull("empty", PullRequest{3, 5});
  EXPECT_TRUE(page.rows.empty());
  EXPECT_EQ(page.cursor, 3);
  EXPECT_FALSE(page.more);
}

TEST_F(SqliteStorageTest, APageEndsAtItsByteBoundWithAtLeastOneRow) {
  std::vector<WireChange> changes;
  for (int i = 0; i < 10; ++i) changes.push_back(insert("d:" + std::to_string(i + 1), "r" + std::to_string(i), i));
  storage().push("t", makePush("d", changes));
  const std::size_t rowBytes = protocol::approximateRowBytes(storage().pull("t", PullRequest{0, 1}).rows.at(0));

  // Room for three rows and a half: pages of three, then the one left; every row once, in order.
  SqliteStorageOptions options;
  options.limits.maxPullPageBytes = rowBytes * 7 / 2;
  reopen(options);
  std::int64_t cursor = 0;
  std::vector<std::size_t> sizes;
  for (bool more = true; more;) {
    const auto page = storage().pull("t", PullRequest{cursor, 1000});
    for (const auto& row : page.rows) EXPECT_EQ(row.version, ++cursor);
    EXPECT_EQ(page.cursor, cursor);
    sizes.push_back(page.rows.size());
    more = page.more;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 3, 1}));
  // The row limit still applies below the byte bound.
  EXPECT_EQ(storage().pull("t", PullRequest{0, 2}).rows.size(), 2u);

  // A bound below one row: one row per page rather than none, so a client always gets on.
  options.limits.maxPullPageBytes = 1;
  reopen(options);
  const auto rows = pullAll(storage(), "t", 1000);
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(storage().pull("t", PullRequest{4, 1000}).rows.size(), 1u);
  EXPECT_TRUE(storage().pull("t", PullRequest{4, 1000}).more);
  EXPECT_FALSE(storage().pull("t", PullRequest{9, 1000}).more);
}

TEST_F(SqliteStorageTest, AChangeThatWouldGrowARowPastItsLimitIsRejectedAndARowPastItMayShrink) {
  SqliteStorageOptions options;
  options.limits.maxRowBytes = 4000;
  reopen(options);
  std::int64_t version = 1;
  int n = 1;
  // Change n sets one column of row L1 on the version it last saw.
  const auto update = [&](const std::string& column, store::Value value) {
    ++n;
    const auto change = makeChange("d:" + std::to_string(n), "L1", ChangeOp::update, version, kHlc + n,
                                   {{column, std::move(value)}});
    auto result = storage().push("t", makePush("d", {change})).results.at(0);
    if (result.status == PushStatus::applied) version = result.version;
    return result;
  };
  storage().push("t", makePush("d", {makeChange("d:1", "L1", ChangeOp::insert, 0, kHlc, {{"a", std::int64_t{1}}})}));
  // Each value is small enough; the fourth would take the row past 4,000 bytes.
  for (const char* column : {"b", "c", "d"}) {
    ASSERT_EQ(update(column, std::string(1000, 'x')).status, PushStatus::applied) << column;
  }
  const auto refused = update("e", std::string(1000, 'x'));
  EXPECT_EQ(refused.status, PushStatus::rejected);
  EXPECT_EQ(refused.code, "ERR_TOO_LARGE");
  EXPECT_NE(refused.reason.find("over the limit of 4000"), std::string::npos) << refused.reason;
  // Nothing of it was written, and a replay answers the same.
  const auto rows = pullAll(storage(), "t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version, version);
  EXPECT_EQ(columnValue(rows[0], "e"), nullptr);
  const auto replay = makeChange("d:" + std::to_string(n), "L1", ChangeOp::update, version, kHlc + n,
                                 {{"e", std::string(1000, 'x')}});
  EXPECT_TRUE(sameResult(storage().push("t", makePush("d", {replay})).results.at(0), refused));

  // Under a lower limit the row is past it already: a change that grows it is rejected, one that shrinks it applied.
  options.limits.maxRowBytes = 2000;
  reopen(options);
  EXPECT_EQ(update("f", std::int64_t{1}).status, PushStatus::rejected);
  EXPECT_EQ(update("b", std::monostate{}).status, PushStatus::applied);
  EXPECT_EQ(update("c", std::string(999, 'x')).status, PushStatus::applied);
}

TEST_F(SqliteStorageTest, ARowChangedBetweenPagesReappearsOnceAtItsNewVersion) {
  std::vector<WireChange> changes;
  for (int i = 0; i < 10; ++i) changes.push_back(insert("d:" + std::to_string(i + 1), "r" + std::to_string(i), i));
  storage().push("t", makePush("d", changes));
  const auto first = storage().pull("t", PullRequest{0, 3});
  ASSERT_EQ(first.rows.size(), 3u);

  // r1 was already pulled, r5 not yet: both change before the next page.
  storage().push("t", makePush("e", {makeChange("e:1", "r1", ChangeOp::update, 2, kHlc + 1, {{"paid", std::int64_t{1}}}),
                                     makeChange("e:2", "r5", ChangeOp::update, 6, kHlc + 1, {{"paid", std::int64_t{1}}})}));
  const auto rest = pullAll(storage(), "t", 4, first.cursor);
  std::map<std::string, int> times;
  std::int64_t last = first.cursor;
  for (const auto& row : rest) {
    EXPECT_GT(row.version, last);
    last = row.version;
    ++times[row.row];
  }
  for (const auto& row : first.rows) ++times[row.row];
  ASSERT_EQ(times.size(), 10u);  // none skipped
  EXPECT_EQ(times["r1"], 2);     // once before its change, once after
  EXPECT_EQ(times["r5"], 1);     // only at its new version
  ASSERT_EQ(rest.size(), 8u);
  EXPECT_EQ(rest[6].row, "r1");
  EXPECT_EQ(rest[6].version, 11);
  EXPECT_EQ(rest[7].row, "r5");
  EXPECT_EQ(rest[7].version, 12);
}

TEST_F(SqliteStorageTest, DeletesArePulledAsTombstonesAndRowsCanComeBack) {
  storage().push("t", makePush("d", {insert("d:1", "L")}));
  auto response = storage().push("t", makePush("d", {makeChange("d:2", "L", ChangeOp::remove, 1, kHlc + 1, {})}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 2);
  auto rows = pullAll(storage(), "t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].deleted);
  EXPECT_EQ(rows[0].version, 2);
  EXPECT_EQ(rows[0].columns, lessonColumns(1));  // its last values and their stamps stay
  EXPECT_EQ(columnStamp(rows[0], "status")->version, 1);

  // Deleting a deleted row changes nothing and takes no number.
  response = storage().push("t", makePush("d", {makeChange("d:3", "L", ChangeOp::remove, 2, kHlc + 2, {})}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 2);
  EXPECT_EQ(response.cursor, 2);

  // A device that saw the delete re-creates the row.
  response = storage().push("t", makePush("e", {makeChange("e:1", "L", ChangeOp::insert, 2, kHlc + 3,
                                                           {{"status", std::string("rebooked")}})}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 3);
  rows = pullAll(storage(), "t", 1000, 2);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].deleted);
  EXPECT_EQ(*columnValue(rows[0], "status"), store::Value(std::string("rebooked")));

  // A delete of a row the server never saw leaves a tombstone.
  response = storage().push("t", makePush("e", {makeChange("e:2", "ghost", ChangeOp::remove, 0, kHlc + 4, {})}));
  EXPECT_EQ(response.results[0].version, 4);
  rows = pullAll(storage(), "t", 1000, 3);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].row, "ghost");
  EXPECT_TRUE(rows[0].deleted);
  EXPECT_TRUE(rows[0].columns.empty());
}

}  // namespace
}  // namespace offline_sync::server::testing
