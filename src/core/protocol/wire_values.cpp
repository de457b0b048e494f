// Column values on the wire: the type of every SQLite value survives the round trip exactly.
#include "core/protocol/wire_values.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "core/protocol/base64.h"
#include "core/protocol/codec.h"
#include "core/protocol/validation.h"

namespace offline_sync::protocol {
namespace {

namespace ondemand = simdjson::ondemand;
using json::fail;
using json::Where;

std::string valueTooLarge(const Limits& limits) {
  return "value over the limit of " + std::to_string(limits.maxValueBytes) + " bytes";
}

store::Value readNumber(ondemand::value& value, const Where& where) {
  const std::string_view token = json::numberToken(value);
  if (json::isRealToken(token)) {
    double real = 0;
    // simdjson refuses numbers beyond the double range rather than making them infinite.
    if (value.get_double().get(real) != simdjson::SUCCESS) fail(where, "not a finite real");
    return real;
  }
  const std::int64_t integer = json::integerAt(value, where);
  if (integer < -kMaxPlainInteger || integer > kMaxPlainInteger) {
    // A plain number this large was most likely rounded by its sender: exact ones come as {"$int": "..."}.
    fail(where, "integer beyond 2^53-1 must be sent as {\"$int\": \"<decimal>\"}");
  }
  return integer;
}

// {"$int": "..."} or {"$blob": "..."}: exactly one field, so the type is never in doubt.
store::Value readTagged(ondemand::value& value, const Where& where, const Limits& limits, RuleBreaks& breaks) {
  auto object = json::objectAt(value, where);
  std::optional<store::Value> result;
  json::forEachField(object, where, [&](std::string_view key, ondemand::value& field, const Where& at) {
    if (result) fail(where, "a tagged value has exactly one field, \"$int\" or \"$blob\"");
    if (key == kIntTag) {
      const auto integer = parseSignedDecimal(json::stringAt(field, at));
      if (!integer) fail(at, "expected the decimal string of a 64-bit integer");
      result = *integer;
    } else if (key == kBlobTag) {
      auto bytes = decodeBase64(json::stringAt(field, at));
      if (!bytes) fail(at, "expected standard padded base64");
      if (bytes->size() > limits.maxValueBytes) breaks.report(rejection_codes::tooLarge, where, valueTooLarge(limits));
      result = std::move(*bytes);
    } else {
      fail(at, "unknown value tag (expected \"$int\" or \"$blob\")");
    }
  });
  if (!result) fail(where, "a tagged value has exactly one field, \"$int\" or \"$blob\"");
  return std::move(*result);
}

}  // namespace

void writeValue(JsonWriter& out, const store::Value& value) {
  std::visit(
      [&](const auto& held) {
        using Held = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<Held, std::monostate>) {
          out.null();
        } else if constexpr (std::is_same_v<Held, std::int64_t>) {
          if (held >= -kMaxPlainInteger && held <= kMaxPlainInteger) {
            out.integer(held);
          } else {
            out.beginObject().key(kIntTag).string(std::to_string(held)).endObject();
          }
        } else if constexpr (std::is_same_v<Held, double>) {
          out.real(held);
        } else if constexpr (std::is_same_v<Held, std::string>) {
          out.string(held);
        } else {
          out.beginObject().key(kBlobTag).string(encodeBase64(held)).endObject();
        }
      },
      value);
}

void writeColumns(JsonWriter& out, const std::vector<ColumnValue>& columns) {
  out.beginObject();
  for (const auto& column : columns) {
    out.key(column.name);
    writeValue(out, column.value);
  }
  out.endObject();
}

store::Value readValue(ondemand::value& value, const Where& where, const Limits& limits, RuleBreaks& breaks) {
  ondemand::json_type type = ondemand::json_type::null;
  json::check(value.type().get(type), where, "a value");
  switch (type) {
    case ondemand::json_type::null: {
      bool isNull = false;
      json::check(value.is_null().get(isNull), where, "null");
      if (!isNull) fail(where, "not valid JSON");
      return std::monostate{};
    }
    case ondemand::json_type::number:
      return readNumber(value, where);
    case ondemand::json_type::string: {
      const std::string_view text = json::stringAt(value, where);
      if (text.size() > limits.maxValueBytes) breaks.report(rejection_codes::tooLarge, where, valueTooLarge(limits));
      return std::string(text);
    }
    case ondemand::json_type::object:
      return readTagged(value, where, limits, breaks);
    case ondemand::json_type::array:
    case ondemand::json_type::boolean:
      break;
  }
  fail(where, "a value is null, a number, a string, {\"$int\": ...} or {\"$blob\": ...}");
}

std::vector<ColumnValue> readColumns(ondemand::value& value, const Where& where, const Limits& limits,
                                     RuleBreaks& breaks) {
  auto object = json::objectAt(value, where);
  std::vector<ColumnValue> columns;
  json::forEachField(object, where, [&](std::string_view name, ondemand::value& field, const Where& at) {
    if (columns.size() == limits.maxColumnsPerChange) {
      breaks.report(rejection_codes::tooLarge, where,
                    "more than " + std::to_string(limits.maxColumnsPerChange) + " columns");
    }
    if (!isValidIdentifier(name)) {
      breaks.report(rejection_codes::column, at,
                    "invalid column name: " + std::string(kIdentifierRule));
    }
    // A name given twice would leave it to chance which value is stored. Only the first maxColumnsPerChange names
    // are compared, so a body of many columns cannot make this quadratic.
    const std::size_t compared = std::min(columns.size(), limits.maxColumnsPerChange);
    for (std::size_t i = 0; i < compared; ++i) {
      if (columns[i].name == name) breaks.report(rejection_codes::column, at, "column given twice");
    }
    columns.push_back({std::string(name), readValue(field, at, limits, breaks)});
  });
  return columns;
}

}  // namespace offline_sync::protocol
