// What crosses from the sync engine's thread to JS: one message per engine event, built on that thread from plain C++
// data and turned into the JS payload of dispatch(kind, payload) on the JS thread.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <variant>

#include "core/error.h"
#include "core/sync/sync_events.h"

namespace offline_sync::addon {

// A manual conflict for the app's onConflict handler; lib/ answers through _answerConflict(id, ...).
struct AskMessage {
  std::uint64_t id = 0;
  sync::ConflictEvent question;
};

// The engine needs a token from the app's getToken; lib/ answers through _answerToken(id, ...).
struct TokenMessage {
  std::uint64_t id = 0;
  bool refresh = false;
};

// Settles the promise of a syncNow() (with its round's outcome) or of a stop() (without one).
struct SettleMessage {
  std::uint64_t promiseId = 0;
  std::optional<sync::RoundOutcome> outcome;
};

struct ErrorMessage {
  Error error;
};

using SyncMessage = std::variant<sync::StatusEvent, sync::ProgressEvent, sync::ConflictEvent, sync::ChangeEvent,
                                 ErrorMessage, AskMessage, TokenMessage, SettleMessage>;

// The event lib/ dispatches on: 'status', 'progress', 'conflict', 'change', 'error', 'ask' or 'token'.
const char* eventKind(const SyncMessage& message);
// The event's JS payload. Not for SettleMessage, which the channel handles itself.
Napi::Value eventPayload(Napi::Env env, const SyncMessage& message);

// A coded JS error (the package's error class) for a core error.
Napi::Value errorToJs(Napi::Env env, const Error& error);
// What syncNow() resolves with: { pushed, pulled, conflicts, ms }.
Napi::Object outcomeToJs(Napi::Env env, const sync::RoundOutcome& outcome);

}  // namespace offline_sync::addon
