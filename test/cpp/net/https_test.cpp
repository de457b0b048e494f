// https: a TLS server with the checked-in test certificate (certs/) is reached when its CA is configured, refused
// with ERR_TLS when it is not, or when the certificate names another host.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "fake_http_server.h"
#include "net/http_transport.h"
#include "net_test_support.h"

namespace offline_sync::net {
namespace {

using namespace testing;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class HttpsTest : public ExecutorTest {
 protected:
  FakeHttpServer server{[](const std::string&) {
                          return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"};
                        },
                        std::string(OFFLINE_SYNC_TEST_CERTS)};
  std::string ca = readFile(std::string(OFFLINE_SYNC_TEST_CERTS) + "/ca.pem");
};

TEST_F(HttpsTest, SucceedsWithTheServersCa) {
  ASSERT_FALSE(ca.empty());
  auto options = optionsFor(server.url("https"));
  options.ca = ca;
  HttpTransport transport(executor, options);
  for (int i = 0; i < 3; ++i) {
    const auto outcome = sendAndWait(executor, transport, pull());
    ASSERT_FALSE(outcome.failure) << outcome.failure->what();
    EXPECT_EQ(outcome.response.status, 200);
    EXPECT_EQ(outcome.response.body, "{\"ok\":true}");
  }
  EXPECT_EQ(server.accepted(), 1u) << "kept alive over TLS too";
}

TEST_F(HttpsTest, VerifiesTheHostNameToo) {
  // localhost is in the certificate as well: SNI and name verification by name.
  auto options = optionsFor("https://localhost:" + std::to_string(server.port()));
  options.ca = ca;
  HttpTransport transport(executor, options);
  // localhost may resolve to ::1 first, where nothing listens: the transport tries every address it resolves to.
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_FALSE(outcome.failure) << outcome.failure->what();
  EXPECT_EQ(outcome.response.status, 200);
}

TEST_F(HttpsTest, FailsWithTlsErrorWithoutTheCa) {
  HttpTransport transport(executor, optionsFor(server.url("https")));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->category(), ErrorCategory::network);
  EXPECT_EQ(outcome.failure->code(), "ERR_TLS") << outcome.failure->what();
  EXPECT_NE(std::string(outcome.failure->what()).find("127.0.0.1:"), std::string::npos);
  EXPECT_EQ(server.requests(), 0u) << "nothing was sent to an unverified server";
}

TEST_F(HttpsTest, PlainHttpToATlsServerFailsCleanly) {
  HttpTransport transport(executor, optionsFor(server.url("http")));
  const auto outcome = sendAndWait(executor, transport, pull());
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->category(), ErrorCategory::network);
}

}  // namespace
}  // namespace offline_sync::net
