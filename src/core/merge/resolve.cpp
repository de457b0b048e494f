// The conflict rules of docs/CONFLICTS.md as pure functions: one pushed change settled against the server's row.
#include "core/merge/resolve.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace offline_sync::merge {
namespace {

using protocol::ColumnStamp;
using protocol::PushStatus;
using protocol::WireChange;
using store::ChangeOp;
using store::ColumnValue;
using store::Value;

// Same SQLite type and same value. Reals compare bit for bit, so "the same value" is exactly the value the change
// would write (0.0 and -0.0 differ); an INTEGER never equals a REAL.
bool sameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* real = std::get_if<double>(&a)) {
    return std::bit_cast<std::uint64_t>(*real) == std::bit_cast<std::uint64_t>(std::get<double>(b));
  }
  return a == b;
}

// The change being settled and the device that made it: its stamp is (change.hlc, device).
struct Incoming {
  const WireChange& change;
  std::string_view device;

  bool newerThan(const ColumnStamp& stamp) const { return newer(change.hlc, device, stamp.hlc, stamp.device); }
  // Column `name` of the change against the server's stamp of it: a column written before the change's last write
  // competes with its own, older stamp.
  bool columnNewerThan(std::string_view name, const ColumnStamp& stamp) const {
    return newer(change.columnHlc(name), device, stamp.hlc, stamp.device);
  }

  // "Changed since base": after the version the device had seen, by another device. A device's own earlier change,
  // sent but not yet acknowledged when this one was made, is already part of this one (a device's changes reach the
  // server in order), so it must not count against it.
  bool unseen(const ColumnStamp& stamp) const {
    return stamp.version > change.baseVersion && stamp.device != device;
  }
};

// The server row's column of that name, if it has one with a stamp.
std::optional<std::size_t> findColumn(const ServerRow& row, std::string_view name) {
  for (std::size_t i = 0; i < row.columns.size() && i < row.stamps.size(); ++i) {
    if (row.columns[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> columnNames(const std::vector<ColumnValue>& columns) {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const auto& column : columns) names.push_back(column.name);
  return names;
}

// Nothing applied and the row untouched; `columns` go in `kept`.
Resolution untouched(PushStatus status, std::vector<std::string> columns, bool deleted) {
  Resolution out;
  out.status = status;
  out.kept = std::move(columns);
  out.deletedAfter = deleted;
  out.rowChanged = false;
  return out;
}

// Policy `manual` with something conflicting: the app decides.
Resolution conflict(std::vector<std::string> columns, bool deleted) {
  return untouched(PushStatus::conflict, std::move(columns), deleted);
}

// The change lost as a whole (a delete against newer updates, an update against a newer delete): `kept` says which
// columns stayed at the server's value.
Resolution lost(std::vector<std::string> kept, bool deleted) {
  return untouched(PushStatus::merged, std::move(kept), deleted);
}

// Every column of the change written, nothing to settle: the row is created or comes back.
Resolution applyAll(const Incoming& in) {
  Resolution out;
  out.status = PushStatus::applied;
  out.apply = columnNames(in.change.columns);
  out.deletedAfter = false;
  out.rowChanged = true;
  return out;
}

// A delete that takes effect: `rowChanged` false when the row was a tombstone already.
Resolution deleted(bool rowChanged) {
  Resolution out;
  out.status = PushStatus::applied;
  out.deletedAfter = true;
  out.rowChanged = rowChanged;
  return out;
}

// Whether a conflicting column takes the change's value (never asked for `manual`, which settles nothing).
bool changeWinsColumn(const Incoming& in, std::string_view name, const ColumnStamp& server) {
  switch (in.change.policy) {
    case ConflictPolicy::merge: return in.columnNewerThan(name, server);
    case ConflictPolicy::serverWins: return false;
    case ConflictPolicy::clientWins: return true;
    case ConflictPolicy::manual: return false;
  }
  return false;
}

// Rule 3 (and a row that comes back under rule 2): the change's columns against the row's, one by one. Columns not
// changed since base, or changed to the same value, are applied; conflicting ones follow the policy.
Resolution settleColumns(const ServerRow& row, const Incoming& in) {
  Resolution out;
  std::vector<std::string> conflicting;
  for (const auto& column : in.change.columns) {
    const auto index = findColumn(row, column.name);
    const bool conflicts =
        index && in.unseen(row.stamps[*index]) && !sameValue(row.columns[*index].value, column.value);
    if (!conflicts) {
      out.apply.push_back(column.name);
    } else if (in.change.policy == ConflictPolicy::manual) {
      conflicting.push_back(column.name);
    } else if (changeWinsColumn(in, column.name, row.stamps[*index])) {
      out.apply.push_back(column.name);
      out.overrode.push_back(column.name);
    } else {
      out.kept.push_back(column.name);
    }
  }
  if (!conflicting.empty()) return conflict(std::move(conflicting), row.deleted);
  out.status = out.kept.empty() ? PushStatus::applied : PushStatus::merged;
  out.deletedAfter = false;
  // A tombstone that comes back changes even when every column kept the server's value.
  out.rowChanged = !out.apply.empty() || row.deleted;
  return out;
}

// Rule 2 under merge, the deletion being newer: the row stays deleted and the change lost. Its columns newer than the
// deleted row's are still written into the tombstone, so that whichever later change brings the row back finds each
// column at its newest value, whatever order the changes reached the server in (last writer wins per column, even
// across a delete).
Resolution lostToTheDeletion(const ServerRow& row, const Incoming& in) {
  auto out = lost(columnNames(in.change.columns), true);
  for (const auto& column : in.change.columns) {
    const auto index = findColumn(row, column.name);
    if (!index || in.columnNewerThan(column.name, row.stamps[*index])) out.apply.push_back(column.name);
  }
  out.rowChanged = !out.apply.empty();
  return out;
}

// Rule 2: an insert or update of a deleted row.
Resolution writeDeletedRow(const ServerRow& row, const Incoming& in) {
  // The device saw the delete and re-creates the row.
  if (!in.unseen(row.deletion)) return applyAll(in);
  // An update against a delete it did not see: the deletion is one more conflicting "column", against every column
  // of the change.
  const auto revive = [&] {
    auto out = settleColumns(row, in);
    out.overrode = columnNames(in.change.columns);  // the deletion was overridden by every column it brings back
    return out;
  };
  switch (in.change.policy) {
    case ConflictPolicy::merge:
      if (in.newerThan(row.deletion)) return revive();
      return lostToTheDeletion(row, in);
    case ConflictPolicy::serverWins: return lost(columnNames(in.change.columns), true);
    case ConflictPolicy::clientWins: return revive();
    case ConflictPolicy::manual: return conflict(columnNames(in.change.columns), true);
  }
  return lost(columnNames(in.change.columns), true);
}

// Rule 4: a delete of a live row. Every column changed since base conflicts with it (a delete has no values to
// compare), listed in the row's column order.
Resolution deleteLiveRow(const ServerRow& row, const Incoming& in) {
  std::vector<std::string> changed;
  bool newerThanAll = true;
  for (std::size_t i = 0; i < row.columns.size() && i < row.stamps.size(); ++i) {
    if (!in.unseen(row.stamps[i])) continue;
    changed.push_back(row.columns[i].name);
    newerThanAll = newerThanAll && in.newerThan(row.stamps[i]);
  }
  bool deletes = true;
  if (!changed.empty()) {
    switch (in.change.policy) {
      case ConflictPolicy::merge: deletes = newerThanAll; break;
      case ConflictPolicy::serverWins: deletes = false; break;
      case ConflictPolicy::clientWins: deletes = true; break;
      case ConflictPolicy::manual: return conflict(std::move(changed), false);
    }
  }
  if (!deletes) return lost(std::move(changed), false);
  auto out = deleted(true);
  out.overrode = std::move(changed);
  return out;
}

}  // namespace

bool newer(HlcStamp aHlc, std::string_view aDevice, HlcStamp bHlc, std::string_view bDevice) {
  if (aHlc != bHlc) return aHlc > bHlc;
  // std::char_traits<char> compares as unsigned char: byte order, the same on every platform.
  return aDevice > bDevice;
}

Resolution resolve(const std::optional<ServerRow>& current, const WireChange& change, std::string_view deviceId) {
  const Incoming in{change, deviceId};
  const bool removes = change.op == ChangeOp::remove;
  // Rule 1: a delete of a row never seen still leaves a tombstone, so an older insert from elsewhere cannot revive it.
  if (!current) return removes ? deleted(true) : applyAll(in);
  if (removes) {
    // Rule 5: a delete of a deleted row changes nothing.
    return current->deleted ? deleted(false) : deleteLiveRow(*current, in);
  }
  if (current->deleted) return writeDeletedRow(*current, in);
  // Rule 3. An insert against a live row is an update of all its columns with its own base: 0 when two devices
  // created the same id, so every differing column conflicts.
  return settleColumns(*current, in);
}

}  // namespace offline_sync::merge
