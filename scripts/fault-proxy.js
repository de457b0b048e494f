#!/usr/bin/env node
'use strict';
// A fault-injecting HTTP + WebSocket proxy for the sync protocol (docs/RELIABILITY.md, "The fault proxy"): it sits
// between sync clients and a sync server and, with seeded randomness, delays, throttles, holds, resets, refuses,
// replays, truncates, garbles or cuts what passes, or takes the whole network away (setOffline).
// Test support (require it) and a command-line tool (run it: `node scripts/fault-proxy.js --help`).
const EventEmitter = require('node:events');
const http = require('node:http');
const { Scheduler } = require('./fault-proxy/pacing');
const { createRandom } = require('./fault-proxy/random');
const { FAULT_NAMES, defaultConfig, mergeConfig, parseTarget, checkListenHost } = require('./fault-proxy/options');
const { handleRequest } = require('./fault-proxy/http-relay');
const { handleUpgrade } = require('./fault-proxy/tunnel');

// Faults counted in stats().injected besides the per-request ones: tunnels cut (live.cut) and connections reset
// because the proxy was offline.
const COUNTED_FAULTS = [...FAULT_NAMES, 'liveCut', 'offline'];
const OPTION_NAMES = ['target', 'seed', 'host', 'port', 'latencyMs', 'bandwidth', 'faults', 'live'];
// Longer than any client's idle time, so the proxy itself never closes a kept-alive connection a client may reuse:
// every connection loss is an injected one.
const KEEP_ALIVE_TIMEOUT_MS = 120000;

/** Destroys a socket with a TCP reset (ECONNRESET on the other side) when it can, silently. */
function resetSocket(socket) {
  if (socket.destroyed) return;
  socket.on('error', () => {});  // the reset may still report an error: nobody needs it
  try {
    if (!socket.connecting && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  } catch {
    socket.destroy();
  }
}

/** Validates startFaultProxy's options (throws TypeError/RangeError) and returns them normalized. */
function normalizeOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.includes(key));
  if (unknown.length > 0) {
    throw new TypeError(`unknown option ${unknown.join(', ')} (known: ${OPTION_NAMES.join(', ')})`);
  }
  const { target, seed = 1, host = '127.0.0.1', port = 0, ...settings } = options;
  if (!Number.isSafeInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be 0..65535, got ${port}`);
  return {
    target: parseTarget(target), seed, host: checkListenHost(host), port,
    config: mergeConfig(defaultConfig(), settings),
  };
}

class FaultProxy extends EventEmitter {
  #ctx;
  #server;
  #closing = null;
  url = null;

  constructor(ctx, server) {
    super();
    this.#ctx = ctx;
    this.#server = server;
  }

  /** Changes latencyMs, bandwidth, faults and live from now on (merged; faults and live key by key). */
  setFaults(partial) {
    this.#ctx.config = mergeConfig(this.#ctx.config, partial);
    return this;
  }

  /** Offline: every connection is reset, new ones at once, until setOffline(false). */
  setOffline(offline) {
    this.#ctx.offline = Boolean(offline);
    if (this.#ctx.offline) this.#ctx.dropAllConnections();
    return this;
  }

  stats() {
    const { stats } = this.#ctx;
    return { ...stats, injected: { ...stats.injected } };
  }

  /** Closes every connection (held black holes and tunnels too) and the listener. Idempotent. */
  close() {
    if (this.#closing === null) {
      const ctx = this.#ctx;
      ctx.closed = true;
      ctx.scheduler.closeAll();
      ctx.dropAllConnections();
      ctx.agent.destroy();
      this.#closing = new Promise((resolve) => {
        this.#server.close(() => resolve());
        this.#server.closeAllConnections();
      });
    }
    return this.#closing;
  }
}

/** Starts a proxy to options.target; resolves once it listens (proxy.url). See docs/RELIABILITY.md for options. */
async function startFaultProxy(options) {
  const { target, seed, host, port, config } = normalizeOptions(options);
  const random = createRandom(seed);
  const sockets = new Set();
  const tunnels = new Set();
  let proxy = null;
  const ctx = {
    target, config, random,
    offline: false,
    closed: false,
    sockets,
    tunnels,
    agent: new http.Agent({ keepAlive: true }),
    stats: {
      requests: 0, forwarded: 0, upgrades: 0, errors: 0,
      injected: Object.fromEntries(COUNTED_FAULTS.map((name) => [name, 0])),
    },
    scheduler: null,
    /** One latency draw (always one number from the PRNG, so the draw count never depends on the settings). */
    drawLatency() {
      const latency = ctx.config.latencyMs;
      const draw = random();
      return Array.isArray(latency) ? latency[0] + draw * (latency[1] - latency[0]) : latency;
    },
    count(fault) {
      ctx.stats.injected[fault] += 1;
    },
    reset: resetSocket,
    // A bug in the proxy must not take the test process down: it is counted (stats().errors) and reported.
    fail(error) {
      ctx.stats.errors += 1;
      ctx.emit('warning', error);
    },
    guard(fn) {
      try {
        fn();
      } catch (error) {
        ctx.fail(error);
      }
    },
    emit(event, payload) {
      if (proxy === null || proxy.listenerCount(event) === 0) return;
      try {
        proxy.emit(event, payload);
      } catch (error) {
        if (event !== 'warning') ctx.fail(error);
      }
    },
    dropAllConnections() {
      for (const socket of sockets) {
        if (ctx.offline && !ctx.closed) ctx.count('offline');
        resetSocket(socket);
      }
      for (const { clientSocket, serverSocket } of tunnels) {
        resetSocket(clientSocket);
        resetSocket(serverSocket);
      }
    },
  };
  ctx.scheduler = new Scheduler((error) => ctx.fail(error));

  const server = http.createServer();
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('connection', (socket) => {
    if (ctx.offline || ctx.closed) {
      if (!ctx.closed) ctx.count('offline');
      resetSocket(socket);
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request, response) => {
    try {
      handleRequest(ctx, request, response);
    } catch (error) {
      ctx.fail(error);
      resetSocket(request.socket);
    }
  });
  server.on('upgrade', (request, socket, head) => {
    try {
      handleUpgrade(ctx, request, socket, head);
    } catch (error) {
      ctx.fail(error);
      resetSocket(socket);
    }
  });
  server.on('clientError', (error, socket) => resetSocket(socket));
  proxy = new FaultProxy(ctx, server);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (error) => ctx.fail(error));
      resolve();
    });
  });
  const address = server.address();
  proxy.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return proxy;
}

module.exports = { startFaultProxy, normalizeOptions, FAULT_NAMES };

if (require.main === module) require('./fault-proxy/cli').main(process.argv.slice(2));
