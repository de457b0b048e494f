'use strict';
// db.migrate: each step once, in its own transaction, tracked in the file.
const test = require('node:test');
const assert = require('node:assert/strict');
const { openDatabase } = require('../..');
const { tempDir, openTemp, assertCode } = require('./helpers');

const STEPS = [
  'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)',
  "ALTER TABLE notes ADD COLUMN tag TEXT DEFAULT 'none'; CREATE INDEX notes_tag ON notes (tag)",
  "INSERT INTO notes (body) VALUES ('seeded')",
];

const tables = (db) =>
  db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_sync%' ESCAPE '\\' ORDER BY name")
    .map((row) => row.name);

test('steps run once: a re-run applies nothing', (t) => {
  const db = openTemp(t);
  assert.deepEqual(db.migrate(STEPS), { applied: 3, version: 3 });
  assert.deepEqual(db.all('SELECT body, tag FROM notes'), [{ body: 'seeded', tag: 'none' }]);
  assert.deepEqual(db.migrate(STEPS), { applied: 0, version: 3 });
  assert.deepEqual(db.migrate(STEPS), { applied: 0, version: 3 });
  assert.equal(db.get('SELECT count(*) AS n FROM notes').n, 1, 'the seeding step did not run again');
});

test('an empty list on a fresh file gives { applied: 0, version: 0 }', (t) => {
  const db = openTemp(t);
  assert.deepEqual(db.migrate([]), { applied: 0, version: 0 });
  assert.deepEqual(tables(db), []);
});

test('new steps appended later are applied', (t) => {
  const db = openTemp(t);
  assert.deepEqual(db.migrate(STEPS.slice(0, 1)), { applied: 1, version: 1 });
  assert.deepEqual(db.migrate(STEPS.slice(0, 2)), { applied: 1, version: 2 });
  assert.deepEqual(db.migrate(STEPS), { applied: 1, version: 3 });
  const more = [...STEPS, 'CREATE TABLE tags (name TEXT PRIMARY KEY)', "INSERT INTO tags VALUES ('x')"];
  assert.deepEqual(db.migrate(more), { applied: 2, version: 5 });
  assert.deepEqual(tables(db), ['notes', 'tags']);
  assert.deepEqual(db.get('SELECT name FROM tags'), { name: 'x' });
});

test('a failing step rolls back only itself, throws its SQLite code naming the step, and keeps earlier steps', (t) => {
  const db = openTemp(t);
  const steps = [
    'CREATE TABLE a (x)',
    'CREATE TABLE b (x)',
    // Its first statement succeeds, its second fails: the whole step must be undone.
    "CREATE TABLE c (x); INSERT INTO c VALUES (1); INSERT INTO missing VALUES (1)",
    'CREATE TABLE d (x)',
  ];
  const error = assertCode(() => db.migrate(steps), 'SQLITE_ERROR');
  // Steps are numbered from 0 in the message (steps[2] here), while `version` counts applied steps.
  assert.match(error.message, /Migration 2 failed/);
  assert.match(error.message, /no such table: missing/);
  assert.deepEqual(tables(db), ['a', 'b']);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.migrate(steps.slice(0, 2)), { applied: 0, version: 2 });

  // Fixed, the step and the ones after it apply.
  steps[2] = 'CREATE TABLE c (x); INSERT INTO c VALUES (1)';
  assert.deepEqual(db.migrate(steps), { applied: 2, version: 4 });
  assert.deepEqual(tables(db), ['a', 'b', 'c', 'd']);
  assert.deepEqual(db.all('SELECT x FROM c'), [{ x: 1 }]);
});

test('a constraint failure in a step keeps its extended code', (t) => {
  const db = openTemp(t);
  const steps = ['CREATE TABLE u (x UNIQUE); INSERT INTO u VALUES (1)', 'INSERT INTO u VALUES (2); INSERT INTO u VALUES (1)'];
  const error = assertCode(() => db.migrate(steps), 'SQLITE_CONSTRAINT_UNIQUE');
  assert.match(error.message, /Migration 1 failed/);
  assert.deepEqual(db.all('SELECT x FROM u'), [{ x: 1 }]);
  assert.deepEqual(db.migrate(steps.slice(0, 1)), { applied: 0, version: 1 });
});

test('fewer steps than applied is refused with ERR_SCHEMA_TOO_NEW and changes nothing', (t) => {
  const db = openTemp(t);
  db.migrate(STEPS);
  const error = assertCode(() => db.migrate(STEPS.slice(0, 2)), 'ERR_SCHEMA_TOO_NEW');
  assert.match(error.message, /3/);
  assertCode(() => db.migrate([]), 'ERR_SCHEMA_TOO_NEW');
  assert.deepEqual(db.migrate(STEPS), { applied: 0, version: 3 });
});

test('a non-array or a non-string step is refused with ERR_INVALID_ARG before anything runs', (t) => {
  const db = openTemp(t);
  for (const steps of [undefined, null, 'CREATE TABLE a (x)', 42, { 0: 'CREATE TABLE a (x)', length: 1 }]) {
    assertCode(() => db.migrate(steps), 'ERR_INVALID_ARG', /array/);
  }
  for (const bad of [1, null, undefined, Buffer.from('CREATE TABLE z (x)'), ['CREATE TABLE z (x)']]) {
    assertCode(() => db.migrate(['CREATE TABLE a (x)', bad]), 'ERR_INVALID_ARG', /steps\[1\]/);
  }
  assert.deepEqual(tables(db), [], 'the valid first step was not run either');
  assert.deepEqual(db.migrate(['CREATE TABLE a (x)']), { applied: 1, version: 1 });
});

test('migrations survive reopen and are shared by every connection to the file', (t) => {
  const tmp = tempDir(t);
  const first = openDatabase(tmp.file('m.db'));
  assert.deepEqual(first.migrate(STEPS.slice(0, 2)), { applied: 2, version: 2 });
  first.close();

  const reopened = tmp.open('m.db');
  assert.deepEqual(reopened.migrate(STEPS.slice(0, 2)), { applied: 0, version: 2 });
  const other = tmp.open('m.db');
  assert.deepEqual(other.migrate(STEPS), { applied: 1, version: 3 });
  assert.deepEqual(reopened.migrate(STEPS), { applied: 0, version: 3 });
  assertCode(() => reopened.migrate(STEPS.slice(0, 1)), 'ERR_SCHEMA_TOO_NEW');
  assert.equal(reopened.get('SELECT count(*) AS n FROM notes').n, 1);
});
