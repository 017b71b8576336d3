#!/usr/bin/env bash
# q against the runtimes a user could pick instead, on the same MXNet graph
# and weights, int8 and fp32, side by side in one run (issue #14).
#
#   bash bench/peers.sh [WORKDIR]
#
# For each model (random weights from SEED, as q-compile --random-params
# makes them) and each batch:
#   q       fp32: q-compile (defaults); int8: q-compile --dtype=auto with
#           the naive (min/max) table q-calibrate makes from CALIB images,
#           q-compile's default backend; q-run --bench at each thread count.
#   torch   bench/torch_mxnet.py on the same graph and weights: fp32 at its
#           best (jit.trace + freeze + optimize_for_inference) and FX int8
#           with the onednn engine, min/max observers on the same CALIB
#           images (--int8=onednn --int8-observer=minmax).
#   ort     ONNX Runtime (onnxruntime-node, scripts/install-bench-deps.sh):
#           the torch module exported to ONNX (bench/ort_qdq.py export), and
#           its QDQ int8 model (u8 activations, s8 per-channel weights,
#           MinMax ranges measured by ONNX Runtime on the same CALIB images:
#           ort_qdq.py probe, ort_run.js ranges, ort_qdq.py qdq).
# Each is timed ROUNDS times (the smaller median kept) at each thread count
# in THREADS; every int8 variant's output is compared with its own fp32
# (cosine of the logits, top-1 agreement on the batch). The table prints
# median ms, peer/q (> 1: q is faster) and q's fraction of the machine's
# peak (PEAK_INT8 / PEAK_FP32 GMAC/s per core; docs/PERFORMANCE.md).
#
# Environment (optional): MODELS (default: resnet50_v1 mobilenetv2_1.0
# resnet-152), BATCHES (default: "1 16"), THREADS (default: "1 2"), ROUNDS
# (2), ITERS (default per model and batch), CALIB (32 images), SEED (1),
# PEAK_INT8 (default 115, AVX2 vpmaddubsw+vpmaddwd at ~3.6 GHz; set 520 on
# an AVX-512 VNNI core), PEAK_FP32 (57.6), Q_BIN, MODELS_DIR, PYTHON, NODE.
# Exit status 1 if any step fails. Timings are reported, never checked.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
Q_BIN=${Q_BIN:-$ROOT/build/bin}
MODELS_DIR=${MODELS_DIR:-$ROOT/../shared/models}
PYTHON=${PYTHON:-/usr/bin/python3}
NODE=${NODE:-node}
MODELS=${MODELS:-resnet50_v1 mobilenetv2_1.0 resnet-152}
BATCHES=${BATCHES:-1 16}
THREADS=${THREADS:-1 2}
ROUNDS=${ROUNDS:-2}
CALIB=${CALIB:-32}
SEED=${SEED:-1}
PEAK_INT8=${PEAK_INT8:-115}
PEAK_FP32=${PEAK_FP32:-57.6}

if [[ $# -ge 1 ]]; then
  WORK=$1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/q-peers.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
require_tools q-compile q-calibrate q-run
[[ -d $ROOT/bench/node_modules/onnxruntime-node ]] ||
  { echo "onnxruntime-node is missing: bash scripts/install-bench-deps.sh" >&2; exit 1; }

log() { echo "# $*" >&2; }
iters() { # model batch
  if [[ -n ${ITERS:-} ]]; then echo "$ITERS"; return; fi
  case $1:$2 in
    resnet-152:16) echo 3 ;; resnet-152:*) echo 10 ;;
    resnet50_v1:16) echo 5 ;; *:16) echo 10 ;; *) echo 30 ;;
  esac
}
csv() { echo "$1" | tr ' ' ','; }
# "cos C top1 A/N" of two outputs (int8 against its own fp32), with
# torch_mxnet.py's agreement() (cosine of the logits, top-1 agreement).
agree() {
  "$PYTHON" -c "import sys, numpy as np
sys.path.insert(0, '$ROOT/bench')
from torch_mxnet import agreement
cos, agree, rows = agreement(np.load(sys.argv[1]), np.load(sys.argv[2]))
print('cos %.4f top1 %d/%d' % (cos, agree, rows))" "$1" "$2"
}
# Median of the runs at T threads from "(batch B, threads T): ... median M ms"
# (q-run, ort_run.js) or "(batch B, T threads): ..." (torch_mxnet.py).
median_at() { sed -En "s/.*(threads $1|, $1 threads)\).*median ([0-9.]+) ms.*/\2/p"; }
best_of_rounds() { # command... (prints lines); keeps per-thread minimum medians
  local t out
  declare -gA best=()
  for ((r = 0; r < ROUNDS; r++)); do
    out=$("$@")
    for t in $THREADS; do
      best[$t]=$(min_of "${best[$t]:-}" "$(echo "$out" | median_at "$t")")
    done
  done
}

rows=()
for model in $MODELS; do
  sym=$MODELS_DIR/$model/$model-symbol.json
  dir=$WORK/$model
  mkdir -p "$dir"
  # Weights as q generates them, written for torch and ONNX Runtime.
  log "[$model] weights, calibration data, ONNX models"
  "$Q_BIN/q-compile" "$sym" --random-params="$SEED" --fuse=false \
    --external-weights --input-shape=data:1,3,224,224 --quiet -o "$dir/weights.so"
  params=$dir/weights.params
  random_images "$dir/calib.npy" 7 "$CALIB"
  "$Q_BIN/q-calibrate" "$sym" --random-params="$SEED" \
    --input-shape=data:1,3,224,224 --data="$dir/calib.npy" --mode=naive \
    --dtype=auto --quiet -o "$dir/calib.json" >&2
  "$PYTHON" "$ROOT/bench/ort_qdq.py" export "$sym" "$params" --shape=3,224,224 \
    -o "$dir/fp32.onnx" >&2
  "$PYTHON" "$ROOT/bench/ort_qdq.py" probe "$dir/fp32.onnx" -o "$dir/probe.onnx"
  "$NODE" "$ROOT/bench/ort_run.js" ranges "$dir/probe.onnx" "$dir/calib.npy" \
    "$dir/ranges.json" >&2
  "$PYTHON" "$ROOT/bench/ort_qdq.py" qdq "$dir/fp32.onnx" "$dir/ranges.json" \
    -o "$dir/int8.onnx" >&2
  for batch in $BATCHES; do
    n=$(iters "$model" "$batch")
    x=$dir/x_b$batch.npy
    random_images "$x" 3 "$batch"
    shape=data:$batch,3,224,224
    declare -A ms=() acc=()
    for dtype in fp32 int8; do
      lib=$dir/q_${dtype}_b$batch.so
      flags=()
      [[ $dtype == int8 ]] && flags=(--dtype=auto --calib-table="$dir/calib.json")
      log "[$model b$batch] q $dtype"
      "$Q_BIN/q-compile" "$sym" --random-params="$SEED" --input-shape="$shape" \
        "${flags[@]}" --quiet -o "$lib"
      "$Q_BIN/q-run" "$lib" --input=data:"$x" -o "$dir/q_${dtype}_b$batch.npy" >/dev/null
      qbench() { for t in $THREADS; do
          "$Q_BIN/q-run" "$lib" --input=data:"$x" --bench="$n" --threads="$t" |
            sed "s/(batch $batch)/(batch $batch, threads $t)/"; done; }
      best_of_rounds qbench
      for t in $THREADS; do ms[q_${dtype}_$t]=${best[$t]}; done
      log "[$model b$batch] ort $dtype"
      best_of_rounds "$NODE" "$ROOT/bench/ort_run.js" bench "$dir/$dtype.onnx" "$x" \
        --threads="$(csv "$THREADS")" --iters="$n" --save="$dir/ort_${dtype}_b$batch.npy"
      for t in $THREADS; do ms[ort_${dtype}_$t]=${best[$t]}; done
    done
    acc[q]=$(agree "$dir/q_int8_b$batch.npy" "$dir/q_fp32_b$batch.npy")
    acc[ort]=$(agree "$dir/ort_int8_b$batch.npy" "$dir/ort_fp32_b$batch.npy")
    log "[$model b$batch] torch fp32 + int8 (onednn)"
    torch_out=$dir/torch_b$batch.txt
    : > "$torch_out"
    for ((r = 0; r < ROUNDS; r++)); do
      "$PYTHON" "$ROOT/bench/torch_mxnet.py" "$sym" "$params" --input=data:"$x" \
        --threads="$(csv "$THREADS")" --bench="$n" --int8=onednn \
        --int8-observer=minmax --calib="$dir/calib.npy" >> "$torch_out"
    done
    for t in $THREADS; do
      ms[torch_fp32_$t]=""
      ms[torch_int8_$t]=""
      for m in $(grep '^bench: ' "$torch_out" | median_at "$t"); do
        ms[torch_fp32_$t]=$(min_of "${ms[torch_fp32_$t]}" "$m"); done
      for m in $(grep '^int8_bench onednn' "$torch_out" | median_at "$t"); do
        ms[torch_int8_$t]=$(min_of "${ms[torch_int8_$t]}" "$m"); done
    done
    acc[torch]=$(grep -m1 '^int8_check onednn' "$torch_out" |
      sed 's/.*cos \([0-9.]*\) top1_agree \([0-9/]*\).*/cos \1 top1 \2/')
    macs=$(grep -m1 '^macs_per_image' "$torch_out" | awk '{print $2}')
    for t in $THREADS; do
      rows+=("$(awk -v m="$model" -v b="$batch" -v t="$t" \
        -v qi="${ms[q_int8_$t]}" -v oi="${ms[ort_int8_$t]}" -v ti="${ms[torch_int8_$t]:-nan}" \
        -v qf="${ms[q_fp32_$t]}" -v of="${ms[ort_fp32_$t]}" -v tf="${ms[torch_fp32_$t]:-nan}" \
        -v macs="$macs" -v pi="$PEAK_INT8" -v pf="$PEAK_FP32" 'BEGIN {
          bi = (ti != "nan" && ti + 0 < oi + 0) ? ti : oi; bf = (tf != "nan" && tf + 0 < of + 0) ? tf : of;
          printf "| %s | %d | %d | %.1f | %.1f | %s | %.2f | %.0f%% | %.1f | %.1f | %s | %.2f | %.0f%% |",
            m, b, t, qi, oi, ti, bi / qi, 100 * macs * b / (qi * 1e6) / (pi * t),
            qf, of, tf, bf / qf, 100 * macs * b / (qf * 1e6) / (pf * t) }')")
    done
    rows+=("| $model | $batch | int8 vs own fp32 | q: ${acc[q]} | ort: ${acc[ort]} | torch: ${acc[torch]} | | | | | | | |")
    unset ms acc
  done
done

echo "# median ms per run (best of $ROUNDS rounds); peer/q = fastest peer / q (> 1: q faster); % peak: conv+fc MACs / time / (peak x threads)"
echo "| model | batch | threads | q int8 | ort int8 | torch int8 | peer/q | q % int8 peak | q fp32 | ort fp32 | torch fp32 | peer/q | q % fp32 peak |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do echo "$row"; done
