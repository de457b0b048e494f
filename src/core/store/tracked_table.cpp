// Helpers over a tracked table's column bits.
#include "core/store/tracked_table.h"

namespace offline_sync::store {

std::int64_t TrackedTable::allColumnsMask() const {
  std::int64_t mask = 0;
  for (const auto& column : columns) mask |= std::int64_t{1} << column.bit;
  return mask;
}

const TrackedColumn* TrackedTable::column(std::string_view name) const {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

}  // namespace offline_sync::store
