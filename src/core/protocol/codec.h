// Encoding and decoding of every protocol v1 message. Decoding uses simdjson On-Demand and checks types, sizes and
// identifiers strictly: anything malformed throws Error(protocol, "ERR_PROTOCOL") (or "ERR_TOO_LARGE" for a limit),
// whose message says where. Never a crash, whatever the bytes. In a push request, a change that breaks a rule of its
// own (an identifier, a value over the limits, a change id of another device) is not an error of the request: it is
// decoded with `rejection` set, for the server to answer it `rejected` and apply the others.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/protocol/messages.h"

namespace offline_sync::protocol {

std::string encodePushRequest(const PushRequest& request);
std::string encodePushResponse(const PushResponse& response);
std::string encodePullResponse(const PullResponse& response);
std::string encodeLiveMessage(const LiveMessage& message);
std::string encodeError(const ErrorBody& error);

// At least the bytes encodePullResponse spends on `row` (numbers counted at their longest, so at most ~60 bytes per
// column more), except that text is counted as its UTF-8 bytes although escapes may lengthen it (up to six times,
// for control characters). What a server bounds a pull page and a row by.
std::size_t approximateRowBytes(const RowState& row);
std::size_t approximateRowBytes(std::string_view table, std::string_view rowId, std::int64_t version,
                                std::span<const ColumnValue> columns, std::span<const ColumnStamp> stamps);

// A decoder owns its simdjson parser (one per thread, reused); not thread-safe.
class Decoder {
 public:
  explicit Decoder(Limits limits = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  PushRequest pushRequest(std::string_view json);
  PushResponse pushResponse(std::string_view json);
  PullResponse pullResponse(std::string_view json);
  LiveMessage liveMessage(std::string_view json);
  ErrorBody error(std::string_view json);

 private:
  struct Impl;
  Limits limits_;
  std::unique_ptr<Impl> impl_;
};

// Validation shared with the server and the client: identifiers are data, never SQL.
bool isValidIdentifier(std::string_view name);  // table and column names
bool isValidRowId(std::string_view id);
bool isValidDeviceId(std::string_view id);
// "<deviceId>:<n>" for this device; false if the id is malformed or names another device.
bool isValidChangeId(std::string_view id, std::string_view deviceId);

}  // namespace offline_sync::protocol
