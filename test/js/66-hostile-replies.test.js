'use strict';
// A real sync client against a scripted server that answers its push or pull with hostile replies: wrong JSON types,
// numbers beyond 64 bits, missing fields, identifiers built to inject SQL, pages that never end, gzip bombs, endless
// and cut bodies, redirects, odd statuses, an answer that never comes. Each round must reject with a coded error,
// leave the device's rows, pending changes, cursor and row versions as they were, and a later round against the
// reference server must deliver everything exactly once. Transport cases covered in C++ (test/cpp/net/
// http_failures_test.cpp) get one end-to-end representative each.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const zlib = require('node:zlib');
const { tempDir } = require('./helpers');
const { startServer } = require('./server-harness');
const { openDevice, insertLessons, assertRejectsWithCode, waitUntil } = require('./40-sync-fixtures');
const { startScriptedServer, reply, seedLessons, tenantRows, localState } = require('./hostile-support');

const TENANTS = 100;  // one per case: cases never see each other's rows
const tokenOf = (i) => `hostile-token-${i}`;
const ROUND_DEADLINE_MS = 20000;
const BLACK_HOLE_MS = 45000;  // the client's request timeout is 30 s and not configurable (transport_options.h)
const TWO_TO_63 = '9223372036854775808';

let real;            // the reference server, shared; each case has its own tenant
let nextTenant = 0;
const stops = [];

before(async () => {
  const tmp = tempDir();
  stops.push(() => tmp.cleanup());
  const tokens = Array.from({ length: TENANTS }, (_, i) => `${tokenOf(i)}:school-${i}`);
  real = await startServer({ after: (fn) => stops.unshift(fn) }, { db: tmp.file('server.db'), tokens });
});
after(async () => {
  for (const stop of stops) await stop();
});

// A device that pulled the tenant's first two rows; the server then gained two more it has not seen. With
// `pending`, it also holds two local rows not yet pushed.
async function newDevice(t, { pending }) {
  const token = tokenOf(nextTenant++);
  await seedLessons(real.url, token, 1, 2);
  const db = openDevice(tempDir(t), 'device.db');
  const first = db.sync({ url: real.url, token, live: false });
  await first.syncNow();
  first.close();
  await seedLessons(real.url, token, 3, 2);
  if (pending) insertLessons(db, 'local', 2);
  return { db, token, local: pending ? 2 : 0 };
}

function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Against the reference server, the device ends with every row once and the server with each change applied once.
async function assertDeliveredOnce({ db, token, local }) {
  const client = db.sync({ url: real.url, token, live: false });
  await withDeadline(client.syncNow(), ROUND_DEADLINE_MS, 'the recovery round');
  client.close();
  const { rows, lastVersion } = await tenantRows(real.url, token);
  assert.equal(rows.length, 4 + local, 'every row is on the server once');
  assert.equal(lastVersion, 4 + local, 'each change was applied exactly once');
  assert.equal(db.pendingChanges(), 0);
  const onServer = rows.map((r) => ({ id: r.row, student: r.columns.student, minutes: r.columns.minutes }));
  onServer.sort((a, b) => (a.id < b.id ? -1 : 1));
  assert.deepEqual(localState(db).lessons, onServer);
}

// Scripts deriving the hostile answer from the reference server's: `edit` changes the parsed JSON and may return
// raw text instead (for what JSON.stringify cannot write: numbers beyond 2^63, NaN).
const editPush = (edit) => async ({ response, real: forward }) => {
  const answer = (await forward()).json();
  const text = edit(answer);
  reply(response, 200, text === undefined ? answer : text);
};
const editPull = editPush;
const firstRow = (page) => page.rows[0];
const raw = (answer, marker, token) => JSON.stringify(answer).replace(`"${marker}"`, token);

const PUSH_ANSWERS = {
  'status as a number': (a) => { a.results[0].status = 1; },
  'an unknown status': (a) => { a.results[0].status = 'accepted'; },
  'version as a string': (a) => { a.results[0].version = String(a.results[0].version); },
  'a fractional version': (a) => { a.results[0].version = 2.5; },
  'a negative version': (a) => { a.results[0].version = -3; },
  'a version of 2^63': (a) => { a.results[0].version = 'BIG'; return raw(a, 'BIG', TWO_TO_63); },
  'a version of 1e400': (a) => { a.results[1].version = 'BIG'; return raw(a, 'BIG', '1e400'); },
  'a bare NaN version': (a) => { a.results[0].version = 'NAN'; return raw(a, 'NAN', 'NaN'); },
  'a "NaN" version string': (a) => { a.results[0].version = 'NaN'; },
  'a cursor of 2^63': (a) => { a.cursor = 'BIG'; return raw(a, 'BIG', TWO_TO_63); },
  'a negative cursor': (a) => { a.cursor = -1; },
  'results not an array': (a) => { a.results = { 0: a.results[0], 1: a.results[1] }; },
  'results null': (a) => { a.results = null; },
  'ids that do not match the batch': (a) => { a.results[1].id = a.results[1].id.replace(/:\d+$/, ':999'); },
  'another device\'s ids': (a) => { for (const r of a.results) r.id = r.id.replace(/^[^:]+/, 'intruder'); },
  'results in the wrong order': (a) => { a.results.reverse(); },
  'duplicate ids': (a) => { a.results[1] = { ...a.results[0] }; },
  'an extra result': (a) => { a.results.push({ ...a.results[1], id: a.results[1].id.replace(/:\d+$/, ':3') }); },
  'a missing result': (a) => { a.results.pop(); },
  'no results at all': (a) => { a.results = []; },
  'missing cursor': (a) => { delete a.cursor; },
  'missing results': (a) => { delete a.results; },
  'a result without status': (a) => { delete a.results[0].status; },
  'an applied result without version': (a) => { delete a.results[0].version; },
  'a merged result without its row': (a) => { Object.assign(a.results[0], { status: 'merged', kept: [] }); },
  'a conflict result with a row for another table': (a) => {
    Object.assign(a.results[0], { status: 'conflict', columns: ['minutes'], row: {
      table: 'lessons; DROP TABLE lessons', row: 'x', version: 1, deleted: false, columns: {}, stamps: {} } });
  },
  'JSON null': () => 'null',
  'a JSON array': () => '[]',
  'truncated JSON': (a) => JSON.stringify(a).slice(0, 20),
  'a body nested 100,000 deep': () => '['.repeat(100000),
};

const goodRow = (page, overrides) => ({ ...firstRow(page), ...overrides });
const PULL_ANSWERS = {
  'a table name built to inject SQL': (p) => { p.rows.push(goodRow(p, { table: 'lessons; DROP TABLE lessons; --' })); },
  'a table name with a quote': (p) => { p.rows.push(goodRow(p, { table: 'lessons"' })); },
  'a _sync_ table': (p) => { p.rows.push(goodRow(p, { table: '_sync_outbox' })); },
  'a column name built to inject SQL': (p) => {
    const row = firstRow(p);
    row.columns['minutes = 0; --'] = 1;
    row.stamps['minutes = 0; --'] = row.stamps.minutes;
  },
  'a row id too long': (p) => { p.rows.push(goodRow(p, { row: 'x'.repeat(129) })); },
  'a boolean value': (p) => { firstRow(p).columns.minutes = true; },
  'an array value': (p) => { firstRow(p).columns.minutes = [1]; },
  'an object value': (p) => { firstRow(p).columns.student = { name: 'x' }; },
  'a $int that is not a number': (p) => { firstRow(p).columns.minutes = { $int: '12abc' }; },
  'a $int beyond 64 bits': (p) => { firstRow(p).columns.minutes = { $int: '99999999999999999999' }; },
  'a $blob that is not base64': (p) => { firstRow(p).columns.student = { $blob: '!!!' }; },
  'a row version as a string': (p) => { firstRow(p).version = String(firstRow(p).version); },
  'a row version of 2^63': (p) => { firstRow(p).version = 'BIG'; return raw(p, 'BIG', TWO_TO_63); },
  'deleted as a string': (p) => { firstRow(p).deleted = 'false'; },
  'a row without stamps': (p) => { delete firstRow(p).stamps; },
  'a stamp missing for a column': (p) => { delete firstRow(p).stamps.minutes; },
  'a stamp with a bad device': (p) => { firstRow(p).stamps.minutes[1] = 'bad device'; },
  'the cursor going backwards': (p) => { p.cursor = 1; },
  'a cursor of 2^63': (p) => { p.cursor = 'BIG'; return raw(p, 'BIG', TWO_TO_63); },
  'a negative cursor': (p) => { p.cursor = -4; },
  'a cursor as a string': (p) => { p.cursor = String(p.cursor); },
  'more as a number': (p) => { p.more = 0; },
  'missing more': (p) => { delete p.more; },
  'missing rows': (p) => { delete p.rows; },
  'rows not an array': (p) => { p.rows = firstRow(p); },
  'more than 5000 rows': (p) => {
    p.rows = Array.from({ length: 5001 }, (_, i) => goodRow(p, { row: `flood-${i}` }));
  },
};

// Pages that accept a row this device cannot use: it is skipped (no table or column of that name is written, nothing
// else is lost), and the rest of the page applies.
const SKIPPED_ROWS = {
  'rows for an untracked table': (p) => { p.rows.push(goodRow(p, { table: 'audit', row: 'audit-1' })); },
  'a column this device does not have': (p) => {
    firstRow(p).columns.ghost = 'boo';
    firstRow(p).stamps.ghost = firstRow(p).stamps.minutes;
  },
};

// Opens a client on the scripted server, runs one round and checks the coded rejection and the untouched device.
async function hostileRound(t, { target, script, code, options = {}, deadline = ROUND_DEADLINE_MS }) {
  const device = await newDevice(t, { pending: target === 'push' });
  const fake = await startScriptedServer(t, real.url, { [target]: script });
  const before = localState(device.db);
  const client = device.db.sync({
    url: fake.url, token: device.token, live: false, retry: { initialDelay: 20, maxDelay: 100 }, ...options,
  });
  t.after(() => client.close());
  const started = Date.now();
  await withDeadline(assertRejectsWithCode(client.syncNow(), code), deadline, 'syncNow()');
  client.close();
  assert.ok(fake.requests[target] >= 1, `the ${target} request reached the script`);
  assert.deepEqual(localState(device.db), before, 'nothing acknowledged, applied or moved');
  return { device, fake, ms: Date.now() - started };
}

describe('hostile replies', { concurrency: true }, () => {
  // Runs alongside the scripted cases: the only way to see this client's request timeout is to wait it out.
  it('an answer that never comes times out with ERR_TIMEOUT after ~30 s', async (t) => {
    const { device, ms } = await hostileRound(t, {
      target: 'pull', script: () => {}, code: 'ERR_TIMEOUT', deadline: BLACK_HOLE_MS,
    });
    assert.ok(ms >= 29000 && ms < 40000, `${ms} ms`);
    await assertDeliveredOnce(device);
  });

  describe('scripted replies', { concurrency: 1 }, () => {
    for (const [name, edit] of Object.entries(PUSH_ANSWERS)) {
      it(`push answered with ${name}: ERR_PROTOCOL, nothing acknowledged`, async (t) => {
        const { device } = await hostileRound(t, { target: 'push', script: editPush(edit), code: 'ERR_PROTOCOL' });
        await assertDeliveredOnce(device);
      });
    }

    for (const [name, edit] of Object.entries(PULL_ANSWERS)) {
      it(`pull answered with ${name}: ERR_PROTOCOL, nothing applied`, async (t) => {
        const { device } = await hostileRound(t, { target: 'pull', script: editPull(edit), code: 'ERR_PROTOCOL' });
        await assertDeliveredOnce(device);
      });
    }

    for (const [name, edit] of Object.entries(SKIPPED_ROWS)) {
      it(`pull with ${name}: that part is skipped, the rest applied`, async (t) => {
        const device = await newDevice(t, { pending: false });
        device.db.exec('CREATE TABLE audit (id TEXT PRIMARY KEY, student TEXT, minutes INTEGER)');
        const fake = await startScriptedServer(t, real.url, { pull: editPull(edit) });
        const client = device.db.sync({ url: fake.url, token: device.token, live: false });
        t.after(() => client.close());
        assert.equal((await withDeadline(client.syncNow(), ROUND_DEADLINE_MS, 'syncNow()')).pulled, 2);
        client.close();
        assert.deepEqual(device.db.all('SELECT * FROM audit'), [], 'an untracked table is never written');
        assert.deepEqual(device.db.all('PRAGMA table_info(lessons)').map((c) => c.name),
          ['id', 'student', 'minutes', 'note', 'data']);
        await assertDeliveredOnce(device);
      });
    }

    it('more: true forever with the same cursor stops after one request', async (t) => {
      const script = ({ response, request }) => {
        const cursor = Number(new URL(request.url, 'http://x').searchParams.get('cursor'));
        reply(response, 200, { rows: [], cursor, more: true });
      };
      const { device, fake } = await hostileRound(t, { target: 'pull', script, code: 'ERR_PROTOCOL' });
      assert.equal(fake.requests.pull, 1);
      await assertDeliveredOnce(device);
    });

    it('more: true forever with empty pages that advance the cursor stops within bounded requests', async (t) => {
      // A page without rows has the request's cursor (docs/PROTOCOL.md): an advancing one is a lie. The script stops
      // the endless paging itself after 200 pages so that a client that believes it ends with ERR_NETWORK, not a hang.
      const script = ({ response, request, count }) => {
        if (count > 200) return response.socket.destroy();
        const cursor = Number(new URL(request.url, 'http://x').searchParams.get('cursor'));
        reply(response, 200, { rows: [], cursor: cursor + 1, more: true });
      };
      const { device, fake } = await hostileRound(t, { target: 'pull', script, code: 'ERR_PROTOCOL' });
      assert.ok(fake.requests.pull <= 10, `${fake.requests.pull} pull requests`);
      await assertDeliveredOnce(device);
    });

    it('a gzip bomb (64 MiB cap) is refused with ERR_PROTOCOL without inflating it', async (t) => {
      const bomb = zlib.gzipSync(Buffer.alloc(80 * 1024 * 1024), { level: 9 });
      const script = ({ response }) => reply(response, 200, bomb, { 'Content-Encoding': 'gzip' });
      const { device } = await hostileRound(t, { target: 'pull', script, code: 'ERR_PROTOCOL' });
      await assertDeliveredOnce(device);
    });

    it('an endless chunked body is cut at the response cap with ERR_PROTOCOL', async (t) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const script = async ({ response }) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.write('{"rows": [');
        // Bounded (256 MiB) so that a client without a cap fails this test instead of hanging it.
        for (let i = 0; i < 256 && !response.destroyed; i++) {
          if (response.write(chunk)) continue;
          await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
        }
        response.end(']}');
      };
      const { device } = await hostileRound(t, { target: 'pull', script, code: 'ERR_PROTOCOL' });
      await assertDeliveredOnce(device);
    });

    it('a push answer cut mid-body after the server applied it: ERR_NETWORK, and the retry applies nothing twice',
      async (t) => {
        const script = async ({ response, real: forward }) => {
          const { text } = await forward();
          response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
          response.write(text.slice(0, text.length >> 1), () => response.socket.destroy());
        };
        const { device } = await hostileRound(t, { target: 'push', script, code: 'ERR_NETWORK' });
        await assertDeliveredOnce(device);
      });

    it('a 200 with an HTML page is ERR_PROTOCOL', async (t) => {
      const script = ({ response }) => reply(response, 200, '<html><body>Captive portal</body></html>',
        { 'Content-Type': 'text/html' });
      const { device } = await hostileRound(t, { target: 'pull', script, code: 'ERR_PROTOCOL' });
      await assertDeliveredOnce(device);
    });

    for (const status of [301, 302, 307]) {
      it(`a ${status} redirect is not followed (the token stays home): ERR_PROTOCOL`, async (t) => {
        let visits = 0;
        const elsewhere = http.createServer((request, response) => {
          visits++;
          response.end();
        });
        await new Promise((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
        t.after(() => new Promise((resolve) => elsewhere.close(resolve)));
        const location = `http://127.0.0.1:${elsewhere.address().port}/v1/push`;
        const script = ({ response }) => reply(response, status, '', { Location: location });
        const { device } = await hostileRound(t, { target: 'push', script, code: 'ERR_PROTOCOL' });
        assert.equal(visits, 0);
        await assertDeliveredOnce(device);
      });
    }

    const STATUSES = [
      ['418 with a text body', 418, 'I am a teapot', 'ERR_PROTOCOL'],
      ['500 with a non-JSON body', 500, '<h1>Internal Server Error</h1>', 'ERR_SERVER'],
      ['502 with an empty body', 502, '', 'ERR_SERVER'],
      ['400 with a code that is not ours', 400, { error: { code: 'x'.repeat(5000), message: 'm' } }, 'ERR_PROTOCOL'],
    ];
    for (const [name, status, body, code] of STATUSES) {
      it(`a push answered ${name}: ${code}`, async (t) => {
        const script = ({ response }) => reply(response, status, body);
        const { device } = await hostileRound(t, { target: 'push', script, code });
        await assertDeliveredOnce(device);
      });
    }

    it('a 429 with a huge Retry-After rejects at once with ERR_BUSY; the client stays usable', async (t) => {
      const script = ({ response }) => reply(response, 429, { error: { code: 'ERR_BUSY', message: 'later' } },
        { 'Retry-After': '999999999' });
      const { device, fake, ms } = await hostileRound(t, { target: 'push', script, code: 'ERR_BUSY' });
      assert.ok(ms < 5000, `${ms} ms`);
      // A started client waits for the server's Retry-After; stop() must not wait with it.
      const client = device.db.sync({ url: fake.url, token: device.token, live: false });
      t.after(() => client.close());
      client.start();
      await waitUntil(() => fake.requests.push >= 2, 'the started round\'s push');
      await withDeadline(client.stop(), 5000, 'stop()');
      client.close();
      await assertDeliveredOnce(device);
    });
  });
});
