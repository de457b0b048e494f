// HttpTransport against a scripted raw server: refused connections, black holes, cut responses, Retry-After, gzip
// bombs and oversized bodies, the headers every request carries, and shutdown() with a request in flight.
#include <sys/resource.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include "core/error.h"
#include "fake_http_server.h"
#include "net/http_transport.h"
#include "net_test_support.h"

namespace offline_sync::net {
namespace {

using namespace testing;

std::string response(const std::string& status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// gzip of `size` zero bytes, built a MiB at a time so the test itself never holds the inflated size.
std::string gzipOfZeros(std::size_t size) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string zeros(1024 * 1024, '\0');
  std::string out;
  char chunk[64 * 1024];
  for (std::size_t fed = 0; fed < size; fed += zeros.size()) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(zeros.size());
    const int flush = fed + zeros.size() >= size ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(chunk);
      stream.avail_out = sizeof chunk;
      deflate(&stream, flush);
      out.append(chunk, sizeof chunk - stream.avail_out);
    } while (stream.avail_out == 0);
  }
  deflateEnd(&stream);
  return out;
}

long peakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

class HttpFailuresTest : public ExecutorTest {};

TEST_F(HttpFailuresTest, ARefusedConnectionIsANetworkError) {
  std::uint16_t port = 0;
  {
    // A port that was free a moment ago and has no listener now.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  HttpTransport transport(executor, optionsFor("http://127.0.0.1:" + std::to_string(port)));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->category(), ErrorCategory::network);
  EXPECT_EQ(outcome.failure->code(), "ERR_NETWORK");
  EXPECT_NE(std::string(outcome.failure->what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << outcome.failure->what();
}

TEST_F(HttpFailuresTest, ABlackHoleTimesOutAtTheRequestDeadline) {
  FakeHttpServer server([](const std::string&) { return Reply{"", false, true}; });
  auto options = optionsFor(server.url());
  options.requestTimeout = std::chrono::milliseconds(300);
  HttpTransport transport(executor, options);
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = sendAndWait(executor, transport, pull());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->code(), "ERR_TIMEOUT") << outcome.failure->what();
  EXPECT_GE(elapsed, std::chrono::milliseconds(290));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(server.requests(), 1u) << "a timeout is not retried";
}

TEST_F(HttpFailuresTest, AResponseCutMidBodyIsANetworkError) {
  FakeHttpServer server([](const std::string&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"rows\":[", true};
  });
  HttpTransport transport(executor, optionsFor(server.url()));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->code(), "ERR_NETWORK") << outcome.failure->what();
}

TEST_F(HttpFailuresTest, GarbageInsteadOfHttpIsANetworkError) {
  FakeHttpServer server([](const std::string&) { return Reply{"SSH-2.0-OpenSSH\r\n\r\n", true}; });
  HttpTransport transport(executor, optionsFor(server.url()));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->code(), "ERR_NETWORK") << outcome.failure->what();
}

TEST_F(HttpFailuresTest, RetryAfterIsParsed) {
  FakeHttpServer server([](const std::string&) {
    return Reply{response("503 Service Unavailable", "Retry-After: 7\r\nContent-Type: application/json\r\n",
                          R"({"error":{"code":"ERR_UNAVAILABLE","message":"later"}})")};
  });
  HttpTransport transport(executor, optionsFor(server.url()));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_FALSE(outcome.failure);
  EXPECT_EQ(outcome.response.status, 503);
  ASSERT_TRUE(outcome.response.retryAfter);
  EXPECT_EQ(*outcome.response.retryAfter, std::chrono::seconds(7));
}

TEST_F(HttpFailuresTest, AGzipBombIsRefusedWithoutInflatingIt) {
  const std::string bomb = gzipOfZeros(64u * 1024 * 1024);  // 64 MiB inflated, ~0.3 MiB on the wire
  FakeHttpServer server([&](const std::string&) {
    return Reply{response("200 OK", "Content-Encoding: gzip\r\n", bomb)};
  });
  auto options = optionsFor(server.url());
  options.maxResponseBytes = 1024 * 1024;
  HttpTransport transport(executor, options);
  const long before = peakRssKiB();
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->category(), ErrorCategory::protocol);
  EXPECT_EQ(outcome.failure->code(), sync::net_codes::responseTooLarge);
  EXPECT_NE(std::string(outcome.failure->what()).find("inflates"), std::string::npos) << outcome.failure->what();
  EXPECT_LT(peakRssKiB() - before, 32 * 1024) << "the peak memory grew by far more than the 1 MiB cap";
}

TEST_F(HttpFailuresTest, ABodyOverTheLimitIsRefusedOnTheWire) {
  // An answer too large (the engine may ask again for less); an error page too large is only a protocol error.
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {"200 OK", sync::net_codes::responseTooLarge}, {"500 Internal Server Error", "ERR_PROTOCOL"}};
  for (const auto& [status, code] : cases) {
    const std::string reply = response(status, "", std::string(300000, 'x'));  // clang captures no structured binding
    FakeHttpServer server([&reply](const std::string&) { return Reply{reply}; });
    auto options = optionsFor(server.url());
    options.maxResponseBytes = 100000;
    HttpTransport transport(executor, options);
    const auto outcome = sendAndWait(executor, transport, pull());
    ASSERT_TRUE(outcome.failure);
    EXPECT_EQ(outcome.failure->code(), code) << status << ": " << outcome.failure->what();
  }
}

TEST_F(HttpFailuresTest, EveryRequestCarriesTheProtocolHeadersAndThePathPrefix) {
  FakeHttpServer server([](const std::string&) { return Reply{response("200 OK", "", "{}")}; });
  HttpTransport transport(executor, optionsFor(server.url() + "/api/sync/"));
  ASSERT_FALSE(sendAndWait(executor, transport, pull("tok-1", 5, 10)).failure);
  std::string request = server.lastRequest();
  EXPECT_EQ(request.rfind("GET /api/sync/v1/pull?cursor=5&limit=10 HTTP/1.1\r\n", 0), 0u) << request;
  for (const char* header : {"Authorization: Bearer tok-1\r\n", "X-Offline-Sync-Protocol: 1\r\n",
                             "Accept-Encoding: gzip\r\n", "User-Agent: offline-sync/1\r\n"}) {
    EXPECT_NE(request.find(header), std::string::npos) << header << " missing in\n" << request;
  }
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos);

  auto small = push("tok-2", "office", 1);
  const std::string body = small.body;
  ASSERT_FALSE(sendAndWait(executor, transport, std::move(small)).failure);
  request = server.lastRequest();
  EXPECT_EQ(request.rfind("POST /api/sync/v1/push HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(request.find("Content-Encoding"), std::string::npos) << "small bodies go as they are";
  EXPECT_EQ(request.substr(request.size() - body.size()), body);
  EXPECT_EQ(server.accepted(), 1u);
}

TEST_F(HttpFailuresTest, ControlCharactersInTheTokenOrTargetAreRefused) {
  FakeHttpServer server([](const std::string&) { return Reply{response("200 OK", "", "{}")}; });
  HttpTransport transport(executor, optionsFor(server.url()));
  auto injected = pull("tok\r\nX-Evil: 1");
  auto badTarget = pull();
  badTarget.target = "/v1/pull HTTP/1.1\r\n";
  for (auto request : {injected, badTarget}) {
    const auto outcome = sendAndWait(executor, transport, std::move(request));
    ASSERT_TRUE(outcome.failure);
    EXPECT_EQ(outcome.failure->code(), "ERR_INVALID_ARG");
  }
  ASSERT_FALSE(sendAndWait(executor, transport, pull()).failure) << "and the transport goes on";
  EXPECT_EQ(server.requests(), 1u);
}

TEST_F(HttpFailuresTest, ConnectionCloseFromTheServerMeansANewConnectionNextTime) {
  FakeHttpServer server([](const std::string&) {
    return Reply{response("200 OK", "Connection: close\r\n", "{}"), true};
  });
  HttpTransport transport(executor, optionsFor(server.url()));
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(sendAndWait(executor, transport, pull()).failure);
  EXPECT_EQ(server.accepted(), 3u);
}

TEST_F(HttpFailuresTest, ShutdownDropsARequestInFlight) {
  FakeHttpServer server([](const std::string&) { return Reply{"", false, true}; });
  HttpTransport transport(executor, optionsFor(server.url()));
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> handlerAlive = sentinel;
  std::atomic<bool> called{false};
  transport.send(pull(), [&called, sentinel = std::move(sentinel)](std::optional<Error>, sync::HttpResponse) {
    called = true;
  });
  // Shut down once the request has reached the silent server.
  ASSERT_TRUE(waitUntil([&] { return server.requests() > 0; }));
  onExecutor(executor, [&] { transport.shutdown(); });
  onExecutor(executor, [] {});
  EXPECT_FALSE(called);
  EXPECT_TRUE(handlerAlive.expired()) << "the handler was dropped on the executor's thread";
}

}  // namespace
}  // namespace offline_sync::net
