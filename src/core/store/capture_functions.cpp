// SQLite scalar functions bound to one connection; no state outside the connection and the clock it is given.
#include "core/store/capture_functions.h"

#include <sqlite3.h>

#include "core/store/sqlite_error.h"

namespace offline_sync::store {
namespace {

void captureOn(sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_int(context, 1); }
void captureOff(sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_int(context, 0); }

using SharedClock = std::shared_ptr<HybridClock>;

void nextStamp(sqlite3_context* context, int, sqlite3_value**) {
  // No exception may cross SQLite's C frames: a failing wall clock fails the statement instead.
  try {
    const auto& clock = *static_cast<SharedClock*>(sqlite3_user_data(context));
    sqlite3_result_int64(context, static_cast<sqlite3_int64>(clock->now()));
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

// SQLite calls this when the function is replaced or the connection closes.
void releaseClock(void* holder) { std::unique_ptr<SharedClock>(static_cast<SharedClock*>(holder)); }

}  // namespace

void registerCaptureFunctions(Connection& connection, std::shared_ptr<HybridClock> clock, Capture capture) {
  sqlite3* db = connection.handle();
  // Innocuous: usable from triggers even with trusted_schema off. Deterministic: constant on one connection.
  checkSqlite(db,
              sqlite3_create_function_v2(db, "_sync_capture", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                         nullptr, capture == Capture::on ? captureOn : captureOff, nullptr, nullptr,
                                         nullptr),
              "registering _sync_capture");
  // SQLite owns the holder from here on, and releases it through releaseClock even when registration fails.
  auto holder = std::make_unique<SharedClock>(std::move(clock));
  checkSqlite(db,
              sqlite3_create_function_v2(db, "_sync_hlc", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, holder.release(),
                                         nextStamp, nullptr, nullptr, releaseClock),
              "registering _sync_hlc");
}

}  // namespace offline_sync::store
