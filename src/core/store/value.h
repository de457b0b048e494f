// A SQLite value held by the core (for changes leaving or entering the store), and its moves in and out of statements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/store/statement.h"

namespace offline_sync::store {

using Blob = std::vector<std::byte>;
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

Value readValue(const Statement& statement, int column);
void bindValue(Statement& statement, int index, const Value& value);

}  // namespace offline_sync::store
