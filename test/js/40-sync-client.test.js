'use strict';
// db.sync(): option checks, the events' shapes, and rounds against the reference server: two devices converging,
// conflicts (settled by policy and by onConflict), tokens from getToken, stop/start, close mid-round, no server.
const test = require('node:test');
const assert = require('node:assert/strict');
const { PACKAGE_ROOT, tempDir, assertCode } = require('./helpers');
const {
  TOKEN, openDevice, startSyncServer, syncOptions, nextEvent, recordEvents, waitUntil, closedPort, serverRows,
  insertLessons, lessons, assertRejectsWithCode, assertStatusShape,
} = require('./40-sync-fixtures');

const { openDatabase } = require(PACKAGE_ROOT);
const { nextMillisecond } = require('./42-sync-support');

test('db.sync() checks its options with ERR_INVALID_ARG', (t) => {
  const db = openDevice(tempDir(t), 'device.db');
  const url = 'http://127.0.0.1:9';
  const bad = [
    undefined, null, 'http://x', [],
    {}, { token: TOKEN }, { url: 42, token: TOKEN }, { url: 'ftp://host', token: TOKEN }, { url: 'host:80', token: TOKEN },
    { url }, { url, token: '' }, { url, token: 7 }, { url, token: TOKEN, getToken: () => TOKEN },
    { url, getToken: 'secret' },
    { url, token: TOKEN, batchSize: 0 }, { url, token: TOKEN, batchSize: 1001 }, { url, token: TOKEN, batchSize: 1.5 },
    { url, token: TOKEN, batchSize: '10' }, { url, token: TOKEN, pullLimit: 0 }, { url, token: TOKEN, pullLimit: 5001 },
    { url, token: TOKEN, live: 'yes' }, { url, token: TOKEN, interval: 99 }, { url, token: TOKEN, interval: NaN },
    { url, token: TOKEN, retry: 5 }, { url, token: TOKEN, retry: { factor: 0.5 } },
    { url, token: TOKEN, retry: { jitter: 1.5 } }, { url, token: TOKEN, retry: { initialDelay: 0 } },
    { url, token: TOKEN, retry: { initialDelay: 500, maxDelay: 100 } }, { url, token: TOKEN, retry: { delay: 1 } },
    { url, token: TOKEN, ca: 42 }, { url, token: TOKEN, debounce: -1 }, { url, token: TOKEN, conflictTimeout: 0 },
    { url, token: TOKEN, intervall: 1000 },
    // Well-formed for lib/, refused by the transport's URL parser.
    { url: 'http://user@127.0.0.1:9', token: TOKEN }, { url: 'http://127.0.0.1:9/?q=1', token: TOKEN },
  ];
  for (const options of bad) {
    assertCode(() => db.sync(options), 'ERR_INVALID_ARG', undefined);
  }
  // Checked when the transport is built: a CA for https that is not PEM.
  assertCode(() => db.sync({ url: 'https://127.0.0.1:9', token: TOKEN, ca: 'not a certificate' }), 'ERR_INVALID_ARG');
  // A database the engine cannot open a second connection to, and a closed one.
  const memory = openDatabase(':memory:');
  assertCode(() => memory.sync({ url, token: TOKEN }), 'ERR_INVALID_ARG', /in-memory/);
  memory.close();
  const closed = openDevice(tempDir(t), 'closed.db');
  closed.close();
  assertCode(() => closed.sync({ url, token: TOKEN }), 'ERR_CLOSED');
});

test('a client with every option set is created idle; after close() it refuses to start', async (t) => {
  const db = openDevice(tempDir(t), 'device.db');
  const exitListeners = process.listenerCount('exit');
  const sync = db.sync({
    url: 'https://sync.example.test/prefix', getToken: async () => TOKEN, batchSize: 1000, pullLimit: 5000,
    live: false, interval: 100, retry: { initialDelay: 1, maxDelay: 10, factor: 1, jitter: 0 }, debounce: 0,
    maxDebounce: 0, conflictTimeout: 1,
  });
  assert.equal(sync.closed, false);
  assert.equal(typeof sync.on, 'function');
  assert.equal(sync.onConflict(() => ({ use: 'local' })), sync);
  assert.equal(sync.onConflict(null), sync);
  assertCode(() => sync.onConflict('local'), 'ERR_INVALID_ARG');
  // One 'exit' listener closes every live client at process.exit(); it goes with the last of them.
  const other = db.sync({ url: 'http://127.0.0.1:9', token: TOKEN });
  assert.equal(process.listenerCount('exit'), exitListeners + 1);
  other.close();
  assert.equal(process.listenerCount('exit'), exitListeners + 1);
  sync.close();
  sync.close();  // idempotent
  assert.equal(process.listenerCount('exit'), exitListeners);
  assert.equal(sync.closed, true);
  assertCode(() => sync.start(), 'ERR_CLOSED');
  await assertRejectsWithCode(sync.syncNow(), 'ERR_CLOSED');
  assert.equal(await sync.stop(), undefined);
});

test('syncNow pushes and pulls through the server; events have their documented shapes', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const a = openDevice(tmp, 'a.db');
  const b = openDevice(tmp, 'b.db');
  const big = 2n ** 60n + 1n;
  a.run('INSERT INTO lessons (id, student, minutes, note, data) VALUES (?, ?, ?, ?, ?)',
    ['l1', 'Ada', 90, 'first', Buffer.from([0, 1, 2, 255])]);
  a.run('INSERT INTO lessons (id, student, minutes, note) VALUES (?, ?, ?, ?)', ['l2', 'Bob', big, null]);
  a.run('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)', ['l3', 'Cy', 45.5]);

  const syncA = a.sync(syncOptions(server.url));
  const logA = recordEvents(syncA, ['status', 'progress']);
  const resultA = await syncA.syncNow();
  assert.deepEqual(Object.keys(resultA), ['pushed', 'pulled', 'conflicts', 'ms']);
  assert.equal(resultA.pushed, 3);
  assert.equal(resultA.conflicts, 0);
  assert.ok(Number.isInteger(resultA.ms) && resultA.ms >= 0);
  assert.equal(a.pendingChanges(), 0);
  assert.equal((await serverRows(server.url)).rows.length, 3);
  for (const status of logA.status) assertStatusShape(status);
  assert.deepEqual(logA.status.map((s) => s.state), ['syncing', 'idle']);
  assert.equal(logA.status[1].pending, 0);
  assert.ok(Math.abs(logA.status[1].lastSyncAt - Date.now()) < 60000, 'lastSyncAt is a recent wall-clock time');
  const push = logA.progress.filter((p) => p.phase === 'push');
  assert.ok(push.length >= 1);
  assert.deepEqual(Object.keys(push.at(-1)), ['phase', 'done', 'total', 'bytes']);
  assert.equal(push.at(-1).done, 3);
  assert.equal(push.at(-1).total, 3);
  assert.ok(push.at(-1).bytes > 0);

  const syncB = b.sync(syncOptions(server.url));
  const logB = recordEvents(syncB, ['status', 'progress', 'change']);
  const resultB = await syncB.syncNow();
  assert.equal(resultB.pushed, 0);
  assert.equal(resultB.pulled, 3);
  assert.deepEqual(lessons(b), lessons(a));
  const row = b.get('SELECT * FROM lessons WHERE id = ?', ['l1']);
  assert.ok(Buffer.isBuffer(row.data));
  assert.deepEqual([...row.data], [0, 1, 2, 255]);
  assert.equal(b.get('SELECT minutes FROM lessons WHERE id = ?', ['l2']).minutes, big);
  assert.deepEqual(logB.change, [{ tables: ['lessons'], count: 3 }]);
  const pullProgress = logB.progress.filter((p) => p.phase === 'pull');
  assert.ok(pullProgress.length >= 1 && pullProgress.at(-1).done === 3 && pullProgress.at(-1).bytes > 0);
  assert.equal(logB.status.at(-1).state, 'idle');
  syncA.close();
  syncB.close();
});

test('two devices converge both ways, including an update and a delete', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const a = openDevice(tmp, 'a.db');
  const b = openDevice(tmp, 'b.db');
  const syncA = a.sync(syncOptions(server.url));
  const syncB = b.sync(syncOptions(server.url));
  insertLessons(a, 'from-a', 5);
  insertLessons(b, 'from-b', 3);
  await syncA.syncNow();
  await syncB.syncNow();
  await syncA.syncNow();
  assert.equal(lessons(a).length, 8);
  assert.deepEqual(lessons(b), lessons(a));

  // B edits a row A made and deletes another; A edits one of B's.
  b.run('UPDATE lessons SET minutes = 120, note = ? WHERE id = ?', ['longer', 'from-a-1']);
  b.run('DELETE FROM lessons WHERE id = ?', ['from-a-2']);
  a.run('UPDATE lessons SET student = ? WHERE id = ?', ['Zoe', 'from-b-0']);
  a.run('DELETE FROM lessons WHERE id = ?', ['from-b-2']);
  const changes = [];
  syncA.on('change', (event) => changes.push(event));
  await syncB.syncNow();
  await syncA.syncNow();
  await syncB.syncNow();
  assert.deepEqual(lessons(b), lessons(a));
  assert.equal(lessons(a).length, 6);
  assert.deepEqual(a.get('SELECT minutes, note FROM lessons WHERE id = ?', ['from-a-1']), { minutes: 120, note: 'longer' });
  assert.equal(a.get('SELECT * FROM lessons WHERE id = ?', ['from-a-2']), undefined);
  assert.equal(b.get('SELECT student FROM lessons WHERE id = ?', ['from-b-0']).student, 'Zoe');
  assert.equal(b.get('SELECT * FROM lessons WHERE id = ?', ['from-b-2']), undefined);
  assert.ok(changes.some((event) => event.tables.includes('lessons') && event.count >= 2));
  assert.equal(a.pendingChanges(), 0);
  assert.equal(b.pendingChanges(), 0);
  const onServer = await serverRows(server.url);
  assert.equal(onServer.rows.filter((r) => !r.deleted).length, 6);
  syncA.close();
  syncB.close();
});

test('a conflict settled by the merge policy is reported with both sides', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const a = openDevice(tmp, 'a.db');
  const b = openDevice(tmp, 'b.db');
  const syncA = a.sync(syncOptions(server.url));
  const syncB = b.sync(syncOptions(server.url));
  a.run('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)', ['l1', 'Ada', 60]);
  await syncA.syncNow();
  await syncB.syncNow();
  a.run('UPDATE lessons SET minutes = 90 WHERE id = ?', ['l1']);
  // In the same millisecond the clocks' counters, not the order of the writes, would decide which stamp is newer.
  await nextMillisecond();
  b.run('UPDATE lessons SET minutes = 45 WHERE id = ?', ['l1']);  // later: wins by hybrid logical clock
  await syncA.syncNow();
  const conflict = nextEvent(syncB, 'conflict');
  const result = await syncB.syncNow();
  assert.ok(result.conflicts >= 1);
  const event = await conflict;
  assert.deepEqual(Object.keys(event), ['table', 'id', 'columns', 'local', 'remote', 'resolution', 'policy']);
  assert.equal(event.table, 'lessons');
  assert.equal(event.id, 'l1');
  assert.ok(event.columns.includes('minutes'), event.columns);
  assert.deepEqual(event.local, { minutes: 45 });
  // The server's side: its row when the answer carried one (a change applied over it carries none).
  assert.ok(event.remote === null || (typeof event.remote === 'object' && !Array.isArray(event.remote)));
  assert.ok(['local', 'remote', 'merged'].includes(event.resolution));
  assert.equal(event.policy, 'merge');
  await syncA.syncNow();
  assert.deepEqual(lessons(a), lessons(b));
  assert.equal(a.get('SELECT minutes FROM lessons').minutes, 45);
  syncA.close();
  syncB.close();
});

test('manual conflicts go to onConflict: a bad answer leaves the change pending, a merged row settles it', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const a = openDevice(tmp, 'a.db', 'manual');
  const b = openDevice(tmp, 'b.db', 'manual');
  const syncA = a.sync(syncOptions(server.url));
  const syncB = b.sync(syncOptions(server.url, { conflictTimeout: 5000 }));
  a.run('INSERT INTO lessons (id, student, minutes, note) VALUES (?, ?, ?, ?)', ['l1', 'Ada', 60, 'a']);
  await syncA.syncNow();
  await syncB.syncNow();
  a.run('UPDATE lessons SET minutes = 90 WHERE id = ?', ['l1']);
  b.run('UPDATE lessons SET minutes = 45 WHERE id = ?', ['l1']);
  await syncA.syncNow();

  // Without a handler the conflict is not asked; it stays pending, with an error for whoever listens.
  const errors = [];
  syncB.on('error', (error) => errors.push(error));
  await syncB.syncNow();
  assert.equal(b.pendingChanges(), 1);
  assert.equal(errors.at(-1).code, 'ERR_CONFLICT_HANDLER');

  // A handler that never answers: the engine's conflictTimeout ends the wait, and the round goes on.
  const patient = b.sync(syncOptions(server.url, { conflictTimeout: 200 }));
  patient.on('error', (error) => errors.push(error));
  patient.onConflict(() => new Promise(() => {}));
  assert.equal((await patient.syncNow()).conflicts, 0);
  assert.equal(errors.at(-1).code, 'ERR_CONFLICT_TIMEOUT');
  assert.equal(b.pendingChanges(), 1);
  patient.close();

  const questions = [];
  syncB.onConflict((question) => {
    questions.push(question);
    return { use: 'bogus' };
  });
  await syncB.syncNow();
  assert.equal(questions.length, 1);
  assert.deepEqual(Object.keys(questions[0]), ['table', 'id', 'columns', 'local', 'remote', 'policy']);
  assert.deepEqual(questions[0].columns, ['minutes']);
  assert.equal(questions[0].local.minutes, 45);
  assert.equal(questions[0].remote.minutes, 90);
  assert.equal(questions[0].policy, 'manual');
  assert.equal(errors.at(-1).code, 'ERR_CONFLICT_HANDLER');
  assert.match(errors.at(-1).message, /use/);
  assert.equal(b.pendingChanges(), 1, 'an unusable answer loses nothing');

  // A row value the store cannot hold is refused the same way, then a good merged row settles it.
  syncB.onConflict(() => ({ use: 'merged', row: { minutes: undefined } }));
  await syncB.syncNow();
  assert.equal(errors.at(-1).code, 'ERR_CONFLICT_HANDLER');
  assert.equal(b.pendingChanges(), 1);
  syncB.onConflict(async (question) => ({ use: 'merged', row: { minutes: question.remote.minutes + 5, note: 'merged' } }));
  const conflict = nextEvent(syncB, 'conflict');
  const result = await syncB.syncNow();
  assert.equal(result.conflicts, 1);
  assert.equal((await conflict).resolution, 'merged');
  await waitUntil(async () => (await syncB.syncNow()) && b.pendingChanges() === 0, 'the merged row to be pushed');
  await syncA.syncNow();
  assert.deepEqual(a.get('SELECT minutes, note FROM lessons'), { minutes: 95, note: 'merged' });
  assert.deepEqual(lessons(a), lessons(b));
  syncA.close();
  syncB.close();
});

test('getToken is asked once, its token reused, and asked again with refresh after a 401', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const db = openDevice(tmp, 'device.db');
  insertLessons(db, 'l', 2);
  const calls = [];
  const sync = db.sync({
    url: server.url, live: false,
    getToken: async ({ refresh }) => {
      calls.push(refresh);
      return calls.length === 1 ? 'expired-token' : TOKEN;
    },
  });
  assert.equal((await sync.syncNow()).pushed, 2);
  assert.deepEqual(calls, [false, true]);
  insertLessons(db, 'm', 1);
  assert.equal((await sync.syncNow()).pushed, 1);
  assert.deepEqual(calls, [false, true], 'the refreshed token was reused');
  sync.close();

  // A getToken that throws fails the round with ERR_AUTH and its message.
  const failing = db.sync({ url: server.url, live: false, getToken: () => { throw new Error('no session'); } });
  await assert.rejects(failing.syncNow(), (error) => error.code === 'ERR_AUTH' && /no session/.test(error.message));
  failing.close();
});

test('local writes push on their own while started; live notifications bring remote changes', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const a = openDevice(tmp, 'a.db');
  const b = openDevice(tmp, 'b.db');
  // A long interval: whatever arrives in time came from a local write or the live channel, not from polling.
  const syncA = a.sync(syncOptions(server.url, { live: true, interval: 600000 }));
  const syncB = b.sync(syncOptions(server.url, { live: true, interval: 600000 }));
  const idleA = nextEvent(syncA, 'status', (s) => s.state === 'idle');
  const idleB = nextEvent(syncB, 'status', (s) => s.state === 'idle');
  assert.equal(syncA.start(), syncA);
  syncB.start();
  await Promise.all([idleA, idleB]);
  const arrived = nextEvent(syncB, 'change', (e) => e.tables.includes('lessons'));
  a.run('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)', ['live-1', 'Ada', 30]);
  await arrived;
  assert.deepEqual(b.get('SELECT student, minutes FROM lessons WHERE id = ?', ['live-1']), { student: 'Ada', minutes: 30 });
  // The server announced the row before A's own round read its answer: A's acknowledgement may still be on its way.
  await waitUntil(() => a.pendingChanges() === 0, "A's acknowledgement of the pushed write");
  syncA.close();
  syncB.close();
});

test('stop() then start() resumes, and nothing written meanwhile is lost', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const db = openDevice(tmp, 'device.db');
  const sync = db.sync(syncOptions(server.url, { interval: 600000 }));
  const idle = nextEvent(sync, 'status', (s) => s.state === 'idle' && s.pending === 0);
  sync.start();
  await idle;
  const stopped = nextEvent(sync, 'status', (s) => s.state === 'stopped');
  assert.equal(await sync.stop(), undefined);
  await stopped;
  insertLessons(db, 'while-stopped', 20);
  assert.equal(db.pendingChanges(), 20);
  const resumed = nextEvent(sync, 'status', (s) => s.state === 'idle' && s.pending === 0);
  sync.start();
  await resumed;
  assert.equal(db.pendingChanges(), 0);
  const onServer = await serverRows(server.url);
  assert.equal(onServer.rows.length, 20);
  assert.equal(onServer.lastVersion, 20, 'each change applied once');
  // A stop() racing a syncNow(): the round ends with ERR_STOPPED or completes, and the client still works after.
  insertLessons(db, 'raced', 5);
  const round = sync.syncNow().then(() => 'done', (error) => error.code);
  await sync.stop();
  assert.ok(['done', 'ERR_STOPPED'].includes(await round));
  assert.equal((await sync.syncNow()).conflicts, 0);
  assert.equal(db.pendingChanges(), 0);
  sync.close();
});

test('db.close() during a round ends it cleanly: its promise rejects with ERR_STOPPED and nothing is lost', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const file = 'device.db';
  const db = openDevice(tmp, file);
  const total = 3000;
  insertLessons(db, 'bulk', total);
  const sync = db.sync(syncOptions(server.url, { batchSize: 10 }));
  const pushing = nextEvent(sync, 'progress', (p) => p.phase === 'push');
  const round = sync.syncNow();
  await pushing;
  db.close();
  assert.equal(sync.closed, true, 'db.close() closed its sync client');
  await assertRejectsWithCode(round, 'ERR_STOPPED');
  assertCode(() => sync.start(), 'ERR_CLOSED');

  const reopened = tmp.open(file);
  assert.equal(reopened.get('PRAGMA integrity_check').integrity_check, 'ok');
  assert.equal(reopened.get('SELECT count(*) AS n FROM lessons').n, total);
  assert.ok(reopened.pendingChanges() > 0, 'the round was cut short');
  const again = reopened.sync(syncOptions(server.url, { batchSize: 500 }));
  await again.syncNow();
  assert.equal(reopened.pendingChanges(), 0);
  const onServer = await serverRows(server.url);
  assert.equal(onServer.rows.length, total);
  assert.equal(onServer.lastVersion, total, 'each change applied exactly once');
  again.close();
});

test('an unreachable server: syncNow rejects with ERR_NETWORK, the status goes offline, nothing is lost', async (t) => {
  const tmp = tempDir(t);
  const db = openDevice(tmp, 'device.db');
  insertLessons(db, 'offline', 4);
  const url = `http://127.0.0.1:${await closedPort()}`;
  // No 'error' listener: an unhandled 'error' event must not crash the app.
  const quiet = db.sync(syncOptions(url));
  const offline = nextEvent(quiet, 'status', (s) => s.state === 'offline');
  await assertRejectsWithCode(quiet.syncNow(), 'ERR_NETWORK');
  const status = await offline;
  assertStatusShape(status);
  assert.equal(status.error.code, 'ERR_NETWORK');
  assert.equal(status.pending, 4);
  quiet.close();

  const listened = db.sync(syncOptions(url));
  const error = nextEvent(listened, 'error');
  await assertRejectsWithCode(listened.syncNow(), 'ERR_NETWORK');
  assert.equal((await error).code, 'ERR_NETWORK');
  listened.close();
  assert.equal(db.pendingChanges(), 4);

  const server = await startSyncServer(t, tmp);
  const online = db.sync(syncOptions(server.url));
  assert.equal((await online.syncNow()).pushed, 4);
  assert.equal((await serverRows(server.url)).rows.length, 4);
  online.close();
});
