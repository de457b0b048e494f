// The sync engine on its real parts: an AsioExecutor thread, the Beast transport and the reference server in-process.
// Run under ThreadSanitizer in CI: the engine, its timers and every network completion share one thread, and the
// test thread only posts to it.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "core/store/store.h"
#include "core/sync/sync_engine.h"
#include "net/asio_executor.h"
#include "net/http_transport.h"
#include "net/net_test_support.h"
#include "net/reference_server.h"
#include "temp_dir.h"

namespace offline_sync::net::testing {
namespace {

// Records events from the engine's thread; read from the test's thread.
class LockedSink : public sync::EventSink {
 public:
  template <class F>
  auto locked(F f) {
    std::lock_guard lock(mutex);
    return f();
  }
  void status(const sync::StatusEvent& event) override { locked([&] { states.push_back(event.state); }); }
  void progress(const sync::ProgressEvent&) override {}
  void conflict(const sync::ConflictEvent& event) override { locked([&] { conflicts.push_back(event); }); }
  void change(const sync::ChangeEvent& event) override { locked([&] { changed += event.count; }); }
  void error(const Error& error) override { locked([&] { errors.push_back(error.code()); }); }
  bool askConflict(const sync::ConflictEvent&, AnswerCallback) override { return false; }

  std::int64_t changedRows() { return locked([&] { return changed; }); }

  std::mutex mutex;
  std::vector<sync::SyncState> states;
  std::vector<sync::ConflictEvent> conflicts;
  std::vector<std::string> errors;
  std::int64_t changed = 0;
};

class FixedToken : public sync::TokenSource {
 public:
  void fetch(bool, Callback done) override { done(std::string("alpha"), std::nullopt); }
};

// One device: a store, and an engine on its own thread.
class Device {
 public:
  // clockOffsetMs shifts the device's wall clock, so which write is newer does not depend on two writes falling in
  // different milliseconds.
  Device(const std::string& path, const std::string& id, const std::string& url, bool live,
         std::int64_t clockOffsetMs = 0) {
    store::StoreOptions storeOptions;
    storeOptions.deviceId = id;
    storeOptions.wallClock = [clockOffsetMs] { return HybridClock::systemMillis() + clockOffsetMs; };
    store_ = std::make_unique<store::Store>(path, storeOptions);
    store_->connection().exec(
        "CREATE TABLE IF NOT EXISTS lessons (id TEXT PRIMARY KEY, student TEXT, minutes INTEGER, status TEXT)");
    store_->track("lessons", ConflictPolicy::merge);
    sync::SyncOptions options;
    options.url = url;
    options.live = live;
    options.interval = std::chrono::minutes(10);
    TransportOptions transportOptions;
    transportOptions.url = url;
    transport_ = std::make_unique<HttpTransport>(executor_, transportOptions);
    engine_ = std::make_unique<sync::SyncEngine>(sync::EngineParts{executor_, *transport_, sink, tokens_},
                                                 store_->openSyncConnection(), store_->sharedClock(), id, options);
    executor_.startThread();
  }
  ~Device() {
    // The engine and the transport go on the engine's thread, then the thread is joined.
    std::promise<void> gone;
    executor_.post([&] {
      engine_->stop();
      engine_.reset();
      transport_.reset();
      gone.set_value();
    });
    auto future = gone.get_future();
    waitFor(future);
    executor_.stopAndJoin();
  }

  sync::RoundOutcome syncNow() {
    auto promise = std::make_shared<std::promise<sync::RoundOutcome>>();
    auto future = promise->get_future();
    executor_.post([this, promise] { engine_->syncNow([promise](const sync::RoundOutcome& o) { promise->set_value(o); }); });
    auto outcome = waitFor(future);
    return outcome.value_or(sync::RoundOutcome{Error(ErrorCategory::internal, "ERR_TEST", "timed out")});
  }
  void start() {
    executor_.post([this] { engine_->start(); });
  }
  store::Connection& db() { return store_->connection(); }
  std::string dump() {
    auto statement = db().prepare("SELECT group_concat(id || '|' || student || '|' || minutes || '|' || status, ';') "
                                  "FROM (SELECT * FROM lessons ORDER BY id)");
    statement->step();
    return statement->columnType(0) == store::ColumnType::null ? "" : std::string(statement->columnText(0));
  }

  LockedSink sink;

 private:
  AsioExecutor executor_;
  FixedToken tokens_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<sync::SyncEngine> engine_;
};

class SyncEngineE2eTest : public ::testing::Test {
 protected:
  offline_sync::testing::TempDir dir;
  ReferenceServer server;
};

TEST_F(SyncEngineE2eTest, TwoDevicesConvergeThroughTheServer) {
  Device office(dir.file("office.db"), "office", server.url(), false);
  Device laptop(dir.file("laptop.db"), "laptop", server.url(), false, -60000);  // its writes are the older
  office.db().begin();
  for (int i = 0; i < 1000; ++i) {
    office.db().exec("INSERT INTO lessons VALUES ('l" + std::to_string(i) + "', 's1', 90, 'booked')");
  }
  office.db().commit();
  auto first = office.syncNow();
  ASSERT_FALSE(first.error) << first.error->what();
  EXPECT_EQ(first.pushed, 1000);
  auto pulled = laptop.syncNow();
  ASSERT_FALSE(pulled.error) << pulled.error->what();
  EXPECT_EQ(pulled.pulled, 1000);
  // Both edit, on different columns and one the same column; then both sync twice.
  office.db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
  office.db().exec("DELETE FROM lessons WHERE id = 'l2'");
  laptop.db().exec("UPDATE lessons SET status = 'completed' WHERE id = 'l1'");
  laptop.db().exec("UPDATE lessons SET minutes = 60 WHERE id = 'l3'");
  office.db().exec("UPDATE lessons SET minutes = 30 WHERE id = 'l3'");  // newer: wins under merge
  for (auto* device : {&laptop, &office, &laptop}) ASSERT_FALSE(device->syncNow().error);
  EXPECT_EQ(office.dump(), laptop.dump());
  EXPECT_NE(office.dump().find("l1|s1|45|completed"), std::string::npos);
  EXPECT_EQ(office.dump().find("l2|"), std::string::npos);
  EXPECT_NE(office.dump().find("l3|s1|30|booked"), std::string::npos);
  // The office overrode the laptop's minutes of l3, and was told so.
  const auto conflicts = office.sink.locked([&] { return office.sink.conflicts; });
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].resolution, "local");
}

TEST_F(SyncEngineE2eTest, LiveDeliversARemoteChangeWithoutPolling) {
  Device office(dir.file("office.db"), "office", server.url(), false);
  Device laptop(dir.file("laptop.db"), "laptop", server.url(), true);
  laptop.start();
  ASSERT_TRUE(waitUntil([&] {
    return laptop.sink.locked([&] { return !laptop.sink.states.empty() && laptop.sink.states.back() == sync::SyncState::idle; });
  }));
  office.db().exec("INSERT INTO lessons VALUES ('live-1', 's7', 50, 'booked')");
  ASSERT_FALSE(office.syncNow().error);
  // The laptop polls every 10 minutes: only the live channel can bring this within the deadline.
  ASSERT_TRUE(waitUntil([&] { return laptop.sink.changedRows() >= 1; }));
  EXPECT_NE(laptop.dump().find("live-1|s7|50|booked"), std::string::npos);
}

TEST_F(SyncEngineE2eTest, AStoppedServerIsOfflineAndNothingIsLost) {
  Device office(dir.file("office.db"), "office", server.url(), false);
  office.db().exec("INSERT INTO lessons VALUES ('x', 's1', 90, 'booked')");
  server.stop();
  const auto outcome = office.syncNow();
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code(), "ERR_NETWORK");
  EXPECT_EQ(office.sink.locked([&] { return office.sink.states.back(); }), sync::SyncState::offline);
  auto count = office.db().prepare("SELECT count(*) FROM _sync_outbox");
  count->step();
  auto sent = office.db().prepare("SELECT count(*) FROM _sync_sent WHERE state = 1");
  sent->step();
  EXPECT_EQ(count->columnInt64(0) + sent->columnInt64(0), 1);
}

}  // namespace
}  // namespace offline_sync::net::testing
