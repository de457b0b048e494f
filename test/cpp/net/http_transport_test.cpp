// HttpTransport against the real reference server in-process: push and pull, 401, one kept-alive connection for many
// requests, transparent reconnection, gzip both ways, and shutdown.
#include "net/http_transport.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "net_test_support.h"
#include "reference_server.h"
#include "tcp_proxy.h"

namespace offline_sync::net {
namespace {

using namespace testing;

class HttpTransportTest : public ExecutorTest {
 protected:
  ReferenceServer server;
};

TEST_F(HttpTransportTest, PushesAndPullsRoundTrip) {
  HttpTransport transport(executor, optionsFor(server.url()));
  const auto pushed = sendAndWait(executor, transport, push("alpha", "office", 3));
  ASSERT_FALSE(pushed.failure) << pushed.failure->what();
  ASSERT_EQ(pushed.response.status, 200) << pushed.response.body;
  const auto results = protocol::Decoder().pushResponse(pushed.response.body);
  ASSERT_EQ(results.results.size(), 3u);
  EXPECT_EQ(results.results[0].status, protocol::PushStatus::applied);
  EXPECT_EQ(results.cursor, 3);
  EXPECT_GT(pushed.response.wireBytes, pushed.response.body.size()) << "headers count too";

  const auto pulled = sendAndWait(executor, transport, pull("alpha"));
  ASSERT_FALSE(pulled.failure);
  ASSERT_EQ(pulled.response.status, 200);
  const auto page = protocol::Decoder().pullResponse(pulled.response.body);
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[2].row, "office-row-3");
  EXPECT_EQ(page.cursor, 3);
  EXPECT_FALSE(page.more);
  EXPECT_FALSE(pulled.response.retryAfter);

  // Another tenant sees nothing of it.
  const auto other = sendAndWait(executor, transport, pull("beta"));
  ASSERT_FALSE(other.failure);
  EXPECT_TRUE(protocol::Decoder().pullResponse(other.response.body).rows.empty());
}

TEST_F(HttpTransportTest, ABadTokenIsA401Response) {
  HttpTransport transport(executor, optionsFor(server.url()));
  const auto outcome = sendAndWait(executor, transport, pull("forged"));
  ASSERT_FALSE(outcome.failure) << "an HTTP error status is a response, not a transport failure";
  EXPECT_EQ(outcome.response.status, 401);
  EXPECT_EQ(protocol::Decoder().error(outcome.response.body).code, "ERR_AUTH");
}

TEST_F(HttpTransportTest, ReusesOneConnectionForManyRequests) {
  TcpProxy proxy(server.port());
  HttpTransport transport(executor, optionsFor(proxy.url()));
  for (int i = 0; i < 10; ++i) {
    const auto outcome = i % 2 == 0 ? sendAndWait(executor, transport, push("alpha", "office", 1, i + 1))
                                    : sendAndWait(executor, transport, pull("alpha"));
    ASSERT_FALSE(outcome.failure) << outcome.failure->what();
    ASSERT_EQ(outcome.response.status, 200);
  }
  EXPECT_EQ(proxy.accepted(), 1u);
}

TEST_F(HttpTransportTest, QueuesASecondRequestSentWhileOneIsInFlight) {
  TcpProxy proxy(server.port());
  HttpTransport transport(executor, optionsFor(proxy.url()));
  std::vector<std::promise<Outcome>> promises(5);
  std::vector<int> order;  // executor's thread only
  onExecutor(executor, [&] {
    for (int i = 0; i < 5; ++i) {
      transport.send(push("alpha", "office", 1, i + 1), [&, i](std::optional<Error> failure, sync::HttpResponse r) {
        order.push_back(i);
        promises[i].set_value(Outcome{std::move(failure), std::move(r)});
      });
    }
  });
  for (auto& promise : promises) {
    auto future = promise.get_future();
    auto outcome = waitFor(future);
    ASSERT_TRUE(outcome);
    ASSERT_FALSE(outcome->failure) << outcome->failure->what();
    EXPECT_EQ(outcome->response.status, 200);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(proxy.accepted(), 1u);
}

TEST_F(HttpTransportTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
  TcpProxy proxy(server.port());
  HttpTransport transport(executor, optionsFor(proxy.url()));
  ASSERT_FALSE(sendAndWait(executor, transport, pull("alpha")).failure);
  proxy.dropAll();  // as a server's idle timeout does, between two requests
  for (int i = 0; i < 2; ++i) {
    const auto outcome = sendAndWait(executor, transport, push("alpha", "office", 1, i + 1));
    ASSERT_FALSE(outcome.failure) << outcome.failure->what();
    EXPECT_EQ(outcome.response.status, 200);
  }
  EXPECT_EQ(proxy.accepted(), 2u);
}

TEST_F(HttpTransportTest, GzipsLargeBodiesBothWays) {
  TcpProxy proxy(server.port());
  HttpTransport transport(executor, optionsFor(proxy.url()));
  auto request = push("alpha", "office", 200, 1, 200);  // ~60 KiB of JSON, very compressible
  const std::size_t plainSize = request.body.size();
  const auto pushed = sendAndWait(executor, transport, std::move(request));
  ASSERT_FALSE(pushed.failure) << pushed.failure->what();
  ASSERT_EQ(pushed.response.status, 200) << pushed.response.body;
  EXPECT_EQ(protocol::Decoder().pushResponse(pushed.response.body).results.size(), 200u);
  EXPECT_LT(proxy.clientBytes(), plainSize / 4) << "the push went out gzipped";

  const auto pulled = sendAndWait(executor, transport, pull("alpha"));
  ASSERT_FALSE(pulled.failure);
  ASSERT_EQ(pulled.response.status, 200);
  EXPECT_EQ(protocol::Decoder().pullResponse(pulled.response.body).rows.size(), 200u) << "decompressed";
  EXPECT_LT(pulled.response.wireBytes, pulled.response.body.size() / 4) << "and it came gzipped";
}

TEST_F(HttpTransportTest, StaysUsableAfterShutdown) {
  HttpTransport transport(executor, optionsFor(server.url()));
  ASSERT_FALSE(sendAndWait(executor, transport, pull("alpha")).failure);
  transport.shutdown();
  const auto outcome = sendAndWait(executor, transport, pull("alpha"));
  ASSERT_FALSE(outcome.failure);
  EXPECT_EQ(outcome.response.status, 200);
}

TEST_F(HttpTransportTest, RefusesAMalformedConfiguration) {
  for (const char* url : {"ftp://127.0.0.1", "127.0.0.1:80", "http://", "https://host:99999"}) {
    try {
      HttpTransport transport(executor, optionsFor(url));
      ADD_FAILURE() << "accepted " << url;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), "ERR_INVALID_ARG") << url;
    }
  }
  auto options = optionsFor("https://127.0.0.1:1");
  options.ca = "not a certificate";
  EXPECT_THROW(HttpTransport(executor, options), Error);
  options = optionsFor(server.url());
  options.requestTimeout = std::chrono::milliseconds(0);
  EXPECT_THROW(HttpTransport(executor, options), Error);
}

}  // namespace
}  // namespace offline_sync::net
