// The application's local database: a connection with the product's metadata (device identity) and migrations.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "core/store/connection.h"
#include "core/store/migrations.h"

namespace offline_sync::store {

struct StoreOptions {
  OpenOptions open;
  // Given: must match the id already stored, if any. Absent: the stored id, or a new random one.
  std::optional<std::string> deviceId;
};

class Store {
 public:
  Store(const std::string& path, const StoreOptions& options);

  Connection& connection() noexcept { return connection_; }
  const std::string& deviceId() const noexcept { return deviceId_; }
  MigrationResult migrate(std::span<const std::string> steps) { return store::migrate(connection_, steps); }

  bool isOpen() const noexcept { return connection_.isOpen(); }
  void close() noexcept { connection_.close(); }

 private:
  Connection connection_;
  std::string deviceId_;
};

// Device ids go into change ids and onto the wire: 1 to 128 characters of [A-Za-z0-9._:-].
bool isValidDeviceId(std::string_view id);

}  // namespace offline_sync::store
