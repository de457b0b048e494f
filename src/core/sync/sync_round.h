// One sync round: push the outbox in batches (settling each answer), then pull pages until up to date.
// Asynchronous on the engine's executor; owned through shared_ptr so late completions stay safe after cancel().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/protocol/codec.h"
#include "core/store/connection.h"
#include "core/store/outbox.h"
#include "core/sync/mailbox.h"
#include "core/sync/manual_settlement.h"
#include "core/sync/remote_rows.h"
#include "core/sync/round_failure.h"
#include "core/sync/sync_events.h"
#include "core/sync/sync_options.h"
#include "core/sync/transport.h"

namespace offline_sync::sync {

// What a round needs from its engine; it outlives every round (rounds are cancelled before it goes).
struct EngineContext {
  Executor& executor;
  Transport& transport;
  EventSink& events;
  TokenSource& tokens;
  store::Connection& connection;
  HybridClock& clock;
  const std::string& deviceId;
  const SyncOptions& options;
  std::shared_ptr<Mailbox> mailbox;
  protocol::Decoder& decoder;
};

class SyncRound : public std::enable_shared_from_this<SyncRound> {
 public:
  using Done = std::function<void(const RoundOutcome& outcome, const std::optional<RoundFailure>& failure)>;

  SyncRound(EngineContext& context, std::size_t batchSize, Done done);

  void run();
  // From now on no completion touches the store or calls done.
  void cancel() noexcept;
  // Halved by a 413 answer to a batch, or an answer too large to read; the engine keeps it for later rounds.
  std::size_t batchSize() const noexcept { return batchSize_; }
  // Still pushing: a write committed now is still sent by this round (its push loop reads the outbox until empty).
  bool pushing() const noexcept { return !pulling_ && !finished_ && !cancelled_; }

 private:
  struct ManualConflict {
    store::OutboxChange change;
    protocol::PushResult result;
  };
  // A push on its way: sent, or answered and waiting for the answers before it to be settled.
  struct SentBatch {
    std::uint64_t number = 0;
    std::vector<store::OutboxChange> changes;
    std::size_t bodyBytes = 0;
    bool answered = false;
    bool refused = false;  // 413, or an answer too large to read: send again in halves
    HttpResponse answer;
  };
  // Pushes on their way at once: the next batch is taken, encoded and queued while the server applies the one before,
  // so neither side waits for the other (the transport sends them in order over one connection).
  static constexpr std::size_t kPushesOnTheirWay = 2;
  using ManualList = std::shared_ptr<std::vector<ManualConflict>>;

  void fetchToken(bool refresh, std::function<void()> then);
  // onRefused may take over an answer other than 200, and onTooLarge an answer over the transport's cap (each returns
  // true when it did).
  void send(HttpRequest::Method method, std::string target, std::string body,
            std::function<void(HttpResponse&)> onOk, std::function<bool(HttpResponse&)> onRefused = {},
            std::function<bool()> onTooLarge = {});
  // Takes and sends batches until kPushesOnTheirWay are on their way; pulls once nothing is left to push.
  void pushNext();
  void sendBatch(std::vector<store::OutboxChange> batch);
  void onBatchAnswered(std::uint64_t number, HttpResponse* answer);
  // Settles answered batches in the order they were sent, then pushes on.
  void settleAnswers();
  void release(const std::vector<store::OutboxChange>& batch);
  void onPushAnswer(const std::vector<store::OutboxChange>& batch, HttpResponse& response, std::size_t bodyBytes);
  void onPushRefused(const std::vector<store::OutboxChange>& batch);
  void skipOwnVersions(const std::vector<std::int64_t>& versions);
  void askConflict(ManualList list, std::size_t index);
  void settle(ManualList list, std::size_t index, std::optional<ConflictAnswer> answer, std::optional<Error> failure);
  void pullNext();
  void onPullAnswer(std::int64_t cursor, HttpResponse& response);
  void succeed();
  void fail(RoundFailure failure);
  void reportWritten(const AppliedRows& rows);
  ConflictPolicy policy(const std::string& table);
  std::string policyName(const std::string& table) { return std::string(conflictPolicyName(policy(table))); }
  // Runs step, turning an exception into the round's failure.
  template <typename Step>
  void guarded(Step&& step);

  EngineContext& context_;
  std::size_t batchSize_;
  Done done_;
  bool cancelled_ = false;
  bool finished_ = false;
  bool authRetried_ = false;
  bool refreshingToken_ = false;
  std::vector<std::function<void()>> afterTokenRefresh_;  // requests refused (401) while the token is being renewed
  bool pulling_ = false;
  bool askingConflicts_ = false;  // answers wait until the app has settled this batch's manual conflicts
  std::deque<SentBatch> sent_;
  std::uint64_t batchesSent_ = 0;
  store::BusyChanges busy_;  // what takeBatch leaves out: the batches on their way, and the deferred rows
  std::set<std::int64_t> ownVersions_;  // versions this round's changes got, past the pull cursor
  std::string token_;
  store::Outbox outbox_;
  RemoteRows remoteRows_;
  ManualSettlement settlement_;
  std::int64_t startedAt_ = 0;
  std::int64_t pushTotal_ = 0;
  std::int64_t pushBytes_ = 0;
  std::int64_t pullBytes_ = 0;
  Executor::TimerId conflictTimer_ = 0;
  // Rows whose manual conflict found no answer in this round: not sent again until the next one (busy_ holds them).
  std::set<std::pair<std::string, std::string>, std::less<>> deferred_;
  std::vector<std::pair<std::string, ConflictPolicy>> policies_;  // per table, read once a round
  RoundOutcome outcome_;
};

template <typename Step>
inline void SyncRound::guarded(Step&& step) {
  if (cancelled_ || finished_) return;
  try {
    step();
  } catch (const Error& e) {
    // A local failure (the database busy or full): nothing half-applied, the round is retried later.
    fail({e, SyncState::error, std::nullopt, true});
  } catch (const std::exception& e) {
    fail({Error(ErrorCategory::internal, "ERR_INTERNAL", e.what()), SyncState::error, std::nullopt, true});
  }
}

}  // namespace offline_sync::sync
