// The JS shapes of the sync events, as lib/index.d.ts types them.
#include "addon/sync_messages.h"

#include <string>
#include <string_view>

#include "addon/errors.h"
#include "addon/sync_values.h"

namespace offline_sync::addon {
namespace {

template <class... Visitors>
struct Overloaded : Visitors... {
  using Visitors::operator()...;
};

Napi::String text(Napi::Env env, std::string_view value) { return Napi::String::New(env, value.data(), value.size()); }

Napi::Number number(Napi::Env env, std::int64_t value) { return Napi::Number::New(env, static_cast<double>(value)); }

Napi::Array strings(Napi::Env env, const std::vector<std::string>& values) {
  Napi::Array array = Napi::Array::New(env, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) array.Set(static_cast<std::uint32_t>(i), values[i]);
  return array;
}

Napi::Value status(Napi::Env env, const sync::StatusEvent& event) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("state", text(env, sync::stateName(event.state)));
  // The engine counts -1 when the database was too busy to count: unknown, not negative.
  out.Set("pending", event.pending < 0 ? env.Null() : number(env, event.pending));
  out.Set("lastSyncAt", event.lastSyncAt > 0 ? Napi::Value(number(env, event.lastSyncAt)) : env.Null());
  if (event.error) out.Set("error", errorToJs(env, *event.error));
  return out;
}

Napi::Value progress(Napi::Env env, const sync::ProgressEvent& event) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("phase", text(env, sync::phaseName(event.phase)));
  out.Set("done", number(env, event.done));
  out.Set("total", number(env, event.total));
  out.Set("bytes", number(env, event.bytes));
  return out;
}

// A conflict without its resolution is the question a manual handler gets.
Napi::Object conflict(Napi::Env env, const sync::ConflictEvent& event, bool withResolution) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("table", event.table);
  out.Set("id", event.id);
  out.Set("columns", strings(env, event.columns));
  out.Set("local", rowSideToJs(env, event.local));
  out.Set("remote", rowSideToJs(env, event.remote));
  if (withResolution) out.Set("resolution", event.resolution);
  out.Set("policy", event.policy);
  return out;
}

Napi::Value change(Napi::Env env, const sync::ChangeEvent& event) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("tables", strings(env, event.tables));
  out.Set("count", number(env, event.count));
  return out;
}

Napi::Value ask(Napi::Env env, const AskMessage& message) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", number(env, static_cast<std::int64_t>(message.id)));
  out.Set("question", conflict(env, message.question, false));
  return out;
}

Napi::Value token(Napi::Env env, const TokenMessage& message) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", number(env, static_cast<std::int64_t>(message.id)));
  out.Set("refresh", Napi::Boolean::New(env, message.refresh));
  return out;
}

}  // namespace

const char* eventKind(const SyncMessage& message) {
  return std::visit(Overloaded{
                        [](const sync::StatusEvent&) { return "status"; },
                        [](const sync::ProgressEvent&) { return "progress"; },
                        [](const sync::ConflictEvent&) { return "conflict"; },
                        [](const sync::ChangeEvent&) { return "change"; },
                        [](const ErrorMessage&) { return "error"; },
                        [](const AskMessage&) { return "ask"; },
                        [](const TokenMessage&) { return "token"; },
                        [](const SettleMessage&) { return "settle"; },
                    },
                    message);
}

Napi::Value eventPayload(Napi::Env env, const SyncMessage& message) {
  return std::visit(Overloaded{
                        [&](const sync::StatusEvent& event) { return status(env, event); },
                        [&](const sync::ProgressEvent& event) { return progress(env, event); },
                        [&](const sync::ConflictEvent& event) -> Napi::Value { return conflict(env, event, true); },
                        [&](const sync::ChangeEvent& event) { return change(env, event); },
                        [&](const ErrorMessage& event) { return errorToJs(env, event.error); },
                        [&](const AskMessage& event) { return ask(env, event); },
                        [&](const TokenMessage& event) { return token(env, event); },
                        [&](const SettleMessage&) -> Napi::Value { return env.Undefined(); },
                    },
                    message);
}

Napi::Value errorToJs(Napi::Env env, const Error& error) { return makeError(env, error.code(), error.what()).Value(); }

Napi::Object outcomeToJs(Napi::Env env, const sync::RoundOutcome& outcome) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("pushed", number(env, outcome.pushed));
  out.Set("pulled", number(env, outcome.pulled));
  out.Set("conflicts", number(env, outcome.conflicts));
  out.Set("ms", number(env, outcome.ms));
  return out;
}

}  // namespace offline_sync::addon
