#include "server/row_id_filter.h"

#include <algorithm>
#include <bit>

#include "server/sqlite_storage_schema.h"

namespace offline_sync::server {
namespace {

constexpr std::size_t kBitsPerEntry = 16;
constexpr std::size_t kMinimumBits = std::size_t{1} << 20;  // 128 KiB

// The second of two independent-enough probe values; the first is tenantRowHash.
std::uint64_t second(std::uint64_t h) {
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h | 1;  // odd: the probes cover distinct bits
}

}  // namespace

RowIdFilter::RowIdFilter(std::size_t expected) {
  const std::size_t bits = std::bit_ceil(std::max(kMinimumBits, expected * kBitsPerEntry));
  words_.assign(bits / 64, 0);
  mask_ = bits - 1;
  capacity_ = bits / kBitsPerEntry;
}

void RowIdFilter::add(std::int64_t tenant, std::int64_t idHash) noexcept {
  const std::uint64_t h1 = tenantRowHash(tenant, idHash);
  const std::uint64_t h2 = second(h1);
  for (int i = 0; i < kProbes; ++i) {
    const std::uint64_t bit = (h1 + static_cast<std::uint64_t>(i) * h2) & mask_;
    words_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
  ++added_;
}

bool RowIdFilter::mayContain(std::int64_t tenant, std::int64_t idHash) const noexcept {
  const std::uint64_t h1 = tenantRowHash(tenant, idHash);
  const std::uint64_t h2 = second(h1);
  for (int i = 0; i < kProbes; ++i) {
    const std::uint64_t bit = (h1 + static_cast<std::uint64_t>(i) * h2) & mask_;
    if ((words_[bit / 64] & (std::uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace offline_sync::server
