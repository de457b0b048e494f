'use strict';
// Hostile input against the reference server, beyond 30-server.test.js (missing/forged tokens, 404/405/415, bad
// bodies, 413, gzip bomb, same-id tenant isolation): identifiers built to inject SQL, row ids with path escapes and
// control characters, odd paths and query strings, look-alike tokens, ambiguous or oversized headers, lying
// Content-Length, endless chunked bodies, slowloris and many idle connections. Each case asserts a status and an
// error code (or a closed connection where HTTP allows nothing better) and that neither tenant's data changed.
// Raw sockets where fetch cannot express the request. The tests run concurrently (each with its own server) so the
// 30 s timeout cases do not add up.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { tempDir } = require('./helpers');
const { startServer, push, pull, authHeaders, lessonChange } = require('./server-harness');

const TOKENS = ['alpha-token:school-a', 'beta-token:school-b'];
// src/server/http_server.h: ServerOptions::requestTimeout, the deadline to read one request (headers and body).
const REQUEST_TIMEOUT_MS = 30000;
const TIMEOUT_MARGIN_MS = 5000;
const BODY_LIMIT = 8 * 1024 * 1024;
const HEAD = 'Host: 127.0.0.1\r\nX-Offline-Sync-Protocol: 1\r\n';

async function started(t) {
  const dir = tempDir(t);
  const server = await startServer(t, { db: dir.file('server.db'), tokens: TOKENS });
  // A base for "nothing changed": one row per tenant, same id.
  await push(server.url, 'alpha-token', { deviceId: 'a1', changes: [lessonChange('a1', 1)] });
  const betaRow = lessonChange('b1', 1, { row: 'lesson-b', columns: { status: 'b' } });
  await push(server.url, 'beta-token', { deviceId: 'b1', changes: [betaRow] });
  const port = Number(new URL(server.url).port);
  return { server, port, dir, before: await snapshot(server.url) };
}

/** Both tenants' complete pull, as text: equal snapshots mean nothing changed. */
async function snapshot(url) {
  const pages = [];
  for (const token of ['alpha-token', 'beta-token']) {
    const answer = await pull(url, token, 0, 5000);
    assert.equal(answer.status, 200, 'the server still serves pulls');
    pages.push(answer.body);
  }
  return JSON.stringify(pages);
}

async function assertUnchanged(context) {
  assert.equal(await snapshot(context.server.url), context.before, 'a hostile request changed the data');
}

/**
 * Writes `parts` (strings or Buffers; a function part is called with the socket) to a fresh connection, optionally
 * half-closes, and collects the bytes until the server closes or `ms` pass. Never rejects.
 */
function exchange(port, parts, { end = false, ms = 5000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    let error = null;
    const timer = setTimeout(() => { socket.destroy(); finish(false); }, ms);
    function finish(closedByServer) {
      clearTimeout(timer);
      resolve({ closedByServer, error, ...parseResponse(Buffer.concat(chunks).toString('latin1')) });
    }
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (e) => { error = e.code; });
    socket.on('close', () => finish(true));
    socket.once('connect', async () => {
      for (const part of parts) {
        if (typeof part === 'function') await part(socket); else socket.write(part);
      }
      if (end) socket.end();
    });
  });
}

/** The first response in `text`: { raw, status, headers, json } (status null when nothing came back). */
function parseResponse(text) {
  const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/.exec(text);
  if (!match) return { raw: text, status: null, headers: {}, json: null };
  const headers = Object.fromEntries(match[2].split('\r\n').map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  }));
  const body = text.slice(match[0].length, match[0].length + Number(headers['content-length'] ?? 0));
  let json = null;
  try { json = JSON.parse(body); } catch { /* not JSON: json stays null */ }
  return { raw: text, status: Number(match[1]), headers, json };
}

function request(method, target, headers = '', body = '') {
  return `${method} ${target} HTTP/1.1\r\n${HEAD}${headers}\r\n${body}`;
}

const AUTH = 'Authorization: Bearer alpha-token\r\n';
const JSON_TYPE = 'Content-Type: application/json\r\n';

function assertError(answer, status, code, what) {
  const seen = `${what}: ${answer.status} ${JSON.stringify(answer.json ?? answer.raw.slice(0, 200))}`;
  assert.equal(answer.status, status, seen);
  assert.equal(answer.json?.error?.code, code, seen);
}

/** The result of one change pushed by tenant a's device a1 (a single-change push must answer 200). */
async function pushOne(url, change) {
  const answer = await push(url, 'alpha-token', { deviceId: 'a1', changes: [change] });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.results[0];
}

describe('hostile input against the server', { concurrency: true }, () => {
  test('table and column names built to inject SQL or reach internal tables are rejected, and change nothing',
    async (t) => {
      const context = await started(t);
      const names = ['lessons; DROP TABLE lessons', 'lessons"; DROP TABLE x; --', '"a" --', "a'b", "' OR 1=1 --",
        'les sons', 'lessøns', 'léçons', '𝔩essons', '_sync_outbox', '_SYNC_changes', '_sync_', 'sqlite_master',
        'SQLITE_SCHEMA', 'sqlite_sequence', '1lessons', '', 'x'.repeat(65), 'lessons\u0000', 'lessons/../x', '[x]',
        '`x`'];
      let n = 100;
      for (const name of names) {
        const asTable = await pushOne(context.server.url, lessonChange('a1', n++, { table: name }));
        assert.deepEqual([asTable.status, asTable.code], ['rejected', 'ERR_TABLE'], `table ${JSON.stringify(name)}`);
        const asColumn = await pushOne(context.server.url, lessonChange('a1', n++, { columns: { [name]: 1 } }));
        assert.deepEqual([asColumn.status, asColumn.code], ['rejected', 'ERR_COLUMN'],
          `column ${JSON.stringify(name)}`);
      }
      for (const deviceId of ["a1'; DROP TABLE x; --", 'a1"', 'a 1', '../a1', 'ä1']) {
        const answer = await push(context.server.url, 'alpha-token',
          { deviceId, changes: [lessonChange(deviceId, 1)] });
        assertError({ status: answer.status, json: answer.body, raw: '' }, 400, 'ERR_PROTOCOL', deviceId);
      }
      await assertUnchanged(context);
      const good = await pushOne(context.server.url, lessonChange('a1', n++));
      assert.equal(good.status, 'applied', 'tables still work afterwards');
    });

  test('row ids with path escapes are plain data; control characters, NUL and overlong ids are rejected',
    async (t) => {
      const context = await started(t);
      const refused = ['a\u0000b', '\u0000', 'line\nbreak', 'tab\there', '\u001b[31m', 'del\u007f', 'x'.repeat(129),
        'é'.repeat(65), ''];
      let n = 100;
      for (const row of refused) {
        const result = await pushOne(context.server.url, lessonChange('a1', n++, { row }));
        assert.deepEqual([result.status, result.code], ['rejected', 'ERR_ROW_ID'], `row ${JSON.stringify(row)}`);
      }
      // Bytes that are not UTF-8, and a lone surrogate, in a row id: the body is not valid JSON text.
      const change = JSON.stringify({ deviceId: 'a1', changes: [lessonChange('a1', n++, { row: 'MARK' })] });
      for (const replacement of [Buffer.from([0xff, 0xfe]), Buffer.from('\\ud800')]) {
        const [head, tail] = change.split('MARK');
        const body = Buffer.concat([Buffer.from(head), replacement, Buffer.from(tail)]);
        const answer = await push(context.server.url, 'alpha-token', body);
        const rejectedAlone = answer.status === 200 && answer.body.results[0].code === 'ERR_ROW_ID';
        assert.ok(rejectedAlone || (answer.status === 400 && answer.body.error.code === 'ERR_PROTOCOL'),
          `${replacement}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await assertUnchanged(context);
      const data = ['../../etc/passwd', '..\\..\\boot.ini', '%2e%2e%2f%2e%2e%2fserver.db', '/v1/push', "'; DROP --",
        'ünïcödé 🚗 lesson'];
      for (const row of data) {
        assert.equal((await pushOne(context.server.url, lessonChange('a1', n++, { row }))).status, 'applied', row);
      }
      const rows = (await pull(context.server.url, 'alpha-token', 0, 5000)).body.rows.map((row) => row.row);
      for (const row of data) assert.ok(rows.includes(row), `row ${row} comes back verbatim`);
      assert.deepEqual(fs.readdirSync(context.dir.dir).filter((file) => !file.startsWith('server.db')), [],
        'no file was created beside the database');
    });

  test('another tenant\'s token reaches none of the first tenant\'s rows, device ids or change ids', async (t) => {
    const context = await started(t);
    const [a] = (await pull(context.server.url, 'alpha-token')).body.rows;
    // Tenant b replays tenant a's exact device and change id: a new change for b (b's next version, 2), not a's
    // recorded answer (version 1), which would tell b what a did.
    const replay = await push(context.server.url, 'beta-token',
      { deviceId: 'a1', changes: [lessonChange('a1', 1, { columns: { status: 'stolen' } })] });
    assert.deepEqual(replay.body.results, [{ id: 'a1:1', status: 'applied', version: 2 }]);
    // Then it updates and deletes a's row id, at a's version.
    const update = lessonChange('b1', 2, { row: a.row, op: 'update', baseVersion: a.version, columns: { minutes: 1 } });
    const erase = lessonChange('b1', 3, { row: a.row, op: 'delete', baseVersion: 3, columns: {} });
    const answer = await push(context.server.url, 'beta-token', { deviceId: 'b1', changes: [update, erase] });
    assert.deepEqual(answer.body.results.map((result) => [result.status, result.version]),
      [['applied', 3], ['applied', 4]]);
    assert.deepEqual((await pull(context.server.url, 'alpha-token')).body.rows, [a], 'a\'s row is untouched');
    const b = (await pull(context.server.url, 'beta-token')).body.rows;
    assert.deepEqual(b.map((row) => [row.row, row.deleted, row.columns.status]),
      [['lesson-b', false, 'b'], [a.row, true, 'stolen']], 'b sees only its own rows and values');
    // A cursor below a's versions from b, or above b's, shows nothing of a's either.
    assert.deepEqual((await pull(context.server.url, 'beta-token', 4)).body.rows, []);
  });

  test('pull refuses odd cursor and limit values with 400 ERR_PROTOCOL and accepts the extremes', async (t) => {
    const context = await started(t);
    for (const query of ['cursor=9223372036854775808', 'cursor=-1', 'cursor=', 'cursor=%31', 'cursor=1e3',
      'cursor=0x10', 'cursor=+1', 'cursor=1.5', 'limit=-1', 'limit=5001', 'limit=', 'limit=9223372036854775807',
      'limit=1%00', `cursor=${'9'.repeat(5000)}`]) {
      const response = await fetch(`${context.server.url}/v1/pull?${query}`, { headers: authHeaders('alpha-token') });
      const json = await response.json();
      assertError({ status: response.status, json, raw: '' }, 400, 'ERR_PROTOCOL', query.slice(0, 40));
    }
    const top = await fetch(`${context.server.url}/v1/pull?cursor=9223372036854775807&limit=5000`,
      { headers: authHeaders('alpha-token') });
    assert.deepEqual(await top.json(), { rows: [], cursor: 9223372036854775807, more: false });
    const junk = `cursor=0&${Array.from({ length: 800 }, (_, i) => `p${i}=x`).join('&')}`;  // ~8 KB of parameters
    const long = await fetch(`${context.server.url}/v1/pull?${junk}`, { headers: authHeaders('alpha-token') });
    assert.equal(long.status, 200);
    await assertUnchanged(context);
  });

  test('paths with .., encoded slashes, other spellings or a NUL are not routed', async (t) => {
    const context = await started(t);
    for (const [method, target] of [['GET', '/v1/../v1/pull'], ['GET', '/v1/./pull'], ['GET', '/v1%2Fpull'],
      ['GET', '/v1/pull/'], ['GET', '//v1/pull'], ['GET', '/V1/PULL'], ['GET', 'http://127.0.0.1/v1/pull'],
      ['GET', '/v1/pull%00'], ['GET', '/v1/pull;x'], ['POST', '/v1/push/../push'], ['POST', '/v1%2fpush'],
      ['GET', '/v1/pull/../../../etc/passwd'], ['GET', '*']]) {
      const body = method === 'POST' ? JSON.stringify({ deviceId: 'a1', changes: [lessonChange('a1', 50)] }) : '';
      const answer = await exchange(context.port, [request(method, target,
        `${AUTH}${JSON_TYPE}Content-Length: ${body.length}\r\nConnection: close\r\n`, body)]);
      assertError(answer, 404, 'ERR_NOT_FOUND', `${method} ${target}`);
    }
    const nul = await exchange(context.port, [request('GET', '/v1/pull\u0000', AUTH)]);
    assert.deepEqual([nul.status, nul.closedByServer], [null, true], 'a NUL in the request line: closed, no answer');
    await assertUnchanged(context);
  });

  test('a very long URL (64 KB) is refused with 414 or 431 (or the connection closed)', async (t) => {
    const context = await started(t);
    const target = `/v1/pull?cursor=0&pad=${'a'.repeat(64 * 1024)}`;
    const answer = await exchange(context.port, [request('GET', target, AUTH)]);
    assert.ok(answer.closedByServer, 'the connection is closed');
    assert.ok(answer.status === null || answer.status === 414 || answer.status === 431,
      `expected 414 URI Too Long or 431, got ${answer.raw.slice(0, 220)}`);
    await assertUnchanged(context);
  });

  test('look-alike tokens (other case, extra or missing characters, another scheme) are 401 ERR_AUTH', async (t) => {
    const context = await started(t);
    for (const value of ['Bearer ALPHA-TOKEN', 'Bearer Alpha-token', 'Bearer alpha-token.', 'Bearer alpha-toke',
      'Bearer  alpha-token', 'Bearer alpha-token x', 'Bearer alpha-token\u000b', 'Bearer alpha-token\u0001',
      'Basic alpha-token', 'Bearer', 'Bearer ', 'Bearer alpha-token:school-a', 'Bearer school-a', 'alpha-token']) {
      const body = JSON.stringify({ deviceId: 'a1', changes: [lessonChange('a1', 60)] });
      const answer = await exchange(context.port, [request('POST', '/v1/push',
        `Authorization: ${value}\r\n${JSON_TYPE}Content-Length: ${body.length}\r\nConnection: close\r\n`, body)]);
      // A control character may also make the request unparseable: then no answer at all, and nothing applied.
      if (answer.status !== null || !/[\u0000-\u001f]/.test(value)) assertError(answer, 401, 'ERR_AUTH', value);
    }
    // Trailing blanks are HTTP's optional whitespace, not part of the header's value (RFC 9110 5.5): the same token.
    const padded = await exchange(context.port,
      [request('GET', '/v1/pull', 'Authorization: Bearer alpha-token \t \r\nConnection: close\r\n')]);
    assert.equal(padded.status, 200);
    await assertUnchanged(context);
  });

  test('only a query parameter named access_token carries a token (not xaccess_token=, not an encoded one)',
    async (t) => {
      const context = await started(t);
      const answers = [];
      for (const query of ['access_token=alpha-token%20', 'access_token=ALPHA-TOKEN', 'xaccess_token=alpha-token',
        'note=access_token=alpha-token', 'cursor=0&my_access_token=alpha-token']) {
        const response = await fetch(`${context.server.url}/v1/pull?${query}`,
          { headers: { 'X-Offline-Sync-Protocol': '1' } });
        answers.push(`${query} -> ${response.status} ${(await response.json()).error?.code ?? 'rows'}`);
      }
      assert.deepEqual(answers.filter((line) => !line.endsWith('401 ERR_AUTH')), [], 'accepted as a token');
    });

  test('two Authorization headers are refused (400 or 401), whichever comes first', async (t) => {
    const context = await started(t);
    const answers = [];
    const pairs = [['alpha-token', 'forged'], ['forged', 'alpha-token'], ['beta-token', 'alpha-token']];
    for (const [first, second] of pairs) {
      const answer = await exchange(context.port, [request('GET', '/v1/pull',
        `Authorization: Bearer ${first}\r\nAuthorization: Bearer ${second}\r\nConnection: close\r\n`)]);
      const tenant = answer.json?.rows?.[0]?.columns?.status === 'b' ? ' (as tenant b)' : '';
      answers.push(`${first}, then ${second} -> ${answer.status}${tenant}`);
    }
    assert.deepEqual(answers.filter((line) => !/-> 40[01]$/.test(line)), [],
      'served despite two Authorization headers');
    await assertUnchanged(context);
  });

  test('a 64 KB header is refused with 431 (or the connection closed), and the server goes on', async (t) => {
    const context = await started(t);
    const pad = `X-Pad: ${'a'.repeat(64 * 1024)}\r\n`;
    const answer = await exchange(context.port, [request('GET', '/v1/pull', `${AUTH}${pad}`)]);
    assert.ok(answer.closedByServer, 'the connection is closed');
    assert.ok(answer.status === null || answer.status === 431,
      `expected 431 Request Header Fields Too Large, got ${answer.raw.slice(0, 220)}`);
    await assertUnchanged(context);
  });

  test('a lying or ambiguous Content-Length applies nothing', async (t) => {
    const context = await started(t);
    const body = JSON.stringify({ deviceId: 'a1', changes: [lessonChange('a1', 70)] });
    const headers = (length) => `${AUTH}${JSON_TYPE}Content-Length: ${length}\r\n`;
    // Shorter: the body ends at the length (400), and the rest is not a request: the connection is closed.
    const shorter = await exchange(context.port, [request('POST', '/v1/push', headers(body.length - 20), body)]);
    assertError(shorter, 400, 'ERR_PROTOCOL', 'Content-Length 20 bytes short');
    assert.ok(shorter.closedByServer);
    // Longer, and the client stops sending: no answer, closed.
    const longer = await exchange(context.port, [request('POST', '/v1/push', headers(body.length + 100), body)],
      { end: true });
    assert.deepEqual([longer.status, longer.closedByServer], [null, true], `longer: ${longer.raw.slice(0, 120)}`);
    // Two different lengths, or a length beside chunked encoding (request smuggling shapes): refused.
    for (const extra of [`Content-Length: ${body.length - 5}\r\n`, 'Transfer-Encoding: chunked\r\n']) {
      const answer = await exchange(context.port, [request('POST', '/v1/push', `${headers(body.length)}${extra}`,
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`)]);
      assert.ok(answer.closedByServer && (answer.status === null || answer.status === 400), `${extra}: ${answer.raw}`);
    }
    await assertUnchanged(context);
  });

  test('an endless chunked body is cut at the 8 MiB limit with 413 ERR_TOO_LARGE', async (t) => {
    const context = await started(t);
    // The client sends 1 MiB past the limit and then nothing, never the last chunk: the body has no end. Only a server
    // that cuts it at the limit answers; one that read on for the end would answer 408 at its 30 s request timeout,
    // after this exchange gave up at 20 s. (Counting what the client sent after the limit measures nothing: the server
    // drains a refused body until the client closes, so the kernel's buffers decide how much more gets written.)
    const stopAt = BODY_LIMIT + 0x100000;
    let sent = 0;
    const chunk = `10000\r\n${' '.repeat(0x10000)}\r\n`;
    const flood = (socket) => new Promise((resolve) => {
      let answered = false;
      const write = () => {
        while (!answered && !socket.destroyed && sent < stopAt) {
          sent += 0x10000;
          if (!socket.write(chunk)) return socket.once('drain', write);
        }
        return resolve();
      };
      // The answer: stop sending and close this side, as a client seeing an early final response should (RFC 9112,
      // 9.5). The server reads on until then, so its close cannot reset the answer away before it is read.
      socket.once('data', () => {
        answered = true;
        socket.end();
        resolve();
      });
      socket.once('close', resolve);
      write();
    });
    const answer = await exchange(context.port, [request('POST', '/v1/push',
      `${AUTH}${JSON_TYPE}Transfer-Encoding: chunked\r\n`), flood], { ms: 20000 });
    assertError(answer, 413, 'ERR_TOO_LARGE', 'endless chunked body');
    assert.ok(answer.closedByServer);
    const huge = await exchange(context.port, [request('POST', '/v1/push',
      `${AUTH}${JSON_TYPE}Transfer-Encoding: chunked\r\n`, 'FFFFFFFFFFFFFFFF\r\n{')]);
    assert.ok(huge.closedByServer && (huge.status === null || huge.status === 413), huge.raw);
    await assertUnchanged(context);
  });

  test('slowloris: drip-fed headers or body are cut at the request timeout while others are served', async (t) => {
    const context = await started(t);
    const drip = (text) => (socket) => {
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= text.length) return clearInterval(timer);
        return socket.write(text[i++]);
      }, 500);
      socket.once('close', () => clearInterval(timer));
    };
    const opened = performance.now();
    const endless = `X-Slow: ${'a'.repeat(1000)}`;
    const body = JSON.stringify({ deviceId: 'a1', changes: [lessonChange('a1', 80)] });
    const slow = [
      exchange(context.port, [drip(request('GET', '/v1/pull', AUTH) + endless)], { ms: 60000 }),
      exchange(context.port, [request('POST', '/v1/push', `${AUTH}${JSON_TYPE}Content-Length: ${body.length}\r\n`),
        drip(body)], { ms: 60000 }),
    ].map((promise) => promise.then((answer) => ({ ...answer, ms: performance.now() - opened })));
    // Meanwhile other clients are served promptly, once a second until both slow connections are gone.
    let done = false;
    Promise.all(slow).then(() => { done = true; });
    let served = 0;
    while (!done) {
      const start = performance.now();
      assert.equal((await pull(context.server.url, 'alpha-token')).status, 200);
      assert.ok(performance.now() - start < 2000, 'a pull took over 2 s beside the slow clients');
      served += 1;
      await Promise.race([Promise.all(slow), new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    for (const [what, answer] of [['headers', await slow[0]], ['body', await slow[1]]]) {
      assert.ok(answer.closedByServer, `the server never closed the slow ${what}`);
      assert.ok(answer.ms < REQUEST_TIMEOUT_MS + TIMEOUT_MARGIN_MS, `slow ${what} closed after ${answer.ms} ms`);
      assert.equal(answer.status, null, `slow ${what} got an answer: ${answer.raw.slice(0, 100)}`);
    }
    assert.ok(served >= 10, `only ${served} pulls were served meanwhile`);
    await assertUnchanged(context);
  });

  test('200 idle connections do not keep a new client from being served, and are dropped at the timeout',
    async (t) => {
      const context = await started(t);
      const opened = performance.now();
      const idle = Array.from({ length: 200 }, (_, i) => exchange(context.port, i % 2 ? ['GET /v1/pu'] : [],
        { ms: REQUEST_TIMEOUT_MS + TIMEOUT_MARGIN_MS * 2 }));
      const start = performance.now();
      assert.equal((await pull(context.server.url, 'alpha-token')).status, 200);
      const change = lessonChange('a1', 90);
      const answer = await push(context.server.url, 'alpha-token', { deviceId: 'a1', changes: [change] });
      assert.equal(answer.body.results[0].status, 'applied');
      assert.ok(performance.now() - start < 3000, 'a client waited over 3 s behind idle connections');
      const closed = await Promise.all(idle);
      assert.ok(closed.every((connection) => connection.closedByServer && connection.status === null),
        'every idle connection was closed by the server, without an answer');
      assert.ok(performance.now() - opened < REQUEST_TIMEOUT_MS + TIMEOUT_MARGIN_MS, 'dropped within the timeout');
    });
});
