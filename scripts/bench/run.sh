#!/usr/bin/env bash
# Installs the peers the benchmarks compare against (into scripts/bench/node_modules, never the root package) and
# runs the benchmarks. better-sqlite3 builds from source here, against the local Node headers.
set -euo pipefail
cd "$(dirname "$0")"
bash ../setup.sh
if [ ! -d node_modules/better-sqlite3/build/Release ]; then
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
  if [ -f "$nodedir/include/node/node_api.h" ]; then export npm_config_nodedir="$nodedir"; fi
  npm install --no-audit --no-fund
fi
node local-writes.js
node server-throughput.js
node sync-throughput.js
node idle-cpu.js
