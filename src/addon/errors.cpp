// Builds coded JS errors through the error class lib/ registered at load.
#include "addon/errors.h"

#include "addon/addon.h"

namespace offline_sync::addon {

Napi::Error makeError(Napi::Env env, std::string_view code, const std::string& message) {
  const auto& errorClass = OfflineSyncAddon::of(env).errorClass;
  const auto codeValue = Napi::String::New(env, code.data(), code.size());
  if (!errorClass.IsEmpty()) {
    Napi::Object error = errorClass.New({Napi::String::New(env, message), codeValue});
    return Napi::Error(env, error);
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", codeValue);
  return error;
}

void ensureCode(Napi::Error& error) noexcept {
  try {
    Napi::Object object = error.Value();
    if (object.IsEmpty() || !object.IsObject()) return;
    if (object.Get("code").IsUndefined()) object.Set("code", std::string(codes::internal));
  } catch (...) {
    // The environment is going away; the error cannot be amended and will not be seen.
  }
}

bool environmentStopping(Napi::Env env) {
  napi_value probe = nullptr;
  if (napi_create_object(env, &probe) != napi_ok) return true;
  return napi_set_named_property(env, probe, "probe", probe) != napi_ok;
}

}  // namespace offline_sync::addon
