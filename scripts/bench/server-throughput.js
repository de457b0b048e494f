#!/usr/bin/env node
// Push and pull throughput of the reference server over loopback: 100,000 lesson-shaped changes pushed in batches of
// 500 (bodies encoded before the clock starts), then pulled in pages, by two concurrent clients, each way timed
// separately. Several repetitions, each against a fresh database; medians with min and max, saved as the result
// 'server-throughput' (lib/results.js). Run: npm run bench
// OFFLINE_SYNC_SERVER_BINARY runs another build (a baseline beside a change, say) under the same client.
// Pushes go through node:http on kept-alive connections with the bodies as ready Buffers, not through fetch: the
// clients share the server's two cores, and fetch spent ~0.85 s of CPU per 100,000 pushed changes (a third of the
// total), measuring the client more than the server. Each answer is still read in full and checked.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const zlib = require('node:zlib');
const path = require('node:path');
const { SERVER_BINARY, startServer, cpuSecondsOf } = require('./lib/server');
const { saveResult } = require('./lib/results');
const { stats, int, ratio } = require('./lib/stats');

const CHANGES = Number(process.env.BENCH_CHANGES || 100000);
const BATCH = 500;
const PAGE = Number(process.env.BENCH_PAGE || 5000);
const CLIENTS = 2;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS || 3);
const TARGET = 100000;  // changes/s each way: issue 5's target
const HEADERS = { Authorization: 'Bearer bench', 'X-Offline-Sync-Protocol': '1', 'Content-Type': 'application/json' };
// As the library's own client asks: the server gzips answers over 1 KiB.
const PUSH_HEADERS = { ...HEADERS, 'Accept-Encoding': 'gzip' };

function lessonChange(device, n) {
  return {
    id: `${device}:${n}`, table: 'lessons', row: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    op: 'insert', policy: 'merge', baseVersion: 0, hlc: String(BigInt(1700000000000 + n) * 65536n),
    columns: {
      student_id: `student-${n % 500}`, instructor_id: `instructor-${n % 12}`,
      vehicle_id: n % 3 ? `vehicle-${n % 8}` : null,
      starts_at: `2026-12-${String(1 + (n % 28)).padStart(2, '0')}T09:00:00Z`, minutes: 45 + (n % 3) * 45,
      status: 'booked', price_cents: 4500, notes: n % 10 ? null : 'first lesson on the motorway',
    },
  };
}

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/push`,
      { method: 'POST', agent, headers: { ...PUSH_HEADERS, 'Content-Length': body.length } }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = (response.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString();
          if (response.statusCode !== 200) reject(new Error(`push answered ${response.statusCode}: ${text}`));
          else resolve(text);
        });
        response.on('error', reject);
      });
    request.on('error', reject);
    request.end(body);
  });
}

async function pushAll(url, bodies) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let next = 0;
  async function client() {
    while (next < bodies.length) {
      const { body, changes } = bodies[next++];
      const answer = JSON.parse(await post(agent, url, body));
      // Every change of the batch must come back applied, else the figure would count work not done.
      if (answer.results.length !== changes || answer.results.some((result) => result.status !== 'applied')) {
        throw new Error(`unexpected push answer: ${JSON.stringify(answer).slice(0, 200)}`);
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: CLIENTS }, client));
  } finally {
    agent.destroy();
  }
}

async function pullAll(url) {
  // Two clients split the version range, each paging through its half.
  const half = Math.ceil(CHANGES / 2);
  let rows = 0;
  async function client(from, to) {
    let cursor = from;
    while (cursor < to) {
      const limit = Math.min(PAGE, to - cursor);
      const response = await fetch(`${url}/v1/pull?cursor=${cursor}&limit=${limit}`, { headers: HEADERS });
      const body = Buffer.from(await response.arrayBuffer()).toString();
      // Measures the server, not the client's JSON.parse: the page's tail says where it ended.
      const tail = /"cursor":(\d+),"more":(true|false)\}$/.exec(body);
      if (!tail) throw new Error(`unexpected pull answer: ${body.slice(-200)}`);
      rows += Number(tail[1]) - cursor;
      cursor = Number(tail[1]);
      if (tail[2] !== 'true') break;
    }
  }
  await Promise.all([client(0, half), client(half, CHANGES)]);
  return rows;
}

function encodeBodies() {
  const bodies = [];
  for (let first = 1; first <= CHANGES; first += BATCH) {
    const changes = [];
    for (let n = first; n < first + BATCH && n <= CHANGES; n += 1) changes.push(lessonChange('bench-device', n));
    bodies.push({ body: Buffer.from(JSON.stringify({ deviceId: 'bench-device', changes })), changes: changes.length });
  }
  return bodies;
}

/** One repetition against a fresh server and database: push everything, then pull it back, each way timed. */
async function once(bodies) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-bench-server-'));
  const server = await startServer(path.join(dir, 'server.db'));
  try {
    const pid = server.child.pid;
    let cpu = cpuSecondsOf(pid);
    let started = process.hrtime.bigint();
    await pushAll(server.url, bodies);
    const push = { rate: CHANGES / (Number(process.hrtime.bigint() - started) / 1e9), cpu: cpuSecondsOf(pid) - cpu };
    cpu = cpuSecondsOf(pid);
    started = process.hrtime.bigint();
    const rows = await pullAll(server.url);
    const pull = { rate: rows / (Number(process.hrtime.bigint() - started) / 1e9), cpu: cpuSecondsOf(pid) - cpu };
    if (rows !== CHANGES) throw new Error(`pulled ${rows} rows, expected ${CHANGES}`);
    return { push, pull };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function save(runs) {
  const directions = ['push', 'pull'].map((direction) => ({
    direction,
    rate: stats(runs.map((run) => run[direction].rate)),
    cpu: stats(runs.map((run) => run[direction].cpu)),
  }));
  saveResult({
    name: 'server-throughput',
    title: `Server throughput over loopback: ${int(CHANGES)} lesson changes, push batches of ${BATCH}, ` +
      `pull pages of ${PAGE}, ${CLIENTS} clients, ${REPETITIONS} repetitions`,
    description: 'The server binary on 127.0.0.1 with a fresh SQLite file (WAL, `synchronous=FULL`) per repetition; ' +
      `${int(CHANGES)} lesson-shaped changes (9 columns) pushed in batches of ${BATCH} by ${CLIENTS} concurrent ` +
      'clients (`node:http` on kept-alive connections, bodies encoded before the clock starts, every answer ' +
      `inflated and checked), then pulled back in pages of ${int(PAGE)} by ${CLIENTS} clients (each page's cursor ` +
      'read from its tail, so it measures the server). Client and server share the machine\'s cores; server CPU is ' +
      'the server process\'s user + system time for that direction.',
    columns: ['direction', 'changes/s (median)', 'min', 'max', `vs target ${int(TARGET)}/s`, 'server CPU s (median)'],
    rows: directions.map(({ direction, rate, cpu }) => [direction, int(rate.median), int(rate.min), int(rate.max),
      ratio(rate.median / TARGET), cpu.median.toFixed(2)]),
    targets: directions.map(({ direction, rate }) => ({
      what: `${direction} throughput`, target: `≥ ${int(TARGET)} changes/s`,
      measured: `${int(rate.median)} changes/s`, met: rate.median >= TARGET,
    })),
    bars: directions.map(({ direction, rate }) => ({
      group: 'Server throughput (changes/s)', label: direction, value: Math.round(rate.median), unit: 'changes/s',
      ours: true,
    })),
  });
}

async function main() {
  if (!fs.existsSync(SERVER_BINARY)) throw new Error(`${SERVER_BINARY} is not built: run npm install`);
  const bodies = encodeBodies();
  const runs = [];
  for (let rep = 0; rep < REPETITIONS; rep += 1) runs.push(await once(bodies));
  save(runs);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
