// DDL of the capture tables. STRICT, and WITHOUT ROWID where rows are only looked up by key; the outbox keeps a rowid
// for capture order.
#include "core/store/sync_schema.h"

#include <string>

namespace offline_sync::store {

void createSyncSchema(Connection& connection) {
  connection.exec(R"sql(
    -- Pending changes: captured, not sent yet; at most one per row, amended in place by later writes.
    CREATE TABLE IF NOT EXISTS _sync_outbox (
      entry INTEGER PRIMARY KEY,        -- capture order
      table_name TEXT NOT NULL,
      row_id TEXT NOT NULL,
      op INTEGER NOT NULL,              -- 1 insert, 2 update, 3 delete
      columns INTEGER NOT NULL,         -- bit i: tracked column i changed (all bits for an insert)
      hlc INTEGER NOT NULL,             -- hybrid logical clock stamp of the latest write folded in
      attempts INTEGER NOT NULL DEFAULT 0,
      reason TEXT,                      -- why it was put back
      column_hlcs TEXT                  -- "bit:hlc;..." of columns written before `hlc` (column_stamps.h); NULL: none
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS _sync_outbox_row ON _sync_outbox (table_name, row_id);

    -- Changes sent and not acknowledged (in flight), or refused by the server for good (quarantined). Kept apart from
    -- the pending ones so that capturing a write maintains one index only, and so a sent change is never amended.
    CREATE TABLE IF NOT EXISTS _sync_sent (
      change_seq INTEGER PRIMARY KEY,   -- with the device id, the change's idempotency key; never reused
      table_name TEXT NOT NULL,
      row_id TEXT NOT NULL,
      op INTEGER NOT NULL,
      columns INTEGER NOT NULL,
      hlc INTEGER NOT NULL,
      base_version INTEGER NOT NULL,    -- server version of the row it was made on; 0: new to the server
      payload BLOB NOT NULL,            -- column values as sent, so a resend is identical
      attempts INTEGER NOT NULL,
      state INTEGER NOT NULL DEFAULT 1, -- 1 in flight, 2 quarantined
      reason TEXT,                      -- why it was quarantined
      column_hlcs TEXT                  -- as in _sync_outbox
    ) STRICT;
    CREATE INDEX IF NOT EXISTS _sync_sent_row ON _sync_sent (table_name, row_id);

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
  // Files made before per-column stamps existed get the column (NULL: every column has the change's stamp).
  for (const char* table : {"_sync_outbox", "_sync_sent"}) {
    auto has = connection.prepare(std::string("SELECT 1 FROM pragma_table_info('") + table +
                                  "') WHERE name = 'column_hlcs'");
    if (!has->step()) connection.exec(std::string("ALTER TABLE ") + table + " ADD COLUMN column_hlcs TEXT");
  }
}

}  // namespace offline_sync::store
