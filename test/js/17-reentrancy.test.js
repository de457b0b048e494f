'use strict';
// JS that runs in the middle of a native call (setters, getters) must not corrupt the statement in use, and SQL
// text must reach SQLite whole. Regression tests for review findings.
const test = require('node:test');
const assert = require('node:assert/strict');
const { openTemp, assertCode } = require('./helpers');

function withArraySetter(t, setter) {
  Object.defineProperty(Array.prototype, '0', { set: setter, configurable: true });
  t.after(() => delete Array.prototype[0]);
}

test('a setter re-running the same cached query while all() stores rows cannot disturb it', (t) => {
  const db = openTemp(t);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT); INSERT INTO t (s) VALUES ('k'), ('k'), ('k'), ('k'), ('z')");
  const sql = 'SELECT id FROM t WHERE s = ? ORDER BY id';
  let nested;
  withArraySetter(t, function store(value) {
    Object.defineProperty(this, '0', { value, writable: true, enumerable: true, configurable: true });
    nested = db.all(sql, ['z-but-longer-than-k']);
  });
  const rows = db.all(sql, ['k']);
  delete Array.prototype[0];
  assert.deepEqual(rows.map((row) => row.id), [1, 2, 3, 4]);
  assert.deepEqual(nested, []);
});

test('a setter re-entering the same prepared statement gets ERR_STATEMENT_BUSY, and the statement recovers', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)');
  const stmt = db.prepare('SELECT id FROM t ORDER BY id');
  let inner;
  withArraySetter(t, function store(value) {
    Object.defineProperty(this, '0', { value, writable: true, enumerable: true, configurable: true });
    try {
      stmt.all();
    } catch (error) {
      inner = error;
    }
  });
  const rows = stmt.all();
  delete Array.prototype[0];
  assert.equal(inner && inner.code, 'ERR_STATEMENT_BUSY');
  assert.deepEqual(rows.map((row) => row.id), [1, 2, 3]);
  assert.deepEqual(stmt.all().map((row) => row.id), [1, 2, 3]);
});

test('SQL with a NUL character is refused instead of being cut short', (t) => {
  const db = openTemp(t);
  db.exec("CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('a'), ('b'), ('c')");
  assertCode(() => db.run("DELETE FROM t\0 WHERE id = 'a'"), 'ERR_INVALID_ARG');
  assertCode(() => db.prepare("DELETE FROM t\0 WHERE id = 'a'"), 'ERR_INVALID_ARG');
  assertCode(() => db.exec("DELETE FROM t\0 WHERE id = 'a'"), 'ERR_INVALID_ARG');
  assert.equal(db.get('SELECT count(*) AS n FROM t').n, 3);
});
