#!/usr/bin/env node
'use strict';
// `npx offline-sync-server ...`: runs the reference sync server built next to the addon, passing arguments, output
// and signals through, and exits with its exit code. OFFLINE_SYNC_SERVER_BINARY overrides the binary's path.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function binaryPath() {
  if (process.env.OFFLINE_SYNC_SERVER_BINARY) return path.resolve(process.env.OFFLINE_SYNC_SERVER_BINARY);
  return path.join(__dirname, '..', 'build', 'Release', 'offline-sync-server');
}

const binary = binaryPath();
if (!fs.existsSync(binary)) {
  process.stderr.write(`offline-sync-server: ${binary} is not built: run npm install in the offline-sync package\n`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  process.stderr.write(`offline-sync-server: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
