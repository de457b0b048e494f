#!/usr/bin/env node
// Builds build/Release/offline_sync.node and build/Release/offline-sync-server with node-gyp, after making sure the
// system libraries are there.
//   --rebuild  configure from scratch (what `npm install` does); otherwise an incremental build.
// Node's headers are taken from the local Node installation when it ships them, so nothing is downloaded.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function nodeGyp() {
  // npm tells lifecycle scripts where its bundled node-gyp is; outside npm, look beside npm itself.
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules',
    'node-gyp', 'bin', 'node-gyp.js');
  if (fs.existsSync(bundled)) return bundled;
  throw new Error('node-gyp not found: run this through npm (npm install / npm test)');
}

function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];  // the user chose (electron-rebuild sets this too)
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

// The project is configured for the current binding.gyp and source list: otherwise gyp must run again.
function configured() {
  const makefile = path.join(root, 'build', 'Makefile');
  const stamp = path.join(root, 'build', 'sources.txt');
  if (!fs.existsSync(makefile) || !fs.existsSync(stamp)) return false;
  if (fs.statSync(makefile).mtimeMs < fs.statSync(path.join(root, 'binding.gyp')).mtimeMs) return false;
  return fs.readFileSync(stamp, 'utf8') === sourceList();
}

function sourceList() {
  const lister = spawnSync(process.execPath,
    [path.join(__dirname, 'list-sources.js'), 'src/core', 'src/addon', 'src/net', 'src/server'],
    { cwd: root, encoding: 'utf8' });
  return lister.stdout;
}

run('bash', [path.join(__dirname, 'install-deps.sh')]);
const gyp = [nodeGyp()];
const common = [...nodeDirArgs(), '--jobs=max'];
if (process.argv.includes('--rebuild')) {
  run(process.execPath, [...gyp, 'rebuild', ...common]);
} else {
  if (!configured()) run(process.execPath, [...gyp, 'configure', ...nodeDirArgs()]);
  run(process.execPath, [...gyp, 'build', ...common]);
}
fs.writeFileSync(path.join(root, 'build', 'sources.txt'), sourceList());
