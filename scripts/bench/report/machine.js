'use strict';
// What a benchmark report needs to be read later: the machine it ran on and the version of everything compared.
// Each probe is on its own and falls back to "unknown" or skips itself, so a report never fails over a missing peer.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const BENCH_DIR = path.join(__dirname, '..');
const ROOT_DIR = path.join(BENCH_DIR, '..', '..');

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** /proc/cpuinfo's model name (os.cpus() gives the same on Linux, and something elsewhere). */
function cpuModel() {
  const match = /^model name\s*:\s*(.+)$/m.exec(readText('/proc/cpuinfo') || '');
  return (match ? match[1] : os.cpus()[0]?.model || 'unknown CPU').trim();
}

/** One line: "AMD EPYC, 2 cores, 23.5 GiB RAM, Linux 6.1.0, Debian 12.11". */
function machineLine() {
  const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const ram = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
  const debian = readText('/etc/debian_version');
  const parts = [cpuModel(), `${cores} cores`, ram, `${os.type()} ${os.release()}`];
  if (debian) parts.push(`Debian ${debian.trim()}`);
  return parts.join(', ');
}

/** The version in node_modules/<name>/package.json under dir, or null when it is not installed. */
function installedVersion(dir, name) {
  const text = readText(path.join(dir, 'node_modules', name, 'package.json'));
  return text ? JSON.parse(text).version : null;
}

/** `select sqlite_version()` through a :memory: database opened by `open`, or null if that cannot be done. */
function sqliteVersion(open) {
  try {
    const db = open();
    try {
      return db.prepare('select sqlite_version() as v').get().v;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** The commit the tree is at (read-only: rev-parse never touches the index), or null outside a git clone. */
function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString().trim();
  } catch {
    return null;
  }
}

function offlineSyncRows() {
  const version = JSON.parse(readText(path.join(ROOT_DIR, 'package.json'))).version;
  const commit = gitCommit();
  const rows = [['offline-sync', commit ? `${version} (commit ${commit})` : version]];
  // The addon links the system's libsqlite3, so its SQLite is whatever the build found, not a pinned version.
  const sqlite = sqliteVersion(() => require(ROOT_DIR).openDatabase(':memory:'));
  if (sqlite) rows.push(['SQLite linked by offline-sync', sqlite]);
  return rows;
}

/** Every dependency of scripts/bench/package.json that is installed; better-sqlite3 also with its bundled SQLite. */
function peerRows() {
  const deps = Object.keys(JSON.parse(readText(path.join(BENCH_DIR, 'package.json'))).dependencies || {}).sort();
  const rows = [];
  for (const name of deps) {
    const version = installedVersion(BENCH_DIR, name);
    if (!version) continue;
    rows.push([name, version]);
    if (name === 'better-sqlite3') {
      const Better = path.join(BENCH_DIR, 'node_modules', name);
      const sqlite = sqliteVersion(() => new (require(Better))(':memory:'));
      if (sqlite) rows.push(['SQLite bundled by better-sqlite3', sqlite]);
    }
  }
  return rows;
}

/** [component, version] rows: Node, offline-sync and its SQLite, then every installed peer. */
function versionRows() {
  return [['Node', process.version.slice(1)], ...offlineSyncRows(), ...peerRows()];
}

module.exports = { machineLine, versionRows };
