'use strict';
// `node scripts/fault-proxy.js --target URL ...`: the proxy as a standalone tool. The first line on stdout is
// `listening on http://127.0.0.1:PORT`; SIGINT or SIGTERM print the stats to stderr and exit 0. Bad arguments: exit 2.
const { parseArgs } = require('node:util');

const USAGE = `usage: node scripts/fault-proxy.js --target URL [--port 0] [--seed N] [--latency MS|MIN-MAX]
       [--bandwidth BYTES_PER_S] [--fault name=probability ...] [--live-cut P]
faults: blackhole resetBefore resetAfter status503 status500 status429 replay truncate garble cutAfterBytes`;

const NUMBER = /^\d+(\.\d+)?$/;

function number(text, what) {
  if (!NUMBER.test(text)) throw new RangeError(`${what} must be a non-negative number, got '${text}'`);
  return Number(text);
}

/** startFaultProxy options from command-line arguments; throws on anything invalid. */
function parseCommandLine(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      latency: { type: 'string' },
      bandwidth: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'live-cut': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return { help: true };
  if (values.target === undefined) throw new TypeError('--target URL is required');
  const options = { target: values.target, faults: {} };
  if (values.host !== undefined) options.host = values.host;
  if (values.port !== undefined) options.port = number(values.port, '--port');
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed)) throw new RangeError(`--seed must be an integer, got '${values.seed}'`);
    options.seed = Number(values.seed);
  }
  if (values.latency !== undefined) {
    const range = /^([^-]+)-([^-]+)$/.exec(values.latency);
    options.latencyMs = range ? [number(range[1], '--latency'), number(range[2], '--latency')]
      : number(values.latency, '--latency');
  }
  if (values.bandwidth !== undefined) options.bandwidth = number(values.bandwidth, '--bandwidth');
  for (const setting of values.fault ?? []) {
    const match = /^([A-Za-z0-9]+)=(.*)$/.exec(setting);
    if (!match) throw new TypeError(`--fault takes name=probability, got '${setting}'`);
    options.faults[match[1]] = number(match[2], `fault ${match[1]}`);
  }
  if (values['live-cut'] !== undefined) options.live = { cut: number(values['live-cut'], '--live-cut') };
  return options;
}

async function main(argv) {
  const { startFaultProxy, normalizeOptions } = require('../fault-proxy');
  let options;
  try {
    options = parseCommandLine(argv);
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    normalizeOptions(options);  // every setting checked before anything listens
  } catch (error) {
    process.stderr.write(`fault-proxy: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  let proxy;
  try {
    proxy = await startFaultProxy(options);
  } catch (error) {
    process.stderr.write(`fault-proxy: cannot listen: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`listening on ${proxy.url}\n`);
  const stop = async () => {
    process.stderr.write(`${JSON.stringify(proxy.stats())}\n`);
    await proxy.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

module.exports = { main, parseCommandLine, USAGE };
