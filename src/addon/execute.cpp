// Binds, steps and reads a statement, always leaving it reset for its next use.
#include "addon/execute.h"

#include <sqlite3.h>

#include "addon/addon.h"
#include "addon/values.h"

namespace offline_sync::addon {

Napi::Value runStatement(const Napi::CallbackInfo& info, std::size_t first, store::Connection& connection,
                          store::Statement& statement) {
  const Napi::Env env = info.Env();
  statement.ensureUsable();
  bindArguments(info, first, statement);
  store::ResetOnExit reset(statement);
  statement.setBusy(true);
  // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so a DDL or SELECT would report a stale
  // count: only trust it when this execution changed something.
  const std::int64_t totalBefore = sqlite3_total_changes64(connection.handle());
  while (statement.step()) {
  }
  const bool changed = sqlite3_total_changes64(connection.handle()) != totalBefore;
  const std::int64_t changes = changed ? connection.changes() : 0;
  const Napi::Value rowid = integerToJs(env, connection.lastInsertRowid());
  if (double* slots = OfflineSyncAddon::of(env).runResultSlots()) {
    slots[0] = static_cast<double>(changes);
    slots[1] = static_cast<double>(connection.lastInsertRowid());
    return rowid.IsBigInt() ? rowid : env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("changes", integerToJs(env, changes));
  result.Set("lastInsertRowid", rowid);
  return result;
}

Napi::Value getRow(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement) {
  const Napi::Env env = info.Env();
  statement.ensureUsable();
  bindArguments(info, first, statement);
  store::ResetOnExit reset(statement);
  statement.setBusy(true);
  if (!statement.step()) return env.Undefined();
  return RowReader(env, statement).read(statement);
}

Napi::Array allRows(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement) {
  const Napi::Env env = info.Env();
  statement.ensureUsable();
  bindArguments(info, first, statement);
  store::ResetOnExit reset(statement);
  // Storing a row may run JS (a setter on Array.prototype): busy, the statement cannot be re-entered meanwhile.
  statement.setBusy(true);
  RowReader reader(env, statement);
  Napi::Array rows = Napi::Array::New(env);
  std::uint32_t count = 0;
  while (statement.step()) rows.Set(count++, reader.read(statement));
  return rows;
}

}  // namespace offline_sync::addon
