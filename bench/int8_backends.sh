#!/usr/bin/env bash
# Whole int8 models: oneDNN vs the generated kernels vs --backend=auto,
# side by side in one run (issue #8).
#
#   bash bench/int8_backends.sh [WORKDIR]
#
# For each model, each ISA setting and each batch: the model with random
# weights (--random-params=SEED), calibrated naively on CALIB_BATCHES
# batches of uniform [-1, 1) images, compiled three times:
#   onednn  q-compile --dtype=auto --backend=onednn
#   loops   q-compile --dtype=auto --backend=loops --isa=ISA
#   auto    q-compile --dtype=auto --backend=auto --isa=ISA (times each layer
#           both ways here; its table goes to WORKDIR/<lib>.report.txt)
# then ROUNDS x q-run --bench=N --threads=THREADS on each; the table shows
# the smaller of the rounds' medians and the speed-ups over onednn. The
# loops and auto libraries also run once on the same input as the onednn
# one: their top-1 must agree with it (the integer paths are exact; oneDNN
# and the loops differ only where oneDNN's avx2 path saturates).
#
# ISA settings (ISAS, default "native avx2"):
#   native  everything as this CPU allows
#   avx2    --isa=avx2 --weight-bits=7, run with DNNL_MAX_CPU_ISA=AVX2 and
#           QRT_MAX_ISA=avx2 (an AVX2 machine; 7-bit weights so both
#           backends are exact and the loops use vpmaddubsw)
#
# Environment (all optional): MODELS (default: resnet50_v1 mobilenetv2_1.0),
# BATCHES (default: 1), THREADS (default: 1; then pinned with taskset),
# ROUNDS (default 3), ITERS,
# SEED (default 1), CALIB_BATCHES (default 2), Q_BIN (default build/bin),
# MODELS_DIR (default: ../shared/models), PYTHON (default /usr/bin/python3).
# Exit status 1 if anything fails. Timings are reported, never checked.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
Q_BIN=${Q_BIN:-$ROOT/build/bin}
MODELS_DIR=${MODELS_DIR:-$ROOT/../shared/models}
PYTHON=${PYTHON:-/usr/bin/python3}
MODELS=${MODELS:-resnet50_v1 mobilenetv2_1.0}
ISAS=${ISAS:-native avx2}
BATCHES=${BATCHES:-1}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
SEED=${SEED:-1}
CALIB_BATCHES=${CALIB_BATCHES:-2}

if [[ $# -ge 1 ]]; then
  WORK=$1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/q-int8-backends.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
require_tools q-compile q-calibrate q-run

log() { echo "# $*" >&2; }
iters() {
  if [[ -n ${ITERS:-} ]]; then echo "$ITERS"; return; fi
  case $1 in resnet-152) echo 5 ;; resnet50_v1) echo 10 ;; *) echo 30 ;; esac
}
top1() {  # npy -> argmax per row, one line
  "$PYTHON" -c "import numpy as np, sys
print(' '.join(map(str, np.load(sys.argv[1]).reshape(np.load(sys.argv[1]).shape[0], -1).argmax(1))))" "$1"
}

# One thread: pinned to the last CPU (the machine may be shared).
pin=()
if [[ $THREADS == 1 ]] && command -v taskset > /dev/null; then
  pin=(taskset -c "$(($(nproc) - 1))")
fi

rows=()
for model in $MODELS; do
  sym=$MODELS_DIR/$model/$model-symbol.json
  [[ -f $sym ]] || sym=$(ls "$MODELS_DIR/$model"/*-symbol.json | head -n 1)
  for batch in $BATCHES; do
    x=$WORK/x_b$batch.npy
    calib=$WORK/calib_b$batch.npy
    random_images "$x" $((SEED + batch)) "$batch"
    random_images "$calib" $((1000 + SEED + batch)) $((CALIB_BATCHES * batch))
    table=$WORK/${model}_b$batch.calib.json
    log "[$model b$batch] calibrate"
    "$Q_BIN/q-calibrate" "$sym" --random-params="$SEED" \
      --input-shape="data:$batch,3,224,224" --data="$calib" --mode=naive \
      --dtype=auto --quiet -o "$table" >&2
    for isa in $ISAS; do
      env=()
      flags=(--isa=auto)
      if [[ $isa == avx2 ]]; then
        env=(DNNL_MAX_CPU_ISA=AVX2 QRT_MAX_ISA=avx2)
        flags=(--isa=avx2 --weight-bits=7)
      fi
      declare -A ms=()
      ref=""
      for backend in onednn loops auto; do
        lib=$WORK/lib${model}_b${batch}_${isa}_$backend.so
        extra=()
        [[ $backend != onednn ]] && extra=("${flags[@]}")
        [[ $backend == onednn && $isa == avx2 ]] && extra=(--weight-bits=7)
        [[ $backend == auto ]] && extra+=(--backend-report="$lib.report.txt")
        log "[$model b$batch $isa] q-compile --backend=$backend ${extra[*]}"
        env "${env[@]}" "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
          --input-shape="data:$batch,3,224,224" --dtype=auto \
          --calib-table="$table" --num-threads="$THREADS" \
          --backend=$backend "${extra[@]}" -o "$lib" >&2
        out=$WORK/out_${model}_b${batch}_${isa}_$backend.npy
        env "${env[@]}" "$Q_BIN/q-run" "$lib" --threads="$THREADS" \
          --input=data:"$x" -o "$out" >&2
        if [[ -z $ref ]]; then
          ref=$(top1 "$out")
        elif [[ $(top1 "$out") != "$ref" ]]; then
          echo "$model b$batch $isa $backend: top-1 differs from onednn" >&2
          exit 1
        fi
        best=""
        for ((r = 0; r < ROUNDS; r++)); do
          m=$(env "${env[@]}" "${pin[@]}" "$Q_BIN/q-run" "$lib" --bench="$(iters "$model")" \
                --threads="$THREADS" --random-inputs="$SEED" | median_of)
          best=$(min_of "$best" "$m")
        done
        ms[$backend]=$best
      done
      loopsOn=$(grep -o '^# [0-9]* of [0-9]* layers on loops' "$WORK/lib${model}_b${batch}_${isa}_auto.so.report.txt" | sed 's/^# //')
      rows+=("$(printf '%-16s %5s %-7s %10s %10s %10s %8s %8s   %s' "$model" "$batch" "$isa" \
        "${ms[onednn]}" "${ms[loops]}" "${ms[auto]}" \
        "$(awk -v a="${ms[onednn]}" -v b="${ms[loops]}" 'BEGIN{printf "%.2fx", a/b}')" \
        "$(awk -v a="${ms[onednn]}" -v b="${ms[auto]}" 'BEGIN{printf "%.2fx", a/b}')" \
        "$loopsOn")")
      unset ms
    done
  done
done

echo "# int8 whole models, median ms per run ($THREADS thread(s), best of $ROUNDS rounds); speed-up = onednn / x"
printf '%-16s %5s %-7s %10s %10s %10s %8s %8s   %s\n' model batch isa onednn loops auto "loops" "auto" "auto chose"
for row in "${rows[@]}"; do echo "$row"; done
