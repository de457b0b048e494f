// The decoder checks a request's shape; these repeat the identifier and size rules per change, so a caller that
// built a PushRequest some other way still cannot store what the protocol forbids. Identifiers are only ever bound
// as values, so these are about the data's validity, not SQL safety.
#include "server/sqlite_storage_checks.h"

#include "core/protocol/codec.h"
#include "core/protocol/rule_breaks.h"
#include "server/sqlite_storage_schema.h"

namespace offline_sync::server {
namespace {

std::size_t valueBytes(const store::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return text->size();
  if (const auto* blob = std::get_if<store::Blob>(&value)) return blob->size();
  return 0;
}

}  // namespace

bool changeIdBelongsTo(std::string_view changeId, std::string_view deviceId) {
  return protocol::isValidDeviceId(deviceId) && protocol::isValidChangeId(changeId, deviceId);
}

std::optional<Rejection> checkChange(const protocol::WireChange& change, const protocol::Limits& limits) {
  // The decoder's verdict says precisely which field broke which rule.
  if (change.rejection) return *change.rejection;
  namespace code = protocol::rejection_codes;
  if (!protocol::isValidIdentifier(change.table)) return Rejection{std::string(code::table), "invalid table name"};
  if (!protocol::isValidRowId(change.row)) return Rejection{std::string(code::rowId), "invalid row id"};
  if (change.columns.size() > limits.maxColumnsPerChange) {
    return Rejection{std::string(code::tooLarge), "more than " + std::to_string(limits.maxColumnsPerChange) + " columns"};
  }
  for (std::size_t i = 0; i < change.columns.size(); ++i) {
    const auto& column = change.columns[i];
    if (!protocol::isValidIdentifier(column.name)) return Rejection{std::string(code::column), "invalid column name"};
    // At most 63 columns: a scan is cheaper than a set.
    for (std::size_t j = 0; j < i; ++j) {
      if (change.columns[j].name == column.name) {
        return Rejection{std::string(code::column), "column '" + column.name + "' twice"};
      }
    }
    if (valueBytes(column.value) > limits.maxValueBytes) {
      return Rejection{std::string(code::tooLarge), "the value of '" + column.name + "' is larger than " +
                                            std::to_string(limits.maxValueBytes) + " bytes"};
    }
  }
  return std::nullopt;
}

std::vector<CheckedChange> checkChanges(const protocol::PushRequest& request, const protocol::Limits& limits) {
  std::vector<CheckedChange> checked(request.changes.size());
  for (std::size_t i = 0; i < checked.size(); ++i) {
    const auto& change = request.changes[i];
    checked[i].ownId = changeIdBelongsTo(change.id, request.deviceId);
    if (!checked[i].ownId) continue;
    checked[i].rejection = checkChange(change, limits);
    if (!checked[i].rejection) checked[i].idHash = rowIdHash(change.table, change.row);
  }
  return checked;
}

}  // namespace offline_sync::server
