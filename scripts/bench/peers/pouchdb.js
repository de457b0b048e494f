#!/usr/bin/env node
// PouchDB, the contender in sync-throughput.js: devices are pouchdb-node databases (the leveldb adapter, on disk) and
// the server is express-pouchdb on pouchdb-node in a child process of its own (`node pouchdb.js --serve DIR`), so its
// CPU is counted apart from the devices', like our server's. Replication runs with PouchDB's defaults
// (batch_size 100, batches_limit 10): what an app that does not tune it gets.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const PouchDB = require('pouchdb-node');
const { lessonObject } = require('../lib/lessons');

const DB_NAME = 'lessons';
// Where the server child reports the requests it received; registered before the counting middleware, so asking
// is never counted.
const REQUESTS_PATH = '/_bench/requests';
const BULK_CHUNK = 10000;  // A's docs are written in chunks before the clock; only memory depends on it

/** The exact versions in node_modules, for the report. */
function pouchVersions() {
  const version = (name) => JSON.parse(fs.readFileSync(
    path.join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
  return Object.fromEntries(['pouchdb-node', 'leveldown', 'express-pouchdb', 'express'].map((n) => [n, version(n)]));
}

// ---------------------------------------------------------------------------------------------------------------
// The server child.

async function serve(dir) {
  const express = require('express');
  const expressPouchDB = require('express-pouchdb');
  fs.mkdirSync(dir, { recursive: true });
  const ServerPouchDB = PouchDB.defaults({ prefix: `${dir}${path.sep}` });
  await new ServerPouchDB(DB_NAME).info();  // the database exists before any device asks for it
  const requests = [];
  const app = express();
  app.get(REQUESTS_PATH, (req, res) => {
    res.json({ total: requests.length, requests: requests.slice(Number(req.query.since || 0)) });
  });
  app.use((req, res, next) => {
    requests.push(`${req.method} ${req.url}`);
    next();
  });
  // minimumForPouchDB: the routes replication needs, without Fauxton, config files or a log file in the cwd.
  app.use(expressPouchDB(ServerPouchDB, { mode: 'minimumForPouchDB' }));
  const server = app.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
  });
  const quit = () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  // The parent holds our stdin: when it dies, however, so do we (no orphaned server).
  process.stdin.on('end', quit).resume();
}

/** Starts the server child on a data directory. Resolves to { url, dbUrl, pid, requests(since), stop() }. */
async function startPouchServer(dir) {
  const child = spawn(process.execPath, [__filename, '--serve', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('listening on ')) resolve(line.slice('listening on '.length));
      });
      child.once('error', reject);
      exited.then((code) => reject(new Error(`PouchDB server exited with ${code}: ${stderr}`)));
    });
    return {
      url,
      dbUrl: `${url}/${DB_NAME}`,
      pid: child.pid,
      stop,
      /** { total, requests: ['METHOD /path', ...] received since the total was `since` }. */
      async requests(since = 0) {
        const response = await fetch(`${url}${REQUESTS_PATH}?since=${since}`);
        return response.json();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The devices.

/** Lesson n as a PouchDB doc: the lesson's id is the doc's _id. */
function lessonDoc(n) {
  const { id, ...fields } = lessonObject(n);
  return { _id: id, ...fields };
}

async function fillDevice(db, count) {
  for (let first = 0; first < count; first += BULK_CHUNK) {
    const docs = [];
    for (let n = first; n < Math.min(count, first + BULK_CHUNK); n += 1) docs.push(lessonDoc(n));
    const results = await db.bulkDocs(docs);
    if (results.some((r) => r.error)) throw new Error(`PouchDB bulkDocs failed: ${JSON.stringify(results[0])}`);
  }
}

/** Resolves once B's live replication from the server is idle (caught up: 'paused' without an error). */
function whenPaused(replication) {
  return new Promise((resolve, reject) => {
    replication.on('paused', (error) => (error ? reject(error) : resolve()));
    replication.on('error', reject);
  });
}

/** Resolves once B holds `count` docs, checked on each batch its live replication writes; rejects at the deadline. */
function whenDocCount(db, replication, count, deadlineMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PouchDB: B did not reach ${count} docs in ${deadlineMs} ms`)),
      deadlineMs);
    const check = async () => {
      const { doc_count: docs } = await db.info();
      if (docs >= count) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
    replication.on('change', () => check().catch(reject));
    replication.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Cancels a live replication and waits until it has ended: a request still in flight when the server stops would
 * otherwise fail in PouchDB's internals, out of anyone's reach. */
function cancelled(replication) {
  return new Promise((resolve) => {
    replication.once('complete', resolve);
    replication.cancel();
  });
}

/**
 * One timed run: `count` lessons written on A before the clock, B replicating live from the server (idle, in sync);
 * the clock runs from A.replicate.to(server) until B's doc_count reaches count.
 * Resolves to { totalMs, pushMs, clientCpu, serverCpu } (CPU seconds of this process and the server child).
 */
async function runPouchDB({ dir, count, deadlineMs, cpuSecondsOf }) {
  const server = await startPouchServer(path.join(dir, 'server'));
  const a = new PouchDB(path.join(dir, 'device-a'));
  const b = new PouchDB(path.join(dir, 'device-b'));
  let live = null;
  try {
    await fillDevice(a, count);
    live = b.replicate.from(server.dbUrl, { live: true, retry: true });
    await whenPaused(live);
    const reached = whenDocCount(b, live, count, deadlineMs);
    reached.catch(() => {});  // awaited below; whichever of A and B fails first is the error reported
    const cpuBefore = process.cpuUsage();
    const serverBefore = cpuSecondsOf(server.pid);
    const start = performance.now();
    const pushed = a.replicate.to(server.dbUrl).then((result) => ({ result, at: performance.now() }));
    pushed.catch(() => {});
    const end = await Promise.race([reached, pushed.then(() => reached)]);  // A's failure ends the wait too
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpu = cpuSecondsOf(server.pid) - serverBefore;
    const push = await pushed;
    const { doc_count: docs } = await b.info();
    if (push.result.docs_written !== count || docs !== count) {
      throw new Error(`PouchDB incomplete: A wrote ${push.result.docs_written}, B has ${docs} of ${count}`);
    }
    return { totalMs: end - start, pushMs: push.at - start, clientCpu: (cpu.user + cpu.system) / 1e6, serverCpu };
  } finally {
    if (live !== null) await cancelled(live);
    await Promise.allSettled([a.close(), b.close()]);
    await server.stop();
  }
}

/**
 * The requests a device already in sync makes: after A → server → B of `count` docs, B is closed and opened anew
 * (a fresh PouchDB object and a fresh remote) and replicates from the server once. Resolves to { count, requests }.
 */
async function pouchRequestsWhenInSync({ dir, count }) {
  const server = await startPouchServer(path.join(dir, 'server'));
  const a = new PouchDB(path.join(dir, 'device-a'));
  try {
    await fillDevice(a, count);
    await a.replicate.to(server.dbUrl);
    const first = new PouchDB(path.join(dir, 'device-b'));
    await first.replicate.from(server.dbUrl);
    await first.close();
    const reopened = new PouchDB(path.join(dir, 'device-b'));
    try {
      const { total } = await server.requests();
      const result = await reopened.replicate.from(server.dbUrl);
      const { requests } = await server.requests(total);
      if (result.docs_written !== 0) throw new Error(`PouchDB: B was not in sync (${result.docs_written} docs written)`);
      return { count: requests.length, requests };
    } finally {
      await reopened.close();
    }
  } finally {
    await a.close();
    await server.stop();
  }
}

module.exports = { pouchVersions, startPouchServer, runPouchDB, pouchRequestsWhenInSync };

if (require.main === module) {
  const [flag, dir] = process.argv.slice(2);
  if (flag !== '--serve' || !dir) {
    console.error('usage: node pouchdb.js --serve DIR   (the PouchDB benchmark server on 127.0.0.1, a free port)');
    process.exit(2);
  }
  serve(path.resolve(dir)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
