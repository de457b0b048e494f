// The live channel: against the real server (hello, changed after a push, closeLive, 401, server stopped) and against
// a scripted WebSocket server for what the real one never does (stop answering pings, send an oversized message).
#include <gtest/gtest.h>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "core/error.h"
#include "net/http_transport.h"
#include "net_test_support.h"
#include "reference_server.h"

namespace offline_sync::net {
namespace {

using namespace testing;
namespace websocket = boost::beast::websocket;

// What the live handlers reported, for the test thread to wait on.
class LiveRecorder {
 public:
  explicit LiveRecorder(AsioExecutor& executor) : executor_(executor) {}

  sync::LiveHandlers handlers() {
    return {
        [this] { record([&] { ++opened_; }); },
        [this](std::string_view text) { record([&] { messages_.emplace_back(text); }); },
        [this](Error reason, int status) {
          record([&] {
            closed_.emplace(std::move(reason));
            status_ = status;
          });
        },
    };
  }

  // The next message (in order), or nullopt at the deadline.
  std::optional<std::string> nextMessage() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, kWait, [&] { return !messages_.empty(); })) return std::nullopt;
    std::string message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }
  std::optional<Error> waitClosed() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kWait, [&] { return closed_.has_value(); });
    return closed_;
  }
  int status() {
    std::lock_guard lock(mutex_);
    return status_;
  }
  int opened() {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  bool closed() {
    std::lock_guard lock(mutex_);
    return closed_.has_value();
  }
  std::size_t messageCount() {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }
  bool offThread() const { return offThread_; }

 private:
  template <class F>
  void record(F f) {
    if (!executor_.runningInThisThread()) offThread_ = true;
    std::lock_guard lock(mutex_);
    f();
    changed_.notify_all();
  }

  AsioExecutor& executor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int opened_ = 0;
  std::deque<std::string> messages_;
  std::optional<Error> closed_;
  int status_ = -1;
  std::atomic<bool> offThread_{false};
};

class LiveChannelTest : public ExecutorTest {
 protected:
  TransportOptions liveOptions(std::string url) {
    auto options = optionsFor(std::move(url));
    options.livePing = std::chrono::seconds(1);
    return options;
  }

  ReferenceServer server;
  LiveRecorder live{executor};
};

TEST_F(LiveChannelTest, OpensAndReceivesHello) {
  HttpTransport transport(executor, liveOptions(server.url()));
  transport.openLive("alpha", live.handlers());
  const auto hello = live.nextMessage();
  ASSERT_TRUE(hello);
  EXPECT_EQ(live.opened(), 1);
  const auto message = protocol::Decoder().liveMessage(*hello);
  EXPECT_EQ(message.type, protocol::LiveMessage::Type::hello);
  EXPECT_EQ(message.cursor, 0);
  EXPECT_FALSE(live.offThread());
  transport.closeLive();
}

TEST_F(LiveChannelTest, APushByAnotherRequestProducesChanged) {
  HttpTransport transport(executor, liveOptions(server.url()));
  transport.openLive("alpha", live.handlers());
  ASSERT_TRUE(live.nextMessage());  // hello
  HttpTransport other(executor, optionsFor(server.url()));
  const auto pushed = sendAndWait(executor, other, push("alpha", "laptop", 2));
  ASSERT_FALSE(pushed.failure);
  ASSERT_EQ(pushed.response.status, 200);
  const auto changed = live.nextMessage();
  ASSERT_TRUE(changed);
  const auto message = protocol::Decoder().liveMessage(*changed);
  EXPECT_EQ(message.type, protocol::LiveMessage::Type::changed);
  EXPECT_EQ(message.cursor, 2);
  EXPECT_FALSE(live.closed());
}

TEST_F(LiveChannelTest, CloseLiveDoesNotCallClosed) {
  HttpTransport transport(executor, liveOptions(server.url()));
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> alive = sentinel;
  auto handlers = live.handlers();
  handlers.closed = [inner = handlers.closed, sentinel = std::move(sentinel)](Error reason, int status) {
    inner(std::move(reason), status);
  };
  transport.openLive("alpha", std::move(handlers));
  ASSERT_TRUE(live.nextMessage());
  onExecutor(executor, [&] { transport.closeLive(); });
  EXPECT_TRUE(alive.expired()) << "the handlers are dropped at once on the executor's thread";
  server.stop();  // would report a closed channel, were it still open
  onExecutor(executor, [] {});
  EXPECT_FALSE(live.closed());
}

TEST_F(LiveChannelTest, ABadTokenReportsClosedWith401) {
  HttpTransport transport(executor, liveOptions(server.url()));
  transport.openLive("forged", live.handlers());
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(live.status(), 401);
  EXPECT_EQ(live.opened(), 0);
  EXPECT_EQ(reason->category(), ErrorCategory::network);
  EXPECT_NE(std::string(reason->what()).find("ERR_AUTH"), std::string::npos) << reason->what();
}

TEST_F(LiveChannelTest, StoppingTheServerReportsClosed) {
  HttpTransport transport(executor, liveOptions(server.url()));
  transport.openLive("alpha", live.handlers());
  ASSERT_TRUE(live.nextMessage());
  server.stop();
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->code(), "ERR_NETWORK") << reason->what();
  EXPECT_EQ(live.status(), 0);
  EXPECT_FALSE(live.offThread());
}

TEST_F(LiveChannelTest, ARefusedConnectionReportsClosed) {
  const std::string url = server.url();
  server.stop();
  HttpTransport transport(executor, liveOptions(url));
  transport.openLive("alpha", live.handlers());
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->code(), "ERR_NETWORK");
  EXPECT_EQ(live.opened(), 0);
}

TEST_F(LiveChannelTest, ATokenWithControlCharactersIsRefusedWithoutConnecting) {
  HttpTransport transport(executor, liveOptions(server.url()));
  transport.openLive("alpha\r\nX-Evil: 1", live.handlers());
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->code(), "ERR_INVALID_ARG");
  EXPECT_EQ(live.opened(), 0);
}

TEST_F(LiveChannelTest, OpeningAgainReplacesTheChannelSilently) {
  HttpTransport transport(executor, liveOptions(server.url()));
  LiveRecorder first(executor);
  transport.openLive("alpha", first.handlers());
  ASSERT_TRUE(first.nextMessage());
  transport.openLive("alpha", live.handlers());
  ASSERT_TRUE(live.nextMessage());
  transport.shutdown();
  server.stop();
  onExecutor(executor, [] {});
  EXPECT_FALSE(first.closed());
  EXPECT_FALSE(live.closed()) << "shutdown() drops the live handlers too";
}

// A WebSocket server that accepts, then either says nothing more (and reads nothing, so never answers a ping) or
// sends one message of the given size.
class ScriptedLiveServer {
 public:
  explicit ScriptedLiveServer(std::size_t messageBytes = 0)
      : messageBytes_(messageBytes), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
      if (ec) return;
      ws_.emplace(std::move(socket));
      ws_->async_accept([this](boost::system::error_code ec) {
        if (ec || messageBytes_ == 0) return;
        message_.assign(messageBytes_, 'x');
        ws_->text(true);
        ws_->async_write(boost::asio::buffer(message_), [](boost::system::error_code, std::size_t) {});
      });
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedLiveServer() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      if (ws_) boost::beast::get_lowest_layer(*ws_).close(ignored);
      io_.stop();
    });
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  std::size_t messageBytes_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<websocket::stream<boost::asio::ip::tcp::socket>> ws_;
  std::string message_;
  std::thread thread_;
};

TEST_F(LiveChannelTest, AServerThatStopsAnsweringPingsIsDetected) {
  ScriptedLiveServer silent;
  HttpTransport transport(executor, liveOptions(silent.url()));  // ping after 1 s idle, give up after 2 s
  const auto start = std::chrono::steady_clock::now();
  transport.openLive("alpha", live.handlers());
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(live.opened(), 1);
  EXPECT_EQ(reason->code(), "ERR_TIMEOUT") << reason->what();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

TEST_F(LiveChannelTest, AMessageOverTheLimitClosesTheChannel) {
  ScriptedLiveServer talkative(100 * 1024);
  HttpTransport transport(executor, liveOptions(talkative.url()));
  transport.openLive("alpha", live.handlers());
  const auto reason = live.waitClosed();
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->code(), "ERR_PROTOCOL") << reason->what();
  EXPECT_EQ(live.messageCount(), 0u);
}

}  // namespace
}  // namespace offline_sync::net
