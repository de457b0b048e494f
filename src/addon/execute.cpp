// Binds, steps and reads a statement, always leaving it reset for its next use.
#include "addon/execute.h"

#include <sqlite3.h>

#include "addon/addon.h"
#include "addon/values.h"

namespace offline_sync::addon {
namespace {

// One execution of a statement: binds the call's parameters, then holds the statement busy (JS that runs meanwhile,
// such as a setter storing a row, cannot re-enter it) until the execution ends and resets it.
class Execution {
 public:
  Execution(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement) : statement_(statement) {
    statement.ensureUsable();
    bindArguments(info, first, statement);
    statement.setBusy(true);
  }
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;
  ~Execution() { statement_.reset(); }

 private:
  store::Statement& statement_;
};

}  // namespace

Napi::Value runStatement(const Napi::CallbackInfo& info, std::size_t first, store::Connection& connection,
                          store::Statement& statement) {
  const Napi::Env env = info.Env();
  Execution execution(info, first, statement);
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
  Execution execution(info, first, statement);
  if (!statement.step()) return env.Undefined();
  return RowReader(env, statement).read(statement);
}

Napi::Array allRows(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement) {
  const Napi::Env env = info.Env();
  Execution execution(info, first, statement);
  Napi::Array rows = Napi::Array::New(env);
  if (!statement.step()) return rows;
  // Made after the first step: a step may re-prepare the statement (after a schema change), and the column names
  // the reader keeps are the prepared statement's.
  RowReader reader(env, statement);
  std::uint32_t count = 0;
  do {
    rows.Set(count++, reader.read(statement));
  } while (statement.step());
  return rows;
}

}  // namespace offline_sync::addon
