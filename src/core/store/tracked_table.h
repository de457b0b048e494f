// A table under change capture: its conflict policy and its columns, each with a stable bit in change masks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/merge/conflict_policy.h"

namespace offline_sync::store {

// Bits 0..62, so a mask of changed columns is a positive 64-bit integer.
inline constexpr std::size_t kMaxTrackedColumns = 63;

struct TrackedColumn {
  int bit = 0;
  std::string name;
};

struct TrackedTable {
  std::string name;
  ConflictPolicy policy = ConflictPolicy::merge;
  std::vector<TrackedColumn> columns;  // by bit; the primary key `id` is not among them

  std::int64_t allColumnsMask() const;
  const TrackedColumn* column(std::string_view name) const;
};

}  // namespace offline_sync::store
