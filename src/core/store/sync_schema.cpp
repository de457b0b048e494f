// DDL of the capture tables. STRICT and WITHOUT ROWID where rows are looked up by key; the outbox keeps a rowid
// for capture order, and two partial indexes so that capturing a write maintains only one of them.
#include "core/store/sync_schema.h"

namespace offline_sync::store {

void createSyncSchema(Connection& connection) {
  connection.exec(R"sql(
    CREATE TABLE IF NOT EXISTS _sync_outbox (
      entry INTEGER PRIMARY KEY,        -- capture order
      table_name TEXT NOT NULL,
      row_id TEXT NOT NULL,
      op INTEGER NOT NULL,              -- 1 insert, 2 update, 3 delete
      columns INTEGER NOT NULL,         -- bit i: tracked column i changed (all bits for an insert)
      hlc INTEGER NOT NULL,             -- hybrid logical clock stamp of the latest write folded in
      state INTEGER NOT NULL DEFAULT 0, -- 0 pending, 1 in flight, 2 quarantined
      change_seq INTEGER,               -- set when first sent; with the device id, the change's idempotency key
      base_version INTEGER,             -- server version of the row when first sent
      payload BLOB,                     -- column values as first sent, so a resend is identical
      attempts INTEGER NOT NULL DEFAULT 0,
      reason TEXT                       -- why it was put back or quarantined
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS _sync_outbox_pending ON _sync_outbox (table_name, row_id) WHERE state = 0;
    CREATE INDEX IF NOT EXISTS _sync_outbox_sent ON _sync_outbox (table_name, row_id) WHERE state <> 0;
    CREATE UNIQUE INDEX IF NOT EXISTS _sync_outbox_change ON _sync_outbox (change_seq) WHERE change_seq IS NOT NULL;

    CREATE TABLE IF NOT EXISTS _sync_tracked (
      table_name TEXT PRIMARY KEY NOT NULL,
      conflict TEXT NOT NULL
    ) WITHOUT ROWID, STRICT;
    CREATE TABLE IF NOT EXISTS _sync_columns (
      table_name TEXT NOT NULL,
      bit INTEGER NOT NULL,             -- stable: a column keeps its bit, new columns take the next
      name TEXT NOT NULL,
      active INTEGER NOT NULL DEFAULT 1, -- 0 once the table no longer has it; its bit is never reused
      PRIMARY KEY (table_name, bit)
    ) WITHOUT ROWID, STRICT;

    CREATE TABLE IF NOT EXISTS _sync_row_versions (
      table_name TEXT NOT NULL,
      row_id TEXT NOT NULL,
      version INTEGER NOT NULL,         -- the server's sequence number of the row's last change
      PRIMARY KEY (table_name, row_id)
    ) WITHOUT ROWID, STRICT;
  )sql");
}

}  // namespace offline_sync::store
