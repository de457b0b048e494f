// Engine events to JS messages; manual conflicts parked until their answer comes back from the JS thread.
#include "addon/js_event_sink.h"

#include <utility>

namespace offline_sync::addon {

void JsEventSink::status(const sync::StatusEvent& event) { channel_.send(event); }

void JsEventSink::progress(const sync::ProgressEvent& event) { channel_.send(event); }

void JsEventSink::conflict(const sync::ConflictEvent& event) { channel_.send(event); }

void JsEventSink::change(const sync::ChangeEvent& event) { channel_.send(event); }

void JsEventSink::error(const Error& error) { channel_.send(ErrorMessage{error}); }

bool JsEventSink::askConflict(const sync::ConflictEvent& question, AnswerCallback answer) {
  if (!hasHandler_.load()) return false;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = nextId_++;
    waiting_.emplace(id, std::move(answer));
  }
  if (channel_.send(AskMessage{id, question})) return true;
  // The channel is closing: nobody will answer, so say there is no handler rather than wait for the timeout.
  std::lock_guard lock(mutex_);
  waiting_.erase(id);
  return false;
}

void JsEventSink::answer(std::uint64_t id, std::optional<sync::ConflictAnswer> answer, std::optional<Error> failure) {
  AnswerCallback callback;
  {
    std::lock_guard lock(mutex_);
    const auto found = waiting_.find(id);
    if (found == waiting_.end()) return;
    callback = std::move(found->second);
    waiting_.erase(found);
  }
  // Outside the lock: the callback posts onto the engine's thread, which may be asking another question.
  callback(std::move(answer), std::move(failure));
}

void JsEventSink::clear() noexcept {
  std::unordered_map<std::uint64_t, AnswerCallback> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(waiting_);
  }
}

}  // namespace offline_sync::addon
