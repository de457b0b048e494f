// The HTTP handlers without sockets: status codes, authentication, tenants, gzip and live notification.
#include "server/router.h"

#include <gtest/gtest.h>

#include "core/protocol/codec.h"
#include "core/util/gzip.h"
#include "server/sqlite_storage.h"
#include "sqlite_storage_fixture.h"
#include "temp_dir.h"

namespace offline_sync::server {
namespace {

using offline_sync::testing::TempDir;
using testing::makeChange;
using testing::makePush;

constexpr const char* kPushBody =
    R"({"deviceId":"office","changes":[{"id":"office:1","table":"lessons","row":"l1","op":"insert",)"
    R"("policy":"merge","baseVersion":0,"hlc":"111546104115200007","columns":{"minutes":90}}]})";

class RouterTest : public ::testing::Test {
 protected:
  TempDir dir;
  SqliteStorage storage{dir.file("server.db")};
  TokenTable tokens;
  LiveHub hub;
  std::unique_ptr<Router> router;

  void SetUp() override {
    tokens.add("alpha:school-a");
    tokens.add("beta:school-b");
    router = std::make_unique<Router>(storage, tokens, hub);
  }

  static HttpRequest request(std::string method, std::string target, std::string token = "alpha") {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.authorization = token.empty() ? "" : "Bearer " + token;
    request.protocolVersion = "1";
    request.contentType = "application/json";
    return request;
  }
  static std::string codeOf(const HttpResponse& response) {
    return protocol::Decoder().error(response.body).code;
  }
};

TEST_F(RouterTest, AnswersStatusCodesWithErrorCodes) {
  EXPECT_EQ(router->handle(request("GET", "/nope")).status, 404);
  EXPECT_EQ(codeOf(router->handle(request("GET", "/nope"))), "ERR_NOT_FOUND");
  EXPECT_EQ(router->handle(request("GET", "/v1/push")).status, 405);
  EXPECT_EQ(router->handle(request("GET", "/v1/pull", "")).status, 401);
  EXPECT_EQ(router->handle(request("GET", "/v1/pull", "forged")).status, 401);
  auto old = request("GET", "/v1/pull");
  old.protocolVersion = "0";
  const auto refused = router->handle(old);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(codeOf(refused), "ERR_PROTOCOL_VERSION");
  auto text = request("POST", "/v1/push");
  text.contentType = "text/plain";
  text.body = kPushBody;
  EXPECT_EQ(router->handle(text).status, 415);
  auto garbage = request("POST", "/v1/push");
  garbage.body = "{not json";
  EXPECT_EQ(router->handle(garbage).status, 400);
  EXPECT_EQ(router->handle(request("GET", "/v1/pull?limit=0")).status, 400);
  EXPECT_EQ(router->handle(request("GET", "/v1/live")).status, 400) << "the live channel needs an upgrade";
}

TEST_F(RouterTest, EveryAnswerNamesTheProtocolVersion) {
  for (const auto& response : {router->handle(request("GET", "/nope")), router->handle(request("GET", "/v1/pull"))}) {
    bool named = false;
    for (const auto& [name, value] : response.headers) named = named || (name == "X-Offline-Sync-Protocol" && value == "1");
    EXPECT_TRUE(named);
  }
}

TEST_F(RouterTest, PushThenPullWithinOneTenantOnly) {
  auto push = request("POST", "/v1/push");
  push.body = kPushBody;
  const auto pushed = router->handle(push);
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  EXPECT_EQ(protocol::Decoder().pushResponse(pushed.body).cursor, 1);
  const auto pulled = protocol::Decoder().pullResponse(router->handle(request("GET", "/v1/pull?cursor=0")).body);
  ASSERT_EQ(pulled.rows.size(), 1u);
  EXPECT_EQ(pulled.rows[0].row, "l1");
  EXPECT_TRUE(protocol::Decoder().pullResponse(router->handle(request("GET", "/v1/pull", "beta")).body).rows.empty());
}

TEST_F(RouterTest, ACommitIsPublishedToTheTenantsListenersOnce) {
  std::vector<std::int64_t> alpha;
  std::vector<std::int64_t> beta;
  auto a = hub.subscribe("school-a", [&](std::int64_t cursor) { alpha.push_back(cursor); });
  auto b = hub.subscribe("school-b", [&](std::int64_t cursor) { beta.push_back(cursor); });
  auto push = request("POST", "/v1/push");
  push.body = kPushBody;
  router->handle(push);
  router->handle(push);  // a replay commits nothing new
  EXPECT_EQ(alpha, (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(beta.empty());
}

TEST_F(RouterTest, GzipBothWaysAndABombIsRefused) {
  auto push = request("POST", "/v1/push");
  push.body = gzipCompress(kPushBody);
  push.contentEncoding = "gzip";
  EXPECT_EQ(router->handle(push).status, 200);
  auto bomb = request("POST", "/v1/push");
  bomb.body = gzipCompress(std::string(64 * 1024 * 1024, ' '));
  bomb.contentEncoding = "gzip";
  const auto refused = router->handle(bomb);
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(codeOf(refused), "ERR_TOO_LARGE");
  auto unknown = request("POST", "/v1/push");
  unknown.body = kPushBody;
  unknown.contentEncoding = "br";
  EXPECT_EQ(router->handle(unknown).status, 415);
  // A large pull answer is compressed when the client accepts it.
  std::vector<protocol::WireChange> changes;
  for (int i = 0; i < 50; ++i) {
    changes.push_back(makeChange("office:" + std::to_string(i + 2), "r" + std::to_string(i), store::ChangeOp::insert, 0,
                                 1, {{"notes", std::string(100, 'x')}}));
  }
  storage.push("school-a", makePush("office", changes));
  auto pull = request("GET", "/v1/pull");
  pull.acceptsGzip = true;
  const auto compressed = router->handle(pull);
  bool gzipped = false;
  for (const auto& [name, value] : compressed.headers) gzipped = gzipped || (name == "Content-Encoding" && value == "gzip");
  ASSERT_TRUE(gzipped);
  EXPECT_EQ(protocol::Decoder().pullResponse(gzipDecompress(compressed.body, 1 << 24)).rows.size(), 51u);
}

}  // namespace
}  // namespace offline_sync::server
