// SQL quoting by doubling the quote character, as SQLite's grammar defines.
#include "core/store/sql_text.h"

namespace offline_sync::store {
namespace {

std::string quote(std::string_view text, char mark) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(mark);
  for (const char c : text) {
    if (c == mark) out.push_back(mark);
    out.push_back(c);
  }
  out.push_back(mark);
  return out;
}

}  // namespace

std::string quoteIdentifier(std::string_view name) { return quote(name, '"'); }
std::string quoteLiteral(std::string_view text) { return quote(text, '\''); }

}  // namespace offline_sync::store
