#include "server/row_codec.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"

namespace offline_sync::server {
namespace {

using protocol::ColumnStamp;
using store::Blob;
using store::ColumnValue;

Blob encode(const std::vector<ColumnValue>& columns, const std::vector<ColumnStamp>& stamps,
            const ColumnStamp* deletion = nullptr) {
  RowEncoder encoder;
  const auto bytes = encoder.encode(columns, stamps, deletion);
  return Blob(bytes.begin(), bytes.end());
}

TEST(RowCodecTest, RoundTripsEveryValueTypeWithStamps) {
  const std::vector<ColumnValue> columns{
      {"null", std::monostate{}},
      {"min", std::numeric_limits<std::int64_t>::min()},
      {"max", std::numeric_limits<std::int64_t>::max()},
      {"minus_one", std::int64_t{-1}},
      {"real", -0.1},
      {"text", std::string("Grüße \0 mid", 12)},
      {"empty", std::string()},
      {"blob", Blob{std::byte{0}, std::byte{255}}},
      {"empty_blob", Blob{}},
  };
  std::vector<ColumnStamp> stamps;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    stamps.push_back({std::numeric_limits<HlcStamp>::max() - i % 3, "device-" + std::to_string(i % 2),
                      static_cast<std::int64_t>(i % 3 == 0 ? std::numeric_limits<std::int64_t>::max() : i)});
  }
  const RowData row = decodeRow(encode(columns, stamps));
  EXPECT_EQ(row.columns, columns);
  EXPECT_EQ(row.stamps, stamps);
  EXPECT_FALSE(row.deletion.has_value());
  // An empty blob stays a blob, not text or null.
  EXPECT_TRUE(std::holds_alternative<Blob>(row.columns.back().value));
}

TEST(RowCodecTest, KeepsTheDeletionStampAndAnEmptyRow) {
  const ColumnStamp deletion{111546104115200007, "laptop-2", 12};
  RowData row = decodeRow(encode({}, {}, &deletion));
  EXPECT_TRUE(row.columns.empty());
  ASSERT_TRUE(row.deletion.has_value());
  EXPECT_EQ(*row.deletion, deletion);

  const ColumnStamp shared{5, "office-1", 3};
  row = decodeRow(encode({{"a", std::int64_t{1}}}, {shared}, &shared));
  ASSERT_TRUE(row.deletion.has_value());
  EXPECT_EQ(*row.deletion, shared);
  EXPECT_EQ(row.stamps.front(), shared);
}

TEST(RowCodecTest, StoresAStampSharedByColumnsOnce) {
  const ColumnStamp stamp{111546104115200007, "office-with-a-long-device-name", 118};
  std::vector<ColumnValue> columns;
  for (int i = 0; i < 9; ++i) columns.push_back({"c" + std::to_string(i), std::int64_t{i}});
  const Blob one = encode(columns, std::vector<ColumnStamp>(9, stamp));
  std::vector<ColumnStamp> distinct(9, stamp);
  distinct[4].version = 119;
  const Blob two = encode(columns, distinct);
  // A second stamp costs one more stamp entry, not one per column.
  EXPECT_LT(two.size(), one.size() + 8 + 2 + 1 + stamp.device.size() + 1);
  EXPECT_EQ(decodeRow(two).stamps, distinct);
}

TEST(RowCodecTest, EncoderReusesItsBufferAcrossRows) {
  RowEncoder encoder;
  const std::vector<ColumnValue> big{{"notes", std::string(10'000, 'x')}};
  const std::vector<ColumnValue> small{{"n", std::int64_t{7}}};
  const std::vector<ColumnStamp> stamp{{1, "d", 1}};
  encoder.encode(big, stamp, nullptr);
  const auto bytes = encoder.encode(small, stamp, nullptr);
  EXPECT_EQ(decodeRow(bytes).columns, small);
}

TEST(RowCodecTest, MismatchedStampsAreAnError) {
  RowEncoder encoder;
  EXPECT_THROW(encoder.encode(std::vector<ColumnValue>{{"a", std::int64_t{1}}}, {}, nullptr), Error);
}

TEST(RowCodecTest, EveryTruncationIsAnErrorNotACrash) {
  const ColumnStamp deletion{9, "d2", 4};
  const Blob good = encode({{"notes", std::string(300, 'x')}, {"n", std::int64_t{-7}}, {"r", 1.5}},
                           {{1, "d1", 1}, {1, "d1", 1}, {2, "d2", 3}}, &deletion);
  for (std::size_t size = 0; size < good.size(); ++size) {
    try {
      decodeRow(std::span(good.data(), size));
      ADD_FAILURE() << "a prefix of " << size << " bytes decoded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "ERR_CORRUPT_ROW");
      EXPECT_EQ(e.category(), ErrorCategory::internal);
    }
  }
  Blob trailing = good;
  trailing.push_back(std::byte{0});
  EXPECT_THROW(decodeRow(trailing), Error);
}

TEST(RowCodecTest, GarbledBytesAreAnErrorNotACrash) {
  const auto bytes = [](std::initializer_list<int> values) {
    Blob out;
    for (int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
  };
  EXPECT_THROW(decodeRow(bytes({2, 0, 0, 0})), Error);                                      // unknown format
  EXPECT_THROW(decodeRow(bytes({1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0})), Error);          // huge stamp count
  EXPECT_THROW(decodeRow(bytes({1, 0, 1, 0})), Error);                                      // deletion, no stamps
  EXPECT_THROW(decodeRow(bytes({1, 0, 0, 1, 1, 'a', 0, 0})), Error);                        // column stamp 0 of none
  EXPECT_THROW(decodeRow(bytes({1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})), Error);          // huge column count
  // An eleven-byte varint, and a ten-byte one whose last byte overflows 64 bits.
  EXPECT_THROW(decodeRow(bytes({1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})), Error);
  EXPECT_THROW(decodeRow(bytes({1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})), Error);

  Blob badTag = encode({{"a", std::monostate{}}}, {{1, "d", 1}});
  badTag.back() = std::byte{9};
  EXPECT_THROW(decodeRow(badTag), Error);

  // A version beyond int64 (2^63) in a stamp.
  Blob bigVersion = bytes({1, 1, 1, 0, 0, 0, 0, 0, 0, 0});
  for (int b : {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0}) {
    bigVersion.push_back(static_cast<std::byte>(b));
  }
  EXPECT_THROW(decodeRow(bigVersion), Error);
}

TEST(RowCodecTest, TheErrorNamesTheRow) {
  try {
    decodeRow(Blob{std::byte{7}}, "lessons", "row-1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lessons"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("row-1"), std::string::npos);
  }
}

TEST(RowCodecTest, NameListsRoundTrip) {
  Blob out;
  encodeNames({}, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(decodeNames(out).empty());
  const std::vector<std::string> names{"minutes", "status", ""};
  encodeNames(names, out);
  EXPECT_EQ(decodeNames(out), names);
  out.pop_back();
  EXPECT_THROW(decodeNames(out), Error);
  EXPECT_THROW(decodeNames(Blob{std::byte{0xff}, std::byte{0x0f}}), Error);
}

}  // namespace
}  // namespace offline_sync::server
