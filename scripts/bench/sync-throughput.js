#!/usr/bin/env node
// The sync client end to end over loopback: N lesson-shaped changes made offline on device A travel through the
// reference server to device B. Timed from A's syncNow() until B's syncNow() resolves with every row; A's push (until
// its last push batch is acknowledged) and B's pull (its whole syncNow) are reported too. Each size runs
// BENCH_REPETITIONS times (3) against fresh files; median, min and max. Run: npm run bench, or node sync-throughput.js
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { openDatabase } = require('../..');

const SIZES = (process.env.BENCH_SYNC_SIZES || '10000,100000').split(',').map(Number);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 3);
const BINARY = path.join(__dirname, '..', '..', 'build', 'Release', 'offline-sync-server');
const SCHEMA = [`CREATE TABLE lessons (id TEXT PRIMARY KEY, student_id TEXT NOT NULL, instructor_id TEXT NOT NULL,
  vehicle_id TEXT, starts_at TEXT NOT NULL, minutes INTEGER NOT NULL, status TEXT NOT NULL, price_cents INTEGER NOT NULL,
  notes TEXT)`];

async function startServer(db) {
  const child = spawn(BINARY, ['--host', '127.0.0.1', '--port', '0', '--db', db, '--token', 'bench:school'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { child, url: line.replace('listening on ', '') };
}

// CPU seconds a process has used so far (Linux /proc: user + system, in clock ticks of 1/100 s).
function cpuSecondsOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function device(dir, name, url) {
  const db = openDatabase(path.join(dir, `${name}.db`), { deviceId: name });
  db.migrate(SCHEMA);
  db.track('lessons');
  return { db, sync: db.sync({ url, token: 'bench', live: false }) };
}

function fill(db, count) {
  const insert = db.prepare(`INSERT INTO lessons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let n = 0; n < count; n += 1) {
      insert.run([`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, `student-${n % 500}`,
        `instructor-${n % 12}`, n % 3 ? `vehicle-${n % 8}` : null,
        `2026-12-${String(1 + (n % 28)).padStart(2, '0')}T09:00:00Z`, 45 + (n % 3) * 45, 'booked', 4500,
        n % 10 ? null : 'first lesson on the motorway']);
    }
  });
}

async function once(count) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-bench-'));
  const server = await startServer(path.join(dir, 'server.db'));
  const a = device(dir, 'device-a', server.url);
  const b = device(dir, 'device-b', server.url);
  try {
    fill(a.db, count);
    let pushedAt = 0;
    a.sync.on('progress', (p) => {
      if (p.phase === 'push' && p.done === p.total) pushedAt = performance.now();
    });
    const cpuBefore = process.cpuUsage();
    const serverBefore = cpuSecondsOf(server.child.pid);
    const start = performance.now();
    const pushed = await a.sync.syncNow();
    const aDone = performance.now();
    const pulled = await b.sync.syncNow();
    const end = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    const clientCpu = (cpu.user + cpu.system) / 1e6;
    const serverCpu = cpuSecondsOf(server.child.pid) - serverBefore;
    const rows = b.db.get('SELECT count(*) AS n FROM lessons').n;
    if (pushed.pushed !== count || rows !== count || a.db.pendingChanges() !== 0) {
      throw new Error(`incomplete: pushed ${pushed.pushed}, B has ${rows} of ${count}`);
    }
    return { total: end - start, push: (pushedAt || aDone) - start, aRound: aDone - start, pull: end - aDone,
      pulled: pulled.pulled, clientCpu, serverCpu };
  } finally {
    a.db.close();
    b.db.close();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stats(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

async function main() {
  console.log(`sync throughput: A -> server -> B over loopback, ${REPETITIONS} repetitions per size`);
  for (const count of SIZES) {
    const runs = [];
    for (let i = 0; i < REPETITIONS; i += 1) runs.push(await once(count));
    console.log(`${count.toLocaleString('en')} changes      median ms      min      max   changes/s (median)`);
    for (const [key, label] of [['total', 'A syncNow -> B has all'], ['push', "A's push (last ack)"],
      ['aRound', "A's whole syncNow"], ['pull', "B's syncNow (pull)"]]) {
      const s = stats(runs.map((run) => run[key]));
      const rate = Math.round(count / (s.median / 1000)).toLocaleString('en');
      console.log(`  ${label.padEnd(24)}${s.median.toFixed(0).padStart(7)}${s.min.toFixed(0).padStart(9)}` +
        `${s.max.toFixed(0).padStart(9)}${rate.padStart(12)}`);
    }
    const cpu = (key) => stats(runs.map((run) => run[key])).median.toFixed(1);
    console.log(`  CPU (median): clients' process ${cpu('clientCpu')} s, server ${cpu('serverCpu')} s`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
