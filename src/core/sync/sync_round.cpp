// The push and pull steps of one round, each an asynchronous request whose answer is settled in one transaction.
#include "core/sync/sync_round.h"

#include <algorithm>
#include <chrono>

#include "core/store/metadata.h"
#include "core/store/tracking.h"
#include "core/sync/conflict_report.h"

namespace offline_sync::sync {
namespace {

protocol::WireChange toWire(const store::OutboxChange& change, const std::string& deviceId, ConflictPolicy policy) {
  protocol::WireChange wire;
  wire.id = deviceId + ":" + std::to_string(change.changeSeq);
  wire.table = change.table;
  wire.row = change.rowId;
  wire.op = change.op;
  wire.policy = policy;
  wire.baseVersion = change.baseVersion;
  wire.hlc = change.hlc;
  wire.columns = change.columns;
  wire.olderStamps = change.olderStamps;
  return wire;
}

}  // namespace

SyncRound::SyncRound(EngineContext& context, std::size_t batchSize, Done done)
    : context_(context),
      batchSize_(batchSize),
      done_(std::move(done)),
      outbox_(context.connection, context.clock),
      remoteRows_(context.connection, context.clock),
      settlement_(context.connection, context.clock) {}

void SyncRound::run() {
  startedAt_ = context_.executor.nowMs();
  guarded([&] {
    pushTotal_ = store::countUnacknowledged(context_.connection);
    fetchToken(false, [this] { pushNext(); });
  });
}

void SyncRound::cancel() noexcept {
  cancelled_ = true;
  if (conflictTimer_ != 0) context_.executor.cancel(conflictTimer_);
  conflictTimer_ = 0;
  afterTokenRefresh_.clear();  // each holds the round: kept, they would keep it alive for good
}

void SyncRound::fetchToken(bool refresh, std::function<void()> then) {
  auto self = shared_from_this();
  auto mailbox = context_.mailbox;
  context_.tokens.fetch(refresh, [self, mailbox, then](std::optional<std::string> token, std::optional<Error> failure) {
    mailbox->post([self, then, token = std::move(token), failure = std::move(failure)] {
      self->guarded([&] {
        if (failure || !token || token->empty()) {
          const std::string why = failure ? failure->what() : "it gave no token";
          self->fail({Error(ErrorCategory::auth, sync_codes::auth, "getToken failed: " + why), SyncState::error,
                      std::nullopt, false});
          return;
        }
        self->token_ = *token;
        then();
      });
    });
  });
}

void SyncRound::send(HttpRequest::Method method, std::string target, std::string body,
                     std::function<void(HttpResponse&)> onOk, std::function<bool(HttpResponse&)> onRefused,
                     std::function<bool()> onTooLarge) {
  HttpRequest request{method, target, body, token_};
  auto self = shared_from_this();
  context_.transport.send(
      std::move(request), [self, method, target = std::move(target), body = std::move(body), onOk, onRefused,
                           onTooLarge, sentWith = token_](std::optional<Error> failure, HttpResponse response) mutable {
        self->guarded([&] {
          if (failure) {
            if (failure->code() == net_codes::responseTooLarge && onTooLarge && onTooLarge()) return;
            return self->fail(transportFailure(*failure));
          }
          if (response.status == 401) {
            auto again = [self, method, target, body, onOk, onRefused, onTooLarge] {
              self->send(method, target, body, onOk, onRefused, onTooLarge);
            };
            // A request sent before the token was renewed goes again, in its turn, with the new one.
            if (self->refreshingToken_) return self->afterTokenRefresh_.push_back(std::move(again));
            if (sentWith != self->token_) return again();
            // A token that expired: ask for a fresh one once per round, then send the same requests again.
            if (!self->authRetried_) {
              self->authRetried_ = true;
              self->refreshingToken_ = true;
              self->afterTokenRefresh_.push_back(std::move(again));
              return self->fetchToken(true, [self] {
                self->refreshingToken_ = false;
                for (auto& resend : std::exchange(self->afterTokenRefresh_, {})) resend();
              });
            }
          }
          if (response.status != 200) {
            if (onRefused && onRefused(response)) return;
            return self->fail(statusFailure(response, self->context_.decoder));
          }
          onOk(response);
        });
      });
}

ConflictPolicy SyncRound::policy(const std::string& table) {
  for (const auto& [name, policy] : policies_) {
    if (name == table) return policy;
  }
  const auto tracked = store::trackedTable(context_.connection, table);
  return policies_.emplace_back(table, tracked ? tracked->policy : ConflictPolicy::merge).second;
}

void SyncRound::pushNext() {
  while (!pulling_ && !askingConflicts_ && sent_.size() < kPushesOnTheirWay) {
    auto batch = outbox_.takeBatch(batchSize_, busy_);
    if (batch.empty()) break;
    sendBatch(std::move(batch));
  }
  if (sent_.empty() && !askingConflicts_ && !pulling_) pullNext();
}

void SyncRound::sendBatch(std::vector<store::OutboxChange> batch) {
  protocol::PushRequest request{context_.deviceId, {}};
  request.changes.reserve(batch.size());
  for (const auto& change : batch) {
    request.changes.push_back(toWire(change, context_.deviceId, policy(change.table)));
    busy_.changeSeqs.insert(change.changeSeq);
    busy_.rows.emplace(change.table, change.rowId);
  }
  auto body = protocol::encodePushRequest(request);
  const std::uint64_t number = ++batchesSent_;
  sent_.push_back({number, std::move(batch), body.size(), false, false, {}});
  auto self = shared_from_this();
  send(
      HttpRequest::Method::post, "/v1/push", std::move(body),
      [self, number](HttpResponse& response) { self->onBatchAnswered(number, &response); },
      [self, number](HttpResponse& response) {
        if (response.status != 413) return false;
        self->onBatchAnswered(number, nullptr);
        return true;
      },
      // The server applied the batch, but its answers (merged rows carry the whole row) are too large to read: the
      // same changes again in halves are answered again, in parts that fit. One change alone fails the round.
      [self, number] {
        const auto batch = std::ranges::find(self->sent_, number, &SentBatch::number);
        if (batch == self->sent_.end() || batch->changes.size() < 2) return false;
        self->onBatchAnswered(number, nullptr);
        return true;
      });
}

void SyncRound::onBatchAnswered(std::uint64_t number, HttpResponse* answer) {
  for (auto& batch : sent_) {
    if (batch.number != number) continue;
    batch.answered = true;
    batch.refused = answer == nullptr;
    if (answer) batch.answer = std::move(*answer);
  }
  settleAnswers();
}

void SyncRound::settleAnswers() {
  while (!finished_ && !cancelled_ && !askingConflicts_ && !sent_.empty() && sent_.front().answered) {
    SentBatch batch = std::move(sent_.front());
    sent_.pop_front();
    release(batch.changes);
    if (batch.refused) {
      onPushRefused(batch.changes);
    } else {
      onPushAnswer(batch.changes, batch.answer, batch.bodyBytes);
    }
  }
  if (!finished_ && !cancelled_) pushNext();
}

// The batch's changes and rows are no longer on their way (rows held back for this round stay held).
void SyncRound::release(const std::vector<store::OutboxChange>& batch) {
  for (const auto& change : batch) {
    busy_.changeSeqs.erase(change.changeSeq);
    const auto row = std::pair(change.table, change.rowId);
    if (!deferred_.contains(row)) busy_.rows.erase(row);
  }
}

// This device's own changes need not come back through pull. Every version this round's own changes made past the
// stored cursor is applied here already (merged ones with the server's row just written), so the cursor moves over a
// run of them that starts right after it; a version in between that is not one of them is another device's, and the
// cursor stops before it. (A delete of a row deleted already answers with the tombstone's version: deleted here too.)
void SyncRound::skipOwnVersions(const std::vector<std::int64_t>& versions) {
  const std::int64_t cursor = store::readIntegerMetadata(context_.connection, store::meta_keys::pullCursor, 0);
  for (const auto version : versions) {
    if (version > cursor) ownVersions_.insert(version);
  }
  std::int64_t next = cursor;
  while (!ownVersions_.empty() && *ownVersions_.begin() <= next + 1) {
    next = std::max(next, *ownVersions_.begin());
    ownVersions_.erase(ownVersions_.begin());
  }
  if (next > cursor) store::writeMetadata(context_.connection, store::meta_keys::pullCursor, std::to_string(next));
}

// 413: the batch is too large for this server; or its answer was too large to read. Smaller batches (the same changes,
// same ids: they are in flight), down to a single change, which a 413 then quarantines: it can never be sent.
void SyncRound::onPushRefused(const std::vector<store::OutboxChange>& batch) {
  if (batch.size() > 1) {
    batchSize_ = std::max<std::size_t>(1, batch.size() / 2);
  } else {
    const auto& change = batch.front();
    outbox_.quarantine(change.changeSeq, "ERR_TOO_LARGE: the server refused it as too large (413)");
    context_.events.error(Error(ErrorCategory::protocol, sync_codes::rejected,
                                "the change to " + change.table + " " + change.rowId +
                                    " is too large for the server (413); it is kept, quarantined"));
  }
}

void SyncRound::onPushAnswer(const std::vector<store::OutboxChange>& batch, HttpResponse& response,
                             std::size_t bodyBytes) {
  protocol::PushResponse answer;
  try {
    answer = context_.decoder.pushResponse(response.body);
  } catch (const Error& e) {
    return fail(protocolFailure(e.what()));
  }
  if (answer.results.size() != batch.size()) {
    return fail(protocolFailure(std::to_string(answer.results.size()) + " results for " +
                                std::to_string(batch.size()) + " changes"));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (answer.results[i].id != context_.deviceId + ":" + std::to_string(batch[i].changeSeq)) {
      return fail(protocolFailure("result " + std::to_string(i) + " is for change " + answer.results[i].id));
    }
    const auto status = answer.results[i].status;
    if ((status == protocol::PushStatus::merged || status == protocol::PushStatus::conflict) &&
        !answer.results[i].row) {
      return fail(protocolFailure("the " + std::string(protocol::statusName(status)) + " result " +
                                  answer.results[i].id + " carries no row"));
    }
  }

  std::vector<store::Acknowledgement> acks;
  std::vector<std::int64_t> ownVersions;  // versions this batch's changes made (or, merged, whose row is written here)
  std::vector<std::size_t> merged;
  std::vector<std::size_t> won;  // applied over conflicting server columns
  auto manual = std::make_shared<std::vector<ManualConflict>>();
  std::vector<Error> rejections;
  AppliedRows written;
  store::withTransaction(context_.connection, [&] {
    // In batch order: a merged row is written right after its own change is acknowledged, while later changes of the
    // same row in this batch are still in flight, so their columns stay local until their own answers.
    std::size_t acknowledged = 0;
    const auto acknowledgeSoFar = [&] {
      outbox_.acknowledge(std::span(acks).subspan(acknowledged));
      acknowledged = acks.size();
    };
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& result = answer.results[i];
      switch (result.status) {
        case protocol::PushStatus::applied:
          acks.push_back({batch[i].changeSeq, result.version, batch[i].table, batch[i].rowId});
          // An update with no column left to send (its columns were untracked meanwhile) changes nothing: its
          // version is the row's as it was, maybe another device's, which this device has not pulled yet.
          if (batch[i].op == store::ChangeOp::remove || !batch[i].columns.empty()) {
            ownVersions.push_back(result.version);
          }
          if (!result.overrode.empty()) won.push_back(i);
          break;
        case protocol::PushStatus::merged:
          acks.push_back({batch[i].changeSeq, result.version, batch[i].table, batch[i].rowId, true});
          ownVersions.push_back(result.version);
          merged.push_back(i);
          acknowledgeSoFar();
          remoteRows_.applyRow(*result.row, written);
          break;
        case protocol::PushStatus::conflict: manual->push_back({batch[i], std::move(result)}); break;
        case protocol::PushStatus::rejected:
          outbox_.quarantine(batch[i].changeSeq, result.code + ": " + result.reason);
          rejections.emplace_back(ErrorCategory::protocol, sync_codes::rejected,
                                  "the server refused the change to " + batch[i].table + " " + batch[i].rowId +
                                      " (" + result.code + ": " + result.reason + "); it is kept, quarantined");
          break;
      }
    }
    acknowledgeSoFar();
    skipOwnVersions(ownVersions);
  });
  pushBytes_ += static_cast<std::int64_t>(bodyBytes);
  outcome_.pushed += static_cast<std::int64_t>(batch.size());
  outcome_.conflicts += static_cast<std::int64_t>(merged.size() + won.size());
  for (const auto i : merged) {
    context_.events.conflict(settledByServer(batch[i], answer.results[i], policyName(batch[i].table)));
  }
  for (const auto i : won) {
    context_.events.conflict(wonOnServer(batch[i], answer.results[i], policyName(batch[i].table)));
  }
  for (const auto& rejection : rejections) context_.events.error(rejection);
  reportWritten(written);
  context_.events.progress({SyncPhase::push, outcome_.pushed, std::max(pushTotal_, outcome_.pushed), pushBytes_});
  if (!manual->empty()) {
    askingConflicts_ = true;
    askConflict(manual, 0);
  }
}

}  // namespace offline_sync::sync
