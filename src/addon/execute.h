// The three ways to execute a statement from JS (run, get, all), shared by Database and Statement.
#pragma once

#include <napi.h>


#include "core/store/connection.h"
#include "core/store/statement.h"

namespace offline_sync::addon {

// Each binds the call's parameters from argument `first` on (see bindArguments), then:
// executes to completion, returning { changes, lastInsertRowid } (through the run result slots when lib/ registered
// them: then the return value is undefined, or lastInsertRowid as a BigInt when it is beyond 2^53);
Napi::Value runStatement(const Napi::CallbackInfo& info, std::size_t first, store::Connection& connection,
                          store::Statement& statement);
// returns the first row, or undefined;
Napi::Value getRow(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement);
// returns every row, as an array of objects.
Napi::Array allRows(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement);

}  // namespace offline_sync::addon
