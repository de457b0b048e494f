// Builders for pushes and a storage on a fresh temporary file, shared by the SQLite storage tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/store/connection.h"
#include "server/sqlite_storage.h"
#include "temp_dir.h"

namespace offline_sync::server::testing {

using protocol::PullRequest;
using protocol::PushRequest;
using protocol::PushResult;
using protocol::PushStatus;
using protocol::RowState;
using protocol::WireChange;
using store::ChangeOp;
using store::ColumnValue;

inline WireChange makeChange(std::string id, std::string row, ChangeOp op, std::int64_t base, HlcStamp hlc,
                             std::vector<ColumnValue> columns, ConflictPolicy policy = ConflictPolicy::merge,
                             std::string table = "lessons") {
  WireChange change;
  change.id = std::move(id);
  change.table = std::move(table);
  change.row = std::move(row);
  change.op = op;
  change.policy = policy;
  change.baseVersion = base;
  change.hlc = hlc;
  change.columns = std::move(columns);
  return change;
}

inline PushRequest makePush(std::string device, std::vector<WireChange> changes) {
  return PushRequest{std::move(device), std::move(changes)};
}

// A lesson as the demo app stores it: nine columns of mixed types.
inline std::vector<ColumnValue> lessonColumns(int n) {
  return {
      {"student_id", std::string("7d9f1c2e-4b1a-4f0e-9a53-") + std::to_string(100000000000 + n)},
      {"instructor_id", std::string("2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d")},
      {"vehicle_id", std::string("vehicle-") + std::to_string(n % 12)},
      {"starts_at", std::string("2026-12-02T10:00")},
      {"minutes", std::int64_t{90}},
      {"status", std::string("booked")},
      {"price", 45.5},
      {"notes", std::string("Motorway practice, pick up at the station")},
      {"paid", std::int64_t{n % 2}},
  };
}

inline const store::Value* columnValue(const RowState& row, const std::string& name) {
  for (const auto& column : row.columns) {
    if (column.name == name) return &column.value;
  }
  return nullptr;
}

inline const protocol::ColumnStamp* columnStamp(const RowState& row, const std::string& name) {
  for (std::size_t i = 0; i < row.columns.size(); ++i) {
    if (row.columns[i].name == name) return &row.stamps[i];
  }
  return nullptr;
}

// Every row of a tenant, paging with the given limit; checks cursors increase and the last page says no more.
inline std::vector<RowState> pullAll(ServerStorage& storage, const std::string& tenant, std::size_t limit = 1000,
                                     std::int64_t cursor = 0) {
  std::vector<RowState> rows;
  for (;;) {
    auto page = storage.pull(tenant, PullRequest{cursor, limit});
    EXPECT_LE(page.rows.size(), limit);
    EXPECT_GE(page.cursor, cursor);
    for (auto& row : page.rows) rows.push_back(std::move(row));
    cursor = page.cursor;
    if (!page.more) return rows;
  }
}

// Runs SQL on the storage file behind the storage's back, as damage, an older/newer server or a second one would.
inline void tamper(const std::string& path, const std::string& sql) {
  store::Connection connection(path, store::OpenOptions{});
  connection.exec(sql);
}

// The first column of the first row of a query on the storage file, read behind the storage's back.
inline std::int64_t queryInt(const std::string& path, const std::string& sql) {
  store::Connection connection(path, store::OpenOptions{});
  auto statement = connection.prepare(sql);
  EXPECT_TRUE(statement->step()) << sql;
  return statement->columnInt64(0);
}

inline bool sameResult(const PushResult& a, const PushResult& b) {
  const bool rowsEqual = a.row.has_value() == b.row.has_value() &&
                         (!a.row || (a.row->table == b.row->table && a.row->row == b.row->row &&
                                     a.row->version == b.row->version && a.row->deleted == b.row->deleted &&
                                     a.row->columns == b.row->columns && a.row->stamps == b.row->stamps));
  return a.id == b.id && a.status == b.status && a.version == b.version && a.columns == b.columns &&
         a.overrode == b.overrode &&
         a.code == b.code && a.reason == b.reason && rowsEqual;
}

class SqliteStorageTest : public ::testing::Test {
 protected:
  SqliteStorageTest() : path_(dir_.file("server.db")) { reopen(); }

  void reopen(SqliteStorageOptions options = {}) {
    storage_.reset();
    storage_ = std::make_unique<SqliteStorage>(path_, options);
  }

  SqliteStorage& storage() { return *storage_; }

  offline_sync::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteStorage> storage_;
};

}  // namespace offline_sync::server::testing
