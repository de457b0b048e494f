// Quoting for identifiers and literals in SQL the store generates (triggers, row reads): names are never spliced raw.
#pragma once

#include <string>
#include <string_view>

namespace offline_sync::store {

// "name" with embedded double quotes doubled.
std::string quoteIdentifier(std::string_view name);
// 'text' with embedded single quotes doubled.
std::string quoteLiteral(std::string_view text);

}  // namespace offline_sync::store
