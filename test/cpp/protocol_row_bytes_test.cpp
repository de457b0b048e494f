// approximateRowBytes, which a server bounds its pull pages by, against what the encoder really writes.
#include "core/protocol/codec.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol_samples.h"

namespace offline_sync::protocol {
namespace {

using namespace samples;

// What one row adds to an encoded pull response.
std::size_t encodedRowBytes(const RowState& row) {
  PullResponse one;
  one.rows.push_back(row);
  return encodePullResponse(one).size() - encodePullResponse(PullResponse{}).size();
}

RowState rowWith(std::vector<ColumnValue> columns) {
  RowState row = sampleRow();
  row.columns = std::move(columns);
  row.stamps.assign(row.columns.size(), ColumnStamp{111546104115200007, "office-1", 118});
  return row;
}

TEST(ApproximateRowBytesTest, IsAtLeastTheEncodedSizeAndAtMostSixtyBytesPerColumnMore) {
  const std::vector<RowState> rows = {
      sampleRow(),
      rowWith({}),
      rowWith({{"notes", std::string(1000000, 'x')}}),
      rowWith({{"photo", Blob(750000, std::byte{7})}, {"thumb", Blob(1, std::byte{1})}}),
      rowWith({{"a", std::monostate{}}, {"b", std::int64_t{-5}}, {"c", 0.25}, {"d", std::int64_t{1} << 60}}),
  };
  for (const RowState& row : rows) {
    const std::size_t encoded = encodedRowBytes(row);
    const std::size_t approximate = approximateRowBytes(row);
    EXPECT_GE(approximate, encoded) << row.columns.size() << " columns";
    EXPECT_LE(approximate, encoded + 60 * (row.columns.size() + 1)) << row.columns.size() << " columns";
  }
}

TEST(ApproximateRowBytesTest, TextThatNeedsEscapesEncodesLongerThanApproximated) {
  // The documented gap: a control character is spelled \u0001, six bytes for one.
  const RowState row = rowWith({{"notes", std::string(100000, '\x01')}});
  EXPECT_GT(encodedRowBytes(row), 5 * approximateRowBytes(row));
  EXPECT_LT(encodedRowBytes(row), 7 * approximateRowBytes(row));
}

}  // namespace
}  // namespace offline_sync::protocol
