'use strict';
// run/get/all/exec/prepare/iterate, error codes, statement reuse, and the statement cache.
const test = require('node:test');
const assert = require('node:assert/strict');
const { OfflineSyncError, Statement } = require('../..');
const { openTemp, assertCode } = require('./helpers');

// Generates the rows x = 1..n and selects `select` from them (table c).
const counter = (n, select = 'SELECT x FROM c') =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) ${select}`;
// An expression that fails with SQLITE_ERROR 'integer overflow' when evaluated.
const OVERFLOW = 'abs(-9223372036854775807 - 1)';

test('run returns { changes, lastInsertRowid }', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v)');
  assert.deepEqual(db.run('INSERT INTO t (v) VALUES (?)', ['a']), { changes: 1, lastInsertRowid: 1 });
  assert.deepEqual(db.run('INSERT INTO t (v) VALUES (?), (?)', ['b', 'c']), { changes: 2, lastInsertRowid: 3 });
  // Neither a SELECT nor DDL right after an insert reports the insert's count.
  assert.equal(db.run('SELECT * FROM t').changes, 0);
  assert.equal(db.run('CREATE TABLE u (x)').changes, 0);
  assert.equal(db.run("UPDATE t SET v = 'x' WHERE id > 100").changes, 0, 'an UPDATE matching nothing');
  assert.equal(db.run("UPDATE t SET v = v || '!'").changes, 3);
  assert.equal(db.run('DELETE FROM t WHERE id < 3').changes, 2);
  // A rowid beyond 2^53 comes back as a bigint.
  const big = db.run('INSERT INTO t (id, v) VALUES (?, ?)', [2n ** 60n, 'big']);
  assert.deepEqual(big, { changes: 1, lastInsertRowid: 2n ** 60n });
  const stmt = db.prepare('UPDATE t SET v = ?');
  assert.deepEqual(stmt.run(['y']), { changes: 2, lastInsertRowid: 2n ** 60n });
});

test('get returns the first row or undefined; all returns every row', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (\'a\'), (\'b\'), (\'c\')');
  assert.deepEqual(db.get('SELECT v FROM t ORDER BY id'), { v: 'a' });
  assert.equal(db.get('SELECT v FROM t WHERE id = ?', [99]), undefined);
  assert.deepEqual(db.all('SELECT id, v FROM t ORDER BY id DESC'), [
    { id: 3, v: 'c' },
    { id: 2, v: 'b' },
    { id: 1, v: 'a' },
  ]);
  assert.deepEqual(db.all('SELECT v FROM t WHERE id > ?', [10]), []);
  const stmt = db.prepare('SELECT v FROM t WHERE id = ?');
  assert.deepEqual(stmt.get([2]), { v: 'b' });
  assert.equal(stmt.get([5]), undefined);
  assert.deepEqual(stmt.all([3]), [{ v: 'c' }]);
  // INSERT ... RETURNING works through get and all.
  assert.deepEqual(db.get("INSERT INTO t (v) VALUES ('d') RETURNING id, v"), { id: 4, v: 'd' });
  const updated = db.all('UPDATE t SET v = upper(v) WHERE id > 2 RETURNING v').map((row) => row.v);
  assert.deepEqual(updated.sort(), ['C', 'D']);
});

test('a statement prepared once runs many times', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  assert.ok(insert instanceof Statement);
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) assert.equal(insert.run([i]).lastInsertRowid, i + 1);
  });
  const sum = db.prepare('SELECT count(*) AS n, sum(v) AS s FROM t WHERE v < ?');
  assert.deepEqual(sum.get([5000]), { n: 5000, s: (4999 * 5000) / 2 });
  assert.deepEqual(sum.get([10]), { n: 10, s: 45 });
});

test('rows keep the right keys when a schema change re-prepares the statement', (t) => {
  const db = openTemp(t);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b')");
  const every = db.prepare('SELECT * FROM t ORDER BY id');
  assert.deepEqual(every.all(), [{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
  // SQLite re-prepares the statement on its next step; the column names change with it.
  db.exec("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'");
  assert.deepEqual(every.all(), [{ id: 1, v: 'a', note: 'x' }, { id: 2, v: 'b', note: 'x' }]);
  db.exec('ALTER TABLE t RENAME COLUMN v TO value');
  assert.deepEqual(every.get(), { id: 1, value: 'a', note: 'x' });
  assert.deepEqual([...every.iterate()].at(-1), { id: 2, value: 'b', note: 'x' });
});

test('prepare refuses several statements and empty SQL with ERR_INVALID_ARG', (t) => {
  const db = openTemp(t);
  assertCode(() => db.prepare('SELECT 1; SELECT 2'), 'ERR_INVALID_ARG', /more than one statement/);
  assertCode(() => db.run('CREATE TABLE a (x); CREATE TABLE b (x)'), 'ERR_INVALID_ARG', /more than one/);
  assert.equal(db.get("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b')").n, 0, 'nothing ran');
  for (const empty of ['', '   ', '\n\t', '-- only a comment', '/* c */']) {
    assertCode(() => db.prepare(empty), 'ERR_INVALID_ARG', /no statement/);
    assertCode(() => db.get(empty), 'ERR_INVALID_ARG', /no statement/);
  }
  for (const notSql of [undefined, null, 42, ['SELECT 1'], Buffer.from('SELECT 1')]) {
    assertCode(() => db.prepare(notSql), 'ERR_INVALID_ARG', /sql must be a string/);
    assertCode(() => db.run(notSql), 'ERR_INVALID_ARG', /sql must be a string/);
    assertCode(() => db.exec(notSql), 'ERR_INVALID_ARG', /sql must be a string/);
  }
  // A trailing semicolon, whitespace or comment is still one statement.
  assert.deepEqual(db.prepare('SELECT 1 AS a;  -- done\n').get(), { a: 1 });
});

test('invalid SQL fails with SQLITE_ERROR and SQLite\'s message', (t) => {
  const db = openTemp(t);
  assertCode(() => db.prepare('SELEC 1'), 'SQLITE_ERROR', /near "SELEC": syntax error/);
  assertCode(() => db.get('SELECT * FROM nowhere'), 'SQLITE_ERROR', /no such table: nowhere/);
  assertCode(() => db.exec('CREATE TABLE t (x); SELECT nope FROM t'), 'SQLITE_ERROR', /no such column: nope/);
  // exec ran the statements before the failing one (autocommit).
  assert.deepEqual(db.all('SELECT * FROM t'), []);
});

test('constraint violations carry extended codes and the statement stays reusable', (t) => {
  const db = openTemp(t);
  db.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT UNIQUE,
      age INTEGER CHECK (age >= 0),
      parent INTEGER REFERENCES parent (id)
    );
    INSERT INTO parent (id) VALUES (1);
  `);
  const insert = db.prepare('INSERT INTO child (id, name, email, age, parent) VALUES (:id, :name, :email, :age, :parent)');
  const ok = { id: 1, name: 'a', email: 'a@x', age: 1, parent: 1 };
  assert.equal(insert.run(ok).changes, 1);
  const cases = [
    [{ ...ok, email: 'other' }, 'SQLITE_CONSTRAINT_PRIMARYKEY', /child\.id/],
    [{ ...ok, id: 2, email: 'b@x', name: null }, 'SQLITE_CONSTRAINT_NOTNULL', /child\.name/],
    [{ ...ok, id: 2, email: 'b@x', parent: 99 }, 'SQLITE_CONSTRAINT_FOREIGNKEY', /FOREIGN KEY/],
    [{ ...ok, id: 2 }, 'SQLITE_CONSTRAINT_UNIQUE', /child\.email/],
    [{ ...ok, id: 2, email: 'b@x', age: -1 }, 'SQLITE_CONSTRAINT_CHECK', /CHECK constraint failed/],
  ];
  for (const [params, code, message] of cases) {
    assertCode(() => insert.run(params), code, message);
    // The same prepared statement and the cached path both work right after the failure.
    assert.equal(db.get('SELECT count(*) AS n FROM child').n, 1);
    assertCode(() => db.run('INSERT INTO child (id, name, email, age, parent) VALUES (:id, :name, :email, :age, :parent)', params), code);
  }
  assert.equal(insert.run({ id: 2, name: 'b', email: 'b@x', age: 2, parent: 1 }).changes, 1);
  assertCode(() => db.run('DELETE FROM parent'), 'SQLITE_CONSTRAINT_FOREIGNKEY');
  assert.equal(db.get('SELECT count(*) AS n FROM child').n, 2);
});

test('every error is an OfflineSyncError and an Error with a string code', (t) => {
  const db = openTemp(t);
  const failures = [
    [() => db.prepare('nonsense'), 'SQLITE_ERROR'],
    [() => db.get('SELECT ?', []), 'ERR_INVALID_ARG'],
    [() => db.run('SELECT * FROM missing'), 'SQLITE_ERROR'],
    [() => db.prepare('SELECT 1').get(5), 'ERR_INVALID_ARG'],
    [() => db.transaction('no'), 'ERR_INVALID_ARG'],
    [() => db.migrate(['CREATE TABLE x (a)', 'oops']), 'SQLITE_ERROR'],
  ];
  for (const [fail, code] of failures) {
    const error = assertCode(fail, code);
    assert.equal(error.name, 'OfflineSyncError');
    assert.ok(error.message.length > 0);
    assert.match(error.stack, /OfflineSyncError/);
  }
});

test('iterate is lazy: breaking after 3 rows of 100,000 is fast and leaves the statement reusable', (t) => {
  const db = openTemp(t);
  const stmt = db.prepare(counter(100000));
  const started = process.hrtime.bigint();
  const seen = [];
  for (const row of stmt.iterate()) {
    seen.push(row.x);
    if (seen.length === 3) break;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(seen, [1, 2, 3]);
  assert.ok(ms < 100, `breaking early took ${ms} ms`);
  assert.deepEqual(stmt.get(), { x: 1 });
  assert.equal(stmt.all().length, 100000);

  // Rows past the break are never computed: row 50,000 would fail with an integer overflow.
  const poisoned = db.prepare(counter(100000, `SELECT x, CASE WHEN x = 50000 THEN ${OVERFLOW} ELSE x END AS y FROM c`));
  const iterator = poisoned.iterate();
  assert.deepEqual([iterator.next().value, iterator.next().value], [{ x: 1, y: 1 }, { x: 2, y: 2 }]);
  assert.deepEqual(iterator.return(), { value: undefined, done: true });
  assertCode(() => poisoned.all(), 'SQLITE_ERROR', /integer overflow/);
});

test('for..of with break, or a throw, releases the statement', (t) => {
  const db = openTemp(t);
  const stmt = db.prepare(counter(10));
  for (const row of stmt.iterate()) if (row.x === 2) break;
  assert.deepEqual(stmt.get(), { x: 1 });
  assert.throws(() => {
    for (const row of stmt.iterate()) if (row.x === 5) throw new Error('stop');
  }, /stop/);
  assert.equal(stmt.all().length, 10);
  // Exhausting the iterator releases it too, and it then stays done.
  const iterator = stmt.iterate();
  assert.equal([...iterator].length, 10);
  assert.deepEqual(iterator.next(), { value: undefined, done: true });
  assert.deepEqual(stmt.get(), { x: 1 });
  // Iterating with parameters.
  const filtered = db.prepare(counter(20, 'SELECT x FROM c WHERE x % :m = 0'));
  assert.deepEqual([...filtered.iterate({ m: 7 })], [{ x: 7 }, { x: 14 }]);
});

test('using a statement while its iterator is open throws ERR_STATEMENT_BUSY', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)');
  const stmt = db.prepare('SELECT x FROM t ORDER BY x');
  const iterator = stmt.iterate();
  assert.deepEqual(iterator.next(), { value: { x: 1 }, done: false });
  for (const use of [() => stmt.get(), () => stmt.all(), () => stmt.run(), () => stmt.iterate()]) {
    assertCode(use, 'ERR_STATEMENT_BUSY', /busy/);
  }
  // The open iterator is unaffected, and other statements (and db.get on the same SQL) still work.
  assert.deepEqual(db.get('SELECT x FROM t ORDER BY x'), { x: 1 });
  assert.deepEqual(iterator.next(), { value: { x: 2 }, done: false });
  db.run('INSERT INTO t VALUES (4)');
  assert.deepEqual(iterator.return(), { value: undefined, done: true });
  assert.deepEqual(iterator.next(), { value: undefined, done: true });
  assert.equal(stmt.all().length, 4);
});

test('an error during iteration ends the iterator and releases the statement', (t) => {
  const db = openTemp(t);
  const stmt = db.prepare(counter(10, `SELECT CASE WHEN x = 3 THEN ${OVERFLOW} ELSE x END AS y FROM c`));
  const iterator = stmt.iterate();
  assert.equal(iterator.next().value.y, 1);
  assert.equal(iterator.next().value.y, 2);
  assertCode(() => iterator.next(), 'SQLITE_ERROR', /integer overflow/);
  assert.deepEqual(iterator.next(), { value: undefined, done: true });
  assertCode(() => stmt.all(), 'SQLITE_ERROR', /integer overflow/);
});

test('stmt.source, reader and readonly', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (x)');
  const cases = [
    ['SELECT x FROM t', true, true],
    ['INSERT INTO t VALUES (1)', false, false],
    ['INSERT INTO t VALUES (1) RETURNING x', true, false],
    ['UPDATE t SET x = 2', false, false],
    ['CREATE TABLE u (y)', false, false],
    ['PRAGMA user_version', true, true],
  ];
  for (const [sql, reader, readonly] of cases) {
    const stmt = db.prepare(sql);
    assert.equal(stmt.source, sql);
    assert.equal(stmt.reader, reader, `reader of ${sql}`);
    assert.equal(stmt.readonly, readonly, `readonly of ${sql}`);
  }
});

test('exec runs several statements', (t) => {
  const db = openTemp(t);
  assert.equal(
    db.exec(`
      CREATE TABLE a (x);
      INSERT INTO a VALUES (1);
      INSERT INTO a VALUES (2);
      CREATE TABLE b AS SELECT x * 10 AS y FROM a;
      SELECT * FROM a; -- rows are ignored
    `),
    undefined,
  );
  assert.deepEqual(db.all('SELECT y FROM b ORDER BY y'), [{ y: 10 }, { y: 20 }]);
  assert.equal(db.exec(''), undefined);
});

test('a params getter that closes the database gives ERR_CLOSED, not a crash', (t) => {
  const shapes = {
    'array element': (db) => {
      const params = [1, 2];
      Object.defineProperty(params, 0, { get: () => (db.close(), 1), enumerable: true });
      return ['INSERT INTO t VALUES (?, ?)', params];
    },
    'last named parameter': (db) => ['INSERT INTO t VALUES (:a, :b)', { a: 1, get b() { db.close(); return 2; } }],
  };
  for (const [name, make] of Object.entries(shapes)) {
    for (const via of ['db.run', 'stmt.run', 'stmt.iterate']) {
      const db = openTemp(t);
      db.exec('CREATE TABLE t (a, b)');
      const [sql, params] = make(db);
      const stmt = db.prepare(sql);
      const call = via === 'db.run' ? () => db.run(sql, params) : () => stmt[via.slice(5)](params);
      assertCode(call, 'ERR_CLOSED', undefined);
      assert.equal(db.open, false, `${name} via ${via}`);
    }
  }
});

test('a params getter that closes the database before later named parameters are read gives ERR_CLOSED', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (a, b)');
  const params = { get a() { db.close(); return 1; }, b: 2 };
  assertCode(() => db.run('INSERT INTO t VALUES (:a, :b)', params), 'ERR_CLOSED');
});

test('a params getter that opens an iterator on the same statement gives ERR_STATEMENT_BUSY', (t) => {
  const db = openTemp(t);
  const stmt = db.prepare('SELECT :a AS a');
  let inner;
  assertCode(() => stmt.get({ get a() { inner = stmt.iterate({ a: 'inner' }); return 'outer'; } }), 'ERR_STATEMENT_BUSY');
  // The inner iterator kept its own bindings.
  assert.deepEqual(inner.next(), { value: { a: 'inner' }, done: false });
  inner.return();
  assert.deepEqual(stmt.get({ a: 1 }), { a: 1 });
  // A getter that throws passes its own error through.
  const thrown = new Error('from getter');
  assert.throws(() => stmt.get({ get a() { throw thrown; } }), (e) => e === thrown);
  assert.deepEqual(stmt.get({ a: 2 }), { a: 2 });
});

test('the statement cache keeps working past 200 distinct SQL strings', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)');
  const repeated = 'INSERT INTO t (v) VALUES (?)';
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 300; i++) {
      assert.deepEqual(db.get(`SELECT ${i} + ? AS v`, [round]), { v: i + round });
      db.run(repeated, [i]);
    }
  }
  assert.deepEqual(db.get('SELECT count(*) AS n, sum(v) AS s FROM t'), { n: 900, s: 3 * ((299 * 300) / 2) });
  // Evicted statements are recompiled on demand and see the current schema.
  db.exec('ALTER TABLE t ADD COLUMN w INTEGER DEFAULT 7');
  assert.deepEqual(db.get('SELECT 0 + ? AS v', [5]), { v: 5 });
  assert.deepEqual(db.get('SELECT w FROM t WHERE id = ?', [1]), { w: 7 });
  // A statement prepared before all that is unaffected by the cache.
  const stmt = db.prepare('SELECT count(*) AS n FROM t');
  for (let i = 0; i < 250; i++) db.get(`SELECT ${i} AS again`);
  assert.deepEqual(stmt.get(), { n: 900 });
});
