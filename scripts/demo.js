#!/usr/bin/env node
// `npm run demo`: two devices of one driving school — the front office and an instructor's laptop — work offline,
// change the same lesson, reconnect to the reference sync server and end with identical data. Everything lives in a
// temporary folder and is removed at the end; a watchdog ends the demo (exit 1) if anything hangs.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openDatabase } = require('..');
const { startServer } = require('./demo/server');
const school = require('./demo/school');
const { ProgressBoard } = require('./demo/progress');
const { serverCounts, printComparison } = require('./demo/compare');

const WATCHDOG_MS = 60000;
const TOKEN = 'demo-token';
const TENANT = 'city-driving-school';
const print = (line = '') => process.stdout.write(`${line}\n`);

const state = { dir: null, server: null, devices: [], finished: false, cleaning: null };

function openDevice(label, deviceId, url) {
  const db = openDatabase(path.join(state.dir, `${deviceId}.db`), { deviceId });
  school.prepare(db);
  const sync = db.sync({ url, token: TOKEN, live: true });
  const device = { label, deviceId, db, sync, conflicts: [], errors: [] };
  sync.on('conflict', (conflict) => device.conflicts.push(conflict));
  sync.on('error', (error) => device.errors.push(error));
  state.devices.push(device);
  return device;
}

// Stops the sync clients, closes the databases, stops the server and removes the folder; safe to call twice.
function cleanup() {
  state.cleaning ??= (async () => {
    for (const device of state.devices) {
      try {
        await Promise.race([device.sync.stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      } catch { /* closing the database below stops it too */ }
      try { device.db.close(); } catch { /* already closed */ }
    }
    const status = state.server ? await state.server.stop() : null;
    if (state.dir) fs.rmSync(state.dir, { recursive: true, force: true });
    return status;
  })();
  return state.cleaning;
}

// The next millisecond on the wall clock, so the laptop's edit is unambiguously the later one.
async function nextMillisecond() {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setImmediate(resolve));
}

const time = (ms) => new Date(ms).toISOString().slice(11, 23);
const hhmm = (startsAt) => startsAt.slice(11, 16);
const short = (value) => (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value) ? hhmm(value) : value);

async function main() {
  print('offline-sync demo: a driving school\'s front office and an instructor\'s laptop, one sync server');
  state.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-demo-'));
  state.server = await startServer({ db: path.join(state.dir, 'server.db'), token: `${TOKEN}:${TENANT}` });
  print(`server    ${state.server.url}  (SQLite ${path.join(state.dir, 'server.db')})`);

  const office = openDevice('front office', 'front-office', state.server.url);
  const laptop = openDevice('instructor laptop', 'instructor-laptop', state.server.url);
  print(`devices   ${office.label} and ${laptop.label}, each with its own SQLite file`);
  print(`tracked   ${school.TABLES.map((table) => `${table} (${school.POLICIES[table]})`).join(', ')}`);

  const ids = school.seed(office.db);
  const first = await office.sync.syncNow();
  const second = await laptop.sync.syncNow();
  await Promise.all([office.sync.stop(), laptop.sync.stop()]);
  print(`1st sync  office pushed ${first.pushed} changes, laptop pulled ${second.pulled} rows: a shared base`);

  print('offline   (sync stopped on both)');
  print(`  ${office.label.padEnd(18)} ${school.officeWork(office.db, ids)}`);
  const officeAt = Date.now();
  await nextMillisecond();
  print(`  ${laptop.label.padEnd(18)} ${school.laptopWork(laptop.db, ids)}`);
  const laptopAt = Date.now();
  const lessonOf = (device) => device.db.get('SELECT starts_at, notes FROM lessons WHERE id = ?', [ids.conflictLesson]);
  const before = { office: lessonOf(office), laptop: lessonOf(laptop) };
  print(`  pending changes: office ${office.db.pendingChanges()}, laptop ${laptop.db.pendingChanges()}`);

  print('reconnect start() + syncNow(): the laptop, then the office, then the laptop again for the office\'s work');
  const board = new ProgressBoard([office, laptop]);
  board.start();
  // syncNow() right after start() may wait for the round start() began and then run one of its own: the board
  // counts conflicts from the events and time on this side.
  const reconnect = async (index, device, start) => {
    const began = performance.now();
    if (start) device.sync.start();
    await device.sync.syncNow();
    board.done(index, { conflicts: device.conflicts.length, ms: performance.now() - began });
  };
  await reconnect(1, laptop, true);
  await reconnect(0, office, true);
  await reconnect(1, laptop, false);
  board.finish();

  const after = { office: lessonOf(office), laptop: lessonOf(laptop) };
  const student = office.db.get(`SELECT s.name FROM lessons l JOIN students s ON s.id = l.student_id WHERE l.id = ?`,
    [ids.conflictLesson]).name;
  print(`conflict  lesson L (${student}, 2 Dec 09:00) moved on both devices while offline: column starts_at`);
  print(`  ${office.label.padEnd(18)} wrote ${hhmm(before.office.starts_at)} at ${time(officeAt)}`);
  print(`  ${laptop.label.padEnd(18)} wrote ${hhmm(before.laptop.starts_at)} at ${time(laptopAt)} (later)`);
  for (const device of [office, laptop]) {
    for (const c of device.conflicts) {
      const show = (side) => (side === null ? 'deleted' : c.columns.map((column) => short(side[column])).join(', '));
      print(`  'conflict' event on ${device.label}: ${c.columns.join(', ')} local ${show(c.local)}, ` +
        `remote ${show(c.remote)}: resolution '${c.resolution}' (policy ${c.policy})`);
    }
  }
  if (!office.conflicts.length && !laptop.conflicts.length) {
    print('  no \'conflict\' event: the later write reached the server last and was applied as is');
  }
  print(`  settled by 'merge' (last writer wins per column): ${hhmm(after.office.starts_at)} on the office, ` +
    `${hhmm(after.laptop.starts_at)} on the laptop; the laptop's notes merged in`);
  const expected = before.laptop.starts_at;
  if (after.office.starts_at !== expected || after.laptop.starts_at !== expected || after.office.notes !== before.laptop.notes) {
    throw new Error(`lesson L did not settle on the later write (${expected}): ${JSON.stringify(after)}`);
  }

  print('compare   (rows per table and a hash of each table, in id order)');
  const counts = await serverCounts(state.server.url, TOKEN);
  if (!printComparison([office, laptop], school.TABLES, counts, (line) => print(line))) {
    throw new Error('the devices\' tables differ');
  }
  const pending = office.db.pendingChanges() + laptop.db.pendingChanges();
  if (pending !== 0) throw new Error(`${pending} changes still pending after the sync`);
  const errors = [...office.errors, ...laptop.errors];
  if (errors.length) print(`  (sync reported ${errors.length} transient error(s): ${errors[0].code} ${errors[0].message})`);

  const status = await cleanup();
  if (!status || status.code !== 0) throw new Error(`the server did not stop cleanly: ${JSON.stringify(status)}`);
  print('identical: both devices hold the same data as the server. Sync stopped, databases closed, server stopped.');
  state.finished = true;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`demo: nothing finished within ${WATCHDOG_MS / 1000} s; killing the server\n`);
  if (state.server) state.server.kill();
  if (state.dir) fs.rmSync(state.dir, { recursive: true, force: true });
  process.exit(1);
}, WATCHDOG_MS);

// A promise that never settles with nothing else keeping Node alive would end the process quietly with code 0.
process.on('exit', (code) => {
  if (code === 0 && !state.finished) {
    process.stderr.write('demo: stopped before it finished (a sync call never answered)\n');
    if (state.server) state.server.kill();
    process.exitCode = 1;
  }
});

main().then(() => {
  clearTimeout(watchdog);
  // Nothing should keep the process alive now; if something does, say so rather than hang.
  setTimeout(() => {
    process.stderr.write('demo: finished, but something kept the process alive\n');
    process.exit(1);
  }, 5000).unref();
}, async (error) => {
  process.stderr.write(`demo failed: ${error && error.code ? `${error.code}: ` : ''}${error && error.message}\n`);
  try { await cleanup(); } catch (cleanupError) { process.stderr.write(`cleanup: ${cleanupError.message}\n`); }
  clearTimeout(watchdog);
  process.exit(1);
});
