#!/usr/bin/env node
// A slow link: 10,000 lesson-shaped changes made offline on device A travel to device B through the reference server,
// each device behind its own fault proxy (scripts/fault-proxy.js) with 75 ms latency each way and 250,000 bytes/s
// (2 Mbit/s) each direction. B is live and in sync before the clock; the clock runs from A's syncNow() until B holds
// all 10,000 rows. A byte-counting relay in front of each proxy measures what crossed the link (the proxy's stats()
// count requests, not bytes). BENCH_REPETITIONS (3) runs, fresh server and files each. Run: node slow-link.js
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { openDatabase } = require('../..');
const { startFaultProxy } = require('../fault-proxy');
const { LESSONS_SCHEMA, INSERT_LESSON, lessonRow } = require('./lib/lessons');
const { stats, int, duration } = require('./lib/stats');
const { startServer, cpuSecondsOf } = require('./lib/server');
const { saveResult } = require('./lib/results');

const COUNT = 10000;
const LATENCY_MS = 75;
const BANDWIDTH = 250000;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 3);
const DEADLINE_MS = 120000;
// Long enough for B's WebSocket upgrade to be answered through the proxy (one 150 ms round trip) after it arrived.
const LIVE_SETTLE_MS = 1000;
const TARGET_S = 10;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP relay on 127.0.0.1 that counts the bytes each way: put in front of a proxy, it sees the device's link. */
async function startTap(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const bytes = { up: 0, down: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => { bytes.up += chunk.length; });
    upstream.on('data', (chunk) => { bytes.down += chunk.length; });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = () => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
  return { url: `http://127.0.0.1:${server.address().port}`, bytes, close };
}

function device(dir, name, url, live) {
  const db = openDatabase(path.join(dir, `${name}.db`), { deviceId: name });
  db.migrate([LESSONS_SCHEMA]);
  db.track('lessons');
  return { db, sync: db.sync({ url, token: 'bench', live }) };
}

const rowCount = (db) => db.get('SELECT count(*) AS n FROM lessons').n;
const allRows = (db) => JSON.stringify(db.all('SELECT * FROM lessons ORDER BY id'));

/** Resolves with performance.now() once B holds `count` rows (checked on each 'change' and every 10 ms). */
function untilRows(b, count, t0) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (rowCount(b.db) >= count) {
        clearInterval(timer);
        b.sync.off('change', check);
        resolve(performance.now());
      } else if (performance.now() - t0 > DEADLINE_MS) {
        clearInterval(timer);
        b.sync.off('change', check);
        reject(new Error(`B has ${rowCount(b.db)} of ${count} rows after ${DEADLINE_MS / 1000} s`));
      }
    };
    const timer = setInterval(check, 10);
    b.sync.on('change', check);
  });
}

/** Starts what the run needs, closing whatever started if a later step fails; returns the pieces and close(). */
async function setUp(dir) {
  const closers = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const server = await startServer(path.join(dir, 'server.db'));
    closers.push(() => server.stop());
    const link = async () => {
      const proxy = await startFaultProxy({ target: server.url, latencyMs: LATENCY_MS, bandwidth: BANDWIDTH });
      closers.push(() => proxy.close());
      const tap = await startTap(proxy.url);
      closers.push(() => tap.close());
      return { proxy, tap };
    };
    const links = { a: await link(), b: await link() };
    const a = device(dir, 'device-a', links.a.tap.url, false);
    closers.push(() => a.db.close());
    const b = device(dir, 'device-b', links.b.tap.url, true);
    closers.push(() => b.db.close());
    return { server, links, a, b, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the links carried since `before` (from counters()). */
function counters(links) {
  const of = ({ proxy, tap }) => ({ up: tap.bytes.up, down: tap.bytes.down, requests: proxy.stats().requests,
    upgrades: proxy.stats().upgrades });
  return { a: of(links.a), b: of(links.b) };
}

function since(before, after) {
  const diff = (x, y) => Object.fromEntries(Object.keys(x).map((key) => [key, y[key] - x[key]]));
  return { a: diff(before.a, after.a), b: diff(before.b, after.b) };
}

async function once() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-slow-link-'));
  let close = async () => {};
  try {
    const started = await setUp(dir);
    ({ close } = started);
    const { server, links, a, b } = started;
    const insert = a.db.prepare(INSERT_LESSON);
    a.db.transaction(() => {
      for (let n = 0; n < COUNT; n += 1) insert.run(lessonRow(n));
    });
    // B is live and in sync before the clock: its first round is done and its WebSocket is open.
    b.sync.start();
    await b.sync.syncNow();
    while (links.b.proxy.stats().upgrades === 0) await sleep(20);
    await sleep(LIVE_SETTLE_MS);

    let pushedAt = 0;
    a.sync.on('progress', (p) => {
      if (p.phase === 'push' && p.done === p.total) pushedAt = performance.now();
    });
    let firstAt = 0;
    b.sync.once('change', () => { firstAt = performance.now(); });
    const before = counters(links);
    const cpuBefore = process.cpuUsage();
    const serverBefore = cpuSecondsOf(server.child.pid);
    const t0 = performance.now();
    const aRound = a.sync.syncNow().then((result) => ({ result, at: performance.now() }));
    const end = await untilRows(b, COUNT, t0);
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpu = cpuSecondsOf(server.child.pid) - serverBefore;
    const carried = since(before, counters(links));
    const { result, at: aDone } = await aRound;
    const complete = result.pushed === COUNT && a.db.pendingChanges() === 0;
    if (!complete || rowCount(a.db) !== COUNT || rowCount(b.db) !== COUNT) {
      throw new Error(`incomplete: pushed ${result.pushed}, A has ${rowCount(a.db)}, B has ${rowCount(b.db)}`);
    }
    if (allRows(a.db) !== allRows(b.db)) throw new Error('B holds all rows but not the same values as A');
    return { total: end - t0, push: (pushedAt || aDone) - t0, aRound: aDone - t0, pullSpan: end - (firstAt || end),
      carried, clientCpu: (cpu.user + cpu.system) / 1e6, serverCpu };
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (n) => `${int(n / 1000)} kB`;
// What A's round cannot beat on this link: one round trip per sequential request plus its bytes at the paced rate
// (headers included, which the proxy does not actually pace).
const floor = (r) => r.carried.a.requests * 2 * LATENCY_MS + ((r.carried.a.up + r.carried.a.down) / BANDWIDTH) * 1000;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

function whereTimeGoes(runs) {
  const r = [...runs].sort((x, y) => x.total - y.total)[Math.floor(runs.length / 2)];
  const trips = r.carried.a.requests * 2 * LATENCY_MS;
  const paced = ((r.carried.a.up + r.carried.a.down) / BANDWIDTH) * 1000;
  return `median run: A's ${r.carried.a.requests} requests, one after another, spend ${secs(trips)} in round trips ` +
    `and ${secs(paced)} sending ${kb(r.carried.a.up + r.carried.a.down)} at 250 kB/s; the other ` +
    `${secs(r.total - trips - paced)} until B has everything are server and client work and B's last pull`;
}

function report(runs) {
  const spread = (pick, format) => {
    const s = stats(runs.map(pick));
    return [format(s.median), format(s.min), format(s.max)];
  };
  const rows = [
    ["A's syncNow() until B has all 10,000", ...spread((r) => r.total, secs)],
    ["A's push (last batch acknowledged)", ...spread((r) => r.push, secs)],
    ["A's whole syncNow()", ...spread((r) => r.aRound, secs)],
    ["floor of A's round: requests x 150 ms + bytes / 250 kB/s", ...spread(floor, secs)],
    ["B's first row to its last", ...spread((r) => r.pullSpan, secs)],
    ['bytes A -> proxy (push bodies, gzip)', ...spread((r) => r.carried.a.up, kb)],
    ['bytes proxy -> A (answers)', ...spread((r) => r.carried.a.down, kb)],
    ['bytes B -> proxy', ...spread((r) => r.carried.b.up, kb)],
    ['bytes proxy -> B (pull pages, live)', ...spread((r) => r.carried.b.down, kb)],
    ["HTTP requests through A's proxy", ...spread((r) => r.carried.a.requests, int)],
    ["HTTP requests through B's proxy", ...spread((r) => r.carried.b.requests, int)],
    ['server CPU', ...spread((r) => r.serverCpu, (s) => `${s.toFixed(2)} s`)],
    ['client process CPU (A and B)', ...spread((r) => r.clientCpu, (s) => `${s.toFixed(2)} s`)],
  ];
  const time = stats(runs.map((r) => r.total));
  const description = [
    '`scripts/bench/slow-link.js`: 10,000 lesson-shaped changes (`lib/lessons.js`) made offline on device A travel',
    "through the reference server to device B, each device behind its own fault proxy (`scripts/fault-proxy.js`) with",
    `\`latencyMs: ${LATENCY_MS}\` and \`bandwidth: ${int(BANDWIDTH)}\` (bytes/s). B runs live (\`live: true\`, started`,
    "and in sync before the clock); A calls syncNow(); the clock stops when B holds all 10,000 rows, which are then",
    'compared with A\'s. Default batch (500 changes a push) and page (1,000 rows a pull) sizes.',
    '',
    'What that link is in the fault proxy: latency is per HTTP request, not per packet: a request is forwarded 75 ms',
    'after its head reaches the proxy and the answer starts 75 ms after the server\'s answer head, so every exchange',
    'costs at least 150 ms; opening a TCP connection costs nothing (a real 150 ms link adds a round trip per',
    'connection, and TCP slow start). On the live WebSocket every chunk is delayed 75 ms each way. Bandwidth paces',
    'bodies only (headers pass at once), 250,000 bytes/s each direction per request body and per answer body (each',
    'gets its own pacer: two requests at once would each get the full rate, not share it), and it paces the bytes as',
    'sent, i.e. gzip-compressed. A byte-counting relay in front of each proxy measures what crossed each link,',
    'headers included.',
  ].join('\n');
  return {
    name: 'slow-link', title: 'A slow link: 10,000 changes over 2 Mbit/s, 150 ms round trip', description,
    columns: ['measure', 'median', 'min', 'max'], rows,
    targets: [{ what: '10,000 changes over 2 Mbit/s, 150 ms RTT', target: `≤ ${TARGET_S} s`,
      measured: duration(time.median), met: time.median <= TARGET_S * 1000 }],
    bars: [{ group: 'Slow link, 10,000 changes (s)', label: 'offline-sync', value: time.median / 1000, unit: 's',
      ours: true }],
    notes: [...runs.map((r, i) => `run ${i + 1}: ${secs(r.total)}; A's link ${int(r.carried.a.requests)} requests, ` +
      `B's ${int(r.carried.b.requests)} requests and ${r.carried.b.upgrades} new WebSocket upgrades`),
    // Where the time goes, from the median run's counters: round trips, paced bytes, and everything else.
    whereTimeGoes(runs)],
  };
}

async function main() {
  console.log(`slow link: ${int(COUNT)} changes A -> B, ${LATENCY_MS} ms each way, ${int(BANDWIDTH)} bytes/s, ` +
    `${REPETITIONS} repetitions`);
  const runs = [];
  for (let i = 0; i < REPETITIONS; i += 1) {
    runs.push(await once());
    console.log(`  run ${i + 1}: B has all after ${secs(runs[i].total)}`);
  }
  saveResult(report(runs));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
