// The sync engine's side of the outbox: take a batch to send, then acknowledge, put back or quarantine each change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/store/change.h"
#include "core/store/connection.h"

namespace offline_sync::store {

struct OutboxCounts {
  std::int64_t pending = 0;      // captured, not sent yet
  std::int64_t inFlight = 0;     // sent, outcome not known yet
  std::int64_t quarantined = 0;  // refused by the server for good; kept with the reason
  std::int64_t unacknowledged() const { return pending + inFlight; }
};

struct Acknowledgement {
  std::int64_t changeSeq = 0;
  std::int64_t version = 0;  // the server's sequence number for the change: the row's new version
  std::string_view table;    // the change's row (the caller's batch holds the strings)
  std::string_view rowId;
  // The device holds the row as it is at `version` (a merged answer's row was written here). Otherwise the row at
  // `version` may carry other devices' columns the device has not pulled yet, and the version it has seen stays.
  // Even then it stays while another change of the row is pending or on its way: that change was made before.
  bool rowSeen = false;
};

// Changes takeBatch leaves where they are: those in batches still on their way (by change id) and every change of a
// row that has one on its way or is held back (a later change of the row must follow the earlier one's answer, or it
// would carry a stale base version and could reach the server first).
struct BusyChanges {
  std::unordered_set<std::int64_t> changeSeqs;
  std::set<std::pair<std::string, std::string>, std::less<>> rows;  // (table, row id)

  bool holds(std::int64_t changeSeq, const std::string& table, const std::string& rowId) const {
    return changeSeqs.contains(changeSeq) || rows.contains(std::pair(table, rowId));
  }
};

class Outbox {
 public:
  // On the engine's connection (capture off). The clock is persisted with each acknowledgement.
  Outbox(Connection& connection, HybridClock& clock) : connection_(connection), clock_(clock) {}

  // Up to `limit` changes, oldest first: those already in flight again (unchanged, same ids), then pending ones,
  // which are marked in flight with a new change id and their current values. One transaction. Changes `busy` holds
  // are left out (in flight ones stay in flight, pending ones pending).
  std::vector<OutboxChange> takeBatch(std::size_t limit, const BusyChanges& busy = {});
  // The server applied these: their entries go. A row's version is recorded when the device had none for it (it
  // created the row) or has seen the row at that version (rowSeen): it is the base of the row's next change, which
  // the server takes as "every other device's change up to it was seen here".
  void acknowledge(std::span<const Acknowledgement> acknowledgements);
  // The server did not apply this change (and will not, under this id): it is pending again, folded into a newer
  // pending change of the same row if there is one.
  void putBack(std::int64_t changeSeq, std::string_view reason);
  // The server refuses this change for good: it stays, out of the queue, with the reason.
  void quarantine(std::int64_t changeSeq, std::string_view reason);
  OutboxCounts counts();

 private:
  void takePending(std::size_t limit, const BusyChanges& busy, std::vector<OutboxChange>& batch);

  Connection& connection_;
  HybridClock& clock_;
};

// Unacknowledged changes (pending and in flight), on any connection: db.pendingChanges().
std::int64_t countUnacknowledged(Connection& connection);

}  // namespace offline_sync::store
