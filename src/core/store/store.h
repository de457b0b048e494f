// The application's local database: a connection with the product's metadata (device identity, clock), migrations
// and change capture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/clock/hybrid_clock.h"
#include "core/store/capture_functions.h"
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

  // Called on the writing thread after each transaction of this store's connection that captured at least one
  // tracked write has committed (once per transaction; never for a rollback, untracked tables or the sync
  // connection's writes): the sync engine pushes soon. Must not use this store's connection; exceptions are swallowed.
  // Needs WAL mode (the default; an in-memory database never notifies). Thread-safe.
  std::uint64_t addCaptureListener(std::function<void()> listener);
  void removeCaptureListener(std::uint64_t id);

  bool isOpen() const noexcept { return connection_.isOpen(); }
  void close() noexcept { connection_.close(); }

 private:
  std::shared_ptr<HybridClock> clock_;  // shared with the SQL functions of this store's connections
  // Before connection_, so it outlives the connection's hooks that point at it.
  std::shared_ptr<CaptureListeners> captureListeners_;
  OpenOptions openOptions_;
  Connection connection_;
  std::string deviceId_;
};

// Device ids go into change ids and onto the wire: 1 to 128 characters of [A-Za-z0-9._:-].
bool isValidDeviceId(std::string_view id);

}  // namespace offline_sync::store
