#!/usr/bin/env bash
# Configures and builds q in build/ (Release, Ninja). Extra arguments go to
# ninja, e.g. `scripts/build.sh q-opt`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DQ_SHARED_DIR="${Q_SHARED_DIR:-$root/../shared}"
fi
ninja -C "$build" "$@"
