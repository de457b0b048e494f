'use strict';
// Shared by the sync end-to-end tests (42-*, 43-*): devices (a database with lessons tracked and a sync client),
// waiting for an event with a deadline (never sleeping as synchronisation), and reading the server's state through
// the protocol's pull.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { pull } = require('./server-harness');
const { createRandom } = require('../../scripts/fault-proxy/random');
const fixtures = require('./40-sync-fixtures');

const LESSONS_SQL = `CREATE TABLE lessons (id TEXT PRIMARY KEY, student TEXT NOT NULL, instructor TEXT,
  starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'booked', price REAL, notes TEXT)`;
const STUDENTS_SQL = `CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, balance_cents INTEGER NOT NULL DEFAULT 0)`;
const DEADLINE_MS = 20000;

/**
 * Opens `name`.db in `dir` (helpers.tempDir: closed and removed after the test) with deviceId `name`, creates and
 * tracks the tables, and creates its sync client (not started). `policies` maps table to conflict policy.
 */
function openDevice(dir, name, url, { token, policies = { lessons: 'merge' }, sync: syncOptions = {} } = {}) {
  const db = dir.open(`${name}.db`, { deviceId: name });
  db.migrate([LESSONS_SQL, STUDENTS_SQL]);
  for (const [table, conflict] of Object.entries(policies)) db.track(table, { conflict });
  const sync = db.sync({ url, ...(token === undefined ? {} : { token }), ...syncOptions });
  const device = { name, db, sync, conflicts: [], changes: [], errors: [] };
  sync.on('conflict', (conflict) => device.conflicts.push(conflict));
  sync.on('change', (change) => device.changes.push(change));
  sync.on('error', (error) => device.errors.push(error));
  return device;
}

/** The first `event` on `emitter` for which `predicate` holds; rejects after `ms` (this suite's longer deadline). */
function nextEvent(emitter, event, predicate = () => true, ms = DEADLINE_MS) {
  return fixtures.nextEvent(emitter, event, predicate, ms);
}

/** The server's state for one token: { cursor, rows: Map('table/id' -> { deleted, version, columns }) }. */
async function serverState(url, token) {
  const rows = new Map();
  let cursor = 0;
  for (;;) {
    const answer = await pull(url, token, cursor, 5000);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    for (const row of answer.body.rows) {
      const key = `${row.table}/${row.row}`;
      assert.ok(!rows.has(key), `the pull returned ${key} twice`);
      rows.set(key, { deleted: row.deleted, version: row.version, columns: row.columns });
    }
    cursor = answer.body.cursor;
    if (!answer.body.more) return { cursor, rows };
  }
}

/** The server's live rows of `table`, as { id -> row object with id }, sorted by id. */
function serverTable(state, table) {
  const out = {};
  for (const [key, row] of [...state.rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [rowTable, id] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (rowTable === table && !row.deleted) out[id] = { id, ...row.columns };
  }
  return out;
}

/** A device's `table` as { id -> row object }, sorted by id, NULL columns included. */
function localTable(db, table) {
  const out = {};
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).iterate()) out[row.id] = { ...row };
  return out;
}

/** Server rows carry only columns ever written; compare them to local rows with every column, NULLs dropped. */
function withoutNulls(table) {
  const out = {};
  for (const [id, row] of Object.entries(table)) {
    out[id] = Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
  }
  return out;
}

function tableHash(db, table) {
  const hash = crypto.createHash('sha256');
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).iterate()) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}

/** A deterministic pseudo-random generator (mulberry32), so a failing run can be replayed. */
const random = createRandom;

/** Until the wall clock shows a later millisecond, so the next write's stamp is strictly newer than the last one. */
async function nextMillisecond() {
  const start = Date.now();
  while (Date.now() <= start) await new Promise((resolve) => setImmediate(resolve));
}

/** Inserts `count` lesson-shaped rows in one transaction; ids are `${prefix}-${n}`. */
function insertLessons(db, prefix, count, from = 0) {
  const insert = db.prepare(`INSERT INTO lessons (id, student, instructor, starts_at, minutes, status, price, notes)
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let n = from; n < from + count; n += 1) {
      insert.run([`${prefix}-${String(n).padStart(6, '0')}`, `student-${n % 97}`, n % 3 ? `instructor-${n % 5}` : null,
        `2026-12-${String((n % 28) + 1).padStart(2, '0')}T${String(8 + (n % 10)).padStart(2, '0')}:00`,
        45 * (1 + (n % 2)), 'booked', 45.5 + (n % 4), n % 10 ? null : `note ${n}`]);
    }
  });
}

module.exports = {
  DEADLINE_MS, openDevice, nextEvent, serverState, serverTable, localTable, withoutNulls, tableHash, random,
  nextMillisecond, insertLessons,
};
