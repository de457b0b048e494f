#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when any is missing. Idempotent, and quick when nothing is.
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -euo pipefail

packages=(
  g++ make cmake ninja-build ccache python3 pkg-config
  libsqlite3-dev libsqlitecpp-dev libsimdjson-dev libboost1.81-dev libssl-dev zlib1g-dev
  googletest libgtest-dev
  clang libclang-rt-14-dev
  chromium
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "offline-sync: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "offline-sync: missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root, then run this again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "offline-sync: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
