'use strict';
// The lesson-shaped rows the benchmarks write: a UUID-style id and 8 columns of text and integers, some NULL,
// the shape of the driving-school app's busiest table.

const LESSONS_SCHEMA = `CREATE TABLE lessons (id TEXT PRIMARY KEY, student_id TEXT NOT NULL,
  instructor_id TEXT NOT NULL, vehicle_id TEXT, starts_at TEXT NOT NULL, minutes INTEGER NOT NULL,
  status TEXT NOT NULL, price_cents INTEGER NOT NULL, notes TEXT)`;
const INSERT_LESSON = 'INSERT INTO lessons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const LESSON_COLUMNS = ['id', 'student_id', 'instructor_id', 'vehicle_id', 'starts_at', 'minutes', 'status',
  'price_cents', 'notes'];
const STATUSES = ['booked', 'completed', 'cancelled', 'moved'];

/** Lesson number n as an array of the 9 column values, in LESSON_COLUMNS order. prefix keeps ids of devices apart. */
function lessonRow(n, prefix = '00000000') {
  const day = String(1 + (n % 28)).padStart(2, '0');
  const hour = String(7 + (n % 12)).padStart(2, '0');
  return [
    `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`, `student-${n % 500}`, `instructor-${n % 12}`,
    n % 3 ? `vehicle-${n % 8}` : null, `2026-12-${day}T${hour}:00:00Z`, 45 + (n % 3) * 45, STATUSES[n % 4],
    4500 + (n % 3) * 4500, n % 10 ? null : 'first lesson on the motorway',
  ];
}

/** The same lesson as an object keyed by column name. */
function lessonObject(n, prefix) {
  const row = lessonRow(n, prefix);
  return Object.fromEntries(LESSON_COLUMNS.map((name, i) => [name, row[i]]));
}

module.exports = { LESSONS_SCHEMA, INSERT_LESSON, LESSON_COLUMNS, lessonRow, lessonObject };
