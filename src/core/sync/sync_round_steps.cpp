// The later steps of a round: asking the app about manual conflicts, pulling pages, and ending the round.
#include <algorithm>
#include <chrono>

#include "core/store/metadata.h"
#include "core/sync/conflict_report.h"
#include "core/sync/sync_round.h"

namespace offline_sync::sync {

void SyncRound::askConflict(ManualList list, std::size_t index) {
  if (index == list->size()) {
    askingConflicts_ = false;
    return settleAnswers();
  }
  const auto& item = (*list)[index];
  const auto question = manualQuestion(item.change, item.result, policyName(item.change.table));
  auto self = shared_from_this();
  auto mailbox = context_.mailbox;
  // The answer and the timeout race; whichever comes first settles, on this thread.
  auto answered = std::make_shared<bool>(false);
  const bool asked = context_.events.askConflict(
      question, [self, mailbox, answered, list, index](std::optional<ConflictAnswer> answer,
                                                       std::optional<Error> failure) {
        mailbox->post([self, answered, list, index, answer = std::move(answer), failure = std::move(failure)] {
          if (*answered) return;
          *answered = true;
          self->guarded([&] { self->settle(list, index, answer, failure); });
        });
      });
  if (!asked) {
    return settle(list, index, std::nullopt,
                  Error(ErrorCategory::state, sync_codes::conflictHandler,
                        "table " + item.change.table + " has conflict policy 'manual' but no onConflict handler"));
  }
  conflictTimer_ = context_.executor.after(context_.options.conflictTimeout, [self, answered, list, index] {
    if (*answered) return;
    *answered = true;
    self->conflictTimer_ = 0;
    self->guarded([&] {
      self->settle(list, index, std::nullopt,
                   Error(ErrorCategory::state, sync_codes::conflictTimeout,
                         "the onConflict handler did not answer within " +
                             std::to_string(self->context_.options.conflictTimeout.count()) + " ms"));
    });
  });
}

void SyncRound::settle(ManualList list, std::size_t index, std::optional<ConflictAnswer> answer,
                       std::optional<Error> failure) {
  if (conflictTimer_ != 0) context_.executor.cancel(conflictTimer_);
  conflictTimer_ = 0;
  const auto& item = (*list)[index];
  const auto& server = *item.result.row;
  auto event = manualQuestion(item.change, item.result, policyName(item.change.table));
  if (answer) {
    try {
      switch (answer->use) {
        case ConflictAnswer::Use::local:
          settlement_.keepLocal(item.change.changeSeq, server);
          event.resolution = "local";
          break;
        case ConflictAnswer::Use::remote:
          settlement_.takeRemote(item.change.changeSeq, server);
          event.resolution = "remote";
          break;
        case ConflictAnswer::Use::merged: {
          // The change's undisputed columns were not applied either (a conflict applies nothing): they are pushed
          // with the merged row, at their current local value, unless the answer sets them itself.
          std::vector<std::string> alsoPush;
          for (const auto& column : item.change.columns) {
            const auto named = [&](const auto& c) { return c.name == column.name; };
            const bool disputed = std::ranges::find(item.result.columns, column.name) != item.result.columns.end();
            if (!disputed && std::ranges::none_of(answer->row, named)) alsoPush.push_back(column.name);
          }
          settlement_.useMerged(item.change.changeSeq, server, answer->row, alsoPush);
          event.resolution = "merged";
          break;
        }
      }
    } catch (const Error& e) {
      if (e.category() == ErrorCategory::sqlite && e.code() == "SQLITE_BUSY") throw;
      failure = Error(ErrorCategory::argument, sync_codes::conflictHandler,
                      "the onConflict answer for " + item.change.table + " " + item.change.rowId +
                          " could not be used: " + e.what());
    }
  }
  if (failure || !answer) {
    const std::string why = failure ? failure->what() : "no answer";
    settlement_.leavePending(item.change.changeSeq, why);
    deferred_.insert({item.change.table, item.change.rowId});
    busy_.rows.emplace(item.change.table, item.change.rowId);
    context_.events.error(failure ? *failure : Error(ErrorCategory::state, sync_codes::conflictHandler, why));
  } else {
    ++outcome_.conflicts;
    if (answer->use != ConflictAnswer::Use::local) reportWritten({1, {item.change.table}, 0});
    context_.events.conflict(event);
  }
  askConflict(list, index + 1);
}

void SyncRound::pullNext() {
  pulling_ = true;
  const std::int64_t cursor = store::readIntegerMetadata(context_.connection, store::meta_keys::pullCursor, 0);
  auto self = shared_from_this();
  send(HttpRequest::Method::get,
       "/v1/pull?cursor=" + std::to_string(cursor) + "&limit=" + std::to_string(context_.options.pullLimit), {},
       [self, cursor](HttpResponse& response) { self->onPullAnswer(cursor, response); });
}

void SyncRound::onPullAnswer(std::int64_t cursor, HttpResponse& response) {
  protocol::PullResponse page;
  try {
    page = context_.decoder.pullResponse(response.body);
  } catch (const Error& e) {
    return fail(protocolFailure(e.what()));
  }
  if (page.cursor < cursor || (page.more && page.cursor == cursor)) {
    return fail(protocolFailure("the pull cursor went from " + std::to_string(cursor) + " to " +
                                std::to_string(page.cursor) + (page.more ? " with more to come" : "")));
  }
  // The page's cursor is its last row's version, or the request's when it has no row (docs/PROTOCOL.md): a cursor
  // that runs ahead of the rows would be stored and skip the versions in between for good.
  std::int64_t newest = cursor;
  for (const auto& row : page.rows) {
    if (row.version <= cursor || row.version > page.cursor) {
      return fail(protocolFailure("a pulled row's version " + std::to_string(row.version) + " is outside (" +
                                  std::to_string(cursor) + ", " + std::to_string(page.cursor) + "]"));
    }
    newest = std::max(newest, row.version);
  }
  if (newest != page.cursor) {
    return fail(protocolFailure("the pull cursor " + std::to_string(page.cursor) + " is not the page's last version " +
                                std::to_string(newest)));
  }
  const auto written = remoteRows_.applyPage(page.rows, page.cursor);
  pullBytes_ += static_cast<std::int64_t>(response.wireBytes);
  outcome_.pulled += written.count;
  reportWritten(written);
  const auto seen = outcome_.pulled;
  context_.events.progress(
      {SyncPhase::pull, seen, seen + (page.more ? static_cast<std::int64_t>(context_.options.pullLimit) : 0),
       pullBytes_});
  if (page.more) return pullNext();
  succeed();
}

void SyncRound::reportWritten(const AppliedRows& rows) {
  if (rows.count > 0) context_.events.change({rows.tables, rows.count});
}

void SyncRound::succeed() {
  const auto wallMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  store::writeMetadata(context_.connection, store::meta_keys::lastSyncAt, std::to_string(wallMs));
  finished_ = true;
  outcome_.ms = context_.executor.nowMs() - startedAt_;
  done_(outcome_, std::nullopt);
}

void SyncRound::fail(RoundFailure failure) {
  if (finished_ || cancelled_) return;
  finished_ = true;
  afterTokenRefresh_.clear();  // each holds the round: kept, they would keep it alive for good
  outcome_.error = failure.error;
  outcome_.ms = context_.executor.nowMs() - startedAt_;
  done_(outcome_, failure);
}

}  // namespace offline_sync::sync
