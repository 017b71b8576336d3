#!/usr/bin/env bash
# The README's first command. Today q can parse, verify and print models in
# its dialect; importing MXNet files and compiling them to a library are not
# built yet, so this runs q-opt on the bundled ResNet basic block and says so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" q-opt q-translate

example="$root/examples/resnet-basic-block.mlir"
echo
echo "== q-opt verifies the bundled ResNet basic block and prints it with"
echo "== inferred result types (generic form, so every type is visible):"
"$build/bin/q-opt" "$example" --mlir-print-op-generic
echo
echo "== q-opt --canonicalize folds the inference-only dropout away:"
"$build/bin/q-opt" "$example" --canonicalize | grep -c "q.dropout" \
  | sed 's/^/remaining q.dropout ops: /' || true
echo
echo "Not built yet: MXNet import (q-translate --import-mxnet), the fuse and"
echo "quantize passes, and q-compile. See the status table in README.md."
