'use strict';
// The demo's driving school: its tables, what the front office enters before the first sync, and what each device
// does while offline. Ids are TEXT UUIDs (a tracked table needs a TEXT primary key named id).
const { randomUUID } = require('node:crypto');

const SCHEMA = [
  `CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, balance_cents INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE instructors (id TEXT PRIMARY KEY, name TEXT NOT NULL, license TEXT NOT NULL)`,
  `CREATE TABLE vehicles (id TEXT PRIMARY KEY, plate TEXT NOT NULL, model TEXT NOT NULL, transmission TEXT NOT NULL)`,
  `CREATE TABLE lessons (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, instructor_id TEXT NOT NULL,
     vehicle_id TEXT, starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'booked',
     notes TEXT)`,
  `CREATE TABLE payments (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, amount_cents INTEGER NOT NULL,
     method TEXT NOT NULL, paid_at TEXT NOT NULL)`,
];

// Lessons merge column by column (last writer wins per column); a payment, once on the server, is the server's.
const POLICIES = { students: 'merge', instructors: 'merge', vehicles: 'merge', lessons: 'merge', payments: 'server-wins' };
const TABLES = Object.keys(POLICIES);

function prepare(db) {
  db.migrate(SCHEMA);
  for (const table of TABLES) db.track(table, { conflict: POLICIES[table] });
}

const LESSON_SQL = `INSERT INTO lessons (id, student_id, instructor_id, vehicle_id, starts_at, minutes)
                    VALUES (?, ?, ?, ?, ?, ?)`;

// The office's data before the first sync. Returns the ids the later steps refer to; `conflictLesson` is lesson L.
function seed(db) {
  const ids = {
    students: [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
    instructors: [randomUUID(), randomUUID()],
    vehicles: [randomUUID(), randomUUID()],
    lessons: [],
  };
  db.transaction(() => {
    const names = [['Jonas Weber', '+49 151 000001'], ['Lea Schmidt', null], ['Mehmet Yilmaz', '+49 160 000003'],
      ['Sofia Rossi', '+49 170 000004']];
    names.forEach(([name, phone], i) => db.run('INSERT INTO students (id, name, phone) VALUES (?, ?, ?)',
      [ids.students[i], name, phone]));
    db.run('INSERT INTO instructors (id, name, license) VALUES (?, ?, ?)', [ids.instructors[0], 'Maria Keller', 'BE']);
    db.run('INSERT INTO instructors (id, name, license) VALUES (?, ?, ?)', [ids.instructors[1], 'Tom Brandt', 'B']);
    db.run('INSERT INTO vehicles (id, plate, model, transmission) VALUES (?, ?, ?, ?)',
      [ids.vehicles[0], 'B-DS 101', 'VW Golf', 'manual']);
    db.run('INSERT INTO vehicles (id, plate, model, transmission) VALUES (?, ?, ?, ?)',
      [ids.vehicles[1], 'B-DS 102', 'Renault Zoe', 'automatic']);
    for (let day = 1; day <= 6; day += 1) {
      const id = randomUUID();
      ids.lessons.push(id);
      db.run(LESSON_SQL, [id, ids.students[(day - 1) % 4], ids.instructors[day % 2], ids.vehicles[day % 2],
        `2026-12-0${day}T09:00`, 90]);
    }
  });
  ids.conflictLesson = ids.lessons[1];  // Lea Schmidt, 2 December, 09:00
  return ids;
}

// The front office, offline: books two lessons, moves two (lesson L to 10:00), records two payments.
function officeWork(db, ids) {
  db.transaction(() => {
    for (const [student, day] of [[0, 8], [3, 9]]) {
      db.run(LESSON_SQL, [randomUUID(), ids.students[student], ids.instructors[0], ids.vehicles[0],
        `2026-12-0${day}T14:00`, 90]);
    }
    db.run("UPDATE lessons SET starts_at = '2026-12-07T08:00' WHERE id = ?", [ids.lessons[4]]);
    for (const [student, cents, method] of [[0, 9000, 'card'], [1, 4500, 'cash']]) {
      db.run('INSERT INTO payments (id, student_id, amount_cents, method, paid_at) VALUES (?, ?, ?, ?, ?)',
        [randomUUID(), ids.students[student], cents, method, '2026-11-30']);
      db.run('UPDATE students SET balance_cents = balance_cents + ? WHERE id = ?', [cents, ids.students[student]]);
    }
  });
  db.run("UPDATE lessons SET starts_at = '2026-12-02T10:00' WHERE id = ?", [ids.conflictLesson]);
  return 'booked 2 lessons, moved 2 (L to 10:00), recorded 2 payments';
}

// The instructor's laptop, offline (later than the office): completes two lessons with notes, cancels one, notes
// on lesson L, and moves L to 11:00: the same column the office changed.
function laptopWork(db, ids) {
  db.transaction(() => {
    db.run("UPDATE lessons SET status = 'completed', notes = 'motorway, confident' WHERE id = ?", [ids.lessons[0]]);
    db.run("UPDATE lessons SET status = 'completed', notes = 'parking needs work' WHERE id = ?", [ids.lessons[2]]);
    db.run("UPDATE lessons SET status = 'cancelled', notes = 'student ill' WHERE id = ?", [ids.lessons[5]]);
    db.run("UPDATE lessons SET notes = 'pick up at the station' WHERE id = ?", [ids.conflictLesson]);
  });
  db.run("UPDATE lessons SET starts_at = '2026-12-02T11:00' WHERE id = ?", [ids.conflictLesson]);
  return 'completed 2 lessons, cancelled 1, notes on 4, moved L to 11:00';
}

module.exports = { SCHEMA, POLICIES, TABLES, prepare, seed, officeWork, laptopWork };
