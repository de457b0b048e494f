// Applies pushes on the storage's write connection: one transaction per push, each change settled by merge::resolve.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/merge/resolve.h"
#include "core/protocol/messages.h"
#include "core/store/connection.h"
#include "server/row_codec.h"
#include "server/row_finder.h"
#include "server/sqlite_storage_checks.h"

namespace offline_sync::server {

class PushWriter {
 public:
  // Prepares its statements on connection, which must outlive it and hold the storage schema. A push that leaves at
  // least indexFlushRows rows that row_ids does not hold yet adds them all to it (RowFinder). A change that would grow
  // a row past maxRowBytes (protocol::approximateRowBytes) is rejected ERR_TOO_LARGE.
  PushWriter(store::Connection& connection, std::size_t indexFlushRows, std::size_t maxRowBytes);
  PushWriter(const PushWriter&) = delete;
  PushWriter& operator=(const PushWriter&) = delete;

  // Not thread-safe: the caller serializes pushes. checked: checkChanges(request, limits), one per change, worked out
  // before the caller took its lock. Throws (with everything rolled back) on any storage failure.
  protocol::PushResponse push(std::string_view tenant, const protocol::PushRequest& request,
                              std::span<const CheckedChange> checked);

 private:
  struct Tenant {
    std::int64_t id = 0;  // 0: not stored yet
    std::int64_t seq = 0;
  };

  // The push's work inside its transaction; true when it also flushed the recent rows into row_ids.
  bool applyAll(std::string_view tenantName, const protocol::PushRequest& request,
                std::span<const CheckedChange> checked, protocol::PushResponse& response);
  Tenant loadTenant(std::string_view name, bool create);
  protocol::PushResult applyChange(Tenant& tenant, const protocol::WireChange& change, const CheckedChange& checked,
                                   std::string_view deviceId);
  std::optional<protocol::PushResult> recordedResult(const Tenant& tenant, const std::string& changeId);
  // Why `after`, the row as the change would leave it, may not be written: past maxRowBytes_ and larger than before.
  std::optional<Rejection> rowTooLarge(const Tenant& tenant, const protocol::WireChange& change,
                                       std::int64_t idHash, const merge::ServerRow& after);
  // previousVersion: the row's version before this change, or nullopt for a new row.
  void writeRow(const Tenant& tenant, const protocol::WireChange& change, std::int64_t idHash,
                const merge::ServerRow& row, std::optional<std::int64_t> previousVersion);
  // False when the change id was recorded before: then nothing was written.
  bool record(const Tenant& tenant, const protocol::WireChange& change, const protocol::PushResult& result);
  // The recorded answer of a change id record() found seen before.
  protocol::PushResult replayed(const Tenant& tenant, const std::string& changeId);

  store::Connection& connection_;
  RowFinder finder_;
  const std::size_t maxRowBytes_;
  std::int64_t now_ = 0;  // milliseconds since the epoch, once per push, for seen_at
  RowEncoder encoder_;
  store::Blob names_;
  std::shared_ptr<store::Statement> selectTenant_;
  std::shared_ptr<store::Statement> insertTenant_;
  std::shared_ptr<store::Statement> updateSeq_;
  std::shared_ptr<store::Statement> selectSeen_;
  std::shared_ptr<store::Statement> insertSeen_;
  std::shared_ptr<store::Statement> insertRow_;
  std::shared_ptr<store::Statement> updateRow_;
};

}  // namespace offline_sync::server
