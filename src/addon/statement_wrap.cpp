// Statement methods: run/get/all execute at once; iterate hands the statement to a lazy iterator.
#include "addon/statement_wrap.h"

#include "addon/addon.h"
#include "addon/errors.h"
#include "addon/execute.h"
#include "addon/values.h"
#include "addon/iterator_wrap.h"

namespace offline_sync::addon {
namespace {

struct Parts {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<store::Statement> statement;
};

}  // namespace

Napi::Function StatementWrap::define(Napi::Env env) {
  return DefineClass(env, "Statement",
                     {
                         InstanceMethod<&StatementWrap::run>("run", kShapedByLib),
                         InstanceMethod<&StatementWrap::get>("get", kShapedByLib),
                         InstanceMethod<&StatementWrap::all>("all", kShapedByLib),
                         InstanceMethod<&StatementWrap::iterate>("iterate", kShapedByLib),
                         InstanceAccessor<&StatementWrap::source>("source"),
                         InstanceAccessor<&StatementWrap::reader>("reader"),
                         InstanceAccessor<&StatementWrap::readonly>("readonly"),
                     });
}

Napi::Object StatementWrap::create(Napi::Env env, std::shared_ptr<store::Store> store,
                                   std::shared_ptr<store::Statement> statement) {
  Parts parts{std::move(store), std::move(statement)};
  return OfflineSyncAddon::of(env).statementClass.New({Napi::External<Parts>::New(env, &parts)});
}

StatementWrap::StatementWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StatementWrap>(info) {
  // The External only ever comes from create(), which outlives this synchronous constructor call.
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw makeError(info.Env(), codes::invalidArg, "Statements are created by db.prepare(sql)");
  }
  auto* parts = info[0].As<Napi::External<Parts>>().Data();
  store_ = std::move(parts->store);
  statement_ = std::move(parts->statement);
}

Napi::Value StatementWrap::run(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    return runStatement(info, 0, store_->connection(), *statement_);
  });
}

Napi::Value StatementWrap::get(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&] { return getRow(info, 0, *statement_); });
}

Napi::Value StatementWrap::all(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return allRows(info, 0, *statement_); });
}

Napi::Value StatementWrap::iterate(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    return IteratorWrap::create(info, 0, store_, statement_);
  });
}

Napi::Value StatementWrap::source(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), statement_->sql());
}

Napi::Value StatementWrap::reader(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), statement_->returnsRows()); });
}

Napi::Value StatementWrap::readonly(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), statement_->readonly()); });
}

}  // namespace offline_sync::addon
