// Opens the store: capture functions first, then in one transaction the product tables, the device id (so concurrent
// first opens agree on one) and the clock's restart point.
#include "core/store/store.h"

#include <algorithm>

#include "core/error.h"
#include "core/store/capture_functions.h"
#include "core/store/metadata.h"
#include "core/store/outbox.h"
#include "core/store/sync_schema.h"
#include "core/store/tracking.h"
#include "core/util/uuid.h"

namespace offline_sync::store {
namespace {

constexpr std::string_view kStoreFormat = "1";  // the layout of the _sync_ tables

std::string settleDeviceId(Connection& connection, const std::optional<std::string>& given) {
  if (auto stored = readMetadata(connection, meta_keys::deviceId)) {
    if (given && *given != *stored) {
      throw Error(ErrorCategory::state, codes::deviceIdMismatch,
                  "This database belongs to device '" + *stored + "', not '" + *given + "'");
    }
    return *stored;
  }
  const std::string id = given.value_or(randomUuid());
  writeMetadata(connection, meta_keys::deviceId, id);
  return id;
}

// The greatest stamp this file has seen: the persisted high-water mark, or an unacknowledged change's stamp.
HlcStamp persistedClock(Connection& connection) {
  HlcStamp stamp = 0;
  if (auto stored = readMetadata(connection, meta_keys::hlc)) stamp = std::stoull(*stored);
  auto statement = connection.cached(
      "SELECT max(coalesce((SELECT max(hlc) FROM _sync_outbox), 0), coalesce((SELECT max(hlc) FROM _sync_sent), 0))");
  ResetOnExit reset(*statement);
  statement->step();
  return std::max(stamp, static_cast<HlcStamp>(statement->columnInt64(0)));
}

}  // namespace

bool isValidDeviceId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

Store::Store(const std::string& path, const StoreOptions& options)
    : clock_(std::make_shared<HybridClock>(options.wallClock)),
      captureListeners_(std::make_shared<CaptureListeners>()),
      openOptions_(options.open),
      connection_(path, options.open) {
  if (options.deviceId && !isValidDeviceId(*options.deviceId)) {
    throwInvalidArgument("deviceId must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'");
  }
  registerCaptureFunctions(connection_, clock_, Capture::on, captureListeners_);
  // Rows that INSERT OR REPLACE removes (a UNIQUE conflict on another column) fire delete triggers only with
  // recursive triggers on; without it those deletes would never reach the server.
  connection_.exec("PRAGMA recursive_triggers=ON");
  createMetadataTable(connection_);
  withTransaction(connection_, [&] {
    createSyncSchema(connection_);
    if (!readMetadata(connection_, meta_keys::storeFormat)) {
      writeMetadata(connection_, meta_keys::storeFormat, kStoreFormat);
    }
    deviceId_ = settleDeviceId(connection_, options.deviceId);
    clock_->restore(persistedClock(connection_));
  });
}

MigrationResult Store::migrate(std::span<const std::string> steps) {
  // Inside each step's transaction: a step that rebuilt a tracked table never commits without its triggers.
  return store::migrate(connection_, steps, [this] { refreshTracking(connection_); });
}

TrackedTable Store::track(std::string_view table, std::optional<ConflictPolicy> policy) {
  return store::track(connection_, table, policy);
}

std::int64_t Store::pendingChanges() { return countUnacknowledged(connection_); }

std::unique_ptr<Connection> Store::openSyncConnection() const {
  if (connection_.path() == ":memory:" || connection_.path().empty()) {
    throwInvalidArgument("Sync needs a database file: an in-memory database cannot be shared with the sync engine");
  }
  auto connection = std::make_unique<Connection>(connection_.path(), openOptions_);
  registerCaptureFunctions(*connection, clock_, Capture::off);
  // The server's state is the truth, and a pull page may bring a child row before its parent (pages are in version
  // order, not FK order) or delete a parent whose children's deletions come later: enforcing foreign keys here would
  // refuse valid pages, and ON DELETE actions would change local rows the server never changed.
  connection->exec("PRAGMA foreign_keys=OFF");
  return connection;
}

std::uint64_t Store::addCaptureListener(std::function<void()> listener) {
  return captureListeners_->add(std::move(listener));
}

void Store::removeCaptureListener(std::uint64_t id) { captureListeners_->remove(id); }

}  // namespace offline_sync::store
