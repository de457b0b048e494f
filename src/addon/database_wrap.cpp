// Database methods; each checks its arguments, runs in the core, and turns failures into coded JS errors.
#include "addon/database_wrap.h"

#include <cmath>
#include <limits>
#include <vector>

#include "addon/addon.h"
#include "addon/arguments.h"
#include "addon/errors.h"
#include "addon/execute.h"
#include "addon/values.h"
#include "addon/statement_wrap.h"
#include "addon/sync_client_wrap.h"

namespace offline_sync::addon {
namespace {

store::Synchronous parseSynchronous(const std::string& mode) {
  if (mode == "off") return store::Synchronous::off;
  if (mode == "normal") return store::Synchronous::normal;
  if (mode == "full") return store::Synchronous::full;
  if (mode == "extra") return store::Synchronous::extra;
  throwInvalidArgument("options.synchronous must be 'off', 'normal', 'full' or 'extra'");
}

store::StoreOptions parseOptions(const Napi::Value& value) {
  store::StoreOptions options;
  if (value.IsUndefined() || value.IsNull()) return options;
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) throwInvalidArgument("options must be an object");
  const auto object = value.As<Napi::Object>();
  rejectUnknownOptions(object, {"deviceId", "timeout", "fileMustExist", "synchronous"}, "openDatabase");
  options.deviceId = optionalString(object, "deviceId");
  if (auto timeout = optionalNumber(object, "timeout")) {
    if (!(*timeout >= 0 && *timeout <= std::numeric_limits<int>::max())) {
      throwInvalidArgument("options.timeout must be a number of milliseconds from 0 to 2^31-1");
    }
    options.open.busyTimeoutMs = static_cast<int>(*timeout);
  }
  if (auto mustExist = optionalBoolean(object, "fileMustExist")) options.open.fileMustExist = *mustExist;
  if (auto synchronous = optionalString(object, "synchronous")) options.open.synchronous = parseSynchronous(*synchronous);
  return options;
}

}  // namespace

Napi::Function DatabaseWrap::define(Napi::Env env) {
  return DefineClass(env, "Database",
                     {
                         InstanceMethod<&DatabaseWrap::run>("run", kShapedByLib),
                         InstanceMethod<&DatabaseWrap::get>("get", kShapedByLib),
                         InstanceMethod<&DatabaseWrap::all>("all", kShapedByLib),
                         InstanceMethod<&DatabaseWrap::exec>("exec"),
                         InstanceMethod<&DatabaseWrap::prepare>("prepare"),
                         InstanceMethod<&DatabaseWrap::transaction>("transaction"),
                         InstanceMethod<&DatabaseWrap::migrate>("migrate"),
                         InstanceMethod<&DatabaseWrap::track>("track"),
                         InstanceMethod<&DatabaseWrap::pendingChanges>("pendingChanges"),
                         InstanceMethod<&DatabaseWrap::close>("close", kShapedByLib),
                         InstanceAccessor<&DatabaseWrap::deviceId>("deviceId"),
                         InstanceAccessor<&DatabaseWrap::name>("name"),
                         InstanceAccessor<&DatabaseWrap::open>("open"),
                         InstanceAccessor<&DatabaseWrap::inTransaction>("inTransaction"),
                         InstanceMethod<&DatabaseWrap::openSync>("_openSync"),
                     });
}

DatabaseWrap::DatabaseWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DatabaseWrap>(info) {
  guard(info.Env(), [&] {
    const std::string path = requireString(info[0], "The database path");
    store_ = std::make_shared<store::Store>(path, parseOptions(info[1]));
    OfflineSyncAddon::of(info.Env()).openStores()->add(store_);
  });
}

store::Store& DatabaseWrap::live() {
  if (!store_ || !store_->isOpen()) {
    throw Error(ErrorCategory::state, codes::closed, "The database connection is closed");
  }
  return *store_;
}

std::shared_ptr<store::Statement> DatabaseWrap::cachedStatement(const Napi::Value& sql) {
  if (!sql.IsString()) throwInvalidArgument("sql must be a string");
  std::size_t length = 0;
  NAPI_THROW_IF_FAILED(sql.Env(), napi_get_value_string_utf8(sql.Env(), sql, nullptr, 0, &length), nullptr);
  sqlScratch_.resize(length + 1);
  NAPI_THROW_IF_FAILED(sql.Env(),
                       napi_get_value_string_utf8(sql.Env(), sql, sqlScratch_.data(), sqlScratch_.size(), &length),
                       nullptr);
  return live().connection().cached(std::string_view(sqlScratch_.data(), length));
}

Napi::Value DatabaseWrap::run(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    auto statement = cachedStatement(info[0]);
    return runStatement(info, 1, live().connection(), *statement);
  });
}

Napi::Value DatabaseWrap::get(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&] { return getRow(info, 1, *cachedStatement(info[0])); });
}

Napi::Value DatabaseWrap::all(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    return allRows(info, 1, *cachedStatement(info[0]));
  });
}

Napi::Value DatabaseWrap::exec(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const std::string sql = requireString(info[0], "sql");
    // A script takes no parameters: values given anyway would be silently bound as NULL.
    if (info.Length() > 1) throwInvalidArgument("db.exec(sql) takes no parameters: use run(), or prepare() and run()");
    live().connection().exec(sql);
    return info.Env().Undefined();
  });
}

Napi::Value DatabaseWrap::prepare(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const std::string sql = requireString(info[0], "sql");
    return StatementWrap::create(info.Env(), store_, live().connection().prepare(sql));
  });
}

Napi::Value DatabaseWrap::transaction(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const Napi::Function body = requireFunction(info[0], "transaction(fn): fn");
    store::Connection& connection = live().connection();
    connection.begin();
    Napi::Value result;
    try {
      result = body.Call(info.This(), {});
      if (result.IsPromise()) {
        throwInvalidArgument("The transaction function returned a promise: a transaction must finish synchronously");
      }
      // A worker terminated inside fn may have skipped part of it without an exception: never commit that.
      if (environmentStopping(info.Env())) {
        throw Error(ErrorCategory::state, codes::closed, "The environment is shutting down: the transaction rolls back");
      }
      connection.commit();
    } catch (...) {
      connection.rollback();
      throw;
    }
    return result;
  });
}

Napi::Value DatabaseWrap::migrate(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsArray()) throwInvalidArgument("migrate(steps): steps must be an array of SQL strings");
    const auto array = info[0].As<Napi::Array>();
    std::vector<std::string> steps;
    steps.reserve(array.Length());
    for (std::uint32_t i = 0; i < array.Length(); ++i) {
      steps.push_back(requireString(array.Get(i), ("migrate(steps): steps[" + std::to_string(i) + "]").c_str()));
    }
    const store::MigrationResult result = live().migrate(steps);
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("applied", Napi::Number::New(info.Env(), static_cast<double>(result.applied)));
    out.Set("version", Napi::Number::New(info.Env(), static_cast<double>(result.version)));
    return out;
  });
}

Napi::Value DatabaseWrap::track(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const std::string table = requireString(info[0], "track(table): table");
    std::optional<ConflictPolicy> policy;
    if (!info[1].IsUndefined() && !info[1].IsNull()) {
      if (!info[1].IsObject() || info[1].IsArray() || info[1].IsFunction()) {
        throwInvalidArgument("track(table, options): options must be an object");
      }
      rejectUnknownOptions(info[1].As<Napi::Object>(), {"conflict"}, "track");
      if (auto name = optionalString(info[1].As<Napi::Object>(), "conflict")) {
        const auto parsed = parseConflictPolicy(*name);
        if (!parsed) {
          throwInvalidArgument("track(table, options): conflict must be 'merge', 'server-wins', 'client-wins' or "
                               "'manual', not '" + *name + "'");
        }
        policy = *parsed;
      }
    }
    const store::TrackedTable tracked = live().track(table, policy);
    const Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("table", tracked.name);
    out.Set("conflict", std::string(conflictPolicyName(tracked.policy)));
    Napi::Array columns = Napi::Array::New(env, tracked.columns.size());
    for (std::size_t i = 0; i < tracked.columns.size(); ++i) columns.Set(static_cast<std::uint32_t>(i), tracked.columns[i].name);
    out.Set("columns", columns);
    return out;
  });
}

Napi::Value DatabaseWrap::pendingChanges(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(live().pendingChanges()));
  });
}

Napi::Value DatabaseWrap::close(const Napi::CallbackInfo& info) {
  if (store_) store_->close();
  return info.Env().Undefined();
}

Napi::Value DatabaseWrap::deviceId(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return Napi::String::New(info.Env(), store_->deviceId()); });
}

Napi::Value DatabaseWrap::name(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), store_->connection().path());
}

Napi::Value DatabaseWrap::open(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_ && store_->isOpen());
}

Napi::Value DatabaseWrap::inTransaction(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_ && store_->isOpen() && store_->connection().inTransaction());
}

Napi::Value DatabaseWrap::openSync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    live();  // ERR_CLOSED on a closed database
    return SyncClientWrap::create(info.Env(), store_, info[0], info[1]);
  });
}

}  // namespace offline_sync::addon
