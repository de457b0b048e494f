#!/usr/bin/env node
// CPU an idle sync client costs: a child process running only the client (nothing else in it), connected to the
// reference server over loopback, measured with process.cpuUsage() over IDLE_SECONDS (60) starting 5 s after its
// last sync; as percent of one core. Three children: live: true (the WebSocket, no polling), live: false with the
// default interval (30 s), and a bare Node process as the baseline. Run: npm run bench, or node idle-cpu.js
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const IDLE_SECONDS = Number(process.env.IDLE_SECONDS || 60);
const SETTLE_MS = 5000;
const BINARY = path.join(__dirname, '..', '..', 'build', 'Release', 'offline-sync-server');

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
  process.stdout.write(`${JSON.stringify({ user: used.user, system: used.system, wallUs, rounds: rounds - roundsBefore, connections })}\n`);
}

async function measure(mode, url, dir) {
  const proc = spawn(process.execPath, [__filename, '--child', mode, url, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)));
  });
  return JSON.parse(line);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-idle-'));
  const server = spawn(BINARY, ['--host', '127.0.0.1', '--port', '0', '--db', path.join(dir, 'server.db'),
    '--token', 'bench-live:school-live', '--token', 'bench-polling:school-polling'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const url = (await new Promise((resolve) => readline.createInterface({ input: server.stdout }).once('line', resolve)))
      .replace('listening on ', '');
    console.log(`idle CPU of one sync client process over ${IDLE_SECONDS} s, from ${SETTLE_MS / 1000} s after its last sync`);
    const modes = [['live', 'live: true'], ['polling', 'live: false, interval 30 s'], ['baseline', 'bare node (no client)']];
    const results = await Promise.all(modes.map(([mode]) => measure(mode, url, dir)));
    modes.forEach(([, label], i) => {
      const r = results[i];
      const percent = ((r.user + r.system) / r.wallUs) * 100;
      console.log(`  ${label.padEnd(28)} ${percent.toFixed(3).padStart(7)} % of one core  ` +
        `(user ${(r.user / 1000).toFixed(1)} ms, system ${(r.system / 1000).toFixed(1)} ms, ` +
        `rounds in the window ${r.rounds}, connections open at its end ${r.connections})`);
    });
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
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
