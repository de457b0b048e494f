'use strict';
// openDatabase: pragmas, options, device id, open/close state and use after close.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { openDatabase, Database, OfflineSyncError } = require('../..');
const { UUID_V4, tempDir, openTemp, assertCode } = require('./helpers');

test('opens a file database in WAL mode with foreign keys, the default busy timeout and synchronous FULL', (t) => {
  const tmp = tempDir(t);
  const file = tmp.file('store.db');
  const db = tmp.open('store.db');
  assert.ok(db instanceof Database);
  assert.equal(db.open, true);
  assert.equal(db.name, file);
  assert.ok(fs.existsSync(file));
  assert.deepEqual(db.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
  assert.deepEqual(db.get('PRAGMA foreign_keys'), { foreign_keys: 1 });
  assert.deepEqual(db.get('PRAGMA busy_timeout'), { timeout: 5000 });
  assert.deepEqual(db.get('PRAGMA synchronous'), { synchronous: 2 });
  db.exec('CREATE TABLE t (x)');
  assert.equal(db.run('INSERT INTO t VALUES (1)').changes, 1);
  assert.ok(fs.existsSync(`${file}-wal`), 'a WAL file exists while the connection is open');
});

test('opens an in-memory database', (t) => {
  const db = openDatabase(':memory:');
  t.after(() => db.close());
  assert.equal(db.name, ':memory:');
  assert.equal(db.open, true);
  assert.match(db.deviceId, UUID_V4);
  // WAL is not available in memory: SQLite keeps its 'memory' journal.
  assert.deepEqual(db.get('PRAGMA journal_mode'), { journal_mode: 'memory' });
  assert.deepEqual(db.get('PRAGMA foreign_keys'), { foreign_keys: 1 });
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (42)');
  assert.deepEqual(db.all('SELECT x FROM t'), [{ x: 42 }]);
  // Each ':memory:' open is its own database.
  const other = openDatabase(':memory:');
  t.after(() => other.close());
  assertCode(() => other.get('SELECT x FROM t'), 'SQLITE_ERROR', /no such table: t/);
  assert.notEqual(other.deviceId, db.deviceId);
});

test('the timeout option sets PRAGMA busy_timeout', (t) => {
  for (const timeout of [0, 50, 1234, 60000]) {
    const db = openTemp(t, { timeout });
    assert.deepEqual(db.get('PRAGMA busy_timeout'), { timeout });
  }
});

test('invalid timeout values are refused with ERR_INVALID_ARG', (t) => {
  const tmp = tempDir(t);
  for (const timeout of [-1, '100', Number.NaN, 2 ** 31, null, true]) {
    assertCode(() => openDatabase(tmp.file('x.db'), { timeout }), 'ERR_INVALID_ARG', /timeout/);
  }
});

test('the synchronous option sets PRAGMA synchronous and refuses unknown modes', (t) => {
  const expected = { off: 0, normal: 1, full: 2, extra: 3 };
  for (const [synchronous, value] of Object.entries(expected)) {
    assert.deepEqual(openTemp(t, { synchronous }).get('PRAGMA synchronous'), { synchronous: value });
  }
  const tmp = tempDir(t);
  assertCode(() => openDatabase(tmp.file('x.db'), { synchronous: 'fast' }), 'ERR_INVALID_ARG', /synchronous/);
  assertCode(() => openDatabase(tmp.file('x.db'), { synchronous: 2 }), 'ERR_INVALID_ARG', /synchronous/);
});

test('a generated deviceId has the uuid v4 shape and persists across reopen', (t) => {
  const tmp = tempDir(t);
  const first = openDatabase(tmp.file('a.db'));
  const id = first.deviceId;
  assert.match(id, UUID_V4);
  first.close();
  assert.equal(first.deviceId, id, 'deviceId stays readable after close');

  const again = tmp.open('a.db');
  assert.equal(again.deviceId, id);
  again.close();
  // Asking for the stored id explicitly is accepted.
  assert.equal(tmp.open('a.db', { deviceId: id }).deviceId, id);

  const other = tmp.open('b.db');
  assert.match(other.deviceId, UUID_V4);
  assert.notEqual(other.deviceId, id, 'each new file gets its own id');
});

test('a given deviceId is stored and kept on reopen', (t) => {
  const tmp = tempDir(t);
  const deviceId = 'laptop-7.A_b:c';
  const db = openDatabase(tmp.file('d.db'), { deviceId });
  assert.equal(db.deviceId, deviceId);
  db.close();
  assert.equal(tmp.open('d.db').deviceId, deviceId);
  assert.equal(tmp.open('d.db', { deviceId }).deviceId, deviceId);
  const longest = 'x'.repeat(128);
  assert.equal(tmp.open('long.db', { deviceId: longest }).deviceId, longest);
});

test('a deviceId different from the stored one is refused with ERR_DEVICE_ID_MISMATCH', (t) => {
  const tmp = tempDir(t);
  openDatabase(tmp.file('d.db'), { deviceId: 'device-one' }).close();
  const error = assertCode(() => openDatabase(tmp.file('d.db'), { deviceId: 'device-two' }), 'ERR_DEVICE_ID_MISMATCH');
  assert.match(error.message, /device-one/);
  assert.match(error.message, /device-two/);
  // The refused open changed nothing.
  assert.equal(tmp.open('d.db').deviceId, 'device-one');
});

test('an invalid deviceId is refused with ERR_INVALID_ARG and nothing is stored', (t) => {
  const tmp = tempDir(t);
  const invalid = ['', 'has space', 'x'.repeat(129), 'slash/no', 'é', 'emoji😀', 'new\nline', 'a\0b'];
  for (const deviceId of invalid) {
    assertCode(() => openDatabase(tmp.file('d.db'), { deviceId }), 'ERR_INVALID_ARG', /deviceId/);
  }
  assertCode(() => openDatabase(tmp.file('d.db'), { deviceId: 42 }), 'ERR_INVALID_ARG', /deviceId/);
  // No id was stored by the refused opens, so a valid one is still accepted.
  assert.equal(tmp.open('d.db', { deviceId: 'valid-id' }).deviceId, 'valid-id');
});

test('an unknown option is refused with ERR_INVALID_ARG naming it', (t) => {
  const tmp = tempDir(t);
  assertCode(() => openDatabase(tmp.file('x.db'), { readonly: true }), 'ERR_INVALID_ARG', /readonly/);
  assertCode(() => openDatabase(tmp.file('x.db'), { deviceID: 'x' }), 'ERR_INVALID_ARG', /deviceID/);
  assert.equal(fs.existsSync(tmp.file('x.db')), false, 'options are checked before the file is created');
});

test('wrong types for file or options are refused with ERR_INVALID_ARG', (t) => {
  const tmp = tempDir(t);
  for (const file of [undefined, null, 42, Buffer.from('x.db'), { path: 'x.db' }, ['x.db']]) {
    assertCode(() => openDatabase(file), 'ERR_INVALID_ARG', /file must be a string/);
  }
  for (const options of [null, 5, 'deviceId', true, [], () => {}]) {
    assertCode(() => openDatabase(tmp.file('x.db'), options), 'ERR_INVALID_ARG', /options/);
  }
  assertCode(() => openDatabase(tmp.file('x.db'), { fileMustExist: 'yes' }), 'ERR_INVALID_ARG', /fileMustExist/);
  assertCode(() => openDatabase(''), 'ERR_INVALID_ARG', /empty/);
  assertCode(() => openDatabase(`${tmp.dir}/a\0b.db`), 'ERR_INVALID_ARG', /NUL/);
});

test('a path in a missing directory fails with SQLITE_CANTOPEN', (t) => {
  const tmp = tempDir(t);
  const error = assertCode(() => openDatabase(tmp.file('missing/dir/x.db')), 'SQLITE_CANTOPEN');
  assert.match(error.message, /missing\/dir\/x\.db/);
  assertCode(() => openDatabase(tmp.dir), 'SQLITE_CANTOPEN');
});

test('a file that is not a database fails with SQLITE_NOTADB', (t) => {
  const tmp = tempDir(t);
  fs.writeFileSync(tmp.file('junk.db'), Buffer.alloc(8192, 0x41));
  assertCode(() => openDatabase(tmp.file('junk.db')), 'SQLITE_NOTADB');
});

test('fileMustExist refuses a missing file without creating it, and opens an existing one', (t) => {
  const tmp = tempDir(t);
  const file = tmp.file('x.db');
  assertCode(() => openDatabase(file, { fileMustExist: true }), 'SQLITE_CANTOPEN');
  assert.equal(fs.existsSync(file), false);
  const created = openDatabase(file, { fileMustExist: false });
  const id = created.deviceId;
  created.close();
  const db = tmp.open('x.db', { fileMustExist: true });
  assert.equal(db.deviceId, id);
});

test('close is idempotent and flips db.open', (t) => {
  const tmp = tempDir(t);
  const db = openDatabase(tmp.file('x.db'));
  assert.equal(db.open, true);
  db.close();
  assert.equal(db.open, false);
  assert.doesNotThrow(() => db.close());
  assert.doesNotThrow(() => db.close());
  assert.equal(db.open, false);
  assert.equal(db.inTransaction, false);
  assert.equal(db.name, tmp.file('x.db'));
});

test('every call after close throws ERR_CLOSED, including prepared statements and open iterators', (t) => {
  const tmp = tempDir(t);
  const db = openDatabase(tmp.file('x.db'));
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)');
  const select = db.prepare('SELECT x FROM t');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const iterator = db.prepare('SELECT x FROM t ORDER BY x').iterate();
  assert.deepEqual(iterator.next(), { value: { x: 1 }, done: false });
  db.close();

  const calls = {
    'db.run': () => db.run('INSERT INTO t VALUES (4)'),
    'db.get': () => db.get('SELECT 1'),
    'db.all': () => db.all('SELECT 1'),
    'db.exec': () => db.exec('SELECT 1'),
    'db.prepare': () => db.prepare('SELECT 1'),
    'db.transaction': () => db.transaction(() => 1),
    'db.migrate': () => db.migrate(['CREATE TABLE m (x)']),
    'stmt.run': () => insert.run([5]),
    'stmt.get': () => select.get(),
    'stmt.all': () => select.all(),
    'stmt.iterate': () => select.iterate(),
    'iterator.next': () => iterator.next(),
  };
  for (const [name, call] of Object.entries(calls)) {
    const error = assertCode(call, 'ERR_CLOSED');
    assert.ok(error instanceof OfflineSyncError, name);
  }
  // The iterator was released by the failure: it now reports done.
  assert.deepEqual(iterator.next(), { value: undefined, done: true });
  assert.equal(select.source, 'SELECT x FROM t');
  assertCode(() => select.reader, 'ERR_CLOSED');

  // Nothing written after close reached the file.
  const reopened = tmp.open('x.db');
  assert.deepEqual(reopened.get('SELECT count(*) AS n FROM t'), { n: 3 });
});

test('db.inTransaction follows transactions', (t) => {
  const db = openTemp(t);
  assert.equal(db.inTransaction, false);
  const inside = db.transaction(() => db.inTransaction);
  assert.equal(inside, true);
  assert.equal(db.inTransaction, false);
  db.exec('BEGIN');
  assert.equal(db.inTransaction, true);
  db.exec('ROLLBACK');
  assert.equal(db.inTransaction, false);
});
