#!/bin/bash
# import -> export -> import of one MXNet symbol file must give the same
# module (the file location of the module aside), for
# test/Translate/import-ops.test. Constants travel through a .params file.
#
#   roundtrip.sh BIN OUTDIR NAME SYMBOL SHAPE
set -euo pipefail
bin=$1 out=$2 name=$3 symbol=$4 shape=$5
"$bin/q-translate" --import-mxnet "$symbol" --mxnet-input-shape="$shape" \
  -o "$out/$name.a.mlir"
"$bin/q-translate" --export-mxnet "$out/$name.a.mlir" \
  -o "$out/$name-symbol.json" --mxnet-params-out="$out/$name.params"
params=()
if [ -s "$out/$name.params" ]; then
  params=(--mxnet-params="$out/$name.params")
fi
"$bin/q-translate" --import-mxnet "$out/$name-symbol.json" "${params[@]}" \
  --mxnet-input-shape="$shape" -o "$out/$name.b.mlir"
grep -v '^#loc = loc(' "$out/$name.a.mlir" > "$out/$name.a.cmp"
grep -v '^#loc = loc(' "$out/$name.b.mlir" > "$out/$name.b.cmp"
diff "$out/$name.a.cmp" "$out/$name.b.cmp"
echo "round trip $name: same module"
