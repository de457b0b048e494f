// Conflict rows to JS and merged rows from JS, following the value mapping of values.cpp (which works on statements).
#include "addon/sync_values.h"

#include <cmath>
#include <cstddef>
#include <string>
#include <variant>

#include "addon/values.h"
#include "core/error.h"

namespace offline_sync::addon {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

template <class... Visitors>
struct Overloaded : Visitors... {
  using Visitors::operator()...;
};

bool isPlainObject(const Napi::Value& value) {
  return value.IsObject() && !value.IsArray() && !value.IsFunction() && !value.IsTypedArray() &&
         !value.IsArrayBuffer() && !value.IsPromise() && !value.IsBuffer();
}

store::Value valueFromJs(const std::string& column, const Napi::Value& value) {
  switch (value.Type()) {
    case napi_null:
      return std::monostate{};
    case napi_number: {
      const double number = value.As<Napi::Number>().DoubleValue();
      // Whole numbers are integers, as when they are bound: an INTEGER column keeps comparing as one.
      if (std::trunc(number) == number && std::fabs(number) <= kMaxSafeInteger) {
        return static_cast<std::int64_t>(number);
      }
      return number;
    }
    case napi_bigint: {
      bool lossless = false;
      const std::int64_t integer = value.As<Napi::BigInt>().Int64Value(&lossless);
      if (!lossless) throwInvalidArgument("The merged row's BigInt for column '" + column + "' does not fit in 64 bits");
      return integer;
    }
    case napi_string:
      return value.As<Napi::String>().Utf8Value();
    case napi_boolean:
      return std::int64_t{value.As<Napi::Boolean>().Value() ? 1 : 0};
    case napi_object:
      if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        const auto bytes = value.As<Napi::Uint8Array>();
        const auto* data = reinterpret_cast<const std::byte*>(bytes.Data());
        return store::Blob(data, data + bytes.ByteLength());
      }
      break;
    default:
      break;
  }
  const char* type = value.IsUndefined() ? "undefined (use null for NULL)" : "a value of this type";
  throwInvalidArgument("The merged row's column '" + column + "' is " + type +
                       ": use null, a number, a bigint, a string, a boolean or a Buffer");
}

}  // namespace

Napi::Value valueToJs(Napi::Env env, const store::Value& value) {
  return std::visit(
      Overloaded{
          [&](std::monostate) -> Napi::Value { return env.Null(); },
          [&](std::int64_t integer) -> Napi::Value { return integerToJs(env, integer); },
          [&](double real) -> Napi::Value { return Napi::Number::New(env, real); },
          [&](const std::string& text) -> Napi::Value { return Napi::String::New(env, text); },
          [&](const store::Blob& blob) -> Napi::Value {
            return Napi::Buffer<std::uint8_t>::Copy(env, reinterpret_cast<const std::uint8_t*>(blob.data()),
                                                    blob.size());
          },
      },
      value);
}

Napi::Object columnsToJs(Napi::Env env, const std::vector<store::ColumnValue>& columns) {
  // Defined in one call as own data properties: a column named __proto__ is a column, and no setter on
  // Object.prototype runs.
  std::vector<napi_property_descriptor> properties;
  properties.reserve(columns.size());
  for (const auto& column : columns) {
    properties.push_back(napi_property_descriptor{nullptr, Napi::String::New(env, column.name), nullptr, nullptr,
                                                  nullptr, valueToJs(env, column.value), napi_default_jsproperty,
                                                  nullptr});
  }
  Napi::Object row = Napi::Object::New(env);
  NAPI_THROW_IF_FAILED(env, napi_define_properties(env, row, properties.size(), properties.data()), row);
  return row;
}

Napi::Value rowSideToJs(Napi::Env env, const sync::RowSide& side) {
  if (side.deleted) return env.Null();
  return columnsToJs(env, side.columns);
}

std::vector<store::ColumnValue> rowFromJs(const Napi::Value& row) {
  if (!isPlainObject(row)) throwInvalidArgument("The merged row must be a plain object of column values");
  const Napi::Env env = row.Env();
  // Own enumerable string keys only (Object.keys): inherited properties are not columns.
  napi_value keys = nullptr;
  NAPI_THROW_IF_FAILED(env,
                       napi_get_all_property_names(env, row, napi_key_own_only,
                                                   static_cast<napi_key_filter>(napi_key_enumerable |
                                                                                napi_key_skip_symbols),
                                                   napi_key_numbers_to_strings, &keys),
                       {});
  const auto names = Napi::Array(env, keys);
  const auto object = row.As<Napi::Object>();
  std::vector<store::ColumnValue> columns;
  columns.reserve(names.Length());
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    const Napi::Value key = names.Get(i);
    std::string name = key.As<Napi::String>().Utf8Value();
    store::Value value = valueFromJs(name, object.Get(key));
    columns.push_back({std::move(name), std::move(value)});
  }
  return columns;
}

}  // namespace offline_sync::addon
