// What the sync engine reports to the application, and the manual-conflict question it may ask. The addon turns
// these into JS events through a thread-safe function (src/addon/sync_client_wrap.h); tests record them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/store/payload_codec.h"

namespace offline_sync::sync {

enum class SyncState { offline, connecting, syncing, idle, error, stopped };
std::string_view stateName(SyncState state);

struct StatusEvent {
  SyncState state = SyncState::stopped;
  std::int64_t pending = 0;     // unacknowledged local changes
  std::int64_t lastSyncAt = 0;  // ms since the Unix epoch of the last complete round; 0: never
  std::optional<Error> error;   // state error (and offline: the network failure)
};

enum class SyncPhase { push, pull };
std::string_view phaseName(SyncPhase phase);

struct ProgressEvent {
  SyncPhase phase = SyncPhase::push;
  std::int64_t done = 0;
  std::int64_t total = 0;  // push: changes to send in this round; pull: rows known so far (grows while paging)
  std::int64_t bytes = 0;  // bytes sent (push) or received (pull) in this round so far
};

// One side of a conflicting row: its values (only the columns that matter) and whether it is deleted.
struct RowSide {
  std::vector<store::ColumnValue> columns;
  bool deleted = false;
};

// A conflict the engine met: the question to a manual handler, and (with `resolution` set) the report afterwards.
struct ConflictEvent {
  std::string table;
  std::string id;
  std::vector<std::string> columns;  // the columns changed on both sides
  RowSide local;                     // the local change's values
  RowSide remote;                    // the server's row
  std::int64_t remoteVersion = 0;
  std::string policy;                // the table's policy
  std::string resolution;            // 'local', 'remote' or 'merged' (empty in a question)
};

struct ConflictAnswer {
  enum class Use { local, remote, merged } use = Use::local;
  std::vector<store::ColumnValue> row;  // merged: the columns to write
};

struct ChangeEvent {
  std::vector<std::string> tables;
  std::int64_t count = 0;  // rows written locally by sync
};

// The outcome of one round (syncNow's result).
struct RoundOutcome {
  std::optional<Error> error;
  std::int64_t pushed = 0;     // changes the server answered (applied, merged, conflict or rejected)
  std::int64_t pulled = 0;     // rows applied from pull pages
  std::int64_t conflicts = 0;  // conflicts settled in this round
  std::int64_t ms = 0;
};

class EventSink {
 public:
  using AnswerCallback = std::function<void(std::optional<ConflictAnswer> answer, std::optional<Error> failure)>;

  virtual ~EventSink() = default;
  // All on the engine's thread; they must not block.
  virtual void status(const StatusEvent& event) = 0;
  virtual void progress(const ProgressEvent& event) = 0;
  virtual void conflict(const ConflictEvent& event) = 0;
  virtual void change(const ChangeEvent& event) = 0;
  virtual void error(const Error& error) = 0;
  // A manual conflict: asks the application's handler. Returns false when there is none. Otherwise `answer` is
  // called exactly once, from any thread (the engine posts it back onto its own), unless the engine stops first.
  virtual bool askConflict(const ConflictEvent& question, AnswerCallback answer) = 0;
};

// Where the bearer token comes from: a fixed one, or the app's getToken (asynchronous; `refresh` after a 401).
class TokenSource {
 public:
  using Callback = std::function<void(std::optional<std::string> token, std::optional<Error> failure)>;
  virtual ~TokenSource() = default;
  // `done` is called exactly once, from any thread, unless the engine stops first.
  virtual void fetch(bool refresh, Callback done) = 0;
};

}  // namespace offline_sync::sync
