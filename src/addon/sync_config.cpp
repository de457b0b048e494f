// Reads and range-checks the native sync options.
#include "addon/sync_config.h"

#include <cmath>
#include <string>

#include "addon/arguments.h"
#include "core/error.h"

namespace offline_sync::addon {
namespace {

constexpr double kMaxMillis = 2147483647.0;  // 2^31-1: about 24 days, like setTimeout's limit

Napi::Object requireObject(const Napi::Value& value, const char* what) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) throwInvalidArgument(std::string(what) + " must be an object");
  return value.As<Napi::Object>();
}

double checkedNumber(double value, double min, double max, bool integer, const char* name) {
  if (!(value >= min && value <= max) || (integer && std::trunc(value) != value)) {
    throwInvalidArgument(std::string("options.") + name + " must be " + (integer ? "an integer" : "a number") +
                         " from " + std::to_string(static_cast<long long>(min)) + " to " +
                         std::to_string(static_cast<long long>(max)));
  }
  return value;
}

template <typename Apply>
void readNumber(const Napi::Object& object, const char* name, double min, double max, bool integer, Apply apply) {
  if (auto value = optionalNumber(object, name)) apply(checkedNumber(*value, min, max, integer, name));
}

sync::Millis millis(double value) { return sync::Millis(static_cast<sync::Millis::rep>(std::llround(value))); }

void readRetry(const Napi::Value& value, sync::RetryOptions& retry) {
  if (value.IsUndefined()) return;
  const Napi::Object object = requireObject(value, "options.retry");
  rejectUnknownOptions(object, {"initialDelay", "maxDelay", "factor", "jitter"}, "sync retry");
  readNumber(object, "initialDelay", 1, kMaxMillis, false, [&](double v) { retry.initialDelay = millis(v); });
  readNumber(object, "maxDelay", 1, kMaxMillis, false, [&](double v) { retry.maxDelay = millis(v); });
  readNumber(object, "factor", 1, 1000, false, [&](double v) { retry.factor = v; });
  readNumber(object, "jitter", 0, 1, false, [&](double v) { retry.jitter = v; });
  if (retry.maxDelay < retry.initialDelay) throwInvalidArgument("options.retry.maxDelay must be >= initialDelay");
}

}  // namespace

SyncConfig readSyncConfig(const Napi::Value& value) {
  const Napi::Object object = requireObject(value, "sync options");
  rejectUnknownOptions(object,
                       {"url", "token", "ca", "batchSize", "pullLimit", "live", "interval", "debounce", "maxDebounce",
                        "conflictTimeout", "retry"},
                       "sync");
  SyncConfig config;
  config.sync.url = requireString(object.Get("url"), "options.url");
  config.transport.url = config.sync.url;
  config.token = optionalString(object, "token");
  if (config.token && config.token->empty()) throwInvalidArgument("options.token must not be empty");
  if (auto ca = optionalString(object, "ca")) config.transport.ca = *ca;
  auto& sync = config.sync;
  readNumber(object, "batchSize", 1, 1000, true, [&](double v) { sync.batchSize = static_cast<std::size_t>(v); });
  readNumber(object, "pullLimit", 1, 5000, true, [&](double v) { sync.pullLimit = static_cast<std::size_t>(v); });
  if (auto live = optionalBoolean(object, "live")) sync.live = *live;
  readNumber(object, "interval", 100, kMaxMillis, false, [&](double v) { sync.interval = millis(v); });
  readNumber(object, "debounce", 0, kMaxMillis, false, [&](double v) { sync.debounce = millis(v); });
  readNumber(object, "maxDebounce", 0, kMaxMillis, false, [&](double v) { sync.maxDebounce = millis(v); });
  readNumber(object, "conflictTimeout", 1, kMaxMillis, false, [&](double v) { sync.conflictTimeout = millis(v); });
  if (sync.maxDebounce < sync.debounce) throwInvalidArgument("options.maxDebounce must be >= debounce");
  readRetry(object.Get("retry"), sync.retry);
  return config;
}

}  // namespace offline_sync::addon
