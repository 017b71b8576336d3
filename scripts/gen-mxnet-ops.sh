#!/bin/bash
# Regenerates docs/MXNET-OPS.md, the MXNet op coverage table, from the
# importer's op table (lib/Translate/MXNetImport*.cpp): every accepted MXNet
# op name, what it becomes in q, its int8 support, and the ops refused on
# purpose. QMXNetTranslateTests checks that the file is current.
#
#   scripts/gen-mxnet-ops.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
ninja -C "$build" QMXNetTranslateTests
Q_WRITE_OPS_TABLE=1 "$build/unittests/Translate/QMXNetTranslateTests" \
  --gtest_filter=MXNetImport.CoverageTableIsCurrent
