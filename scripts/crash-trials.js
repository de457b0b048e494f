#!/usr/bin/env node
'use strict';
// Runs the crash trials of test/js/61-crash.test.js many times, with consecutive seeds:
//   node scripts/crash-trials.js --trials 300 [--seed S] [--kind client|server|both]
// --trials is per kind; trial i of a kind uses seed S + i (S is 1 by default). The first failure prints its seed and
// exits 1; replay it with --kind <kind> --seed <seed> --trials 1. At the end: a summary of what was checked.
const { clientKillTrial, serverKillTrial } = require('../test/js/crash-support');

const KINDS = { client: clientKillTrial, server: serverKillTrial };
const PROGRESS_EVERY = 10;

function parseArguments(argv) {
  const options = { trials: 100, seed: 1, kind: 'both' };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === '--trials' || name === '--seed') {
      options[name.slice(2)] = Number(value);
      if (!Number.isSafeInteger(options[name.slice(2)]) || options[name.slice(2)] < 0) usage(`bad ${name}: ${value}`);
    } else if (name === '--kind' && ['client', 'server', 'both'].includes(value)) {
      options.kind = value;
    } else {
      usage(`unknown argument: ${name} ${value ?? ''}`);
    }
  }
  return options;
}

function usage(problem) {
  process.stderr.write(`${problem}\nusage: node scripts/crash-trials.js [--trials N] [--seed S] ` +
    '[--kind client|server|both]\n');
  process.exit(2);
}

// What a trial gets instead of a node:test context: after(fn) hooks, run in reverse once the trial is over.
function trialScope() {
  const hooks = [];
  return {
    after: (fn) => hooks.push(fn),
    async release() {
      for (const hook of hooks.reverse()) {
        try {
          await hook();
        } catch (error) {
          process.stderr.write(`cleanup: ${error.message}\n`);
        }
      }
    },
  };
}

async function runKind(kind, { trials, seed: firstSeed }) {
  const totals = { kind, trials: 0, writes: 0, inFlight: 0, kills: 0, rows: 0, versions: 0, ms: 0 };
  const started = Date.now();
  for (let i = 0; i < trials; i += 1) {
    const seed = firstSeed + i;
    const scope = trialScope();
    try {
      const result = await KINDS[kind](scope, seed);
      totals.trials += 1;
      for (const key of ['writes', 'inFlight', 'kills', 'rows', 'versions']) totals[key] += result[key];
    } catch (error) {
      process.stdout.write(`\nFAILED: ${kind} trial, seed ${seed} (replay: node scripts/crash-trials.js --kind ${
        kind} --seed ${seed} --trials 1)\n${error.stack}\n`);
      await scope.release();
      process.exit(1);
    }
    await scope.release();
    totals.ms = Date.now() - started;
    if (totals.trials % PROGRESS_EVERY === 0 || totals.trials === trials) {
      process.stdout.write(`${kind}: ${totals.trials}/${trials} trials (seeds ${firstSeed}-${seed}), ${
        totals.writes} writes checked, ${totals.kills} kills, ${(totals.ms / 1000).toFixed(0)} s\n`);
    }
  }
  return totals;
}

function summary(totals) {
  const seconds = (totals.ms / 1000).toFixed(1);
  const perTrial = totals.trials ? (totals.ms / totals.trials / 1000).toFixed(2) : '-';
  const lines = [`${totals.kind} killed: ${totals.trials} trials in ${seconds} s (${perTrial} s each)`];
  if (totals.kind === 'client') {
    lines.push(`  writes acknowledged and checked: ${totals.writes}; writes in flight at the kill found committed: ${
      totals.inFlight}`);
  } else {
    lines.push(`  writes made and checked: ${totals.writes}`);
  }
  lines.push(`  kills (SIGKILL): ${totals.kills}; rows checked at the end: ${totals.rows}; ` +
    `server versions (changes applied once each): ${totals.versions}`);
  lines.push('  data lost: 0; changes applied twice: 0; integrity_check failures: 0');
  return lines.join('\n');
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const kinds = options.kind === 'both' ? ['client', 'server'] : [options.kind];
  const results = [];
  for (const kind of kinds) results.push(await runKind(kind, options));
  process.stdout.write(`\n${results.map(summary).join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
