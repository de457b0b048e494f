#include "server/recent_row_index.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace offline_sync::server {

void RecentRowIndex::versions(std::int64_t tenant, std::int64_t idHash, std::vector<std::int64_t>& out) const {
  const auto [first, last] = versions_.equal_range(Key{tenant, idHash});
  for (auto it = first; it != last; ++it) out.push_back(it->second);
}

void RecentRowIndex::add(std::int64_t tenant, std::int64_t idHash, std::int64_t version) {
  const Key key{tenant, idHash};
  journal_.push_back(Edit{key, 0, version});
  versions_.emplace(key, version);
}

void RecentRowIndex::move(std::int64_t tenant, std::int64_t idHash, std::int64_t from, std::int64_t to) {
  const Key key{tenant, idHash};
  const auto [first, last] = versions_.equal_range(key);
  const auto found = std::find_if(first, last, [&](const auto& entry) { return entry.second == from; });
  if (found == last) {
    throw Error(ErrorCategory::internal, codes::internal,
                "The recent row index has no row at version " + std::to_string(from) + " to move");
  }
  journal_.push_back(Edit{key, from, to});
  found->second = to;
}

void RecentRowIndex::rollback() noexcept {
  for (auto edit = journal_.rbegin(); edit != journal_.rend(); ++edit) {
    const auto [first, last] = versions_.equal_range(edit->key);
    const auto found = std::find_if(first, last, [&](const auto& entry) { return entry.second == edit->to; });
    if (found == last) continue;  // cannot happen: every edit left its entry until a later one, undone before it
    if (edit->from == 0) {
      versions_.erase(found);
    } else {
      found->second = edit->from;
    }
  }
  journal_.clear();
}

void RecentRowIndex::clear() noexcept {
  versions_.clear();
  journal_.clear();
}

std::vector<RecentRowIndex::Entry> RecentRowIndex::sorted() const {
  std::vector<Entry> entries;
  entries.reserve(versions_.size());
  for (const auto& [key, version] : versions_) entries.push_back(Entry{key.tenant, key.idHash, version});
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.idHash != b.idHash) return a.idHash < b.idHash;
    if (a.tenant != b.tenant) return a.tenant < b.tenant;
    return a.version < b.version;
  });
  return entries;
}

}  // namespace offline_sync::server
