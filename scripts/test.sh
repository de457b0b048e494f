#!/usr/bin/env bash
# `npm test`: builds what changed, then runs the C++ tests (GoogleTest through CTest) and the JS tests (node:test).
# With CI=true or OFFLINE_SYNC_SANITIZE=1 the C++ tests run built with AddressSanitizer and UBSan instead, the
# threaded ones (the sync engine on its thread, the transport, the server) once more under ThreadSanitizer, and the
# protocol decoder is fuzzed for FUZZ_SECONDS (30 by default).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

cpp_tests() {  # $1: build folder, then extra CMake arguments
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir"
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
}

if [ "${CI:-}" = true ] || [ -n "${OFFLINE_SYNC_SANITIZE:-}" ]; then
  # The sanitized builds run every C++ test in place of the plain build (same tests, stricter checks, and on 2 cores
  # one build fewer of the Beast-heavy files).
  cpp_tests build-asan -DCMAKE_BUILD_TYPE=Debug -DOFFLINE_SYNC_SANITIZE=address,undefined
  # Only the suites with threads: built alone, run directly (CTest would list the unbuilt suites as failures).
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOFFLINE_SYNC_SANITIZE=thread >/dev/null
  cmake --build build-tsan --target net_tests server_tests
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/net_tests
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/server_tests
  FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash scripts/fuzz.sh
else
  cpp_tests build-cpp -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi

node --test test/js/
