#!/bin/bash
# Planned layouts change where bytes lie, never the results: compiles one
# model with q-compile's default (q-assign-layouts: channels last between
# convolutions) and with --plan-layouts=false (every op on NCHW), runs both
# on the same pseudo-random input and compares the outputs:
#   fp32: |a - b| <= 1e-5 * max(1, max |b|) (oneDNN may pick another kernel
#         for a layout, which sums in another order);
#   int8 (dtype auto, naive ranges from q-calibrate on 2 random samples,
#         backend onednn and loops): bit-identical.
# For test/e2e/layouts.test.
#
#   layouts.sh BIN OUTDIR NAME SYMBOL PARAMS SHAPE [BACKENDS]
#
# PARAMS: a .params file or "random" (seeded random weights). BACKENDS: the
# int8 backends to compare (default "onednn loops"; the loops' code
# generation makes large models slow to compile twice).
set -euo pipefail
bin=$1 out=$2 name=$3 symbol=$4 params=$5 shape=$6
backends=${7:-onednn loops}
here=$(cd "$(dirname "$0")" && pwd)
dir=$out/$name
rm -rf "$dir"
mkdir -p "$dir"
if [ "$params" = random ]; then
  model=(--random-params=1)
else
  model=(--params="$params")
fi
common=("$symbol" "${model[@]}" --input-shape="$shape" --quiet)

run() { # LIB OUTDIR
  "$bin/q-run" "$1" --random-inputs=3 --output-dir="$2" >/dev/null
}

compare() { # KIND A B
  /usr/bin/python3 - "$@" <<'PY'
import glob, os, sys
import numpy as np
kind, a_dir, b_dir = sys.argv[1:]
names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(b_dir, "*.npy")))
assert names, "no outputs in " + b_dir
for n in names:
    a = np.load(os.path.join(a_dir, n)).astype(np.float64)
    b = np.load(os.path.join(b_dir, n)).astype(np.float64)
    if kind == "int8":
        ok = np.array_equal(a, b)
        detail = "identical" if ok else "differ"
    else:
        scale = max(1.0, float(np.abs(b).max()))
        diff = float(np.abs(a - b).max()) / scale
        ok = diff <= 1e-5
        detail = "within 1e-5" if ok else "differ by %g" % diff
    print("%s %s: %s" % (kind, n, detail))
    if not ok:
        sys.exit(1)
PY
}

# fp32
"$bin/q-compile" "${common[@]}" -o "$dir/fp32-planned.so"
"$bin/q-compile" "${common[@]}" --plan-layouts=false -o "$dir/fp32-nchw.so"
run "$dir/fp32-planned.so" "$dir/fp32-planned"
run "$dir/fp32-nchw.so" "$dir/fp32-nchw"
compare fp32 "$dir/fp32-planned" "$dir/fp32-nchw"

# int8, both backends
dims=${shape#*:}
python3 "$here/../../Tools/Inputs/make_npy.py" "$dir/calib.npy" f4 \
  "2,${dims#*,}" lcg:7:-1:1
"$bin/q-calibrate" "${common[@]}" --data="$dir/calib.npy" --mode=naive \
  --dtype=auto -o "$dir/calib.json"
for backend in $backends; do
  int8=(--dtype=auto --calib-table="$dir/calib.json" --backend=$backend)
  "$bin/q-compile" "${common[@]}" "${int8[@]}" -o "$dir/$backend-planned.so"
  "$bin/q-compile" "${common[@]}" "${int8[@]}" --plan-layouts=false \
    -o "$dir/$backend-nchw.so"
  run "$dir/$backend-planned.so" "$dir/$backend-planned"
  run "$dir/$backend-nchw.so" "$dir/$backend-nchw"
  compare int8 "$dir/$backend-planned" "$dir/$backend-nchw"
done
