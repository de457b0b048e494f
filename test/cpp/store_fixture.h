// A store on a temporary file with a tracked `lessons` table, and helpers to read its outbox.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/store/outbox.h"
#include "core/store/store.h"
#include "temp_dir.h"

namespace offline_sync::store::testing {

// One unacknowledged change: state 0 pending (in _sync_outbox), 1 in flight or 2 quarantined (in _sync_sent).
struct EntryRow {
  std::string rowId;
  int op = 0;
  std::int64_t columns = 0;
  int state = 0;
};

// Sent changes first (in sending order), then pending ones (in capture order).
inline std::vector<EntryRow> outboxRows(Connection& connection) {
  auto statement = connection.prepare(
      "SELECT row_id, op, columns, state FROM (SELECT 0 AS part, change_seq AS n, row_id, op, columns, state "
      "FROM _sync_sent UNION ALL SELECT 1, entry, row_id, op, columns, 0 FROM _sync_outbox) ORDER BY part, n");
  std::vector<EntryRow> rows;
  while (statement->step()) {
    rows.push_back({std::string(statement->columnText(0)), static_cast<int>(statement->columnInt64(1)),
                    statement->columnInt64(2), static_cast<int>(statement->columnInt64(3))});
  }
  return rows;
}

inline std::int64_t scalar(Connection& connection, const std::string& sql) {
  auto statement = connection.prepare(sql);
  statement->step();
  return statement->columnInt64(0);
}

class StoreFixture : public ::testing::Test {
 protected:
  offline_sync::testing::TempDir dir;
  std::string path = dir.file("app.db");
  std::unique_ptr<Store> store;

  void SetUp() override {
    store = std::make_unique<Store>(path, StoreOptions{});
    db().exec("CREATE TABLE lessons (id TEXT PRIMARY KEY, student TEXT, minutes INTEGER, status TEXT)");
    store->track("lessons", ConflictPolicy::merge);
  }
  Connection& db() { return store->connection(); }
  std::vector<EntryRow> outbox() { return outboxRows(db()); }
};

// The store plus the sync engine's connection and the outbox API on it.
class OutboxFixture : public StoreFixture {
 protected:
  std::unique_ptr<Connection> engine;
  std::unique_ptr<Outbox> outboxApi;

  void SetUp() override {
    StoreFixture::SetUp();
    engine = store->openSyncConnection();
    outboxApi = std::make_unique<Outbox>(*engine, store->clock());
  }
};

}  // namespace offline_sync::store::testing
