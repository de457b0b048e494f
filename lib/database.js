'use strict';
// openDatabase() and the JS-side shape of Database and Statement. The work happens in C++; this file checks
// options, fills defaults and adds what JS does better (iterator protocol).
const { Database, Statement, StatementIterator } = require('./binding');
const { OfflineSyncError } = require('./errors');

const OPEN_OPTIONS = new Set(['deviceId', 'timeout', 'fileMustExist', 'synchronous']);

function invalid(message) {
  return new OfflineSyncError(message, 'ERR_INVALID_ARG');
}

/**
 * Opens (creating if needed) the SQLite database at `file`, in WAL mode with a busy timeout.
 * @param {string} file path, or ':memory:'
 * @param {{deviceId?: string, timeout?: number, fileMustExist?: boolean, synchronous?: string}} [options]
 */
function openDatabase(file, options = {}) {
  if (typeof file !== 'string') throw invalid('openDatabase(file): file must be a string');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('openDatabase(file, options): options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPEN_OPTIONS.has(key)) {
      throw invalid(`openDatabase: unknown option '${key}' (known: ${[...OPEN_OPTIONS].join(', ')})`);
    }
  }
  return new Database(file, options);
}

// for (const row of stmt.iterate()) works, and `break` releases the statement through return().
StatementIterator.prototype[Symbol.iterator] = function iterator() {
  return this;
};

module.exports = { openDatabase, Database, Statement };
