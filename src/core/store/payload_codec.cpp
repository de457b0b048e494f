// Layout: a varint column count, then per column a varint name length, the name, a type byte, then 8 little-endian bytes (integer, real) or a
// varint length and the bytes (text, blob). Decoding checks every length against what is left.
#include "core/store/payload_codec.h"

#include <bit>

#include "core/error.h"

namespace offline_sync::store {
namespace {

enum class Tag : std::uint8_t { null = 0, integer = 1, real = 2, text = 3, blob = 4 };

void putVarint(Blob& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::byte>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::byte>(value));
}

void putBytes(Blob& out, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::byte*>(data);
  out.insert(out.end(), bytes, bytes + size);
}

void putFixed(Blob& out, std::uint64_t bits) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>(bits >> (8 * i)));
}

[[noreturn]] void corrupt() {
  throw Error(ErrorCategory::internal, "ERR_CORRUPT_PAYLOAD", "An outbox payload is malformed");
}

class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  bool done() const { return position_ == bytes_.size(); }
  std::uint8_t byte() {
    if (position_ >= bytes_.size()) corrupt();
    return static_cast<std::uint8_t>(bytes_[position_++]);
  }
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = byte();
      value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    corrupt();
  }
  std::uint64_t fixed() {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(byte()) << (8 * i);
    return bits;
  }
  std::span<const std::byte> take(std::uint64_t size) {
    if (size > bytes_.size() - position_) corrupt();
    auto out = bytes_.subspan(position_, static_cast<std::size_t>(size));
    position_ += static_cast<std::size_t>(size);
    return out;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

std::string asString(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

Blob encodePayload(const std::vector<ColumnValue>& columns) {
  Blob out;
  putVarint(out, columns.size());
  for (const auto& column : columns) {
    putVarint(out, column.name.size());
    putBytes(out, column.name.data(), column.name.size());
    if (std::holds_alternative<std::monostate>(column.value)) {
      out.push_back(static_cast<std::byte>(Tag::null));
    } else if (const auto* integer = std::get_if<std::int64_t>(&column.value)) {
      out.push_back(static_cast<std::byte>(Tag::integer));
      putFixed(out, static_cast<std::uint64_t>(*integer));
    } else if (const auto* real = std::get_if<double>(&column.value)) {
      out.push_back(static_cast<std::byte>(Tag::real));
      putFixed(out, std::bit_cast<std::uint64_t>(*real));
    } else if (const auto* text = std::get_if<std::string>(&column.value)) {
      out.push_back(static_cast<std::byte>(Tag::text));
      putVarint(out, text->size());
      putBytes(out, text->data(), text->size());
    } else {
      const auto& blob = std::get<Blob>(column.value);
      out.push_back(static_cast<std::byte>(Tag::blob));
      putVarint(out, blob.size());
      putBytes(out, blob.data(), blob.size());
    }
  }
  return out;
}

std::vector<ColumnValue> decodePayload(std::span<const std::byte> bytes) {
  Reader reader(bytes);
  std::vector<ColumnValue> columns;
  if (bytes.empty()) return columns;
  const std::uint64_t count = reader.varint();
  // Every column takes at least two bytes, so a count beyond that is corrupt, not a reason to allocate.
  if (count > bytes.size() / 2) corrupt();
  columns.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    ColumnValue column;
    column.name = asString(reader.take(reader.varint()));
    switch (static_cast<Tag>(reader.byte())) {
      case Tag::null: column.value = std::monostate{}; break;
      case Tag::integer: column.value = static_cast<std::int64_t>(reader.fixed()); break;
      case Tag::real: column.value = std::bit_cast<double>(reader.fixed()); break;
      case Tag::text: column.value = asString(reader.take(reader.varint())); break;
      case Tag::blob: {
        const auto blob = reader.take(reader.varint());
        column.value = Blob(blob.begin(), blob.end());
        break;
      }
      default: corrupt();
    }
    columns.push_back(std::move(column));
  }
  if (!reader.done()) corrupt();
  return columns;
}

}  // namespace offline_sync::store
