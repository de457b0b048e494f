'use strict';
// A short run of the load test (scripts/load-test.js, the same code in scripts/load/): 10 live devices writing for
// about 5 s against one server, then settled. No errors, every device's table identical to the others' and to the
// server's, and no write lost. The full run (50 devices, 60 s) and its figures: docs/RELIABILITY.md, "Load".
const test = require('node:test');
const assert = require('node:assert/strict');
const { runLoad } = require('../../scripts/load/run');

test('10 live devices writing for 5 s converge with no error and no write lost', { timeout: 60000 }, async () => {
  const report = await runLoad({ devices: 10, seconds: 5, rate: 3, sharedRows: 8, seed: 7 });
  assert.deepEqual(report.errors, {}, 'errors by code');
  assert.ok(report.transactions >= 50, `only ${report.transactions} write transactions`);
  assert.ok(report.changesApplied > 0 && report.rowsApplied > 0, 'changes went both ways');
  assert.ok(report.identical, `tables differ: ${report.hashes.map((entry) => `${entry.name} ${entry.rows} ` +
    `${entry.hash.slice(0, 12)}`).join(', ')}`);
  assert.deepEqual(report.serverDiffs, [], 'the server holds the devices\' table');
  assert.deepEqual(report.lost, [], 'every write is accounted for');
  assert.ok(report.latencyMs.p50 > 0 && report.rounds >= report.transactions);
  assert.ok(report.server.peakRssKib > 0, 'the server\'s memory was read');
});
