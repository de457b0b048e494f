// Fakes for the sync engine's tests: an executor with virtual time, a scripted transport, a recording event sink
// and a token source. Everything runs on the test's thread, so the tests are deterministic and never sleep.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/sync/executor.h"
#include "core/sync/sync_events.h"
#include "core/sync/transport.h"

namespace offline_sync::sync::testing {

class FakeExecutor : public Executor {
 public:
  void post(Task task) override {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(task));
  }
  TimerId after(std::chrono::milliseconds delay, Task task) override {
    const TimerId id = nextId_++;
    timers_.emplace(id, Timer{now_ + delay.count(), std::move(task)});
    return id;
  }
  void cancel(TimerId id) override { timers_.erase(id); }
  std::int64_t nowMs() override { return now_; }

  // Runs posted tasks (and what they post) until none is left.
  void runReady() {
    for (;;) {
      Task task;
      {
        std::lock_guard lock(mutex_);
        if (posted_.empty()) return;
        task = std::move(posted_.front());
        posted_.pop_front();
      }
      task();
    }
  }
  // Moves time forward by ms, running each timer at its deadline, in order.
  void advance(std::int64_t ms) {
    const auto until = now_ + ms;
    runReady();
    for (;;) {
      auto next = earliest();
      if (!next || timers_[*next].deadline > until) break;
      now_ = timers_[*next].deadline;
      auto task = std::move(timers_[*next].task);
      timers_.erase(*next);
      task();
      runReady();
    }
    now_ = until;
  }
  // Runs the earliest timer, however far; returns its delay from now (-1 when there is none).
  std::int64_t runNextTimer() {
    runReady();
    auto next = earliest();
    if (!next) return -1;
    const auto delay = timers_[*next].deadline - now_;
    advance(delay);
    return delay;
  }
  std::size_t timerCount() const { return timers_.size(); }

 private:
  struct Timer {
    std::int64_t deadline;
    Task task;
  };
  std::optional<TimerId> earliest() const {
    std::optional<TimerId> best;
    for (const auto& [id, timer] : timers_) {
      if (!best || timer.deadline < timers_.at(*best).deadline) best = id;
    }
    return best;
  }

  std::mutex mutex_;
  std::deque<Task> posted_;
  std::map<TimerId, Timer> timers_;
  TimerId nextId_ = 1;
  std::int64_t now_ = 0;
};

// Requests wait until the test answers them.
class FakeTransport : public Transport {
 public:
  struct Sent {
    HttpRequest request;
    ResponseHandler handler;
  };

  void send(HttpRequest request, ResponseHandler handler) override {
    sent.push_back({std::move(request), std::move(handler)});
  }
  void openLive(std::string token, LiveHandlers handlers) override {
    ++liveOpens;
    liveToken = std::move(token);
    live = std::move(handlers);
  }
  void closeLive() override {
    ++liveCloses;
    live.reset();
  }
  void shutdown() override { ++shutdowns; }

  bool hasRequest() const { return !sent.empty(); }
  const HttpRequest& front() const { return sent.front().request; }
  // Answers the oldest request.
  void respond(int status, std::string body, std::optional<std::chrono::seconds> retryAfter = std::nullopt) {
    ASSERT_FALSE(sent.empty()) << "no request to answer";
    auto next = std::move(sent.front());
    sent.pop_front();
    HttpResponse response{status, std::move(body), retryAfter, 100};
    next.handler(std::nullopt, std::move(response));
  }
  void failNetwork(std::string_view code = net_codes::network) {
    ASSERT_FALSE(sent.empty()) << "no request to fail";
    auto next = std::move(sent.front());
    sent.pop_front();
    next.handler(Error(ErrorCategory::network, code, "connection refused (fake)"), {});
  }

  std::deque<Sent> sent;
  std::optional<LiveHandlers> live;
  std::string liveToken;
  int liveOpens = 0;
  int liveCloses = 0;
  int shutdowns = 0;
};

class RecordingSink : public EventSink {
 public:
  void status(const StatusEvent& event) override { statuses.push_back(event); }
  void progress(const ProgressEvent& event) override { progresses.push_back(event); }
  void conflict(const ConflictEvent& event) override { conflicts.push_back(event); }
  void change(const ChangeEvent& event) override { changes.push_back(event); }
  void error(const Error& error) override { errors.push_back(error); }
  bool askConflict(const ConflictEvent& question, AnswerCallback answer) override {
    if (!hasHandler) return false;
    questions.push_back(question);
    answers.push_back(std::move(answer));
    return true;
  }

  SyncState lastState() const { return statuses.empty() ? SyncState::stopped : statuses.back().state; }
  std::vector<std::string> errorCodes() const {
    std::vector<std::string> codes;
    for (const auto& e : errors) codes.push_back(e.code());
    return codes;
  }

  std::vector<StatusEvent> statuses;
  std::vector<ProgressEvent> progresses;
  std::vector<ConflictEvent> conflicts;
  std::vector<ChangeEvent> changes;
  std::vector<Error> errors;
  bool hasHandler = false;
  std::vector<ConflictEvent> questions;
  std::vector<AnswerCallback> answers;
};

class FakeTokens : public TokenSource {
 public:
  void fetch(bool refresh, Callback done) override {
    ++fetches;
    if (refresh) ++refreshes;
    done(refresh && !refreshedToken.empty() ? refreshedToken : token, std::nullopt);
  }
  std::string token = "secret";
  std::string refreshedToken;
  int fetches = 0;
  int refreshes = 0;
};

}  // namespace offline_sync::sync::testing
