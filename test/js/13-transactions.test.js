'use strict';
// db.transaction: commit, rollback, savepoint nesting, misuse, and locking against a second connection.
const test = require('node:test');
const assert = require('node:assert/strict');
const { openDatabase } = require('../..');
const { tempDir, openTemp, assertCode } = require('./helpers');

function withTable(t) {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
  return db;
}
const values = (db) => db.all('SELECT v FROM t ORDER BY id').map((row) => row.v);

test('commit returns the value of fn', (t) => {
  const db = withTable(t);
  const marker = { some: 'object' };
  const result = db.transaction(() => {
    db.run("INSERT INTO t (v) VALUES ('a')");
    db.run("INSERT INTO t (v) VALUES ('b')");
    return marker;
  });
  assert.equal(result, marker, 'the very same object comes back');
  assert.equal(db.transaction(() => 42), 42);
  assert.equal(db.transaction(() => undefined), undefined);
  assert.deepEqual(values(db), ['a', 'b']);
  assert.equal(db.inTransaction, false);
  // The commit reached the file: a second connection sees it.
  const other = openDatabase(db.name);
  t.after(() => other.close());
  assert.deepEqual(values(other), ['a', 'b']);
});

test('a throw rolls back and rethrows the same error object', (t) => {
  const db = withTable(t);
  db.run("INSERT INTO t (v) VALUES ('kept')");
  const boom = new Error('boom');
  assert.throws(
    () =>
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('lost')");
        db.run("UPDATE t SET v = 'changed' WHERE v = 'kept'");
        throw boom;
      }),
    (error) => error === boom,
  );
  assert.deepEqual(values(db), ['kept']);
  assert.equal(db.inTransaction, false);
  // Values that are not errors pass through unchanged too.
  for (const thrown of ['a string', 42, null, undefined, { plain: true }]) {
    let caught = Symbol('nothing');
    try {
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('lost again')");
        throw thrown;
      });
    } catch (error) {
      caught = error;
    }
    assert.equal(caught, thrown);
    assert.deepEqual(values(db), ['kept']);
  }
});

test('an SQLite error inside fn rolls back the earlier writes and is rethrown with its code', (t) => {
  const db = withTable(t);
  db.run("INSERT INTO t (v) VALUES ('a')");
  assertCode(
    () =>
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('b')");
        db.run("INSERT INTO t (v) VALUES ('a')");
      }),
    'SQLITE_CONSTRAINT_UNIQUE',
  );
  assert.deepEqual(values(db), ['a']);
  // A constraint error caught inside fn does not abort the transaction.
  db.transaction(() => {
    db.run("INSERT INTO t (v) VALUES ('c')");
    assertCode(() => db.run("INSERT INTO t (v) VALUES ('a')"), 'SQLITE_CONSTRAINT_UNIQUE');
    db.run("INSERT INTO t (v) VALUES ('d')");
  });
  assert.deepEqual(values(db), ['a', 'c', 'd']);
});

test('nested transactions use savepoints: an inner throw caught by the outer rolls back only the inner', (t) => {
  const db = withTable(t);
  const result = db.transaction(() => {
    db.run("INSERT INTO t (v) VALUES ('outer-1')");
    const inner = new Error('inner');
    assert.throws(
      () =>
        db.transaction(() => {
          db.run("INSERT INTO t (v) VALUES ('inner')");
          assert.equal(db.inTransaction, true);
          throw inner;
        }),
      (error) => error === inner,
    );
    assert.equal(db.inTransaction, true, 'the outer transaction is still open');
    const committedInner = db.transaction(() => {
      db.run("INSERT INTO t (v) VALUES ('inner-ok')");
      return 'inner value';
    });
    assert.equal(committedInner, 'inner value');
    db.run("INSERT INTO t (v) VALUES ('outer-2')");
    return 'outer value';
  });
  assert.equal(result, 'outer value');
  assert.deepEqual(values(db), ['outer-1', 'inner-ok', 'outer-2']);
  assert.equal(db.inTransaction, false);
});

test('an outer throw rolls back committed inner savepoints too', (t) => {
  const db = withTable(t);
  assert.throws(() =>
    db.transaction(() => {
      db.transaction(() => db.transaction(() => db.run("INSERT INTO t (v) VALUES ('deep')")));
      throw new Error('outer');
    }), /outer/);
  assert.deepEqual(values(db), []);
  assert.equal(db.inTransaction, false);
});

test('a transaction inside one opened with exec("BEGIN") is a savepoint of it', (t) => {
  const db = withTable(t);
  db.exec('BEGIN');
  db.transaction(() => db.run("INSERT INTO t (v) VALUES ('a')"));
  assert.equal(db.inTransaction, true, 'the application transaction stays open');
  assert.throws(() => db.transaction(() => {
    db.run("INSERT INTO t (v) VALUES ('b')");
    throw new Error('undo b');
  }), /undo b/);
  assert.equal(db.inTransaction, true);
  assert.deepEqual(values(db), ['a']);
  db.exec('ROLLBACK');
  assert.deepEqual(values(db), []);
});

test('an async fn (returned Promise) is refused with ERR_INVALID_ARG and rolled back', async (t) => {
  const db = withTable(t);
  let promise;
  assertCode(
    () =>
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('sync part')");
        promise = (async () => {})();
        return promise;
      }),
    'ERR_INVALID_ARG',
    /promise/,
  );
  await promise;
  let asyncRan = false;
  assertCode(
    () =>
      db.transaction(async () => {
        db.run("INSERT INTO t (v) VALUES ('async body')");
        asyncRan = true;
      }),
    'ERR_INVALID_ARG',
  );
  assert.equal(asyncRan, true, 'the synchronous part of the async fn ran before the refusal');
  assert.deepEqual(values(db), []);
  assert.equal(db.inTransaction, false);
});

test('a non-function is refused with ERR_INVALID_ARG', (t) => {
  const db = withTable(t);
  for (const fn of [undefined, null, 1, 'fn', {}, [() => 1]]) {
    assertCode(() => db.transaction(fn), 'ERR_INVALID_ARG', /must be a function/);
  }
  assert.equal(db.inTransaction, false);
});

test('db.inTransaction is true inside fn and false after', (t) => {
  const db = withTable(t);
  const seen = [];
  db.transaction(() => {
    seen.push(db.inTransaction);
    db.transaction(() => seen.push(db.inTransaction));
  });
  assert.deepEqual(seen, [true, true]);
  assert.equal(db.inTransaction, false);
  assert.throws(() => db.transaction(() => { throw new Error('x'); }));
  assert.equal(db.inTransaction, false);
});

test('a COMMIT or ROLLBACK run by hand inside fn gives ERR_TRANSACTION_STATE', (t) => {
  const db = withTable(t);
  assertCode(
    () =>
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('committed by hand')");
        db.exec('COMMIT');
      }),
    'ERR_TRANSACTION_STATE',
  );
  assert.equal(db.inTransaction, false);
  // SQLite did commit what was written before the hand-made COMMIT.
  assert.deepEqual(values(db), ['committed by hand']);
  assertCode(
    () =>
      db.transaction(() => {
        db.run("INSERT INTO t (v) VALUES ('rolled back by hand')");
        db.run('ROLLBACK');
      }),
    'ERR_TRANSACTION_STATE',
  );
  assert.deepEqual(values(db), ['committed by hand']);
  // The connection's transaction state is sane afterwards.
  assert.equal(db.transaction(() => db.run("INSERT INTO t (v) VALUES ('after')").changes), 1);
  assert.deepEqual(values(db), ['committed by hand', 'after']);
  assert.equal(db.inTransaction, false);
});

test('closing the database inside fn gives a coded error and nothing is committed', (t) => {
  const tmp = tempDir(t);
  const db = openDatabase(tmp.file('x.db'));
  db.exec('CREATE TABLE t (v)');
  assert.throws(
    () => db.transaction(() => {
      db.run("INSERT INTO t (v) VALUES ('never')");
      db.close();
    }),
    (error) => typeof error.code === 'string',
  );
  assert.equal(db.open, false);
  assert.deepEqual(tmp.open('x.db').all('SELECT v FROM t'), []);
});

test('a second connection gets SQLITE_BUSY while the first holds a transaction, and succeeds after', (t) => {
  const tmp = tempDir(t);
  const first = tmp.open('shared.db');
  first.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  first.run("INSERT INTO t (v) VALUES ('before')");
  const second = tmp.open('shared.db', { timeout: 50 });

  first.transaction(() => {
    first.run("INSERT INTO t (v) VALUES ('first')");
    const started = Date.now();
    assertCode(() => second.run("INSERT INTO t (v) VALUES ('second')"), 'SQLITE_BUSY');
    assert.ok(Date.now() - started >= 40, 'the busy timeout was waited out before failing');
    assertCode(() => second.transaction(() => 1), 'SQLITE_BUSY');
    assertCode(() => second.exec("INSERT INTO t (v) VALUES ('x')"), 'SQLITE_BUSY');
    assert.equal(second.inTransaction, false);
    // WAL: the reader is not blocked and sees only committed data.
    assert.deepEqual(second.all('SELECT v FROM t ORDER BY id'), [{ v: 'before' }]);
  });

  assert.equal(second.run("INSERT INTO t (v) VALUES ('second')").changes, 1);
  assert.equal(second.transaction(() => second.run("INSERT INTO t (v) VALUES ('second-tx')").changes), 1);
  assert.deepEqual(first.all('SELECT v FROM t ORDER BY id').map((r) => r.v), ['before', 'first', 'second', 'second-tx']);
});
