#include "core/store/payload_codec.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"

namespace offline_sync::store {
namespace {

TEST(PayloadCodecTest, RoundTripsEveryValueType) {
  const std::vector<ColumnValue> columns{
      {"null", std::monostate{}},
      {"min", std::numeric_limits<std::int64_t>::min()},
      {"max", std::numeric_limits<std::int64_t>::max()},
      {"real", -0.1},
      {"text", std::string("Grüße \0 mid", 12)},
      {"empty", std::string()},
      {"blob", Blob{std::byte{0}, std::byte{255}}},
      {"", Blob{}},
  };
  EXPECT_EQ(decodePayload(encodePayload(columns)), columns);
  EXPECT_TRUE(decodePayload({}).empty());
}

TEST(PayloadCodecTest, LongTextUsesMultiByteLengths) {
  const std::vector<ColumnValue> columns{{"notes", std::string(100'000, 'x')}};
  EXPECT_EQ(decodePayload(encodePayload(columns)), columns);
}

TEST(PayloadCodecTest, TruncatedOrGarbledBytesAreAnErrorNotACrash) {
  const Blob good = encodePayload({{"notes", std::string(300, 'x')}, {"n", std::int64_t{7}}});
  for (std::size_t size = 1; size < good.size(); ++size) {
    EXPECT_THROW(decodePayload(std::span(good.data(), size)), Error) << "prefix of " << size << " bytes";
  }
  Blob badTag = encodePayload({{"a", std::monostate{}}});
  badTag.back() = std::byte{9};
  EXPECT_THROW(decodePayload(badTag), Error);
  const Blob hugeLength{std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0x0f}};
  EXPECT_THROW(decodePayload(hugeLength), Error);
}

}  // namespace
}  // namespace offline_sync::store
