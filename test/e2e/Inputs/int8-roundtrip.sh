#!/bin/bash
# Round trip of one model through q's int8 flow and MXNet export, for
# test/e2e/int8-roundtrip.test:
#
#   import -> q-int8-pipeline (dtype auto, naive ranges from q-calibrate)
#     -> library 1 (compiled straight from that module)
#     -> export (symbol JSON + int8 .params) -> import -> library 2
#
# and both libraries must give bit-identical outputs on the same input.
#
#   int8-roundtrip.sh BIN OUTDIR NAME SYMBOL PARAMS SHAPE [VALUES [EXCLUDE]]
#
# BIN: the folder of q's tools. PARAMS: a .params file or "random" (seeded
# random weights). SHAPE: the input shape, batch first. VALUES: the range
# of the pseudo-random calibration data (lcg:SEED:LO:HI, default
# lcg:7:-1:1). EXCLUDE: node names kept in fp32.
set -euo pipefail
bin=$1 out=$2 name=$3 symbol=$4 params=$5 shape=$6
values=${7:-lcg:7:-1:1}
exclude=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$out/$name
rm -rf "$dir"
mkdir -p "$dir"
step() { echo "[$name] $*" >&2; "$@"; }

if [ "$params" = random ]; then
  model=(--random-params=1)
  mxnet=(--mxnet-random-params=1)
else
  model=(--params="$params")
  mxnet=(--mxnet-params="$params")
fi
quantize="dtype=auto"
calibrate=(--dtype=auto)
if [ -n "$exclude" ]; then
  quantize="$quantize exclude=$exclude"
  calibrate+=(--exclude="$exclude")
fi

# Two calibration samples of the input's shape.
dims=${shape#*:}
python3 "$here/../../Tools/Inputs/make_npy.py" "$dir/calib.npy" f4 \
  "2,${dims#*,}" "$values"
step "$bin/q-calibrate" "$symbol" "${model[@]}" --input-shape="$shape" \
  --data="$dir/calib.npy" --mode=naive "${calibrate[@]}" --quiet \
  -o "$dir/calib.json"
# One step per tensor: MXNet has no per-channel activation steps (q gives
# them to depthwise inputs; export writes the tensor's range instead, so
# the exported model would differ by design: docs/MXNET.md).
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
for e in t["tensors"].values():
    e.pop("channel_min", None); e.pop("channel_max", None)
json.dump(t, open(sys.argv[1], "w"))' "$dir/calib.json"

# The int8 module (as bytecode: resnet-152's weights are 60 MB) and the
# library built straight from it.
"$bin/q-translate" --import-mxnet "$symbol" "${mxnet[@]}" \
  --mxnet-input-shape="$shape" |
  step "$bin/q-opt" --q-int8-pipeline="$quantize calib=$dir/calib.json" \
    --emit-bytecode -o "$dir/int8.mlir"
step "$bin/q-compile" "$dir/int8.mlir" -o "$dir/libdirect.so" >/dev/null

# Export, then compile the exported files as any MXNet model.
step "$bin/q-translate" --export-mxnet "$dir/int8.mlir" \
  -o "$dir/exported-symbol.json" --mxnet-params-out="$dir/exported.params"
step "$bin/q-compile" "$dir/exported-symbol.json" \
  --params="$dir/exported.params" --input-shape="$shape" \
  -o "$dir/libexported.so" >/dev/null

for lib in direct exported; do
  step "$bin/q-run" "$dir/lib$lib.so" --threads=1 --random-inputs=3 \
    --output-dir="$dir/$lib" >/dev/null
done
outputs=$(cd "$dir/direct" && ls)
[ "$outputs" = "$(cd "$dir/exported" && ls)" ] ||
  { echo "[$name] the libraries have different outputs" >&2; exit 1; }
for f in $outputs; do
  cmp "$dir/direct/$f" "$dir/exported/$f"
done
# How much of the module is int8 (so that a model that quantized nothing
# would show).
echo "$name: $(grep -c '"quantized": "true"\|"quantized": "True"' \
  "$dir/exported-symbol.json") quantized conv/fc nodes, outputs identical:" \
  $outputs
rm -f "$dir"/*.so "$dir"/*.params "$dir"/int8.mlir
