'use strict';
// Randomized convergence (62-convergence-run.js): 5 devices write, delete and conflict on the same rows across all
// four policies while going offline and online, each behind a fault proxy; at the end the server and every device
// hold identical tables and the model accounts for every write. Each seed reproduces its run:
//   node scripts/convergence-trials.js --seed <seed> --runs 1
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { tempDir } = require('./helpers');
const { startServer } = require('./server-harness');
const { startFaultProxy } = require('../../scripts/fault-proxy');
const { runConvergence, faultProxies } = require('./62-convergence-run');

const SEEDS = Array.from({ length: 50 }, (_, i) => 6201 + i);

test(`${SEEDS.length} seeds converge to what the conflict rules say, through faults and offline periods`, async (t) => {
  const tmp = tempDir(t);
  fs.writeFileSync(tmp.file('tokens'), SEEDS.map((seed) => `token-${seed}:tenant-${seed}`).join('\n'));
  // A small --row-index-flush: rows move from the server's in-memory index to its on-disk one every few pushes, so
  // lookups by id take both paths.
  const server = await startServer(t, { db: tmp.file('server.db'), tokens: [],
    args: ['--tokens-file', tmp.file('tokens'), '--row-index-flush', '7'] });
  const totals = { writes: 0, merged: 0, faults: 0, toggles: 0 };
  for (const seed of SEEDS) {
    const proxies = [];
    try {
      const report = await runConvergence({ seed, url: server.url, token: `token-${seed}`, dir: tmp.dir,
        proxyFor: faultProxies(startFaultProxy, server.url, seed, proxies) });
      for (const key of Object.keys(totals)) totals[key] += report[key];
    } finally {
      await Promise.all(proxies.map((proxy) => proxy.close()));
    }
  }
  t.diagnostic(`${SEEDS.length} seeds: ${totals.writes} writes checked, ${totals.merged} merged answers, ` +
    `${totals.faults} faults injected, ${totals.toggles} offline/online switches`);
  assert.ok(totals.faults > SEEDS.length, 'the proxies injected faults');
  assert.ok(totals.writes > SEEDS.length * 30);
});
