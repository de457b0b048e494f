#!/usr/bin/env node
// `npm run demo`: a driving-school office's local store at work, in a temporary folder, in a few seconds.
// (The multi-device sync demo replaces this once the sync engine lands.)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openDatabase } = require('..');

const SCHEMA = [
  `CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, balance_cents INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE instructors (id TEXT PRIMARY KEY, name TEXT NOT NULL)`,
  `CREATE TABLE lessons (id TEXT PRIMARY KEY,
     student_id TEXT NOT NULL REFERENCES students(id), instructor_id TEXT NOT NULL REFERENCES instructors(id),
     starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'booked')`,
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-demo-'));
const file = path.join(dir, 'office.db');
try {
  let db = openDatabase(file);
  console.log(`Opened ${file}\n  device id ${db.deviceId}`);
  console.log(`  migrations applied: ${db.migrate(SCHEMA).applied}`);

  db.transaction(() => {
    db.run('INSERT INTO instructors (id, name) VALUES (?, ?)', ['i-1', 'Maria Keller']);
    const addStudent = db.prepare('INSERT INTO students (id, name, phone) VALUES (:id, :name, :phone)');
    addStudent.run({ id: 's-1', name: 'Jonas Weber', phone: '+49 151 000001' });
    addStudent.run({ id: 's-2', name: 'Lea Schmidt', phone: null });
    const book = db.prepare('INSERT INTO lessons (id, student_id, instructor_id, starts_at, minutes) VALUES (?, ?, ?, ?, ?)');
    for (let day = 1; day <= 5; day += 1) {
      book.run([`l-${day}`, day % 2 ? 's-1' : 's-2', 'i-1', `2026-12-0${day}T09:00`, 90]);
    }
  });
  console.log('  booked 5 lessons for 2 students in one transaction');

  db.run("UPDATE lessons SET status = 'completed' WHERE id = ?", ['l-1']);
  try {
    db.run('INSERT INTO lessons (id, student_id, instructor_id, starts_at, minutes) VALUES (?, ?, ?, ?, ?)',
      ['l-9', 's-404', 'i-1', '2026-12-09T09:00', 90]);
  } catch (error) {
    console.log(`  a lesson for an unknown student is refused: ${error.code}`);
  }
  try {
    db.transaction(() => {
      db.run("UPDATE lessons SET status = 'cancelled' WHERE student_id = 's-2'");
      throw new Error('the office changed its mind');
    });
  } catch (error) {
    console.log(`  a failed transaction leaves nothing behind: "${error.message}"`);
  }
  db.close();

  db = openDatabase(file);
  console.log(`Reopened: same device id ${db.deviceId}`);
  console.table(db.all(`SELECT l.id, s.name AS student, l.starts_at, l.status
                          FROM lessons l JOIN students s ON s.id = l.student_id ORDER BY l.starts_at`));
  const { n } = db.get("SELECT count(*) AS n FROM lessons WHERE status = 'booked'");
  console.log(`${n} lessons still booked`);
  db.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
