#!/usr/bin/env node
// A day offline: five devices of one driving school (2 office desks, 3 instructor laptops), each with its own file,
// start from the same synced baseline, then work offline for a generated, seeded day (day-offline/day.js) through
// plain SQL on the demo's tables and policies. The clock starts when all five start a live sync at once and stops
// when every device holds identical tables (sha1 of each table's rows, by id) with nothing pending. Each repetition
// (BENCH_REPETITIONS, 3) uses a fresh server and files and the same seed (BENCH_SEED, 1). Run: node day-offline.js
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openDatabase } = require('../..');
const { prepare, KINDS, POLICIES } = require('../../electron-demo/app/schema');
const { planDay, DAY_MINUTES } = require('./day-offline/day');
const { stats, int } = require('./lib/stats');
const { startServer, cpuSecondsOf } = require('./lib/server');
const { saveResult } = require('./lib/results');

const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 3);
const SEED = Number(process.env.BENCH_SEED || 1);
const POLL_MS = 20;
const DEADLINE_MS = 120000;
const TARGET_S = 2;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const cpuSecs = (s) => `${s.toFixed(2)} s`;
const millis = (value) => `${Math.round(value)} ms`;

/** One device: its file with the demo's schema and policies, and a live sync client that is not started yet. */
function openDevice(dir, spec, url) {
  const db = openDatabase(path.join(dir, `${spec.name}.db`), { deviceId: spec.name });
  prepare(db);
  const sync = db.sync({ url, token: 'bench', live: true });
  // Students are 'manual': a person would choose; the benchmark always keeps the server's row, so every device
  // answers alike and the outcome does not depend on who pushed first.
  sync.onConflict(() => ({ use: 'remote' }));
  const device = { ...spec, db, sync, conflicts: {}, errors: [], pulled: 0, lastChangeAt: 0, settledAt: null };
  sync.on('conflict', (c) => {
    const key = `${c.table} ${c.resolution}`;
    device.conflicts[key] = (device.conflicts[key] || 0) + 1;
  });
  sync.on('change', (change) => {
    device.pulled += change.count;
    device.lastChangeAt = performance.now();
  });
  sync.on('error', (error) => device.errors.push(error.code));
  return device;
}

/** Writes the baseline on the first device and brings every device to it (not timed). */
async function seedBaseline(devices, baseline) {
  const [first] = devices;
  first.db.transaction(() => {
    for (const table of KINDS) {
      const marks = baseline[table][0].map(() => '?').join(', ');
      const statement = first.db.prepare(`INSERT INTO ${table} VALUES (${marks})`);
      for (const row of baseline[table]) statement.run(row);
    }
  });
  await first.sync.syncNow();
  await Promise.all(devices.slice(1).map((device) => device.sync.syncNow()));
  for (const device of devices) {
    if (device.db.pendingChanges() !== 0 || digest(device.db) !== digest(first.db)) {
      throw new Error(`${device.name} did not reach the baseline`);
    }
    Object.assign(device, { conflicts: {}, errors: [], pulled: 0, lastChangeAt: 0 });
  }
}

/** The day, minute by minute: each device writes that minute's operations in one transaction, so the devices'
 * clock stamps interleave as they would in a real day. Returns statements run per device and kind. */
function writeDay(devices) {
  const next = devices.map(() => 0);
  const counts = devices.map(() => ({}));
  for (let minute = 0; minute < DAY_MINUTES; minute += 1) {
    devices.forEach((device, d) => {
      device.db.transaction(() => {
        while (next[d] < device.ops.length && device.ops[next[d]].t === minute) {
          const op = device.ops[next[d]];
          const { changes } = device.db.run(op.sql, op.params);
          if (changes !== 1) throw new Error(`${device.name}: ${op.kind} of ${op.id} changed ${changes} rows`);
          counts[d][op.kind] = (counts[d][op.kind] || 0) + 1;
          next[d] += 1;
        }
      });
    });
  }
  return counts;
}

/** sha1 of every synced table's rows as JSON, ordered by id. */
function digest(db) {
  const hash = crypto.createHash('sha1');
  for (const table of KINDS) hash.update(`${table}\n${JSON.stringify(db.all(`SELECT * FROM ${table} ORDER BY id`))}\n`);
  return hash.digest('hex');
}

/** Row counts per table: a cheap first check before hashing everything. */
function counts(db) {
  return KINDS.map((table) => db.get(`SELECT count(*) AS n FROM ${table}`).n).join(',');
}

/**
 * One look at every device as of (nearly) one moment: a read transaction per file, its snapshot fixed by its first
 * read, taken in a tight loop before anything slow. Hashing then reads those snapshots, so the time a digest takes
 * is not counted and the devices may go on syncing meanwhile. Returns { at, sampled: sample() at that moment,
 * identical, pending }.
 */
function look(devices, poll, sample) {
  const pending = [];
  try {
    for (const device of devices) {
      device.db.exec('BEGIN');
      pending.push(device.db.pendingChanges());
    }
    const at = performance.now();
    const sampled = sample();
    // Equal row counts first: hashing 20,000+ rows five times is worth it only when they may be equal.
    let identical = pending.every((n) => n === 0) && new Set(devices.map((device) => counts(device.db))).size === 1;
    if (identical) {
      const started = performance.now();
      identical = new Set(devices.map((device) => digest(device.db))).size === 1;
      poll.digestMs += performance.now() - started;
      poll.digests += 1;
    }
    return { at, sampled, identical, pending };
  } finally {
    for (const device of devices) if (device.db.inTransaction) device.db.exec('COMMIT');
  }
}

/** Polls until all devices are identical with nothing pending: the ms from t0, sample() then, the cost of polling. */
async function untilIdentical(devices, t0, sample) {
  const poll = { digestMs: 0, digests: 0, polls: 0 };
  for (;;) {
    await sleep(POLL_MS);
    poll.polls += 1;
    const { at, sampled, identical, pending } = look(devices, poll, sample);
    devices.forEach((device, i) => {
      if (pending[i] === 0 && device.settledAt === null) device.settledAt = at - t0;
    });
    if (identical) return { ms: at - t0, sampled, poll };
    if (at - t0 > DEADLINE_MS) {
      const state = devices.map((device, i) => `${device.name}: ${pending[i]} pending, rows ${counts(device.db)}, ` +
        `errors ${device.errors.join(' ') || 'none'}`);
      throw new Error(`the devices were not identical after ${DEADLINE_MS / 1000} s:\n  ${state.join('\n  ')}`);
    }
  }
}

/** Nothing lost: every row written anywhere today is on every device, and each table has the expected row count. */
function verify(devices, plan) {
  const written = Object.fromEntries(KINDS.map((table) => [table, new Set(plan.baseline[table].map((row) => row[0]))]));
  for (const device of plan.devices) for (const op of device.ops) written[op.table].add(op.id);
  for (const device of devices) {
    for (const table of KINDS) {
      const ids = new Set(device.db.all(`SELECT id FROM ${table}`).map((row) => row.id));
      const missing = [...written[table]].filter((id) => !ids.has(id));
      if (missing.length > 0 || ids.size !== written[table].size) {
        throw new Error(`${device.name}.${table}: ${missing.length} rows missing, ` +
          `${ids.size} rows of ${written[table].size}`);
      }
    }
  }
  return Object.fromEntries(KINDS.map((table) => [table, written[table].size]));
}

async function once(plan) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-day-'));
  let server = null;
  const devices = [];
  try {
    server = await startServer(path.join(dir, 'server.db'));
    for (const spec of plan.devices) devices.push(openDevice(dir, spec, server.url));
    await seedBaseline(devices, plan.baseline);
    const statements = writeDay(devices);
    const pending = devices.map((device) => device.db.pendingChanges());

    // CPU is read at the snapshot that proved the devices identical, so the last hashing is not counted.
    const sample = () => ({ client: process.cpuUsage(), server: cpuSecondsOf(server.child.pid) });
    const before = sample();
    const t0 = performance.now();
    for (const device of devices) device.sync.start();
    const { ms, sampled, poll } = await untilIdentical(devices, t0, sample);
    const clientCpu = (sampled.client.user + sampled.client.system - before.client.user - before.client.system) / 1e6;
    const serverCpu = sampled.server - before.server;
    await Promise.all(devices.map((device) => device.sync.stop()));
    const rows = verify(devices, plan);
    return {
      ms, poll, pending, statements, rows, serverCpu, clientCpu,
      allPushedMs: Math.max(...devices.map((device) => device.settledAt)),
      lastChangeMs: Math.max(...devices.map((device) => device.lastChangeAt - t0)),
      pulled: devices.map((device) => device.pulled),
      conflicts: devices.map((device) => device.conflicts),
      errors: devices.map((device) => device.errors),
    };
  } finally {
    for (const device of devices) device.db.close();
    if (server !== null) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (list) => list.reduce((total, n) => total + n, 0);
const conflictTotal = (run) => sum(run.conflicts.map((byKind) => sum(Object.values(byKind))));

/** The day's size: statements per device and kind, pending changes per device, rows per table at the end. */
function dayTable(plan, run) {
  const kinds = [...new Set(run.statements.flatMap((byKind) => Object.keys(byKind)))];
  const header = `| operation | ${plan.devices.map((device) => device.name).join(' | ')} |`;
  const lines = [header, `|---|${plan.devices.map(() => '---:').join('|')}|`];
  for (const kind of kinds) lines.push(`| ${kind} | ${run.statements.map((c) => int(c[kind] || 0)).join(' | ')} |`);
  lines.push(`| **write statements** | ${run.statements.map((c) => int(sum(Object.values(c)))).join(' | ')} |`);
  lines.push(`| **pending changes at reconnect** | ${run.pending.map(int).join(' | ')} |`);
  return lines.join('\n');
}

function conflictSummary(runs) {
  const merged = {};
  const counted = runs.flatMap((run) => run.conflicts.flatMap((byKind) => Object.entries(byKind)));
  for (const [key, n] of counted) merged[key] = (merged[key] || 0) + n;
  return Object.entries(merged).sort().map(([key, n]) => `${key} ${int(n / runs.length)}`).join(', ');
}

function report(plan, runs) {
  const changes = sum(runs[0].pending);
  const statements = sum(runs[0].statements.map((c) => sum(Object.values(c))));
  const time = stats(runs.map((run) => run.ms));
  const spread = (values, format) => {
    const s = stats(values);
    return [format(s.median), format(s.min), format(s.max)];
  };
  const rows = [
    ['time to identical', ...spread(runs.map((run) => run.ms), secs)],
    ['all devices pushed (pending 0)', ...spread(runs.map((run) => run.allPushedMs), secs)],
    ["last 'change' event (rows written by sync)", ...spread(runs.map((run) => run.lastChangeMs), secs)],
    ['conflict events', ...spread(runs.map(conflictTotal), int)],
    ["rows written by sync ('change' events, 5 devices)", ...spread(runs.map((run) => sum(run.pulled)), int)],
    ['server CPU', ...spread(runs.map((run) => run.serverCpu), cpuSecs)],
    ['client process CPU (5 engines, polling)', ...spread(runs.map((run) => run.clientCpu), cpuSecs)],
    ['hashing to check (JS thread; the last one untimed)', ...spread(runs.map((run) => run.poll.digestMs), millis)],
  ];
  const policies = Object.entries(POLICIES).map(([table, policy]) => `${table} ${policy}`).join(', ');
  const b = plan.baseline;
  const touched = new Set(plan.devices.flatMap((device) => device.ops.map((op) => `${op.table} ${op.id}`))).size;
  const description = [
    '`scripts/bench/day-offline.js`: five devices of one school (2 office desks, 3 instructor laptops), each its own',
    `file, start from one synced baseline (${b.students.length} students, ${b.instructors.length} instructors,`,
    `${b.vehicles.length} vehicles, ${int(b.lessons.length)} lessons, ${b.payments.length} payments), then work`,
    `offline for a day generated from seed ${SEED} (\`day-offline/day.js\`: 08:00-18:00, one transaction per device`,
    'and minute, so the devices\' clock stamps interleave) on the demo\'s schema and policies',
    `(${policies}; a manual conflict is answered \`remote\`). Some edits touch rows another device also edits`,
    '(lessons moved at a desk and rescheduled in the car, due lessons cancelled at a desk and completed in the car,',
    'students and payments corrected on two devices), so conflicts arise under every policy. Nothing is deleted',
    '(the app cancels lessons, it never deletes rows).',
    `${int(statements)} write statements leave ${int(changes)} pending changes (later writes to a row fold into its`,
    'unsent change). The clock starts when all five call `sync.start()` (`live: true`) at once and stops at the',
    `poll (every ${POLL_MS} ms) whose read snapshots of the five files show nothing pending and the same sha1 of`,
    'every table\'s rows ordered by id (hashing those snapshots is not timed). Then every row id written that day',
    `is checked on every device. ${runs.length} repetitions, a fresh server and files each, the same day.`,
    '', dayTable(plan, runs[0]), '',
    `Rows per table at the end: ${Object.entries(runs[0].rows).map(([t, n]) => `${t} ${int(n)}`).join(', ')}.`,
    `Conflict events per run (table, resolution; mean): ${conflictSummary(runs) || 'none'}.`,
    `Rows each device's sync wrote ('change' events, run 1): ${plan.devices.map((d, i) =>
      `${d.name} ${int(runs[0].pulled[i])}`).join(', ')}, against ${int(touched)} distinct rows the day touched:`,
    'a pull returns every row changed since the cursor, so each device also takes back the rows it pushed itself.',
  ].join('\n');
  const what = `a day offline (${int(changes)} changes from 5 devices) syncs in`;
  return {
    name: 'day-offline', title: `A day offline: ${int(changes)} changes from 5 devices until all are identical`,
    description, columns: ['measure', 'median', 'min', 'max'], rows,
    targets: [{ what, target: `< ${TARGET_S} s`, measured: secs(time.median), met: time.median < TARGET_S * 1000 }],
    bars: [{ group: 'A day offline, 5 devices (s)', label: 'offline-sync', value: time.median / 1000, unit: 's',
      ours: true }],
    notes: runs.map((run, i) => `run ${i + 1}: ${secs(run.ms)}, errors ${run.errors.flat().join(' ') || 'none'}, ` +
      `${run.poll.digests} full digests in ${run.poll.polls} polls`),
  };
}

async function main() {
  const plan = planDay(SEED);
  console.log(`a day offline: 5 devices, seed ${SEED}, ${REPETITIONS} repetitions`);
  const runs = [];
  for (let i = 0; i < REPETITIONS; i += 1) {
    runs.push(await once(plan));
    console.log(`  run ${i + 1}: identical after ${secs(runs[i].ms)} (${int(sum(runs[i].pending))} changes, ` +
      `${conflictTotal(runs[i])} conflicts)`);
  }
  if (sum(runs[0].pending) < 20000) throw new Error(`the day has only ${sum(runs[0].pending)} changes`);
  saveResult(report(plan, runs));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
