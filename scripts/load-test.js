#!/usr/bin/env node
'use strict';
// Load: N simulated devices (real sync clients, live, in this process) against one reference server for a bounded
// time, then settle and check. Prints throughput, syncNow() latency, errors by code, the server's memory, and a table
// per device; exits 1 if any device's table differs, the server differs, or a write was lost.
//   node scripts/load-test.js [--seconds 60] [--devices 50] [--rate 2] [--shared 20] [--seed 1] [--json]
const { runLoad } = require('./load/run');

const OPTIONS = { seconds: 60, devices: 50, rate: 2, shared: 20, seed: 1 };

function parseArguments(argv) {
  const options = { ...OPTIONS, json: false };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'json') {
      options.json = true;
      continue;
    }
    const value = Number(argv[i + 1]);
    if (!(name in OPTIONS) || !(value > 0)) {
      console.error(`unknown option or bad value: ${argv[i]} ${argv[i + 1] ?? ''}`);
      console.error('usage: node scripts/load-test.js [--seconds 60] [--devices 50] [--rate 2] [--shared 20] ' +
        '[--seed 1] [--json]');
      process.exit(2);
    }
    options[name] = value;
    i += 1;
  }
  return options;
}

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const mib = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : '-');

function printReport(report) {
  const perSecond = (count) => fixed(count / report.writeSeconds);
  console.log(`\n${report.devices} devices, ${fixed(report.writeSeconds)} s of writing, settled in ` +
    `${fixed(report.settleSeconds)} s`);
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| write transactions (statements) | ${report.transactions} (${report.statements}), ` +
    `${perSecond(report.transactions)}/s |`);
  console.log(`| changes applied by the server | ${report.changesApplied} in all; while writing ` +
    `${report.changesAppliedWhileWriting}, ${perSecond(report.changesAppliedWhileWriting)}/s |`);
  console.log(`| rows pulled and applied by devices | ${report.rowsApplied} in all; while writing ` +
    `${report.rowsAppliedWhileWriting}, ${perSecond(report.rowsAppliedWhileWriting)}/s |`);
  console.log(`| syncNow() rounds | ${report.rounds}: p50 ${fixed(report.latencyMs.p50)} ms, ` +
    `p99 ${fixed(report.latencyMs.p99)} ms, max ${fixed(report.latencyMs.max)} ms |`);
  const errorCount = Object.values(report.errors).reduce((sum, count) => sum + count, 0);
  console.log(`| errors | ${errorCount}${errorCount ? ` (${JSON.stringify(report.errors)})` : ''} |`);
  console.log(`| server memory | peak RSS (VmHWM) ${mib(report.server.peakRssKib)}, at the end (VmRSS) ` +
    `${mib(report.server.endRssKib)} |`);
  console.log(`| CPU while writing | server ${fixed(report.server.cpuSecondsWhileWriting)} s, devices' process ` +
    `${fixed(report.devicesCpuSecondsWhileWriting)} s (of ${fixed(report.writeSeconds * 2)} s on 2 cores) |`);
  console.log(`| final table | ${report.rows} rows on each device, ${report.identical ? 'identical' : 'DIFFERENT'} ` +
    `(sha256 ${report.hashes[0].hash.slice(0, 12)}) |`);
  const serverDiffs = report.serverDiffs.length;
  console.log(`| server = devices | ${serverDiffs === 0 ? 'yes' : `NO, ${serverDiffs} differences`} |`);
  console.log(`| writes lost or invented | ${report.lost.length} |`);
  console.log('\ndevice      transactions  rounds  p50 ms  rows applied  rows  table hash');
  for (const device of report.perDevice) {
    console.log(`${device.name.padEnd(12)}${String(device.transactions).padStart(12)}` +
      `${String(device.rounds).padStart(8)}` +
      `${fixed(device.p50).padStart(8)}${String(device.rowsApplied).padStart(14)}${String(device.rows).padStart(6)}  ` +
      `${device.hash.slice(0, 12)}`);
  }
  for (const line of [...report.lost, ...report.serverDiffs].slice(0, 20)) console.log(`  problem: ${line}`);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const report = await runLoad({ devices: options.devices, seconds: options.seconds, rate: options.rate,
    sharedRows: options.shared, seed: options.seed, log: (line) => console.log(line) });
  if (options.json) console.log(JSON.stringify({ ...report, perDevice: undefined, hashes: undefined }, null, 2));
  printReport(report);
  const ok = report.identical && report.lost.length === 0 && report.serverDiffs.length === 0;
  console.log(ok ? '\nOK: every device identical to the server, no write lost'
    : '\nFAILED: devices differ or writes were lost');
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
