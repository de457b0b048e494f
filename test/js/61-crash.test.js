'use strict';
// Crash tests: every write that returned before a kill -9 is there after the restart, and reaches the server and a
// fresh device exactly once; a server killed -9 during heavy pushes loses and duplicates nothing. The trials are in
// crash-support.js (shared with scripts/crash-trials.js, which runs hundreds of them). Each trial is seeded: replay a
// failing one with `node scripts/crash-trials.js --kind client|server --seed <seed> --trials 1`.
const test = require('node:test');
const { clientKillTrial, serverKillTrial } = require('./crash-support');

const CLIENT_TRIALS = 15;
const SERVER_TRIALS = 6;
const FIRST_CLIENT_SEED = 6100;
const FIRST_SERVER_SEED = 6200;
const TRIAL_TIMEOUT_MS = 45000;  // a hang fails the trial instead of the whole run

for (let seed = FIRST_CLIENT_SEED; seed < FIRST_CLIENT_SEED + CLIENT_TRIALS; seed += 1) {
  test(`a writer killed -9 mid-writes keeps every acknowledged write, synced once (seed ${seed})`,
    { timeout: TRIAL_TIMEOUT_MS }, async (t) => {
      const result = await clientKillTrial(t, seed);
      t.diagnostic(`seed ${seed}: ${result.kills} kills, ${result.writes} acknowledged writes checked, ` +
        `${result.inFlight} in-flight writes found committed, ${result.rows} rows, ${result.versions} server versions`);
    });
}

for (let seed = FIRST_SERVER_SEED; seed < FIRST_SERVER_SEED + SERVER_TRIALS; seed += 1) {
  test(`a server killed -9 during heavy pushes loses and duplicates nothing (seed ${seed})`,
    { timeout: TRIAL_TIMEOUT_MS }, async (t) => {
      const result = await serverKillTrial(t, seed);
      t.diagnostic(`seed ${seed}: ${result.kills} kills, ${result.writes} writes checked, ${result.rows} rows, ` +
        `${result.versions} server versions`);
    });
}
