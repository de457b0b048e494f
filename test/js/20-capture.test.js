'use strict';
// db.track() and change capture: validation, what is tracked, persistence across reopening, schema changes, rows
// written before tracking, keys the outbox cannot carry, and writes from a second connection.
const test = require('node:test');
const assert = require('node:assert/strict');
const { tempDir, openTemp, assertCode, UNACKNOWLEDGED_SQL } = require('./helpers');

const INSERT = 1;
const UPDATE = 2;
const DELETE = 3;
const POLICIES = ['merge', 'server-wins', 'client-wins', 'manual'];

/** The outbox, oldest entry first, reduced to what capture decides. */
function outbox(db) {
  return db.all(UNACKNOWLEDGED_SQL);
}
function triggerCount(db, table) {
  return db.get("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?", [table]).n;
}
function storedPolicy(db, table) {
  const row = db.get('SELECT conflict FROM _sync_tracked WHERE table_name = ?', [table]);
  return row && row.conflict;
}
/** As if a push of everything pending had been acknowledged: the outbox is empty and the rows are known. */
function acknowledgeAll(db) {
  db.transaction(() => {
    for (const { table_name: table, row_id: id } of outbox(db)) {
      db.run('INSERT OR REPLACE INTO _sync_row_versions VALUES (?, ?, 1)', [table, id]);
    }
    db.run('DELETE FROM _sync_outbox');
  });
}
function withItems(t) {
  const db = openTemp(t);
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, qty INTEGER, note TEXT)');
  return db;
}

test('track returns the table, its conflict policy (merge by default) and the captured columns', (t) => {
  const db = openTemp(t);
  db.exec(`CREATE TABLE Notes (id TEXT PRIMARY KEY, body TEXT, done INTEGER,
             shout TEXT GENERATED ALWAYS AS (upper(body)) VIRTUAL, stamp REAL)`);
  const tracked = db.track('notes');
  assert.deepEqual(tracked, { table: 'Notes', conflict: 'merge', columns: ['body', 'done', 'stamp'] },
    'the declared name, merge, and every column but id and the generated one, in declaration order');
  assert.equal(storedPolicy(db, 'Notes'), 'merge');
  assert.equal(triggerCount(db, 'Notes'), 4);
  db.run("INSERT INTO Notes (id, body) VALUES ('n1', 'x')");
  assert.deepEqual(outbox(db), [{ table_name: 'Notes', row_id: 'n1', op: INSERT, columns: 0b111, state: 0 }]);
  assert.equal(db.pendingChanges(), 1);
});

test('every conflict policy is accepted and stored; tracking again with another policy replaces it', (t) => {
  const db = openTemp(t);
  for (const policy of POLICIES) {
    const table = `t_${policy.replace('-', '_')}`;
    db.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, v)`);
    assert.deepEqual(db.track(table, { conflict: policy }), { table, conflict: policy, columns: ['v'] });
    assert.equal(storedPolicy(db, table), policy);
  }
  assert.equal(db.track('t_merge', { conflict: 'manual' }).conflict, 'manual');
  assert.equal(storedPolicy(db, 't_merge'), 'manual');
  assert.equal(db.track('t_manual', { conflict: 'server-wins' }).conflict, 'server-wins');
  assert.equal(storedPolicy(db, 't_manual'), 'server-wins');
  assert.equal(db.all('SELECT * FROM _sync_tracked').length, 4);
  db.run("INSERT INTO t_client_wins VALUES ('a', 1)");
  assert.equal(db.pendingChanges(), 1);
});

test('bad arguments to track are refused with ERR_INVALID_ARG and track nothing', (t) => {
  const db = withItems(t);
  for (const conflict of ['last-writer-wins', 'MERGE', '', 42, null, true, {}]) {
    assertCode(() => db.track('items', { conflict }), 'ERR_INVALID_ARG', /conflict/);
  }
  for (const table of [undefined, null, 42, {}, ['items'], Symbol('items')]) {
    assertCode(() => db.track(table), 'ERR_INVALID_ARG', /table/);
  }
  for (const options of ['merge', 42, true, ['merge']]) {
    assertCode(() => db.track('items', options), 'ERR_INVALID_ARG', /options/);
  }
  assertCode(() => db.track('items', { conflicts: 'manual' }), 'ERR_INVALID_ARG', /conflicts/);
  assertCode(() => db.track('items', { conflict: 'merge', extra: 1 }), 'ERR_INVALID_ARG', /extra/);
  assert.deepEqual(db.all('SELECT * FROM _sync_tracked'), []);
  assert.equal(triggerCount(db, 'items'), 0);
  db.run("INSERT INTO items (id) VALUES ('x')");
  assert.equal(db.pendingChanges(), 0, 'the table is not tracked');
});

test('a function as track options is refused like any other non-object', (t) => {
  const db = withItems(t);
  // openDatabase(file, () => {}) is refused with ERR_INVALID_ARG; track should agree.
  assertCode(() => db.track('items', () => ({})), 'ERR_INVALID_ARG', /options must be an object/);
  assert.equal(triggerCount(db, 'items'), 0);
});

test('track is idempotent: four triggers, and rows already there are queued once', (t) => {
  const db = withItems(t);
  db.run("INSERT INTO items (id, title) VALUES ('a', 'A'), ('b', 'B')");
  const first = db.track('items', { conflict: 'client-wins' });
  const second = db.track('items', { conflict: 'client-wins' });
  assert.deepEqual(second, first);
  assert.equal(triggerCount(db, 'items'), 4);
  assert.equal(db.pendingChanges(), 2);
  acknowledgeAll(db);
  db.track('items', { conflict: 'client-wins' });
  assert.equal(db.pendingChanges(), 0, 'tracking again does not queue the rows again');
  db.run("UPDATE items SET qty = 3 WHERE id = 'a'");
  assert.deepEqual(outbox(db), [{ table_name: 'items', row_id: 'a', op: UPDATE, columns: 0b010, state: 0 }],
    'one write is captured once, not once per track() call');
});

test('tables that cannot be tracked give ERR_NOT_TRACKABLE with the reason, and leave nothing behind', (t) => {
  const db = openTemp(t);
  const wide = Array.from({ length: 64 }, (_, i) => `c${i}`);
  db.exec(`
    CREATE TABLE int_key (id INTEGER PRIMARY KEY, v);
    CREATE TABLE no_key (id TEXT, v);
    CREATE TABLE two_keys (id TEXT, k TEXT, v, PRIMARY KEY (id, k));
    CREATE TABLE other_key (uuid TEXT PRIMARY KEY, v);
    CREATE TABLE base (id TEXT PRIMARY KEY, v);
    CREATE VIEW base_view AS SELECT * FROM base;
    CREATE TABLE too_wide (id TEXT PRIMARY KEY, ${wide.join(', ')});
  `);
  const cases = [
    ['int_key', /INTEGER.*not TEXT/],
    ['no_key', /no primary key/],
    ['two_keys', /primary key has several columns/],
    ['other_key', /primary key is 'uuid', not 'id'/],
    ['base_view', /it is a view/],
    ['missing', /no such table/],
    ['_sync_outbox', /internal/],
    ['sqlite_schema', /internal/],
    ['too_wide', /more than 63 columns/],
  ];
  for (const [table, reason] of cases) {
    const error = assertCode(() => db.track(table), 'ERR_NOT_TRACKABLE', reason);
    assert.ok(error.message.includes(table), `the message names the table: ${error.message}`);
  }
  assert.deepEqual(db.all('SELECT * FROM _sync_tracked'), []);
  assert.deepEqual(db.all('SELECT * FROM _sync_columns'), []);
  assert.deepEqual(db.all("SELECT name FROM sqlite_schema WHERE type = 'trigger'"), []);
});

test('a table named like an older trigger can be tracked (triggers have their own namespace)', (t) => {
  const db = openTemp(t);
  db.exec(`CREATE TABLE audit (id TEXT PRIMARY KEY, v);
           CREATE TRIGGER items AFTER INSERT ON audit BEGIN SELECT 1; END;
           CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT)`);
  assert.deepEqual(db.track('items'), { table: 'items', conflict: 'merge', columns: ['title'] });
  db.run("INSERT INTO items VALUES ('a', 'A')");
  assert.equal(db.pendingChanges(), 1);
});

test('track inside a transaction that is rolled back leaves the table untracked', (t) => {
  const db = withItems(t);
  db.run("INSERT INTO items (id) VALUES ('a')");
  assert.throws(() => db.transaction(() => {
    db.track('items', { conflict: 'manual' });
    assert.equal(db.pendingChanges(), 1);
    throw new Error('undo');
  }), /undo/);
  assert.deepEqual(db.all('SELECT * FROM _sync_tracked'), []);
  assert.equal(triggerCount(db, 'items'), 0);
  assert.equal(db.pendingChanges(), 0);
  db.run("INSERT INTO items (id) VALUES ('b')");
  assert.equal(db.pendingChanges(), 0);
});

test('63 columns besides id is the limit that works; the last column has bit 62', (t) => {
  const db = openTemp(t);
  const names = Array.from({ length: 63 }, (_, i) => `c${i}`);
  db.exec(`CREATE TABLE wide (id TEXT PRIMARY KEY, ${names.join(', ')})`);
  assert.deepEqual(db.track('wide').columns, names);
  db.run("INSERT INTO wide (id) VALUES ('w')");
  assert.equal(BigInt(outbox(db)[0].columns), (1n << 63n) - 1n, 'an insert carries all 63 bits');
  acknowledgeAll(db);
  db.run("UPDATE wide SET c62 = 1, c0 = 1 WHERE id = 'w'");
  assert.equal(BigInt(outbox(db)[0].columns), (1n << 62n) | 1n);
});

test('a table and columns whose names need quoting are captured end to end', (t) => {
  const db = openTemp(t);
  const table = 'my "odd" table\'s';
  db.exec(`CREATE TABLE "my ""odd"" table's" (id TEXT PRIMARY KEY, "the ""x""" TEXT, [it's] INTEGER)`);
  assert.deepEqual(db.track(table, { conflict: 'manual' }), { table, conflict: 'manual', columns: ['the "x"', "it's"] });
  assert.equal(storedPolicy(db, table), 'manual');
  const quoted = `"my ""odd"" table's"`;
  db.run(`INSERT INTO ${quoted} VALUES ('r1', 'x', 1), ('r2', 'y', 2)`);
  assert.deepEqual(outbox(db).map((e) => [e.table_name, e.row_id, e.op, e.columns]),
    [[table, 'r1', INSERT, 0b11], [table, 'r2', INSERT, 0b11]]);
  acknowledgeAll(db);
  db.run(`UPDATE ${quoted} SET [it's] = 5 WHERE id = 'r1'`);
  db.run(`DELETE FROM ${quoted} WHERE id = 'r2'`);
  assert.deepEqual(outbox(db).map((e) => [e.table_name, e.row_id, e.op, e.columns]),
    [[table, 'r1', UPDATE, 0b10], [table, 'r2', DELETE, 0]]);
  const error = assertCode(() => db.run(`INSERT INTO ${quoted} VALUES (NULL, 'z', 3)`), 'SQLITE_CONSTRAINT_TRIGGER');
  assert.ok(error.message.includes(table), error.message);
});

test('capture survives closing and reopening without calling track again', (t) => {
  const tmp = tempDir(t);
  const first = tmp.open('app.db');
  first.exec('CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, qty INTEGER)');
  first.track('items', { conflict: 'server-wins' });
  first.run("INSERT INTO items VALUES ('a', 'A', 1)");
  first.close();

  const db = tmp.open('app.db');
  assert.equal(db.pendingChanges(), 1, 'the pending change was kept');
  assert.equal(storedPolicy(db, 'items'), 'server-wins');
  assert.equal(triggerCount(db, 'items'), 4);
  db.run("INSERT INTO items VALUES ('b', 'B', 2)");
  db.run("UPDATE items SET qty = 5 WHERE id = 'a'");
  db.run("DELETE FROM items WHERE id = 'b'");
  assert.deepEqual(outbox(db), [{ table_name: 'items', row_id: 'a', op: INSERT, columns: 0b11, state: 0 }]);
  acknowledgeAll(db);
  db.run("UPDATE items SET title = 'A2' WHERE id = 'a'");
  assert.deepEqual(outbox(db), [{ table_name: 'items', row_id: 'a', op: UPDATE, columns: 0b01, state: 0 }]);
  assert.equal(storedPolicy(db, 'items'), 'server-wins');
});

test('after ALTER TABLE ADD COLUMN, track again captures the new column with its own bit', (t) => {
  const db = withItems(t);
  db.track('items', { conflict: 'manual' });
  db.run("INSERT INTO items (id, title) VALUES ('a', 'A')");
  acknowledgeAll(db);
  db.exec('ALTER TABLE items ADD COLUMN due TEXT');
  const tracked = db.track('items', { conflict: 'manual' });
  assert.deepEqual(tracked.columns, ['title', 'qty', 'note', 'due']);
  assert.equal(triggerCount(db, 'items'), 4);
  assert.equal(db.pendingChanges(), 0, 'tracking again queues nothing');
  db.run("UPDATE items SET due = 'tomorrow' WHERE id = 'a'");
  assert.deepEqual(outbox(db), [{ table_name: 'items', row_id: 'a', op: UPDATE, columns: 0b1000, state: 0 }]);
  db.run("INSERT INTO items (id) VALUES ('b')");
  assert.equal(outbox(db)[1].columns, 0b1111, 'an insert now carries the new column too');
});

test('migrate() refreshes tracked tables: a column added by a migration is captured, the policy kept', (t) => {
  const db = withItems(t);
  db.track('items', { conflict: 'client-wins' });
  db.run("INSERT INTO items (id) VALUES ('a')");
  acknowledgeAll(db);
  db.migrate(['ALTER TABLE items ADD COLUMN due TEXT']);
  assert.equal(storedPolicy(db, 'items'), 'client-wins');
  db.run("UPDATE items SET due = 'soon' WHERE id = 'a'");
  assert.deepEqual(outbox(db), [{ table_name: 'items', row_id: 'a', op: UPDATE, columns: 0b1000, state: 0 }]);
});

test('rows in the table before it is first tracked are queued as inserts of every column', (t) => {
  const db = withItems(t);
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
  for (const id of ids) db.run('INSERT INTO items (id, title) VALUES (?, ?)', [id, `title ${id}`]);
  assert.equal(db.pendingChanges(), 0, 'nothing is captured before tracking');
  db.track('items');
  assert.equal(db.pendingChanges(), ids.length);
  assert.deepEqual(outbox(db).map((e) => [e.row_id, e.op, e.columns, e.state]).sort(),
    ids.map((id) => [id, INSERT, 0b111, 0]));
  assert.equal(db.get('SELECT count(*) AS n FROM items').n, ids.length, 'the rows themselves are untouched');
});

test('a NULL or BLOB id in a tracked table is refused with an error naming the table, and nothing is captured', (t) => {
  const db = withItems(t);
  db.track('items');
  const refused = (fn) => {
    const error = assertCode(fn, 'SQLITE_CONSTRAINT_TRIGGER');
    assert.match(error.message, /items/);
  };
  refused(() => db.run('INSERT INTO items (id, title) VALUES (NULL, ?)', ['no id']));
  refused(() => db.run('INSERT INTO items (id, title) VALUES (?, ?)', [Buffer.from('blob id'), 'blob']));
  refused(() => db.run("INSERT INTO items (id) VALUES ('ok'), (NULL)"));
  assert.equal(db.get('SELECT count(*) AS n FROM items').n, 0);
  assert.equal(db.pendingChanges(), 0);

  db.run("INSERT INTO items (id) VALUES ('good')");
  acknowledgeAll(db);
  refused(() => db.run("UPDATE items SET id = NULL WHERE id = 'good'"));
  refused(() => db.run("UPDATE items SET id = x'00ff' WHERE id = 'good'"));
  assert.deepEqual(db.all('SELECT id FROM items'), [{ id: 'good' }]);
  assert.deepEqual(outbox(db), []);
  assert.equal(db.pendingChanges(), 0);
});

test('a row with a NULL or BLOB id already in the table is not silently left out: track refuses the table', (t) => {
  // Such rows cannot be queued (row_id is TEXT NOT NULL); tracking anyway drops them from sync without a word, and
  // a later UPDATE of the NULL-id row fails with "NOT NULL constraint failed: _sync_outbox.row_id".
  for (const bad of [null, Buffer.from('blob id')]) {
    const db = withItems(t);
    db.run("INSERT INTO items (id, title) VALUES ('ok', 'fine')");
    db.run('INSERT INTO items (id, title) VALUES (?, ?)', [bad, 'bad id']);
    const error = assertCode(() => db.track('items'), 'ERR_NOT_TRACKABLE', /\bid\b/);
    assert.match(error.message, /items/);
    assert.equal(triggerCount(db, 'items'), 0);
    assert.equal(db.pendingChanges(), 0);
  }
});

test('writes from a second connection on the same file are captured too', (t) => {
  const tmp = tempDir(t);
  const first = tmp.open('shared.db');
  const early = tmp.open('shared.db');
  first.exec('CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, qty INTEGER)');
  first.track('items');
  const late = tmp.open('shared.db');
  early.run("INSERT INTO items VALUES ('e', 'from early', 1)");
  late.run("INSERT INTO items VALUES ('l', 'from late', 2)");
  for (const db of [first, early, late]) assert.equal(db.pendingChanges(), 2);
  assert.deepEqual(outbox(first).map((e) => [e.row_id, e.op, e.columns]), [['e', INSERT, 0b11], ['l', INSERT, 0b11]]);
  acknowledgeAll(first);
  late.run("UPDATE items SET qty = 9 WHERE id = 'e'");
  early.run("DELETE FROM items WHERE id = 'l'");
  assert.deepEqual(outbox(first).map((e) => [e.row_id, e.op, e.columns]), [['e', UPDATE, 0b10], ['l', DELETE, 0]]);
});
