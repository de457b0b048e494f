'use strict';
// The load run shared by scripts/load-test.js and test/js/63-load.test.js: one reference server on 127.0.0.1 with a
// temporary SQLite file, N devices (real sync clients, live, in this process) writing for a bounded time, then a
// settle phase (everything pushed, everything pulled) and the checks: every device's table identical (a hash each),
// equal to the server's, and every write accounted for. Returns the figures; printing is the caller's.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../demo/server');
const { Device, insertSharedLessons, sharedLessonId, tableHash, SHARED_COLUMNS } = require('./device');

const TOKEN = 'load-token';
const SETTLE_DEADLINE_MS = 120000;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** { VmRSS, VmHWM } of a process in KiB, from /proc/<pid>/status; null once it is gone. */
function processMemory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssKib: kib('VmRSS'), peakKib: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
function processCpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime: fields 14 and 15 of the line
  } catch {
    return NaN;
  }
}

/** The tenant's newest sequence number: an empty push answers it without changing anything. */
async function serverCursor(url) {
  const response = await fetch(`${url}/v1/push`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'X-Offline-Sync-Protocol': '1', 'Content-Type': 'application/json' },
    body: JSON.stringify({ deviceId: 'load-probe', changes: [] }),
  });
  if (response.status !== 200) throw new Error(`cursor probe answered ${response.status}`);
  return (await response.json()).cursor;
}

/** Every live row on the server, by id (columns it never received are absent, as in pull). */
async function serverLessons(url) {
  const rows = new Map();
  let cursor = 0;
  for (;;) {
    const response = await fetch(`${url}/v1/pull?cursor=${cursor}&limit=5000`,
      { headers: { Authorization: `Bearer ${TOKEN}`, 'X-Offline-Sync-Protocol': '1' } });
    if (response.status !== 200) throw new Error(`server pull answered ${response.status}`);
    const page = await response.json();
    for (const row of page.rows) {
      if (row.deleted) rows.delete(row.row);
      else rows.set(row.row, { id: row.row, ...row.columns });
    }
    cursor = page.cursor;
    if (!page.more) return rows;
  }
}

// Polls check() (async allowed) until it holds; throws `what` after the deadline.
async function until(check, what, ms) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
  }
}

/** Differences between device 0's final table and the written history: lost or invented writes. */
function lostWrites(devices, written, sharedRows) {
  const rowsById = new Map(devices[0].db.all('SELECT * FROM lessons').map((row) => [row.id, row]));
  const problems = devices.flatMap((device) => device.ownProblems(rowsById));
  const known = new Set(devices.flatMap((device) => [...device.own.keys()]));
  for (let n = 0; n < sharedRows; n += 1) {
    const id = sharedLessonId(n);
    known.add(id);
    const row = rowsById.get(id);
    if (!row) problems.push(`${id}: shared lesson missing`);
    for (const column of SHARED_COLUMNS) {
      if (row && !written.get(`${id}/${column}`).has(row[column])) {
        problems.push(`${id}.${column} = ${JSON.stringify(row[column])}: a value nobody wrote`);
      }
    }
  }
  for (const id of rowsById.keys()) if (!known.has(id)) problems.push(`${id}: a row nobody wrote`);
  return problems;
}

function dropNulls(row) {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
}

/** Server rows that differ from device 0's (compared without the NULL columns the server may never have seen). */
function serverDifferences(device, serverRows) {
  const local = device.db.all('SELECT * FROM lessons ORDER BY id');
  const differences = [];
  if (local.length !== serverRows.size) {
    differences.push(`${local.length} rows on the device, ${serverRows.size} on the server`);
  }
  for (const row of local) {
    const withoutNulls = dropNulls(row);
    const remote = serverRows.get(row.id);
    const remoteWithoutNulls = remote && dropNulls(remote);
    const keys = Object.keys(withoutNulls);
    if (!remote || keys.length !== Object.keys(remoteWithoutNulls).length ||
        keys.some((key) => withoutNulls[key] !== remoteWithoutNulls[key])) {
      differences.push(`${row.id}: device ${JSON.stringify(row)}, server ${JSON.stringify(remote ?? null)}`);
    }
  }
  return differences;
}

/**
 * Runs the load. options: devices (50), seconds (60), rate (write transactions per second per device, 2),
 * sharedRows (20), seed (1), log(line) for progress. Resolves to the report (see the end of this function).
 */
async function runLoad({ devices: deviceCount = 50, seconds = 60, rate = 2, sharedRows = 20, seed = 1,
  log = () => {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-load-'));
  const devices = [];
  let server = null;
  try {
    server = await startServer({ db: path.join(dir, 'server.db'), token: `${TOKEN}:load-school` });
    const written = new Map();
    for (let n = 0; n < sharedRows; n += 1) {
      const id = sharedLessonId(n);
      const initial = { instructor: `instructor-${n % 5}`, minutes: 90, status: 'booked', notes: null };
      for (const column of SHARED_COLUMNS) written.set(`${id}/${column}`, new Set([initial[column]]));
    }
    for (let i = 0; i < deviceCount; i += 1) {
      const name = `device-${String(i).padStart(2, '0')}`;
      const deviceSeed = seed * 1000 + i;
      devices.push(new Device({ dir, name, url: server.url, token: TOKEN, seed: deviceSeed, sharedRows, written }));
    }
    // A shared base: the first device creates the shared lessons, every device pulls them before the clock starts.
    insertSharedLessons(devices[0].db, sharedRows);
    await devices[0].sync.syncNow();
    await Promise.all(devices.map((device) => device.sync.syncNow()));
    const cursorBefore = await serverCursor(server.url);
    for (const device of devices) {
      device.latencies.length = 0;
      device.rowsApplied = 0;
      device.sync.start();
    }
    log(`${deviceCount} devices writing for ${seconds} s at ${rate} transactions/s each`);
    const started = performance.now();
    const serverCpuBefore = processCpuSeconds(server.child.pid);
    const clientCpuBefore = process.cpuUsage();
    const progress = setInterval(() => {
      const transactions = devices.reduce((sum, device) => sum + device.transactions, 0);
      log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${transactions} transactions`);
    }, 10000);
    await Promise.all(devices.map((device) => device.writeUntil(started + seconds * 1000, rate)));
    clearInterval(progress);
    const writeSeconds = (performance.now() - started) / 1000;
    const serverCpu = processCpuSeconds(server.child.pid) - serverCpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const cursorAfterWrites = await serverCursor(server.url);
    const rowsAppliedWhileWriting = devices.reduce((sum, device) => sum + device.rowsApplied, 0);

    // Settle: every change pushed, then one more round each pulls what the others pushed last.
    const settleStarted = performance.now();
    await until(async () => {
      const pending = devices.filter((device) => device.db.pendingChanges() > 0);
      await Promise.all(pending.map((device) => device.timedSync()));
      return pending.length === 0;
    }, 'every device pushed everything', SETTLE_DEADLINE_MS);
    const cursorFinal = await serverCursor(server.url);
    await until(async () => {
      await Promise.all(devices.map((device) => device.timedSync()));
      return devices.every((device) => device.db.pendingChanges() === 0);
    }, 'every device pulled everything', SETTLE_DEADLINE_MS);
    const settleSeconds = (performance.now() - settleStarted) / 1000;
    await Promise.all(devices.map((device) => device.sync.stop()));

    const hashes = devices.map((device) => ({ name: device.name, ...tableHash(device.db) }));
    const identical = hashes.every((entry) => entry.hash === hashes[0].hash);
    const lost = lostWrites(devices, written, sharedRows);
    const serverDiffs = serverDifferences(devices[0], await serverLessons(server.url));
    const memory = processMemory(server.child.pid);

    const latencies = devices.flatMap((device) => device.latencies).sort((a, b) => a - b);
    const errors = {};
    for (const device of devices) {
      for (const [key, count] of device.errors) errors[key] = (errors[key] ?? 0) + count;
    }
    const transactions = devices.reduce((sum, device) => sum + device.transactions, 0);
    const statements = devices.reduce((sum, device) => sum + device.statements, 0);
    return {
      devices: deviceCount, seconds, rate, sharedRows, seed,
      writeSeconds, settleSeconds, transactions, statements,
      changesApplied: cursorFinal - cursorBefore,
      changesAppliedWhileWriting: cursorAfterWrites - cursorBefore,
      rowsApplied: devices.reduce((sum, device) => sum + device.rowsApplied, 0),
      rowsAppliedWhileWriting,
      rounds: latencies.length,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
      errors,
      server: { peakRssKib: memory?.peakKib, endRssKib: memory?.rssKib, cpuSecondsWhileWriting: serverCpu },
      devicesCpuSecondsWhileWriting: (clientCpu.user + clientCpu.system) / 1e6,
      rows: hashes[0].rows, hashes, identical, lost, serverDiffs,
      perDevice: devices.map((device, i) => ({
        name: device.name, transactions: device.transactions, rounds: device.latencies.length,
        p50: percentile([...device.latencies].sort((a, b) => a - b), 50), rowsApplied: device.rowsApplied,
        rows: hashes[i].rows, hash: hashes[i].hash,
      })),
    };
  } finally {
    for (const device of devices) {
      try {
        device.db.close();  // closes its sync client too
      } catch {
        // Cleanup must go on for the other devices.
      }
    }
    if (server) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { runLoad, percentile, processMemory };
