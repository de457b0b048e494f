#include "server/recent_row_index.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/error.h"
#include "server/sqlite_storage_schema.h"

namespace offline_sync::server {

std::size_t RecentRowIndex::home(std::int64_t tenant, std::int64_t idHash) const noexcept {
  return static_cast<std::size_t>(tenantRowHash(tenant, idHash)) & (slots_.size() - 1);
}

void RecentRowIndex::versions(std::int64_t tenant, std::int64_t idHash, std::vector<std::int64_t>& out) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(tenant, idHash); slots_[i].version != 0; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.idHash == idHash && slot.tenant == tenant && slot.version > 0) out.push_back(slot.version);
  }
}

std::size_t RecentRowIndex::find(std::int64_t tenant, std::int64_t idHash, std::int64_t version) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(tenant, idHash); slots_[i].version != 0; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.version == version && slot.idHash == idHash && slot.tenant == tenant) return i;
  }
  return slots_.size();
}

void RecentRowIndex::insert(const Slot& entry) noexcept {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(entry.tenant, entry.idHash);
  while (slots_[i].version != 0) i = (i + 1) & mask;
  slots_[i] = entry;
  ++size_;
}

void RecentRowIndex::rehash(std::size_t capacity) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
  size_ = 0;
  for (const Slot& slot : old) {
    if (slot.version > 0) insert(slot);  // drops the erased (kErased)
  }
}

void RecentRowIndex::add(std::int64_t tenant, std::int64_t idHash, std::int64_t version, bool replacesIndexed) {
  // What may throw comes first: the entry goes in only once its undo is recorded.
  if (2 * (size_ + 1) > slots_.size()) rehash(2 * slots_.size());
  const Slot entry{tenant, idHash, version, replacesIndexed};
  journal_.push_back(Edit{entry, 0});
  insert(entry);
}

void RecentRowIndex::move(std::int64_t tenant, std::int64_t idHash, std::int64_t from, std::int64_t to) {
  const std::size_t slot = find(tenant, idHash, from);
  if (slot == slots_.size()) {
    throw Error(ErrorCategory::internal, codes::internal,
                "The recent row index has no row at version " + std::to_string(from) + " to move");
  }
  journal_.push_back(Edit{Slot{tenant, idHash, to, slots_[slot].replacesIndexed}, from});
  slots_[slot].version = to;
}

void RecentRowIndex::rollback() noexcept {
  // Added entries are only marked while undoing (a free slot would cut the probe runs the other undos search), then
  // dropped by rebuilding the table: a rollback is rare, and nothing subtle has to hold for it to be right.
  bool erased = false;
  for (auto edit = journal_.rbegin(); edit != journal_.rend(); ++edit) {
    const Slot& entry = edit->entry;
    const std::size_t slot = find(entry.tenant, entry.idHash, entry.version);
    if (slot == slots_.size()) continue;  // cannot happen: every edit left its entry until a later one, undone before
    if (edit->from == 0) {
      slots_[slot].version = kErased;
      erased = true;
    } else {
      slots_[slot].version = edit->from;
    }
  }
  journal_.clear();
  if (!erased) return;
  try {
    rehash(slots_.size());
  } catch (...) {
    // Out of memory: the marked slots stay, matching no lookup; size_ still counts them, so a flush comes sooner.
  }
}

void RecentRowIndex::clear() noexcept {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
  journal_.clear();
}

std::vector<RecentRowIndex::Entry> RecentRowIndex::sorted() const {
  std::vector<Entry> entries;
  entries.reserve(size_);
  for (const Slot& slot : slots_) {
    if (slot.version > 0) entries.push_back(slot);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.idHash != b.idHash) return a.idHash < b.idHash;
    if (a.tenant != b.tenant) return a.tenant < b.tenant;
    return a.version < b.version;
  });
  return entries;
}

}  // namespace offline_sync::server
