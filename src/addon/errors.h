// The N-API boundary for errors: every exception leaving the core becomes a JS Error with a string `code`.
#pragma once

#include <napi.h>

#include <new>
#include <string>
#include <string_view>

#include "core/error.h"

namespace offline_sync::addon {

// An instance of lib/errors.js's OfflineSyncError (a plain Error before lib/ registered it) with `code` set.
Napi::Error makeError(Napi::Env env, std::string_view code, const std::string& message);

// True once the environment is being torn down (worker.terminate(), a renderer unloading): Node-API calls then fail
// without a JS exception, so JS that seemed to return normally may have been cut short. (With
// NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, errors that cannot be thrown then are dropped rather than aborting.)
bool environmentStopping(Napi::Env env);

// A Node-API failure (not a JS exception) reaches JS as an Error without a code: give it ERR_INTERNAL.
void ensureCode(Napi::Error& error) noexcept;

// Runs body; core, SQLite and standard exceptions leave as coded JS errors, JS exceptions pass through.
template <typename Body>
auto guard(Napi::Env env, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (Napi::Error& e) {
    ensureCode(e);
    throw;
  } catch (const Error& e) {
    throw makeError(env, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw makeError(env, codes::outOfMemory, "Out of memory");
  } catch (const std::exception& e) {
    throw makeError(env, codes::internal, e.what());
  }
}

}  // namespace offline_sync::addon
