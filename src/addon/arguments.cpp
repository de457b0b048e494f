// Argument checks shared by the wrapped classes.
#include "addon/arguments.h"

#include "core/error.h"

namespace offline_sync::addon {

std::string requireString(const Napi::Value& value, const char* what) {
  if (!value.IsString()) throwInvalidArgument(std::string(what) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

Napi::Function requireFunction(const Napi::Value& value, const char* what) {
  if (!value.IsFunction()) throwInvalidArgument(std::string(what) + " must be a function");
  return value.As<Napi::Function>();
}

std::optional<std::string> optionalString(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return std::nullopt;
  return requireString(value, (std::string("options.") + key).c_str());
}

std::optional<double> optionalNumber(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return std::nullopt;
  if (!value.IsNumber()) throwInvalidArgument(std::string("options.") + key + " must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

std::optional<bool> optionalBoolean(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return std::nullopt;
  if (!value.IsBoolean()) throwInvalidArgument(std::string("options.") + key + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

void rejectUnknownOptions(const Napi::Object& options, std::initializer_list<std::string_view> known,
                          const char* call) {
  const Napi::Array names = options.GetPropertyNames();
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).ToString().Utf8Value();
    bool found = false;
    for (const auto candidate : known) found = found || candidate == name;
    if (found) continue;
    std::string list;
    for (const auto candidate : known) list += (list.empty() ? "" : ", ") + std::string(candidate);
    throwInvalidArgument(std::string(call) + ": unknown option '" + name + "' (known: " + list + ")");
  }
}

}  // namespace offline_sync::addon
