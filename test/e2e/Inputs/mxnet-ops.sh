#!/bin/bash
# Compiles and runs every graph test/e2e/Inputs/mxnet-ops.py writes, each
# output compared with numpy's to 1e-4 of max(1, max |reference|), for
# test/e2e/mxnet-ops.test.
#
#   mxnet-ops.sh BIN OUTDIR
set -euo pipefail
bin=$1 out=$2
here=$(dirname "$0")
/usr/bin/python3 "$here/mxnet-ops.py" "$out"
while read -r name shape; do
  "$bin/q-compile" "$out/$name-symbol.json" --input-shape="data:$shape" --random-params=1 \
    -o "$out/lib$name.so"
  echo "case $name"
  "$bin/q-run" "$out/lib$name.so" --threads=1 --input="data:$out/$name-x.npy" \
    -o "$out/$name-out.npy" --reference="$out/$name-ref.npy" --tolerance=1e-4
done < "$out/cases.txt"
