// Checks of JS arguments at the boundary; each failure is an ERR_INVALID_ARG naming the call and argument.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace offline_sync::addon {

std::string requireString(const Napi::Value& value, const char* what);
Napi::Function requireFunction(const Napi::Value& value, const char* what);
// An optional property of an options object: absent or undefined gives nullopt, a wrong type throws.
std::optional<std::string> optionalString(const Napi::Object& options, const char* key);
std::optional<double> optionalNumber(const Napi::Object& options, const char* key);
std::optional<bool> optionalBoolean(const Napi::Object& options, const char* key);
// A misspelt option would otherwise fall back to its default without a word: name the unknown one.
void rejectUnknownOptions(const Napi::Object& options, std::initializer_list<std::string_view> known, const char* call);

}  // namespace offline_sync::addon
