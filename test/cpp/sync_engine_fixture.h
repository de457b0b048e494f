// A store with a tracked `lessons` table and a sync engine on fakes; helpers to answer its requests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/protocol/codec.h"
#include "core/store/metadata.h"
#include "core/sync/sync_engine.h"
#include "store_fixture.h"
#include "sync_fakes.h"

namespace offline_sync::sync::testing {

class SyncEngineFixture : public store::testing::StoreFixture {
 protected:
  FakeExecutor executor;
  FakeTransport transport;
  RecordingSink sink;
  FakeTokens tokens;
  SyncOptions options;
  std::unique_ptr<SyncEngine> engine;
  protocol::Decoder decoder;

  void SetUp() override {
    StoreFixture::SetUp();
    options.url = "http://127.0.0.1:1";
    options.live = false;
  }
  void TearDown() override {
    if (engine) engine->stop();
    engine.reset();
    executor.runReady();
  }
  SyncEngine& makeEngine() {
    engine = std::make_unique<SyncEngine>(EngineParts{executor, transport, sink, tokens}, store->openSyncConnection(),
                                          store->sharedClock(), store->deviceId(), options, [] { return 0.5; });
    return *engine;
  }

  void insertLessons(int from, int count) {
    db().begin();
    for (int i = from; i < from + count; ++i) {
      db().exec("INSERT INTO lessons VALUES ('l" + std::to_string(i) + "', 's1', " + std::to_string(30 + i) +
                ", 'booked')");
    }
    db().commit();
  }

  // The push request at the front of the transport's queue.
  protocol::PushRequest frontPush() {
    EXPECT_TRUE(transport.hasRequest());
    EXPECT_EQ(transport.front().target, "/v1/push");
    protocol::Decoder pushDecoder;
    return pushDecoder.pushRequest(transport.front().body);
  }
  // Answers the front push request: every change applied, versions from nextVersion on.
  std::vector<std::string> applyFrontPush() {
    auto request = frontPush();
    protocol::PushResponse response;
    std::vector<std::string> ids;
    for (const auto& change : request.changes) {
      response.results.push_back({change.id, protocol::PushStatus::applied, ++serverVersion, {}, {}, {}, {}, {}});
      ids.push_back(change.id);
    }
    response.cursor = serverVersion;
    transport.respond(200, protocol::encodePushResponse(response));
    return ids;
  }
  void answerPull(std::vector<protocol::RowState> rows = {}, bool more = false, std::int64_t cursor = -1) {
    ASSERT_TRUE(transport.hasRequest());
    ASSERT_EQ(transport.front().target.rfind("/v1/pull?", 0), 0u) << transport.front().target;
    protocol::PullResponse response;
    response.rows = std::move(rows);
    response.cursor = cursor >= 0 ? cursor : (response.rows.empty() ? pullCursor() : response.rows.back().version);
    response.more = more;
    transport.respond(200, protocol::encodePullResponse(response));
  }
  // Answers every request of one round: pushes applied, one empty pull.
  void completeRound() {
    executor.runReady();
    while (transport.hasRequest() && transport.front().target == "/v1/push") {
      applyFrontPush();
      executor.runReady();
    }
    answerPull();
    executor.runReady();
  }
  std::int64_t pullCursor() {
    auto stored = store::readMetadata(db(), store::meta_keys::pullCursor);
    return stored ? std::stoll(*stored) : 0;
  }
  static protocol::RowState lessonRow(const std::string& id, std::int64_t version, int minutes,
                                      const std::string& device = "laptop") {
    protocol::RowState row;
    row.table = "lessons";
    row.row = id;
    row.version = version;
    row.columns = {{"student", std::string("s9")}, {"minutes", std::int64_t{minutes}}, {"status", std::string("booked")}};
    for (std::size_t i = 0; i < row.columns.size(); ++i) row.stamps.push_back({hlcFromMillis(1000), device, version});
    return row;
  }

  std::int64_t serverVersion = 0;
};

// Records a round's outcome. The record lives on the heap: a round still running when a test ends is stopped in
// TearDown, after the test's slot is gone, and its callback must not write into a dead stack frame.
struct OutcomeSlot {
  std::shared_ptr<std::optional<RoundOutcome>> record = std::make_shared<std::optional<RoundOutcome>>();
  std::optional<RoundOutcome>& outcome = *record;
  SyncEngine::RoundCallback callback() {
    return [record = record](const RoundOutcome& o) { *record = o; };
  }
};

}  // namespace offline_sync::sync::testing
