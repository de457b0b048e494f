#!/usr/bin/env bash
# Fuzzes the protocol decoder and the server's request handling: builds the libFuzzer targets with clang in
# build-fuzz/, runs each for FUZZ_SECONDS (default 60) on a copy of its seed corpus, prints the executions, and exits
# non-zero when either finds something. FUZZ_TARGETS picks some ("protocol_decoder_fuzzer server_request_fuzzer").
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
build=build-fuzz
targets=${FUZZ_TARGETS:-protocol_decoder_fuzzer server_request_fuzzer}

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "offline-sync: $tool is missing (Debian: clang libclang-rt-14-dev)" >&2; exit 2; }
done
# A build folder configured with another compiler cannot be switched to clang in place.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLINE_SYNC_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
# shellcheck disable=SC2086  # one word per target
cmake --build "$build" --target $targets

corpus_of() {
  case "$1" in
    protocol_decoder_fuzzer) echo test/fuzz/corpus/protocol ;;
    server_request_fuzzer) echo test/fuzz/corpus/server ;;
    *) echo "offline-sync: unknown fuzz target $1" >&2; exit 2 ;;
  esac
}

status=0
for target in $targets; do
  # The fuzzer adds what it learns to its corpus folder: a temporary copy keeps the checked-in seeds as they are.
  corpus=$(mktemp -d)
  cp "$(corpus_of "$target")"/* "$corpus/"
  artifacts="$build/fuzz-findings/$target"
  mkdir -p "$artifacts"
  log="$build/$target.log"
  target_status=0
  "$build/test/fuzz/$target" "$corpus" -max_len=65536 -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -dict=test/fuzz/protocol.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || target_status=$?
  rm -rf "$corpus"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "$target: ${execs:-?} executions in ${seconds}s (${rate:-?}/s); log: $log"
  if [ "$target_status" -ne 0 ]; then
    echo "$target: FINDING (exit $target_status); the input is in $artifacts/:" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || tail -n 30 "$log" >&2
    status=$target_status
  fi
done
exit "$status"
