// Outbox transitions: pending (_sync_outbox) -> in flight (_sync_sent) -> gone (acknowledge) | pending again
// (putBack) | quarantined (kept in _sync_sent with its reason).
#include "core/store/outbox.h"

#include <map>
#include <optional>

#include "core/error.h"
#include "core/store/column_stamps.h"
#include "core/store/metadata.h"
#include "core/store/sql_text.h"
#include "core/store/sync_schema.h"
#include "core/store/tracking.h"

namespace offline_sync::store {
namespace {

std::int64_t nextChangeSeq(Connection& connection) {
  return readIntegerMetadata(connection, meta_keys::nextChangeSeq, 1);
}

std::int64_t rowVersion(Connection& connection, const std::string& table, const std::string& rowId) {
  auto statement = connection.cached("SELECT version FROM _sync_row_versions WHERE table_name = ?1 AND row_id = ?2");
  ResetOnExit reset(*statement);
  statement->bindText(1, table);
  statement->bindText(2, rowId);
  return statement->step() ? statement->columnInt64(0) : 0;
}

// Whether the row has a change pending or on its way.
bool hasLocalChanges(Connection& connection, std::string_view table, std::string_view rowId) {
  auto statement = connection.cached(
      "SELECT EXISTS (SELECT 1 FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2) OR "
      "EXISTS (SELECT 1 FROM _sync_sent WHERE table_name = ?1 AND row_id = ?2 AND state = 1)");
  ResetOnExit reset(*statement);
  statement->bindTextUnowned(1, table);
  statement->bindTextUnowned(2, rowId);
  statement->step();
  return statement->columnInt64(0) != 0;
}

bool sentBefore(Connection& connection, const std::string& table, const std::string& rowId) {
  auto statement = connection.cached("SELECT 1 FROM _sync_sent WHERE table_name = ?1 AND row_id = ?2 LIMIT 1");
  ResetOnExit reset(*statement);
  statement->bindText(1, table);
  statement->bindText(2, rowId);
  return statement->step();
}

// A table a batch sends changes of: its tracking, and the query that reads a row's values with its known version
// (built once per batch rather than once per change).
struct SendableTable {
  TrackedTable tracking;
  std::string readRowSql;
};

std::string readRowSql(const TrackedTable& table) {
  std::string sql = "SELECT ";
  for (const auto& column : table.columns) sql += quoteIdentifier(column.name) + ", ";
  sql += "(SELECT version FROM _sync_row_versions WHERE table_name = ?2 AND row_id = ?1) FROM " +
         quoteIdentifier(table.name) + " WHERE \"id\" = ?1";
  return sql;
}

struct RowRead {
  std::vector<ColumnValue> values;
  std::int64_t version = 0;
};

// The current values of the masked columns of one row, and the row's version as last acknowledged (0: none yet);
// nullopt when the row is gone.
std::optional<RowRead> readColumns(Connection& connection, const SendableTable& table, const std::string& rowId,
                                   std::int64_t mask) {
  auto statement = connection.cached(table.readRowSql);
  ResetOnExit reset(*statement);
  statement->bindText(1, rowId);
  statement->bindText(2, table.tracking.name);
  if (!statement->step()) return std::nullopt;
  RowRead row;
  const auto& columns = table.tracking.columns;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if ((mask & (std::int64_t{1} << columns[i].bit)) == 0) continue;
    row.values.push_back({columns[i].name, readValue(*statement, static_cast<int>(i))});
  }
  const int versionColumn = static_cast<int>(columns.size());
  if (statement->columnType(versionColumn) != ColumnType::null) row.version = statement->columnInt64(versionColumn);
  return row;
}

// The table's tracking, if it is still tracked and still exists (a dropped or renamed table is not).
std::optional<SendableTable> sendableTable(Connection& connection, const std::string& table) {
  auto exists = connection.cached("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  ResetOnExit reset(*exists);
  exists->bindText(1, table);
  if (!exists->step()) return std::nullopt;
  auto tracking = trackedTable(connection, table);
  if (!tracking) return std::nullopt;
  auto sql = readRowSql(*tracking);
  return SendableTable{std::move(*tracking), std::move(sql)};
}

// The column names of stored column stamps ("bit:hlc;..."), for the wire. A bit the table no longer tracks is left
// out: its column is not sent either.
std::vector<std::pair<std::string, HlcStamp>> namedStamps(const TrackedTable& table, std::string_view stored) {
  std::vector<std::pair<std::string, HlcStamp>> named;
  if (stored.empty()) return named;
  for (const auto& [bit, hlc] : parseColumnStamps(stored)) {
    for (const auto& column : table.columns) {
      if (column.bit == bit) named.emplace_back(column.name, hlc);
    }
  }
  return named;
}

void bindOptionalText(Statement& statement, int index, std::string_view text) {
  if (text.empty()) {
    statement.bindNull(index);
  } else {
    statement.bindText(index, text);
  }
}

void deletePending(Connection& connection, std::int64_t entry) {
  auto statement = connection.cached("DELETE FROM _sync_outbox WHERE entry = ?1");
  ResetOnExit reset(*statement);
  statement->bindInt64(1, entry);
  statement->step();
}

void deleteSent(Connection& connection, std::int64_t changeSeq) {
  auto statement = connection.cached("DELETE FROM _sync_sent WHERE change_seq = ?1");
  ResetOnExit reset(*statement);
  statement->bindInt64(1, changeSeq);
  statement->step();
}

// Moves a change into _sync_sent with the given state (in flight, or quarantined with a reason); `columnHlcs` is the
// entry's stored column stamps, kept so that a resend carries the same ones.
void recordSent(Connection& connection, const OutboxChange& change, std::int64_t mask, std::string_view columnHlcs,
                SentState state, std::string_view reason) {
  auto insert = connection.cached(
      "INSERT INTO _sync_sent (change_seq, table_name, row_id, op, columns, hlc, base_version, payload, attempts, "
      "state, reason, column_hlcs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  ResetOnExit reset(*insert);
  insert->bindInt64(1, change.changeSeq);
  insert->bindText(2, change.table);
  insert->bindText(3, change.rowId);
  insert->bindInt64(4, static_cast<std::int64_t>(change.op));
  insert->bindInt64(5, mask);
  insert->bindInt64(6, static_cast<std::int64_t>(change.hlc));
  insert->bindInt64(7, change.baseVersion);
  insert->bindBlob(8, encodePayload(change.columns));
  insert->bindInt64(9, change.attempts);
  insert->bindInt64(10, static_cast<std::int64_t>(state));
  if (reason.empty()) {
    insert->bindNull(11);
  } else {
    insert->bindText(11, reason);
  }
  bindOptionalText(*insert, 12, columnHlcs);
  insert->step();
}

}  // namespace

std::vector<OutboxChange> Outbox::takeBatch(std::size_t limit, const BusyChanges& busy) {
  return withTransaction(connection_, [&] {
    std::vector<OutboxChange> batch;
    auto resend = connection_.cached(
        "SELECT change_seq, table_name, row_id, op, hlc, base_version, payload, attempts, column_hlcs FROM _sync_sent "
        "WHERE state = 1 ORDER BY change_seq");
    // Read until the batch is full (no LIMIT: a row may have several changes in flight, all busy): a pending change
    // is only taken once every sendable change in flight before it is in the batch.
    ResetOnExit reset(*resend);
    std::map<std::string, std::optional<TrackedTable>, std::less<>> tables;
    while (batch.size() < limit && resend->step()) {
      OutboxChange change;
      change.changeSeq = resend->columnInt64(0);
      change.table = std::string(resend->columnText(1));
      change.rowId = std::string(resend->columnText(2));
      if (busy.holds(change.changeSeq, change.table, change.rowId)) continue;
      change.op = static_cast<ChangeOp>(resend->columnInt64(3));
      change.hlc = static_cast<HlcStamp>(resend->columnInt64(4));
      change.baseVersion = resend->columnInt64(5);
      change.columns = decodePayload(resend->columnBlob(6));
      change.attempts = static_cast<int>(resend->columnInt64(7));
      if (resend->columnType(8) != ColumnType::null) {
        auto found = tables.find(change.table);
        if (found == tables.end()) found = tables.emplace(change.table, trackedTable(connection_, change.table)).first;
        if (found->second) change.olderStamps = namedStamps(*found->second, resend->columnText(8));
      }
      batch.push_back(std::move(change));
    }
    if (batch.size() < limit) takePending(limit - batch.size(), busy, batch);
    return batch;
  });
}

void Outbox::takePending(std::size_t limit, const BusyChanges& busy, std::vector<OutboxChange>& batch) {
  struct Entry {
    std::int64_t entry;
    std::int64_t mask;
    OutboxChange change;
    std::string columnHlcs;
  };
  std::vector<Entry> entries;
  {
    auto pending = connection_.cached(
        "SELECT entry, table_name, row_id, op, columns, hlc, attempts, column_hlcs FROM _sync_outbox "
        "ORDER BY entry LIMIT ?1");
    ResetOnExit reset(*pending);
    // A row has one pending entry at most, so this is enough to fill the batch past every busy row.
    pending->bindInt64(1, static_cast<std::int64_t>(limit + busy.rows.size()));
    while (entries.size() < limit && pending->step()) {
      Entry item{pending->columnInt64(0), pending->columnInt64(4), {}, {}};
      item.change.table = std::string(pending->columnText(1));
      item.change.rowId = std::string(pending->columnText(2));
      if (busy.rows.contains(std::pair(item.change.table, item.change.rowId))) continue;
      if (pending->columnType(7) != ColumnType::null) item.columnHlcs = std::string(pending->columnText(7));
      item.change.op = static_cast<ChangeOp>(pending->columnInt64(3));
      item.change.hlc = static_cast<HlcStamp>(pending->columnInt64(5));
      item.change.attempts = static_cast<int>(pending->columnInt64(6));
      entries.push_back(std::move(item));
    }
  }
  if (entries.empty()) return;

  std::map<std::string, std::optional<SendableTable>, std::less<>> tables;
  std::int64_t seq = nextChangeSeq(connection_);
  for (auto& item : entries) {
    // Plain references, not a structured binding: clang 14 (the fuzz build) cannot capture those in a lambda.
    auto& change = item.change;
    const std::int64_t mask = item.mask;
    const std::string& columnHlcs = item.columnHlcs;
    auto found = tables.find(change.table);
    if (found == tables.end()) found = tables.emplace(change.table, sendableTable(connection_, change.table)).first;
    change.changeSeq = seq++;
    deletePending(connection_, item.entry);
    // A change that cannot be sent is quarantined with the reason, never dropped, and never blocks the others.
    const auto quarantine = [&](const std::string& reason) {
      change.baseVersion = rowVersion(connection_, change.table, change.rowId);
      recordSent(connection_, change, mask, columnHlcs, SentState::quarantined, reason);
    };
    if (!found->second) {
      quarantine("the table was dropped, renamed or untracked");
      continue;
    }
    if (change.op == ChangeOp::remove) {
      change.baseVersion = rowVersion(connection_, change.table, change.rowId);
    } else {
      std::optional<RowRead> row;
      try {
        row = readColumns(connection_, *found->second, change.rowId, mask);
      } catch (const Error& e) {
        if (e.code() != "SQLITE_ERROR") throw;  // busy, I/O: the batch is retried later
        quarantine(std::string("its row could not be read (a column renamed or dropped?): ") + e.what());
        continue;
      }
      if (!row) {
        quarantine("the row was gone before its change was sent");
        continue;
      }
      change.columns = std::move(row->values);
      change.baseVersion = row->version;
      change.olderStamps = namedStamps(found->second->tracking, columnHlcs);
    }
    recordSent(connection_, change, mask, columnHlcs, SentState::inFlight, {});
    batch.push_back(std::move(change));
  }
  writeMetadata(connection_, meta_keys::nextChangeSeq, std::to_string(seq));
}

void Outbox::acknowledge(std::span<const Acknowledgement> acknowledgements) {
  withTransaction(connection_, [&] {
    // The row comes with the acknowledgement: a DELETE ... RETURNING would cost about a fifth more per change.
    auto remove = connection_.cached("DELETE FROM _sync_sent WHERE change_seq = ?1 AND state = 1");
    auto seen = connection_.cached(
        "INSERT INTO _sync_row_versions (table_name, row_id, version) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (table_name, row_id) DO UPDATE SET version = max(version, excluded.version)");
    auto known = connection_.cached(
        "INSERT INTO _sync_row_versions (table_name, row_id, version) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (table_name, row_id) DO NOTHING");
    for (const auto& ack : acknowledgements) {
      {
        ResetOnExit reset(*remove);
        remove->bindInt64(1, ack.changeSeq);
        remove->step();
      }
      if (connection_.changes() == 0) continue;  // already acknowledged: a replayed answer changes nothing
      // A change of the row still pending or on its way was made before this row was seen: its base stays.
      auto& version = ack.rowSeen && !hasLocalChanges(connection_, ack.table, ack.rowId) ? *seen : *known;
      ResetOnExit reset(version);
      version.bindTextUnowned(1, ack.table);
      version.bindTextUnowned(2, ack.rowId);
      version.bindInt64(3, ack.version);
      version.step();
    }
    // Stamps of acknowledged changes leave the outbox: keep the clock's high-water mark.
    writeMetadata(connection_, meta_keys::hlc, std::to_string(clock_.last()));
  });
}

void Outbox::putBack(std::int64_t changeSeq, std::string_view reason) {
  withTransaction(connection_, [&] {
    auto find = connection_.cached(
        "SELECT table_name, row_id, op, columns, hlc, attempts, column_hlcs FROM _sync_sent "
        "WHERE change_seq = ?1 AND state = 1");
    std::string table;
    std::string rowId;
    PendingChange sent;
    std::int64_t hlc = 0;
    std::int64_t attempts = 0;
    std::string sentStamps;
    {
      ResetOnExit reset(*find);
      find->bindInt64(1, changeSeq);
      if (!find->step()) return;
      table = std::string(find->columnText(0));
      rowId = std::string(find->columnText(1));
      sent = {static_cast<ChangeOp>(find->columnInt64(2)), find->columnInt64(3)};
      hlc = find->columnInt64(4);
      attempts = find->columnInt64(5);
      if (find->columnType(6) != ColumnType::null) sentStamps = std::string(find->columnText(6));
    }
    deleteSent(connection_, changeSeq);

    auto newer = connection_.cached(
        "SELECT entry, op, columns, hlc, column_hlcs FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2");
    std::optional<std::pair<std::int64_t, PendingChange>> pending;
    StampedColumns pendingStamps;
    {
      ResetOnExit reset(*newer);
      newer->bindText(1, table);
      newer->bindText(2, rowId);
      if (newer->step()) {
        pending.emplace(newer->columnInt64(0),
                        PendingChange{static_cast<ChangeOp>(newer->columnInt64(1)), newer->columnInt64(2)});
        pendingStamps = {newer->columnInt64(2), static_cast<HlcStamp>(newer->columnInt64(3)),
                         newer->columnType(4) == ColumnType::null ? ColumnStamps{}
                                                                   : parseColumnStamps(newer->columnText(4))};
      }
    }
    if (!pending) {
      auto requeue = connection_.cached(
          "INSERT INTO _sync_outbox (table_name, row_id, op, columns, hlc, attempts, reason, column_hlcs) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      ResetOnExit reset(*requeue);
      requeue->bindText(1, table);
      requeue->bindText(2, rowId);
      requeue->bindInt64(3, static_cast<std::int64_t>(sent.op));
      requeue->bindInt64(4, sent.columns);
      requeue->bindInt64(5, hlc);
      requeue->bindInt64(6, attempts + 1);
      requeue->bindText(7, reason);
      bindOptionalText(*requeue, 8, sentStamps);
      requeue->step();
      return;
    }
    // The server never applied the sent change, so it only knows the row through its version or another sent change.
    const bool known = rowVersion(connection_, table, rowId) != 0 || sentBefore(connection_, table, rowId);
    const auto tracked = trackedTable(connection_, table);
    const std::int64_t all = tracked ? tracked->allColumnsMask() : sent.columns | pending->second.columns;
    const auto merged = coalesce(sent, pending->second, known, all);
    if (!merged) {
      deletePending(connection_, pending->first);
      return;
    }
    // The sent change's columns the pending one does not write keep their stamps: folding must not make them newer.
    const ColumnStamps stamps =
        merged->op == ChangeOp::remove
            ? ColumnStamps{}
            : foldColumnStamps({sent.columns, static_cast<HlcStamp>(hlc), parseColumnStamps(sentStamps)},
                               pendingStamps);
    auto update = connection_.cached(
        "UPDATE _sync_outbox SET op = ?2, columns = ?3, attempts = max(attempts, ?5), reason = ?4, column_hlcs = ?6 "
        "WHERE entry = ?1");
    ResetOnExit reset(*update);
    update->bindInt64(1, pending->first);
    update->bindInt64(2, static_cast<std::int64_t>(merged->op));
    update->bindInt64(3, merged->columns);
    update->bindText(4, reason);
    update->bindInt64(5, attempts + 1);
    bindOptionalText(*update, 6, formatColumnStamps(stamps));
    update->step();
  });
}

void Outbox::quarantine(std::int64_t changeSeq, std::string_view reason) {
  withTransaction(connection_, [&] {
    auto statement =
        connection_.cached("UPDATE _sync_sent SET state = 2, reason = ?2 WHERE change_seq = ?1 AND state = 1");
    ResetOnExit reset(*statement);
    statement->bindInt64(1, changeSeq);
    statement->bindText(2, reason);
    statement->step();
  });
}

OutboxCounts Outbox::counts() {
  OutboxCounts counts;
  auto statement = connection_.cached(
      "SELECT (SELECT count(*) FROM _sync_outbox), (SELECT count(*) FROM _sync_sent WHERE state = 1), "
      "(SELECT count(*) FROM _sync_sent WHERE state = 2)");
  ResetOnExit reset(*statement);
  statement->step();
  counts.pending = statement->columnInt64(0);
  counts.inFlight = statement->columnInt64(1);
  counts.quarantined = statement->columnInt64(2);
  return counts;
}

std::int64_t countUnacknowledged(Connection& connection) {
  auto statement = connection.cached(
      "SELECT (SELECT count(*) FROM _sync_outbox) + (SELECT count(*) FROM _sync_sent WHERE state = 1)");
  ResetOnExit reset(*statement);
  statement->step();
  return statement->columnInt64(0);
}

}  // namespace offline_sync::store
