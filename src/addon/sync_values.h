// Conversions between the sync engine's column values and JS: conflict rows out (shaped like db.get's rows) and the
// rows of merged conflict answers in (read with the same rules as bound parameters).
#pragma once

#include <napi.h>

#include <vector>

#include "core/store/payload_codec.h"
#include "core/sync/sync_events.h"

namespace offline_sync::addon {

// Integers beyond ±(2^53-1) as BigInt, BLOBs as a Buffer copy (never external memory: Electron refuses it).
Napi::Value valueToJs(Napi::Env env, const store::Value& value);
// A plain row object (column -> value) with own data properties only, as RowReader builds them.
Napi::Object columnsToJs(Napi::Env env, const std::vector<store::ColumnValue>& columns);
// One side of a conflict: its row object, or null when that side deleted the row.
Napi::Value rowSideToJs(Napi::Env env, const sync::RowSide& side);

// A merged row from onConflict: the object's own enumerable string keys, each value null, a number, a bigint, a
// string, a boolean (0/1) or a Uint8Array. Anything else is an Error(ERR_INVALID_ARG) naming the column.
std::vector<store::ColumnValue> rowFromJs(const Napi::Value& row);

}  // namespace offline_sync::addon
