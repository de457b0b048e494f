'use strict';
// One simulated device of the load run: a database file with a tracked lessons table, a live sync client, and a
// writer that makes small transactions at a steady rate (own lessons inserted, updated and deleted; lessons every
// device shares updated), awaiting syncNow() after each one and timing it. It remembers what it wrote, so the end
// state can be checked for lost writes, not only compared between devices.
const crypto = require('node:crypto');
const path = require('node:path');
const { openDatabase } = require('../..');

const LESSONS_SQL = `CREATE TABLE lessons (id TEXT PRIMARY KEY, student TEXT NOT NULL, instructor TEXT,
  starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'booked', price REAL, notes TEXT)`;
const STATUSES = ['booked', 'confirmed', 'completed', 'cancelled', 'no-show'];
const SHARED_COLUMNS = ['instructor', 'minutes', 'status', 'notes'];

/** A deterministic pseudo-random generator (mulberry32), so a run's writes can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sharedLessonId(n) {
  return `shared-${String(n).padStart(4, '0')}`;
}

/** The lessons every device edits, inserted by one device before the run. */
function insertSharedLessons(db, count) {
  const insert = db.prepare(`INSERT INTO lessons (id, student, instructor, starts_at, minutes, status, price)
                             VALUES (?, ?, ?, ?, ?, 'booked', 45.5)`);
  db.transaction(() => {
    for (let n = 0; n < count; n += 1) {
      insert.run([sharedLessonId(n), `student-${n % 17}`, `instructor-${n % 5}`, `2026-12-01T${8 + (n % 10)}:00`, 90]);
    }
  });
}

function tableHash(db) {
  const hash = crypto.createHash('sha256');
  let rows = 0;
  for (const row of db.prepare('SELECT * FROM lessons ORDER BY id').iterate()) {
    hash.update(`${JSON.stringify(row)}\n`);
    rows += 1;
  }
  return { rows, hash: hash.digest('hex') };
}

class Device {
  /**
   * @param {{dir: string, name: string, url: string, token: string, seed: number, sharedRows: number,
   *          written: Map<string, Set>}} options written: shared row/column -> every value any device wrote
   */
  constructor({ dir, name, url, token, seed, sharedRows, written }) {
    this.name = name;
    this.db = openDatabase(path.join(dir, `${name}.db`), { deviceId: name });
    this.db.migrate([LESSONS_SQL]);
    this.db.track('lessons', { conflict: 'merge' });
    this.sync = this.db.sync({ url, token, live: true });
    this.rand = random(seed);
    this.sharedRows = sharedRows;
    this.written = written;
    this.own = new Map();  // id -> the row as this device last wrote it, or null once deleted
    this.ownLive = [];     // ids of own rows not deleted (to pick updates and deletes from)
    this.nextRow = 0;
    this.counter = 0;
    this.transactions = 0;
    this.statements = 0;
    this.latencies = [];
    this.rowsApplied = 0;
    this.errors = new Map();  // 'where code' -> count
    this.sync.on('change', (change) => { this.rowsApplied += change.count; });
    this.sync.on('error', (error) => this.countError('engine', error));
  }

  countError(where, error) {
    const key = `${where} ${error.code ?? error.message}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** One timed syncNow(); a failure is counted (by code), not thrown. */
  async timedSync() {
    const started = performance.now();
    try {
      const result = await this.sync.syncNow();
      this.latencies.push(performance.now() - started);
      return result;
    } catch (error) {
      this.countError('syncNow', error);
      return null;
    }
  }

  insertOwn() {
    const n = this.nextRow++;
    const row = {
      id: `${this.name}-${String(n).padStart(6, '0')}`, student: `student-${n % 97}`,
      instructor: n % 3 ? `instructor-${n % 5}` : null,
      starts_at: `2026-12-${String((n % 28) + 1).padStart(2, '0')}T09:00`,
      minutes: 45 * (1 + (n % 2)), status: 'booked', price: 45.5 + (n % 4), notes: null,
    };
    this.db.run(`INSERT INTO lessons (id, student, instructor, starts_at, minutes, status, price, notes)
                 VALUES (:id, :student, :instructor, :starts_at, :minutes, :status, :price, :notes)`, row);
    this.own.set(row.id, row);
    this.ownLive.push(row.id);
  }

  updateOwn() {
    if (this.ownLive.length === 0) return this.insertOwn();
    const id = this.ownLive[Math.floor(this.rand() * this.ownLive.length)];
    const minutes = 30 + Math.floor(this.rand() * 90);
    const row = { ...this.own.get(id), minutes, notes: `${this.name}#${this.counter}` };
    this.db.run('UPDATE lessons SET minutes = ?, notes = ? WHERE id = ?', [row.minutes, row.notes, id]);
    this.own.set(id, row);
    return undefined;
  }

  deleteOwn() {
    if (this.ownLive.length === 0) return this.insertOwn();
    const index = Math.floor(this.rand() * this.ownLive.length);
    const [id] = this.ownLive.splice(index, 1);
    this.db.run('DELETE FROM lessons WHERE id = ?', [id]);
    this.own.set(id, null);
    return undefined;
  }

  // Some columns of a lesson that every device edits: the conflicts the server settles per column.
  updateShared() {
    const id = sharedLessonId(Math.floor(this.rand() * this.sharedRows));
    const columns = SHARED_COLUMNS.filter(() => this.rand() < 0.5);
    if (columns.length === 0) columns.push('notes');
    const values = {
      instructor: `instructor-${this.name}-${this.counter}`, minutes: 1000 + this.counter,
      status: STATUSES[Math.floor(this.rand() * STATUSES.length)], notes: `${this.name}@${this.counter}`,
    };
    for (const column of columns) this.written.get(`${id}/${column}`).add(values[column]);
    this.db.run(`UPDATE lessons SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`,
      [...columns.map((column) => values[column]), id]);
  }

  /** One transaction of 1 to 3 writes: 35% inserts, 30% updates of own rows, 25% shared rows, 10% deletes. */
  writeTransaction() {
    const count = 1 + Math.floor(this.rand() * 3);
    this.db.transaction(() => {
      for (let i = 0; i < count; i += 1) {
        this.counter += 1;
        const draw = this.rand();
        if (draw < 0.35) this.insertOwn();
        else if (draw < 0.65) this.updateOwn();
        else if (draw < 0.9) this.updateShared();
        else this.deleteOwn();
      }
    });
    this.transactions += 1;
    this.statements += count;
  }

  /**
   * Writes at up to `rate` transactions per second until `until` (performance.now()), each followed by a timed
   * sync. A device that falls behind (slow rounds) writes less rather than running past the deadline.
   */
  async writeUntil(until, rate) {
    const interval = 1000 / rate;
    let next = performance.now() + this.rand() * interval;  // devices start out of step
    while (next < until && performance.now() < until) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));  // pacing, not synchronisation
      try {
        this.writeTransaction();
      } catch (error) {
        this.countError('write', error);
      }
      await this.timedSync();
      next += interval * (0.5 + this.rand());
    }
  }

  /** Rows of the final table that contradict what this device wrote (lost, resurrected or changed). */
  ownProblems(rowsById) {
    const problems = [];
    for (const [id, expected] of this.own) {
      const actual = rowsById.get(id);
      if (expected === null && actual) problems.push(`${id}: deleted by ${this.name} but present`);
      if (expected !== null && !actual) problems.push(`${id}: written by ${this.name} but missing`);
      if (expected !== null && actual && JSON.stringify(actual) !== JSON.stringify(expected)) {
        problems.push(`${id}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
      }
    }
    return problems;
  }
}

module.exports = { Device, insertSharedLessons, sharedLessonId, tableHash, random, SHARED_COLUMNS };
