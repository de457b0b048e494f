// How a column value is spelled on the wire (docs/PROTOCOL.md, "Values"), in both directions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/protocol/json_reader.h"
#include "core/protocol/json_writer.h"
#include "core/protocol/messages.h"
#include "core/protocol/rule_breaks.h"

namespace offline_sync::protocol {

// 2^53 - 1: the largest integer every JSON reader (JavaScript's above all) holds exactly as a plain number.
inline constexpr std::int64_t kMaxPlainInteger = (std::int64_t{1} << 53) - 1;
inline constexpr std::string_view kIntTag = "$int";
inline constexpr std::string_view kBlobTag = "$blob";

void writeValue(JsonWriter& out, const store::Value& value);
void writeColumns(JsonWriter& out, const std::vector<ColumnValue>& columns);

// One value: null, an integer, a real, a string, {"$int": "..."} or {"$blob": "..."}. Text and blobs over
// limits.maxValueBytes are reported to `breaks` (and kept, so a later check sees them too).
store::Value readValue(json::ondemand::value& value, const json::Where& where, const Limits& limits,
                       RuleBreaks& breaks);
// A "columns" object. Names that are not identifiers, a name given twice and more than limits.maxColumnsPerChange
// columns are reported to `breaks`.
std::vector<ColumnValue> readColumns(json::ondemand::value& value, const json::Where& where, const Limits& limits,
                                     RuleBreaks& breaks);

}  // namespace offline_sync::protocol
