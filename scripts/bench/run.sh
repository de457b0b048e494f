#!/usr/bin/env bash
# npm run bench: installs the peers the benchmarks compare against (into scripts/bench/node_modules, never the root
# package), runs every benchmark, then report.js writes docs/BENCHMARKS.md and docs/benchmarks.png from the results.
#   BENCH_ONLY=local-writes,idle-cpu   run only these (the others' earlier results stay and are reported too)
set -euo pipefail
cd "$(dirname "$0")"
started=$SECONDS

# In run order; a script still being written (not there yet) is skipped.
BENCHMARKS=(local-writes server-throughput sync-throughput day-offline slow-link idle-cpu memory)
results_dir="${BENCH_RESULTS_DIR:-results}"

selected=("${BENCHMARKS[@]}")  # run in BENCHMARKS' order whatever the order BENCH_ONLY gives
if [ -n "${BENCH_ONLY:-}" ]; then
  IFS=',' read -r -a selected <<< "$BENCH_ONLY"
  for name in "${selected[@]}"; do
    if [[ ! " ${BENCHMARKS[*]} " == *" ${name%.js} "* ]]; then
      echo "bench: BENCH_ONLY names ${name}, not one of: ${BENCHMARKS[*]}" >&2
      exit 1
    fi
  done
fi

is_selected() {
  local wanted
  for wanted in "${selected[@]}"; do [ "${wanted%.js}" = "$1" ] && return 0; done
  return 1
}

bash ../setup.sh

# npm install again only when the peer list changed: the stamp is the hash of package.json and its lock as the last
# install left them. better-sqlite3 builds from source, against the local Node headers when they are there.
stamp=node_modules/.bench-packages.sha256
packages_hash() { cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
if [ ! -d node_modules/better-sqlite3/build/Release ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(packages_hash)" ]; then
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
  if [ -f "$nodedir/include/node/node_api.h" ]; then export npm_config_nodedir="$nodedir"; fi
  npm install --no-audit --no-fund
  packages_hash > "$stamp"
fi

# A full run starts from no results, so the report never mixes two runs. A subset keeps the others': each
# benchmark overwrites its own result file when it saves.
if [ -z "${BENCH_ONLY:-}" ]; then rm -f "$results_dir"/*.json; fi

for name in "${BENCHMARKS[@]}"; do
  if ! is_selected "$name"; then continue; fi
  if [ ! -f "$name.js" ]; then
    echo "bench: $name.js is not there yet, skipped"
    continue
  fi
  echo "=== $name"
  bench_started=$SECONDS
  if ! node "$name.js"; then
    echo "bench: $name failed" >&2
    exit 1
  fi
  echo "=== $name took $((SECONDS - bench_started)) s"
done

node report.js
elapsed=$((SECONDS - started))
printf 'bench: done in %d min %02d s\n' $((elapsed / 60)) $((elapsed % 60))
