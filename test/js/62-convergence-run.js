'use strict';
// One randomized convergence run, reproducible from its seed: DEVICES devices make random inserts, updates and
// deletes on a few shared rows of four tables (one per conflict policy) while going offline and online (their sync
// engines stopped and started, or their fault proxy cut), then all reconnect and sync until nothing moves. The run
// passes when the server and every device hold identical tables and the model (62-convergence-model.js) accounts
// for every write. Used by 62-convergence.test.js and scripts/convergence-trials.js.
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { openDatabase } = require('../../lib');
const { createModel, COLUMNS } = require('./62-convergence-model');
const { serverState, serverTable } = require('./42-sync-support');
const { createRandom } = require('../../scripts/fault-proxy/random');

const POLICIES = { t_merge: 'merge', t_server: 'server-wins', t_client: 'client-wins', t_manual: 'manual' };
const TABLES = Object.keys(POLICIES);
const QUIESCE_DEADLINE_MS = 60000;
// Faults a device's proxy injects while the devices work (docs/RELIABILITY.md, "The fault proxy"); none while they
// settle at the end. No black holes: the client's 30 s request timeout would dominate the run.
const FAULTS = { status503: 0.04, status500: 0.03, status429: 0.02, resetBefore: 0.03, resetAfter: 0.05, replay: 0.05,
  truncate: 0.03, garble: 0.03, cutAfterBytes: 0.03 };
const NO_FAULTS = { faults: Object.fromEntries(Object.keys(FAULTS).map((name) => [name, 0])), live: { cut: 0 } };

// Seedable (mulberry32): same seed, same sequence.
const prng = createRandom;

const pick = (random, list) => list[Math.floor(random() * list.length)];

// Every write in its own millisecond: then the order of writes is the order of their stamps.
async function nextMillisecond() {
  const start = Date.now();
  while (Date.now() <= start) await new Promise((resolve) => setImmediate(resolve));
}

function localTable(db, table) {
  const rows = {};
  for (const row of db.all(`SELECT id, ${COLUMNS.join(', ')} FROM ${table} ORDER BY id`)) rows[row.id] = { ...row };
  return rows;
}

/** One device: its database, sync client and whether it is meant to be online. */
function openDevice({ dir, seed, index, url, token, random, model, counters }) {
  const name = `s${seed}-d${index}`;
  const db = openDatabase(path.join(dir, `${name}.db`), { deviceId: name, synchronous: 'normal' });
  db.migrate(TABLES.map((t) => `CREATE TABLE ${t} (id TEXT PRIMARY KEY, a TEXT, b TEXT, n INTEGER)`));
  for (const table of TABLES) db.track(table, { conflict: POLICIES[table] });
  // Half the devices push in batches of 2, so a round has several pushes on their way and held-back rows.
  const sync = db.sync({ url, token, live: random() < 0.5, debounce: 5, maxDebounce: 50, interval: 200,
    retry: { initialDelay: 10, maxDelay: 100 }, conflictTimeout: 10000, batchSize: random() < 0.5 ? 2 : 500 });
  sync.on('error', () => {});  // expected while offline or behind faults; the final state is what is checked
  // A person's answers, reproducible per device: keep mine, take theirs, or write a merged value.
  const answers = prng(seed * 1000 + index);
  sync.onConflict((question) => {
    const choice = answers();
    if (choice < 0.35 || question.local === null) return { use: choice < 0.7 ? 'remote' : 'local' };
    if (choice < 0.7) return { use: 'remote' };
    counters.merged += 1;
    const row = {};
    for (const column of question.columns) {
      row[column] = column === 'n' ? 1e6 + counters.merged : `m${name}:${counters.merged}`;
    }
    model.recordMerged(name, question, row);
    return { use: 'merged', row };
  });
  return { name, db, sync, online: false, proxy: null };
}

/** A random write on `device`, recorded in the model once it returned. */
function randomWrite(device, random, model, counters) {
  // Looking and writing in one transaction: the engine may otherwise pull the row in between.
  device.db.transaction(() => writeOne(device, random, model, counters));
}

// New rows get ids of their own (as UUIDs would be); updates and deletes hit rows the device has, its own or pulled,
// so devices keep changing and deleting the same few rows. (Two devices inserting one id independently is not what
// an app with UUIDs does, and an insert deleted before it was pushed rightly never reaches the server.)
function writeOne(device, random, model, counters) {
  const table = pick(random, TABLES);
  const ids = device.db.all(`SELECT id FROM ${table} ORDER BY id`).map((row) => row.id);
  counters.writes += 1;
  const tag = `${device.name}:${counters.writes}`;
  if (ids.length < 2 || random() < 0.1) {
    const id = `${device.name}-${counters.writes}`;
    const columns = { a: `a-${tag}`, b: `b-${tag}`, n: counters.writes };
    device.db.run(`INSERT INTO ${table} (id, a, b, n) VALUES (?, ?, ?, ?)`, [id, columns.a, columns.b, columns.n]);
    model.record(device.name, table, id, 'insert', columns);
    return;
  }
  const id = pick(random, ids);
  if (random() < 0.2) {
    device.db.run(`DELETE FROM ${table} WHERE id = ?`, [id]);
    model.record(device.name, table, id, 'delete');
    return;
  }
  const columns = {};
  for (const column of COLUMNS) {
    if (random() < 0.5) columns[column] = column === 'n' ? counters.writes : `${column}-${tag}`;
  }
  if (Object.keys(columns).length === 0) columns.a = `a-${tag}`;
  const names = Object.keys(columns);
  device.db.run(`UPDATE ${table} SET ${names.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    [...names.map((c) => columns[c]), id]);
  model.record(device.name, table, id, 'update', columns);
}

// Behind a proxy a device loses its network while its engine keeps trying; without one its engine is stopped.
async function setOnline(device, online) {
  device.online = online;
  if (device.proxy) {
    device.proxy.setOffline(!online);
    device.sync.start();
  } else if (online) {
    device.sync.start();
  } else {
    await device.sync.stop();
  }
}

/** syncNow on every device until two passes in a row move nothing and nothing is pending anywhere. */
async function quiesce(devices) {
  const deadline = Date.now() + QUIESCE_DEADLINE_MS;
  let quietPasses = 0;
  let lastError = null;
  while (quietPasses < 2) {
    if (Date.now() > deadline) {
      const pending = devices.map((d) => `${d.name}: ${d.db.pendingChanges()}`).join(', ');
      throw new Error(`no convergence within ${QUIESCE_DEADLINE_MS} ms (pending ${pending}; last error: ${lastError})`);
    }
    let moved = false;
    for (const device of devices) {
      try {
        const result = await device.sync.syncNow();
        if (result.pushed || result.pulled || result.conflicts) moved = true;
      } catch (error) {
        lastError = `${error.code}: ${error.message}`;
        moved = true;
      }
    }
    if (!moved && devices.every((d) => d.db.pendingChanges() === 0)) quietPasses += 1;
    else quietPasses = 0;
  }
}

/**
 * Runs seed `seed` against the server at `url` (a tenant of its own through `token`). `proxyFor(index)` optionally
 * gives each device a fault proxy ({ url, setOffline, setFaults, heal }). Resolves to a report; throws on a failure,
 * with the seed in the message.
 */
async function runConvergence({ seed, url, token, dir, devices: deviceCount = 5, steps = 80, proxyFor = null }) {
  const random = prng(seed);
  const model = createModel();
  const counters = { writes: 0, merged: 0, toggles: 0, rounds: 0 };
  const devices = [];
  try {
    for (let index = 0; index < deviceCount; index += 1) {
      const proxy = proxyFor ? await proxyFor(index) : null;
      const device = openDevice({ dir, seed, index, url: proxy ? proxy.url : url, token, random, model, counters });
      device.proxy = proxy;
      devices.push(device);
      if (random() < 0.6) await setOnline(device, true);
    }
    for (let step = 0; step < steps; step += 1) {
      const device = pick(random, devices);
      const action = random();
      if (action < 0.7) {
        await nextMillisecond();
        randomWrite(device, random, model, counters);
      } else if (action < 0.85) {
        counters.toggles += 1;
        await setOnline(device, !device.online);
      } else {
        counters.rounds += 1;
        device.sync.syncNow().catch(() => {});  // a round in the background, racing the next writes
      }
    }
    for (const device of devices) {
      device.proxy?.setFaults(NO_FAULTS);
      if (!device.online) await setOnline(device, true);
    }
    await quiesce(devices);
    const problems = await check(devices, model, url, token);
    if (problems.length > 0) {
      throw new Error(`seed ${seed}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    }
    const injected = devices.reduce((sum, d) => sum + (d.proxy
      ? Object.values(d.proxy.stats().injected).reduce((a, b) => a + b, 0) : 0), 0);
    return { seed, writes: model.writes.length, merged: counters.merged, toggles: counters.toggles,
      rounds: counters.rounds, faults: injected };
  } finally {
    for (const device of devices) device.db.close();
  }
}

/** Every device equals the server, and the model accounts for what the server holds. */
async function check(devices, model, url, token) {
  const problems = [];
  const state = await serverState(url, token);
  for (const table of TABLES) {
    const server = serverTable(state, table);
    for (const [id, row] of Object.entries(server)) {
      server[id] = { id, ...Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? null])) };
    }
    for (const device of devices) {
      const local = localTable(device.db, table);
      if (!isDeepStrictEqual(local, server)) {
        problems.push(`${device.name} ${table} differs from the server:\n    device ${JSON.stringify(local)}\n` +
          `    server ${JSON.stringify(server)}`);
      }
    }
    if (POLICIES[table] === 'merge') {
      problems.push(...model.mergeProblems(table, server));
    } else {
      problems.push(...model.weakProblems(table, server));
    }
  }
  return problems;
}

/** A proxyFor for runConvergence: one fault proxy per device in front of `url`, seeded from the run's seed. */
function faultProxies(startFaultProxy, url, seed, opened) {
  return async (index) => {
    const proxy = await startFaultProxy({ target: url, seed: seed * 100 + index, latencyMs: [0, 3],
      faults: FAULTS, live: { cut: 0.1 } });
    opened.push(proxy);
    return proxy;
  };
}

module.exports = { runConvergence, faultProxies, prng, TABLES, POLICIES, FAULTS };
