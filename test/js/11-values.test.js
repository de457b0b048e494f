'use strict';
// The value mapping between JS and SQLite, both ways, and the refusal of what cannot be bound.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { openTemp, assertCode } = require('./helpers');

// Stores `value` in an untyped column and reads it back with its SQLite storage class.
function roundTrip(db, value) {
  db.exec('CREATE TABLE IF NOT EXISTS v (x)');
  const { lastInsertRowid } = db.run('INSERT INTO v (x) VALUES (?)', [value]);
  return db.get('SELECT x, typeof(x) AS type FROM v WHERE rowid = ?', [lastInsertRowid]);
}

test('null round trips', (t) => {
  const db = openTemp(t);
  assert.deepEqual(roundTrip(db, null), { x: null, type: 'null' });
  assert.deepEqual(db.get('SELECT NULL AS x'), { x: null });
});

test('integers bind as INTEGER and come back as numbers', (t) => {
  const db = openTemp(t);
  for (const n of [0, 1, -1, 42, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.deepEqual(roundTrip(db, n), { x: n, type: 'integer' }, `value ${n}`);
  }
  // -0 is a whole number: it is stored as the integer 0.
  const zero = roundTrip(db, -0);
  assert.equal(zero.type, 'integer');
  assert.ok(Object.is(zero.x, 0));
});

test('floats bind as REAL and come back exactly', (t) => {
  const db = openTemp(t);
  for (const n of [0.5, -1.25, Math.PI, 1e-300, 1.7976931348623157e308, Number.EPSILON, Infinity, -Infinity]) {
    assert.deepEqual(roundTrip(db, n), { x: n, type: 'real' }, `value ${n}`);
  }
  // SQLite has no NaN: it stores NULL.
  assert.deepEqual(roundTrip(db, Number.NaN), { x: null, type: 'null' });
});

test('whole numbers outside the safe range bind as REAL (doubles), not as integers', (t) => {
  const db = openTemp(t);
  // 2^53 and 2^53+2 are exact doubles but beyond ±(2^53-1): they are bound as REAL and come back as the same
  // double (a number, not a bigint). Write such integers as bigint to store them as INTEGER.
  assert.deepEqual(roundTrip(db, 2 ** 53), { x: 2 ** 53, type: 'real' });
  assert.deepEqual(roundTrip(db, 2 ** 53 + 2), { x: 9007199254740994, type: 'real' });
  assert.deepEqual(roundTrip(db, -(2 ** 53) - 2), { x: -9007199254740994, type: 'real' });
  assert.deepEqual(roundTrip(db, 1e20), { x: 1e20, type: 'real' });
  assert.deepEqual(roundTrip(db, 2n ** 53n + 2n), { x: 9007199254740994n, type: 'integer' });
});

test('bigint binds as INTEGER; results within ±(2^53-1) come back as number, beyond as bigint', (t) => {
  const db = openTemp(t);
  assert.deepEqual(roundTrip(db, 5n), { x: 5, type: 'integer' });
  assert.deepEqual(roundTrip(db, -5n), { x: -5, type: 'integer' });
  assert.deepEqual(roundTrip(db, 2n ** 53n - 1n), { x: Number.MAX_SAFE_INTEGER, type: 'integer' });
  assert.deepEqual(roundTrip(db, -(2n ** 53n - 1n)), { x: Number.MIN_SAFE_INTEGER, type: 'integer' });
  assert.deepEqual(roundTrip(db, 2n ** 53n), { x: 2n ** 53n, type: 'integer' });
  assert.deepEqual(roundTrip(db, -(2n ** 53n)), { x: -(2n ** 53n), type: 'integer' });
  assert.deepEqual(roundTrip(db, 2n ** 60n), { x: 2n ** 60n, type: 'integer' });
  assert.equal(typeof roundTrip(db, 2n ** 60n).x, 'bigint');
  assert.deepEqual(roundTrip(db, -(2n ** 63n)), { x: -(2n ** 63n), type: 'integer' });
  assert.deepEqual(roundTrip(db, 2n ** 63n - 1n), { x: 2n ** 63n - 1n, type: 'integer' });
  // Integers computed by SQLite follow the same rule.
  assert.deepEqual(db.get('SELECT 9223372036854775807 AS big, 9007199254740991 AS safe, 9007199254740992 AS over'), {
    big: 2n ** 63n - 1n,
    safe: Number.MAX_SAFE_INTEGER,
    over: 2n ** 53n,
  });
});

test('a bigint that does not fit in 64 bits is refused with ERR_INVALID_ARG', (t) => {
  const db = openTemp(t);
  for (const big of [2n ** 64n, 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 100n]) {
    assertCode(() => db.get('SELECT ? AS x', [big]), 'ERR_INVALID_ARG', /64 bits/);
  }
  assert.deepEqual(db.get('SELECT ? AS x', [1n]), { x: 1 }, 'the cached statement still works');
});

test('strings round trip: unicode, emoji, embedded NUL, empty and long', (t) => {
  const db = openTemp(t);
  const strings = ['hello', '', ' ', 'héllo wörld', 'Ελληνικά', '日本語テキスト', '😀👍🏽👨‍👩‍👧', 'line\nbreak\ttab', "quote ' \" \\"];
  for (const s of strings) assert.deepEqual(roundTrip(db, s), { x: s, type: 'text' }, JSON.stringify(s));
  const withNul = roundTrip(db, 'a\0b\0');
  assert.deepEqual(withNul, { x: 'a\0b\0', type: 'text' });
  assert.deepEqual(db.get('SELECT length(CAST(? AS BLOB)) AS bytes', ['a\0b\0']), { bytes: 4 });
  assert.deepEqual(db.get("SELECT length(CAST('😀' AS BLOB)) AS bytes, ? AS s", ['😀']), { bytes: 4, s: '😀' });
  const long = 'abcdefghij'.repeat(100000);
  assert.equal(roundTrip(db, long).x, long);
  assert.equal(roundTrip(db, '').x, '', 'the empty string is not NULL');
});

test('booleans are stored as 0/1 integers', (t) => {
  const db = openTemp(t);
  assert.deepEqual(roundTrip(db, true), { x: 1, type: 'integer' });
  assert.deepEqual(roundTrip(db, false), { x: 0, type: 'integer' });
  assert.deepEqual(db.get('SELECT ? = 1 AS t, ? = 0 AS f', [true, false]), { t: 1, f: 1 });
});

test('Buffer and Uint8Array bind as BLOB and come back as Buffer', (t) => {
  const db = openTemp(t);
  const bytes = Buffer.from([0, 1, 2, 127, 128, 255]);
  const fromBuffer = roundTrip(db, bytes);
  assert.equal(fromBuffer.type, 'blob');
  assert.ok(Buffer.isBuffer(fromBuffer.x));
  assert.ok(fromBuffer.x.equals(bytes));

  const fromUint8 = roundTrip(db, new Uint8Array([9, 8, 7]));
  assert.equal(fromUint8.type, 'blob');
  assert.ok(Buffer.isBuffer(fromUint8.x));
  assert.deepEqual([...fromUint8.x], [9, 8, 7]);

  // Views with an offset into a larger buffer bind only their own bytes.
  const view = new Uint8Array(new Uint8Array([1, 2, 3, 4, 5]).buffer, 2, 2);
  assert.deepEqual([...roundTrip(db, view).x], [3, 4]);
  const slice = Buffer.from('hello world').subarray(6);
  assert.equal(roundTrip(db, slice).x.toString(), 'world');
  // The returned Buffer is a copy: changing it does not change the stored value.
  const copy = roundTrip(db, bytes).x;
  copy[0] = 99;
  assert.equal(db.get('SELECT hex(x) AS h FROM v WHERE rowid = 1').h, '0001027F80FF');
});

test('an empty BLOB comes back as a zero-length Buffer, not null', (t) => {
  const db = openTemp(t);
  for (const empty of [Buffer.alloc(0), new Uint8Array(0)]) {
    const row = roundTrip(db, empty);
    assert.equal(row.type, 'blob');
    assert.ok(Buffer.isBuffer(row.x), `got ${row.x}`);
    assert.equal(row.x.length, 0);
  }
  assert.ok(Buffer.isBuffer(db.get("SELECT x'' AS x").x));
  assert.equal(db.get("SELECT x'' AS x").x.length, 0);
});

test('a 1 MB BLOB round trips byte for byte', (t) => {
  const db = openTemp(t);
  const big = crypto.randomBytes(1024 * 1024);
  const row = roundTrip(db, big);
  assert.equal(row.type, 'blob');
  assert.equal(row.x.length, big.length);
  assert.ok(row.x.equals(big));
  assert.equal(db.get('SELECT length(x) AS n FROM v').n, 1024 * 1024);
});

test('positional and named parameters (:name, @name, $name)', (t) => {
  const db = openTemp(t);
  assert.deepEqual(db.get('SELECT ? AS a, ? AS b', [1, 'two']), { a: 1, b: 'two' });
  assert.deepEqual(db.get('SELECT :x AS a, @y AS b, $z AS c', { x: 1, y: 'y', z: null }), { a: 1, b: 'y', c: null });
  // The same name used twice reads the key once; numbered ?NNN parameters are positional.
  assert.deepEqual(db.get('SELECT :v AS a, :v + 1 AS b', { v: 10 }), { a: 10, b: 11 });
  assert.deepEqual(db.get('SELECT ?1 AS a, ?1 AS b, ?2 AS c', [1, 2]), { a: 1, b: 1, c: 2 });
  // Keys that no parameter uses are ignored; objects without a prototype work.
  assert.deepEqual(db.get('SELECT :a AS a', { a: 1, unused: 2 }), { a: 1 });
  const bare = Object.assign(Object.create(null), { a: 3 });
  assert.deepEqual(db.get('SELECT :a AS a', bare), { a: 3 });
  db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, data BLOB)');
  const insert = db.prepare('INSERT INTO p (id, name, data) VALUES ($id, $name, $data)');
  insert.run({ id: 1, name: 'one', data: Buffer.from('1') });
  insert.run({ id: 2, name: 'two', data: null });
  assert.deepEqual(db.all('SELECT id, name FROM p WHERE id IN (@a, @b) ORDER BY id', { a: 1, b: 2 }), [
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
  ]);
  // No parameters: undefined, null, [] and {} are all accepted.
  for (const none of [undefined, null, [], {}]) assert.deepEqual(db.get('SELECT 1 AS one', none), { one: 1 });
});

test('a missing named parameter is refused with ERR_INVALID_ARG naming it', (t) => {
  const db = openTemp(t);
  assertCode(() => db.get('SELECT :a AS a, :b AS b', { a: 1 }), 'ERR_INVALID_ARG', /:b/);
  assertCode(() => db.get('SELECT @who AS w', {}), 'ERR_INVALID_ARG', /@who/);
  assertCode(() => db.get('SELECT :a AS a'), 'ERR_INVALID_ARG');
  // A named parameter given as undefined is present but unbindable.
  assertCode(() => db.get('SELECT :a AS a', { a: undefined }), 'ERR_INVALID_ARG', /undefined/);
  // A positional parameter cannot be given by name.
  assertCode(() => db.get('SELECT ? AS a', { 1: 5 }), 'ERR_INVALID_ARG', /positional/);
});

test('a wrong positional count is refused with ERR_INVALID_ARG', (t) => {
  const db = openTemp(t);
  assertCode(() => db.get('SELECT ? AS a, ? AS b', [1]), 'ERR_INVALID_ARG', /2 parameter\(s\) but 1/);
  assertCode(() => db.get('SELECT ? AS a', [1, 2]), 'ERR_INVALID_ARG', /1 parameter\(s\) but 2/);
  assertCode(() => db.get('SELECT ? AS a', []), 'ERR_INVALID_ARG');
  assertCode(() => db.get('SELECT ? AS a'), 'ERR_INVALID_ARG', /none were given/);
  assertCode(() => db.get('SELECT 1 AS a', [1]), 'ERR_INVALID_ARG');
  assert.deepEqual(db.get('SELECT ? AS a', [1]), { a: 1 });
});

test('unsupported values are refused with ERR_INVALID_ARG, without crashing, and nothing is written', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE v (x)');
  const insert = db.prepare('INSERT INTO v (x) VALUES (?)');
  const unsupported = {
    undefined,
    'plain object': {},
    function: () => 1,
    symbol: Symbol('s'),
    Date: new Date(0),
    Int16Array: new Int16Array([1, 2]),
    Uint8ClampedArray: new Uint8ClampedArray(2),
    Float64Array: new Float64Array(1),
    ArrayBuffer: new ArrayBuffer(4),
    DataView: new DataView(new ArrayBuffer(4)),
    array: [1],
    Map: new Map(),
    'boxed string': Object('s'),
  };
  for (const [name, value] of Object.entries(unsupported)) {
    assertCode(() => insert.run([value]), 'ERR_INVALID_ARG', /Cannot bind/);
    assertCode(() => db.run('INSERT INTO v (x) VALUES (:x)', { x: value }), 'ERR_INVALID_ARG', /Cannot bind/);
    assert.equal(db.get('SELECT count(*) AS n FROM v').n, 0, name);
  }
  // The failing parameter is named; the statement and the connection remain usable.
  assertCode(() => db.get('SELECT :a AS a, :b AS b', { a: 1, b: {} }), 'ERR_INVALID_ARG', /:b/);
  assert.deepEqual(insert.run([1]).changes, 1);
  assert.deepEqual(db.all('SELECT x FROM v'), [{ x: 1 }]);
});

test('params that are neither an array nor an object are refused with ERR_INVALID_ARG', (t) => {
  const db = openTemp(t);
  const stmt = db.prepare('SELECT ? AS a');
  for (const params of [5, 'x', true, 10n, Symbol('p'), () => [1], new Uint8Array([1])]) {
    assertCode(() => db.get('SELECT ? AS a', params), 'ERR_INVALID_ARG', /array|object/);
    assertCode(() => stmt.get(params), 'ERR_INVALID_ARG', /array|object/);
    assertCode(() => stmt.all(params), 'ERR_INVALID_ARG', /array|object/);
    assertCode(() => stmt.run(params), 'ERR_INVALID_ARG', /array|object/);
    assertCode(() => stmt.iterate(params), 'ERR_INVALID_ARG', /array|object/);
  }
  // A failed bind does not leave the statement busy.
  assert.deepEqual(stmt.get([7]), { a: 7 });
});

test('rows are plain objects keyed by column name; BLOB and NULL columns keep their types', (t) => {
  const db = openTemp(t);
  db.exec("CREATE TABLE r (i INTEGER, f REAL, s TEXT, b BLOB, n); INSERT INTO r VALUES (1, 2.5, 's', x'00ff', NULL)");
  const row = db.get('SELECT * FROM r');
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.keys(row), ['i', 'f', 's', 'b', 'n']);
  assert.deepEqual(row, { i: 1, f: 2.5, s: 's', b: Buffer.from([0, 255]), n: null });
  // A REAL column holding a whole number still comes back as a number.
  db.run('INSERT INTO r (f) VALUES (?)', [3]);
  assert.equal(db.get('SELECT f, typeof(f) AS type FROM r WHERE i IS NULL').type, 'real');
  assert.equal(db.get('SELECT f FROM r WHERE i IS NULL').f, 3);
});

test('a column named __proto__ is kept as an own property of the row', (t) => {
  const db = openTemp(t);
  const row = db.get("SELECT 1 AS __proto__, 2 AS b");
  assert.equal(Object.getPrototypeOf(row), Object.prototype, 'the row prototype must not be changed by data');
  assert.deepEqual(Object.keys(row), ['__proto__', 'b']);
  const blobRow = db.get("SELECT x'0102' AS __proto__");
  assert.equal(Object.getPrototypeOf(blobRow), Object.prototype, 'a BLOB value must not become the prototype');
});
