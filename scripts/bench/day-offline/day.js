'use strict';
// A driving school's day, generated from a seed: the baseline all five devices start from, and what each device
// writes while it is offline, as SQL statements with a minute of the day (08:00-18:00). Same seed, same day: every
// choice comes from mulberry32 PRNGs, one for the school (baseline, shared choices) and one per device.
// The day is scaled far beyond a real school's (20,000+ changes) so the reconnect has something to chew on; the
// shapes are the desk's (electron-demo/app/records.js): bookings, moves, cancellations, completions, notes, payments,
// student edits. Nothing is deleted: the app never deletes (a lesson is cancelled, not removed).
const { createRandom } = require('../../fault-proxy/random');

const DEVICES = [
  { name: 'office-1', kind: 'office' }, { name: 'office-2', kind: 'office' },
  { name: 'laptop-1', kind: 'laptop' }, { name: 'laptop-2', kind: 'laptop' }, { name: 'laptop-3', kind: 'laptop' },
];
// Due lessons are the backlog the instructors mark completed today (laptop k owns instructors i with i % 3 == k);
// upcoming ones are what the offices move and cancel.
const BASELINE = {
  students: 300, instructors: 12, vehicles: 8, dueLessons: 4500, upcomingLessons: 5500, payments: 900,
};
// Write statements per device and kind of operation. The shared ones (the last line of each) touch rows another
// device also touches, so conflicts happen on purpose under every policy the demo uses.
const OFFICE_DAY = {
  registerStudent: 250, bookLesson: 2800, moveLesson: 900, cancelLesson: 400, takePayment: 1200, editStudent: 450,
  cancelDueLesson: 40, correctPayment: 40,
};
const LAPTOP_DAY = {
  completeLesson: 1500, addNote: 800, recordPayment: 1100,
  rescheduleLesson: 150, editStudent: 80, correctPayment: 20,
};
const DAY_MINUTES = 600;
const FIRST = ['Jonas', 'Lea', 'Mehmet', 'Sofia', 'Lukas', 'Mia', 'Elias', 'Emma', 'Noah', 'Hanna', 'Ali', 'Lina'];
const LAST = ['Weber', 'Schmidt', 'Yilmaz', 'Rossi', 'Fischer', 'Wagner', 'Becker', 'Hoffmann', 'Kaya', 'Novak'];
const NOTES = ['parking practised', 'roundabouts need work', 'first motorway lesson', 'ready for the test',
  'night drive', 'bring glasses next time', 'hill start fine', 'mirror checks late'];
const AMOUNTS = [4500, 9000, 13500, 18000, 25000];
const METHODS = ['cash', 'card', 'transfer'];

function uuid(random) {
  let hex = '';
  for (let i = 0; i < 32; i += 1) hex += Math.floor(random() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const pick = (random, list) => list[Math.floor(random() * list.length)];
const two = (n) => String(n).padStart(2, '0');
const phone = (random) => `+49 15${Math.floor(random() * 10)} ${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
// Lessons start on a December day (past ones on the 1st: the backlog) at a full or half hour, 07:00-18:30.
const startsAt = (random, day) =>
  `2026-12-${two(day)}T${two(7 + Math.floor(random() * 12))}:${random() < 0.5 ? '00' : '30'}`;
const futureDay = (random) => 2 + Math.floor(random() * 30);

/** Distinct items of list, count of them, in PRNG order (a partial Fisher-Yates shuffle of a copy). */
function sample(random, list, count) {
  const copy = [...list];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i += 1) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

function baseline(random) {
  const b = { students: [], instructors: [], vehicles: [], lessons: [], payments: [] };
  for (let i = 0; i < BASELINE.students; i += 1) {
    b.students.push([uuid(random), `${pick(random, FIRST)} ${pick(random, LAST)}`, phone(random),
      random() < 0.6 ? `student${i}@example.org` : null]);
  }
  for (let i = 0; i < BASELINE.instructors; i += 1) {
    b.instructors.push([uuid(random), `${pick(random, FIRST)} ${pick(random, LAST)}`, i % 4 === 0 ? 'BE' : 'B']);
  }
  for (let i = 0; i < BASELINE.vehicles; i += 1) {
    b.vehicles.push([uuid(random), `B-DS ${101 + i}`, i % 2 ? 'Renault Zoe' : 'VW Golf',
      i % 2 ? 'automatic' : 'manual']);
  }
  const lessons = BASELINE.dueLessons + BASELINE.upcomingLessons;
  for (let i = 0; i < lessons; i += 1) {
    const due = i < BASELINE.dueLessons;
    b.lessons.push([uuid(random), pick(random, b.students)[0], b.instructors[i % BASELINE.instructors][0],
      pick(random, b.vehicles)[0], startsAt(random, due ? 1 : futureDay(random)), random() < 0.5 ? 45 : 90, 'booked',
      null]);
  }
  for (let i = 0; i < BASELINE.payments; i += 1) {
    b.payments.push([uuid(random), pick(random, b.students)[0], pick(random, AMOUNTS), pick(random, METHODS),
      '2026-11-30']);
  }
  return b;
}

/** Collects one device's operations; each has a minute `t` and runs after the ones generated before it that minute. */
function opList(random) {
  const ops = [];
  const at = (after) => (after === undefined ? Math.floor(random() * DAY_MINUTES)
    : Math.min(DAY_MINUTES - 1, after + 1 + Math.floor(random() * (DAY_MINUTES - after))));
  const add = (kind, table, id, sql, params, after) => {
    const op = { kind, table, id, sql, params, t: at(after) };
    ops.push(op);
    return op;
  };
  return { ops, add };
}

// What the desk and the laptops write: the same columns records.js writes, as plain SQL.
const SQL = {
  student: 'INSERT INTO students (id, name, phone, email) VALUES (?, ?, ?, ?)',
  lesson: `INSERT INTO lessons (id, student_id, instructor_id, vehicle_id, starts_at, minutes, status, notes)
           VALUES (?, ?, ?, ?, ?, ?, 'booked', NULL)`,
  payment: 'INSERT INTO payments (id, student_id, amount_cents, method, paid_at) VALUES (?, ?, ?, ?, ?)',
  move: 'UPDATE lessons SET starts_at = ? WHERE id = ?',
  cancel: "UPDATE lessons SET status = 'cancelled' WHERE id = ?",
  complete: "UPDATE lessons SET status = 'completed', notes = coalesce(?, notes) WHERE id = ?",
  note: 'UPDATE lessons SET notes = ? WHERE id = ?',
  reschedule: 'UPDATE lessons SET starts_at = ?, minutes = ? WHERE id = ?',
  officeEdit: 'UPDATE students SET phone = ?, email = ? WHERE id = ?',
  laptopEdit: 'UPDATE students SET phone = ? WHERE id = ?',
  correct: 'UPDATE payments SET amount_cents = ? WHERE id = ?',
};

function officeDay(random, name, base, shared) {
  const { ops, add } = opList(random);
  const students = [];
  for (let i = 0; i < OFFICE_DAY.registerStudent; i += 1) {
    const id = uuid(random);
    students.push(add('registerStudent', 'students', id, SQL.student,
      [id, `${pick(random, FIRST)} ${pick(random, LAST)}`, phone(random), `${name}-${i}@example.org`]));
  }
  // A third of the bookings are for students registered today, after their registration.
  const bookings = [];
  for (let i = 0; i < OFFICE_DAY.bookLesson; i += 1) {
    const id = uuid(random);
    const fresh = random() < 0.33 ? pick(random, students) : null;
    bookings.push(add('bookLesson', 'lessons', id, SQL.lesson, [id, fresh ? fresh.id : pick(random, base.students)[0],
      pick(random, base.instructors)[0], random() < 0.9 ? pick(random, base.vehicles)[0] : null,
      startsAt(random, futureDay(random)), random() < 0.5 ? 45 : 90], fresh ? fresh.t : undefined));
  }
  // Most moves are of upcoming baseline lessons (laptops reschedule some of the same: merge conflicts on
  // starts_at); a fifth move today's own bookings, which fold into the booking before it is sent.
  const upcoming = base.lessons.slice(BASELINE.dueLessons);
  const moved = sample(random, upcoming, Math.round(OFFICE_DAY.moveLesson * 0.8));
  for (const lesson of moved) {
    add('moveLesson', 'lessons', lesson[0], SQL.move, [startsAt(random, futureDay(random)), lesson[0]]);
  }
  shared.moved.push(...moved);
  for (let i = moved.length; i < OFFICE_DAY.moveLesson; i += 1) {
    const booking = pick(random, bookings);
    add('moveLesson', 'lessons', booking.id, SQL.move, [startsAt(random, futureDay(random)), booking.id], booking.t);
  }
  for (const lesson of sample(random, upcoming, OFFICE_DAY.cancelLesson)) {
    add('cancelLesson', 'lessons', lesson[0], SQL.cancel, [lesson[0]]);
  }
  // A due lesson cancelled at the desk while the instructor marks it completed: a status conflict (merge).
  for (const lesson of sample(random, base.lessons.slice(0, BASELINE.dueLessons), OFFICE_DAY.cancelDueLesson)) {
    add('cancelDueLesson', 'lessons', lesson[0], SQL.cancel, [lesson[0]]);
  }
  for (let i = 0; i < OFFICE_DAY.takePayment; i += 1) {
    const id = uuid(random);
    const fresh = random() < 0.2 ? pick(random, students) : null;
    add('takePayment', 'payments', id, SQL.payment, [id, fresh ? fresh.id : pick(random, base.students)[0],
      pick(random, AMOUNTS), pick(random, METHODS), '2026-12-01'], fresh ? fresh.t : undefined);
  }
  // Student edits with replacement: some students are edited twice at one desk (folded), and both desks edit many
  // of the same students (manual conflicts).
  for (let i = 0; i < OFFICE_DAY.editStudent; i += 1) {
    const student = pick(random, base.students);
    add('editStudent', 'students', student[0], SQL.officeEdit, [phone(random), `${name}.${i}@example.org`, student[0]]);
    shared.studentsEdited.push(student);
  }
  for (const payment of sample(random, base.payments, OFFICE_DAY.correctPayment)) {
    add('correctPayment', 'payments', payment[0], SQL.correct, [pick(random, AMOUNTS) + 500, payment[0]]);
    shared.paymentsCorrected.push(payment);
  }
  return ops;
}

function laptopDay(random, index, base, shared) {
  const { ops, add } = opList(random);
  const mine = (lesson) => base.instructors.findIndex((i) => i[0] === lesson[2]) % 3 === index;
  const completed = [];
  for (const lesson of base.lessons.slice(0, BASELINE.dueLessons).filter(mine).slice(0, LAPTOP_DAY.completeLesson)) {
    completed.push(add('completeLesson', 'lessons', lesson[0], SQL.complete,
      [random() < 0.6 ? pick(random, NOTES) : null, lesson[0]]));
  }
  // Half the notes go on a lesson completed earlier today (folded into the completion), half on an upcoming one.
  const upcomingMine = base.lessons.slice(BASELINE.dueLessons).filter(mine);
  for (let i = 0; i < LAPTOP_DAY.addNote; i += 1) {
    const done = random() < 0.5 ? pick(random, completed) : null;
    const id = done ? done.id : pick(random, upcomingMine)[0];
    add('addNote', 'lessons', id, SQL.note, [pick(random, NOTES), id], done ? done.t : undefined);
  }
  for (let i = 0; i < LAPTOP_DAY.recordPayment; i += 1) {
    const id = uuid(random);
    add('recordPayment', 'payments', id, SQL.payment,
      [id, pick(random, base.students)[0], pick(random, AMOUNTS), pick(random, METHODS), '2026-12-01']);
  }
  for (const lesson of sample(random, shared.moved.filter(mine), LAPTOP_DAY.rescheduleLesson)) {
    add('rescheduleLesson', 'lessons', lesson[0], SQL.reschedule,
      [startsAt(random, futureDay(random)), random() < 0.5 ? 60 : 120, lesson[0]]);
  }
  for (const student of sample(random, [...new Set(shared.studentsEdited)], LAPTOP_DAY.editStudent)) {
    add('editStudent', 'students', student[0], SQL.laptopEdit, [phone(random), student[0]]);
  }
  for (const payment of sample(random, shared.paymentsCorrected, LAPTOP_DAY.correctPayment)) {
    add('correctPayment', 'payments', payment[0], SQL.correct, [pick(random, AMOUNTS) + 1000, payment[0]]);
  }
  return ops;
}

/**
 * The whole day for `seed`: { baseline: { table: [[...row]] }, devices: [{ name, kind, ops }] }, each device's ops
 * sorted by minute (ties in generation order, so an edit never precedes the insert it edits).
 */
function planDay(seed) {
  const base = baseline(createRandom(seed));
  const shared = { moved: [], studentsEdited: [], paymentsCorrected: [] };
  const devices = DEVICES.map((spec) => ({ ...spec, ops: [] }));
  devices.forEach((device, i) => {
    const random = createRandom(seed * 1000 + i + 1);
    device.ops = device.kind === 'office' ? officeDay(random, device.name, base, shared)
      : laptopDay(random, i - 2, base, shared);
    device.ops = device.ops.map((op, order) => ({ ...op, order })).sort((x, y) => x.t - y.t || x.order - y.order);
  });
  return { baseline: base, devices };
}

module.exports = { planDay, DAY_MINUTES, BASELINE, OFFICE_DAY, LAPTOP_DAY };
