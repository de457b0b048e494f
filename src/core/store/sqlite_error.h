// Turns SQLite result codes into the core's Error with SQLite's own code names.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

struct sqlite3;

namespace offline_sync::store {

// "SQLITE_CONSTRAINT_PRIMARYKEY" for an extended code; the primary name when the extended one is unknown.
std::string sqliteCodeName(int extendedCode);

// An Error carrying SQLite's code and message, prefixed with what was being done.
Error sqliteError(sqlite3* db, int rc, std::string_view context = {});

// Throws sqliteError unless rc is SQLITE_OK.
void checkSqlite(sqlite3* db, int rc, std::string_view context = {});

}  // namespace offline_sync::store
