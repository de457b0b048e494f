// A bounded pool of read-only connections, so pulls run beside a push (WAL) and beside each other.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/store/connection.h"

namespace offline_sync::server {

class ReaderPool {
 public:
  // Opens connections as they are first needed, at most `capacity`; callers beyond that wait for one.
  ReaderPool(std::string path, store::OpenOptions options, std::size_t capacity);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // A connection for one thread until the lease ends.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<store::Connection> connection) noexcept
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(std::move(connection_)); }
    store::Connection& operator*() const noexcept { return *connection_; }
    store::Connection* operator->() const noexcept { return connection_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<store::Connection> connection_;
  };

  Lease acquire();

 private:
  void release(std::unique_ptr<store::Connection> connection) noexcept;

  std::string path_;
  store::OpenOptions options_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<store::Connection>> idle_;
  std::size_t open_ = 0;  // idle or leased
};

}  // namespace offline_sync::server
