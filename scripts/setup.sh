#!/usr/bin/env bash
# Everything a fresh clone needs before the demo or the tests: Debian packages, npm packages, the built addon.
# Idempotent: on a set-up tree it only runs an incremental build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if [ ! -d node_modules/node-addon-api ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund  # runs the package's install script, which builds the addon
else
  node scripts/build-addon.js
fi
