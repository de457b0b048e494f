// Value mapping: null, number, bigint, string, boolean, Buffer/Uint8Array in; BigInt past 2^53 and Buffer out.
#include "addon/values.h"

#include <cmath>
#include <span>

#include "core/error.h"

namespace offline_sync::addon {
namespace {

constexpr std::int64_t kMaxSafeInteger = 9007199254740991;  // 2^53 - 1

std::string describe(const store::Statement& statement, int index) {
  const char* name = statement.parameterName(index);
  return name != nullptr ? std::string("parameter ") + name : "parameter " + std::to_string(index);
}

bool isPlainParamsObject(const Napi::Value& value) {
  return value.IsObject() && !value.IsArray() && !value.IsFunction() && !value.IsTypedArray() &&
         !value.IsArrayBuffer() && !value.IsPromise();
}

// Phase one: read every parameter's JS value. This may run JS (getters, proxies), so nothing is bound yet.
std::vector<Napi::Value> collect(const store::Statement& statement, const Napi::Value& params) {
  const int count = statement.parameterCount();
  std::vector<Napi::Value> values;
  values.reserve(static_cast<std::size_t>(count));
  if (params.IsUndefined() || params.IsNull()) {
    if (count != 0) {
      throwInvalidArgument("This statement has " + std::to_string(count) + " parameter(s) but none were given");
    }
    return values;
  }
  if (params.IsArray()) {
    const auto array = params.As<Napi::Array>();
    if (array.Length() != static_cast<std::uint32_t>(count)) {
      throwInvalidArgument("This statement has " + std::to_string(count) + " parameter(s) but " +
                           std::to_string(array.Length()) + " were given");
    }
    for (int i = 0; i < count; ++i) values.push_back(array.Get(static_cast<std::uint32_t>(i)));
    return values;
  }
  if (!isPlainParamsObject(params)) {
    throwInvalidArgument("Parameters must be an array (for ?) or an object (for :name, @name, $name)");
  }
  const auto object = params.As<Napi::Object>();
  for (int i = 1; i <= count; ++i) {
    // The previous Has/Get may have run a getter that closed the database and finalized the statement.
    if (statement.finalized()) throw Error(ErrorCategory::state, codes::closed, "The database connection is closed");
    const char* name = statement.parameterName(i);
    if (name == nullptr || name[0] == '?') {
      throwInvalidArgument("Parameter " + std::to_string(i) + " is positional: pass an array");
    }
    const std::string parameter(name);  // a copy: the statement's own string dies with it
    const std::string key = parameter.substr(1);
    if (!object.Has(key)) throwInvalidArgument("Missing named parameter " + parameter);
    values.push_back(object.Get(key));
  }
  return values;
}

void bindOne(Napi::Env env, store::Statement& statement, int index, const Napi::Value& value) {
  switch (value.Type()) {
    case napi_null:
      statement.bindNull(index);
      return;
    case napi_number: {
      const double number = value.As<Napi::Number>().DoubleValue();
      // Whole numbers bind as integers so INTEGER columns and comparisons behave as in SQL.
      if (std::trunc(number) == number && std::fabs(number) <= static_cast<double>(kMaxSafeInteger)) {
        statement.bindInt64(index, static_cast<std::int64_t>(number));
      } else {
        statement.bindDouble(index, number);
      }
      return;
    }
    case napi_bigint: {
      bool lossless = false;
      const std::int64_t integer = value.As<Napi::BigInt>().Int64Value(&lossless);
      if (!lossless) throwInvalidArgument("BigInt for " + describe(statement, index) + " does not fit in 64 bits");
      statement.bindInt64(index, integer);
      return;
    }
    case napi_string: {
      // Written straight into the statement's text buffer and bound from there: no copy by SQLite.
      std::size_t length = 0;
      NAPI_THROW_IF_FAILED_VOID(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length));
      char* target = statement.stageText(index, length);
      NAPI_THROW_IF_FAILED_VOID(env, napi_get_value_string_utf8(env, value, target, length + 1, &length));
      return;
    }
    case napi_boolean:
      statement.bindInt64(index, value.As<Napi::Boolean>().Value() ? 1 : 0);
      return;
    case napi_object:
      if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        const auto bytes = value.As<Napi::Uint8Array>();
        statement.bindBlob(index, std::as_bytes(std::span(bytes.Data(), bytes.ByteLength())));
        return;
      }
      break;
    default:
      break;
  }
  const char* type = value.IsUndefined() ? "undefined (use null for NULL)" : value.IsObject() ? "an object" : "this type";
  throwInvalidArgument("Cannot bind " + std::string(type) + " to " + describe(statement, index) +
                       ": use null, a number, a bigint, a string, a boolean or a Buffer");
}

}  // namespace

void bindParameters(Napi::Env env, store::Statement& statement, Napi::Value params) {
  const std::vector<Napi::Value> values = collect(statement, params);
  // Phase two: a getter may have closed the database or started an iterator on this statement.
  statement.ensureUsable();
  statement.discardStagedText();
  for (std::size_t i = 0; i < values.size(); ++i) bindOne(env, statement, static_cast<int>(i + 1), values[i]);
  statement.bindStagedText();
}

void bindArguments(const Napi::CallbackInfo& info, std::size_t first, store::Statement& statement) {
  const Napi::Value mode = info[first];
  if (!mode.IsBoolean()) return bindParameters(info.Env(), statement, mode);
  if (!mode.As<Napi::Boolean>().Value()) return bindParameters(info.Env(), statement, info[first + 1]);
  const std::size_t given = info.Length() > first ? info.Length() - first - 1 : 0;
  const int count = statement.parameterCount();
  if (given != static_cast<std::size_t>(count)) {
    throwInvalidArgument("This statement has " + std::to_string(count) + " parameter(s) but " + std::to_string(given) +
                         " were given");
  }
  // The values are already arguments: reading them runs no JS, so the statement is checked once, up front.
  statement.ensureUsable();
  statement.discardStagedText();
  for (int i = 0; i < count; ++i) bindOne(info.Env(), statement, i + 1, info[first + 1 + static_cast<std::size_t>(i)]);
  statement.bindStagedText();
}

Napi::Value integerToJs(Napi::Env env, std::int64_t value) {
  if (value >= -kMaxSafeInteger && value <= kMaxSafeInteger) return Napi::Number::New(env, static_cast<double>(value));
  return Napi::BigInt::New(env, value);
}

RowReader::RowReader(Napi::Env env, const store::Statement& statement) : env_(env) {
  const int count = statement.columnCount();
  columns_.resize(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    // By UTF-8 name: Node looks each up as an internalized string, which V8 already holds after the first row, where
    // a JS string made here would be allocated and then internalized on every call (a get() made 9 of them).
    const char* name = statement.columnName(i);
    columns_[static_cast<std::size_t>(i)] = napi_property_descriptor{
        name == nullptr ? "" : name, nullptr, nullptr, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr};
  }
}

Napi::Object RowReader::read(const store::Statement& statement) {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const int column = static_cast<int>(i);
    napi_value value = nullptr;
    switch (statement.columnType(column)) {
      case store::ColumnType::integer:
        value = integerToJs(env_, statement.columnInt64(column));
        break;
      case store::ColumnType::real:
        value = Napi::Number::New(env_, statement.columnDouble(column));
        break;
      case store::ColumnType::text: {
        const std::string_view text = statement.columnText(column);
        value = Napi::String::New(env_, text.data(), text.size());
        break;
      }
      case store::ColumnType::blob: {
        const auto blob = statement.columnBlob(column);
        // Copied into a JS-owned buffer: Electron's memory cage refuses external buffers.
        value = Napi::Buffer<std::uint8_t>::Copy(env_, reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size());
        break;
      }
      case store::ColumnType::null:
        value = env_.Null();
        break;
    }
    columns_[i].value = value;
  }
  Napi::Object row = Napi::Object::New(env_);
  NAPI_THROW_IF_FAILED(env_, napi_define_properties(env_, row, columns_.size(), columns_.data()), row);
  return row;
}

}  // namespace offline_sync::addon
