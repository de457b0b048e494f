// The text rules of the wire that are not JSON: canonical decimals, change ids and control characters.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace offline_sync::protocol {

// "0" or [1-9][0-9]* within uint64: hlc stamps. Leading zeros, signs and spaces are refused so that one number has
// one spelling.
std::optional<std::uint64_t> parseUnsignedDecimal(std::string_view text);
// As parseUnsignedDecimal with an optional '-' (never "-0"), within int64: the text of {"$int": ...}.
std::optional<std::int64_t> parseSignedDecimal(std::string_view text);

// The <n> of a change id "<deviceId>:<n>": a canonical decimal, 1 <= n < 2^63.
bool isChangeSequence(std::string_view text);
// A change id whose device part is a valid device id (for answers, where the request's device is not at hand).
bool isWellFormedChangeId(std::string_view id);

// True when the text is valid UTF-8 and has no control character (C0, DEL or C1).
bool isPrintableUtf8(std::string_view text);

}  // namespace offline_sync::protocol
