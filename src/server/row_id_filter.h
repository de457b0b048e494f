// A Bloom filter over row_ids' (tenant, id hash) keys: "certainly not there" spares the b-tree lookup that every new
// row's insert would otherwise make, the common case of a push. No false negatives: the owner adds every entry it
// writes to row_ids and rebuilds the filter from the table whenever the file may have changed behind it. Dead and
// rolled-back entries only cost a false positive (a lookup that finds nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace offline_sync::server {

class RowIdFilter {
 public:
  // Empty, sized for about `expected` entries.
  explicit RowIdFilter(std::size_t expected = 0);

  void add(std::int64_t tenant, std::int64_t idHash) noexcept;
  bool mayContain(std::int64_t tenant, std::int64_t idHash) const noexcept;
  // More entries than it was sized for: false positives grow, and the owner should rebuild it larger.
  bool crowded() const noexcept { return added_ > capacity_; }
  std::size_t added() const noexcept { return added_; }

 private:
  static constexpr int kProbes = 4;  // with 16 bits an entry: ~0.24% false positives when full
  std::vector<std::uint64_t> words_;
  std::uint64_t mask_ = 0;  // bit count - 1 (a power of two)
  std::size_t capacity_ = 0;
  std::size_t added_ = 0;
};

}  // namespace offline_sync::server
