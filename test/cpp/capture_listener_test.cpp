// Store::addCaptureListener: one call per committed transaction that captured a tracked write, and only then.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "core/error.h"
#include "core/store/outbox.h"
#include "core/sync/remote_rows.h"
#include "store_fixture.h"

namespace offline_sync::store {
namespace {

using testing::scalar;
using testing::StoreFixture;

class CaptureListenerTest : public StoreFixture {
 protected:
  int calls = 0;
  std::uint64_t listener = 0;

  void SetUp() override {
    StoreFixture::SetUp();
    db().exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)");  // not tracked
    listener = store->addCaptureListener([this] { ++calls; });
  }
};

TEST_F(CaptureListenerTest, EveryKindOfCapturedWriteNotifiesOnce) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  EXPECT_EQ(calls, 1);
  db().exec("UPDATE lessons SET minutes = 60 WHERE id = 'a'");
  EXPECT_EQ(calls, 2);
  db().exec("DELETE FROM lessons WHERE id = 'a'");  // cancels the unsent insert: nothing left to push
  EXPECT_EQ(calls, 2);
  db().exec("INSERT INTO lessons VALUES ('b', 's1', 90, 'booked')");
  EXPECT_EQ(calls, 3);
  db().exec("DELETE FROM _sync_outbox; INSERT INTO _sync_row_versions VALUES ('lessons', 'b', 1)");
  db().exec("DELETE FROM lessons WHERE id = 'b'");  // known to the server: a delete to push
  EXPECT_EQ(calls, 4);
  db().exec("INSERT INTO lessons VALUES ('c', 's1', 90, 'booked')");
  db().exec("UPDATE lessons SET id = 'd' WHERE id = 'c'");  // a rekey
  EXPECT_EQ(calls, 6);
}

TEST_F(CaptureListenerTest, AnUpdateThatChangesNoTrackedColumnDoesNotNotify) {
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  db().exec("UPDATE lessons SET minutes = 90 WHERE id = 'a'");
  db().exec("UPDATE lessons SET minutes = 1 WHERE id = 'nobody'");
  EXPECT_EQ(calls, 1);
}

TEST_F(CaptureListenerTest, SeveralWritesInOneTransactionNotifyOnceAfterCommit) {
  int outboxSeenByListener = -1;
  auto engine = store->openSyncConnection();
  store->addCaptureListener([&] { outboxSeenByListener = static_cast<int>(countUnacknowledged(*engine)); });
  withTransaction(db(), [&] {
    db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
    withTransaction(db(), [&] { db().exec("INSERT INTO lessons VALUES ('b', 's1', 90, 'booked')"); });
    db().exec("UPDATE lessons SET minutes = 1");
    EXPECT_EQ(calls, 0) << "not before the commit";
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(outboxSeenByListener, 2) << "another connection already sees the committed changes";
}

TEST_F(CaptureListenerTest, ARolledBackTransactionDoesNotNotify) {
  db().begin();
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  db().rollback();
  db().exec("INSERT INTO notes VALUES ('n', 'x')");  // a later commit must not report the undone writes
  EXPECT_EQ(calls, 0);
}

TEST_F(CaptureListenerTest, AFailedStatementDoesNotNotify) {
  // Outside a transaction, a statement failing on its second row undoes the first row's captured write too.
  db().exec("CREATE TABLE rooms (id TEXT PRIMARY KEY, seats INTEGER CHECK (seats > 0))");
  store->track("rooms", ConflictPolicy::merge);
  EXPECT_THROW(db().exec("INSERT INTO rooms VALUES ('r1', 1), ('r2', 0)"), Error);
  EXPECT_EQ(store->pendingChanges(), 0);
  db().exec("INSERT INTO notes VALUES ('n', 'x')");  // a later commit must not report the undone writes
  EXPECT_EQ(calls, 0);
}

TEST_F(CaptureListenerTest, UntrackedTablesAndTheSyncConnectionDoNotNotify) {
  db().exec("INSERT INTO notes VALUES ('n', 'x')");
  auto engine = store->openSyncConnection();
  engine->exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  const std::vector<protocol::RowState> page{{"lessons", "b", 3, false, {{"minutes", std::int64_t{1}}}, {}}};
  sync::RemoteRows(*engine, store->clock()).applyPage(page, 3);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(store->pendingChanges(), 0);
}

TEST_F(CaptureListenerTest, RemovedListenersAreNotCalledAndAThrowingOneHarmsNothing) {
  int others = 0;
  store->addCaptureListener([] { throw std::runtime_error("listener bug"); });
  store->addCaptureListener([&] { ++others; });
  db().exec("INSERT INTO lessons VALUES ('a', 's1', 90, 'booked')");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(others, 1);
  store->removeCaptureListener(listener);
  store->removeCaptureListener(listener);  // twice is harmless
  db().exec("INSERT INTO lessons VALUES ('b', 's1', 90, 'booked')");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(others, 2);
  EXPECT_EQ(scalar(db(), "SELECT count(*) FROM lessons"), 2) << "the throwing listener did not undo the commit";
}

TEST_F(CaptureListenerTest, TheWalIsStillCheckpointedAutomatically) {
  // Without a sync per commit, so 5,000 commits take a moment rather than one fsync each; checkpoints are the same.
  store.reset();
  StoreOptions options;
  options.open.synchronous = Synchronous::off;
  store = std::make_unique<Store>(path, options);
  store->addCaptureListener([this] { ++calls; });
  const auto wal = path + "-wal";
  for (int i = 0; i < 5000; ++i) {
    db().exec("INSERT INTO lessons VALUES ('row-" + std::to_string(i) + "', 'student', " + std::to_string(i) +
              ", 'booked')");
  }
  EXPECT_EQ(calls, 5000);
  // Unchecked, 5,000 commits of a few pages each would make a WAL of tens of MB; SQLite's auto-checkpoint (1,000
  // frames) keeps it near 4 MB.
  EXPECT_LT(std::filesystem::file_size(wal), 6u * 1024 * 1024);
}

}  // namespace
}  // namespace offline_sync::store
