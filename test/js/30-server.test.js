'use strict';
// The reference server end to end over real HTTP on 127.0.0.1: the CLI, authentication, tenant isolation, idempotent
// replay, paging, limits, malformed input, gzip, and a restart with nothing lost.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const zlib = require('node:zlib');
const { tempDir } = require('./helpers');
const { startServer, push, pull, authHeaders, lessonChange, PROTOCOL_HEADERS } = require('./server-harness');

const TOKENS = ['alpha-token:school-a', 'beta-token:school-b'];

async function started(t, options = {}) {
  const dir = tempDir(t);
  const db = options.db ?? dir.file('server.db');
  return { server: await startServer(t, { db, tokens: TOKENS, ...options }), db };
}

test('the CLI prints its address first, serves, and stops cleanly on SIGTERM', async (t) => {
  const { server } = await started(t);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const answer = await pull(server.url, 'alpha-token');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { rows: [], cursor: 0, more: false });
  assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

test('tokens come from a tokens file too, and a malformed one stops the server with a clear error', async (t) => {
  const dir = tempDir(t);
  const fs = require('node:fs');
  const file = dir.file('tokens.txt');
  fs.writeFileSync(file, '# driving schools\n\nfile-token:school-c\n');
  const server = await startServer(t, { db: dir.file('server.db'), tokens: [], args: ['--tokens-file', file] });
  assert.equal((await pull(server.url, 'file-token')).status, 200);
  assert.equal((await pull(server.url, 'alpha-token')).status, 401);
  fs.writeFileSync(file, 'no-colon-here\n');
  const { spawnSync } = require('node:child_process');
  const { BINARY } = require('./server-harness');
  const refused = spawnSync(BINARY, ['--port', '0', '--db', dir.file('other.db'), '--tokens-file', file],
    { encoding: 'utf8', timeout: 10000 });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /tokens\.txt:1: .*TOKEN:TENANT/);
});

test('a wrong number for any option stops the server with exit code 2 and names the option', (t) => {
  const dir = tempDir(t);
  const { spawnSync } = require('node:child_process');
  const { BINARY } = require('./server-harness');
  const cases = [['--port', '65536'], ['--port', '80x'], ['--port', ' 8080'], ['--port', '+8080'], ['--threads', '0'],
    ['--threads', 'two'], ['--threads', '-1'], ['--threads', '257'], ['--live-ping-seconds', '0'],
    ['--live-ping-seconds', '1.5'], ['--live-ping-seconds', ' 5'], ['--live-ping-seconds', '86401'],
    ['--row-index-flush', '+7'], ['--row-index-flush', '99999999999999999999'], ['--threads']];
  for (const [flag, value] of cases) {
    const args = ['--port', '0', '--db', dir.file('server.db'), '--token', 'a:b', flag];
    if (value !== undefined) args.push(value);
    const refused = spawnSync(BINARY, args, { encoding: 'utf8', timeout: 10000 });
    const seen = `${flag} ${JSON.stringify(value)}: ${refused.status} ${refused.stderr}`;
    assert.equal(refused.status, 2, seen);
    assert.equal(refused.stdout, '', seen);
    assert.match(refused.stderr, new RegExp(`offline-sync-server: ${flag} needs `), seen);
  }
});

test('every request needs a valid bearer token and the protocol header', async (t) => {
  const { server } = await started(t);
  const missing = await fetch(`${server.url}/v1/pull`, { headers: PROTOCOL_HEADERS });
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error.code, 'ERR_AUTH');
  const forged = await fetch(`${server.url}/v1/pull`, { headers: authHeaders('forged') });
  assert.equal(forged.status, 401);
  const noVersion = await fetch(`${server.url}/v1/pull`, { headers: { Authorization: 'Bearer alpha-token' } });
  assert.equal(noVersion.status, 400);
  assert.equal((await noVersion.json()).error.code, 'ERR_PROTOCOL_VERSION');
  assert.equal(noVersion.headers.get('x-offline-sync-protocol'), '1');
});

test('unknown routes are 404, wrong methods 405, other media types 415', async (t) => {
  const { server } = await started(t);
  const unknown = await fetch(`${server.url}/v2/anything`, { headers: authHeaders('alpha-token') });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, 'ERR_NOT_FOUND');
  const wrongMethod = await fetch(`${server.url}/v1/push`, { headers: authHeaders('alpha-token') });
  assert.equal(wrongMethod.status, 405);
  const text = await push(server.url, 'alpha-token', '{}', { 'Content-Type': 'text/plain' });
  assert.equal(text.status, 415);
});

test('malformed bodies and parameters are 400 with a code, and change nothing', async (t) => {
  const { server } = await started(t);
  for (const body of ['', 'not json', '{"deviceId": 5, "changes": []}', '{"changes": [', '[]']) {
    const answer = await push(server.url, 'alpha-token', body);
    assert.equal(answer.status, 400, body);
    assert.equal(answer.body.error.code, 'ERR_PROTOCOL', body);
  }
  for (const query of ['cursor=-1', 'cursor=abc', 'limit=0', 'limit=100000', 'cursor=99999999999999999999']) {
    const response = await fetch(`${server.url}/v1/pull?${query}`, { headers: authHeaders('alpha-token') });
    assert.equal(response.status, 400, query);
  }
  assert.equal((await pull(server.url, 'alpha-token')).body.cursor, 0);
});

test('a body over the limit is refused with 413, plain or as a gzip bomb', async (t) => {
  const { server } = await started(t);
  const huge = JSON.stringify({ deviceId: 'd', changes: [], padding: 'x'.repeat(9 * 1024 * 1024) });
  const plain = await fetch(`${server.url}/v1/push`, {
    method: 'POST', headers: { ...authHeaders('alpha-token'), 'Content-Type': 'application/json' }, body: huge,
  }).catch((error) => ({ status: 'reset', error }));
  assert.ok(plain.status === 413 || plain.status === 'reset', `status ${plain.status}`);
  const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
  const inflated = await push(server.url, 'alpha-token', bomb, { 'Content-Encoding': 'gzip' });
  assert.equal(inflated.status, 413);
  assert.equal(inflated.body.error.code, 'ERR_TOO_LARGE');
  assert.equal((await pull(server.url, 'alpha-token')).status, 200, 'the server is still serving');
});

test('a push is applied once: a replay returns the same results and applies nothing twice', async (t) => {
  const { server } = await started(t);
  const request = { deviceId: 'office', changes: [lessonChange('office', 1), lessonChange('office', 2)] };
  const first = await push(server.url, 'alpha-token', request);
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.results.map((r) => [r.id, r.status, r.version]),
    [['office:1', 'applied', 1], ['office:2', 'applied', 2]]);
  assert.equal(first.body.cursor, 2);
  const replay = await push(server.url, 'alpha-token', request);
  assert.deepEqual(replay.body, first.body);
  const rows = (await pull(server.url, 'alpha-token')).body.rows;
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].columns, { student_id: 'student-1', minutes: 90, status: 'booked', price: 45.5 });
});

test('a change that breaks a rule is rejected alone, with its reason, and the rest is applied', async (t) => {
  const { server } = await started(t);
  const bad = lessonChange('office', 1, { table: 'bad table' });
  const tooBig = lessonChange('office', 2, { columns: { notes: 'x'.repeat(1024 * 1024 + 1) } });
  const foreign = lessonChange('laptop', 3);
  const good = lessonChange('office', 4);
  const answer = await push(server.url, 'alpha-token', { deviceId: 'office', changes: [bad, tooBig, foreign, good] });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.results.map((r) => [r.status, r.code]),
    [['rejected', 'ERR_TABLE'], ['rejected', 'ERR_TOO_LARGE'], ['rejected', 'ERR_CHANGE_ID'], ['applied', undefined]]);
  assert.ok(answer.body.results.every((r) => r.status !== 'rejected' || r.reason.length > 0));
  assert.deepEqual((await pull(server.url, 'alpha-token')).body.rows.map((row) => row.row), ['lesson-4']);
});

test('a tenant never sees or overwrites another tenant\'s rows, even with the same ids', async (t) => {
  const { server } = await started(t);
  await push(server.url, 'alpha-token', { deviceId: 'a1', changes: [lessonChange('a1', 1)] });
  const other = lessonChange('b1', 1, { columns: { status: 'cancelled' } });
  const answer = await push(server.url, 'beta-token', { deviceId: 'b1', changes: [other] });
  assert.equal(answer.body.results[0].status, 'applied');
  assert.equal(answer.body.results[0].version, 1, 'each tenant has its own sequence');
  const a = (await pull(server.url, 'alpha-token')).body.rows;
  const b = (await pull(server.url, 'beta-token')).body.rows;
  assert.equal(a.length, 1);
  assert.equal(a[0].columns.status, 'booked');
  assert.deepEqual(b.map((row) => row.columns), [{ status: 'cancelled' }]);
});

test('pull pages through every row exactly once, in version order', async (t) => {
  const { server } = await started(t);
  const changes = Array.from({ length: 25 }, (_, i) => lessonChange('office', i + 1));
  await push(server.url, 'alpha-token', { deviceId: 'office', changes });
  const seen = [];
  let cursor = 0;
  let pages = 0;
  for (;;) {
    const page = (await pull(server.url, 'alpha-token', cursor, 10)).body;
    pages += 1;
    seen.push(...page.rows.map((row) => row.version));
    cursor = page.cursor;
    if (!page.more) break;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i + 1));
  const beyond = (await pull(server.url, 'alpha-token', 1000)).body;
  assert.deepEqual(beyond, { rows: [], cursor: 1000, more: false });
});

test('gzip works both ways', async (t) => {
  const { server } = await started(t);
  const request = { deviceId: 'office', changes: Array.from({ length: 50 }, (_, i) => lessonChange('office', i + 1)) };
  const answer = await push(server.url, 'alpha-token', zlib.gzipSync(JSON.stringify(request)),
    { 'Content-Encoding': 'gzip' });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.results.length, 50);
  const response = await fetch(`${server.url}/v1/pull`, { headers: { ...authHeaders('alpha-token'), 'Accept-Encoding': 'gzip' } });
  assert.equal(response.headers.get('content-encoding'), 'gzip');
  assert.equal((await response.json()).rows.length, 50, 'fetch inflates it');
});

test('a restart loses nothing and the sequence continues', async (t) => {
  const dir = tempDir(t);
  const db = dir.file('server.db');
  const first = await startServer(t, { db, tokens: TOKENS });
  await push(first.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 1), lessonChange('office', 2)] });
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
  const second = await startServer(t, { db, tokens: TOKENS });
  assert.equal((await pull(second.url, 'alpha-token')).body.rows.length, 2);
  const replay = await push(second.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 2)] });
  assert.equal(replay.body.results[0].version, 2, 'the change id is remembered across the restart');
  const next = await push(second.url, 'alpha-token', { deviceId: 'office', changes: [lessonChange('office', 3)] });
  assert.equal(next.body.results[0].version, 3);
});

test('SIGTERM lets a request already being received finish', async (t) => {
  const { server } = await started(t);
  const body = JSON.stringify({ deviceId: 'office', changes: [lessonChange('office', 1)] });
  const port = Number(new URL(server.url).port);
  const socket = net.connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  const head = `POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alpha-token\r\nX-Offline-Sync-Protocol: 1\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  socket.write(head + body.slice(0, 10));
  let received = '';
  socket.on('data', (chunk) => { received += chunk; });
  // The headers are in once the server accepted the connection and read them; a second request proves it reads.
  await pull(server.url, 'alpha-token');
  server.child.kill('SIGTERM');
  socket.write(body.slice(10));
  await new Promise((resolve) => socket.once('close', resolve));
  assert.match(received, /^HTTP\/1\.1 200 OK/);
  assert.match(received, /"status":"applied"/);
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});
