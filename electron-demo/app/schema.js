'use strict';
// The desk's tables and how each settles a conflict. Ids are TEXT UUIDs: a tracked table needs a TEXT key named id.
// Students are 'manual': when two desks edit the same student's details, a person chooses. Lessons, instructors and
// vehicles merge column by column (the later edit of a column wins); a payment, once on the server, is the server's.
// A student's balance is not a column: two desks adding payments to one counter would each overwrite the other's
// total, so it is summed from the payments, which merge as separate rows.

const MIGRATIONS = [
  `CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, email TEXT)`,
  `CREATE TABLE instructors (id TEXT PRIMARY KEY, name TEXT NOT NULL, license TEXT NOT NULL)`,
  `CREATE TABLE vehicles (id TEXT PRIMARY KEY, plate TEXT NOT NULL, model TEXT NOT NULL,
     transmission TEXT NOT NULL CHECK (transmission IN ('manual', 'automatic')))`,
  `CREATE TABLE lessons (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, instructor_id TEXT NOT NULL,
     vehicle_id TEXT, starts_at TEXT NOT NULL, minutes INTEGER NOT NULL,
     status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'completed', 'cancelled')), notes TEXT)`,
  `CREATE TABLE payments (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, amount_cents INTEGER NOT NULL,
     method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')), paid_at TEXT NOT NULL)`,
  // The settled conflicts the desk shows. Local to this device: not tracked, never synced.
  `CREATE TABLE desk_conflicts (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, settled TEXT NOT NULL)`,
];

const POLICIES = Object.freeze({
  students: 'manual', instructors: 'merge', vehicles: 'merge', lessons: 'merge', payments: 'server-wins',
});
const KINDS = Object.freeze(Object.keys(POLICIES));

/** Brings the file to the current schema and tracks every synced table (both idempotent). */
function prepare(db) {
  db.migrate(MIGRATIONS);
  for (const table of KINDS) db.track(table, { conflict: POLICIES[table] });
}

module.exports = { MIGRATIONS, POLICIES, KINDS, prepare };
