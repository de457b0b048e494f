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
#include <vector>

namespace offline_sync::server {

class RecentRowIndex {
 public:
  struct Entry {
    std::int64_t tenant = 0;
    std::int64_t idHash = 0;
    std::int64_t version = 0;
    // row_ids may still hold an entry for the row's earlier version (a row found there and rewritten, or one whose
    // history is unknown): the pass that adds this entry removes it.
    bool replacesIndexed = false;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // Appends to out the versions of recent rows of the tenant with this id hash. Hashes collide (rarely), so the
  // caller compares each row's table and id.
  void versions(std::int64_t tenant, std::int64_t idHash, std::vector<std::int64_t>& out) const;

  // A row written at version that was not recent: a new row, or (replacesIndexed) one found in row_ids.
  void add(std::int64_t tenant, std::int64_t idHash, std::int64_t version, bool replacesIndexed = false);
  // A recent row rewritten: its version moves from `from` to `to`. Throws ERR_INTERNAL if it is not here at `from`.
  void move(std::int64_t tenant, std::int64_t idHash, std::int64_t from, std::int64_t to);

  // The journaled edits are now in the database: forget how to undo them.
  void commit() noexcept { journal_.clear(); }
  // The transaction rolled back: undo the edits since the last commit(), newest first.
  void rollback() noexcept;
  // Everything here is now in row_ids (and committed).
  void clear() noexcept;

  std::size_t size() const noexcept { return size_; }
  // Every entry, ordered by id hash, tenant and version: the order of row_ids' key, so a flush walks its leaves once.
  std::vector<Entry> sorted() const;

 private:
  // An open-addressing table with linear probing: no allocation per entry, and a lookup reads one or two cache lines
  // (a node-based multimap cost a cache miss per node on the push path). version 0 marks a free slot (versions start
  // at 1), kErased an entry a rollback is removing. Several slots may hold the same (tenant, id hash).
  static constexpr std::int64_t kErased = -1;
  using Slot = Entry;
  struct Edit {
    Slot entry;         // the entry as the edit left it
    std::int64_t from;  // 0: the entry was added; otherwise its version before
  };

  std::size_t home(std::int64_t tenant, std::int64_t idHash) const noexcept;
  // The slot holding exactly this entry, or slots_.size() when none does.
  std::size_t find(std::int64_t tenant, std::int64_t idHash, std::int64_t version) const noexcept;
  void insert(const Slot& entry) noexcept;  // capacity must allow it
  // Moves every entry into a table of this capacity (a power of two), leaving out the erased.
  void rehash(std::size_t capacity);

  std::vector<Slot> slots_ = std::vector<Slot>(1024);  // a power of two, at most half full
  std::size_t size_ = 0;
  std::vector<Edit> journal_;
};

}  // namespace offline_sync::server
