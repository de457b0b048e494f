'use strict';
// offline-sync: an offline-first SQLite store with a C++ sync engine, for Electron and Node.
const { openDatabase, Database, Statement, SyncClient } = require('./database');
const { OfflineSyncError } = require('./errors');

module.exports = { openDatabase, Database, Statement, SyncClient, OfflineSyncError };
