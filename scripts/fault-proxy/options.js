'use strict';
// The proxy's settings: defaults, validation and run-time merging (setFaults). Invalid settings throw a TypeError
// or RangeError that names the setting, so a test or the CLI learns at once what it got wrong.

// Drawn in this order for every HTTP request; the first that hits is the one applied (see docs/RELIABILITY.md).
const FAULT_NAMES = Object.freeze([
  'blackhole', 'resetBefore', 'resetAfter', 'status503', 'status500', 'status429', 'replay', 'truncate', 'garble',
  'cutAfterBytes',
]);

const DEFAULT_LIVE_MAX_BYTES = 1024;

function defaultConfig() {
  return {
    latencyMs: 0,
    bandwidth: null,
    faults: Object.fromEntries(FAULT_NAMES.map((name) => [name, 0])),
    live: { cut: 0, maxBytes: DEFAULT_LIVE_MAX_BYTES },
  };
}

function checkProbability(value, what) {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${what} must be a probability between 0 and 1, got ${value}`);
  }
  return value;
}

function checkLatency(value) {
  const isMs = (ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0;
  if (isMs(value)) return value;
  if (Array.isArray(value) && value.length === 2 && isMs(value[0]) && isMs(value[1]) && value[0] <= value[1]) {
    return [value[0], value[1]];
  }
  throw new RangeError(`latencyMs must be ms >= 0 or [min, max] with min <= max, got ${JSON.stringify(value)}`);
}

function checkBandwidth(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new RangeError(`bandwidth must be bytes per second > 0 or null, got ${value}`);
}

/** A new config: `base` with the settings present in `partial` replaced (faults and live merged key by key). */
function mergeConfig(base, partial = {}) {
  if (partial === null || typeof partial !== 'object') throw new TypeError('fault settings must be an object');
  const config = { ...base, faults: { ...base.faults }, live: { ...base.live } };
  if ('latencyMs' in partial) config.latencyMs = checkLatency(partial.latencyMs);
  if ('bandwidth' in partial) config.bandwidth = checkBandwidth(partial.bandwidth);
  for (const [name, probability] of Object.entries(partial.faults ?? {})) {
    if (!FAULT_NAMES.includes(name)) {
      throw new TypeError(`unknown fault '${name}' (known: ${FAULT_NAMES.join(', ')})`);
    }
    config.faults[name] = checkProbability(probability, `fault ${name}`);
  }
  for (const [key, value] of Object.entries(partial.live ?? {})) {
    if (key === 'cut') config.live.cut = checkProbability(value, 'live.cut');
    else if (key === 'maxBytes' && Number.isInteger(value) && value > 0) config.live.maxBytes = value;
    else throw new TypeError(`invalid live setting ${key}=${value} (known: cut, maxBytes > 0)`);
  }
  return config;
}

/** Parses a target URL: only plain http to a host and port (the proxy opens raw TCP for WebSocket upgrades). */
function parseTarget(target) {
  let url;
  try {
    url = new URL(target);
  } catch {
    throw new TypeError(`target must be a URL like http://127.0.0.1:8080, got ${target}`);
  }
  if (url.protocol !== 'http:') throw new TypeError(`target must be an http:// URL, got ${target}`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 80) };
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

function checkListenHost(host) {
  if (!LOOPBACK_HOSTS.includes(host)) throw new RangeError(`the proxy listens on loopback only, not ${host}`);
  return host;
}

module.exports = { FAULT_NAMES, defaultConfig, mergeConfig, parseTarget, checkListenHost };
