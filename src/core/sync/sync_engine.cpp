// The engine's schedule: when rounds run (start, local writes, live notifications, the poll interval, retries after
// failures), the live channel's lifetime, and the status the app sees.
#include "core/sync/sync_engine.h"

#include <random>

#include "core/store/metadata.h"
#include "core/store/outbox.h"
#include "core/sync/backoff.h"
#include "core/sync/sync_round.h"

namespace offline_sync::sync {

class SyncEngine::Impl {
 public:
  Impl(EngineParts parts, std::unique_ptr<store::Connection> connection, std::shared_ptr<HybridClock> clock,
       std::string deviceId, SyncOptions options, std::function<double()> random)
      : parts_(parts),
        connection_(std::move(connection)),
        clock_(std::move(clock)),
        deviceId_(std::move(deviceId)),
        options_(std::move(options)),
        random_(random ? std::move(random) : systemRandom()),
        backoff_(options_.retry, random_),
        liveBackoff_(options_.retry, random_),
        mailbox_(std::make_shared<Mailbox>(parts.executor)),
        context_{parts.executor, parts.transport, parts.events, parts.tokens, *connection_, *clock_, deviceId_,
                 options_, mailbox_, decoder_},
        batchSize_(options_.batchSize) {
    lastSyncAt_ = store::readIntegerMetadata(*connection_, store::meta_keys::lastSyncAt, 0);
  }

  ~Impl() {
    stop();
    mailbox_->close();
  }

  void start() {
    if (started_) return;
    started_ = true;
    failing_ = false;
    setState(SyncState::connecting);
    if (options_.live) openLive();
    requestRound();
  }

  void stop() {
    if (!started_ && state_ == SyncState::stopped && !round_) return;
    started_ = false;
    for (auto* timer : {&retryTimer_, &pollTimer_, &debounceTimer_, &liveTimer_}) cancelTimer(*timer);
    ++liveGeneration_;  // late live handlers and token answers are ignored from here on
    if (liveOpen_ || liveOpening_) parts_.transport.closeLive();
    liveOpen_ = liveOpening_ = false;
    if (round_) {
      round_->cancel();
      round_.reset();
      RoundOutcome stopped;
      stopped.error = Error(ErrorCategory::state, sync_codes::stopped, "sync was stopped during the round");
      finish(std::move(waiting_), stopped);
    }
    finish(std::move(next_), RoundOutcome{Error(ErrorCategory::state, sync_codes::stopped, "sync was stopped")});
    followUp_ = false;
    setState(SyncState::stopped);
  }

  void syncNow(RoundCallback done) {
    if (round_) {
      // A round still pushing sends every write committed before this call; one already pulling may not have, so a
      // full round follows it.
      (round_->pushing() ? waiting_ : next_).push_back(std::move(done));
      return;
    }
    waiting_.push_back(std::move(done));
    startRound();
  }

  void localWrite() {
    // Offline or failing, writes wait for the retry schedule: the client never hammers a failing server.
    if (!started_ || failing_) return;
    const auto now = parts_.executor.nowMs();
    if (debounceTimer_ == 0) firstWriteAt_ = now;
    cancelTimer(debounceTimer_);
    const auto sinceFirst = Millis(now - firstWriteAt_);
    const auto delay = sinceFirst >= options_.maxDebounce ? Millis(0)
                                                          : std::min(options_.debounce, options_.maxDebounce - sinceFirst);
    debounceTimer_ = parts_.executor.after(delay, guard([this] {
      debounceTimer_ = 0;
      requestRound();
    }));
  }

  SyncState state() const noexcept { return state_; }

 private:
  static std::function<double()> systemRandom() {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }

  // A task that does nothing once this engine is gone (the executor may outlive it with tasks queued).
  Executor::Task guard(std::function<void()> task) {
    return [life = std::weak_ptr<int>(life_), task = std::move(task)] {
      if (life.lock()) task();
    };
  }

  void cancelTimer(Executor::TimerId& timer) {
    if (timer != 0) parts_.executor.cancel(timer);
    timer = 0;
  }

  void requestRound() {
    if (round_) {
      followUp_ = true;
      return;
    }
    startRound();
  }

  void startRound() {
    cancelTimer(debounceTimer_);
    cancelTimer(pollTimer_);
    cancelTimer(retryTimer_);
    setState(SyncState::syncing);
    auto round = std::make_shared<SyncRound>(
        context_, batchSize_, [this, life = std::weak_ptr<int>(life_)](const RoundOutcome& outcome,
                                                                       const std::optional<RoundFailure>& failure) {
          if (life.lock()) onRoundDone(outcome, failure);
        });
    round_ = round;
    round->run();
  }

  void onRoundDone(const RoundOutcome& outcome, const std::optional<RoundFailure>& failure) {
    if (round_) batchSize_ = round_->batchSize();
    round_.reset();
    if (failure) {
      failing_ = true;
      setState(failure->state, failure->error);
      parts_.events.error(failure->error);
      if (started_) {
        // Non-transient failures wait the longest delay: a fixed server may accept the request later.
        const auto delay = failure->transient ? backoff_.next(failure->retryAfter)
                                              : std::max<Millis>(options_.retry.maxDelay, backoff_.next());
        retryTimer_ = parts_.executor.after(delay, guard([this] {
          retryTimer_ = 0;
          startRound();
        }));
      }
    } else {
      failing_ = false;
      backoff_.reset();
      // A batch size halved by a 413 grows back a step per good round, so one large change does not slow every
      // later round for good.
      batchSize_ = std::min(options_.batchSize, batchSize_ * 2);
      lastSyncAt_ = store::readIntegerMetadata(*connection_, store::meta_keys::lastSyncAt, 0);
      setState(SyncState::idle);
      schedulePoll();
    }
    finish(std::move(waiting_), outcome);
    waiting_ = std::move(next_);
    next_.clear();
    // Someone is waiting for a round, or something happened during this one (a write, a notification).
    if (!waiting_.empty() || (followUp_ && started_ && !failure)) {
      followUp_ = false;
      startRound();
    } else {
      followUp_ = false;
    }
  }

  void finish(std::vector<RoundCallback> callbacks, const RoundOutcome& outcome) {
    for (auto& callback : callbacks) callback(outcome);
  }

  // With the live channel open the server says when to pull; otherwise poll at the interval.
  void schedulePoll() {
    cancelTimer(pollTimer_);
    if (!started_ || (options_.live && liveOpen_)) return;
    pollTimer_ = parts_.executor.after(options_.interval, guard([this] {
      pollTimer_ = 0;
      requestRound();
    }));
  }

  void openLive() {
    liveOpening_ = true;
    const auto generation = ++liveGeneration_;
    auto mailbox = mailbox_;
    parts_.tokens.fetch(refreshLiveToken_, [this, mailbox, generation, life = std::weak_ptr<int>(life_)](
                                               std::optional<std::string> token, std::optional<Error>) {
      mailbox->post([this, generation, life, token = std::move(token)] {
        if (!life.lock() || generation != liveGeneration_ || !started_) return;
        if (!token || token->empty()) return onLiveClosed(generation, std::nullopt);
        refreshLiveToken_ = false;
        parts_.transport.openLive(*token, liveHandlers(generation));
      });
    });
  }

  LiveHandlers liveHandlers(std::uint64_t generation) {
    LiveHandlers handlers;
    auto current = [this, generation, life = std::weak_ptr<int>(life_)] {
      return life.lock() && generation == liveGeneration_ && started_;
    };
    handlers.opened = [this, current] {
      if (!current()) return;
      liveOpening_ = false;
      liveOpen_ = true;
      liveBackoff_.reset();
      cancelTimer(pollTimer_);
      // Back after a drop: catch up (and show idle again) without waiting for the next notification.
      if (liveDropped_) {
        liveDropped_ = false;
        requestRound();
      }
    };
    handlers.message = [this, current](std::string_view text) {
      if (!current()) return;
      try {
        const auto message = decoder_.liveMessage(text);
        if (message.cursor > store::readIntegerMetadata(*connection_, store::meta_keys::pullCursor, 0)) requestRound();
      } catch (const Error& e) {
        parts_.events.error(e);  // a malformed notification: report it, keep the channel
      }
    };
    handlers.closed = [this, current, generation](Error reason, int status) {
      if (!current()) return;
      if (status == 401) refreshLiveToken_ = true;
      onLiveClosed(generation, std::move(reason));
    };
    return handlers;
  }

  // The channel is down: poll meanwhile, and reopen it on the backoff schedule.
  void onLiveClosed(std::uint64_t generation, std::optional<Error> reason) {
    if (generation != liveGeneration_ || !started_) return;
    // The app must not show "up to date" while the server cannot reach it: offline until the channel is back or a
    // round succeeds.
    if (liveOpen_ && !round_ && state_ == SyncState::idle) {
      setState(SyncState::offline,
               reason.value_or(Error(ErrorCategory::network, "ERR_NETWORK", "the live channel to the server closed")));
    }
    if (liveOpen_) liveDropped_ = true;
    liveOpen_ = liveOpening_ = false;
    cancelTimer(liveTimer_);
    liveTimer_ = parts_.executor.after(liveBackoff_.next(), guard([this] {
      liveTimer_ = 0;
      if (started_) openLive();
    }));
    if (!round_ && retryTimer_ == 0 && pollTimer_ == 0) schedulePoll();
  }

  void setState(SyncState state, std::optional<Error> error = std::nullopt) {
    state_ = state;
    StatusEvent event{state, 0, lastSyncAt_, std::move(error)};
    try {
      event.pending = store::countUnacknowledged(*connection_);
    } catch (const Error&) {
      event.pending = -1;  // the database is busy: the count is unknown, the status still goes out
    }
    parts_.events.status(event);
  }

  EngineParts parts_;
  std::unique_ptr<store::Connection> connection_;
  std::shared_ptr<HybridClock> clock_;
  std::string deviceId_;
  SyncOptions options_;
  std::function<double()> random_;
  protocol::Decoder decoder_;
  Backoff backoff_;
  Backoff liveBackoff_;
  std::shared_ptr<Mailbox> mailbox_;
  EngineContext context_;
  std::size_t batchSize_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);

  SyncState state_ = SyncState::stopped;
  bool started_ = false;
  bool failing_ = false;
  std::int64_t lastSyncAt_ = 0;
  std::shared_ptr<SyncRound> round_;
  std::vector<RoundCallback> waiting_;  // for the running round
  std::vector<RoundCallback> next_;     // for the round after it
  bool followUp_ = false;
  Executor::TimerId retryTimer_ = 0;
  Executor::TimerId pollTimer_ = 0;
  Executor::TimerId debounceTimer_ = 0;
  Executor::TimerId liveTimer_ = 0;
  std::int64_t firstWriteAt_ = 0;
  bool liveOpen_ = false;
  bool liveOpening_ = false;
  bool refreshLiveToken_ = false;
  bool liveDropped_ = false;  // the channel was open and closed: a round runs when it opens again
  std::uint64_t liveGeneration_ = 0;
};

SyncEngine::SyncEngine(EngineParts parts, std::unique_ptr<store::Connection> connection,
                       std::shared_ptr<HybridClock> clock, std::string deviceId, SyncOptions options,
                       std::function<double()> random)
    : impl_(std::make_unique<Impl>(parts, std::move(connection), std::move(clock), std::move(deviceId),
                                   std::move(options), std::move(random))) {}

SyncEngine::~SyncEngine() = default;

void SyncEngine::start() { impl_->start(); }
void SyncEngine::stop() { impl_->stop(); }
void SyncEngine::syncNow(RoundCallback done) { impl_->syncNow(std::move(done)); }
void SyncEngine::localWrite() { impl_->localWrite(); }
SyncState SyncEngine::state() const noexcept { return impl_->state(); }

}  // namespace offline_sync::sync
