// Reads of the protocol's identifier fields (tables, columns, rows, devices, change ids), each checked against its
// rule in docs/PROTOCOL.md before the decoder keeps it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/json_reader.h"
#include "core/protocol/messages.h"
#include "core/protocol/rule_breaks.h"

namespace offline_sync::protocol {

// A table name or a row id; a string breaking the rule is reported to `breaks` (and kept when that records it).
std::string tableAt(json::ondemand::value& value, const json::Where& where, RuleBreaks& breaks);
std::string rowIdAt(json::ondemand::value& value, const json::Where& where, RuleBreaks& breaks);
// A device id, or any device's change id (in a push result): a bad one is ERR_PROTOCOL.
std::string deviceIdAt(json::ondemand::value& value, const json::Where& where);
std::string changeIdAt(json::ondemand::value& value, const json::Where& where);
// An array of column names (kept or conflicting columns): identifiers, each once, at most maxColumnsPerChange.
std::vector<std::string> columnNamesAt(json::ondemand::value& value, const json::Where& where, const Limits& limits);

}  // namespace offline_sync::protocol
