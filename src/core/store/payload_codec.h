// A compact binary form of a change's column values, stored in the outbox when the change is first sent.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/store/value.h"

namespace offline_sync::store {

struct ColumnValue {
  std::string name;
  Value value;
  bool operator==(const ColumnValue&) const = default;
};

Blob encodePayload(const std::vector<ColumnValue>& columns);
// Throws ERR_CORRUPT_PAYLOAD (internal) when the bytes are not a payload this codec wrote.
std::vector<ColumnValue> decodePayload(std::span<const std::byte> bytes);

}  // namespace offline_sync::store
