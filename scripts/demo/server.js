'use strict';
// Starts the reference sync server (build/Release/offline-sync-server) for the demo on 127.0.0.1 and a free port
// (or the one asked for, so a second Electron desk finds it), with its own SQLite file, and stops it again: SIGTERM,
// then SIGKILL if it has not gone within a few seconds.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const fs = require('node:fs');

const BINARY = path.join(__dirname, '..', '..', 'build', 'Release', 'offline-sync-server');
const START_DEADLINE_MS = 10000;
const STOP_DEADLINE_MS = 5000;

/** Resolves to { url, child, stop(), kill() } once the server printed `listening on http://...`. */
function startServer({ db, token, port = 0, args = [] }) {
  if (!fs.existsSync(BINARY)) {
    return Promise.reject(new Error(`${BINARY} is not built (run: node scripts/build-addon.js)`));
  }
  const child = spawn(BINARY, ['--host', '127.0.0.1', '--port', String(port), '--db', db, '--token', token, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const server = {
    child,
    url: null,
    kill() {
      if (running()) child.kill('SIGKILL');
    },
    /** SIGTERM and wait for the exit (SIGKILL after a deadline); resolves to { code, signal }. */
    async stop() {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => server.kill(), STOP_DEADLINE_MS);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  return new Promise((resolve, reject) => {
    const fail = (message) => {
      server.kill();
      reject(new Error(`${message}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    child.once('error', (error) => fail(`cannot start ${BINARY}: ${error.message}`));
    const timer = setTimeout(() => fail('the sync server did not print "listening on" in time'), START_DEADLINE_MS);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(`the sync server exited before listening (code ${code}, signal ${signal})`);
    });
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (https?:\/\/\S+)$/.exec(line);
      if (!match) return fail(`unexpected first line from the sync server: ${line}`);
      server.url = match[1];
      return resolve(server);
    });
  });
}

module.exports = { startServer, BINARY };
