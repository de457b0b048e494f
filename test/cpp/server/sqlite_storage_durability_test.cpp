// The SQLite storage across restarts, with damaged files, and under concurrent pushes and pulls.
#include "server/sqlite_storage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/store/connection.h"
#include "server/sqlite_storage_fixture.h"
#include "server/sqlite_storage_schema.h"

namespace offline_sync::server::testing {
namespace {

constexpr HlcStamp kHlc = 111546104115200000;

WireChange insert(const std::string& id, const std::string& row, int n = 1) {
  return makeChange(id, row, ChangeOp::insert, 0, kHlc, lessonColumns(n));
}

template <typename Call>
void expectCorrupt(Call&& call) {
  try {
    call();
    ADD_FAILURE() << "expected ERR_CORRUPT_ROW";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_CORRUPT_ROW") << e.what();
    // Internal: the HTTP layer answers 500, not a client error.
    EXPECT_EQ(e.category(), ErrorCategory::internal);
  }
}

TEST_F(SqliteStorageTest, RowsSequenceAndSeenChangesSurviveARestart) {
  const auto fromD = makePush(
      "d", {insert("d:1", "L1"), insert("d:2", "L2"), makeChange("d:3", "L1", ChangeOp::remove, 1, kHlc + 1, {})});
  const auto fromE = makePush("e", {makeChange("e:1", "L2", ChangeOp::update, 0, kHlc - 1,
                                               {{"minutes", std::int64_t{1}}}, ConflictPolicy::manual)});
  const auto beforeD = storage().push("t", fromD);
  const auto beforeE = storage().push("t", fromE);
  ASSERT_EQ(beforeE.results[0].status, PushStatus::conflict);
  const auto rowsBefore = pullAll(storage(), "t");

  reopen();
  EXPECT_EQ(storage().latestCursor("t"), 3);
  const auto rowsAfter = pullAll(storage(), "t");
  ASSERT_EQ(rowsAfter.size(), rowsBefore.size());
  for (std::size_t i = 0; i < rowsAfter.size(); ++i) {
    EXPECT_EQ(rowsAfter[i].row, rowsBefore[i].row);
    EXPECT_EQ(rowsAfter[i].version, rowsBefore[i].version);
    EXPECT_EQ(rowsAfter[i].deleted, rowsBefore[i].deleted);
    EXPECT_EQ(rowsAfter[i].columns, rowsBefore[i].columns);
    EXPECT_EQ(rowsAfter[i].stamps, rowsBefore[i].stamps);
  }
  const auto replayD = storage().push("t", fromD);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(sameResult(beforeD.results[i], replayD.results[i])) << i;
  EXPECT_TRUE(sameResult(beforeE.results[0], storage().push("t", fromE).results[0]));
  EXPECT_EQ(storage().push("t", makePush("d", {insert("d:5", "L5")})).results[0].version, 4);
}

TEST_F(SqliteStorageTest, MalformedRowDataIsAnErrorAndThePushRollsBack) {
  storage().push("t", makePush("d", {insert("d:1", "L1"), insert("d:2", "L2")}));
  tamper(path_, "UPDATE rows SET data = x'01ff' WHERE row_id = 'L2'");

  expectCorrupt([&] { storage().pull("t", PullRequest{0, 100}); });
  EXPECT_EQ(storage().pull("t", PullRequest{0, 1}).rows.size(), 1u);  // rows before it still read

  // The first change would apply; the second meets the damaged row: nothing of the push stays.
  expectCorrupt([&] {
    storage().push("t", makePush("d", {insert("d:3", "L3"),
                                       makeChange("d:4", "L2", ChangeOp::update, 2, kHlc + 1, {{"paid", 1.0}})}));
  });
  EXPECT_EQ(storage().latestCursor("t"), 2);
  EXPECT_TRUE(storage().pull("t", PullRequest{2, 100}).rows.empty());
  // The storage stays usable: the same first change now goes through on its own, with the same number.
  EXPECT_EQ(storage().push("t", makePush("d", {insert("d:3", "L3")})).results[0].version, 3);
}

TEST_F(SqliteStorageTest, InconsistentStoredRowsAndResultsAreErrors) {
  storage().push("t", makePush("d", {insert("d:1", "L1"), insert("d:2", "L2")}));
  tamper(path_, "UPDATE rows SET deleted = 1 WHERE row_id = 'L1'");
  expectCorrupt([&] {
    storage().push("t", makePush("d", {makeChange("d:3", "L1", ChangeOp::update, 1, kHlc + 1, {{"paid", 1.0}})}));
  });
  tamper(path_, "UPDATE seen SET status = 9 WHERE change_id = 'd:2'");
  expectCorrupt([&] { storage().push("t", makePush("d", {insert("d:2", "L2")})); });
  tamper(path_, "UPDATE seen SET status = 1, columns = x'05' WHERE change_id = 'd:1'");
  expectCorrupt([&] { storage().push("t", makePush("d", {insert("d:1", "L1")})); });
  // A recorded merge whose row is gone cannot be answered (the answer must carry the row).
  tamper(path_, "UPDATE seen SET status = 1, columns = NULL, tbl = 'lessons', row_id = 'gone' WHERE change_id = 'd:1'");
  expectCorrupt([&] { storage().push("t", makePush("d", {insert("d:1", "L1")})); });
}

// Device e updates row L2 twice in one push (status, then paid), each on the version the one before gave: both must
// find L2 by its id, whatever else shares its hash. n: the first change's number; base: L2's version before them.
void updateL2Twice(SqliteStorage& storage, int n, std::int64_t base) {
  const std::string first = "e:" + std::to_string(n);
  const std::string second = "e:" + std::to_string(n + 1);
  const auto response = storage.push(
      "t", makePush("e", {makeChange(first, "L2", ChangeOp::update, base, kHlc + 1, {{"status", std::string("L2")}}),
                          makeChange(second, "L2", ChangeOp::update, base + 1, kHlc + 2, {{"paid", std::int64_t{1}}})}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, base + 1);
  EXPECT_EQ(response.results[1].status, PushStatus::applied);
  EXPECT_EQ(response.results[1].version, base + 2);
}

void expectL2Updated(const RowState& row) {
  EXPECT_EQ(row.row, "L2");
  EXPECT_EQ(*columnValue(row, "status"), store::Value(std::string("L2")));
  EXPECT_EQ(*columnValue(row, "paid"), store::Value(std::int64_t{1}));
}

TEST_F(SqliteStorageTest, RowsSharingAnIdHashStayDistinct) {
  SqliteStorageOptions options;
  options.rowIndexFlushRows = 1;  // every push adds its rows to row_ids
  reopen(options);
  storage().push("t", makePush("d", {insert("d:1", "L1"), insert("d:2", "L2")}));
  // The collision 64-bit hashes make improbable: another row id with L2's hash, first in row_ids (version 0, which
  // no pull returns). Lookups of L2 must compare the table and row id, not trust the hash.
  tamper(path_, "INSERT INTO rows (tenant, version, id_hash, tbl, row_id, deleted, data) "
                "SELECT tenant, 0, id_hash, tbl, 'impostor', deleted, data FROM rows WHERE row_id = 'L2'; "
                "INSERT INTO row_ids (tenant, id_hash, version) SELECT tenant, id_hash, 0 FROM rows WHERE row_id = 'L2'");
  updateL2Twice(storage(), 1, 2);
  const auto rows = pullAll(storage(), "t");
  ASSERT_EQ(rows.size(), 2u);
  expectL2Updated(rows[1]);
}

TEST_F(SqliteStorageTest, RecentRowsSharingAnIdHashStayDistinct) {
  storage().push("t", makePush("d", {insert("d:1", "L1")}));
  // As above, but the impostor is recent (above indexed_seq) and holds L2's hash before L2 exists: inserting L2 must
  // not take the impostor for it, and later lookups of L2 see two versions under one hash, the impostor's first.
  // The sequence moves past it, as if a push had written it.
  tamper(path_, "UPDATE tenants SET seq = 2; "
                "INSERT INTO rows (tenant, version, id_hash, tbl, row_id, deleted, data) "
                "SELECT tenant, 2, " + std::to_string(rowIdHash("lessons", "L2")) +
                    ", tbl, 'impostor', deleted, data FROM rows WHERE row_id = 'L1'");
  auto response = storage().push("t", makePush("e", {insert("e:1", "L2", 2)}));
  EXPECT_EQ(response.results[0].status, PushStatus::applied);
  EXPECT_EQ(response.results[0].version, 3);
  updateL2Twice(storage(), 2, 3);
  const auto rows = pullAll(storage(), "t");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].row, "impostor");
  EXPECT_EQ(*columnValue(rows[1], "status"), store::Value(std::string("booked")));  // untouched
  expectL2Updated(rows[2]);
}

TEST_F(SqliteStorageTest, AFileWithTheTablesButNoSchemaVersionIsRefused) {
  storage_.reset();
  tamper(path_, "DELETE FROM meta");
  try {
    reopen();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_CORRUPT_ROW") << e.what();
  }
}

TEST_F(SqliteStorageTest, AFileFromANewerServerIsRefused) {
  storage_.reset();
  tamper(path_, "UPDATE meta SET value = " + std::to_string(kStorageSchemaVersion + 1) + " WHERE key = 'schema_version'");
  try {
    reopen();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::schemaTooNew);
  }
}

TEST_F(SqliteStorageTest, ConcurrentPushesAndPullsKeepOneGaplessSequencePerTenant) {
  SqliteStorageOptions options;
  options.readerConnections = 1;  // pullers and cursor reads wait for each other
  reopen(options);
  constexpr int kPushes = 20;
  constexpr int kChanges = 25;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};

  // Threads 0 and 1 share a tenant (thread 1 sends each push twice); 2 and 3 have their own.
  const auto pusher = [&](int thread) {
    const std::string tenant = thread < 2 ? "shared" : "own-" + std::to_string(thread);
    const std::string device = "dev" + std::to_string(thread);
    int id = 0;
    for (int push = 0; push < kPushes; ++push) {
      std::vector<WireChange> changes;
      for (int i = 0; i < kChanges; ++i) {
        ++id;
        changes.push_back(insert(device + ":" + std::to_string(id), device + "-" + std::to_string(id), id));
      }
      const auto request = makePush(device, std::move(changes));
      const auto first = storage().push(tenant, request);
      if (thread == 1 && storage().push(tenant, request).cursor < first.cursor) ++failures;
      for (const auto& result : first.results) {
        if (result.status != PushStatus::applied) ++failures;
      }
    }
  };
  // A puller checks every page is a gapless run after its cursor: pushes commit whole and in order.
  const auto puller = [&] {
    constexpr std::int64_t kTotal = 2 * kPushes * kChanges;
    std::int64_t cursor = 0;
    std::int64_t latest = 0;
    while (cursor < kTotal) {
      const bool finished = done;  // read first: then every push committed before this pull
      const auto page = storage().pull("shared", PullRequest{cursor, 100});
      for (const auto& row : page.rows) {
        if (row.version != ++cursor) ++failures;
      }
      const std::int64_t now = storage().latestCursor("shared");
      if (now < latest || now < cursor) ++failures;
      latest = now;
      if (finished && page.rows.empty()) {
        ++failures;
        break;
      }
    }
  };

  std::vector<std::thread> pushers;
  for (int thread = 0; thread < 4; ++thread) pushers.emplace_back(pusher, thread);
  std::thread pullerA(puller);
  std::thread pullerB(puller);
  for (auto& thread : pushers) thread.join();
  done = true;
  pullerA.join();
  pullerB.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(storage().latestCursor("shared"), 2 * kPushes * kChanges);
  EXPECT_EQ(storage().latestCursor("own-2"), kPushes * kChanges);
  EXPECT_EQ(storage().latestCursor("own-3"), kPushes * kChanges);
  const auto shared = pullAll(storage(), "shared", 333);
  ASSERT_EQ(shared.size(), static_cast<std::size_t>(2 * kPushes * kChanges));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < shared.size(); ++i) {
    EXPECT_EQ(shared[i].version, static_cast<std::int64_t>(i + 1));
    ids.insert(shared[i].row);
  }
  EXPECT_EQ(ids.size(), shared.size());
  EXPECT_EQ(pullAll(storage(), "own-2").size(), static_cast<std::size_t>(kPushes * kChanges));
}

}  // namespace
}  // namespace offline_sync::server::testing
