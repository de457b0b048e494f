'use strict';
// Loads the native module once per JS environment (main thread, each worker, each Electron renderer).
// OFFLINE_SYNC_BINARY overrides the path, for packaged apps that keep the .node file elsewhere; inside an asar
// archive the unpacked copy is used, since a native module cannot be loaded from within the archive.
const path = require('node:path');
const { OfflineSyncError } = require('./errors');

function candidates() {
  if (process.env.OFFLINE_SYNC_BINARY) return [path.resolve(process.env.OFFLINE_SYNC_BINARY)];
  const root = path.join(__dirname, '..').replace(/\bapp\.asar\b/, 'app.asar.unpacked');
  return ['Release', 'Debug'].map((type) => path.join(root, 'build', type, 'offline_sync.node'));
}

function load() {
  const tried = [];
  for (const file of candidates()) {
    try {
      return require(file);
    } catch (error) {
      if (error.code !== 'MODULE_NOT_FOUND') throw error;
      tried.push(file);
    }
  }
  throw new OfflineSyncError(
    `The offline-sync native module is not built (looked in ${tried.join(', ')}): run npm install`,
    'ERR_NOT_BUILT');
}

const binding = load();
binding.setErrorClass(OfflineSyncError);

module.exports = binding;
