#!/usr/bin/env bash
# Installs what the peer benchmarks need (bench/peers.sh, bench/*_vs_*.sh):
# PyTorch and ONNX from Debian 12's archive, and ONNX Runtime from npm
# (onnxruntime-node, pinned in bench/package.json, into bench/node_modules;
# its install script only fetches GPU libraries, so it is skipped: the CPU
# binaries ship in the package). Run as root (or with sudo); idempotent.
#
#   python3-torch   PyTorch 1.13 (CPU): fp32 and FX int8 (onednn) peer
#   python3-onnx    ONNX 1.12: export and the QDQ int8 model for ONNX Runtime
#   nodejs, npm     ONNX Runtime's Node.js binding
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(python3-numpy python3-torch python3-onnx)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from elsewhere (scripts/setup.sh installs Debian's).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-bench-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$root/bench/node_modules/onnxruntime-node/package.json" ]; then
  echo "install-bench-deps: npm install (bench/package.json)"
  (cd "$root/bench" && npm install --ignore-scripts --no-audit --no-fund --silent)
fi
node -e "require('$root/bench/node_modules/onnxruntime-node')" ||
  { echo "install-bench-deps: onnxruntime-node does not load" >&2; exit 1; }
echo "install-bench-deps: ready"
