// The application's local database: a connection with the product's metadata (device identity, clock), migrations
// and change capture.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/clock/hybrid_clock.h"
#include "core/store/connection.h"
#include "core/store/migrations.h"
#include "core/store/tracked_table.h"

namespace offline_sync::store {

struct StoreOptions {
  OpenOptions open;
  // Given: must match the id already stored, if any. Absent: the stored id, or a new random one.
  std::optional<std::string> deviceId;
  // The wall clock behind the hybrid clock; tests give a fake one.
  HybridClock::WallClock wallClock = HybridClock::systemMillis;
};

class Store {
 public:
  Store(const std::string& path, const StoreOptions& options);

  Connection& connection() noexcept { return connection_; }
  const std::string& deviceId() const noexcept { return deviceId_; }
  HybridClock& clock() noexcept { return *clock_; }

  // Runs the app's migrations, then refreshes capture for tracked tables (a rebuilt table gets its triggers back).
  MigrationResult migrate(std::span<const std::string> steps);
  TrackedTable track(std::string_view table, std::optional<ConflictPolicy> policy);
  // Local changes not yet acknowledged by the server.
  std::int64_t pendingChanges();

  // A second connection to the same file for the sync engine: capture is off on it, and it shares this store's
  // clock. Throws ERR_INVALID_ARG for an in-memory database, which a second connection cannot see.
  std::unique_ptr<Connection> openSyncConnection() const;
  std::shared_ptr<HybridClock> sharedClock() const noexcept { return clock_; }

  bool isOpen() const noexcept { return connection_.isOpen(); }
  void close() noexcept { connection_.close(); }

 private:
  std::shared_ptr<HybridClock> clock_;  // shared with the SQL functions of this store's connections
  OpenOptions openOptions_;
  Connection connection_;
  std::string deviceId_;
};

// Device ids go into change ids and onto the wire: 1 to 128 characters of [A-Za-z0-9._:-].
bool isValidDeviceId(std::string_view id);

}  // namespace offline_sync::store
