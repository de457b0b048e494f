// Standard, padded base64 (RFC 4648 section 4) for BLOB values on the wire.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace offline_sync::protocol {

std::string encodeBase64(std::span<const std::byte> bytes);
// The decoded size of well-formed base64 text, so a limit can be checked before decoding; nullopt if the length or
// padding is wrong.
std::optional<std::size_t> base64DecodedSize(std::string_view text);
// Strict: no whitespace, padding required, and the unused bits of the last group must be zero, so every blob has
// exactly one spelling. nullopt when the text is not that.
std::optional<std::vector<std::byte>> decodeBase64(std::string_view text);

}  // namespace offline_sync::protocol
