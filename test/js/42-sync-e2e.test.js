'use strict';
// The sync client end to end over the reference server on 127.0.0.1: five devices converge after overlapping
// offline work, 10,000 changes travel from one device to another in one round each, and a server killed in the
// middle of a big push loses and duplicates nothing once it is back on the same file.
const test = require('node:test');
const assert = require('node:assert/strict');
const { tempDir } = require('./helpers');
const { startServer } = require('./server-harness');
const {
  openDevice, serverState, serverTable, localTable, withoutNulls, tableHash, random, nextMillisecond, insertLessons,
  nextEvent,
} = require('./42-sync-support');

const TOKEN = 'school-token';
const TENANT = 'school-a';
const POLICIES = { lessons: 'merge', students: 'server-wins' };

async function setup(t, args) {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: [`${TOKEN}:${TENANT}`], args });
  return { dir, server };
}

const COLUMNS = {
  starts_at: (r) => `2026-12-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}T${String(8 + Math.floor(r() * 10))}:00`,
  minutes: (r) => [45, 60, 90][Math.floor(r() * 3)],
  status: (r) => ['booked', 'completed', 'cancelled', 'no-show'][Math.floor(r() * 4)],
  notes: (r) => `note ${Math.floor(r() * 1e6)}`,
  price: (r) => Math.round(r() * 10000) / 100,
};

test('five devices with overlapping offline inserts, updates and deletes converge to the server\'s state', async (t) => {
  const { dir, server } = await setup(t);
  const devices = ['d0', 'd1', 'd2', 'd3', 'd4'].map((name) => openDevice(dir, name, server.url,
    { token: TOKEN, policies: POLICIES }));
  const [d0] = devices;

  // A shared base: 20 lessons and 5 students from d0, pulled by everyone.
  insertLessons(d0.db, 'base', 20);
  for (let i = 0; i < 5; i += 1) d0.db.run('INSERT INTO students (id, name) VALUES (?, ?)', [`s-${i}`, `Student ${i}`]);
  for (const device of devices) await device.sync.syncNow();
  for (const device of devices) {
    assert.equal(Object.keys(localTable(device.db, 'lessons')).length, 20, device.name);
    assert.equal(device.db.pendingChanges(), 0, device.name);
  }

  // Offline. Every device writes the same column of the same row, one after the other (a later millisecond each):
  // with 'merge' the last writer must win everywhere.
  for (const device of devices) {
    await nextMillisecond();
    device.db.run('UPDATE lessons SET status = ? WHERE id = ?', [`status by ${device.name}`, 'base-000000']);
  }
  // Update against a newer delete elsewhere, and delete against a newer update elsewhere.
  devices[1].db.run('DELETE FROM lessons WHERE id = ?', ['base-000005']);
  await nextMillisecond();
  devices[2].db.run('UPDATE lessons SET notes = ? WHERE id = ?', ['kept alive by d2', 'base-000005']);
  devices[4].db.run('UPDATE lessons SET minutes = 120 WHERE id = ?', ['base-000006']);
  await nextMillisecond();
  devices[3].db.run('DELETE FROM lessons WHERE id = ?', ['base-000006']);
  // Two devices delete the same row; two devices create the same id.
  devices[0].db.run('DELETE FROM lessons WHERE id = ?', ['base-000007']);
  devices[3].db.run('DELETE FROM lessons WHERE id = ?', ['base-000007']);
  for (const device of [devices[0], devices[4]]) {
    device.db.run("INSERT INTO lessons (id, student, starts_at, minutes, notes) VALUES ('same-id', ?, ?, 60, ?)",
      [`student of ${device.name}`, '2026-12-24T09:00', device.name]);
  }
  // Then many random updates of overlapping rows and columns, inserts of their own rows, a few deletes,
  // and balances under 'server-wins'.
  devices.forEach((device, index) => {
    const r = random(1000 + index);
    device.db.transaction(() => {
      for (let i = 0; i < 60; i += 1) {
        const id = `base-${String(8 + Math.floor(r() * 12)).padStart(6, '0')}`;
        const names = Object.keys(COLUMNS);
        const column = names[Math.floor(r() * names.length)];
        device.db.run(`UPDATE lessons SET ${column} = ? WHERE id = ?`, [COLUMNS[column](r), id]);
      }
      insertLessons(device.db, `new-${device.name}`, 10);
      device.db.run('DELETE FROM lessons WHERE id = ?', [`new-${device.name}-000003`]);
      device.db.run('UPDATE students SET balance_cents = ? WHERE id = ?', [100 * (index + 1), `s-${index % 3}`]);
    });
  });

  // Sync in turns until a whole pass moves nothing.
  let passes = 0;
  for (;;) {
    passes += 1;
    assert.ok(passes <= 6, 'the devices did not become quiescent within 6 passes');
    let moved = 0;
    for (const device of devices) {
      const outcome = await device.sync.syncNow();
      moved += outcome.pushed + outcome.pulled;
    }
    if (moved === 0) break;
  }
  t.diagnostic(`quiescent after ${passes} passes`);

  const state = await serverState(server.url, TOKEN);
  for (const table of ['lessons', 'students']) {
    const expected = withoutNulls(serverTable(state, table));
    for (const device of devices) {
      assert.equal(device.db.pendingChanges(), 0, `${device.name} still has pending changes`);
      assert.deepEqual(withoutNulls(localTable(device.db, table)), expected, `${device.name}'s ${table}`);
      assert.equal(tableHash(device.db, table), tableHash(d0.db, table), `${device.name}'s ${table} vs d0's`);
    }
  }
  const lessons = localTable(d0.db, 'lessons');
  assert.equal(lessons['base-000000'].status, 'status by d4', 'the last writer of a column wins');
  assert.equal(lessons['base-000005']?.notes, 'kept alive by d2', 'an update newer than the delete brings the row back');
  assert.equal(lessons['base-000006'], undefined, 'a delete newer than the update wins');
  assert.equal(lessons['base-000007'], undefined);
  assert.ok(lessons['same-id'], 'a row created on two devices exists once');
  assert.equal(Object.keys(lessons).filter((id) => id.startsWith('new-')).length, 5 * 9);
  assert.ok(devices.some((device) => device.conflicts.length > 0), 'the overlapping writes were reported as conflicts');
});

test('10,000 offline changes on A reach B with one syncNow() each', async (t) => {
  const { dir, server } = await setup(t);
  const a = openDevice(dir, 'device-a', server.url, { token: TOKEN });
  const b = openDevice(dir, 'device-b', server.url, { token: TOKEN });
  insertLessons(a.db, 'lesson', 10000);
  assert.equal(a.db.pendingChanges(), 10000);

  const started = performance.now();
  const pushed = await a.sync.syncNow();
  const pushMs = performance.now() - started;
  const pulled = await b.sync.syncNow();
  const totalMs = performance.now() - started;
  t.diagnostic(`A->B 10,000 rows: ${totalMs.toFixed(0)} ms (A's round ${pushMs.toFixed(0)} ms, ` +
    `B's round ${(totalMs - pushMs).toFixed(0)} ms)`);

  assert.equal(pushed.pushed, 10000);
  assert.equal(a.db.pendingChanges(), 0);
  assert.equal(pulled.pulled, 10000);
  assert.equal(b.db.get('SELECT count(*) AS n FROM lessons').n, 10000);
  assert.equal(tableHash(b.db, 'lessons'), tableHash(a.db, 'lessons'));
  assert.ok(b.changes.some((change) => change.tables.includes('lessons')), "B's 'change' event names the table");
  assert.equal(b.changes.reduce((sum, change) => sum + change.count, 0), 10000);
});

test('a server killed during a big push and restarted on the same file loses and duplicates nothing', async (t) => {
  const ROWS = 30000;
  const { dir, server } = await setup(t);
  const port = new URL(server.url).port;
  const a = openDevice(dir, 'device-a', server.url,
    { token: TOKEN, sync: { batchSize: 500, retry: { initialDelay: 50, maxDelay: 500 } } });
  insertLessons(a.db, 'lesson', ROWS);

  // Kill the server once some batches are acknowledged and more are on their way.
  const midway = nextEvent(a.sync, 'progress', (p) => p.phase === 'push' && p.done >= 2000);
  const round = a.sync.syncNow().then((outcome) => ({ outcome }), (error) => ({ error }));
  const progress = await midway;
  server.child.kill('SIGKILL');
  const killed = await server.exited;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(a.db.pendingChanges() > 0, 'the kill interrupted the push');

  // Back on the same port and file: the interrupted round fails or resumes; either way syncNow() finishes the job.
  await startServer(t, { db: dir.file('server.db'), tokens: [`${TOKEN}:${TENANT}`], args: ['--port', port] });
  const first = await round;
  t.diagnostic(`killed at push ${progress.done}/${progress.total}; the interrupted round ${
    first.error ? `rejected with ${first.error.code}` : `resolved, pushed ${first.outcome.pushed}`}`);
  if (first.error) assert.equal(typeof first.error.code, 'string');
  let rounds = 0;
  while (a.db.pendingChanges() > 0) {
    rounds += 1;
    assert.ok(rounds <= 20, 'the push did not complete after the restart');
    await a.sync.syncNow().catch((error) => t.diagnostic(`round after restart: ${error.code} ${error.message}`));
  }

  const state = await serverState(server.url, TOKEN);
  assert.equal(state.rows.size, ROWS, 'the server has every row once');
  assert.equal(state.cursor, ROWS, 'every change was applied exactly once (one sequence number each)');
  assert.deepEqual(withoutNulls(serverTable(state, 'lessons')), withoutNulls(localTable(a.db, 'lessons')));

  const b = openDevice(dir, 'device-b', server.url, { token: TOKEN });
  assert.equal((await b.sync.syncNow()).pulled, ROWS);
  assert.equal(tableHash(b.db, 'lessons'), tableHash(a.db, 'lessons'));
});
