#include "core/store/sqlite_error.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace offline_sync::store {
namespace {

TEST(SqliteErrorTest, NamesPrimaryAndExtendedCodes) {
  EXPECT_EQ(sqliteCodeName(SQLITE_BUSY), "SQLITE_BUSY");
  EXPECT_EQ(sqliteCodeName(SQLITE_CONSTRAINT_PRIMARYKEY), "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_EQ(sqliteCodeName(SQLITE_IOERR_FSYNC), "SQLITE_IOERR_FSYNC");
}

TEST(SqliteErrorTest, UnknownExtendedCodeFallsBackToPrimary) {
  EXPECT_EQ(sqliteCodeName(SQLITE_CONSTRAINT | (99 << 8)), "SQLITE_CONSTRAINT");
  EXPECT_EQ(sqliteCodeName(250), "SQLITE_UNKNOWN_250");
}

TEST(SqliteErrorTest, CheckThrowsWithContext) {
  try {
    checkSqlite(nullptr, SQLITE_FULL, "writing");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "SQLITE_FULL");
    EXPECT_EQ(e.category(), ErrorCategory::sqlite);
    EXPECT_EQ(std::string(e.what()).rfind("writing: ", 0), 0u);
  }
  EXPECT_NO_THROW(checkSqlite(nullptr, SQLITE_OK));
}

}  // namespace
}  // namespace offline_sync::store
