#include "core/store/outbox.h"

#include <gtest/gtest.h>

#include "core/store/metadata.h"
#include "store_fixture.h"

namespace offline_sync::store {
namespace {

using testing::scalar;
using testing::StoreFixture;

class OutboxTest : public testing::OutboxFixture {
 protected:
  void insertLessons(int count) {
    db().begin();
    for (int i = 0; i < count; ++i) {
      db().exec("INSERT INTO lessons VALUES ('l" + std::to_string(i) + "', 's1', " + std::to_string(30 + i) +
                ", 'booked')");
    }
    db().commit();
  }
};

TEST_F(OutboxTest, TakesOldestFirstWithValuesAndMarksThemInFlight) {
  insertLessons(5);
  const auto batch = outboxApi->takeBatch(3);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].rowId, "l0");
  EXPECT_EQ(batch[2].rowId, "l2");
  EXPECT_EQ(batch[0].op, ChangeOp::insert);
  EXPECT_EQ(batch[0].baseVersion, 0);
  ASSERT_EQ(batch[1].columns.size(), 3u);
  EXPECT_EQ(batch[1].columns[1], (ColumnValue{"minutes", std::int64_t{31}}));
  EXPECT_LT(batch[0].changeSeq, batch[1].changeSeq);
  EXPECT_LT(batch[0].hlc, batch[1].hlc);
  const auto counts = outboxApi->counts();
  EXPECT_EQ(counts.pending, 2);
  EXPECT_EQ(counts.inFlight, 3);
  EXPECT_EQ(store->pendingChanges(), 5) << "in flight is not acknowledged yet";
}

TEST_F(OutboxTest, UpdateCarriesOnlyChangedColumnsWithBaseVersion) {
  insertLessons(1);
  engine->exec("DELETE FROM _sync_outbox; INSERT INTO _sync_row_versions VALUES ('lessons', 'l0', 42)");
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'l0'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, ChangeOp::update);
  EXPECT_EQ(batch[0].baseVersion, 42);
  ASSERT_EQ(batch[0].columns.size(), 1u);
  EXPECT_EQ(batch[0].columns[0], (ColumnValue{"status", std::string("done")}));
}

TEST_F(OutboxTest, InFlightChangesAreResentUnchangedAfterLaterWrites) {
  insertLessons(1);
  const auto first = outboxApi->takeBatch(10);
  db().exec("UPDATE lessons SET minutes = 99 WHERE id = 'l0'");  // a new pending change, the sent one stays as sent
  const auto again = outboxApi->takeBatch(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].changeSeq, first[0].changeSeq);
  EXPECT_EQ(again[0].columns, first[0].columns);
  const auto both = outboxApi->takeBatch(10);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].op, ChangeOp::update);
  EXPECT_EQ(both[1].columns[0], (ColumnValue{"minutes", std::int64_t{99}}));
}

TEST_F(OutboxTest, AcknowledgeRemovesRecordsVersionsAndPersistsTheClock) {
  insertLessons(3);
  const auto batch = outboxApi->takeBatch(10);
  std::vector<Acknowledgement> acks{{batch[0].changeSeq, 11, batch[0].table, batch[0].rowId},
                                    {batch[1].changeSeq, 12, batch[1].table, batch[1].rowId}};
  outboxApi->acknowledge(acks);
  outboxApi->acknowledge(acks);  // a replayed answer is harmless
  EXPECT_EQ(outboxApi->counts().inFlight, 1);
  EXPECT_EQ(scalar(*engine, "SELECT version FROM _sync_row_versions WHERE row_id = 'l1'"), 12);
  const auto persisted = readMetadata(*engine, meta_keys::hlc);
  ASSERT_TRUE(persisted.has_value());
  EXPECT_GE(std::stoull(*persisted), batch[2].hlc);
}

TEST_F(OutboxTest, AnAppliedUpdateKeepsTheVersionTheDeviceHasSeenAsTheNextBase) {
  insertLessons(1);
  auto insert = outboxApi->takeBatch(10);
  std::vector<Acknowledgement> created{{insert[0].changeSeq, 3, insert[0].table, insert[0].rowId}};
  outboxApi->acknowledge(created);  // it made the row: version 3 is all there is to see
  db().exec("UPDATE lessons SET minutes = 60 WHERE id = 'l0'");
  auto update = outboxApi->takeBatch(10);
  ASSERT_EQ(update.at(0).baseVersion, 3);
  // Applied at version 9: the row there may hold another device's columns changed at 4..8, not pulled here.
  std::vector<Acknowledgement> applied{{update[0].changeSeq, 9, update[0].table, update[0].rowId}};
  outboxApi->acknowledge(applied);
  EXPECT_EQ(scalar(*engine, "SELECT version FROM _sync_row_versions WHERE row_id = 'l0'"), 3);
  db().exec("DELETE FROM lessons WHERE id = 'l0'");
  auto remove = outboxApi->takeBatch(10);
  EXPECT_EQ(remove.at(0).baseVersion, 3);  // a delete based on 9 would override what it never saw
  // A merged answer's row is written here: the device has seen the row at its version.
  std::vector<Acknowledgement> merged{{remove[0].changeSeq, 12, remove[0].table, remove[0].rowId, true}};
  outboxApi->acknowledge(merged);
  EXPECT_EQ(scalar(*engine, "SELECT version FROM _sync_row_versions WHERE row_id = 'l0'"), 12);
}

TEST_F(OutboxTest, AMergedRowIsNotTheBaseOfAChangeMadeBeforeIt) {
  insertLessons(1);
  auto insert = outboxApi->takeBatch(10);
  std::vector<Acknowledgement> created{{insert[0].changeSeq, 3, insert[0].table, insert[0].rowId}};
  outboxApi->acknowledge(created);
  db().exec("UPDATE lessons SET minutes = 60 WHERE id = 'l0'");
  auto first = outboxApi->takeBatch(10);
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'l0'");  // made while the first is on its way
  // The first comes back merged at 8: its row is written here, but the pending change never saw it.
  std::vector<Acknowledgement> merged{{first[0].changeSeq, 8, first[0].table, first[0].rowId, true}};
  outboxApi->acknowledge(merged);
  auto second = outboxApi->takeBatch(10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].baseVersion, 3);
}

TEST_F(OutboxTest, ChangeIdsAreNeverReusedAcrossRestarts) {
  insertLessons(2);
  auto batch = outboxApi->takeBatch(10);
  std::vector<Acknowledgement> acks{{batch[0].changeSeq, 1, batch[0].table, batch[0].rowId},
                                    {batch[1].changeSeq, 2, batch[1].table, batch[1].rowId}};
  outboxApi->acknowledge(acks);
  const auto highest = batch[1].changeSeq;
  outboxApi.reset();
  engine.reset();
  store = std::make_unique<Store>(path, StoreOptions{});
  db().exec("INSERT INTO lessons VALUES ('new', 's1', 1, 'booked')");
  engine = store->openSyncConnection();
  Outbox reopened(*engine, store->clock());
  const auto next = reopened.takeBatch(10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_GT(next[0].changeSeq, highest);
}

TEST_F(OutboxTest, ClockRestartsAboveAcknowledgedStamps) {
  insertLessons(1);
  const auto batch = outboxApi->takeBatch(10);
  std::vector<Acknowledgement> acks{{batch[0].changeSeq, 1, batch[0].table, batch[0].rowId}};
  outboxApi->acknowledge(acks);
  outboxApi.reset();
  engine.reset();
  StoreOptions behind;
  behind.wallClock = [] { return std::int64_t{1'000}; };  // the wall clock went back decades
  store = std::make_unique<Store>(path, behind);
  EXPECT_GT(store->clock().now(), batch[0].hlc);
}

TEST_F(OutboxTest, PutBackRequeuesOrFoldsIntoTheNewerPendingChange) {
  insertLessons(2);
  auto batch = outboxApi->takeBatch(10);
  outboxApi->putBack(batch[0].changeSeq, "server busy");
  db().exec("UPDATE lessons SET minutes = 5 WHERE id = 'l1'");  // l1 now has a newer pending update
  outboxApi->putBack(batch[1].changeSeq, "server busy");
  const auto rows = testing::outboxRows(db());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].state, 0);
  EXPECT_EQ(rows[1].rowId, "l1");
  EXPECT_EQ(rows[1].op, 1) << "an insert the server never applied, then an update: still an insert";
  EXPECT_EQ(rows[1].columns, 0b111);
  EXPECT_EQ(scalar(db(), "SELECT attempts FROM _sync_outbox WHERE row_id = 'l0'"), 1);
  const auto retry = outboxApi->takeBatch(10);
  ASSERT_EQ(retry.size(), 2u);
  EXPECT_EQ(retry[1].columns[1], (ColumnValue{"minutes", std::int64_t{5}}));
}

TEST_F(OutboxTest, PutBackOfAnUnseenInsertWithAPendingDeleteCancelsBoth) {
  insertLessons(1);
  const auto batch = outboxApi->takeBatch(10);
  db().exec("DELETE FROM lessons WHERE id = 'l0'");  // sent, so the delete is queued
  EXPECT_EQ(outboxApi->counts().pending, 1);
  outboxApi->putBack(batch[0].changeSeq, "rejected before applying");
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM _sync_outbox"), 0);
}

TEST_F(OutboxTest, QuarantineTakesAChangeOutOfTheQueueWithItsReason) {
  insertLessons(2);
  const auto batch = outboxApi->takeBatch(10);
  outboxApi->quarantine(batch[0].changeSeq, "value too large");
  const auto counts = outboxApi->counts();
  EXPECT_EQ(counts.quarantined, 1);
  EXPECT_EQ(counts.inFlight, 1);
  EXPECT_EQ(store->pendingChanges(), 1);
  const auto next = outboxApi->takeBatch(10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].rowId, "l1");
}

TEST_F(OutboxTest, ChangeOfARowThatVanishedIsQuarantinedNotDropped) {
  insertLessons(1);
  engine->exec("DELETE FROM lessons WHERE id = 'l0'");  // capture is off on the engine's connection
  EXPECT_TRUE(outboxApi->takeBatch(10).empty());
  EXPECT_EQ(outboxApi->counts().quarantined, 1);
}

TEST_F(OutboxTest, ADroppedTableQuarantinesItsChangesWithoutBlockingOthers) {
  db().exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)");
  store->track("notes", std::nullopt);
  db().exec("INSERT INTO notes VALUES ('n1', 'x')");
  insertLessons(1);
  db().exec("DROP TABLE notes");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].table, "lessons");
  EXPECT_EQ(outboxApi->counts().quarantined, 1);
  EXPECT_EQ(scalar(*engine, "SELECT count(*) FROM _sync_sent WHERE state = 2 AND reason LIKE '%dropped%'"), 1);
}

TEST_F(OutboxTest, ARenamedColumnQuarantinesTheChangeThatStillNamesIt) {
  insertLessons(1);
  engine->exec("DELETE FROM _sync_outbox; INSERT INTO _sync_row_versions VALUES ('lessons', 'l0', 1)");
  db().exec("UPDATE lessons SET status = 'done' WHERE id = 'l0'");
  db().exec("ALTER TABLE lessons RENAME COLUMN minutes TO duration");  // without track() again
  db().exec("INSERT INTO lessons VALUES ('l9', 's', 1, 'booked')");
  const auto batch = outboxApi->takeBatch(10);
  EXPECT_EQ(batch.size() + static_cast<std::size_t>(outboxApi->counts().quarantined), 2u) << "nothing is lost";
}

}  // namespace
}  // namespace offline_sync::store
