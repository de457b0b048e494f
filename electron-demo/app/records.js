'use strict';
// What the desk's screens read and write: the five kinds of record, each write one transaction on the tracked
// tables (so the engine captures it). Arguments come from a renderer: every field is checked, and a bad one is an
// ERR_INVALID_ARG naming it, never a half-written row.
const { randomUUID } = require('node:crypto');
const { OfflineSyncError } = require('./addon');

const LISTS = {
  students: `SELECT s.id, s.name, s.phone, s.email,
               (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.student_id = s.id) AS balance_cents
             FROM students s ORDER BY s.name, s.id`,
  instructors: 'SELECT id, name, license FROM instructors ORDER BY name, id',
  vehicles: 'SELECT id, plate, model, transmission FROM vehicles ORDER BY plate, id',
  lessons: `SELECT l.id, l.student_id, l.instructor_id, l.vehicle_id, l.starts_at, l.minutes, l.status, l.notes,
              s.name AS student_name, i.name AS instructor_name, v.plate AS vehicle_plate
            FROM lessons l LEFT JOIN students s ON s.id = l.student_id
              LEFT JOIN instructors i ON i.id = l.instructor_id LEFT JOIN vehicles v ON v.id = l.vehicle_id
            ORDER BY l.starts_at, l.id`,
  payments: `SELECT p.id, p.student_id, p.amount_cents, p.method, p.paid_at, s.name AS student_name
             FROM payments p LEFT JOIN students s ON s.id = p.student_id ORDER BY p.paid_at DESC, p.id`,
};
const STARTS_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const MAX_TEXT = 500;

function invalid(message) {
  return new OfflineSyncError(message, 'ERR_INVALID_ARG');
}

function fields(value, what) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} must be an object`);
  return value;
}

function text(value, name, { optional = false, pattern } = {}) {
  if ((value === undefined || value === null || value === '') && optional) return null;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    throw invalid(`${name} must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  if (pattern && !pattern.test(value)) throw invalid(`${name} has the wrong format: ${value}`);
  return value.trim();
}

function oneOf(value, name, allowed) {
  if (!allowed.includes(value)) throw invalid(`${name} must be one of ${allowed.join(', ')}`);
  return value;
}

function wholeNumber(value, name, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer ${min}..${max}`);
  }
  return value;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

// Each kind's columns, checked, from a renderer's fields; references to other rows are checked against the database
// apart (see createRecords).
const NOUNS = { students: 'student', instructors: 'instructor', vehicles: 'vehicle', lessons: 'lesson',
  payments: 'payment' };
const COLUMNS = {
  students: (s) => ({
    name: text(s.name, 'name'), phone: text(s.phone, 'phone', { optional: true }),
    email: text(s.email, 'email', { optional: true, pattern: /^[^@\s]+@[^@\s]+$/ }),
  }),
  instructors: (i) => ({ name: text(i.name, 'name'), license: text(i.license, 'license') }),
  vehicles: (v) => ({
    plate: text(v.plate, 'plate'), model: text(v.model, 'model'),
    transmission: oneOf(v.transmission, 'transmission', ['manual', 'automatic']),
  }),
  lessons: (l) => ({
    student_id: text(l.student_id, 'student_id'), instructor_id: text(l.instructor_id, 'instructor_id'),
    vehicle_id: text(l.vehicle_id, 'vehicle_id', { optional: true }),
    starts_at: text(l.starts_at, 'starts_at', { pattern: STARTS_AT }),
    minutes: wholeNumber(l.minutes, 'minutes', 15, 480),
  }),
  payments: (p) => ({
    student_id: text(p.student_id, 'student_id'),
    amount_cents: wholeNumber(p.amount_cents, 'amount_cents', 1, 100000000),
    method: oneOf(p.method, 'method', ['cash', 'card', 'transfer']),
  }),
};
// The lists a new row changes: a payment changes its student's balance too.
const CHANGED_BY_INSERT = { payments: ['payments', 'students'] };

/**
 * The desk's records over `db` (tracked by schema.prepare). `onWrite(tables)` runs after each committed write.
 * Returns the renderer's methods (desk-api.js) and insertWithId(kind, id, fields), which inserts a row with a chosen id
 * (the seed's fixed ids) and must not reach a window.
 */
function createRecords(db, onWrite) {
  const get = (table, id) => {
    const row = db.get(`SELECT * FROM ${table} WHERE id = ?`, [text(id, 'id')]);
    if (!row) throw new OfflineSyncError(`no ${table} row with id ${id}`, 'ERR_NOT_FOUND');
    return row;
  };
  const exists = (table, id, name) => {
    if (!db.get(`SELECT 1 AS x FROM ${table} WHERE id = ?`, [id])) throw invalid(`${name}: no ${table} row ${id}`);
  };
  // `values` are checked columns.
  const insert = (table, id, values) => {
    const columns = Object.keys(values);
    db.run(`INSERT INTO ${table} (id, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})`,
      [id, ...Object.values(values)]);
    onWrite(CHANGED_BY_INSERT[table] ?? [table]);
    return get(table, id);
  };
  const update = (table, id, values) => {
    get(table, id);
    const columns = Object.keys(values);
    db.run(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
      [...Object.values(values), id]);
    onWrite([table]);
    return get(table, id);
  };
  // Insert without an id, update with one.
  const save = (table, id, values) =>
    (id === undefined || id === null || id === '' ? insert(table, randomUUID(), values) : update(table, id, values));
  // A new row of `kind` from a renderer's (or the seed's) fields: checked, its references too, a payment dated today.
  const newRow = (kind, input) => {
    const values = COLUMNS[kind](fields(input, NOUNS[kind]));
    if (kind === 'lessons') {
      exists('students', values.student_id, 'student_id');
      exists('instructors', values.instructor_id, 'instructor_id');
      if (values.vehicle_id !== null) exists('vehicles', values.vehicle_id, 'vehicle_id');
    } else if (kind === 'payments') {
      exists('students', values.student_id, 'student_id');
      values.paid_at = today();
    }
    return values;
  };
  const setLesson = (id, assignments, params) => {
    const lesson = get('lessons', id);
    if (lesson.status !== 'booked') {
      throw new OfflineSyncError(`lesson ${id} is ${lesson.status}; only booked lessons change`, 'ERR_LESSON_STATE');
    }
    db.run(`UPDATE lessons SET ${assignments} WHERE id = ?`, [...params, id]);
    onWrite(['lessons']);
    return get('lessons', id);
  };

  return {
    list(kind) {
      const sql = LISTS[kind];
      if (!sql) throw invalid(`list(kind): kind must be one of ${Object.keys(LISTS).join(', ')}`);
      return db.all(sql);
    },
    saveStudent(student) {
      const s = fields(student, 'student');
      return save('students', s.id, COLUMNS.students(s));
    },
    saveInstructor(instructor) {
      const i = fields(instructor, 'instructor');
      return save('instructors', i.id, COLUMNS.instructors(i));
    },
    saveVehicle(vehicle) {
      const v = fields(vehicle, 'vehicle');
      return save('vehicles', v.id, COLUMNS.vehicles(v));
    },
    bookLesson(lesson) {
      return insert('lessons', randomUUID(), newRow('lessons', lesson));
    },
    moveLesson(id, startsAt) {
      return setLesson(id, 'starts_at = ?', [text(startsAt, 'starts_at', { pattern: STARTS_AT })]);
    },
    cancelLesson(id) {
      return setLesson(id, "status = 'cancelled'", []);
    },
    completeLesson(id, notes) {
      return setLesson(id, "status = 'completed', notes = coalesce(?, notes)",
        [text(notes, 'notes', { optional: true })]);
    },
    recordPayment(payment) {
      return insert('payments', randomUUID(), newRow('payments', payment));
    },
    insertWithId(kind, id, input) {
      if (!COLUMNS[kind]) throw invalid(`insertWithId: kind must be one of ${Object.keys(COLUMNS).join(', ')}`);
      return insert(kind, text(id, 'id'), newRow(kind, input));
    },
  };
}

module.exports = { createRecords, LISTS };
