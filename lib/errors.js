'use strict';
// The one error class of the package. `code` is SQLite's name for SQLite errors (SQLITE_BUSY,
// SQLITE_CONSTRAINT_PRIMARYKEY, ...) or the package's own (ERR_INVALID_ARG, ERR_CLOSED, ...).

class OfflineSyncError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'OfflineSyncError';
    this.code = code;
  }
}

module.exports = { OfflineSyncError };
