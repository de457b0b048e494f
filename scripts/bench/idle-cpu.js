#!/usr/bin/env node
// CPU an idle sync client costs: a child process running only the client (nothing else in it), connected to the
// reference server over loopback, measured with process.cpuUsage() over IDLE_SECONDS (60) starting 5 s after its
// last sync; as percent of one core. Three children: live: true (the WebSocket, no polling), live: false with the
// default interval (30 s), and a bare Node process as the baseline. Saved as the result 'idle-cpu' (lib/results.js).
// Run: npm run bench, or node idle-cpu.js
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { startServer } = require('./lib/server');
const { saveResult } = require('./lib/results');

const IDLE_SECONDS = Number(process.env.IDLE_SECONDS || 60);
const SETTLE_MS = 5000;
const TARGET_PERCENT = 0.01;  // of one core, for a live client
const MODES = [
  { mode: 'live', label: '`live: true`', ours: true },
  { mode: 'polling', label: '`live: false`, interval 30 s', ours: true },
  { mode: 'baseline', label: 'bare `node` (baseline)', ours: false },
];

// This process's established TCP connections to `port` (Linux: its socket inodes matched against /proc/net/tcp),
// to show the live client really holds its WebSocket open while idle.
function connectionsTo(port) {
  const inodes = new Set();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch { /* the fd closed meanwhile */ }
  }
  const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);  // sl local remote state ... inode at index 9
      if (f[3] === '01' && f[2].endsWith(`:${hexPort}`) && inodes.has(f[9])) count += 1;
    }
  }
  return count;
}

// The child: `node idle-cpu.js --child MODE URL DIR`; prints one JSON line with its measurement.
async function child([mode, url, dir]) {
  let rounds = 0;
  let sync = null;
  let db = null;
  if (mode !== 'baseline') {
    const { openDatabase } = require('../..');
    db = openDatabase(path.join(dir, `${mode}.db`), { deviceId: `idle-${mode}` });
    db.migrate(['CREATE TABLE lessons (id TEXT PRIMARY KEY, starts_at TEXT)']);
    db.track('lessons');
    db.run("INSERT INTO lessons VALUES ('l-1', '2026-12-01T09:00')");
    sync = db.sync({ url, token: `bench-${mode}`, live: mode === 'live' });  // a tenant of its own
    sync.on('status', (status) => { if (status.state === 'syncing') rounds += 1; });
    sync.start();
    await sync.syncNow();
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const roundsBefore = rounds;
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const used = process.cpuUsage(before);
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const connections = connectionsTo(new URL(url).port);
  if (sync) await sync.stop();
  if (db) db.close();
  const measured = { user: used.user, system: used.system, wallUs, rounds: rounds - roundsBefore, connections };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

async function measure(mode, url, dir) {
  const proc = spawn(process.execPath, [__filename, '--child', mode, url, dir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)));
  });
  return JSON.parse(line);
}

function save(measured) {
  const percentOf = (r) => ((r.user + r.system) / r.wallUs) * 100;
  const live = percentOf(measured[0]);
  saveResult({
    name: 'idle-cpu',
    title: `Idle CPU of one sync client process over ${IDLE_SECONDS} s, from ${SETTLE_MS / 1000} s after its last sync`,
    description: 'Three child processes, each running nothing but what is measured, against one server on ' +
      '127.0.0.1: a client with `live: true` (the WebSocket open, no polling), a client with `live: false` and the ' +
      `default 30 s interval, and a bare Node process as the baseline. Each client does one sync, waits ` +
      `${SETTLE_MS / 1000} s, then measures its own \`process.cpuUsage()\` (every thread of the process: the JS ` +
      `thread and the engine's) over ${IDLE_SECONDS} s; as percent of one core. Also counted: the sync rounds in the ` +
      'window and the process\'s open connections to the server at its end (the live client holds its WebSocket).',
    columns: ['client', `CPU over ${IDLE_SECONDS} s`, '% of one core', 'user', 'system', 'rounds in the window',
      'connections open at its end'],
    rows: MODES.map(({ mode, label }, i) => {
      const r = measured[i];
      return [label, `${((r.user + r.system) / 1000).toFixed(1)} ms`, `${percentOf(r).toFixed(3)} %`,
        `${(r.user / 1000).toFixed(1)} ms`, `${(r.system / 1000).toFixed(1)} ms`,
        mode === 'baseline' ? '—' : r.rounds, r.connections];
    }),
    targets: [{ what: 'idle CPU of a live client, from 5 s after its last sync',
      target: `< ${TARGET_PERCENT} % of one core`, measured: `${live.toFixed(3)} %`, met: live < TARGET_PERCENT }],
    bars: MODES.map(({ label, ours }, i) => ({ group: 'Idle CPU (% of one core)', label: label.replace(/`/g, ''),
      value: Number(percentOf(measured[i]).toFixed(4)), unit: '%', ours })),
    notes: ['For comparison, the issue\'s earlier measurement (not measured here, another setup): PouchDB 0.38 % ' +
      'and RxDB 1.3 % of one core when idle.',
    'One measurement per client (the window is long; each child is measured once).'],
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-idle-'));
  try {
    // A tenant of its own for each client, so neither sees the other's changes.
    const server = await startServer(path.join(dir, 'server.db'),
      { tokens: ['bench-live:school-live', 'bench-polling:school-polling'] });
    try {
      console.log(`idle CPU: measuring 3 child processes for ${IDLE_SECONDS + SETTLE_MS / 1000} s...`);
      save(await Promise.all(MODES.map(({ mode }) => measure(mode, server.url, dir))));
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(process.argv.slice(3)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
