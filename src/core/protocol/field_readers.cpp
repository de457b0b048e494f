// Identifier fields: read as strings, refused unless they follow their rule, so the store never sees a bad one.
#include "core/protocol/field_readers.h"

#include "core/protocol/codec.h"
#include "core/protocol/validation.h"

namespace offline_sync::protocol {

namespace ondemand = simdjson::ondemand;
using json::fail;
using json::failTooLarge;
using json::Where;

std::string tableAt(ondemand::value& value, const Where& where, RuleBreaks& breaks) {
  std::string name(json::stringAt(value, where));
  if (!isValidIdentifier(name)) {
    breaks.report(rejection_codes::table, where, "invalid table name: " + std::string(kIdentifierRule));
  }
  return name;
}

std::string rowIdAt(ondemand::value& value, const Where& where, RuleBreaks& breaks) {
  std::string id(json::stringAt(value, where));
  if (!isValidRowId(id)) {
    breaks.report(rejection_codes::rowId, where, "invalid row id: 1-128 bytes of UTF-8 without control characters");
  }
  return id;
}

std::string deviceIdAt(ondemand::value& value, const Where& where) {
  const std::string_view id = json::stringAt(value, where);
  if (!isValidDeviceId(id)) fail(where, "invalid device id: 1-128 of [A-Za-z0-9._:-]");
  return std::string(id);
}

std::string changeIdAt(ondemand::value& value, const Where& where) {
  const std::string_view id = json::stringAt(value, where);
  if (!isWellFormedChangeId(id)) fail(where, "invalid change id: \"<deviceId>:<n>\" with 0 < n < 2^63");
  return std::string(id);
}

std::vector<std::string> columnNamesAt(ondemand::value& value, const Where& where, const Limits& limits) {
  auto array = json::arrayAt(value, where);
  std::vector<std::string> names;
  json::forEachElement(array, where, [&](ondemand::value& element, const Where& at) {
    if (names.size() == limits.maxColumnsPerChange) {
      failTooLarge(where, "more than " + std::to_string(limits.maxColumnsPerChange) + " columns");
    }
    std::string name(json::stringAt(element, at));
    if (!isValidIdentifier(name)) fail(at, "invalid column name: " + std::string(kIdentifierRule));
    for (const auto& seen : names) {
      if (seen == name) fail(at, "column given twice");
    }
    names.push_back(std::move(name));
  });
  return names;
}

}  // namespace offline_sync::protocol
