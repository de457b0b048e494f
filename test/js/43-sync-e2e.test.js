'use strict';
// The sync client end to end over the reference server on 127.0.0.1, continued: tokens (one refresh after a 401,
// ERR_AUTH when no token works), a 'manual' table settled by the application's onConflict handler, and live mode
// delivering another device's change without polling.
const test = require('node:test');
const assert = require('node:assert/strict');
const { tempDir } = require('./helpers');
const { startServer } = require('./server-harness');
const { openDevice, nextEvent, localTable, tableHash, nextMillisecond } = require('./42-sync-support');

const TENANT = 'school-a';

async function setup(t, tokens) {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: tokens.map((token) => `${token}:${TENANT}`) });
  return { dir, server };
}

test('getToken: a stale token is refreshed exactly once after the 401, and the sync succeeds', async (t) => {
  const { dir, server } = await setup(t, ['T2']);
  const calls = [];
  const getToken = async (...args) => {
    calls.push(args);
    return calls.length === 1 ? 'T1' : 'T2';
  };
  const device = openDevice(dir, 'office', server.url, { sync: { getToken } });
  device.db.run("INSERT INTO lessons (id, student, starts_at, minutes) VALUES ('l-1', 's-1', '2026-12-01T09:00', 90)");
  const outcome = await device.sync.syncNow();
  assert.equal(outcome.pushed, 1);
  assert.equal(device.db.pendingChanges(), 0);
  assert.equal(calls.length, 2, `getToken calls: ${JSON.stringify(calls)}`);
  t.diagnostic(`getToken arguments: ${JSON.stringify(calls)}`);

  // The refreshed token is kept: the next round asks for nothing.
  device.db.run("UPDATE lessons SET minutes = 60 WHERE id = 'l-1'");
  await device.sync.syncNow();
  assert.equal(calls.length, 2);
});

test('with only wrong tokens syncNow rejects with ERR_AUTH, and nothing is lost', async (t) => {
  const { dir, server } = await setup(t, ['T2']);
  let calls = 0;
  const device = openDevice(dir, 'office', server.url, { sync: { getToken: async () => { calls += 1; return `wrong-${calls}`; } } });
  device.db.run("INSERT INTO lessons (id, student, starts_at, minutes) VALUES ('l-1', 's-1', '2026-12-01T09:00', 90)");
  await assert.rejects(device.sync.syncNow(), (error) => error instanceof Error && error.code === 'ERR_AUTH');
  assert.ok(calls >= 1 && calls <= 2, `getToken called ${calls} times: once, and once more to refresh`);
  t.diagnostic(`getToken called ${calls} times`);
  assert.equal(device.db.pendingChanges(), 1, 'the change stays queued');

  const fixed = openDevice(dir, 'laptop', server.url, { token: 'wrong' });
  await assert.rejects(fixed.sync.syncNow(), { code: 'ERR_AUTH' });
});

test("a 'manual' table: the second device's onConflict answers with a merged row, and both devices end with it",
  async (t) => {
    const { dir, server } = await setup(t, ['token']);
    const policies = { lessons: 'manual' };
    const a = openDevice(dir, 'office', server.url, { token: 'token', policies });
    const b = openDevice(dir, 'laptop', server.url, { token: 'token', policies });
    a.db.run(`INSERT INTO lessons (id, student, starts_at, minutes, notes)
              VALUES ('l-1', 's-1', '2026-12-01T09:00', 90, 'base')`);
    await a.sync.syncNow();
    await b.sync.syncNow();
    assert.equal(localTable(b.db, 'lessons')['l-1'].notes, 'base');

    const questions = [];
    const ask = (device) => device.sync.onConflict(async (conflict) => {
      questions.push({ device: device.name, conflict });
      // local holds the local change's columns, remote the server's row: keep both sides' other edits.
      const merged = `${conflict.remote.notes} + ${conflict.local.notes}`;
      return { use: 'merged', row: { ...conflict.remote, ...conflict.local, notes: merged } };
    });
    ask(a);
    ask(b);

    a.db.run("UPDATE lessons SET notes = 'office: paid in cash' WHERE id = 'l-1'");
    await nextMillisecond();
    b.db.run("UPDATE lessons SET notes = 'laptop: parallel parking', minutes = 60 WHERE id = 'l-1'");
    assert.equal((await a.sync.syncNow()).conflicts, 0);
    const second = await b.sync.syncNow();
    await a.sync.syncNow();

    assert.equal(questions.length, 1, 'only the second device is asked');
    assert.equal(questions[0].device, 'laptop');
    const question = questions[0].conflict;
    assert.equal(question.table, 'lessons');
    assert.equal(question.id, 'l-1');
    assert.deepEqual(question.columns, ['notes']);
    assert.equal(question.local.notes, 'laptop: parallel parking');
    assert.equal(question.local.minutes, 60);
    assert.equal(question.remote.notes, 'office: paid in cash');
    assert.equal(second.conflicts, 1);

    const expected = 'office: paid in cash + laptop: parallel parking';
    for (const device of [a, b]) {
      const row = localTable(device.db, 'lessons')['l-1'];
      assert.equal(row.notes, expected, device.name);
      assert.equal(row.minutes, 60, `${device.name}: the laptop's uncontested column was applied`);
      assert.equal(device.db.pendingChanges(), 0, device.name);
    }
    assert.equal(tableHash(a.db, 'lessons'), tableHash(b.db, 'lessons'));
    const event = b.conflicts.find((conflict) => conflict.id === 'l-1');
    assert.ok(event, `laptop's conflict events: ${JSON.stringify(b.conflicts)}`);
    assert.equal(event.resolution, 'merged');
    assert.equal(event.policy, 'manual');
    assert.deepEqual(event.columns, ['notes']);
  });

test('live: a device started with live and a 10-minute interval gets another device\'s change without polling',
  async (t) => {
    const { dir, server } = await setup(t, ['token']);
    const a = openDevice(dir, 'office', server.url, { token: 'token', sync: { live: false } });
    const b = openDevice(dir, 'laptop', server.url, { token: 'token', sync: { live: true, interval: 600000 } });
    const idle = nextEvent(b.sync, 'status', (status) => status.state === 'idle');
    b.sync.start();
    await idle;  // its first round is done; from here on only a live notification can make it pull

    a.db.run("INSERT INTO lessons (id, student, starts_at, minutes) VALUES ('l-live', 's-1', '2026-12-01T09:00', 90)");
    const changed = nextEvent(b.sync, 'change', (change) => change.tables.includes('lessons'), 5000);
    const started = performance.now();
    await a.sync.syncNow();
    const change = await changed;
    t.diagnostic(`delivered ${(performance.now() - started).toFixed(0)} ms after A's syncNow() started`);
    assert.equal(change.count, 1);
    assert.equal(localTable(b.db, 'lessons')['l-live'].student, 's-1');
    await b.sync.stop();
    assert.equal(b.errors.length, 0, b.errors.map((error) => `${error.code}: ${error.message}`).join('; '));
  });

/** Writes 80 lessons with 1 MB notes on `device` and syncs until the server has them all (80 MB in all). */
async function pushLessonsWithLargeNotes(device) {
  const insert = device.db.prepare(`INSERT INTO lessons (id, student, starts_at, minutes, notes)
    VALUES (?, 's-1', '2026-12-01T09:00', 90, ?)`);
  device.db.transaction(() => {
    for (let i = 0; i < 80; i += 1) insert.run([`l-${String(i).padStart(2, '0')}`, String(i % 10).repeat(1000000)]);
  });
  // A 413 halves the batch and fails the round; the next round sends the rest.
  while (device.db.pendingChanges() > 0) await device.sync.syncNow();
}

test('rows too large for one response together arrive in several pull pages: 80 notes of 1 MB each', async (t) => {
  // 80 MB of rows against a client that accepts 64 MiB per response: the server ends each page at its byte bound.
  const { dir, server } = await setup(t, ['token']);
  const a = openDevice(dir, 'office', server.url, { token: 'token' });
  const b = openDevice(dir, 'laptop', server.url, { token: 'token' });
  await pushLessonsWithLargeNotes(a);
  const pages = [];
  b.sync.on('progress', (progress) => { if (progress.phase === 'pull') pages.push(progress.done); });
  const outcome = await b.sync.syncNow();
  assert.equal(outcome.pulled, 80);
  assert.deepEqual(tableHash(b.db, 'lessons'), tableHash(a.db, 'lessons'));
  assert.ok(pages.length >= 10, `pages seen: ${JSON.stringify(pages)}`);
  t.diagnostic(`pull pages (rows so far): ${JSON.stringify(pages)}`);
});

test('a push whose answers carry 80 merged rows of 1 MB each is answered over several smaller batches', async (t) => {
  // Merged answers carry the server's whole row: 80 of them (80 MB) would not fit the 64 MiB a client accepts.
  const { dir, server } = await setup(t, ['token']);
  const a = openDevice(dir, 'office', server.url, { token: 'token' });
  await pushLessonsWithLargeNotes(a);
  // Two devices that have not pushed yet (their batches are whole): both change every lesson's minutes, the
  // laptop later, so its values stay and every answer to the instructor's push of 80 changes is `merged`.
  const b = openDevice(dir, 'laptop', server.url, { token: 'token' });
  const c = openDevice(dir, 'instructor', server.url, { token: 'token' });
  await b.sync.syncNow();
  await c.sync.syncNow();
  c.db.run('UPDATE lessons SET minutes = 60');
  await nextMillisecond();
  b.db.run('UPDATE lessons SET minutes = 45');
  await b.sync.syncNow();
  const pushes = [];
  c.sync.on('progress', (progress) => { if (progress.phase === 'push') pushes.push(progress.done); });
  const outcome = await c.sync.syncNow();
  assert.equal(outcome.pushed, 80);
  assert.equal(c.db.pendingChanges(), 0);
  assert.equal(c.db.prepare('SELECT count(*) AS n FROM lessons WHERE minutes = 45').get().n, 80);
  await b.sync.syncNow();
  assert.deepEqual(tableHash(c.db, 'lessons'), tableHash(b.db, 'lessons'));
  t.diagnostic(`push answers settled (changes so far): ${JSON.stringify(pushes)}`);
  assert.ok(pushes.length >= 2, 'the 80 changes were answered in one push');
});
