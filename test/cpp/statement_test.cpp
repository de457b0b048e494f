#include "core/store/statement.h"

#include <gtest/gtest.h>

#include <array>

#include "core/error.h"
#include "core/store/connection.h"

namespace offline_sync::store {
namespace {

class StatementTest : public ::testing::Test {
 protected:
  Connection connection{":memory:", OpenOptions{}};
  void SetUp() override { connection.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a ANY, b TEXT) STRICT"); }
};

TEST_F(StatementTest, BindsEveryTypeAndReadsItBack) {
  auto insert = connection.prepare("INSERT INTO t (id, a, b) VALUES (?1, ?2, ?3)");
  const std::array<std::byte, 3> bytes{std::byte{1}, std::byte{0}, std::byte{255}};
  insert->bindInt64(1, 1);
  insert->bindInt64(2, INT64_MAX);
  insert->bindText(3, "text");
  EXPECT_FALSE(insert->step());
  insert->reset();
  insert->bindInt64(1, 2);
  insert->bindDouble(2, 1.5);
  insert->bindNull(3);
  insert->step();
  insert->reset();
  insert->bindInt64(1, 3);
  insert->bindBlob(2, bytes);
  insert->bindText(3, std::string_view("a\0b", 3));
  insert->step();
  insert->reset();
  insert->bindInt64(1, 4);
  insert->bindBlob(2, {});
  insert->bindText(3, "");
  insert->step();

  auto select = connection.prepare("SELECT a, b FROM t ORDER BY id");
  ASSERT_EQ(select->columnCount(), 2);
  EXPECT_STREQ(select->columnName(0), "a");
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->columnType(0), ColumnType::integer);
  EXPECT_EQ(select->columnInt64(0), INT64_MAX);
  EXPECT_EQ(select->columnText(1), "text");
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->columnType(0), ColumnType::real);
  EXPECT_DOUBLE_EQ(select->columnDouble(0), 1.5);
  EXPECT_EQ(select->columnType(1), ColumnType::null);
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->columnType(0), ColumnType::blob);
  ASSERT_EQ(select->columnBlob(0).size(), 3u);
  EXPECT_EQ(select->columnBlob(0)[2], std::byte{255});
  EXPECT_EQ(select->columnText(1), std::string_view("a\0b", 3));
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->columnType(0), ColumnType::blob) << "an empty blob stays a blob";
  EXPECT_EQ(select->columnBlob(0).size(), 0u);
  EXPECT_EQ(select->columnType(1), ColumnType::text);
  EXPECT_FALSE(select->step());
}

TEST_F(StatementTest, NamesParameters) {
  auto statement = connection.prepare("SELECT :a, @b, $c, ?");
  ASSERT_EQ(statement->parameterCount(), 4);
  EXPECT_STREQ(statement->parameterName(1), ":a");
  EXPECT_STREQ(statement->parameterName(2), "@b");
  EXPECT_STREQ(statement->parameterName(3), "$c");
  EXPECT_EQ(statement->parameterName(4), nullptr);
}

TEST_F(StatementTest, RejectsMoreThanOneStatementAndEmptyText) {
  try {
    connection.prepare("SELECT 1; SELECT 2");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_INVALID_ARG");
  }
  EXPECT_THROW(connection.prepare("  -- nothing\n"), Error);
  EXPECT_NO_THROW(connection.prepare("SELECT 1; -- trailing comment\n  "));
}

TEST_F(StatementTest, InvalidSqlCarriesSqliteCode) {
  try {
    connection.prepare("SELEC 1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::sqlite);
    EXPECT_EQ(e.code(), "SQLITE_ERROR");
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos);
  }
}

TEST_F(StatementTest, ConstraintViolationHasExtendedCodeAndStatementIsReusable) {
  auto insert = connection.prepare("INSERT INTO t (id) VALUES (?1)");
  insert->bindInt64(1, 7);
  insert->step();
  insert->reset();
  insert->bindInt64(1, 7);
  try {
    insert->step();
    FAIL() << "expected a constraint error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_CONSTRAINT_PRIMARYKEY");
  }
  insert->bindInt64(1, 8);
  EXPECT_FALSE(insert->step());
}

TEST_F(StatementTest, BusyWhileHeldByAnIterator) {
  auto select = connection.prepare("SELECT 1");
  select->setBusy(true);
  try {
    select->ensureUsable();
    FAIL() << "expected ERR_STATEMENT_BUSY";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_STATEMENT_BUSY");
  }
  select->reset();
  EXPECT_NO_THROW(select->ensureUsable());
}

TEST_F(StatementTest, FinalizedStatementThrowsClosed) {
  auto select = connection.prepare("SELECT 1");
  select->finalize();
  try {
    select->step();
    FAIL() << "expected ERR_CLOSED";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_CLOSED");
  }
  select->reset();  // harmless after finalize
}

}  // namespace
}  // namespace offline_sync::store
