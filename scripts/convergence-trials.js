#!/usr/bin/env node
'use strict';
// Many randomized convergence runs (test/js/62-convergence-run.js), each from its own seed, against one reference
// server, each device behind a fault proxy (--no-faults: direct). Prints progress, and on the first failure the
// seed and the problems, then exits 1.
//   node scripts/convergence-trials.js [--runs 1000] [--seed 1] [--steps 80] [--devices 5] [--no-faults]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('./demo/server');
const { startFaultProxy } = require('./fault-proxy');
const { runConvergence, faultProxies } = require('../test/js/62-convergence-run');

function options(argv) {
  const out = { runs: 1000, seed: 1, steps: 80, devices: 5, faults: true };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--no-faults') out.faults = false;
    else if (['--runs', '--seed', '--steps', '--devices'].includes(flag)) out[flag.slice(2)] = Number(argv[++i]);
    else throw new Error(`unknown argument ${flag}`);
  }
  for (const key of ['runs', 'seed', 'steps', 'devices']) {
    if (!Number.isSafeInteger(out[key]) || out[key] < 1) throw new Error(`--${key} must be a positive integer`);
  }
  return out;
}

// One server per block of runs, each run a tenant of its own (a tokens file), so a long run does not grow one file.
const BLOCK = 200;

async function main() {
  const opts = options(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-sync-convergence-'));
  const totals = { runs: 0, writes: 0, merged: 0, faults: 0, toggles: 0 };
  const started = Date.now();
  let server = null;
  try {
    for (let first = 0; first < opts.runs; first += BLOCK) {
      const seeds = Array.from({ length: Math.min(BLOCK, opts.runs - first) }, (_, i) => opts.seed + first + i);
      const tokens = path.join(dir, `tokens-${first}`);
      fs.writeFileSync(tokens, seeds.map((seed) => `token-${seed}:tenant-${seed}`).join('\n'));
      server = await startServer({ db: path.join(dir, `server-${first}.db`), token: 'unused:unused',
        args: ['--tokens-file', tokens, '--row-index-flush', '7'] });  // as 62-convergence: both lookup paths
      for (const seed of seeds) {
        const proxies = [];
        try {
          const report = await runConvergence({ seed, url: server.url, token: `token-${seed}`, dir,
            steps: opts.steps, devices: opts.devices,
            proxyFor: opts.faults ? faultProxies(startFaultProxy, server.url, seed, proxies) : null });
          totals.runs += 1;
          for (const key of ['writes', 'merged', 'faults', 'toggles']) totals[key] += report[key];
        } catch (error) {
          process.stdout.write(`\nFAILED seed ${seed} (replay: node scripts/convergence-trials.js --seed ${seed} ` +
            `--runs 1${opts.faults ? '' : ' --no-faults'})\n${error.stack}\n`);
          process.exitCode = 1;
          return;
        } finally {
          await Promise.all(proxies.map((proxy) => proxy.close()));
        }
        if (totals.runs % 50 === 0) process.stdout.write(`${totals.runs} runs, ${totals.writes} writes checked\n`);
      }
      await server.stop();
      server = null;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`${totals.runs} runs in ${seconds} s (seeds ${opts.seed}..${opts.seed + opts.runs - 1}): ` +
      `${totals.writes} writes checked, ${totals.merged} merged answers, ${totals.faults} faults injected, ` +
      `${totals.toggles} offline/online switches; data lost: 0\n`);
  } finally {
    if (server) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(2);
});
