#include "core/store/migrations.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "temp_dir.h"

namespace offline_sync::store {
namespace {

using offline_sync::testing::TempDir;

bool tableExists(Connection& connection, const std::string& name) {
  auto statement = connection.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  statement->bindText(1, name);
  return statement->step();
}

TEST(MigrationsTest, RunsEachStepOnceAcrossReopen) {
  TempDir dir;
  const std::vector<std::string> steps{"CREATE TABLE a (id TEXT PRIMARY KEY)", "CREATE TABLE b (x); CREATE TABLE c (y)"};
  {
    Connection connection(dir.file("m.db"), OpenOptions{});
    const auto result = migrate(connection, steps);
    EXPECT_EQ(result.applied, 2u);
    EXPECT_EQ(result.version, 2u);
    EXPECT_TRUE(tableExists(connection, "c"));
  }
  Connection connection(dir.file("m.db"), OpenOptions{});
  auto result = migrate(connection, steps);
  EXPECT_EQ(result.applied, 0u);
  EXPECT_EQ(result.version, 2u);
  auto more = steps;
  more.push_back("CREATE TABLE d (z)");
  result = migrate(connection, more);
  EXPECT_EQ(result.applied, 1u);
  EXPECT_EQ(result.version, 3u);
}

TEST(MigrationsTest, FailingStepRollsBackAloneAndNamesIt) {
  Connection connection(":memory:", OpenOptions{});
  const std::vector<std::string> steps{"CREATE TABLE a (x)", "CREATE TABLE b (x); INSERT INTO nope VALUES (1)"};
  try {
    migrate(connection, steps);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_ERROR");
    EXPECT_NE(std::string(e.what()).find("Migration 1 failed"), std::string::npos);
  }
  EXPECT_TRUE(tableExists(connection, "a"));
  EXPECT_FALSE(tableExists(connection, "b")) << "the failing step's first statement must be rolled back";
  EXPECT_FALSE(connection.inTransaction());
  const std::vector<std::string> fixed{"CREATE TABLE a (x)", "CREATE TABLE b (x)"};
  EXPECT_EQ(migrate(connection, fixed).applied, 1u);
}

TEST(MigrationsTest, NewerDatabaseIsRefused) {
  Connection connection(":memory:", OpenOptions{});
  migrate(connection, std::vector<std::string>{"CREATE TABLE a (x)", "CREATE TABLE b (x)"});
  try {
    migrate(connection, std::vector<std::string>{"CREATE TABLE a (x)"});
    FAIL() << "expected ERR_SCHEMA_TOO_NEW";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_SCHEMA_TOO_NEW");
  }
}

}  // namespace
}  // namespace offline_sync::store
