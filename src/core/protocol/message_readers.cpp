// Reads each message field by field in document order (On-Demand is forward-only), then checks what depends on
// several fields (required ones, the change id's device, stamps matching columns) once the object is done.
#include "core/protocol/message_readers.h"

#include <algorithm>

#include "core/protocol/codec.h"
#include "core/protocol/field_readers.h"
#include "core/protocol/row_reader.h"
#include "core/protocol/rule_breaks.h"
#include "core/protocol/wire_values.h"

namespace offline_sync::protocol {
namespace {

namespace ondemand = simdjson::ondemand;
using json::fail;
using json::failTooLarge;
using json::SeenFields;
using json::Where;

ChangeOp opAt(ondemand::value& value, const Where& where) {
  const std::string_view name = json::stringAt(value, where);
  if (name == "insert") return ChangeOp::insert;
  if (name == "update") return ChangeOp::update;
  if (name == "delete") return ChangeOp::remove;
  fail(where, "expected \"insert\", \"update\" or \"delete\"");
}

// "stamps": { column: hlc, ... }, at most one per column a change may have.
std::vector<std::pair<std::string, HlcStamp>> readOlderStamps(ondemand::value& value, const Where& where,
                                                              const Limits& limits) {
  auto object = json::objectAt(value, where);
  std::vector<std::pair<std::string, HlcStamp>> stamps;
  json::forEachField(object, where, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (stamps.size() >= limits.maxColumnsPerChange) failTooLarge(at, "more stamps than a change has columns");
    stamps.emplace_back(std::string(key), json::hlcAt(field, at));
  });
  return stamps;
}

WireChange readChange(ondemand::value& value, const Where& where, const Limits& limits) {
  enum : unsigned {
    kId = 1, kTable = 2, kRow = 4, kOp = 8, kPolicy = 16, kBase = 32, kHlc = 64, kColumns = 128, kStamps = 256
  };
  auto object = json::objectAt(value, where);
  WireChange change;
  SeenFields seen;
  RuleBreaks breaks(change.rejection, where);
  json::forEachField(object, where, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "id") {
      seen.mark(kId, at);
      change.id = json::stringAt(field, at);  // checked against deviceId once the request is read
    } else if (key == "table") {
      seen.mark(kTable, at);
      change.table = tableAt(field, at, breaks);
    } else if (key == "row") {
      seen.mark(kRow, at);
      change.row = rowIdAt(field, at, breaks);
    } else if (key == "op") {
      seen.mark(kOp, at);
      change.op = opAt(field, at);
    } else if (key == "policy") {
      seen.mark(kPolicy, at);
      const auto policy = parseConflictPolicy(json::stringAt(field, at));
      if (!policy) fail(at, "expected \"merge\", \"server-wins\", \"client-wins\" or \"manual\"");
      change.policy = *policy;
    } else if (key == "baseVersion") {
      seen.mark(kBase, at);
      change.baseVersion = json::versionAt(field, at);
    } else if (key == "hlc") {
      seen.mark(kHlc, at);
      change.hlc = json::hlcAt(field, at);
    } else if (key == "columns") {
      seen.mark(kColumns, at);
      change.columns = readColumns(field, at, limits, breaks);
    } else if (key == "stamps") {
      seen.mark(kStamps, at);
      change.olderStamps = readOlderStamps(field, at, limits);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kId, where, "id");
  seen.require(kTable, where, "table");
  seen.require(kRow, where, "row");
  seen.require(kOp, where, "op");
  seen.require(kPolicy, where, "policy");
  seen.require(kBase, where, "baseVersion");
  seen.require(kHlc, where, "hlc");
  if (change.op != ChangeOp::remove) {
    seen.require(kColumns, where, "columns");
  } else if (!change.columns.empty()) {
    fail(Where(where, "columns"), "a delete has no columns ({} or absent)");
  }
  // Each older stamp names one of the change's columns, once, and is older than the change's own stamp.
  const Where stampsAt(where, "stamps");
  for (std::size_t i = 0; i < change.olderStamps.size(); ++i) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
    const std::string& name = change.olderStamps[i].first;
    const HlcStamp stamp = change.olderStamps[i].second;
    const Where at(stampsAt, name);
    if (std::ranges::none_of(change.columns, [&](const ColumnValue& column) { return column.name == name; })) {
      fail(at, "names a column the change does not have");
    }
    if (stamp >= change.hlc) fail(at, "must be older than the change's hlc");
    for (std::size_t j = 0; j < i; ++j) {
      if (change.olderStamps[j].first == name) fail(at, "appears twice");
    }
  }
  return change;
}

PushStatus statusAt(ondemand::value& value, const Where& where) {
  const std::string_view name = json::stringAt(value, where);
  if (name == "applied") return PushStatus::applied;
  if (name == "merged") return PushStatus::merged;
  if (name == "conflict") return PushStatus::conflict;
  if (name == "rejected") return PushStatus::rejected;
  fail(where, "expected \"applied\", \"merged\", \"conflict\" or \"rejected\"");
}

PushResult readResult(ondemand::value& value, const Where& where, const Limits& limits) {
  enum : unsigned {
    kId = 1, kStatus = 2, kVersion = 4, kKept = 8, kColumns = 16, kRow = 32, kCode = 64, kReason = 128,
    kOverrode = 256
  };
  auto object = json::objectAt(value, where);
  PushResult result;
  std::vector<std::string> kept;
  std::vector<std::string> conflicting;
  SeenFields seen;
  json::forEachField(object, where, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "id") {
      seen.mark(kId, at);
      result.id = changeIdAt(field, at);
    } else if (key == "status") {
      seen.mark(kStatus, at);
      result.status = statusAt(field, at);
    } else if (key == "version") {
      seen.mark(kVersion, at);
      result.version = json::versionAt(field, at);
    } else if (key == "kept") {
      seen.mark(kKept, at);
      kept = columnNamesAt(field, at, limits);
    } else if (key == "columns") {
      seen.mark(kColumns, at);
      conflicting = columnNamesAt(field, at, limits);
    } else if (key == "overrode") {
      seen.mark(kOverrode, at);
      result.overrode = columnNamesAt(field, at, limits);
    } else if (key == "row") {
      seen.mark(kRow, at);
      result.row = readRow(field, at, limits);
    } else if (key == "code") {
      seen.mark(kCode, at);
      result.code = json::stringAt(field, at);
    } else if (key == "reason") {
      seen.mark(kReason, at);
      result.reason = json::stringAt(field, at);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kId, where, "id");
  seen.require(kStatus, where, "status");
  // Which fields a result needs depends on its status, which may come last; fields of other statuses are dropped so
  // the decoded result holds exactly what its status means.
  switch (result.status) {
    case PushStatus::applied:
      seen.require(kVersion, where, "version");
      result.row.reset();
      break;
    case PushStatus::merged:
      seen.require(kVersion, where, "version");
      seen.require(kKept, where, "kept");
      seen.require(kRow, where, "row");
      result.columns = std::move(kept);
      break;
    case PushStatus::conflict:
      seen.require(kColumns, where, "columns");
      seen.require(kRow, where, "row");
      result.version = 0;
      result.columns = std::move(conflicting);
      break;
    case PushStatus::rejected:
      seen.require(kCode, where, "code");
      seen.require(kReason, where, "reason");
      result.version = 0;
      result.row.reset();
      break;
  }
  if (result.status != PushStatus::applied && result.status != PushStatus::merged) result.overrode.clear();
  if (result.status != PushStatus::rejected) {
    result.code.clear();
    result.reason.clear();
  }
  return result;
}

// The elements of an array of at most `limit` entries, each read by readOne.
template <typename Element, typename ReadOne>
std::vector<Element> readList(ondemand::value& value, const Where& where, std::size_t limit, ReadOne&& readOne) {
  auto array = json::arrayAt(value, where);
  std::vector<Element> list;
  json::forEachElement(array, where, [&](ondemand::value& element, const Where& at) {
    if (list.size() == limit) failTooLarge(where, "more than " + std::to_string(limit) + " entries");
    list.push_back(readOne(element, at));
  });
  return list;
}

}  // namespace

PushRequest readPushRequest(ondemand::object& root, const Where& body, const Limits& limits) {
  enum : unsigned { kDeviceId = 1, kChanges = 2 };
  PushRequest request;
  SeenFields seen;
  json::forEachField(root, body, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "deviceId") {
      seen.mark(kDeviceId, at);
      request.deviceId = deviceIdAt(field, at);
    } else if (key == "changes") {
      seen.mark(kChanges, at);
      request.changes = readList<WireChange>(field, at, limits.maxChangesPerPush, [&](auto& element, const Where& in) {
        return readChange(element, in, limits);
      });
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kDeviceId, body, "deviceId");
  seen.require(kChanges, body, "changes");
  // Checked once the whole object is read: "deviceId" may come after "changes". This break wins over any other, as
  // the server records results under change ids and must not do so under another device's.
  for (auto& change : request.changes) {
    if (!isValidChangeId(change.id, request.deviceId)) {
      change.rejection = Rejection{std::string(rejection_codes::changeId),
                                   "id: must be \"<deviceId>:<n>\" with this request's deviceId and 0 < n < 2^63"};
    }
  }
  return request;
}

PushResponse readPushResponse(ondemand::object& root, const Where& body, const Limits& limits) {
  enum : unsigned { kResults = 1, kCursor = 2 };
  PushResponse response;
  SeenFields seen;
  json::forEachField(root, body, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "results") {
      seen.mark(kResults, at);
      response.results = readList<PushResult>(field, at, limits.maxChangesPerPush, [&](auto& element, const Where& in) {
        return readResult(element, in, limits);
      });
    } else if (key == "cursor") {
      seen.mark(kCursor, at);
      response.cursor = json::versionAt(field, at);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kResults, body, "results");
  seen.require(kCursor, body, "cursor");
  return response;
}

PullResponse readPullResponse(ondemand::object& root, const Where& body, const Limits& limits) {
  enum : unsigned { kRows = 1, kCursor = 2, kMore = 4 };
  PullResponse response;
  SeenFields seen;
  json::forEachField(root, body, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "rows") {
      seen.mark(kRows, at);
      response.rows = readList<RowState>(field, at, limits.maxPullLimit, [&](auto& element, const Where& in) {
        return readRow(element, in, limits);
      });
    } else if (key == "cursor") {
      seen.mark(kCursor, at);
      response.cursor = json::versionAt(field, at);
    } else if (key == "more") {
      seen.mark(kMore, at);
      response.more = json::booleanAt(field, at);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kRows, body, "rows");
  seen.require(kCursor, body, "cursor");
  seen.require(kMore, body, "more");
  return response;
}

LiveMessage readLiveMessage(ondemand::object& root, const Where& body) {
  enum : unsigned { kType = 1, kCursor = 2 };
  LiveMessage message;
  SeenFields seen;
  json::forEachField(root, body, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "type") {
      seen.mark(kType, at);
      const std::string_view type = json::stringAt(field, at);
      if (type == "hello") {
        message.type = LiveMessage::Type::hello;
      } else if (type == "changed") {
        message.type = LiveMessage::Type::changed;
      } else {
        fail(at, "expected \"hello\" or \"changed\"");
      }
    } else if (key == "cursor") {
      seen.mark(kCursor, at);
      message.cursor = json::versionAt(field, at);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kType, body, "type");
  seen.require(kCursor, body, "cursor");
  return message;
}

ErrorBody readErrorBody(ondemand::object& root, const Where& body) {
  enum : unsigned { kError = 1, kCode = 2, kMessage = 4 };
  ErrorBody error;
  SeenFields seen;
  json::forEachField(root, body, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key != "error") return json::skipValue(field, at);
    seen.mark(kError, at);
    auto object = json::objectAt(field, at);
    json::forEachField(object, at, [&](std::string_view innerKey, ondemand::value& inner, const Where& innerAt) {
      if (innerKey == "code") {
        seen.mark(kCode, innerAt);
        error.code = json::stringAt(inner, innerAt);
      } else if (innerKey == "message") {
        seen.mark(kMessage, innerAt);
        error.message = json::stringAt(inner, innerAt);
      } else {
        json::skipValue(inner, innerAt);
      }
    });
    seen.require(kCode, at, "code");
    seen.require(kMessage, at, "message");
  });
  seen.require(kError, body, "error");
  return error;
}

}  // namespace offline_sync::protocol
