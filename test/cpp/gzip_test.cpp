#include "core/util/gzip.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"

namespace offline_sync {
namespace {

std::string codeOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.code();
  }
  return "no error";
}

TEST(GzipTest, RoundTrips) {
  const std::string text(100'000, 'a');
  const std::string packed = gzipCompress(text);
  EXPECT_LT(packed.size(), 1'000u);
  EXPECT_EQ(gzipDecompress(packed, text.size()), text);
  EXPECT_EQ(gzipDecompress(gzipCompress(""), 0), "");
}

TEST(GzipTest, ABombStopsAtTheCap) {
  const std::string packed = gzipCompress(std::string(10'000'000, '\0'));  // ~10 KB that inflates to 10 MB
  EXPECT_EQ(codeOf([&] { gzipDecompress(packed, 1'000'000); }), "ERR_TOO_LARGE");
}

TEST(GzipTest, TruncatedOrGarbageIsAProtocolError) {
  const std::string packed = gzipCompress(std::string(5'000, 'x') + "tail");
  EXPECT_EQ(codeOf([&] { gzipDecompress(packed.substr(0, packed.size() / 2), 1 << 20); }), "ERR_PROTOCOL");
  EXPECT_EQ(codeOf([&] { gzipDecompress("not gzip at all", 1 << 20); }), "ERR_PROTOCOL");
  EXPECT_EQ(codeOf([&] { gzipDecompress(packed + "junk", 1 << 20); }), "ERR_PROTOCOL");
}

}  // namespace
}  // namespace offline_sync
