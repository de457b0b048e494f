#!/usr/bin/env node
// Local writes and point reads, offline-sync side by side with better-sqlite3 in one process.
// Writes: 100,000 lesson-shaped rows inserted from JS in one transaction, into
//   offline-sync's tracked table (capture triggers + outbox), better-sqlite3's plain table, and better-sqlite3's
//   table with a naive json_object outbox trigger.
// Point reads: 200,000 lookups by id in a shuffled order (the same order for both) over those 100,000 rows, through
//   `SELECT * FROM lessons WHERE id = ?` prepared once: offline-sync (tracked table) against better-sqlite3.
// Repetitions alternate between contenders; medians with min and max. Run: scripts/bench/run.sh
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const BetterSqlite3 = require('better-sqlite3');
const { openDatabase } = require('../..');
const { LESSONS_SCHEMA, INSERT_LESSON, lessonRow } = require('./lib/lessons');
const { saveResult } = require('./lib/results');
const { stats, int, ratio } = require('./lib/stats');

const ROWS = Number(process.env.BENCH_ROWS || 100000);
const READS = Number(process.env.BENCH_READS || 200000);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 9);  // fsync-bound: medians need many
const OURS = 'offline-sync (tracked)';
const PLAIN = 'better-sqlite3 (plain)';
const NAIVE = 'better-sqlite3 (naive trigger)';
const SELECT_BY_ID = 'SELECT * FROM lessons WHERE id = ?';
const NAIVE_OUTBOX = `CREATE TABLE outbox (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL, data TEXT);
  CREATE TRIGGER lessons_outbox AFTER INSERT ON lessons BEGIN
    INSERT INTO outbox (tbl, row_id, data) VALUES ('lessons', NEW.id, json_object('id', NEW.id,
      'student_id', NEW.student_id, 'instructor_id', NEW.instructor_id, 'vehicle_id', NEW.vehicle_id,
      'starts_at', NEW.starts_at, 'minutes', NEW.minutes, 'status', NEW.status, 'price_cents', NEW.price_cents,
      'notes', NEW.notes));
  END`;

// Each opener returns a database with the lessons table ready, WAL and synchronous=FULL for every contender.
function openTracked(file) {
  const db = openDatabase(file, { synchronous: 'full' });
  db.exec(LESSONS_SCHEMA);
  db.track('lessons');
  return { db, commit: (fn) => db.transaction(fn) };
}

function openBetterSqlite(file, naiveOutbox) {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(LESSONS_SCHEMA);
  if (naiveOutbox) db.exec(NAIVE_OUTBOX);
  return { db, commit: (fn) => db.transaction(fn)() };
}

const openers = {
  [OURS]: openTracked,
  [PLAIN]: (file) => openBetterSqlite(file, false),
  [NAIVE]: (file) => openBetterSqlite(file, true),
};

/** Inserts rows in one transaction; returns the seconds it took (the table is created before the clock). */
function timedInsert(name, file, rows) {
  const { db, commit } = openers[name](file);
  try {
    const insert = db.prepare(INSERT_LESSON);
    const started = process.hrtime.bigint();
    commit(() => {
      for (const row of rows) insert.run(row);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (name === OURS && db.pendingChanges() !== rows.length) throw new Error('offline-sync missed an insert');
    return seconds;
  } finally {
    db.close();
  }
}

/** A fixed shuffled order of READS ids: every row read READS / ROWS times, the same order for each contender. */
function shuffledIds(rows) {
  let seed = 0x9e3779b9;
  const random = () => {  // mulberry32: deterministic, so runs read in the same order
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ids = Array.from({ length: READS }, (_, i) => rows[i % rows.length][0]);
  for (let i = ids.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids;
}

/** Looks every id up once through get(id); returns the seconds it took. Every lookup must find its row. */
function timedReads(get, ids) {
  let missing = 0;
  const started = process.hrtime.bigint();
  for (const id of ids) {
    if (get(id) === undefined) missing += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (missing !== 0) throw new Error(`${missing} point reads found no row`);
  return seconds;
}

function measureWrites(dir, rows) {
  const rates = Object.fromEntries(Object.keys(openers).map((name) => [name, []]));
  for (let rep = 0; rep < REPETITIONS; rep += 1) {
    for (const name of Object.keys(openers)) {
      const file = path.join(dir, `${rep}-${name.replace(/\W+/g, '_')}.db`);
      rates[name].push(rows.length / timedInsert(name, file, rows));
    }
  }
  return rates;
}

function measureReads(dir, rows) {
  const readers = { [OURS]: openers[OURS](path.join(dir, 'reads-ours.db')),
    'better-sqlite3': openers[PLAIN](path.join(dir, 'reads-better-sqlite3.db')) };
  try {
    const ids = shuffledIds(rows);
    const getters = {};
    for (const [name, { db, commit }] of Object.entries(readers)) {
      const insert = db.prepare(INSERT_LESSON);
      commit(() => { for (const row of rows) insert.run(row); });
      const select = db.prepare(SELECT_BY_ID);
      // Each library's own way to pass one positional parameter: offline-sync takes an array, better-sqlite3 the value.
      getters[name] = name === OURS ? (id) => select.get([id]) : (id) => select.get(id);
      timedReads(getters[name], ids);  // untimed pass: both start with their page cache warm
    }
    const rates = Object.fromEntries(Object.keys(readers).map((name) => [name, []]));
    for (let rep = 0; rep < REPETITIONS; rep += 1) {
      // Alternate which goes first too, so neither always runs right after the other's garbage.
      const order = rep % 2 ? Object.keys(readers).reverse() : Object.keys(readers);
      for (const name of order) rates[name].push(ids.length / timedReads(getters[name], ids));
    }
    return rates;
  } finally {
    for (const { db } of Object.values(readers)) db.close();
  }
}

function bar(group, label, value, unit) {
  return { group, label, value: Math.round(value), unit, ours: label.startsWith('offline-sync') };
}

function saveWrites(rates) {
  const s = Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, stats(values)]));
  const vsPlain = s[OURS].median / s[PLAIN].median;
  const vsNaive = s[OURS].median / s[NAIVE].median;
  saveResult({
    name: 'local-writes',
    title: `Local writes: ${int(ROWS)} lesson rows in one transaction, ${REPETITIONS} alternating repetitions`,
    description: `${int(ROWS)} lesson-shaped rows (UUID-style id, 8 columns of text and integers, some NULL) ` +
      'inserted from JS through one prepared statement in one transaction, into a fresh file each time, WAL and ' +
      '`synchronous=FULL` for every contender: offline-sync into a tracked table (every insert also writes its ' +
      'outbox entry; the run checks `pendingChanges()`), better-sqlite3 into a plain table, and better-sqlite3 with ' +
      'an `AFTER INSERT` trigger writing `json_object(...)` of the row into an outbox table.',
    columns: ['contender', 'rows/s (median)', 'min', 'max', 'vs plain', 'vs naive trigger'],
    rows: Object.entries(s).map(([name, x]) => [name, int(x.median), int(x.min), int(x.max),
      ratio(x.median / s[PLAIN].median), ratio(x.median / s[NAIVE].median)]),
    targets: [
      { what: 'tracked inserts vs plain better-sqlite3', target: '≥ 0.5x', measured: ratio(vsPlain),
        met: vsPlain >= 0.5 },
      { what: 'tracked inserts vs better-sqlite3 with the naive trigger', target: '≥ 1x', measured: ratio(vsNaive),
        met: vsNaive >= 1 },
    ],
    bars: Object.entries(s).map(([name, x]) => bar('Local writes (rows/s)', name, x.median, 'rows/s')),
  });
}

function saveReads(rates) {
  const s = Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, stats(values)]));
  const theirs = s['better-sqlite3'].median;
  const vs = s[OURS].median / theirs;
  saveResult({
    name: 'point-reads',
    title: `Point reads by id: ${int(READS)} lookups over ${int(ROWS)} rows, ${REPETITIONS} alternating repetitions`,
    description: `\`db.prepare('${SELECT_BY_ID}')\`, then \`.get([id])\` (offline-sync takes positional ` +
      `parameters as an array) or \`.get(id)\` (better-sqlite3) for ${int(READS)} ids in a fixed shuffled order ` +
      `(each of the ${int(ROWS)} lesson rows read ${READS / ROWS} times, the same order for both), on offline-sync's ` +
      'tracked table and on better-sqlite3\'s plain table, each filled with the same rows and read once untimed ' +
      'before the timed repetitions. Every lookup must find its row. Each library runs with its own page cache ' +
      'default (offline-sync 64 MiB, better-sqlite3 SQLite\'s 2 MiB).',
    columns: ['contender', 'reads/s (median)', 'min', 'max', 'vs better-sqlite3'],
    rows: Object.entries(s).map(([name, x]) => [name, int(x.median), int(x.min), int(x.max),
      ratio(x.median / theirs)]),
    targets: [{ what: 'point reads vs better-sqlite3', target: '≥ 0.8x', measured: ratio(vs), met: vs >= 0.8 }],
    bars: Object.entries(s).map(([name, x]) => bar('Point reads by id (reads/s)', name, x.median, 'reads/s')),
  });
}

function main() {
  const rows = Array.from({ length: ROWS }, (_, n) => lessonRow(n));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-bench-'));
  try {
    saveWrites(measureWrites(dir, rows));
    saveReads(measureReads(dir, rows));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
