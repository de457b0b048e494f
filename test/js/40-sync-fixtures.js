'use strict';
// Shared by the sync client tests (40-*, 41-*): a tracked schema, a server per test, waiting on events and polling
// with deadlines (never sleeping), and what the server holds. Not a test file itself.
const assert = require('node:assert/strict');
const net = require('node:net');
const { startServer, pull } = require('./server-harness');

const TOKEN = 'alpha-token';
const TENANT_TOKENS = [`${TOKEN}:school-a`];
const DEADLINE_MS = 15000;
const SCHEMA = 'CREATE TABLE lessons (id TEXT PRIMARY KEY, student TEXT, minutes INTEGER, note TEXT, data BLOB)';

/** Opens `name` in tmp with the lessons table, tracked with `conflict` (default 'merge'). */
function openDevice(tmp, name, conflict = 'merge') {
  const db = tmp.open(name);
  db.exec(SCHEMA);
  db.track('lessons', { conflict });
  return db;
}

/** The reference server on a fresh file in tmp, stopped after the test. */
function startSyncServer(t, tmp) {
  return startServer(t, { db: tmp.file('server.db'), tokens: TENANT_TOKENS });
}

/** Options for a client of `url` with the test token; live off unless asked (tests drive rounds with syncNow). */
function syncOptions(url, extra = {}) {
  return { url, token: TOKEN, live: false, ...extra };
}

/** The next `event` from emitter whose payload satisfies predicate; rejects after ms. */
function nextEvent(emitter, event, predicate = () => true, ms = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching '${event}' event within ${ms} ms`));
    }, ms);
    function listener(payload) {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    }
    emitter.on(event, listener);
  });
}

/** Records every payload of each event in `events` (a map event -> array). */
function recordEvents(emitter, events) {
  const log = {};
  for (const event of events) {
    log[event] = [];
    emitter.on(event, (payload) => log[event].push(payload));
  }
  return log;
}

/** Polls check() every 10 ms until it returns a truthy value (which it resolves with); rejects after ms. */
async function waitUntil(check, what, ms = DEADLINE_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every row the server holds for the tenant, paging to the end: { rows, lastVersion }. */
async function serverRows(url) {
  const rows = [];
  let cursor = 0;
  for (;;) {
    const answer = await pull(url, TOKEN, cursor, 5000);
    if (answer.status !== 200) throw new Error(`pull answered ${answer.status}`);
    rows.push(...answer.body.rows);
    cursor = answer.body.cursor;
    if (!answer.body.more) return { rows, lastVersion: cursor };
  }
}

/** Inserts `count` lessons with ids `${prefix}-${i}` in one transaction. */
function insertLessons(db, prefix, count, minutes = 60) {
  const insert = db.prepare('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run([`${prefix}-${i}`, `student-${i % 7}`, minutes]);
  });
}

function lessons(db) {
  return db.all('SELECT * FROM lessons ORDER BY id');
}

const STATES = ['offline', 'connecting', 'syncing', 'idle', 'error', 'stopped'];

async function assertRejectsWithCode(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof Error, 'a JS Error');
    assert.equal(error.code, code, `wrong code; message: ${error.message}`);
    return true;
  });
}

function assertStatusShape(status) {
  assert.deepEqual(Object.keys(status).filter((key) => key !== 'error'), ['state', 'pending', 'lastSyncAt']);
  assert.ok(STATES.includes(status.state), status.state);
  assert.ok(status.pending === null || Number.isInteger(status.pending));
  assert.ok(status.lastSyncAt === null || Number.isFinite(status.lastSyncAt));
  if ('error' in status) assert.equal(typeof status.error.code, 'string');
}

module.exports = {
  TOKEN, DEADLINE_MS, SCHEMA, openDevice, startSyncServer, syncOptions, nextEvent, recordEvents, waitUntil, closedPort,
  serverRows, insertLessons, lessons, assertRejectsWithCode, assertStatusShape,
};
