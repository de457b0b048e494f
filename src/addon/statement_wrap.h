// The JS Statement class: a prepared statement bound to its database's store.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "core/store/statement.h"
#include "core/store/store.h"

namespace offline_sync::addon {

class StatementWrap : public Napi::ObjectWrap<StatementWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // Only db.prepare() creates statements.
  static Napi::Object create(Napi::Env env, std::shared_ptr<store::Store> store,
                             std::shared_ptr<store::Statement> statement);

  explicit StatementWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value run(const Napi::CallbackInfo& info);
  Napi::Value get(const Napi::CallbackInfo& info);
  Napi::Value all(const Napi::CallbackInfo& info);
  Napi::Value iterate(const Napi::CallbackInfo& info);
  Napi::Value source(const Napi::CallbackInfo& info);
  Napi::Value reader(const Napi::CallbackInfo& info);
  Napi::Value readonly(const Napi::CallbackInfo& info);

  std::shared_ptr<store::Store> store_;  // keeps the connection alive as long as the statement
  std::shared_ptr<store::Statement> statement_;
};

}  // namespace offline_sync::addon
