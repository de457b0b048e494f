#include "core/store/connection.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "temp_dir.h"

namespace offline_sync::store {
namespace {

using offline_sync::testing::TempDir;

std::int64_t count(Connection& connection, const char* table) {
  auto statement = connection.prepare(std::string("SELECT count(*) FROM ") + table);
  statement->step();
  return statement->columnInt64(0);
}

std::string pragma(Connection& connection, const char* name) {
  auto statement = connection.prepare(std::string("PRAGMA ") + name);
  statement->step();
  return std::string(statement->columnText(0));
}

TEST(ConnectionTest, OpensWithWalForeignKeysAndFullSync) {
  TempDir dir;
  Connection connection(dir.file("a.db"), OpenOptions{});
  EXPECT_EQ(pragma(connection, "journal_mode"), "wal");
  EXPECT_EQ(pragma(connection, "foreign_keys"), "1");
  EXPECT_EQ(pragma(connection, "synchronous"), "2");
  EXPECT_EQ(pragma(connection, "busy_timeout"), "5000");
}

TEST(ConnectionTest, MissingDirectoryIsCantOpen) {
  TempDir dir;
  try {
    Connection connection(dir.file("no/such/dir/a.db"), OpenOptions{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_CANTOPEN");
    EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos);
  }
}

TEST(ConnectionTest, FileMustExist) {
  TempDir dir;
  OpenOptions options;
  options.fileMustExist = true;
  EXPECT_THROW(Connection(dir.file("absent.db"), options), Error);
}

TEST(ConnectionTest, CacheReturnsTheSameStatementAndEvictsLeastRecentlyUsed) {
  OpenOptions options;
  options.statementCacheSize = 2;
  Connection connection(":memory:", options);
  auto a = connection.cached("SELECT 1");
  EXPECT_EQ(connection.cached("SELECT 1"), a);
  auto b = connection.cached("SELECT 2");
  connection.cached("SELECT 1");  // a is now the most recent
  connection.cached("SELECT 3");  // evicts b
  EXPECT_EQ(connection.cachedCount(), 2u);
  EXPECT_EQ(connection.cached("SELECT 1"), a);
  EXPECT_NE(connection.cached("SELECT 2"), b);
}

TEST(ConnectionTest, BusyCachedStatementIsNotHandedOutTwice) {
  Connection connection(":memory:", OpenOptions{});
  auto a = connection.cached("SELECT 1");
  a->setBusy(true);
  auto other = connection.cached("SELECT 1");
  EXPECT_NE(other, a);
  EXPECT_FALSE(other->busy());
}

TEST(ConnectionTest, NestedTransactionsUseSavepoints) {
  Connection connection(":memory:", OpenOptions{});
  connection.exec("CREATE TABLE t (x)");
  connection.begin();
  connection.exec("INSERT INTO t VALUES (1)");
  connection.begin();
  connection.exec("INSERT INTO t VALUES (2)");
  EXPECT_EQ(connection.transactionDepth(), 2u);
  connection.rollback();  // undoes only the inner insert
  EXPECT_TRUE(connection.inTransaction());
  connection.begin();
  connection.exec("INSERT INTO t VALUES (3)");
  connection.commit();
  connection.commit();
  EXPECT_FALSE(connection.inTransaction());
  EXPECT_EQ(count(connection, "t"), 2);
}

TEST(ConnectionTest, CommitAfterTheTransactionWasEndedByHandIsAStateError) {
  Connection connection(":memory:", OpenOptions{});
  connection.begin();
  connection.exec("COMMIT");
  try {
    connection.commit();
    FAIL() << "expected ERR_TRANSACTION_STATE";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_TRANSACTION_STATE");
  }
  EXPECT_EQ(connection.transactionDepth(), 0u);
}

TEST(ConnectionTest, CloseFinalizesStatementsAndLaterUseIsClosed) {
  TempDir dir;
  Connection connection(dir.file("a.db"), OpenOptions{});
  auto statement = connection.prepare("SELECT 1");
  auto cachedStatement = connection.cached("SELECT 2");
  connection.begin();
  connection.close();
  EXPECT_FALSE(connection.isOpen());
  EXPECT_TRUE(statement->finalized());
  EXPECT_TRUE(cachedStatement->finalized());
  connection.close();  // idempotent
  try {
    connection.exec("SELECT 1");
    FAIL() << "expected ERR_CLOSED";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_CLOSED");
  }
  connection.rollback();  // harmless after close
}

TEST(ConnectionTest, ExecReportsTheFailingStatementsCode) {
  Connection connection(":memory:", OpenOptions{});
  try {
    connection.exec("CREATE TABLE t (x NOT NULL); INSERT INTO t VALUES (NULL)");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_CONSTRAINT_NOTNULL");
  }
}

TEST(ConnectionTest, SecondConnectionSeesBusyWithShortTimeout) {
  TempDir dir;
  Connection writer(dir.file("a.db"), OpenOptions{});
  OpenOptions impatient;
  impatient.busyTimeoutMs = 10;
  Connection other(dir.file("a.db"), impatient);
  writer.begin();
  try {
    other.begin();
    FAIL() << "expected SQLITE_BUSY";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_BUSY");
  }
  EXPECT_EQ(other.transactionDepth(), 0u);
  writer.commit();
  EXPECT_NO_THROW(other.begin());
  other.commit();
}

}  // namespace
}  // namespace offline_sync::store
