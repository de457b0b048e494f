// Encoding of every protocol v1 message (docs/PROTOCOL.md) as compact JSON; decoding is in decoder.cpp.
#include "core/protocol/codec.h"

#include <charconv>
#include <variant>

#include "core/error.h"
#include "core/protocol/json_writer.h"
#include "core/protocol/wire_values.h"

namespace offline_sync::protocol {
namespace {

void writeHlc(JsonWriter& out, HlcStamp stamp) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, stamp);
  out.string(std::string_view(buffer, static_cast<std::size_t>(result.ptr - buffer)));
}

// Numbers are counted at their longest rather than spelled: the push path sizes every row it writes.
constexpr std::size_t kInteger = 20;  // an int64's or uint64's digits and sign
constexpr std::size_t kReal = 24;     // the longest shortest spelling of a double

std::size_t approximateValueBytes(const store::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return text->size() + 2;
  if (const auto* blob = std::get_if<store::Blob>(&value)) return (blob->size() + 2) / 3 * 4 + 12;  // {"$blob":""}
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    const bool plain = *integer >= -kMaxPlainInteger && *integer <= kMaxPlainInteger;
    return kInteger + (plain ? 0 : 11);  // {"$int":""}
  }
  return std::holds_alternative<double>(value) ? kReal : 4;  // null
}

void writeNames(JsonWriter& out, const std::vector<std::string>& names) {
  out.beginArray();
  for (const auto& name : names) out.string(name);
  out.endArray();
}

void writeRow(JsonWriter& out, const RowState& row) {
  if (row.stamps.size() != row.columns.size()) {
    throwInvalidArgument("row " + row.table + "/" + row.row + " has " + std::to_string(row.columns.size()) +
                         " columns but " + std::to_string(row.stamps.size()) + " stamps");
  }
  out.beginObject();
  out.key("table").string(row.table);
  out.key("row").string(row.row);
  out.key("version").integer(row.version);
  out.key("deleted").boolean(row.deleted);
  out.key("columns");
  writeColumns(out, row.columns);
  out.key("stamps").beginObject();
  for (std::size_t i = 0; i < row.columns.size(); ++i) {
    const ColumnStamp& stamp = row.stamps[i];
    out.key(row.columns[i].name).beginArray();
    writeHlc(out, stamp.hlc);
    out.string(stamp.device).integer(stamp.version).endArray();
  }
  out.endObject();
  out.endObject();
}

void writeChange(JsonWriter& out, const WireChange& change) {
  out.beginObject();
  out.key("id").string(change.id);
  out.key("table").string(change.table);
  out.key("row").string(change.row);
  out.key("op").string(opName(change.op));
  out.key("policy").string(conflictPolicyName(change.policy));
  out.key("baseVersion").integer(change.baseVersion);
  out.key("hlc");
  writeHlc(out, change.hlc);
  out.key("columns");
  writeColumns(out, change.columns);
  if (!change.olderStamps.empty()) {
    out.key("stamps").beginObject();
    for (const auto& [name, stamp] : change.olderStamps) {
      out.key(name);
      writeHlc(out, stamp);
    }
    out.endObject();
  }
  out.endObject();
}

void writeResult(JsonWriter& out, const PushResult& result) {
  out.beginObject();
  out.key("id").string(result.id);
  out.key("status").string(statusName(result.status));
  switch (result.status) {
    case PushStatus::applied:
      out.key("version").integer(result.version);
      break;
    case PushStatus::merged:
      out.key("version").integer(result.version);
      out.key("kept");
      writeNames(out, result.columns);
      break;
    case PushStatus::conflict:
      out.key("columns");
      writeNames(out, result.columns);
      break;
    case PushStatus::rejected:
      out.key("code").string(result.code);
      out.key("reason").string(result.reason);
      break;
  }
  if ((result.status == PushStatus::applied || result.status == PushStatus::merged) && !result.overrode.empty()) {
    out.key("overrode");
    writeNames(out, result.overrode);
  }
  if (result.status == PushStatus::merged || result.status == PushStatus::conflict) {
    // The client settles its pending changes against this row: an answer without it would be refused.
    if (!result.row) {
      throwInvalidArgument("push result " + result.id + " is " + std::string(statusName(result.status)) +
                           " but has no row");
    }
    out.key("row");
    writeRow(out, *result.row);
  }
  out.endObject();
}

}  // namespace

std::size_t approximateRowBytes(const RowState& row) {
  return approximateRowBytes(row.table, row.row, row.version, row.columns, row.stamps);
}

std::size_t approximateRowBytes(std::string_view table, std::string_view rowId, std::int64_t version,
                                std::span<const ColumnValue> columns, std::span<const ColumnStamp> stamps) {
  // {"table":"","row":"","version":,"deleted":false,"columns":{},"stamps":{}}, with a comma after it
  constexpr std::size_t kRowFrame = 74;
  // "name":value, and "name":["hlc","device",version], each with its comma
  constexpr std::size_t kColumnFrame = 16;
  std::size_t bytes = kRowFrame + table.size() + rowId.size() + kInteger;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    bytes += kColumnFrame + 2 * columns[i].name.size() + 2 * kInteger;  // and the stamp's hlc and version
    if (i < stamps.size()) bytes += stamps[i].device.size();
    bytes += approximateValueBytes(columns[i].value);
  }
  return bytes;
}

std::string encodePushRequest(const PushRequest& request) {
  JsonWriter out;
  out.beginObject();
  out.key("deviceId").string(request.deviceId);
  out.key("changes").beginArray();
  for (const auto& change : request.changes) writeChange(out, change);
  out.endArray();
  out.endObject();
  return out.take();
}

std::string encodePushResponse(const PushResponse& response) {
  JsonWriter out;
  out.beginObject();
  out.key("results").beginArray();
  for (const auto& result : response.results) writeResult(out, result);
  out.endArray();
  out.key("cursor").integer(response.cursor);
  out.endObject();
  return out.take();
}

std::string encodePullResponse(const PullResponse& response) {
  JsonWriter out;
  out.beginObject();
  out.key("rows").beginArray();
  for (const auto& row : response.rows) writeRow(out, row);
  out.endArray();
  out.key("cursor").integer(response.cursor);
  out.key("more").boolean(response.more);
  out.endObject();
  return out.take();
}

std::string encodeLiveMessage(const LiveMessage& message) {
  JsonWriter out;
  out.beginObject();
  out.key("type").string(message.type == LiveMessage::Type::hello ? "hello" : "changed");
  out.key("cursor").integer(message.cursor);
  out.endObject();
  return out.take();
}

std::string encodeError(const ErrorBody& error) {
  JsonWriter out;
  out.beginObject().key("error").beginObject();
  out.key("code").string(error.code);
  out.key("message").string(error.message);
  out.endObject().endObject();
  return out.take();
}

}  // namespace offline_sync::protocol
