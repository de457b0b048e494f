#!/usr/bin/env node
// Peak memory while syncing a large backlog: N lesson changes (BENCH_MEMORY_CHANGES, 1,000,000) made offline on
// device A travel through the reference server to a fresh device B. A and B each run in a child process of their own
// (node memory.js --child ...), so each RSS is only that device's; the server is the binary. For A, B and the server:
// RSS before the sync and its peak during the sync (VmHWM, reset to the current RSS just before syncNow() through
// /proc/PID/clear_refs, so neither start-up nor A's inserts count), growth = peak - before. Runs at N/10 and at N, so
// the reader sees whether growth follows the backlog. One repetition per size. Saved as the result 'memory'.
// Run: node scripts/bench/memory.js
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { startServer, peakRssOf } = require('./lib/server');
const { LESSONS_SCHEMA, INSERT_LESSON, lessonRow } = require('./lib/lessons');
const { saveResult } = require('./lib/results');
const { int, duration } = require('./lib/stats');

const CHANGES = Number(process.env.BENCH_MEMORY_CHANGES || 1000000);
const SIZES = [Math.round(CHANGES / 10), CHANGES];
// Inserts commit every 50,000 rows, so A's baseline is not one huge transaction's state.
const INSERT_TRANSACTION = 50000;
const TARGET_MB = 100;
const MB = 1024 * 1024;

/** Current resident set size of a process in bytes (Linux /proc: VmRSS). */
function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Sets a process's VmHWM back to its current RSS (Linux >= 4.0); false when the kernel refuses. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// ---- the child: one device ------------------------------------------------------------------------------------

function insertOffline(db, count) {
  const insert = db.prepare(INSERT_LESSON);
  for (let first = 0; first < count; first += INSERT_TRANSACTION) {
    db.transaction(() => {
      for (let n = first; n < Math.min(first + INSERT_TRANSACTION, count); n += 1) insert.run(lessonRow(n));
    });
  }
}

/** RSS when the sync's progress first reaches each quarter of count: shows whether memory climbs with the changes
 * done (a backlog held in memory) or stays flat (streamed in batches). */
function rssAtQuarters(sync, phase, count) {
  const quarters = [];
  sync.on('progress', (p) => {
    if (p.phase !== phase) return;
    while (quarters.length < 4 && p.done >= ((quarters.length + 1) / 4) * count) quarters.push(rssOf(process.pid));
  });
  return quarters;
}

// `node --expose-gc memory.js --child ROLE URL FILE N`: ROLE 'a' inserts N rows then pushes them, ROLE 'b' pulls.
// Prints one JSON line with its measurement.
async function child([role, url, file, countText]) {
  const count = Number(countText);
  const { openDatabase } = require('../..');
  const db = openDatabase(file, { deviceId: `memory-${role}` });
  try {
    db.migrate([LESSONS_SCHEMA]);
    db.track('lessons');
    const opened = rssOf(process.pid);
    if (role === 'a') insertOffline(db, count);
    const inserted = rssOf(process.pid);
    const insertPeak = peakRssOf(process.pid);
    // Garbage the inserts left would otherwise sit in the baseline and could be collected during the sync, hiding
    // growth; collecting it first makes the baseline the lowest it honestly is.
    global.gc();
    const sync = db.sync({ url, token: 'bench', live: false });
    const quarters = rssAtQuarters(sync, role === 'a' ? 'push' : 'pull', count);
    const before = rssOf(process.pid);
    const peakReset = resetPeak(process.pid);
    const started = performance.now();
    const result = await sync.syncNow();
    const syncMs = performance.now() - started;
    const peak = peakRssOf(process.pid);
    const rows = db.get('SELECT count(*) AS n FROM lessons').n;
    const measured = { role, opened, inserted, insertPeak, before, peak, peakReset, syncMs, pushed: result.pushed,
      pulled: result.pulled, rows, pending: db.pendingChanges(), quarters };
    process.stdout.write(`${JSON.stringify(measured)}\n`);
  } finally {
    db.close();
  }
}

// ---- the parent: server, two devices, two sizes ----------------------------------------------------------------

function runDevice(role, url, file, count) {
  const proc = spawn(process.execPath, ['--expose-gc', __filename, '--child', role, url, file, String(count)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let line = null;
    readline.createInterface({ input: proc.stdout }).once('line', (text) => { line = text; });
    proc.once('error', reject);
    // 'close', not 'exit': it comes after stdout has ended, so the line has been read.
    proc.once('close', (code) => (code === 0 && line ? resolve(JSON.parse(line)) : reject(
      new Error(`device ${role} exited with ${code}`))));
  });
}

/** Runs one device's child while watching the server's memory over the same span. */
async function withServerWatched(server, run) {
  const pid = server.child.pid;
  const before = rssOf(pid);
  const peakReset = resetPeak(pid);
  const device = await run();
  return { device, server: { before, peak: peakRssOf(pid), peakReset } };
}

async function once(count) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-bench-memory-'));
  try {
    const server = await startServer(path.join(dir, 'server.db'));
    try {
      const opened = rssOf(server.child.pid);
      const a = await withServerWatched(server, () => runDevice('a', server.url, path.join(dir, 'a.db'), count));
      const b = await withServerWatched(server, () => runDevice('b', server.url, path.join(dir, 'b.db'), count));
      if (a.device.pushed !== count || a.device.pending !== 0 || b.device.rows !== count) {
        throw new Error(`incomplete: A pushed ${a.device.pushed} (${a.device.pending} pending), ` +
          `B has ${b.device.rows} of ${count}`);
      }
      return { count, a, b, serverOpened: opened };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the result --------------------------------------------------------------------------------------------------

const mb = (bytes) => (bytes / MB).toFixed(1);
const growthOf = (x) => x.peak - x.before;

function rowsOf(run) {
  const { count, a, b } = run;
  const device = (label, d) => [int(count), label, mb(d.opened), d.role === 'a' ? mb(d.inserted) : '—', mb(d.before),
    mb(d.peak), mb(growthOf(d)), duration(d.syncMs)];
  const server = (label, s, syncMs) => [int(count), label, '—', '—', mb(s.before), mb(s.peak), mb(growthOf(s)),
    duration(syncMs)];
  return [
    device('device A (push)', a.device),
    server('server, during A\'s sync', a.server, a.device.syncMs),
    device('device B (pull)', b.device),
    server('server, during B\'s sync', b.server, b.device.syncMs),
  ];
}

const quarters = (d) => [0, 1, 2, 3].map((i) => (i < d.quarters.length ? mb(d.quarters[i]) : '?')).join(' / ');

function notesOf(runs, peakResetWorked) {
  const [small, large] = runs;
  const notes = [
    'One repetition per size (the large one takes minutes each way). Each device\'s child runs ' +
      '`global.gc()` before its baseline, so garbage left by the inserts neither inflates the baseline nor hides ' +
      'growth when it is collected during the sync.',
    peakResetWorked
      ? 'Peaks are VmHWM reset to the current RSS (`/proc/PID/clear_refs`) just before each sync, so they count the ' +
        'sync alone; the server\'s peak is reset before each device\'s child starts (it is idle while A inserts).'
      : 'The kernel refused to reset VmHWM, so each peak includes start-up (and A\'s inserts): growth is an upper ' +
        'bound.',
  ];
  for (const run of runs) {
    notes.push(`${int(run.count)} changes, RSS when the progress events reached 25 / 50 / 75 / 100 % (MB): ` +
      `A ${quarters(run.a.device)}; B ${quarters(run.b.device)}. Server RSS after start-up ` +
      `${mb(run.serverOpened)} MB; A's peak during its inserts ${mb(run.a.device.insertPeak)} MB.`);
  }
  notes.push('Each SQLite connection\'s page cache may grow to 64 MiB (`store::OpenOptions::pageCacheKiB`) as pages ' +
    'are touched, and the sync engine reads and writes through a connection of its own: growth rises with the ' +
    'backlog only until that cache is full (a device\'s file is ~28 MB at 100,000 lessons), then levels off (see the ' +
    'RSS at each quarter). A\'s RSS after its inserts holds its JS connection\'s cache the same way.');
  notes.push(`Growth at ${int(small.count)} vs ${int(large.count)} changes (MB): ` +
    `A ${mb(growthOf(small.a.device))} vs ${mb(growthOf(large.a.device))}, ` +
    `B ${mb(growthOf(small.b.device))} vs ${mb(growthOf(large.b.device))}, ` +
    `server (A's push) ${mb(growthOf(small.a.server))} vs ${mb(growthOf(large.a.server))}, ` +
    `server (B's pull) ${mb(growthOf(small.b.server))} vs ${mb(growthOf(large.b.server))}.`);
  return notes;
}

function save(runs) {
  const large = runs[runs.length - 1];
  const target = (label, d) => ({
    what: `${label}: peak RSS growth syncing ${int(large.count)} changes`, target: `< ${TARGET_MB} MB`,
    measured: `${mb(growthOf(d))} MB`, met: growthOf(d) < TARGET_MB * MB,
  });
  const bar = (label, x) => ({ group: `Peak RSS growth syncing ${int(large.count)} changes (MB)`, label,
    value: Number(mb(growthOf(x))), unit: 'MB', ours: true });
  const peakResetWorked = runs.every((run) => run.a.device.peakReset && run.b.device.peakReset &&
    run.a.server.peakReset && run.b.server.peakReset);
  saveResult({
    name: 'memory',
    title: `Peak memory syncing ${int(SIZES[0])} and ${int(CHANGES)} lesson changes, A -> server -> B`,
    description: 'N lesson-shaped rows inserted offline into device A\'s tracked table (transactions of ' +
      `${int(INSERT_TRANSACTION)}), then A's \`syncNow()\` (\`live: false\`) pushes them and a fresh device B's ` +
      '`syncNow()` pulls them all (the run checks B\'s row count and A\'s empty outbox). A and B each run in a child ' +
      'process of their own, so each RSS is that device\'s alone; the server is the binary on 127.0.0.1. ' +
      'For each: RSS after opening the database (and, for A, after its inserts), RSS just before the sync, the peak ' +
      'RSS during the sync (VmHWM from `/proc/PID/status`) and growth = peak - before.',
    columns: ['changes', 'process', 'RSS after open (MB)', 'RSS after insert (MB)', 'RSS before sync (MB)',
      'peak during sync (MB)', 'growth (MB)', 'sync time'],
    rows: runs.flatMap(rowsOf),
    targets: [target('device A (push)', large.a.device), target('device B (pull)', large.b.device)],
    bars: [bar('device A (push)', large.a.device), bar('device B (pull)', large.b.device),
      bar('server, during A\'s push', large.a.server), bar('server, during B\'s pull', large.b.server)],
    notes: notesOf(runs, peakResetWorked),
  });
}

async function main() {
  const runs = [];
  for (const count of SIZES) {
    console.log(`memory: syncing ${int(count)} changes A -> server -> B...`);
    runs.push(await once(count));
  }
  save(runs);
}

const [entry, args] = process.argv[2] === '--child' ? [child, process.argv.slice(3)] : [main, []];
entry(args).catch((error) => {
  console.error(error);
  process.exit(1);
});
