// The JS Database class: the synchronous local store API on the calling thread, like better-sqlite3.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "core/store/store.h"

namespace offline_sync::addon {

class DatabaseWrap : public Napi::ObjectWrap<DatabaseWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // new Database(path, { deviceId?, timeout?, fileMustExist?, synchronous? })
  explicit DatabaseWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value run(const Napi::CallbackInfo& info);
  Napi::Value get(const Napi::CallbackInfo& info);
  Napi::Value all(const Napi::CallbackInfo& info);
  Napi::Value exec(const Napi::CallbackInfo& info);
  Napi::Value prepare(const Napi::CallbackInfo& info);
  Napi::Value transaction(const Napi::CallbackInfo& info);
  Napi::Value migrate(const Napi::CallbackInfo& info);
  Napi::Value track(const Napi::CallbackInfo& info);
  Napi::Value pendingChanges(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);
  Napi::Value deviceId(const Napi::CallbackInfo& info);
  Napi::Value name(const Napi::CallbackInfo& info);
  Napi::Value open(const Napi::CallbackInfo& info);
  Napi::Value inTransaction(const Napi::CallbackInfo& info);
  // _openSync(nativeOptions, dispatch): a native SyncClient on this store (lib/sync.js wraps it for db.sync()).
  Napi::Value openSync(const Napi::CallbackInfo& info);

  // The store if open; ERR_CLOSED otherwise.
  store::Store& live();
  // The cached statement for sql; a SQL argument that is not a string is an ERR_INVALID_ARG.
  std::shared_ptr<store::Statement> cachedStatement(const Napi::Value& sql);

  // Shared with this database's statements: the connection lives until the last of them is collected.
  std::shared_ptr<store::Store> store_;
  std::string sqlScratch_;  // reused UTF-8 buffer for the SQL text of a cache lookup
};

}  // namespace offline_sync::addon
