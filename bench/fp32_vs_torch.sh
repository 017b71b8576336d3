#!/usr/bin/env bash
# q fp32 vs PyTorch fp32, side by side in one run (DESIGN.md section 7).
#
#   bash bench/fp32_vs_torch.sh [WORKDIR]
#
# For each model and batch: q-compile it with deterministic random weights
# (--random-params=SEED --external-weights; the library reads the .params it
# writes), compile it once more with --fuse=false to get the same weights in
# the model's own form (conv + BatchNorm params, for PyTorch), write a random
# input, and check q's output against PyTorch's (bench/torch_mxnet.py runs the
# same MXNet graph node by node with torch ops). Then for each thread count
# time q (q-run --bench=N --threads=T) and PyTorch (jit.trace + freeze +
# optimize_for_inference, torch.set_num_threads(T)) one after the other, and
# print medians, the ratio torch/q (> 1: q is faster) and the fraction of the
# machine's fp32 peak each reaches (MACs of all Convolution and
# FullyConnected nodes; peak = PEAK_GMAC GMAC/s per core x threads).
#
# Environment (all optional):
#   MODELS    models under $MODELS_DIR (default: resnet50_v1 resnet-152 mobilenetv2_1.0)
#   BATCHES   (default: 1 16)      THREADS (default: 1 2)
#   ROUNDS    rounds of (q, torch) per configuration (default 2); the table
#             shows the smaller of the rounds' medians, which filters out a
#             round spoilt by another process on this shared machine
#   ITERS     timed runs for every configuration (default: per model and batch,
#             chosen so that the whole script takes about 5-10 minutes on 2 cores)
#   PEAK_GMAC fp32 peak per core in GMAC/s (default 49.28 = 16 MAC/cycle x 3.08 GHz)
#   SEED      weights and input seed (default 1)
#   Q_BIN     directory of q-compile and q-run (default: build/bin)
#   MODELS_DIR (default: /work/shared/models)   PYTHON (default: /usr/bin/python3)
#
# Exit status 1 if q's output differs from PyTorch's by more than 1e-4 of
# max |output| on any model, or if anything fails.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
Q_BIN=${Q_BIN:-$ROOT/build/bin}
MODELS_DIR=${MODELS_DIR:-/work/shared/models}
PYTHON=${PYTHON:-/usr/bin/python3}
MODELS=${MODELS:-resnet50_v1 resnet-152 mobilenetv2_1.0}
BATCHES=${BATCHES:-1 16}
THREADS=${THREADS:-1 2}
ROUNDS=${ROUNDS:-2}
PEAK_GMAC=${PEAK_GMAC:-49.28}
SEED=${SEED:-1}
TOL=1e-4
TORCH_PY=$ROOT/bench/torch_mxnet.py

if [[ $# -ge 1 ]]; then
  WORK=$1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/q-fp32-vs-torch.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
require_tools q-compile q-run

# Timed runs per configuration: enough for a stable median, few where one run
# takes seconds (resnet-152 batch 16: 3-6 s on one thread).
iters() {  # model batch
  if [[ -n ${ITERS:-} ]]; then echo "$ITERS"; return; fi
  case "$1:$2" in
    resnet-152:1) echo 10 ;;
    resnet-152:*) echo 3 ;;
    resnet50_v1:1) echo 20 ;;
    resnet50_v1:*) echo 5 ;;
    mobilenetv2_1.0:1) echo 50 ;;
    mobilenetv2_1.0:*) echo 10 ;;
    *:1) echo 20 ;;
    *) echo 5 ;;
  esac
}


log() { echo "$*" >&2; }

ROWS=()
CHECKS=()
status=0
start=$(date +%s)

for model in $MODELS; do
  sym=$MODELS_DIR/$model/$model-symbol.json
  [[ -f $sym ]] || { log "missing $sym"; exit 1; }
  # The model's own weights (conv + BatchNorm params) for PyTorch: same seed,
  # no fusion; the same for every batch.
  orig=$WORK/lib${model}_orig.so
  if [[ ! -f ${orig%.so}.params ]]; then
    log "[$model] q-compile --fuse=false (weights for torch)"
    "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
      --input-shape=data:1,3,224,224 --external-weights --fuse=false -o "$orig" >&2
  fi
  for batch in $BATCHES; do
    lib=$WORK/lib${model}_b${batch}.so
    log "[$model b$batch] q-compile"
    "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
      --input-shape="data:$batch,3,224,224" --external-weights -o "$lib" >&2
    x=$WORK/x_b$batch.npy
    random_images "$x" $((SEED + batch)) "$batch"
    qout=$WORK/q_${model}_b$batch.npy
    "$Q_BIN/q-run" "$lib" --params="${lib%.so}.params" --input=data:"$x" -o "$qout" >&2
    n=$(iters "$model" "$batch")
    # Fewer warm-ups where one run takes seconds (the JIT needs two).
    warm=3
    [[ $batch -ge 16 && $model == resnet-152 ]] && warm=2
    first=1
    for t in $THREADS; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      qmed=; tmed=
      for ((r = 1; r <= ROUNDS; r++)); do
        log "[$model b$batch t$t round $r] q-run --bench=$n (load $(cut -d' ' -f1 /proc/loadavg))"
        qline=$("$Q_BIN/q-run" "$lib" --params="${lib%.so}.params" --input=data:"$x" \
          --bench="$n" --threads="$t")
        log "  $qline"
        log "[$model b$batch t$t round $r] torch --bench=$n"
        cmp=()
        [[ $first == 1 ]] && cmp=(--compare="$qout")
        tout=$("$PYTHON" "$TORCH_PY" "$sym" "${orig%.so}.params" --input=data:"$x" \
          --threads="$t" --bench="$n" --warmup="$warm" "${cmp[@]}")
        log "$(sed 's/^/  /' <<<"$tout")"
        qmed=$(min_of "$qmed" "$(median_of <<<"$qline")")
        tmed=$(min_of "$tmed" "$(median_of <<<"$tout")")
        if [[ $first == 1 ]]; then
          macs=$(sed -n 's/^macs_per_image: //p' <<<"$tout")
          mode=$(sed -n 's/^mode: //p' <<<"$tout")
          rel=$(sed -n 's/^check: rel_diff \([^ ]*\).*/\1/p' <<<"$tout")
          agree=$(sed -n 's/^check: .*top1_agree \([^ ]*\).*/\1/p' <<<"$tout")
          maxabs=$(sed -n 's/^check: .*max_abs_torch \([^ ]*\).*/\1/p' <<<"$tout")
          ok=$(awk -v r="${rel:-nan}" -v tol=$TOL 'BEGIN { print (r != "nan" && r + 0 <= tol) ? "ok" : "MISMATCH" }')
          [[ $ok == ok ]] || status=1
          CHECKS+=("| $model | $batch | ${rel:-?} | ${maxabs:-?} | ${agree:-?} | $ok | $mode |")
          first=0
        fi
      done
      [[ -n $qmed && -n $tmed && -n $macs ]] || { log "no timing parsed"; exit 1; }
      ROWS+=("$(awk -v m="$model" -v b="$batch" -v t="$t" -v q="$qmed" -v p="$tmed" \
        -v macs="$macs" -v peak="$PEAK_GMAC" -v load="$load" 'BEGIN {
          gmac = macs * b / 1e9
          printf "| %s | %d | %d | %.2f | %.1f | %.1f | %.2f | %.0f%% | %.0f%% | %s |",
            m, b, t, macs / 1e9, q, p, p / q,
            100 * gmac / (q / 1e3) / (peak * t), 100 * gmac / (p / 1e3) / (peak * t), load }')")
    done
  done
done

echo
echo "q fp32 vs PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)') fp32:" \
  "median ms of one run (the smaller of $ROUNDS rounds' medians);"
echo "ratio = torch / q (> 1: q is faster);"
echo "% peak = MACs / time / ($PEAK_GMAC GMAC/s per core x threads);"
echo "load = 1-minute load average (/proc/loadavg) when the configuration started"
echo
echo "| model | batch | threads | GMAC/image | q ms | torch ms | torch/q | q % peak | torch % peak | load |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Correctness (same input, same weights; q's fused library vs torch):"
echo
echo "| model | batch | max abs diff / max abs output | max abs output | top-1 agree | within $TOL | torch mode |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${CHECKS[@]}"
echo
echo "total $(( $(date +%s) - start )) s"
exit $status
