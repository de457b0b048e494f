// Base64 with a strict decoder: peers send canonical text, anything else is a protocol error.
#include "core/protocol/base64.h"

#include <array>
#include <cstdint>

namespace offline_sync::protocol {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}
constexpr auto kDecodeTable = makeDecodeTable();

std::uint8_t sextet(char c) { return kDecodeTable[static_cast<unsigned char>(c)]; }

}  // namespace

std::string encodeBase64(std::span<const std::byte> bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto group = (std::to_integer<std::uint32_t>(bytes[i]) << 16) |
                       (std::to_integer<std::uint32_t>(bytes[i + 1]) << 8) |
                       std::to_integer<std::uint32_t>(bytes[i + 2]);
    text += kAlphabet[(group >> 18) & 63];
    text += kAlphabet[(group >> 12) & 63];
    text += kAlphabet[(group >> 6) & 63];
    text += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::to_integer<std::uint32_t>(bytes[i]) << 16;
    if (rest == 2) group |= std::to_integer<std::uint32_t>(bytes[i + 1]) << 8;
    text += kAlphabet[(group >> 18) & 63];
    text += kAlphabet[(group >> 12) & 63];
    text += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
    text += '=';
  }
  return text;
}

std::optional<std::size_t> base64DecodedSize(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return 0;
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  return text.size() / 4 * 3 - padding;
}

std::optional<std::vector<std::byte>> decodeBase64(std::string_view text) {
  const auto size = base64DecodedSize(text);
  if (!size) return std::nullopt;
  std::vector<std::byte> bytes;
  bytes.reserve(*size);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t padding = last ? text.size() / 4 * 3 - *size : 0;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      if (j >= 4 - padding) {
        group <<= 6;  // a '=' checked by base64DecodedSize
        continue;
      }
      const std::uint8_t value = sextet(text[i + j]);
      if (value == kInvalid) return std::nullopt;
      group = (group << 6) | value;
    }
    // Bits below the last real byte must be zero, or two texts would decode to the same blob.
    if (padding == 1 && (group & 0xff) != 0) return std::nullopt;
    if (padding == 2 && (group & 0xffff) != 0) return std::nullopt;
    bytes.push_back(static_cast<std::byte>(group >> 16));
    if (padding < 2) bytes.push_back(static_cast<std::byte>((group >> 8) & 0xff));
    if (padding < 1) bytes.push_back(static_cast<std::byte>(group & 0xff));
  }
  return bytes;
}

}  // namespace offline_sync::protocol
