// SyncClient methods: argument checks and the conversion of the app's answers; the session does the work.
#include "addon/sync_client_wrap.h"

#include <cmath>
#include <optional>
#include <string>

#include "addon/addon.h"
#include "addon/arguments.h"
#include "addon/errors.h"
#include "addon/open_sync_clients.h"
#include "addon/sync_values.h"
#include "core/sync/round_failure.h"

namespace offline_sync::addon {
namespace {

std::uint64_t requireId(const Napi::Value& value) {
  const double id = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(id >= 1 && id <= 9007199254740991.0) || std::trunc(id) != id) throwInvalidArgument("id must be a positive integer");
  return static_cast<std::uint64_t>(id);
}

std::string messageOr(const Napi::Value& value, const char* fallback) {
  return value.IsString() ? value.As<Napi::String>().Utf8Value() : fallback;
}

Error handlerError(const std::string& message) {
  return Error(ErrorCategory::argument, sync::sync_codes::conflictHandler, message);
}

// The app's answer, or why it cannot be used. Reading it may run JS (getters); whatever that throws is the answer's
// failure too: nothing thrown here may reach the engine.
sync::ConflictAnswer readAnswer(const Napi::Value& value) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) {
    throwInvalidArgument("the answer must be { use: 'local' | 'remote' } or { use: 'merged', row }");
  }
  const auto object = value.As<Napi::Object>();
  const Napi::Value use = object.Get("use");
  const std::string name = use.IsString() ? use.As<Napi::String>().Utf8Value() : "";
  sync::ConflictAnswer answer;
  if (name == "local") {
    answer.use = sync::ConflictAnswer::Use::local;
  } else if (name == "remote") {
    answer.use = sync::ConflictAnswer::Use::remote;
  } else if (name == "merged") {
    answer.use = sync::ConflictAnswer::Use::merged;
    answer.row = rowFromJs(object.Get("row"));
  } else {
    throwInvalidArgument("the answer's use must be 'local', 'remote' or 'merged'");
  }
  return answer;
}

struct Parts {
  std::shared_ptr<SyncSession> session;
};

}  // namespace

Napi::Function SyncClientWrap::define(Napi::Env env) {
  return DefineClass(env, "SyncClient",
                     {
                         InstanceMethod<&SyncClientWrap::start>("start"),
                         InstanceMethod<&SyncClientWrap::stop>("stop"),
                         InstanceMethod<&SyncClientWrap::syncNow>("syncNow"),
                         InstanceMethod<&SyncClientWrap::close>("close"),
                         InstanceAccessor<&SyncClientWrap::closed>("closed"),
                         InstanceMethod<&SyncClientWrap::answerConflict>("_answerConflict"),
                         InstanceMethod<&SyncClientWrap::answerToken>("_answerToken"),
                         InstanceMethod<&SyncClientWrap::setConflictHandler>("_setConflictHandler"),
                     });
}

Napi::Object SyncClientWrap::create(Napi::Env env, std::shared_ptr<store::Store> store, const Napi::Value& options,
                                    const Napi::Value& dispatch) {
  SyncConfig config = readSyncConfig(options);
  const Napi::Function function = requireFunction(dispatch, "dispatch");
  auto& addon = OfflineSyncAddon::of(env);
  Parts parts{std::make_shared<SyncSession>(env, std::move(store), std::move(config), function)};
  addon.openSyncClients()->add(parts.session);
  return addon.syncClientClass.New({Napi::External<Parts>::New(env, &parts)});
}

SyncClientWrap::SyncClientWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SyncClientWrap>(info) {
  // The External only ever comes from create(), which outlives this synchronous constructor call.
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw makeError(info.Env(), codes::invalidArg, "Sync clients are created by db.sync(options)");
  }
  session_ = info[0].As<Napi::External<Parts>>().Data()->session;
}

SyncClientWrap::~SyncClientWrap() {
  if (session_) session_->close();
}

Napi::Value SyncClientWrap::start(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    session_->start(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value SyncClientWrap::stop(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return session_->stop(info.Env()); });
}

Napi::Value SyncClientWrap::syncNow(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value { return session_->syncNow(info.Env()); });
}

Napi::Value SyncClientWrap::close(const Napi::CallbackInfo& info) {
  session_->close();
  return info.Env().Undefined();
}

Napi::Value SyncClientWrap::closed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), session_->closed());
}

Napi::Value SyncClientWrap::answerConflict(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const std::uint64_t id = requireId(info[0]);
    std::optional<sync::ConflictAnswer> answer;
    std::optional<Error> failure;
    if (info[1].IsNull() || info[1].IsUndefined()) {
      failure = handlerError(messageOr(info[2], "the onConflict handler gave no answer"));
    } else {
      try {
        answer = readAnswer(info[1]);
      } catch (const Error& e) {
        failure = handlerError(std::string("the onConflict answer is unusable: ") + e.what());
      } catch (const Napi::Error& e) {
        failure = handlerError(std::string("the onConflict answer is unusable: ") + e.Message());
      }
    }
    session_->events().answer(id, std::move(answer), std::move(failure));
    return info.Env().Undefined();
  });
}

Napi::Value SyncClientWrap::answerToken(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    const std::uint64_t id = requireId(info[0]);
    std::optional<std::string> token;
    if (info[1].IsString()) token = info[1].As<Napi::String>().Utf8Value();
    session_->tokens().answer(id, std::move(token), messageOr(info[2], "getToken gave no token"));
    return info.Env().Undefined();
  });
}

Napi::Value SyncClientWrap::setConflictHandler(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsBoolean()) throwInvalidArgument("_setConflictHandler expects a boolean");
    session_->events().setHasHandler(info[0].As<Napi::Boolean>().Value());
    return info.Env().Undefined();
  });
}

}  // namespace offline_sync::addon
