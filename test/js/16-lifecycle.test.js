'use strict';
// Resource lifecycle: no file descriptor left behind by open/close, and no memory growth over many cycles.
// With OFFLINE_SYNC_MEMORY_CHILD set this file is the child process (started with --expose-gc) that measures RSS.
const path = require('node:path');

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

if (process.env.OFFLINE_SYNC_MEMORY_CHILD) {
  measureMemory(JSON.parse(process.env.OFFLINE_SYNC_MEMORY_CHILD)).catch((error) => {
    process.stderr.write(`${error && error.stack}\n`);
    process.exitCode = 1;
  });
} else {
  defineTests();
}

// One open/write/close cycle touching every kind of native object: statements (cached and prepared),
// an iterator left unfinished, a transaction and a BLOB.
function cycle(openDatabase, file, i) {
  const db = openDatabase(file);
  db.run('INSERT INTO t (v, data) VALUES (?, ?)', [`row ${i}`, Buffer.alloc(256, i & 0xff)]);
  const stmt = db.prepare('SELECT id, v, data FROM t WHERE id > ? ORDER BY id');
  const iterator = stmt.iterate([0]);
  iterator.next();
  db.transaction(() => db.run('UPDATE t SET v = ? WHERE id = ?', [`updated ${i}`, i]));
  db.get('SELECT count(*) AS n FROM t');
  db.close();
  return iterator;
}

async function collectGarbage() {
  for (let i = 0; i < 4; i++) {
    global.gc();
    // Native finalizers of collected wrappers run from the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function measureMemory({ file, warmup, cycles }) {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  const { openDatabase } = require(PACKAGE_ROOT);
  const setup = openDatabase(file);
  setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, data BLOB)');
  setup.close();
  for (let i = 0; i < warmup; i++) cycle(openDatabase, file, i);
  await collectGarbage();
  const before = process.memoryUsage();
  for (let i = 0; i < cycles; i++) cycle(openDatabase, file, warmup + i);
  await collectGarbage();
  const after = process.memoryUsage();
  const check = openDatabase(file);
  const rows = check.get('SELECT count(*) AS n FROM t').n;
  const integrity = check.get('PRAGMA integrity_check').integrity_check;
  check.close();
  process.stdout.write(JSON.stringify({
    rssBefore: before.rss,
    rssAfter: after.rss,
    rssGrowth: after.rss - before.rss,
    heapGrowth: after.heapUsed - before.heapUsed,
    externalGrowth: after.external - before.external,
    rows,
    integrity,
  }));
}

function defineTests() {
  const test = require('node:test');
  const assert = require('node:assert/strict');
  const fs = require('node:fs');
  const { spawnSync } = require('node:child_process');
  const { openDatabase } = require(PACKAGE_ROOT);
  const { tempDir, openFdCount, assertCode, childEnv } = require('./helpers');

  test('500 open/close cycles with a prepared statement and an unfinished iterator leak no file descriptor', (t) => {
    const tmp = tempDir(t);
    const file = tmp.file('fd.db');
    const setup = openDatabase(file);
    setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, data BLOB)');
    setup.close();
    cycle(openDatabase, file, 0); // anything opened once per process (not per database) is opened here

    const before = openFdCount();
    const iterators = [];
    for (let i = 1; i <= 500; i++) iterators.push(cycle(openDatabase, file, i));
    const after = openFdCount();
    assert.ok(after <= before, `open file descriptors grew from ${before} to ${after}`);

    // The iterators left open are unusable rather than dangerous, and the file is whole.
    for (const iterator of [iterators[0], iterators[250], iterators[499]]) {
      assertCode(() => iterator.next(), 'ERR_CLOSED');
      assert.deepEqual(iterator.next(), { value: undefined, done: true });
    }
    const db = tmp.open('fd.db');
    assert.equal(db.get('SELECT count(*) AS n FROM t').n, 501);
    assert.deepEqual(db.get('PRAGMA integrity_check'), { integrity_check: 'ok' });
    db.close();
    assert.equal(fs.existsSync(`${file}-wal`), false, 'the last close checkpointed and removed the WAL');
  });

  test('a database open while the fd count is taken is counted, and closing it gives the descriptors back', (t) => {
    // Guards the measurement above: an open file database really shows up in /proc/self/fd.
    const tmp = tempDir(t);
    const before = openFdCount();
    const db = openDatabase(tmp.file('x.db'));
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    assert.ok(openFdCount() > before, 'an open WAL database holds descriptors');
    db.close();
    assert.equal(openFdCount(), before);
  });

  test('2,000 open/write/close cycles after 200 warm-up ones grow RSS by less than 20 MB', { timeout: 180000 }, (t) => {
    const tmp = tempDir(t);
    const child = spawnSync(process.execPath, ['--expose-gc', __filename], {
      env: childEnv({ OFFLINE_SYNC_MEMORY_CHILD: JSON.stringify({ file: tmp.file('mem.db'), warmup: 200, cycles: 2000 }) }),
      encoding: 'utf8',
      timeout: 170000,
    });
    assert.equal(child.signal, null, `the child crashed: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    const figures = JSON.parse(child.stdout);
    t.diagnostic(`memory: ${JSON.stringify(figures)}`);
    assert.equal(figures.rows, 2200);
    assert.equal(figures.integrity, 'ok');
    assert.ok(figures.rssBefore > 0 && figures.rssAfter > 0);
    const mb = figures.rssGrowth / (1024 * 1024);
    assert.ok(mb < 20, `RSS grew by ${mb.toFixed(1)} MB over 2,000 cycles`);
  });
}
