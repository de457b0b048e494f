// Opens the store and settles its device id in one transaction, so concurrent first opens agree on one id.
#include "core/store/store.h"

#include <algorithm>

#include "core/error.h"
#include "core/store/metadata.h"
#include "core/util/uuid.h"

namespace offline_sync::store {

bool isValidDeviceId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

Store::Store(const std::string& path, const StoreOptions& options) : connection_(path, options.open) {
  if (options.deviceId && !isValidDeviceId(*options.deviceId)) {
    throwInvalidArgument("deviceId must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'");
  }
  createMetadataTable(connection_);
  connection_.begin();
  try {
    if (auto stored = readMetadata(connection_, meta_keys::deviceId)) {
      if (options.deviceId && *options.deviceId != *stored) {
        throw Error(ErrorCategory::state, codes::deviceIdMismatch,
                    "This database belongs to device '" + *stored + "', not '" + *options.deviceId + "'");
      }
      deviceId_ = std::move(*stored);
    } else {
      deviceId_ = options.deviceId.value_or(randomUuid());
      writeMetadata(connection_, meta_keys::deviceId, deviceId_);
    }
    connection_.commit();
  } catch (...) {
    connection_.rollback();
    throw;
  }
}

}  // namespace offline_sync::store
