#!/usr/bin/env bash
# Fuzzes the protocol decoder: builds the libFuzzer target with clang in build-fuzz/, runs it for FUZZ_SECONDS
# (default 60) on a copy of the seed corpus, prints the executions, and exits non-zero when it finds something.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
build=build-fuzz

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "offline-sync: $tool is missing (Debian: clang libclang-rt-14-dev)" >&2; exit 2; }
done
# A build folder configured with another compiler cannot be switched to clang in place.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLINE_SYNC_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" --target protocol_decoder_fuzzer

# The fuzzer adds what it learns to its corpus folder: a temporary copy keeps the checked-in seeds as they are.
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp test/fuzz/corpus/protocol/* "$corpus/"
artifacts="$build/fuzz-findings"
mkdir -p "$artifacts"
log="$build/protocol_decoder_fuzzer.log"

status=0
"$build/test/fuzz/protocol_decoder_fuzzer" "$corpus" -max_len=65536 -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -dict=test/fuzz/protocol.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
  >"$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "protocol_decoder_fuzzer: ${execs:-?} executions in ${seconds}s (${rate:-?}/s); log: $log"
if [ "$status" -ne 0 ]; then
  echo "protocol_decoder_fuzzer: FINDING (exit $status); the input is in $artifacts/:" >&2
  grep -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || tail -n 30 "$log" >&2
  exit "$status"
fi
