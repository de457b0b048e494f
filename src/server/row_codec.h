// The compact binary form of a server row's `data` column: its values, each column's stamp, and its deletion stamp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/messages.h"
#include "core/store/value.h"

namespace offline_sync::server {

struct RowData {
  std::vector<store::ColumnValue> columns;
  std::vector<protocol::ColumnStamp> stamps;      // parallel to columns
  std::optional<protocol::ColumnStamp> deletion;  // present while the row is deleted
};

// Encodes rows into a buffer it keeps, so a writer encoding one row per change allocates nothing once warm.
// Stamps shared by several columns (every column of an insert has the same one) are stored once.
class RowEncoder {
 public:
  // The bytes stay valid until the next call.
  std::span<const std::byte> encode(std::span<const store::ColumnValue> columns,
                                    std::span<const protocol::ColumnStamp> stamps,
                                    const protocol::ColumnStamp* deletion);

 private:
  store::Blob out_;
  std::vector<const protocol::ColumnStamp*> distinct_;
  std::vector<std::size_t> indexes_;
};

// Throws Error(internal, "ERR_CORRUPT_ROW") when the bytes are not a row this codec wrote, whatever they are.
RowData decodeRow(std::span<const std::byte> bytes);
// As decodeRow, naming the row in the error, for the storage's callers.
RowData decodeRow(std::span<const std::byte> bytes, std::string_view table, std::string_view rowId);

// A push result's column names (kept or conflicting), as the seen table records them. Empty list: empty bytes.
void encodeNames(const std::vector<std::string>& names, store::Blob& out);
std::vector<std::string> decodeNames(std::span<const std::byte> bytes);

}  // namespace offline_sync::server
