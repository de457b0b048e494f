// Converts between JS values and SQLite values: parameters in, rows out, with no intermediate copies.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/store/statement.h"

namespace offline_sync::addon {

// Binds `params` to every parameter of the statement: an array binds by position, a plain object by name
// (:name, @name and $name all read key "name"); undefined or null means "no parameters".
// JS is only consulted (getters, proxies) before the statement is checked and touched.
void bindParameters(Napi::Env env, store::Statement& statement, Napi::Value params, std::string& scratch);

// Integers within ±(2^53-1) as numbers, beyond as BigInt.
Napi::Value integerToJs(Napi::Env env, std::int64_t value);

// The property keys of the current result's columns, created once per execution.
std::vector<napi_value> columnKeys(Napi::Env env, const store::Statement& statement);
// The current row as a plain object; keys from columnKeys.
Napi::Object readRow(Napi::Env env, const store::Statement& statement, const std::vector<napi_value>& keys);

}  // namespace offline_sync::addon
