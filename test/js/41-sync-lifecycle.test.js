'use strict';
// A sync client's life ends in many ways: a worker terminated mid-round, process.exit() without stop(), a renderer
// reloading. Each must end promptly, leave the database intact, lose no change, apply none twice, and leave no
// thread or file descriptor behind.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const readline = require('node:readline');
const { Worker } = require('node:worker_threads');
const { PACKAGE_ROOT, tempDir, openFdCount, childEnv } = require('./helpers');
const {
  TOKEN, DEADLINE_MS, openDevice, startSyncServer, syncOptions, nextEvent, waitUntil, serverRows, insertLessons,
} = require('./40-sync-fixtures');

const { openDatabase } = require(PACKAGE_ROOT);

function threadCount() {
  return fs.readdirSync('/proc/self/task').length;
}

// Opens the file, adds `rows` lessons, starts syncing in small batches and says 'pushing' once the first batch is
// answered: the parent then ends the worker in the middle of the round.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openDatabase } = require(workerData.root);
const db = openDatabase(workerData.file);
const insert = db.prepare('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)');
db.transaction(() => {
  for (let i = 0; i < workerData.rows; i++) insert.run([workerData.prefix + '-' + i, 'worker', i]);
});
const sync = db.sync({ url: workerData.url, token: workerData.token, batchSize: 10, live: workerData.live });
let told = false;
sync.on('progress', (p) => {
  if (p.phase === 'push' && !told) {
    told = true;
    parentPort.postMessage('pushing');
  }
});
sync.start();
`;

function startWorker(workerData) {
  return new Worker(WORKER_SOURCE, { eval: true, workerData: { root: PACKAGE_ROOT, token: TOKEN, ...workerData } });
}

function messageFrom(worker, ms = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message from the worker in time')), ms);
    worker.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

test('a worker terminated mid-round, 5 times: the database stays intact and a later sync pushes everything once',
  async (t) => {
    const tmp = tempDir(t);
    const server = await startSyncServer(t, tmp);
    const db = openDevice(tmp, 'device.db');
    insertLessons(db, 'main', 1000);
    let expected = 1000;
    for (let round = 0; round < 5; round++) {
      const worker = startWorker({ file: tmp.file('device.db'), url: server.url, prefix: `w${round}`, rows: 100,
        live: round % 2 === 0 });
      expected += 100;
      assert.equal(await messageFrom(worker), 'pushing');
      const started = Date.now();
      await worker.terminate();
      assert.ok(Date.now() - started < 5000, 'terminate() did not wait for the round');
    }
    assert.equal(db.get('PRAGMA integrity_check').integrity_check, 'ok');
    assert.equal(db.get('SELECT count(*) AS n FROM lessons').n, expected);
    const pendingBefore = db.pendingChanges();
    assert.ok(pendingBefore > 0 && pendingBefore < expected, `some of it was pushed (${pendingBefore} pending)`);

    const sync = db.sync(syncOptions(server.url));
    await sync.syncNow();
    assert.equal(db.pendingChanges(), 0);
    const onServer = await serverRows(server.url);
    assert.equal(onServer.rows.length, expected);
    // Versions count the changes the server applied: a change resent after a cut-short round is not applied again.
    assert.equal(onServer.lastVersion, expected, 'every change applied exactly once');
    sync.close();
  });

test('process.exit() in the middle of a round, without stop(): the process exits with code 0 at once', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const file = tmp.file('device.db');
  const setup = openDevice(tmp, 'device.db');
  insertLessons(setup, 'exit', 2000);
  setup.close();
  const script = `
    const { openDatabase } = require(${JSON.stringify(PACKAGE_ROOT)});
    const db = openDatabase(process.argv[1]);
    const sync = db.sync({ url: process.argv[2], token: ${JSON.stringify(TOKEN)}, batchSize: 10 });
    // Registered after the package's own 'exit' listener: by now the engine is stopped and its thread joined.
    process.on('exit', () => console.log(sync.closed ? 'closed at exit' : 'still open at exit'));
    sync.on('progress', (p) => {
      if (p.phase !== 'push') return;
      console.log('exiting');
      process.exit(0);
    });
    sync.start();
  `;
  const child = spawn(process.execPath, ['-e', script, file, server.url], {
    env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
  t.after(() => clearTimeout(killer));
  const lines = [];
  const output = readline.createInterface({ input: child.stdout });
  const outputEnded = new Promise((resolve) => output.once('close', resolve));
  await new Promise((resolve) => {
    output.on('line', (line) => {
      lines.push(line);
      resolve();
    });
  });
  assert.equal(lines[0], 'exiting');
  const exitingAt = Date.now();
  const { code, signal } = await exited;
  await outputEnded;
  assert.deepEqual(lines, ['exiting', 'closed at exit']);
  assert.equal(signal, null, `no crash: ${stderr}`);
  assert.equal(code, 0, stderr);
  assert.ok(Date.now() - exitingAt < 3000, `exited promptly (${Date.now() - exitingAt} ms)`);
  assert.equal(stderr, '');

  const db = tmp.open('device.db');
  assert.equal(db.get('PRAGMA integrity_check').integrity_check, 'ok');
  assert.ok(db.pendingChanges() > 0, 'the exit cut the round short');
  const sync = db.sync(syncOptions(server.url));
  await sync.syncNow();
  assert.equal(db.pendingChanges(), 0);
  const onServer = await serverRows(server.url);
  assert.equal(onServer.rows.length, 2000);
  assert.equal(onServer.lastVersion, 2000, 'every change applied exactly once');
  sync.close();
});

test('renderer-like reloads: open, sync and close 50 times leave no thread or file descriptor behind', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  openDevice(tmp, 'device.db').close();
  const file = tmp.file('device.db');
  async function cycle(i) {
    const db = openDatabase(file);
    const sync = db.sync(syncOptions(server.url, { live: true }));
    const idle = nextEvent(sync, 'status', (s) => s.state === 'idle' && s.pending === 0);
    sync.start();
    await idle;
    db.run('INSERT INTO lessons (id, student, minutes) VALUES (?, ?, ?)', [`reload-${i}`, 'r', i]);
    db.close();  // closes the client first: its thread is joined and its sockets closed before this returns
    assert.equal(sync.closed, true);
  }
  await cycle(-1);  // warms up what Node starts once (its thread pool)
  const threads = threadCount();
  const fds = openFdCount();
  for (let i = 0; i < 50; i++) await cycle(i);
  assert.equal(threadCount(), threads, 'no thread left running');
  // The server's side of a socket may still be closing; ours are closed synchronously.
  await waitUntil(() => openFdCount() <= fds, `the fd count to return to ${fds} (now ${openFdCount()})`);

  // Every reload's write is there, and a last sync pushes all of them exactly once.
  const db = tmp.open('device.db');
  assert.equal(db.get('SELECT count(*) AS n FROM lessons').n, 51);
  const sync = db.sync(syncOptions(server.url));
  await sync.syncNow();
  const onServer = await serverRows(server.url);
  assert.equal(onServer.rows.length, 51);
  assert.equal(onServer.lastVersion, 51);
  sync.close();
});

test('workers that end without closing their started clients leave no thread or file descriptor behind',
  async (t) => {
    const tmp = tempDir(t);
    const server = await startSyncServer(t, tmp);
    openDevice(tmp, 'device.db').close();
    const workerData = (i) => ({ file: tmp.file('device.db'), url: server.url, prefix: `r${i}`, rows: 30, live: true });
    async function reload(i) {
      const worker = startWorker(workerData(i));
      assert.equal(await messageFrom(worker), 'pushing');
      await worker.terminate();
    }
    await reload(-1);
    const threads = threadCount();
    const fds = openFdCount();
    for (let i = 0; i < 10; i++) await reload(i);
    await waitUntil(() => threadCount() <= threads, `the thread count to return to ${threads} (now ${threadCount()})`);
    await waitUntil(() => openFdCount() <= fds, `the fd count to return to ${fds} (now ${openFdCount()})`);
  });
