#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test: the lit
# suite (as one ctest entry) and the GoogleTest suites, through ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
