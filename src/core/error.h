// The one exception type the core throws: a category callers can branch on and a stable string code users see.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace offline_sync {

enum class ErrorCategory {
  argument,  // the caller passed something invalid
  state,     // the call is not valid now (closed, busy, wrong schema version)
  sqlite,    // SQLite reported an error; the code is SQLite's own name
  protocol,  // a peer sent something malformed
  network,
  auth,
  internal,
};

// Package error codes. SQLite errors use SQLite's names (SQLITE_BUSY, SQLITE_CONSTRAINT_PRIMARYKEY, ...).
namespace codes {
inline constexpr std::string_view invalidArg = "ERR_INVALID_ARG";
inline constexpr std::string_view closed = "ERR_CLOSED";
inline constexpr std::string_view statementBusy = "ERR_STATEMENT_BUSY";
inline constexpr std::string_view transactionState = "ERR_TRANSACTION_STATE";
inline constexpr std::string_view schemaTooNew = "ERR_SCHEMA_TOO_NEW";
inline constexpr std::string_view deviceIdMismatch = "ERR_DEVICE_ID_MISMATCH";
inline constexpr std::string_view internal = "ERR_INTERNAL";
inline constexpr std::string_view outOfMemory = "ERR_OUT_OF_MEMORY";
}  // namespace codes

class Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, std::string_view code, const std::string& message)
      : std::runtime_error(message), category_(category), code_(code) {}

  ErrorCategory category() const noexcept { return category_; }
  const std::string& code() const noexcept { return code_; }

 private:
  ErrorCategory category_;
  std::string code_;
};

[[noreturn]] inline void throwInvalidArgument(const std::string& message) {
  throw Error(ErrorCategory::argument, codes::invalidArg, message);
}

}  // namespace offline_sync
