// Converts between JS values and SQLite values: parameters in, rows out, with no intermediate copies.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "core/store/statement.h"

namespace offline_sync::addon {

// Binds `params` to every parameter of the statement: an array binds by position, a plain object by name
// (:name, @name and $name all read key "name"); undefined or null means "no parameters".
// JS is only consulted (getters, proxies) before the statement is checked and touched.
void bindParameters(Napi::Env env, store::Statement& statement, Napi::Value params);

// Methods lib/ wraps to spread array parameters into arguments (see bindArguments).
inline constexpr auto kShapedByLib = static_cast<napi_property_attributes>(napi_writable | napi_configurable);

// Binds a call's parameters as lib/ passes them, starting at argument `first`: `true, v1, v2, ...` (an array spread
// by lib/, so no element is read through Node-API), `false, params`, or just `params` when called directly.
void bindArguments(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement);

// Integers within ±(2^53-1) as numbers, beyond as BigInt.
Napi::Value integerToJs(Napi::Env env, std::int64_t value);

// Turns rows of one execution into plain objects: the column keys are made once, each row is defined in one call.
class RowReader {
 public:
  // After the execution's first step: it keeps the statement's column names (valid until it is re-prepared).
  RowReader(Napi::Env env, const store::Statement& statement);
  // The statement's current row. Columns are own data properties: one named __proto__ is a column, and no setter
  // on Object.prototype runs.
  Napi::Object read(const store::Statement& statement);

 private:
  Napi::Env env_;
  std::vector<napi_property_descriptor> columns_;
};

}  // namespace offline_sync::addon
