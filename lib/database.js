'use strict';
// openDatabase() and the JS-side shape of Database and Statement. The work happens in C++; this file checks
// arguments, fills defaults, spreads array parameters into arguments (reading them through Node-API element by
// element costs more than the insert itself) and adds the iterator protocol.
const binding = require('./binding');
const { Database, Statement, StatementIterator } = binding;
const { OfflineSyncError } = require('./errors');
const { SyncClient, closeSyncClientsOf } = require('./sync');

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
  // Checked before the file is created, so a bad id leaves no empty database behind.
  const { deviceId } = options;
  if (deviceId !== undefined && (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId))) {
    throw invalid('openDatabase(file, options): options.deviceId must be 1 to 128 of [A-Za-z0-9._:-]');
  }
  return new Database(file, options);
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32): more values than that cannot be bound anyway, and spreading
// a huge array into arguments would exhaust the stack (or the heap) before the native call could refuse it.
const MAX_PARAMETERS = 32766;

function positional(params) {
  if (params.length > MAX_PARAMETERS) {
    throw invalid(`${params.length} parameters: SQLite binds at most ${MAX_PARAMETERS}`);
  }
  return params;
}

// run() leaves its two numbers here rather than building an object through Node-API (which costs more than the
// insert itself); the native call returns lastInsertRowid itself only when it needs a BigInt.
const runResult = new Float64Array(2);
binding.setRunResultSlots(runResult);
function runResultOf(bigRowid) {
  return { changes: runResult[0], lastInsertRowid: bigRowid === undefined ? runResult[1] : bigRowid };
}

// The native methods take `true, ...values` for positional parameters and `false, params` otherwise.
const database = Database.prototype;
const nativeDb = { run: database.run, get: database.get, all: database.all };
database.run = function run(sql, params) {
  return runResultOf(Array.isArray(params)
    ? nativeDb.run.call(this, sql, true, ...positional(params))
    : nativeDb.run.call(this, sql, false, params));
};
database.get = function get(sql, params) {
  return Array.isArray(params)
    ? nativeDb.get.call(this, sql, true, ...positional(params))
    : nativeDb.get.call(this, sql, false, params);
};
database.all = function all(sql, params) {
  return Array.isArray(params)
    ? nativeDb.all.call(this, sql, true, ...positional(params))
    : nativeDb.all.call(this, sql, false, params);
};

const statement = Statement.prototype;
const nativeStmt = { run: statement.run, get: statement.get, all: statement.all, iterate: statement.iterate };
statement.run = function run(params) {
  return runResultOf(Array.isArray(params)
    ? nativeStmt.run.call(this, true, ...positional(params))
    : nativeStmt.run.call(this, false, params));
};
statement.get = function get(params) {
  return Array.isArray(params)
    ? nativeStmt.get.call(this, true, ...positional(params))
    : nativeStmt.get.call(this, false, params);
};
statement.all = function all(params) {
  return Array.isArray(params)
    ? nativeStmt.all.call(this, true, ...positional(params))
    : nativeStmt.all.call(this, false, params);
};
statement.iterate = function iterate(params) {
  return Array.isArray(params)
    ? nativeStmt.iterate.call(this, true, ...positional(params))
    : nativeStmt.iterate.call(this, false, params);
};

/** A sync client for this database (see lib/sync.js); it syncs once started. */
database.sync = function sync(options) {
  return new SyncClient(this, options);
};

// Its sync clients stop first: their engines read this file through connections of their own.
const nativeClose = database.close;
database.close = function close() {
  closeSyncClientsOf(this);
  return nativeClose.call(this);
};

// for (const row of stmt.iterate()) works, and `break` releases the statement through return().
StatementIterator.prototype[Symbol.iterator] = function iterator() {
  return this;
};

module.exports = { openDatabase, Database, Statement, SyncClient };
