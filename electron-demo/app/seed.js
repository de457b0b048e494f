'use strict';
// A first-run school so the desk is not empty: two instructors, two cars, four students, a week of lessons and a
// payment, written through the desk's own records in one transaction, so it syncs like any other work.
// The rows have fixed ids: a device that seeds again (its profile folder deleted) writes the same rows, not a second
// school beside the first.

const STUDENTS = [['Jonas Weber', '+49 151 000001', 'jonas@example.org'], ['Lea Schmidt', '+49 152 000002', null],
  ['Mehmet Yilmaz', '+49 160 000003', 'mehmet@example.org'], ['Sofia Rossi', '+49 170 000004', null]];
const INSTRUCTORS = [['Maria Keller', 'BE'], ['Tom Brandt', 'B']];
const VEHICLES = [['B-DS 101', 'VW Golf', 'manual'], ['B-DS 102', 'Renault Zoe', 'automatic']];

const seedId = (noun, index) => `seed-${noun}-${index + 1}`;

/**
 * Seeds the sample school when `db` has no students yet; returns whether it did. `insertWithId(kind, id, fields)`
 * is records.js's. Seed rows still present (only the students were deleted) are left as they are.
 */
function seedIfEmpty(db, insertWithId) {
  if (db.get('SELECT count(*) AS n FROM students').n > 0) return false;
  const add = (kind, id, fields) => {
    if (!db.get(`SELECT 1 AS x FROM ${kind} WHERE id = ?`, [id])) insertWithId(kind, id, fields);
  };
  db.transaction(() => {
    STUDENTS.forEach(([name, phone, email], i) => add('students', seedId('student', i), { name, phone, email }));
    INSTRUCTORS.forEach(([name, license], i) => add('instructors', seedId('instructor', i), { name, license }));
    VEHICLES.forEach(([plate, model, transmission], i) =>
      add('vehicles', seedId('vehicle', i), { plate, model, transmission }));
    for (let day = 1; day <= 6; day += 1) {
      add('lessons', seedId('lesson', day - 1), {
        student_id: seedId('student', (day - 1) % 4), instructor_id: seedId('instructor', day % 2),
        vehicle_id: seedId('vehicle', day % 2), starts_at: `2026-12-0${day}T09:00`, minutes: 90,
      });
    }
    add('payments', seedId('payment', 0), { student_id: seedId('student', 0), amount_cents: 9000, method: 'card' });
  });
  return true;
}

module.exports = { seedIfEmpty };
