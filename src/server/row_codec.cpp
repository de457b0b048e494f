// Layout (format 1): a format byte; a varint stamp count, then per stamp 8 little-endian bytes of hlc, a varint
// version and a varint-length device; a varint deletion reference (0: none, else stamp index + 1); a varint column
// count, then per column a varint-length name, a varint stamp index, a type byte and the value (zigzag varint
// integer, 8-byte real, varint-length text or blob). Decoding checks every length, index and count against what is
// left, so no bytes can make it read out of bounds or allocate more than the input justifies.
#include "server/row_codec.h"

#include <bit>
#include <cstdint>
#include <limits>

#include "core/error.h"

namespace offline_sync::server {
namespace {

constexpr std::uint8_t kFormat = 1;
enum class Tag : std::uint8_t { null = 0, integer = 1, real = 2, text = 3, blob = 4 };

// Smallest encodings: a stamp is 8 bytes of hlc, a version byte and a length byte; a column a name length, a stamp
// index and a tag. Counts beyond what the bytes can hold are corrupt, not a reason to allocate.
constexpr std::size_t kMinStampBytes = 10;
constexpr std::size_t kMinColumnBytes = 3;

[[noreturn]] void corrupt(const char* what) {
  throw Error(ErrorCategory::internal, "ERR_CORRUPT_ROW", std::string("A stored row is malformed: ") + what);
}

class Writer {
 public:
  explicit Writer(store::Blob& out) : out_(out) { out_.clear(); }
  void byte(std::uint8_t value) { out_.push_back(static_cast<std::byte>(value)); }
  void varint(std::uint64_t value) {
    while (value >= 0x80) {
      byte(static_cast<std::uint8_t>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    byte(static_cast<std::uint8_t>(value));
  }
  void fixed(std::uint64_t bits) {
    for (int i = 0; i < 8; ++i) byte(static_cast<std::uint8_t>(bits >> (8 * i)));
  }
  void bytes(const void* data, std::size_t size) {
    const auto* begin = static_cast<const std::byte*>(data);
    out_.insert(out_.end(), begin, begin + size);
  }
  void sized(const void* data, std::size_t size) {
    varint(size);
    bytes(data, size);
  }

 private:
  store::Blob& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::size_t left() const { return bytes_.size() - position_; }
  std::uint8_t byte() {
    if (position_ >= bytes_.size()) corrupt("truncated");
    return static_cast<std::uint8_t>(bytes_[position_++]);
  }
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = byte();
      // The tenth byte may only carry the top bit; anything more would overflow 64 bits.
      if (shift == 63 && b > 1) corrupt("varint overflow");
      value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    corrupt("varint too long");
  }
  std::int64_t version() {
    const std::uint64_t value = varint();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) corrupt("version out of range");
    return static_cast<std::int64_t>(value);
  }
  std::uint64_t fixed() {
    if (left() < 8) corrupt("truncated");
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(bytes_[position_++]) << (8 * i);
    return bits;
  }
  std::span<const std::byte> sized() {
    const std::uint64_t size = varint();
    if (size > left()) corrupt("length beyond the end");
    auto out = bytes_.subspan(position_, static_cast<std::size_t>(size));
    position_ += static_cast<std::size_t>(size);
    return out;
  }
  std::string text() {
    const auto bytes = sized();
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  std::uint64_t count(std::size_t minBytesEach) {
    const std::uint64_t value = varint();
    if (value > left() / minBytesEach) corrupt("count beyond the end");
    return value;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

void writeValue(Writer& writer, const store::Value& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    writer.byte(static_cast<std::uint8_t>(Tag::integer));
    writer.varint(zigzag(*integer));
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    writer.byte(static_cast<std::uint8_t>(Tag::text));
    writer.sized(text->data(), text->size());
  } else if (const auto* real = std::get_if<double>(&value)) {
    writer.byte(static_cast<std::uint8_t>(Tag::real));
    writer.fixed(std::bit_cast<std::uint64_t>(*real));
  } else if (const auto* blob = std::get_if<store::Blob>(&value)) {
    writer.byte(static_cast<std::uint8_t>(Tag::blob));
    writer.sized(blob->data(), blob->size());
  } else {
    writer.byte(static_cast<std::uint8_t>(Tag::null));
  }
}

store::Value readColumnValue(Reader& reader) {
  switch (static_cast<Tag>(reader.byte())) {
    case Tag::null: return std::monostate{};
    case Tag::integer: return unzigzag(reader.varint());
    case Tag::real: return std::bit_cast<double>(reader.fixed());
    case Tag::text: return reader.text();
    case Tag::blob: {
      const auto bytes = reader.sized();
      return store::Blob(bytes.begin(), bytes.end());
    }
  }
  corrupt("unknown value type");
}

// The index of stamp in distinct, appending it when new. Rows have few distinct stamps, so a scan beats a map.
std::size_t intern(std::vector<const protocol::ColumnStamp*>& distinct, const protocol::ColumnStamp& stamp) {
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    if (*distinct[i] == stamp) return i;
  }
  distinct.push_back(&stamp);
  return distinct.size() - 1;
}

}  // namespace

std::span<const std::byte> RowEncoder::encode(std::span<const store::ColumnValue> columns,
                                              std::span<const protocol::ColumnStamp> stamps,
                                              const protocol::ColumnStamp* deletion) {
  if (stamps.size() != columns.size()) {
    throw Error(ErrorCategory::internal, codes::internal, "A row's stamps do not match its columns");
  }
  distinct_.clear();
  indexes_.clear();
  for (const auto& stamp : stamps) indexes_.push_back(intern(distinct_, stamp));
  const std::size_t deletionIndex = deletion != nullptr ? intern(distinct_, *deletion) + 1 : 0;

  Writer writer(out_);
  writer.byte(kFormat);
  writer.varint(distinct_.size());
  for (const auto* stamp : distinct_) {
    writer.fixed(stamp->hlc);
    writer.varint(static_cast<std::uint64_t>(stamp->version));
    writer.sized(stamp->device.data(), stamp->device.size());
  }
  writer.varint(deletionIndex);
  writer.varint(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    writer.sized(columns[i].name.data(), columns[i].name.size());
    writer.varint(indexes_[i]);
    writeValue(writer, columns[i].value);
  }
  return out_;
}

RowData decodeRow(std::span<const std::byte> bytes) {
  Reader reader(bytes);
  if (reader.byte() != kFormat) corrupt("unknown format");
  std::vector<protocol::ColumnStamp> distinct(static_cast<std::size_t>(reader.count(kMinStampBytes)));
  for (auto& stamp : distinct) {
    stamp.hlc = reader.fixed();
    stamp.version = reader.version();
    stamp.device = reader.text();
  }
  RowData row;
  if (const std::uint64_t deletion = reader.varint(); deletion != 0) {
    if (deletion > distinct.size()) corrupt("deletion stamp out of range");
    row.deletion = distinct[static_cast<std::size_t>(deletion - 1)];
  }
  const auto count = static_cast<std::size_t>(reader.count(kMinColumnBytes));
  row.columns.reserve(count);
  row.stamps.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = reader.text();
    const std::uint64_t stamp = reader.varint();
    if (stamp >= distinct.size()) corrupt("column stamp out of range");
    row.columns.push_back({std::move(name), readColumnValue(reader)});
    row.stamps.push_back(distinct[static_cast<std::size_t>(stamp)]);
  }
  if (reader.left() != 0) corrupt("trailing bytes");
  return row;
}

RowData decodeRow(std::span<const std::byte> bytes, std::string_view table, std::string_view rowId) {
  try {
    return decodeRow(bytes);
  } catch (const Error& e) {
    throw Error(e.category(), e.code(),
                std::string(e.what()) + " (table '" + std::string(table) + "', row '" + std::string(rowId) + "')");
  }
}

void encodeNames(const std::vector<std::string>& names, store::Blob& out) {
  Writer writer(out);
  if (names.empty()) return;
  writer.varint(names.size());
  for (const auto& name : names) writer.sized(name.data(), name.size());
}

std::vector<std::string> decodeNames(std::span<const std::byte> bytes) {
  std::vector<std::string> names;
  if (bytes.empty()) return names;
  Reader reader(bytes);
  const auto count = static_cast<std::size_t>(reader.count(1));
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) names.push_back(reader.text());
  if (reader.left() != 0) corrupt("trailing bytes in a name list");
  return names;
}

}  // namespace offline_sync::server
