'use strict';
// The live channel (/v1/live): a WebSocket that greets with the tenant's cursor and announces every commit, only to
// that tenant. A minimal client over node:http's upgrade keeps the test free of dependencies.
const test = require('node:test');
const assert = require('node:assert/strict');
const { tempDir } = require('./helpers');
const { startServer, push, lessonChange } = require('./server-harness');
const { openLive: openRawLive } = require('../../scripts/fault-proxy/raw-clients');

const TOKENS = ['alpha-token:school-a', 'beta-token:school-b'];
const DEADLINE_MS = 5000;

// Opens /v1/live (scripts/fault-proxy/raw-clients.js); by default it answers pings, as a healthy device does.
function openLive(url, headers, query = '', answerPings = true) {
  return openRawLive(url, headers, { query, answerPings, deadlineMs: DEADLINE_MS });
}

const LIVE_HEADERS = { Authorization: 'Bearer alpha-token', 'X-Offline-Sync-Protocol': '1' };

test('the live channel greets with the cursor and announces each commit to its tenant only', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: TOKENS });
  await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 1)] });
  const alpha = await openLive(server.url, LIVE_HEADERS);
  t.after(() => alpha.close());
  const beta = await openLive(server.url, { Authorization: 'Bearer beta-token', 'X-Offline-Sync-Protocol': '1' });
  t.after(() => beta.close());
  assert.deepEqual(await alpha.next(), { type: 'hello', cursor: 1 });
  assert.deepEqual(await beta.next(), { type: 'hello', cursor: 0 });
  await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 2), lessonChange('office', 3)] });
  assert.deepEqual(await alpha.next(), { type: 'changed', cursor: 3 });
  // A replay changes nothing, so it announces nothing; the next real commit is announced.
  await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 3)] });
  await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 4)] });
  assert.deepEqual(await alpha.next(), { type: 'changed', cursor: 4 });
  await push(server.url, 'beta-token', { deviceId: 'laptop', changes: [lessonChange('laptop', 1)] });
  assert.deepEqual(await beta.next(), { type: 'changed', cursor: 1 });
  assert.equal(alpha.pending(), 0, 'the other tenant\'s commit is not announced here');
});

test('the live channel refuses a missing or forged token and accepts access_token in the query', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: TOKENS });
  await assert.rejects(openLive(server.url, { 'X-Offline-Sync-Protocol': '1' }), (error) => error.status === 401);
  await assert.rejects(openLive(server.url, { Authorization: 'Bearer forged', 'X-Offline-Sync-Protocol': '1' }),
    (error) => error.status === 401);
  const viaQuery = await openLive(server.url, { 'X-Offline-Sync-Protocol': '1' }, '?access_token=alpha-token');
  t.after(() => viaQuery.close());
  assert.deepEqual(await viaQuery.next(), { type: 'hello', cursor: 0 });
});

test('a client that stops reading costs the server one pending message, not a queue', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: TOKENS });
  const live = await openLive(server.url, LIVE_HEADERS);
  t.after(() => live.close());
  assert.equal((await live.next()).type, 'hello');
  for (let n = 1; n <= 50; n += 1) {
    await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', n)] });
  }
  // Every announcement carries the newest cursor, so the last one read is 50 whatever was coalesced.
  let last;
  do last = await live.next(); while (last.cursor < 50);
  assert.deepEqual(last, { type: 'changed', cursor: 50 });
});

test('the server pings; a client that answers stays, one that does not is closed', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: TOKENS, args: ['--live-ping-seconds', '1'] });
  const answering = await openLive(server.url, LIVE_HEADERS);
  t.after(() => answering.close());
  const silent = await openLive(server.url, LIVE_HEADERS, '', false);
  t.after(() => silent.close());
  assert.equal((await answering.next()).type, 'hello');
  assert.equal((await silent.next()).type, 'hello');
  let timer;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the silent client was not closed')), 8000);
  });
  await Promise.race([silent.closed, deadline]);
  clearTimeout(timer);
  assert.ok(silent.pings() >= 1, 'it was pinged before being closed');
  assert.ok(answering.pings() >= 1);
  await push(server.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 1)] });
  assert.deepEqual(await answering.next(), { type: 'changed', cursor: 1 }, 'the answering client is still connected');
});
