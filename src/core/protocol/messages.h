// The messages of sync protocol v1 (docs/PROTOCOL.md) as C++ values, shared by the client engine and the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock/hybrid_clock.h"
#include "core/merge/conflict_policy.h"
#include "core/store/change.h"
#include "core/store/payload_codec.h"

namespace offline_sync::protocol {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::string_view kProtocolHeader = "X-Offline-Sync-Protocol";

struct Limits {
  std::size_t maxBodyBytes = 8 * 1024 * 1024;  // a request (push)
  // A response (push answers, pull pages): the client transport's cap, TransportOptions::maxResponseBytes. Merged
  // answers carry whole rows, so a push's answer may be far larger than its request.
  std::size_t maxResponseBytes = 64 * 1024 * 1024;
  std::size_t maxValueBytes = 1024 * 1024;
  std::size_t maxChangesPerPush = 1000;
  std::size_t maxColumnsPerChange = 63;
  std::size_t maxPullLimit = 5000;
  std::size_t defaultPullLimit = 1000;
  // A pull page ends before `limit` rows once its rows reach this many bytes (approximateRowBytes), so that large rows
  // arrive over several responses. Always at least one row.
  std::size_t maxPullPageBytes = 8 * 1024 * 1024;
  // A change that would grow a row past this many bytes (approximateRowBytes) is rejected ERR_TOO_LARGE: a row
  // must fit in a response. Text escapes lengthen the JSON at most six times, and 6 x 8 MiB is below 64 MiB, so a
  // page or a push answer of one row always fits.
  std::size_t maxRowBytes = 8 * 1024 * 1024;
};

using store::ChangeOp;
using store::ColumnValue;

// Why a change breaks a rule of its own (an identifier, a value over the limits): the server answers it `rejected`
// and applies the rest of the push.
struct Rejection {
  std::string code;
  std::string reason;
};

// One change as a device sends it.
struct WireChange {
  std::string id;  // "<deviceId>:<n>"
  std::string table;
  std::string row;
  ChangeOp op = ChangeOp::insert;
  ConflictPolicy policy = ConflictPolicy::merge;
  std::int64_t baseVersion = 0;
  HlcStamp hlc = 0;
  std::vector<ColumnValue> columns;  // none for a delete
  std::optional<Rejection> rejection;
  // Columns written before `hlc` (the change folds several writes of the row) and their own stamps, each older than
  // `hlc`; every other column has `hlc`. "stamps" on the wire, left out when empty.
  std::vector<std::pair<std::string, HlcStamp>> olderStamps;

  // The stamp the conflict rules give column `name`.
  HlcStamp columnHlc(std::string_view name) const {
    for (const auto& [column, stamp] : olderStamps) {
      if (column == name) return stamp;
    }
    return hlc;
  }
};

struct PushRequest {
  std::string deviceId;
  std::vector<WireChange> changes;
};

// The last change of one column: its clock stamp, device and server version.
struct ColumnStamp {
  HlcStamp hlc = 0;
  std::string device;
  std::int64_t version = 0;
  bool operator==(const ColumnStamp&) const = default;
};

// A row as the server has it; what pull returns and what a merged or conflicting push result carries.
struct RowState {
  std::string table;
  std::string row;
  std::int64_t version = 0;
  bool deleted = false;
  std::vector<ColumnValue> columns;
  std::vector<ColumnStamp> stamps;  // parallel to columns
};

enum class PushStatus { applied, merged, conflict, rejected };

struct PushResult {
  std::string id;
  PushStatus status = PushStatus::applied;
  std::int64_t version = 0;          // applied, merged
  std::vector<std::string> columns;  // merged: the columns kept at the server's value; conflict: the conflicting ones
  std::optional<RowState> row;       // merged, conflict
  std::string code;                  // rejected
  std::string reason;                // rejected
  std::vector<std::string> overrode; // applied, merged: conflicting columns that took the change's value
};

struct PushResponse {
  std::vector<PushResult> results;
  std::int64_t cursor = 0;
};

struct PullRequest {
  std::int64_t cursor = 0;
  std::size_t limit = 1000;
};

struct PullResponse {
  std::vector<RowState> rows;
  std::int64_t cursor = 0;
  bool more = false;
};

// A server notification on the live channel.
struct LiveMessage {
  enum class Type { hello, changed } type = Type::changed;
  std::int64_t cursor = 0;
};

struct ErrorBody {
  std::string code;
  std::string message;
};

std::string_view opName(ChangeOp op);
std::string_view statusName(PushStatus status);

}  // namespace offline_sync::protocol
