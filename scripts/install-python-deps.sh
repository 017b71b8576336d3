#!/usr/bin/env bash
# Installs the Python packages used by scripts/train_fashion_mnist.py and
# scripts/check_mxnet_export.py, from Debian 12's archive only (no pip, no
# internet beyond the Debian mirror). Run as root; idempotent, non-interactive.
#
#   python3-torch          PyTorch 1.13 (CPU) for training
#   python3-numpy          numpy (export, golden files, numpy checker)
#   dataset-fashion-mnist  Fashion-MNIST idx files (gzipped) under /usr/share/datasets/fashion-mnist
set -euo pipefail

packages=(python3 python3-numpy python3-torch dataset-fashion-mnist)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-python-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-python-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
