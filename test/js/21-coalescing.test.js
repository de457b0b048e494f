'use strict';
// Change capture into the outbox: atomic with the write it records, coalesced per row while not yet sent, and never
// amending an entry already in flight.
const test = require('node:test');
const assert = require('node:assert/strict');
const { openTemp, assertCode, UNACKNOWLEDGED_SQL, markPendingInFlight } = require('./helpers');

const INSERT = 1;
const UPDATE = 2;
const DELETE = 3;
const ALL = 0b111; // items: title (bit 0), qty (bit 1), note (bit 2)

/** The outbox, oldest entry first, as [row_id, op, columns, state]. */
function outbox(db) {
  return db.all(UNACKNOWLEDGED_SQL)
    .map((e) => [e.row_id, e.op, e.columns, e.state]);
}
function rows(db) {
  return db.all('SELECT * FROM items ORDER BY id');
}
function tracked(t) {
  const db = openTemp(t);
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT NOT NULL, qty INTEGER, note TEXT)');
  assert.deepEqual(db.track('items').columns, ['title', 'qty', 'note']);
  return db;
}
/** A tracked table holding `ids` as rows the server knows (an acknowledged push): the outbox is empty. */
function trackedKnown(t, ids = ['r']) {
  const db = tracked(t);
  for (const id of ids) {
    db.run("INSERT INTO items (id, title, qty, note) VALUES (?, 'T', 1, 'N')", [id]);
  }
  db.run('DELETE FROM _sync_outbox');
  for (const id of ids) db.run('INSERT INTO _sync_row_versions VALUES (?, ?, 1)', ['items', id]);
  assert.equal(db.pendingChanges(), 0);
  return db;
}
const markInFlight = markPendingInFlight;

// --- atomicity -------------------------------------------------------------------------------------------------

test('a transaction that throws leaves neither the row nor an outbox entry', (t) => {
  const db = tracked(t);
  assert.throws(() => db.transaction(() => {
    db.run("INSERT INTO items (id, title) VALUES ('a', 'A')");
    db.run("UPDATE items SET qty = 2 WHERE id = 'a'");
    assert.equal(db.pendingChanges(), 1, 'the capture is visible inside the transaction');
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(rows(db), []);
  assert.deepEqual(outbox(db), []);
  assert.equal(db.pendingChanges(), 0);
});

test('a statement failing halfway leaves nothing, in or out of a transaction', (t) => {
  const db = tracked(t);
  assertCode(() => db.run("INSERT INTO items (id, title) VALUES ('a', 'A'), ('b', NULL)"), 'SQLITE_CONSTRAINT_NOTNULL');
  assert.deepEqual(rows(db), []);
  assert.deepEqual(outbox(db), []);
  assert.equal(db.pendingChanges(), 0);

  db.transaction(() => {
    db.run("INSERT INTO items (id, title) VALUES ('c', 'C')");
    assertCode(() => db.run("INSERT INTO items (id, title) VALUES ('d', 'D'), ('e', NULL)"), 'SQLITE_CONSTRAINT_NOTNULL');
    assert.equal(db.pendingChanges(), 1);
  });
  assert.deepEqual(rows(db).map((r) => r.id), ['c']);
  assert.deepEqual(outbox(db), [['c', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 1);
});

test('a nested transaction whose inner part throws keeps only the outer part captured', (t) => {
  const db = trackedKnown(t, ['k']);
  db.transaction(() => {
    db.run("INSERT INTO items (id, title) VALUES ('outer', 'O')");
    assert.throws(() => db.transaction(() => {
      db.run("INSERT INTO items (id, title) VALUES ('inner', 'I')");
      db.run("UPDATE items SET note = 'inner' WHERE id = 'outer'");
      db.run("DELETE FROM items WHERE id = 'k'");
      assert.equal(db.pendingChanges(), 3);
      throw new Error('inner');
    }), /inner/);
    assert.equal(db.pendingChanges(), 1);
    db.run("UPDATE items SET qty = 7 WHERE id = 'k'");
    assert.equal(db.pendingChanges(), 2);
  });
  assert.deepEqual(outbox(db), [['outer', INSERT, ALL, 0], ['k', UPDATE, 0b010, 0]]);
  assert.deepEqual(rows(db).map((r) => [r.id, r.qty, r.note]), [['k', 7, 'N'], ['outer', null, null]]);
  assert.equal(db.pendingChanges(), 2);
});

// --- coalescing on one pending row ---------------------------------------------------------------------------

test('insert then update: one insert entry of every column, stamped by the later write', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  const before = db.get('SELECT hlc FROM _sync_outbox').hlc;
  db.run("UPDATE items SET qty = 2 WHERE id = 'r'");
  db.run("UPDATE items SET note = 'n', title = 'B' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 0]]);
  assert.ok(db.get('SELECT hlc FROM _sync_outbox').hlc > before, 'the entry carries the newest stamp');
  assert.equal(db.pendingChanges(), 1);
});

test('insert then delete of a row the server never saw: nothing at all', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  db.run("UPDATE items SET qty = 2 WHERE id = 'r'");
  db.run("DELETE FROM items WHERE id = 'r'");
  assert.deepEqual(outbox(db), []);
  assert.equal(db.pendingChanges(), 0);
});

test('update then update of a known row: one update entry with the union of the changed columns', (t) => {
  const db = trackedKnown(t);
  db.run("UPDATE items SET title = 'B' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', UPDATE, 0b001, 0]]);
  db.run("UPDATE items SET note = 'M' WHERE id = 'r'");
  db.run("UPDATE items SET title = 'C' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', UPDATE, 0b101, 0]]);
  assert.equal(db.pendingChanges(), 1);
});

test('an upsert that updates a known row records an update of the changed columns only', (t) => {
  const db = trackedKnown(t);
  db.run("INSERT INTO items (id, title, qty) VALUES ('r', 'T', 5) ON CONFLICT (id) DO UPDATE SET qty = excluded.qty");
  assert.deepEqual(outbox(db), [['r', UPDATE, 0b010, 0]]);
});

test('update then delete of a known row: one delete entry', (t) => {
  const db = trackedKnown(t);
  db.run("UPDATE items SET qty = 3 WHERE id = 'r'");
  db.run("DELETE FROM items WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', DELETE, 0, 0]]);
  assert.equal(db.pendingChanges(), 1);
});

test('DELETE of every row records a delete per known row and cancels pending inserts', (t) => {
  const db = trackedKnown(t, ['a', 'b']);
  db.run("INSERT INTO items (id, title) VALUES ('new', 'N')");
  assert.equal(db.run('DELETE FROM items').changes, 3);
  assert.deepEqual(outbox(db), [['a', DELETE, 0, 0], ['b', DELETE, 0, 0]]);
  assert.equal(db.pendingChanges(), 2);
});

test('delete then insert of a known row: one insert entry of every column', (t) => {
  const db = trackedKnown(t);
  db.run("DELETE FROM items WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', DELETE, 0, 0]]);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'again')");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 1);
});

test('INSERT OR REPLACE over a known row: one insert entry of every column', (t) => {
  const db = trackedKnown(t, ['r', 's']);
  db.run("INSERT OR REPLACE INTO items (id, title) VALUES ('r', 'replaced')");
  db.run("REPLACE INTO items (id, title, qty) VALUES ('s', 'replaced', 1)");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 0], ['s', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 2);
});

test('INSERT OR REPLACE that removes another known row through a UNIQUE column records its delete', (t) => {
  const db = openTemp(t);
  db.exec('CREATE TABLE people (id TEXT PRIMARY KEY, email TEXT UNIQUE)');
  db.track('people');
  db.run("INSERT INTO people VALUES ('a', 'x@example.org')");
  db.run('DELETE FROM _sync_outbox');
  db.run("INSERT INTO _sync_row_versions VALUES ('people', 'a', 1)");
  db.run("INSERT OR REPLACE INTO people VALUES ('b', 'x@example.org')");
  assert.deepEqual(outbox(db).map(([row, op]) => [row, op]), [['a', DELETE], ['b', INSERT]]);
});

test('an UPDATE that changes no value records nothing', (t) => {
  const db = trackedKnown(t);
  assert.equal(db.run("UPDATE items SET title = 'T', qty = 1 WHERE id = 'r'").changes, 1);
  db.run('UPDATE items SET note = note, id = id');
  assert.deepEqual(outbox(db), []);
  db.run("UPDATE items SET note = NULL WHERE id = 'r'");
  db.run("UPDATE items SET note = NULL WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', UPDATE, 0b100, 0]]);
  // Nor does it widen a pending insert's stamp or columns.
  db.run("INSERT INTO items (id, title) VALUES ('n', 'N')");
  const stamp = db.get("SELECT hlc FROM _sync_outbox WHERE row_id = 'n'").hlc;
  db.run("UPDATE items SET title = 'N' WHERE id = 'n'");
  assert.equal(db.get("SELECT hlc FROM _sync_outbox WHERE row_id = 'n'").hlc, stamp);
});

test('changing the id of a known row records a delete of the old id and an insert of the new', (t) => {
  const db = trackedKnown(t);
  db.run("UPDATE items SET id = 's', qty = 4 WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', DELETE, 0, 0], ['s', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 2);
});

test('changing the id of a row never pushed records only an insert of the new id', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  db.run("UPDATE items SET id = 's' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['s', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 1);
});

// --- entries in flight ------------------------------------------------------------------------------------------

test('an entry in flight is never amended: a later update is a new pending entry of the changed column', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  markInFlight(db);
  db.run("UPDATE items SET qty = 2 WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', UPDATE, 0b010, 0]]);
  db.run("UPDATE items SET note = 'n' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', UPDATE, 0b110, 0]]);
  assert.equal(db.pendingChanges(), 2, 'in flight counts as not acknowledged');
  db.run("DELETE FROM items WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', DELETE, 0, 0]], 'the pending update becomes a delete');
  assert.equal(db.pendingChanges(), 2);
});

test('deleting a row whose insert is in flight records a pending delete: the row was sent', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  markInFlight(db);
  db.run("DELETE FROM items WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', DELETE, 0, 0]]);
  assert.equal(db.pendingChanges(), 2);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'back')");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', INSERT, ALL, 0]]);
});

test('changing the id of a row whose insert is in flight records a delete of the old id', (t) => {
  const db = tracked(t);
  db.run("INSERT INTO items (id, title) VALUES ('r', 'A')");
  markInFlight(db);
  db.run("UPDATE items SET id = 's' WHERE id = 'r'");
  assert.deepEqual(outbox(db), [['r', INSERT, ALL, 1], ['r', DELETE, 0, 0], ['s', INSERT, ALL, 0]]);
  assert.equal(db.pendingChanges(), 3);
});
