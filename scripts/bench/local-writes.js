#!/usr/bin/env node
// Local writes: 100,000 lesson-shaped rows inserted from JS in one transaction, side by side in one run:
//   offline-sync into a tracked table (capture triggers + outbox),
//   better-sqlite3 into a plain table, and better-sqlite3 with a naive json_object outbox trigger.
// Repetitions alternate between the three; the table shows medians with min and max. Run: scripts/bench/run.sh
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const BetterSqlite3 = require('better-sqlite3');
const { openDatabase } = require('../..');

const ROWS = Number(process.env.BENCH_ROWS || 100000);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 5);

const LESSONS = `CREATE TABLE lessons (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, instructor_id TEXT NOT NULL,
  vehicle_id TEXT, starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL,
  price_cents INTEGER NOT NULL, notes TEXT)`;
const INSERT = 'INSERT INTO lessons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const NAIVE_OUTBOX = `CREATE TABLE outbox (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL, data TEXT);
  CREATE TRIGGER lessons_outbox AFTER INSERT ON lessons BEGIN
    INSERT INTO outbox (tbl, row_id, data) VALUES ('lessons', NEW.id, json_object('id', NEW.id,
      'student_id', NEW.student_id, 'instructor_id', NEW.instructor_id, 'vehicle_id', NEW.vehicle_id,
      'starts_at', NEW.starts_at, 'minutes', NEW.minutes, 'status', NEW.status, 'price_cents', NEW.price_cents,
      'notes', NEW.notes));
  END`;

function lessonRows(count) {
  const rows = new Array(count);
  const statuses = ['booked', 'completed', 'cancelled', 'moved'];
  for (let i = 0; i < count; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const hour = String(7 + (i % 12)).padStart(2, '0');
    rows[i] = [
      `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `student-${i % 500}`, `instructor-${i % 12}`,
      i % 3 ? `vehicle-${i % 8}` : null, `2026-12-${day}T${hour}:00:00Z`, 45 + (i % 3) * 45, statuses[i % 4],
      4500 + (i % 3) * 4500, i % 10 ? null : 'first lesson on the motorway',
    ];
  }
  return rows;
}

const contenders = {
  'offline-sync (tracked)': (file, rows) => {
    const db = openDatabase(file, { synchronous: 'full' });
    db.exec(LESSONS);
    db.track('lessons');
    const insert = db.prepare(INSERT);
    const started = process.hrtime.bigint();
    db.transaction(() => {
      for (const row of rows) insert.run(row);
    });
    const ns = process.hrtime.bigint() - started;
    if (db.pendingChanges() !== rows.length) throw new Error('offline-sync did not capture every insert');
    db.close();
    return ns;
  },
  'better-sqlite3 (plain)': (file, rows) => betterSqlite(file, rows, false),
  'better-sqlite3 (naive trigger)': (file, rows) => betterSqlite(file, rows, true),
};

function betterSqlite(file, rows, naiveOutbox) {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(LESSONS);
  if (naiveOutbox) db.exec(NAIVE_OUTBOX);
  const insert = db.prepare(INSERT);
  const started = process.hrtime.bigint();
  db.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
  const ns = process.hrtime.bigint() - started;
  db.close();
  return ns;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const rows = lessonRows(ROWS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-bench-'));
  const rates = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  try {
    for (let rep = 0; rep < REPETITIONS; rep += 1) {
      for (const [name, run] of Object.entries(contenders)) {
        const file = path.join(dir, `${rep}-${name.replace(/\W+/g, '_')}.db`);
        const ns = run(file, rows);
        rates[name].push(ROWS / (Number(ns) / 1e9));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const plain = median(rates['better-sqlite3 (plain)']);
  const naive = median(rates['better-sqlite3 (naive trigger)']);
  const results = Object.entries(rates).map(([name, values]) => ({
    contender: name,
    'rows/s (median)': Math.round(median(values)),
    min: Math.round(Math.min(...values)),
    max: Math.round(Math.max(...values)),
    'vs plain': (median(values) / plain).toFixed(2),
    'vs naive trigger': (median(values) / naive).toFixed(2),
  }));
  console.log(`Local writes: ${ROWS} lesson rows in one transaction, ${REPETITIONS} alternating repetitions`);
  console.table(results);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}

main();
