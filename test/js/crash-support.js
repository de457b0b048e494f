'use strict';
// Crash trials, shared by test/js/61-crash.test.js and scripts/crash-trials.js. Not a test file itself.
//
// Client killed: a child (crash-writer.js) writes to a tracked table while its live sync client pushes, and is killed
// with SIGKILL after a seeded number of acknowledged writes, one to three times in a row on the same file. After each
// kill the file must pass integrity_check and hold exactly every acknowledged write (plus, or not, the one write in
// flight). Then it syncs to the end, and the server and a fresh device hold exactly that table, each change once.
//
// Server killed: two devices push thousands of changes (batches of 500) through live sync clients while the server is
// killed with SIGKILL once or twice, at seeded numbers of acknowledged changes, and restarted on the same file and
// port. The clients reconnect by themselves; then every device, the server and a fresh device hold exactly the union
// of all writes, each change applied once, and the server's file passes integrity_check.
//
// `scope` is a node:test context or anything with after(fn): servers, children and temp files are released there.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { PACKAGE_ROOT, tempDir, childEnv } = require('./helpers');
const { startServer } = require('./server-harness');
const { closedPort, waitUntil } = require('./40-sync-fixtures');
const { serverState, serverTable, localTable, withoutNulls, random } = require('./42-sync-support');
const { SCHEMA, FAST_RETRY, writeGenerator, applyWrite } = require('./crash-writer');

const { openDatabase } = require(PACKAGE_ROOT);

const TOKEN = 'crash-token';
const TENANT_TOKENS = [`${TOKEN}:crash-school`];
const WRITER = path.join(__dirname, 'crash-writer.js');
const DEADLINE_MS = 30000;

/** Applies a write's ops to a model (a Map id -> row with every column). */
function applyToModel(model, write) {
  for (const [kind, id, values] of write.ops) {
    if (kind === 'i') model.set(id, { id, ...values });
    else if (kind === 'u') model.set(id, { ...model.get(id), ...values });
    else model.delete(id);
  }
}

/** The model as localTable() returns a table: { id -> row }, sorted by id. */
function modelTable(model) {
  const ids = [...model.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(ids.map((id) => [id, { ...model.get(id) }]));
}

/** What differs between two tables, briefly: lost rows, unexpected rows, rows with other values. */
function describeDifference(actual, expected) {
  const lost = Object.keys(expected).filter((id) => !(id in actual));
  const extra = Object.keys(actual).filter((id) => !(id in expected));
  const changed = Object.keys(expected).filter((id) => id in actual && !isDeepStrictEqual(actual[id], expected[id]));
  const list = (ids, show) => `${ids.length}${ids.length ? ` (${ids.slice(0, 5).map(show).join('; ')})` : ''}`;
  return `lost ${list(lost, (id) => id)}, unexpected ${list(extra, (id) => id)}, different ${list(changed,
    (id) => `${id}: ${JSON.stringify(actual[id])} instead of ${JSON.stringify(expected[id])}`)}`;
}

// ---- Checks shared by both kinds of trial. ----

function assertIntegrity(db, what) {
  const answer = db.all('PRAGMA integrity_check').map((row) => row.integrity_check);
  assert.deepEqual(answer, ['ok'], `${what}: integrity_check`);
}

/** Change ids the device has taken (each is pushed until the server answers it; none is reused). */
function changeIdsTaken(db) {
  const row = db.get("SELECT value FROM _sync_meta WHERE key = 'next_change_seq'");
  return row ? Number(row.value) - 1 : 0;
}

function quarantined(db) {
  return db.get('SELECT count(*) AS n FROM _sync_sent WHERE state = 2').n;
}

/** syncNow() until a round moves nothing and nothing is pending; failed rounds are retried, up to a bound. */
async function syncToEnd(sync, db, what) {
  const failures = [];
  for (let round = 1; ; round += 1) {
    assert.ok(round <= 25, `${what}: no quiet round after 25 (${db.pendingChanges()} pending; failures: ${
      failures.map((error) => `${error.code} ${error.message}`).join(' | ')})`);
    try {
      const outcome = await sync.syncNow();
      if (outcome.pushed + outcome.pulled === 0 && db.pendingChanges() === 0) return;
    } catch (error) {
      failures.push(error);
    }
  }
}

/**
 * The end state: `devices` (each { name, db }) hold `expected` and nothing else is pending or quarantined; the
 * server's pull gives each row once, equal to `expected`; a fresh device pulls exactly `expected`. Returns what the
 * server file check needs: { rows, versions, taken: { deviceId -> change ids it took } }.
 */
async function assertConverged(tmp, url, devices, expected, what) {
  const taken = {};
  for (const { name, db } of devices) {
    assert.equal(db.pendingChanges(), 0, `${what}: ${name} has pending changes`);
    assert.equal(quarantined(db), 0, `${what}: ${name} has quarantined changes`);
    const table = localTable(db, 'lessons');
    assert.ok(isDeepStrictEqual(table, expected),
      `${what}: ${name} after sync: ${describeDifference(table, expected)}`);
    taken[name] = changeIdsTaken(db);
  }
  const state = await serverState(url, TOKEN);  // asserts that no row comes twice
  const onServer = withoutNulls(serverTable(state, 'lessons'));
  assert.ok(isDeepStrictEqual(onServer, withoutNulls(expected)),
    `${what}: the server's rows: ${describeDifference(onServer, withoutNulls(expected))}`);

  const fresh = tmp.open('fresh.db', { deviceId: 'fresh' });
  fresh.migrate([SCHEMA]);
  fresh.track('lessons', { conflict: 'merge' });
  await syncToEnd(fresh.sync({ url, token: TOKEN, live: false, retry: FAST_RETRY }), fresh, `${what}: fresh device`);
  const pulled = localTable(fresh, 'lessons');
  assert.ok(isDeepStrictEqual(pulled, expected), `${what}: the fresh device: ${describeDifference(pulled, expected)}`);
  return { rows: Object.keys(expected).length, versions: state.cursor, taken };
}

/**
 * The server's file, once the server has stopped: integrity_check passes; it answered exactly the change ids the
 * devices took, each once (none lost, none unanswered); and each of its versions came from one recorded answer, so no
 * change was applied twice (a delete of a row deleted already, or a change that lost, shares a version: not counted).
 */
function assertServerFile(file, { versions, taken }, what) {
  const storage = openDatabase(file, { fileMustExist: true });  // it adds its own _sync_meta: harmless, at the end
  try {
    assertIntegrity(storage, `${what}: the server's file`);
    const answered = storage.all(`SELECT substr(change_id, 1, instr(change_id, ':') - 1) AS device, count(*) AS n,
        min(CAST(substr(change_id, instr(change_id, ':') + 1) AS INTEGER)) AS first,
        max(CAST(substr(change_id, instr(change_id, ':') + 1) AS INTEGER)) AS last FROM seen GROUP BY device`);
    const expected = Object.entries(taken).filter(([, n]) => n > 0)
      .map(([device, n]) => ({ device, n, first: 1, last: n }));
    const byDevice = (a, b) => (a.device < b.device ? -1 : 1);
    assert.deepEqual(answered.sort(byDevice), expected.sort(byDevice), `${what}: change ids the server answered`);
    const { seq } = storage.get('SELECT seq FROM tenants');
    const given = storage.get('SELECT count(DISTINCT version) AS n, max(version) AS top FROM seen');
    assert.deepEqual({ seq, given: given.n, top: given.top }, { seq: versions, given: versions, top: versions },
      `${what}: the server's versions (tenant sequence, versions in its answers, the pull's cursor)`);
  } finally {
    storage.close();
  }
}

// ---- Client killed. ----

/** Starts crash-writer.js; resolves acks(k) once k writes are acknowledged, `ended` once it exited and was read. */
function startWriter(scope, options) {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  scope.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const writer = { child, writes: [], acknowledged: 0, ready: null, stderr: '', partial: '' };
  let waiter = null;
  let failure = null;
  const settle = () => {
    if (!waiter) return;
    if (failure) waiter.reject(failure);
    else if (writer.ready !== null && writer.acknowledged >= waiter.count) waiter.resolve();
    else return;
    clearTimeout(waiter.timer);
    waiter = null;
  };
  const onLine = (line) => {
    const [, tag, n, ops] = /^(ready|b|a) (\d+)(?: (.+))?$/s.exec(line) ?? [];
    const last = writer.writes[writer.writes.length - 1];
    if (tag === 'ready') writer.ready = Number(n);
    else if (tag === 'b' && (!last || last.acknowledged) && Number(n) === writer.writes.length + 1) {
      writer.writes.push({ n: Number(n), ops: JSON.parse(ops), acknowledged: false });
    } else if (tag === 'a' && last && !last.acknowledged && Number(n) === last.n) {
      last.acknowledged = true;
      writer.acknowledged += 1;
    } else failure = new Error(`unexpected line from the writer: ${line}`);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const lines = (writer.partial + chunk).split('\n');
    writer.partial = lines.pop();  // a line cut by the kill is dropped: its write had not started (or is a 'b')
    lines.forEach(onLine);
    settle();
  });
  child.stderr.on('data', (chunk) => { writer.stderr += chunk; });
  writer.ended = new Promise((resolve) => child.once('close', (code, signal) => {
    failure ??= new Error(`the writer exited (${code ?? signal}) early: ${writer.stderr}`);
    settle();
    resolve({ code, signal });
  }));
  writer.acks = (count) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiter = null;
      reject(new Error(`the writer acknowledged ${writer.acknowledged} writes of ${count} in time: ${writer.stderr}`));
    }, DEADLINE_MS);
    waiter = { count, resolve, reject, timer };
    settle();
  });
  return writer;
}

/**
 * One client-kill trial. Returns { writes, inFlight, rows, kills, versions }: writes acknowledged (and checked),
 * in-flight writes found committed, rows at the end, kills.
 */
async function clientKillTrial(scope, seed) {
  const rng = random(seed);
  const what = `client-kill seed ${seed}`;
  const tmp = tempDir(scope);
  const server = await startServer(scope, { db: tmp.file('server.db'), tokens: TENANT_TOKENS });
  const deviceId = `writer-${seed}`;
  const model = new Map();
  const lives = 1 + Math.floor(rng() * 3);
  let writes = 0;
  let inFlight = 0;
  for (let life = 1; life <= lives; life += 1) {
    const killAfter = 1 + Math.floor(rng() * 200);  // acknowledged writes, then SIGKILL
    const writer = startWriter(scope, { db: tmp.file('device.db'), deviceId, url: server.url, token: TOKEN,
      seed: seed * 7 + life, life });
    await writer.acks(killAfter);
    writer.child.kill('SIGKILL');
    const { signal } = await writer.ended;
    assert.equal(signal, 'SIGKILL', `${what}, life ${life}: the writer ended before the kill: ${writer.stderr}`);
    assert.equal(writer.ready, model.size, `${what}, life ${life}: rows the writer found at its start`);

    // Every acknowledged write, and perhaps the one in flight: nothing else.
    const last = writer.writes[writer.writes.length - 1];
    for (const write of writer.writes) if (write.acknowledged) applyToModel(model, write);
    const acknowledged = modelTable(model);
    let withInFlight = null;
    if (last && !last.acknowledged) {
      const copy = new Map(model);
      applyToModel(copy, last);
      withInFlight = modelTable(copy);
    }
    const db = openDatabase(tmp.file('device.db'), { deviceId, fileMustExist: true });
    try {
      assertIntegrity(db, `${what}, after kill ${life}`);
      const table = localTable(db, 'lessons');
      if (!isDeepStrictEqual(table, acknowledged)) {
        assert.ok(withInFlight && isDeepStrictEqual(table, withInFlight), `${what}, after kill ${life} at write ${
          writer.writes.length}: ${describeDifference(table, acknowledged)}${last && !last.acknowledged
          ? ` (write ${last.n} was in flight: ${JSON.stringify(last.ops).slice(0, 300)})` : ''}`);
        applyToModel(model, last);
        inFlight += 1;
      }
    } finally {
      db.close();
    }
    writes += writer.acknowledged;
  }

  // Sync what the last life left, from a client in this process; then the server and a fresh device must agree.
  const db = tmp.open('device.db', { deviceId, fileMustExist: true });
  await syncToEnd(db.sync({ url: server.url, token: TOKEN, live: false, retry: FAST_RETRY }), db, what);
  const result = await assertConverged(tmp, server.url, [{ name: deviceId, db }], modelTable(model), what);
  const { code } = await server.stop();
  assert.equal(code, 0, `${what}: the server's exit`);
  assertServerFile(tmp.file('server.db'), result, what);
  return { writes, inFlight, kills: lives, rows: result.rows, versions: result.versions };
}

// ---- Server killed. ----

/**
 * One server-kill trial. Returns { writes, rows, kills, versions }: writes made (each checked), rows at the end,
 * server kills, and the versions the server gave (one per change).
 */
async function serverKillTrial(scope, seed) {
  const rng = random(seed);
  const what = `server-kill seed ${seed}`;
  const tmp = tempDir(scope);
  // A fixed port, so that the clients reconnect by themselves to the restarted server.
  const port = await closedPort();
  // --row-index-flush 40: kills fall between and during the passes that move rows from the server's in-memory index
  // to its on-disk one, and each restart rebuilds the in-memory part from the file.
  const serverOptions = { db: tmp.file('server.db'), tokens: TENANT_TOKENS,
    args: ['--port', String(port), '--row-index-flush', '40'] };
  let server = await startServer(scope, serverOptions);

  const model = new Map();
  let pushed = 0;  // changes acknowledged by the server, all clients, all rounds
  const clients = ['left', 'right'].map((name, index) => {
    const deviceId = `${name}-${seed}`;
    const db = tmp.open(`${name}.db`, { deviceId });
    db.migrate([SCHEMA]);
    db.track('lessons', { conflict: 'merge' });
    const next = writeGenerator(seed * 7 + index, deviceId, { txMax: 120, txShare: 0.5 });
    const writes = Array.from({ length: 80 + Math.floor(rng() * 80) }, next);
    writes.forEach((write) => applyToModel(model, write));
    const sync = db.sync({ url: server.url, token: TOKEN, live: true, batchSize: 500, retry: FAST_RETRY });
    let roundDone = 0;
    sync.on('progress', ({ phase, done }) => {
      if (phase !== 'push') return;
      pushed += done > roundDone ? done - roundDone : done;  // `done` counts from 0 again in each round
      roundDone = done;
    });
    sync.on('error', () => {});  // network errors while the server is down: retried by the engine
    return { name: deviceId, db, sync, writes };
  });
  const expected = modelTable(model);

  // Kill points, in changes acknowledged since the start or the last restart: 5-50% of the rows, then 2-20% more.
  // Pushing the rows alone takes at least one change each, so every kill point is reached while pushes go on.
  const rows = Object.keys(expected).length;
  const kills = [Math.floor(rows * (0.05 + rng() * 0.45))];
  if (rng() < 0.5) kills.push(Math.floor(rows * (0.02 + rng() * 0.18)));

  clients.forEach((client) => client.sync.start());
  const writing = Promise.all(clients.map(async (client) => {
    for (let i = 0; i < client.writes.length; i += 1) {
      applyWrite(client.db, client.writes[i]);
      if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));  // let the clients' events through
    }
  }));
  writing.catch(() => {});  // awaited below, after the kills; until then a failed write must not go unhandled
  const killedAt = [];
  for (const more of kills) {
    const threshold = pushed + more;
    await waitUntil(() => pushed >= threshold, `${what}: ${threshold} changes pushed (at ${pushed})`, DEADLINE_MS);
    server.child.kill('SIGKILL');
    const { signal } = await server.exited;
    assert.equal(signal, 'SIGKILL', `${what}: the server ended before the kill: ${server.stderr}`);
    killedAt.push(pushed);
    server = await startServer(scope, serverOptions);
  }
  await writing;
  await waitUntil(() => clients.every(({ db }) => db.pendingChanges() === 0),
    `${what}: every client pushed after the restart (killed at ${killedAt.join(', ')} pushed)`, DEADLINE_MS);
  // The live clients pull each other's rows by themselves; one quiet round each makes sure it is over.
  for (const client of clients) await syncToEnd(client.sync, client.db, `${what}: ${client.name}`);
  for (const client of clients) assertIntegrity(client.db, `${what}: ${client.name}`);

  const result = await assertConverged(tmp, server.url, clients, expected, `${what} (killed at ${killedAt})`);
  for (const client of clients) await client.sync.stop();
  const { code } = await server.stop();
  assert.equal(code, 0, `${what}: the server's exit`);
  assertServerFile(serverOptions.db, result, what);
  return { writes: clients.reduce((sum, client) => sum + client.writes.length, 0), inFlight: 0, kills: kills.length,
    rows: result.rows, versions: result.versions };
}

module.exports = { clientKillTrial, serverKillTrial };
