// The sync server URL: what is accepted, what is refused with ERR_INVALID_ARG, and the parts connections use.
#include "net/url.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace offline_sync::net {
namespace {

TEST(ServerUrlTest, SplitsSchemeHostPortAndPrefix) {
  auto url = parseServerUrl("http://127.0.0.1:8080");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "8080");
  EXPECT_EQ(url.prefix, "");
  EXPECT_EQ(url.hostHeader, "127.0.0.1:8080");
  EXPECT_EQ(url.where(), "127.0.0.1:8080");

  url = parseServerUrl("HTTPS://sync.example.com/api/sync/");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "sync.example.com");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.prefix, "/api/sync");
  EXPECT_EQ(url.hostHeader, "sync.example.com");

  url = parseServerUrl("http://[::1]:9000/x");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "9000");
  EXPECT_EQ(url.hostHeader, "[::1]:9000");
  EXPECT_EQ(url.where(), "[::1]:9000");
  EXPECT_EQ(parseServerUrl("http://example.com").port, "80");
  EXPECT_EQ(parseServerUrl("http://example.com/").prefix, "");
}

TEST(ServerUrlTest, RefusesMalformedUrls) {
  for (const char* bad : {"", "example.com", "ftp://example.com", "ws://example.com", "http://", "http://:80",
                          "http://host:0", "http://host:65536", "http://host:x", "http://host:", "http://[::1",
                          "http://[zz]:80", "http://user:pw@host", "http://host/a?b=c", "http://host/#x",
                          "http://ho st/", "http://host/pa th"}) {
    try {
      parseServerUrl(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.category(), ErrorCategory::argument) << bad;
      EXPECT_EQ(error.code(), "ERR_INVALID_ARG") << bad;
    }
  }
}

}  // namespace
}  // namespace offline_sync::net
