// Applies pushes on the storage's write connection: one transaction per push, each change settled by merge::resolve.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/merge/resolve.h"
#include "core/protocol/messages.h"
#include "core/store/connection.h"
#include "server/row_codec.h"

namespace offline_sync::server {

class PushWriter {
 public:
  // Prepares its statements on connection, which must outlive it and hold the storage schema.
  PushWriter(store::Connection& connection, protocol::Limits limits);
  PushWriter(const PushWriter&) = delete;
  PushWriter& operator=(const PushWriter&) = delete;

  // Not thread-safe: the caller serializes pushes. Throws (with everything rolled back) on any storage failure.
  protocol::PushResponse push(std::string_view tenant, const protocol::PushRequest& request);

 private:
  struct Tenant {
    std::int64_t id = 0;  // 0: not stored yet
    std::int64_t seq = 0;
  };

  Tenant loadTenant(std::string_view name, bool create);
  protocol::PushResult applyChange(Tenant& tenant, const protocol::WireChange& change, std::string_view deviceId);
  std::optional<protocol::PushResult> recordedResult(const Tenant& tenant, const std::string& changeId);
  std::optional<merge::ServerRow> loadRow(const Tenant& tenant, std::string_view table, std::string_view rowId,
                                          std::int64_t idHash);
  void writeRow(const Tenant& tenant, const protocol::WireChange& change, std::int64_t idHash,
                const merge::ServerRow& row, std::optional<std::int64_t> previousVersion);
  void record(const Tenant& tenant, const protocol::WireChange& change, const protocol::PushResult& result);

  store::Connection& connection_;
  protocol::Limits limits_;
  std::int64_t now_ = 0;  // milliseconds since the epoch, once per push, for seen_at
  RowEncoder encoder_;
  store::Blob names_;
  std::shared_ptr<store::Statement> selectTenant_;
  std::shared_ptr<store::Statement> insertTenant_;
  std::shared_ptr<store::Statement> updateSeq_;
  std::shared_ptr<store::Statement> selectSeen_;
  std::shared_ptr<store::Statement> insertSeen_;
  std::shared_ptr<store::Statement> selectRow_;
  std::shared_ptr<store::Statement> insertRow_;
  std::shared_ptr<store::Statement> updateRow_;
};

}  // namespace offline_sync::server
