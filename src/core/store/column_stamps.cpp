// The text form of per-column stamps and how two changes' stamps fold into one.
#include "core/store/column_stamps.h"

#include <charconv>

#include "core/error.h"

namespace offline_sync::store {
namespace {

[[noreturn]] void malformed(std::string_view text) {
  throw Error(ErrorCategory::internal, codes::internal, "Malformed column stamps in the outbox: " + std::string(text));
}

template <typename Number>
Number parseNumber(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) malformed(text);
  return value;
}

}  // namespace

ColumnStamps parseColumnStamps(std::string_view text) {
  ColumnStamps stamps;
  while (!text.empty()) {
    const auto end = text.find(';');
    const std::string_view pair = text.substr(0, end);
    const auto colon = pair.find(':');
    if (colon == std::string_view::npos) malformed(pair);
    stamps[parseNumber<int>(pair.substr(0, colon))] = parseNumber<HlcStamp>(pair.substr(colon + 1));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return stamps;
}

std::string formatColumnStamps(const ColumnStamps& stamps) {
  std::string text;
  for (const auto& [bit, hlc] : stamps) {
    if (!text.empty()) text += ';';
    text += std::to_string(bit) + ':' + std::to_string(hlc);
  }
  return text;
}

ColumnStamps foldColumnStamps(const StampedColumns& older, const StampedColumns& newer) {
  ColumnStamps folded;
  for (int bit = 0; bit < 64; ++bit) {
    const std::int64_t mask = std::int64_t{1} << bit;
    if ((newer.columns & mask) != 0) {
      const auto own = newer.older.find(bit);
      if (own != newer.older.end() && own->second < newer.hlc) folded[bit] = own->second;
    } else if ((older.columns & mask) != 0) {
      const auto own = older.older.find(bit);
      const HlcStamp stamp = own != older.older.end() ? own->second : older.hlc;
      if (stamp < newer.hlc) folded[bit] = stamp;
    }
  }
  return folded;
}

}  // namespace offline_sync::store
