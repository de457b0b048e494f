// Runs migrations under BEGIN IMMEDIATE and re-reads the version inside, so two processes never run a step twice.
#include "core/store/migrations.h"

#include <chrono>

#include "core/error.h"

namespace offline_sync::store {
namespace {

std::size_t appliedVersion(Connection& connection) {
  auto statement = connection.cached("SELECT coalesce(max(version), 0) FROM _sync_migrations");
  ResetOnExit reset(*statement);
  statement->step();
  return static_cast<std::size_t>(statement->columnInt64(0));
}

void checkNotNewer(std::size_t version, std::size_t known) {
  if (version <= known) return;
  throw Error(ErrorCategory::state, codes::schemaTooNew,
              "The database has " + std::to_string(version) + " migrations applied but only " + std::to_string(known) +
                  " were given: it was written by a newer version of the app");
}

void recordStep(Connection& connection, std::size_t version) {
  using namespace std::chrono;
  auto record = connection.cached("INSERT INTO _sync_migrations (version, applied_at) VALUES (?1, ?2)");
  ResetOnExit reset(*record);
  record->bindInt64(1, static_cast<std::int64_t>(version));
  record->bindInt64(2, duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
  record->step();
}

}  // namespace

MigrationResult migrate(Connection& connection, std::span<const std::string> steps,
                        const std::function<void()>& afterStep) {
  connection.exec("CREATE TABLE IF NOT EXISTS _sync_migrations (version INTEGER PRIMARY KEY NOT NULL, "
                  "applied_at INTEGER NOT NULL) STRICT");
  MigrationResult result;
  std::size_t version = appliedVersion(connection);
  checkNotNewer(version, steps.size());
  for (std::size_t index = version; index < steps.size(); ++index) {
    withTransaction(connection, [&] {
      // Another process may have migrated since we looked; the write lock we now hold makes this read final.
      version = appliedVersion(connection);
      checkNotNewer(version, steps.size());
      if (version > index) return;
      try {
        connection.exec(steps[index]);
      } catch (const Error& e) {
        throw Error(e.category(), e.code(), "Migration " + std::to_string(index) + " failed: " + e.what());
      }
      if (afterStep) afterStep();
      recordStep(connection, index + 1);
      ++result.applied;
    });
  }
  result.version = appliedVersion(connection);
  return result;
}

}  // namespace offline_sync::store
