// Identifier, id and decimal rules of protocol v1 (docs/PROTOCOL.md, "Identifiers and limits").
#include "core/protocol/validation.h"

#include <simdjson.h>

#include <limits>

#include "core/protocol/codec.h"

namespace offline_sync::protocol {
namespace {

constexpr std::size_t kMaxIdentifierChars = 64;
constexpr std::size_t kMaxRowIdBytes = 128;
constexpr std::size_t kMaxDeviceIdChars = 128;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool startsWithIgnoringCase(std::string_view text, std::string_view lowerPrefix) {
  if (text.size() < lowerPrefix.size()) return false;
  for (std::size_t i = 0; i < lowerPrefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lowerPrefix[i]) return false;
  }
  return true;
}

}  // namespace

bool isChangeSequence(std::string_view text) {
  const auto sequence = parseUnsignedDecimal(text);
  constexpr auto kMaxSequence = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return sequence && *sequence != 0 && *sequence <= kMaxSequence;
}

std::optional<std::uint64_t> parseUnsignedDecimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (!isDigit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::int64_t> parseSignedDecimal(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  const auto magnitude = parseUnsignedDecimal(negative ? text.substr(1) : text);
  if (!magnitude) return std::nullopt;
  constexpr auto maxPositive = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!negative) {
    if (*magnitude > maxPositive) return std::nullopt;
    return static_cast<std::int64_t>(*magnitude);
  }
  if (*magnitude == 0 || *magnitude > maxPositive + 1) return std::nullopt;
  // -(2^63) cannot be negated as an int64; its two's complement bits are those of the uint64 2^63.
  return *magnitude == maxPositive + 1 ? std::numeric_limits<std::int64_t>::min()
                                       : -static_cast<std::int64_t>(*magnitude);
}

bool isWellFormedChangeId(std::string_view id) {
  const auto colon = id.rfind(':');
  return colon != std::string_view::npos && isValidDeviceId(id.substr(0, colon)) &&
         isChangeSequence(id.substr(colon + 1));
}

bool isPrintableUtf8(std::string_view text) {
  if (!simdjson::validate_utf8(text.data(), text.size())) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return false;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f) return false;
  }
  return true;
}

bool isValidIdentifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxIdentifierChars || isDigit(name[0])) return false;
  for (const char c : name) {
    if (!isAsciiLetter(c) && !isDigit(c) && c != '_') return false;
  }
  return !startsWithIgnoringCase(name, "_sync_") && !startsWithIgnoringCase(name, "sqlite_");
}

bool isValidRowId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRowIdBytes && isPrintableUtf8(id);
}

bool isValidDeviceId(std::string_view id) {
  if (id.empty() || id.size() > kMaxDeviceIdChars) return false;
  for (const char c : id) {
    if (!isAsciiLetter(c) && !isDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

bool isValidChangeId(std::string_view id, std::string_view deviceId) {
  if (!isValidDeviceId(deviceId) || id.size() <= deviceId.size() + 1) return false;
  if (id.substr(0, deviceId.size()) != deviceId || id[deviceId.size()] != ':') return false;
  // The sequence must be all of what follows "<deviceId>:", so the id names this device and no other.
  return isChangeSequence(id.substr(deviceId.size() + 1));
}

}  // namespace offline_sync::protocol
