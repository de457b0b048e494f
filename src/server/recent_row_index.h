// The rows written since row_ids was last brought up to date, in memory: (tenant, id hash) → version.
//
// Row ids are random, so indexing every write in SQLite puts each change on a random leaf of the index, and the WAL
// copies every leaf a commit touched: ~2.4 KB written per pushed change at 100,000 rows, growing with the index.
// Collected here, the same entries go into row_ids in one sorted pass every few tens of thousands of rows, which
// writes each leaf once per pass. Nothing here needs to survive a crash: the rows table is clustered by version, so
// the entries are rebuilt on open from the rows above each tenant's indexed_seq.
//
// A push's edits are journaled until commit() or rollback(), so a transaction that rolls back leaves the index as
// the database is. Not thread-safe: the push writer owns it under the storage's write lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace offline_sync::server {

class RecentRowIndex {
 public:
  struct Entry {
    std::int64_t tenant = 0;
    std::int64_t idHash = 0;
    std::int64_t version = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // Appends to out the versions of recent rows of the tenant with this id hash. Hashes collide (rarely), so the
  // caller compares each row's table and id.
  void versions(std::int64_t tenant, std::int64_t idHash, std::vector<std::int64_t>& out) const;

  // A row written at version (a new row, or one found in row_ids, whose entry there the caller removes).
  void add(std::int64_t tenant, std::int64_t idHash, std::int64_t version);
  // A recent row rewritten: its version moves from `from` to `to`. Throws ERR_INTERNAL if it is not here at `from`.
  void move(std::int64_t tenant, std::int64_t idHash, std::int64_t from, std::int64_t to);

  // The journaled edits are now in the database: forget how to undo them.
  void commit() noexcept { journal_.clear(); }
  // The transaction rolled back: undo the edits since the last commit(), newest first.
  void rollback() noexcept;
  // Everything here is now in row_ids (and committed).
  void clear() noexcept;

  std::size_t size() const noexcept { return versions_.size(); }
  // Every entry, ordered by id hash, tenant and version: the order of row_ids' key, so a flush walks its leaves once.
  std::vector<Entry> sorted() const;

 private:
  struct Key {
    std::int64_t tenant;
    std::int64_t idHash;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    // The id hash is already well mixed (rowIdHash); the tenant only needs to move it.
    std::size_t operator()(const Key& key) const noexcept {
      return static_cast<std::size_t>(key.idHash ^ (key.tenant * 0x9e3779b97f4a7c15LL));
    }
  };
  struct Edit {
    Key key;
    std::int64_t from;  // 0: the entry was added
    std::int64_t to;
  };

  std::unordered_multimap<Key, std::int64_t, KeyHash> versions_;
  std::vector<Edit> journal_;
};

}  // namespace offline_sync::server
