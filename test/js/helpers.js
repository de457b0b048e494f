'use strict';
// Shared helpers for the node:test suite: fresh temp directories and databases that are always cleaned up,
// and an assertion for the package's coded errors.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const { openDatabase, OfflineSyncError } = require(PACKAGE_ROOT);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A fresh directory under os.tmpdir(). With a test context `t`, it is removed by `t.after` (after closing every
 * database opened through `open`); without one, call `cleanup()` yourself (for example from an after hook).
 */
function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-test-'));
  const closers = [];
  let cleaned = false;
  const tmp = {
    dir,
    file: (name) => path.join(dir, name),
    /** Opens a database on `name` inside the directory; it is closed before the directory is removed. */
    open(name, options) {
      const db = openDatabase(tmp.file(name), options);
      closers.push(() => db.close());
      return db;
    },
    /** Runs fn at cleanup, before the directory is removed. */
    defer(fn) {
      closers.push(fn);
    },
    cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const close of closers.splice(0).reverse()) {
        try {
          close();
        } catch {
          // A cleanup step failing must not keep the directory from being removed.
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (t) t.after(() => tmp.cleanup());
  return tmp;
}

/** Opens a fresh database file in its own temp directory, closed and removed after the test. */
function openTemp(t, options) {
  return tempDir(t).open('test.db', options);
}

/** Asserts that fn throws an OfflineSyncError (also an Error) whose string code is `code`; returns the error. */
function assertCode(fn, code, message) {
  let caught;
  assert.throws(fn, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof OfflineSyncError, `expected an OfflineSyncError, got ${caught && caught.stack}`);
  assert.ok(caught instanceof Error);
  assert.equal(typeof caught.code, 'string');
  assert.equal(caught.code, code, `wrong code; message: ${caught.message}`);
  if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

/** Number of open file descriptors of this process (Linux). */
function openFdCount() {
  return fs.readdirSync('/proc/self/fd').length;
}

/** The environment for a child `node` process: this one's, without the test runner's, plus `extra`. */
function childEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

// Every unacknowledged change, sent ones (state 1 in flight, 2 quarantined) first in sending order, then pending ones
// (state 0) in capture order: the store keeps them in _sync_sent and _sync_outbox.
const UNACKNOWLEDGED_SQL = `SELECT table_name, row_id, op, columns, state FROM (
    SELECT 0 AS part, change_seq AS n, table_name, row_id, op, columns, state FROM _sync_sent
    UNION ALL SELECT 1, entry, table_name, row_id, op, columns, 0 FROM _sync_outbox) ORDER BY part, n`;

// What the sync engine does when it pushes: every pending change moves to _sync_sent, in flight.
function markPendingInFlight(db) {
  db.exec(`INSERT INTO _sync_sent (change_seq, table_name, row_id, op, columns, hlc, base_version, payload, attempts)
             SELECT (SELECT coalesce(max(change_seq), 0) FROM _sync_sent) + entry, table_name, row_id, op, columns, hlc,
                    0, x'', attempts FROM _sync_outbox;
           DELETE FROM _sync_outbox;`);
}

module.exports = {
  PACKAGE_ROOT, UUID_V4, tempDir, openTemp, assertCode, openFdCount, childEnv, UNACKNOWLEDGED_SQL, markPendingInFlight,
};
