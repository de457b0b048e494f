'use strict';
// The addon in worker_threads: concurrent loading and writing, and connections closed by environment cleanup
// when a worker is terminated or exits without closing. This file plays three parts: the tests; the workers'
// script; and, with OFFLINE_SYNC_SCENARIO set, a child process that terminates a worker and inspects the file
// from its own main thread (a child, so that a crash there fails one test instead of the whole file).
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

if (!isMainThread) {
  runWorker(workerData);
} else if (process.env.OFFLINE_SYNC_SCENARIO) {
  runTerminateScenario(JSON.parse(process.env.OFFLINE_SYNC_SCENARIO)).catch((error) => {
    process.stderr.write(`${error && error.stack}\n`);
    process.exitCode = 1;
  });
} else {
  defineTests();
}

// ---------------------------------------------------------------------------------------------- worker side

function runWorker(data) {
  const { openDatabase } = require(PACKAGE_ROOT);
  const tasks = {
    // 2,000 single-row autocommit inserts into the worker's own database.
    own() {
      const db = openDatabase(data.file);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL, n INTEGER NOT NULL)');
      const insert = db.prepare('INSERT INTO t (worker, n) VALUES (?, ?)');
      for (let n = 0; n < data.rows; n++) insert.run([data.worker, n]);
      const count = db.get('SELECT count(*) AS n FROM t').n;
      const deviceId = db.deviceId;
      db.close();
      parentPort.postMessage({ type: 'done', count, deviceId });
    },
    // Small transactions into one file shared by every worker, started together once all are ready.
    shared() {
      const db = openDatabase(data.file, { timeout: 60000 });
      db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL, n INTEGER NOT NULL)');
      parentPort.once('message', () => {
        const insert = db.prepare('INSERT INTO t (worker, n) VALUES (?, ?)');
        let n = 0;
        for (let batch = 0; batch < data.batches; batch++) {
          db.transaction(() => {
            for (let i = 0; i < data.batchSize; i++) insert.run([data.worker, n++]);
          });
        }
        const deviceId = db.deviceId;
        db.close();
        parentPort.postMessage({ type: 'done', count: n, deviceId });
      });
      parentPort.postMessage({ type: 'ready' });
    },
    // Transactions of 100 rows, forever, reporting each commit; the main thread terminates the worker.
    loop() {
      // synchronous 'off' keeps COMMIT cheap, so the terminate mostly lands inside a transaction's inserts.
      const db = openDatabase(data.file, { synchronous: 'off' });
      db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, payload TEXT)');
      const insert = db.prepare('INSERT INTO t (batch, payload) VALUES (?, ?)');
      const payload = 'x'.repeat(200);
      for (let batch = 1; ; batch++) {
        db.transaction(() => {
          for (let i = 0; i < 100; i++) insert.run([batch, payload]);
        });
        parentPort.postMessage({ type: 'committed', rows: batch * 100 });
      }
    },
    // Holds an open write transaction and waits (the main thread terminates it while idle).
    idle() {
      const db = openDatabase(data.file);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, payload TEXT)');
      db.run("INSERT INTO t (batch, payload) VALUES (1, 'committed')");
      db.exec('BEGIN IMMEDIATE');
      db.run("INSERT INTO t (batch, payload) VALUES (2, 'uncommitted')");
      parentPort.on('message', () => {});
      parentPort.postMessage({ type: 'committed', rows: 1 });
    },
    // Opens, commits a row, then leaves a write transaction open and the database unclosed, and exits.
    leak() {
      const db = openDatabase(data.file);
      db.exec('CREATE TABLE t (v TEXT)');
      db.run("INSERT INTO t VALUES ('committed')");
      db.exec('BEGIN IMMEDIATE');
      db.run("INSERT INTO t VALUES ('uncommitted')");
      db.prepare('SELECT v FROM t').iterate().next();
      parentPort.postMessage({ type: 'holding', inTransaction: db.inTransaction });
    },
  };
  tasks[data.task]();
}

// ---------------------------------------------------------------------------------- terminate scenario (child)

// Starts the worker, terminates it once it has reported `minReports` commits, then reopens the file with a short
// timeout from this thread: a lock left by the worker's connection would make the write fail with SQLITE_BUSY.
async function runTerminateScenario({ task, file, minReports }) {
  const { openDatabase } = require(PACKAGE_ROOT);
  const worker = new Worker(__filename, { workerData: { task, file } });
  const reports = [];
  await new Promise((resolve, reject) => {
    worker.on('message', (message) => {
      reports.push(message.rows);
      if (reports.length >= minReports) resolve();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before reporting`)));
  });
  const exitCode = await worker.terminate();
  const out = { exitCode, reported: Math.max(...reports) };
  const db = openDatabase(file, { timeout: 200 });
  const started = Date.now();
  try {
    db.run('CREATE TABLE main_write (v)');
    db.run('INSERT INTO main_write VALUES (1)');
    db.transaction(() => db.run('INSERT INTO main_write VALUES (2)'));
    out.wrote = db.get('SELECT count(*) AS n FROM main_write').n;
  } catch (error) {
    out.writeError = `${error.code}: ${error.message}`;
  }
  out.writeMs = Date.now() - started;
  out.integrity = db.get('PRAGMA integrity_check').integrity_check;
  Object.assign(out, db.get('SELECT count(*) AS rows, count(DISTINCT batch) AS batches, max(batch) AS last FROM t'));
  out.partialBatches = db.all('SELECT batch, count(*) AS n FROM t GROUP BY batch HAVING n <> 100');
  db.close();
  process.stdout.write(JSON.stringify(out));
}

// ------------------------------------------------------------------------------------------------ main side

function defineTests() {
  const test = require('node:test');
  const assert = require('node:assert/strict');
  const { spawnSync } = require('node:child_process');
  const { tempDir, assertCode, childEnv, UUID_V4 } = require('./helpers');

  function startWorker(data) {
    const worker = new Worker(__filename, { workerData: data });
    const messages = [];
    const waiters = [];
    let failure = null;
    let exitCode = null;
    const settle = () => {
      for (const waiter of waiters.splice(0)) waiter();
    };
    worker.on('message', (message) => {
      messages.push(message);
      settle();
    });
    worker.on('error', (error) => {
      failure = error;
      settle();
    });
    worker.on('exit', (code) => {
      exitCode = code;
      settle();
    });
    return {
      worker,
      messages,
      get exitCode() {
        return exitCode;
      },
      // Resolves with the first message of `type`; rejects if the worker fails or exits first.
      message(type) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = messages.find((m) => m.type === type);
            if (found) return resolve(found);
            if (failure) return reject(failure);
            if (exitCode !== null) return reject(new Error(`worker exited (${exitCode}) before sending '${type}'`));
            waiters.push(check);
            return undefined;
          };
          check();
        });
      },
      exited() {
        return new Promise((resolve, reject) => {
          const check = () => {
            if (failure) return reject(failure);
            if (exitCode !== null) return resolve(exitCode);
            waiters.push(check);
            return undefined;
          };
          check();
        });
      },
    };
  }

  test('4 workers load the addon at once and each write 2,000 rows to its own database', { timeout: 120000 }, async (t) => {
    const tmp = tempDir(t);
    const workers = [0, 1, 2, 3].map((worker) =>
      startWorker({ task: 'own', worker, rows: 2000, file: tmp.file(`own-${worker}.db`) }));
    const results = await Promise.all(workers.map((w) => w.message('done')));
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited())), [0, 0, 0, 0]);
    for (const [worker, result] of results.entries()) {
      assert.equal(result.count, 2000);
      assert.match(result.deviceId, UUID_V4);
      const db = tmp.open(`own-${worker}.db`);
      assert.deepEqual(db.get('SELECT count(*) AS n, min(n) AS lo, max(n) AS hi, min(worker) AS w1, max(worker) AS w2 FROM t'),
        { n: 2000, lo: 0, hi: 1999, w1: worker, w2: worker });
      assert.deepEqual(db.get('PRAGMA integrity_check'), { integrity_check: 'ok' });
      assert.equal(db.deviceId, result.deviceId);
    }
    assert.equal(new Set(results.map((r) => r.deviceId)).size, 4, 'each file got its own device id');
  });

  test('4 workers write concurrently into one shared database in small transactions', { timeout: 120000 }, async (t) => {
    const tmp = tempDir(t);
    const file = tmp.file('shared.db');
    const batches = 50;
    const batchSize = 20;
    // Every worker opens the fresh file at the same time: the first opens race to create it and its device id.
    const workers = [0, 1, 2, 3].map((worker) => startWorker({ task: 'shared', worker, batches, batchSize, file }));
    await Promise.all(workers.map((w) => w.message('ready')));
    for (const w of workers) w.worker.postMessage('go');
    const results = await Promise.all(workers.map((w) => w.message('done')));
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited())), [0, 0, 0, 0]);

    const db = tmp.open('shared.db');
    assert.deepEqual(db.get('PRAGMA integrity_check'), { integrity_check: 'ok' });
    assert.equal(db.get('SELECT count(*) AS n FROM t').n, 4 * batches * batchSize);
    const perWorker = db.all('SELECT worker, count(*) AS n, count(DISTINCT n) AS d, max(n) AS hi FROM t GROUP BY worker ORDER BY worker');
    assert.deepEqual(perWorker, [0, 1, 2, 3].map((worker) =>
      ({ worker, n: batches * batchSize, d: batches * batchSize, hi: batches * batchSize - 1 })));
    for (const result of results) assert.equal(result.count, batches * batchSize);
    assert.deepEqual(new Set(results.map((r) => r.deviceId)), new Set([db.deviceId]), 'every connection agrees on one device id');
  });

  // Runs runTerminateScenario in a child process and returns what it found.
  function terminateScenario(task, file, minReports) {
    const child = spawnSync(process.execPath, [__filename], {
      env: childEnv({ OFFLINE_SYNC_SCENARIO: JSON.stringify({ task, file, minReports }) }),
      encoding: 'utf8',
      timeout: 60000,
    });
    const how = `status ${child.status}, signal ${child.signal}, stderr: ${child.stderr}`;
    assert.equal(child.signal, null, `the process running the worker must not crash (${how})`);
    assert.equal(child.status, 0, how);
    return JSON.parse(child.stdout);
  }

  for (let run = 1; run <= 5; run++) {
    test(`a worker terminated mid-write releases its lock and leaves whole transactions (run ${run} of 5)`, { timeout: 60000 }, (t) => {
      const tmp = tempDir(t);
      const out = terminateScenario('loop', tmp.file('loop.db'), 2);
      assert.equal(out.exitCode, 1, 'terminate() reports exit code 1');
      assert.equal(out.writeError, undefined, 'the main thread can write at once after terminate()');
      assert.equal(out.wrote, 2);
      assert.equal(out.integrity, 'ok');
      assert.deepEqual(out.partialBatches, [], `no transaction is partly committed (${out.rows} rows)`);
      assert.equal(out.rows % 100, 0, `row count ${out.rows} is a whole number of 100-row transactions`);
      assert.ok(out.rows >= out.reported, `every reported commit (${out.reported} rows) is in the file (${out.rows})`);
      assert.equal(out.rows, out.batches * 100);
      assert.equal(out.last, out.batches);
    });
  }

  test('a worker terminated while idle in a write transaction releases its lock and rolls back', { timeout: 60000 }, (t) => {
    const tmp = tempDir(t);
    const out = terminateScenario('idle', tmp.file('idle.db'), 1);
    assert.equal(out.exitCode, 1);
    assert.equal(out.writeError, undefined, 'the main thread can write at once after terminate()');
    assert.equal(out.wrote, 2);
    assert.equal(out.integrity, 'ok');
    assert.deepEqual({ rows: out.rows, last: out.last }, { rows: 1, last: 1 }, 'the open transaction was rolled back');
  });

  test('a worker that exits without closing its database releases the lock and rolls back', { timeout: 60000 }, async (t) => {
    const tmp = tempDir(t);
    const w = startWorker({ task: 'leak', file: tmp.file('leak.db') });
    assert.deepEqual(await w.message('holding'), { type: 'holding', inTransaction: true });
    assert.equal(await w.exited(), 0);

    const db = tmp.open('leak.db', { timeout: 50 });
    assert.equal(db.run("INSERT INTO t VALUES ('main')").changes, 1);
    assert.deepEqual(db.all('SELECT v FROM t ORDER BY rowid'), [{ v: 'committed' }, { v: 'main' }]);
    assert.deepEqual(db.get('PRAGMA integrity_check'), { integrity_check: 'ok' });
    // A second short-timeout connection can take the write lock too: nothing else holds it.
    const other = tmp.open('leak.db', { timeout: 50 });
    assert.equal(other.transaction(() => other.run("INSERT INTO t VALUES ('other')").changes), 1);
    assertCode(() => other.run('INSERT INTO missing VALUES (1)'), 'SQLITE_ERROR');
  });
}
