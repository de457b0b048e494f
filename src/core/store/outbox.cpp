// Outbox transitions: pending -> in flight (takeBatch) -> gone (acknowledge) | pending (putBack) | quarantined.
#include "core/store/outbox.h"

#include <map>
#include <optional>

#include "core/error.h"
#include "core/store/metadata.h"
#include "core/store/sql_text.h"
#include "core/store/sync_schema.h"
#include "core/store/tracking.h"

namespace offline_sync::store {
namespace {

std::int64_t nextChangeSeq(Connection& connection) {
  const auto stored = readMetadata(connection, meta_keys::nextChangeSeq);
  return stored ? std::stoll(*stored) : 1;
}

std::int64_t rowVersion(Connection& connection, const std::string& table, const std::string& rowId) {
  auto statement = connection.cached("SELECT version FROM _sync_row_versions WHERE table_name = ?1 AND row_id = ?2");
  ResetOnExit reset(*statement);
  statement->bindText(1, table);
  statement->bindText(2, rowId);
  return statement->step() ? statement->columnInt64(0) : 0;
}

// The current values of the masked columns of one row; nullopt when the row is gone.
std::optional<std::vector<ColumnValue>> readColumns(Connection& connection, const TrackedTable& table,
                                                    const std::string& rowId, std::int64_t mask) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + quoteIdentifier(table.columns[i].name);
  }
  if (table.columns.empty()) sql += "1";
  sql += " FROM " + quoteIdentifier(table.name) + " WHERE \"id\" = ?1";
  auto statement = connection.cached(sql);
  ResetOnExit reset(*statement);
  statement->bindText(1, rowId);
  if (!statement->step()) return std::nullopt;
  std::vector<ColumnValue> values;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if ((mask & (std::int64_t{1} << table.columns[i].bit)) == 0) continue;
    values.push_back({table.columns[i].name, readValue(*statement, static_cast<int>(i))});
  }
  return values;
}

void setQuarantined(Connection& connection, std::int64_t entry, std::string_view reason) {
  auto statement = connection.cached("UPDATE _sync_outbox SET state = 2, reason = ?2 WHERE entry = ?1");
  ResetOnExit reset(*statement);
  statement->bindInt64(1, entry);
  statement->bindText(2, reason);
  statement->step();
}

}  // namespace

std::vector<OutboxChange> Outbox::takeBatch(std::size_t limit) {
  return withTransaction(connection_, [&] {
    std::vector<OutboxChange> batch;
    auto resend = connection_.cached(
        "SELECT table_name, row_id, op, hlc, change_seq, base_version, payload, attempts FROM _sync_outbox "
        "WHERE state = 1 ORDER BY entry LIMIT ?1");
    ResetOnExit reset(*resend);
    resend->bindInt64(1, static_cast<std::int64_t>(limit));
    while (resend->step()) {
      OutboxChange change;
      change.table = std::string(resend->columnText(0));
      change.rowId = std::string(resend->columnText(1));
      change.op = static_cast<ChangeOp>(resend->columnInt64(2));
      change.hlc = static_cast<HlcStamp>(resend->columnInt64(3));
      change.changeSeq = resend->columnInt64(4);
      change.baseVersion = resend->columnInt64(5);
      change.columns = decodePayload(resend->columnBlob(6));
      change.attempts = static_cast<int>(resend->columnInt64(7));
      batch.push_back(std::move(change));
    }
    if (batch.size() < limit) takePending(limit - batch.size(), batch);
    return batch;
  });
}

void Outbox::takePending(std::size_t limit, std::vector<OutboxChange>& batch) {
  struct Entry {
    std::int64_t entry;
    OutboxChange change;
    std::int64_t mask;
  };
  std::vector<Entry> entries;
  {
    auto pending = connection_.cached(
        "SELECT entry, table_name, row_id, op, columns, hlc, attempts FROM _sync_outbox "
        "WHERE state = 0 ORDER BY entry LIMIT ?1");
    ResetOnExit reset(*pending);
    pending->bindInt64(1, static_cast<std::int64_t>(limit));
    while (pending->step()) {
      Entry item{pending->columnInt64(0), {}, pending->columnInt64(4)};
      item.change.table = std::string(pending->columnText(1));
      item.change.rowId = std::string(pending->columnText(2));
      item.change.op = static_cast<ChangeOp>(pending->columnInt64(3));
      item.change.hlc = static_cast<HlcStamp>(pending->columnInt64(5));
      item.change.attempts = static_cast<int>(pending->columnInt64(6));
      entries.push_back(std::move(item));
    }
  }
  if (entries.empty()) return;

  std::map<std::string, std::optional<TrackedTable>, std::less<>> tables;
  std::int64_t seq = nextChangeSeq(connection_);
  auto mark = connection_.cached(
      "UPDATE _sync_outbox SET state = 1, change_seq = ?2, base_version = ?3, payload = ?4 WHERE entry = ?1");
  for (auto& [entry, change, mask] : entries) {
    auto found = tables.find(change.table);
    if (found == tables.end()) found = tables.emplace(change.table, trackedTable(connection_, change.table)).first;
    if (!found->second) {
      setQuarantined(connection_, entry, "the table is no longer tracked");
      continue;
    }
    if (change.op != ChangeOp::remove) {
      auto values = readColumns(connection_, *found->second, change.rowId, mask);
      if (!values) {
        setQuarantined(connection_, entry, "the row was gone before its change could be sent");
        continue;
      }
      change.columns = std::move(*values);
    }
    change.changeSeq = seq++;
    change.baseVersion = rowVersion(connection_, change.table, change.rowId);
    ResetOnExit reset(*mark);
    mark->bindInt64(1, entry);
    mark->bindInt64(2, change.changeSeq);
    mark->bindInt64(3, change.baseVersion);
    mark->bindBlob(4, encodePayload(change.columns));
    mark->step();
    batch.push_back(std::move(change));
  }
  writeMetadata(connection_, meta_keys::nextChangeSeq, std::to_string(seq));
}

void Outbox::acknowledge(std::span<const Acknowledgement> acknowledgements) {
  withTransaction(connection_, [&] {
    auto remove = connection_.cached(
        "DELETE FROM _sync_outbox WHERE change_seq = ?1 AND state = 1 RETURNING table_name, row_id");
    auto version = connection_.cached(
        "INSERT INTO _sync_row_versions (table_name, row_id, version) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (table_name, row_id) DO UPDATE SET version = max(version, excluded.version)");
    for (const auto& ack : acknowledgements) {
      std::string table;
      std::string rowId;
      {
        ResetOnExit reset(*remove);
        remove->bindInt64(1, ack.changeSeq);
        if (!remove->step()) continue;  // already acknowledged: a replayed answer changes nothing
        table = std::string(remove->columnText(0));
        rowId = std::string(remove->columnText(1));
        while (remove->step()) {
        }
      }
      ResetOnExit reset(*version);
      version->bindText(1, table);
      version->bindText(2, rowId);
      version->bindInt64(3, ack.version);
      version->step();
    }
    // Stamps of acknowledged changes leave the outbox: keep the clock's high-water mark.
    writeMetadata(connection_, meta_keys::hlc, std::to_string(clock_.last()));
  });
}

void Outbox::putBack(std::int64_t changeSeq, std::string_view reason) {
  withTransaction(connection_, [&] {
    auto find = connection_.cached(
        "SELECT entry, table_name, row_id, op, columns FROM _sync_outbox WHERE change_seq = ?1 AND state = 1");
    std::int64_t entry = 0;
    std::string table;
    std::string rowId;
    PendingChange sent;
    {
      ResetOnExit reset(*find);
      find->bindInt64(1, changeSeq);
      if (!find->step()) return;
      entry = find->columnInt64(0);
      table = std::string(find->columnText(1));
      rowId = std::string(find->columnText(2));
      sent = {static_cast<ChangeOp>(find->columnInt64(3)), find->columnInt64(4)};
    }
    auto newer = connection_.cached(
        "SELECT entry, op, columns FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2 AND state = 0");
    std::optional<std::pair<std::int64_t, PendingChange>> pending;
    {
      ResetOnExit reset(*newer);
      newer->bindText(1, table);
      newer->bindText(2, rowId);
      if (newer->step()) {
        pending.emplace(newer->columnInt64(0),
                        PendingChange{static_cast<ChangeOp>(newer->columnInt64(1)), newer->columnInt64(2)});
      }
    }
    if (!pending) {
      auto requeue = connection_.cached(
          "UPDATE _sync_outbox SET state = 0, change_seq = NULL, base_version = NULL, payload = NULL, "
          "attempts = attempts + 1, reason = ?2 WHERE entry = ?1");
      ResetOnExit reset(*requeue);
      requeue->bindInt64(1, entry);
      requeue->bindText(2, reason);
      requeue->step();
      return;
    }
    auto drop = connection_.cached("DELETE FROM _sync_outbox WHERE entry = ?1");
    {
      ResetOnExit reset(*drop);
      drop->bindInt64(1, entry);
      drop->step();
    }
    auto sentElsewhere = connection_.cached(
        "SELECT 1 FROM _sync_outbox WHERE table_name = ?1 AND row_id = ?2 AND state <> 0 LIMIT 1");
    bool known = rowVersion(connection_, table, rowId) != 0;
    if (!known) {
      ResetOnExit reset(*sentElsewhere);
      sentElsewhere->bindText(1, table);
      sentElsewhere->bindText(2, rowId);
      known = sentElsewhere->step();
    }
    const auto tracked = trackedTable(connection_, table);
    const std::int64_t all = tracked ? tracked->allColumnsMask() : sent.columns | pending->second.columns;
    const auto merged = coalesce(sent, pending->second, known, all);
    if (!merged) {
      drop->reset();
      drop->bindInt64(1, pending->first);
      drop->step();
      drop->reset();
      return;
    }
    auto update = connection_.cached("UPDATE _sync_outbox SET op = ?2, columns = ?3, reason = ?4 WHERE entry = ?1");
    ResetOnExit reset(*update);
    update->bindInt64(1, pending->first);
    update->bindInt64(2, static_cast<std::int64_t>(merged->op));
    update->bindInt64(3, merged->columns);
    update->bindText(4, reason);
    update->step();
  });
}

void Outbox::quarantine(std::int64_t changeSeq, std::string_view reason) {
  withTransaction(connection_, [&] {
    auto statement =
        connection_.cached("UPDATE _sync_outbox SET state = 2, reason = ?2 WHERE change_seq = ?1 AND state = 1");
    ResetOnExit reset(*statement);
    statement->bindInt64(1, changeSeq);
    statement->bindText(2, reason);
    statement->step();
  });
}

OutboxCounts Outbox::counts() {
  OutboxCounts counts;
  auto statement = connection_.cached("SELECT state, count(*) FROM _sync_outbox GROUP BY state");
  ResetOnExit reset(*statement);
  while (statement->step()) {
    const auto n = statement->columnInt64(1);
    switch (static_cast<EntryState>(statement->columnInt64(0))) {
      case EntryState::pending: counts.pending = n; break;
      case EntryState::inFlight: counts.inFlight = n; break;
      case EntryState::quarantined: counts.quarantined = n; break;
    }
  }
  return counts;
}

std::int64_t countUnacknowledged(Connection& connection) {
  auto statement = connection.cached("SELECT count(*) FROM _sync_outbox WHERE state IN (0, 1)");
  ResetOnExit reset(*statement);
  statement->step();
  return statement->columnInt64(0);
}

}  // namespace offline_sync::store
