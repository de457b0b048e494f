'use strict';
// A first-run school so the desk is not empty: two instructors, two cars, four students, a week of lessons and a
// payment, written through the desk's own records in one transaction, so it syncs like any other work.

const STUDENTS = [['Jonas Weber', '+49 151 000001', 'jonas@example.org'], ['Lea Schmidt', '+49 152 000002', null],
  ['Mehmet Yilmaz', '+49 160 000003', 'mehmet@example.org'], ['Sofia Rossi', '+49 170 000004', null]];

/** Seeds `records` when `db` has no students yet; returns whether it did. */
function seedIfEmpty(db, records) {
  if (db.get('SELECT count(*) AS n FROM students').n > 0) return false;
  db.transaction(() => {
    const students = STUDENTS.map(([name, phone, email]) => records.saveStudent({ name, phone, email }));
    const instructors = [['Maria Keller', 'BE'], ['Tom Brandt', 'B']]
      .map(([name, license]) => records.saveInstructor({ name, license }));
    const vehicles = [['B-DS 101', 'VW Golf', 'manual'], ['B-DS 102', 'Renault Zoe', 'automatic']]
      .map(([plate, model, transmission]) => records.saveVehicle({ plate, model, transmission }));
    for (let day = 1; day <= 6; day += 1) {
      records.bookLesson({
        student_id: students[(day - 1) % 4].id, instructor_id: instructors[day % 2].id,
        vehicle_id: vehicles[day % 2].id, starts_at: `2026-12-0${day}T09:00`, minutes: 90,
      });
    }
    records.recordPayment({ student_id: students[0].id, amount_cents: 9000, method: 'card' });
  });
  return true;
}

module.exports = { seedIfEmpty };
