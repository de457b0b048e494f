// A row with its columns and their stamps, the stamps matched to the columns by name.
#include "core/protocol/row_reader.h"

#include <utility>

#include "core/protocol/codec.h"
#include "core/protocol/field_readers.h"
#include "core/protocol/rule_breaks.h"
#include "core/protocol/wire_values.h"

namespace offline_sync::protocol {
namespace {

namespace ondemand = simdjson::ondemand;
using json::fail;
using json::failTooLarge;
using json::SeenFields;
using json::Where;

// [hlc, device, version]
ColumnStamp readStamp(ondemand::value& value, const Where& where) {
  auto array = json::arrayAt(value, where);
  ColumnStamp stamp;
  std::size_t count = 0;
  json::forEachElement(array, where, [&](ondemand::value& element, const Where& at) {
    switch (count++) {
      case 0: stamp.hlc = json::hlcAt(element, at); break;
      case 1: stamp.device = deviceIdAt(element, at); break;
      case 2: stamp.version = json::versionAt(element, at); break;
      default: fail(where, "a stamp is [hlc, device, version]");
    }
  });
  if (count != 3) fail(where, "a stamp is [hlc, device, version]");
  return stamp;
}

using NamedStamps = std::vector<std::pair<std::string, ColumnStamp>>;

NamedStamps readStamps(ondemand::value& value, const Where& where, const Limits& limits) {
  auto object = json::objectAt(value, where);
  NamedStamps stamps;
  json::forEachField(object, where, [&](std::string_view name, ondemand::value& field, const Where& at) {
    if (stamps.size() == limits.maxColumnsPerChange) {
      failTooLarge(where, "more than " + std::to_string(limits.maxColumnsPerChange) + " columns");
    }
    if (!isValidIdentifier(name)) fail(at, "invalid column name: " + std::string(kIdentifierRule));
    for (const auto& seen : stamps) {
      if (seen.first == name) fail(at, "column given twice");
    }
    stamps.emplace_back(std::string(name), readStamp(field, at));
  });
  return stamps;
}

}  // namespace

RowState readRow(ondemand::value& value, const Where& where, const Limits& limits) {
  enum : unsigned { kTable = 1, kRow = 2, kVersion = 4, kDeleted = 8, kColumns = 16, kStamps = 32 };
  auto object = json::objectAt(value, where);
  RowState row;
  NamedStamps stamps;
  SeenFields seen;
  RuleBreaks refuse;  // the server sends only rows it accepted: a bad one means a broken server
  json::forEachField(object, where, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (key == "table") {
      seen.mark(kTable, at);
      row.table = tableAt(field, at, refuse);
    } else if (key == "row") {
      seen.mark(kRow, at);
      row.row = rowIdAt(field, at, refuse);
    } else if (key == "version") {
      seen.mark(kVersion, at);
      row.version = json::versionAt(field, at);
    } else if (key == "deleted") {
      seen.mark(kDeleted, at);
      row.deleted = json::booleanAt(field, at);
    } else if (key == "columns") {
      seen.mark(kColumns, at);
      row.columns = readColumns(field, at, limits, refuse);
    } else if (key == "stamps") {
      seen.mark(kStamps, at);
      stamps = readStamps(field, at, limits);
    } else {
      json::skipValue(field, at);
    }
  });
  seen.require(kTable, where, "table");
  seen.require(kRow, where, "row");
  seen.require(kVersion, where, "version");
  seen.require(kDeleted, where, "deleted");
  seen.require(kColumns, where, "columns");
  seen.require(kStamps, where, "stamps");
  // Each column has exactly one stamp; RowState keeps them parallel, whatever order the peer wrote them in.
  if (stamps.size() != row.columns.size()) fail(Where(where, "stamps"), "one stamp per column, no more, no less");
  row.stamps.reserve(stamps.size());
  for (const auto& column : row.columns) {
    const ColumnStamp* match = nullptr;
    for (const auto& [name, stamp] : stamps) {
      if (name == column.name) match = &stamp;
    }
    if (match == nullptr) fail(Where(where, "stamps"), "no stamp for column " + column.name);
    row.stamps.push_back(*match);
  }
  return row;
}

}  // namespace offline_sync::protocol
