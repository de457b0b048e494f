'use strict';
// The child process of the client-kill crash trials (crash-support.js): opens a database with the lessons table
// tracked, starts a live sync client, and writes as fast as it can until it is killed with SIGKILL. Also the seeded
// writes themselves, described as data, so that the parent can model them and the server-kill trials reuse them.
// Not a test file.
//
// Argument: one JSON object { db, deviceId, url, token, seed, life }. Protocol on stdout, one line each:
//   ready <rows>          the database is open and tracked, sync started; <rows> lessons were already there
//   b <n> <ops as JSON>   write n is about to start
//   a <n>                 write n returned: it is committed
// A 'b' line without its 'a' is the write that may have been in flight when the process died.
const fs = require('node:fs');
const { PACKAGE_ROOT } = require('./helpers');
const { random } = require('./42-sync-support');

const { openDatabase } = require(PACKAGE_ROOT);

const SCHEMA = `CREATE TABLE lessons (id TEXT PRIMARY KEY, student TEXT NOT NULL, minutes INTEGER, price REAL,
  note TEXT)`;
const COLUMNS = ['student', 'minutes', 'price', 'note'];
const FAST_RETRY = { initialDelay: 20, maxDelay: 200, factor: 2, jitter: 0.2 };
const WRITES_PER_TURN = 20;  // then the event loop turns once, so the sync client's events are delivered
const MAX_LIFE_MS = 60000;   // a writer nobody kills ends by itself

/**
 * A generator of writes { n, ops }: single inserts, updates of a few columns, deletes, re-inserts of deleted ids,
 * and multi-row transactions mixing them. An op is ['i', id, row], ['u', id, columns] or ['d', id]. Ids are
 * `${prefix}-${k}`; `live` lists rows that exist already (they may be updated and deleted too).
 */
function writeGenerator(seed, prefix, { txMax = 8, txShare = 0.2, live: initial = [] } = {}) {
  const rng = random(seed);
  const below = (n) => Math.floor(rng() * n);
  const live = [...initial];
  const gone = [];
  let written = 0;
  let rows = 0;
  const value = {
    student: () => `student-${below(50)}`,
    minutes: () => [45, 60, 90, 120][below(4)],
    price: () => (rng() < 0.2 ? null : below(20000) / 100),
    note: () => (rng() < 0.3 ? null : `note ${below(1e6)}`),
  };
  const row = () => Object.fromEntries(COLUMNS.map((name) => [name, value[name]()]));
  const takeLive = () => {
    const index = below(live.length);
    const id = live[index];
    live[index] = live[live.length - 1];
    live.pop();
    return id;
  };
  const insert = () => {
    const id = `${prefix}-${rows++}`;
    live.push(id);
    return ['i', id, row()];
  };
  const update = () => {
    if (live.length === 0) return insert();
    const names = COLUMNS.filter(() => rng() < 0.5);
    if (names.length === 0) names.push(COLUMNS[below(COLUMNS.length)]);
    return ['u', live[below(live.length)], Object.fromEntries(names.map((name) => [name, value[name]()]))];
  };
  const remove = () => {
    if (live.length === 0) return insert();
    const id = takeLive();
    gone.push(id);
    return ['d', id];
  };
  const reinsert = () => {
    if (gone.length === 0) return insert();
    const id = gone.splice(below(gone.length), 1)[0];
    live.push(id);
    return ['i', id, row()];
  };
  return function next() {
    written += 1;
    const r = rng();
    let ops;
    if (r < txShare) {
      ops = Array.from({ length: 2 + below(txMax - 1) }, () => {
        const s = rng();
        return s < 0.6 ? insert() : s < 0.85 ? update() : remove();
      });
    } else if (r < txShare + (1 - txShare) * 0.45) ops = [insert()];
    else if (r < txShare + (1 - txShare) * 0.75) ops = [update()];
    else if (r < txShare + (1 - txShare) * 0.92) ops = [remove()];
    else ops = [reinsert()];
    return { n: written, ops };
  };
}

function applyOp(db, [kind, id, values]) {
  let result;
  if (kind === 'i') {
    result = db.run('INSERT INTO lessons (id, student, minutes, price, note) VALUES (?, ?, ?, ?, ?)',
      [id, ...COLUMNS.map((name) => values[name])]);
  } else if (kind === 'u') {
    const names = Object.keys(values);
    result = db.run(`UPDATE lessons SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`,
      [...names.map((name) => values[name]), id]);
  } else {
    result = db.run('DELETE FROM lessons WHERE id = ?', [id]);
  }
  // The generator knows which rows exist: a write that touched no row means the model and the file disagree.
  if (result.changes !== 1) throw new Error(`${kind} ${id} changed ${result.changes} rows`);
}

/** Runs one write: a single statement, or a transaction when it has several ops. */
function applyWrite(db, write) {
  if (write.ops.length === 1) applyOp(db, write.ops[0]);
  else db.transaction(() => write.ops.forEach((op) => applyOp(db, op)));
}

// fs.writeSync to fd 1, not process.stdout: the line is in the pipe before the next write starts. A pipe made
// non-blocking by someone else may answer EAGAIN while full: try again until the parent has read.
function printLine(line) {
  const bytes = Buffer.from(`${line}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

function main() {
  const options = JSON.parse(process.argv[2]);
  setTimeout(() => process.exit(3), MAX_LIFE_MS).unref();

  const db = openDatabase(options.db, { deviceId: options.deviceId });
  db.migrate([SCHEMA]);
  db.track('lessons', { conflict: 'merge' });
  // Rows written by an earlier life of this device: this life updates and deletes them too.
  const existing = db.all('SELECT id FROM lessons ORDER BY id').map((row) => row.id);
  const sync = db.sync({ url: options.url, token: options.token, live: true, retry: FAST_RETRY });
  sync.on('error', () => {});  // retried by the engine; the parent checks the outcome after the kill
  sync.start();
  printLine(`ready ${existing.length}`);

  const next = writeGenerator(options.seed, `${options.deviceId}-${options.life}`, { live: existing });
  const turn = () => {
    for (let i = 0; i < WRITES_PER_TURN; i += 1) {
      const write = next();
      printLine(`b ${write.n} ${JSON.stringify(write.ops)}`);
      applyWrite(db, write);
      printLine(`a ${write.n}`);
    }
    setImmediate(turn);
  };
  turn();
}

if (require.main === module) main();

module.exports = { SCHEMA, COLUMNS, FAST_RETRY, writeGenerator, applyWrite };
