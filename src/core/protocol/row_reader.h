// Reading a row as the server has it: what pull returns and what merged and conflicting push results carry.
#pragma once

#include "core/protocol/json_reader.h"
#include "core/protocol/messages.h"

namespace offline_sync::protocol {

// {"table", "row", "version", "deleted", "columns", "stamps"}, all required; one stamp per column.
RowState readRow(json::ondemand::value& value, const json::Where& where, const Limits& limits);

}  // namespace offline_sync::protocol
