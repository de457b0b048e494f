// The three ways to execute a statement from JS (run, get, all), shared by Database and Statement.
#pragma once

#include <napi.h>

#include <string>

#include "core/store/connection.h"
#include "core/store/statement.h"

namespace offline_sync::addon {

// Executes to completion: { changes, lastInsertRowid }.
Napi::Object runStatement(Napi::Env env, store::Connection& connection, store::Statement& statement,
                          Napi::Value params, std::string& scratch);
// The first row, or undefined.
Napi::Value getRow(Napi::Env env, store::Statement& statement, Napi::Value params, std::string& scratch);
// Every row, as an array of objects.
Napi::Array allRows(Napi::Env env, store::Statement& statement, Napi::Value params, std::string& scratch);

}  // namespace offline_sync::addon
