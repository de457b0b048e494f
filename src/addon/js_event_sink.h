// The engine's EventSink in the addon: every event becomes a message to JS, and a manual conflict waits, keyed by a
// fresh id, until lib/ answers it with the result of the app's onConflict handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "addon/event_channel.h"
#include "core/sync/sync_events.h"

namespace offline_sync::addon {

class JsEventSink final : public sync::EventSink {
 public:
  explicit JsEventSink(EventChannel& channel) : channel_(channel) {}

  // The engine's thread.
  void status(const sync::StatusEvent& event) override;
  void progress(const sync::ProgressEvent& event) override;
  void conflict(const sync::ConflictEvent& event) override;
  void change(const sync::ChangeEvent& event) override;
  void error(const Error& error) override;
  bool askConflict(const sync::ConflictEvent& question, AnswerCallback answer) override;

  // JS thread: whether the app set an onConflict handler (without one, manual conflicts are not asked at all).
  void setHasHandler(bool hasHandler) noexcept { hasHandler_.store(hasHandler); }
  // JS thread: the answer to question `id`. An unknown id (answered already, or dropped at close) is ignored.
  void answer(std::uint64_t id, std::optional<sync::ConflictAnswer> answer, std::optional<Error> failure);
  // Drops the unanswered questions. Their callbacks hold the engine's rounds: close() calls this while the engine
  // still exists, once its thread is joined.
  void clear() noexcept;

 private:
  EventChannel& channel_;
  std::atomic<bool> hasHandler_{false};
  std::mutex mutex_;  // the engine's thread adds questions, the JS thread takes them
  std::uint64_t nextId_ = 1;
  std::unordered_map<std::uint64_t, AnswerCallback> waiting_;
};

}  // namespace offline_sync::addon
