// Lends reader connections; a connection that failed to open does not count against the capacity.
#include "server/sqlite_storage_readers.h"

#include "core/error.h"

namespace offline_sync::server {

ReaderPool::ReaderPool(std::string path, store::OpenOptions options, std::size_t capacity)
    : path_(std::move(path)), options_(options), capacity_(capacity) {
  if (capacity_ == 0) throwInvalidArgument("The storage needs at least one reader connection");
  idle_.reserve(capacity_);  // so release(), which must not throw, never allocates
}

ReaderPool::Lease ReaderPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
    ++open_;  // reserved before opening, outside the lock
  }
  try {
    auto connection = std::make_unique<store::Connection>(path_, options_);
    // A reader never writes: make a bug that tries fail instead of taking the write lock.
    connection->exec("PRAGMA query_only=1");
    return Lease(*this, std::move(connection));
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    returned_.notify_one();
    throw;
  }
}

void ReaderPool::release(std::unique_ptr<store::Connection> connection) noexcept {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

}  // namespace offline_sync::server
