'use strict';
// Shared by 66-hostile-replies: a scripted sync server on 127.0.0.1 that forwards each request to the reference server
// unless its script answers it (so a hostile answer can be derived from the real one), a seeding device, and what a
// device's local state is (rows, pending changes, cursor, row versions). Not a test file itself.
const http = require('node:http');
const { push, pull } = require('./server-harness');

/** Reads a request's whole body as a Buffer. */
function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The reference server's answer to the same request: { status, headers, text, json() }. */
async function forward(realUrl, request, body) {
  const headers = {};
  for (const name of ['authorization', 'x-offline-sync-protocol', 'content-type', 'content-encoding']) {
    if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  }
  const response = await fetch(`${realUrl}${request.url}`, {
    method: request.method, headers, body: request.method === 'GET' ? undefined : body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Answers `status` with `body` (an object is sent as JSON). */
function reply(response, status, body, headers = {}) {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const length = Buffer.byteLength(text);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length, ...headers });
  response.end(text);
}

/**
 * A scripted server, closed (with every connection) in t.after. `script.push` / `script.pull` answer those requests:
 * ({ request, response, body, real, count }) where real() forwards to `realUrl` and count is that kind's request
 * number (1-based); an unscripted request is forwarded. `requests` counts what arrived, by kind.
 */
async function startScriptedServer(t, realUrl, script) {
  const requests = { push: 0, pull: 0, other: 0 };
  const server = http.createServer(async (request, response) => {
    const kind = request.url.startsWith('/v1/push') ? 'push' : request.url.startsWith('/v1/pull') ? 'pull' : 'other';
    const count = ++requests[kind];
    try {
      const body = await readBody(request);
      const real = () => forward(realUrl, request, body);
      if (script[kind]) return await script[kind]({ request, response, body, real, count });
      const answer = await real();
      reply(response, answer.status, answer.text);
    } catch (error) {
      // A hostile script may have destroyed the socket already; nothing else is left to answer.
      if (!response.headersSent && !response.destroyed) reply(response, 599, { error: String(error) });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, server };
}

/** Pushes `count` lessons numbered from `first` for the seeding device 'seeder' of the token's tenant. */
async function seedLessons(url, token, first, count) {
  const hlcBase = BigInt(Date.now()) * 65536n;
  const changes = Array.from({ length: count }, (_, i) => ({
    id: `seeder:${first + i}`, table: 'lessons', row: `seed-${first + i}`, op: 'insert', policy: 'merge',
    baseVersion: 0, hlc: String(hlcBase + BigInt(first + i)), columns: { student: `student-${first + i}`, minutes: 30 },
  }));
  const answer = await push(url, token, { deviceId: 'seeder', changes });
  if (answer.status !== 200) throw new Error(`seeding answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** Every row the tenant of `token` holds, paging to the end: { rows, lastVersion }. */
async function tenantRows(url, token) {
  const rows = [];
  for (let cursor = 0; ;) {
    const answer = await pull(url, token, cursor, 5000);
    if (answer.status !== 200) throw new Error(`pull answered ${answer.status}`);
    rows.push(...answer.body.rows);
    cursor = answer.body.cursor;
    if (!answer.body.more) return { rows, lastVersion: cursor };
  }
}

/** What sync may change in a device's file: its rows, its unacknowledged count, its cursor and known row versions. */
function localState(db) {
  return {
    lessons: db.all('SELECT id, student, minutes FROM lessons ORDER BY id'),
    pending: db.pendingChanges(),
    cursor: db.get("SELECT value FROM _sync_meta WHERE key = 'pull_cursor'")?.value ?? null,
    versions: db.all('SELECT table_name, row_id, version FROM _sync_row_versions ORDER BY table_name, row_id'),
  };
}

module.exports = { startScriptedServer, reply, seedLessons, tenantRows, localState };
