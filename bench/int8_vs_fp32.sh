#!/usr/bin/env bash
# q int8 vs q fp32 vs PyTorch fp32 and int8, side by side in one run
# (DESIGN.md section 7; issue #7).
#
#   bash bench/int8_vs_fp32.sh [WORKDIR]
#
# For each model and batch:
#   - q fp32:  q-compile MODEL-symbol.json --random-params=SEED
#              --input-shape=data:B,3,224,224 -o libM-fp32.so
#   - q int8:  the same with --dtype=auto --calib-data=calib.npy
#              --calib-mode=naive, where calib.npy holds CALIB_BATCHES batches
#              of uniform [-1, 1) images (q splits it on axis 0 into batches
#              of the model's batch size)
#   - torch:   bench/torch_mxnet.py runs the same MXNet graph with the same
#              weights (the .params q-compile --fuse=false --external-weights
#              writes for the same seed) in fp32 (jit.trace + freeze +
#              optimize_for_inference) and, with --int8, quantized by torch's
#              post-training static quantization (FX, calibrated on the same
#              calib.npy) with every quantized engine this torch has
#              (Debian 1.13: onednn, qnnpack; fbgemm/x86 where present).
# q's int8 and fp32 libraries run once on the same random input (q-run -o)
# for the cosine of their logits and their top-1 agreement; torch_mxnet.py
# prints the same for its int8 modules against its fp32 one, and checks q's
# fp32 output against torch's. Then, ROUNDS times: for each thread count q-run
# --bench=N --threads=T --random-inputs=SEED on the fp32 and the int8
# library, then one torch_mxnet.py run that times fp32 and each int8 engine
# at every thread count. The tables show the smaller of the rounds' medians.
#
# Environment (all optional):
#   MODELS    models under $MODELS_DIR (default: resnet50_v1 resnet-152 mobilenetv2_1.0)
#   BATCHES   (default: 1 16)      THREADS (default: 1 2)
#   ROUNDS    rounds per configuration (default 2)
#   ITERS     timed runs for every configuration (default: per model and batch)
#   SEED      weights, input and calibration seed (default 1)
#   CALIB_BATCHES  batches of the model's batch size in calib.npy (default 4)
#   TORCH_INT8     torch engines, comma-separated (default: all supported)
#   TORCH_OBSERVER torch's activation observer: histogram (its default
#                  qconfig, default) or minmax (like q's --calib-mode=naive)
#   Q_BIN     directory of q-compile, q-calibrate and q-run (default: build/bin)
#   Q_INT8_FLAGS  more q-compile flags for the int8 library, e.g.
#                 "--backend=loops" or "--backend=auto" (default: none)
#   MODELS_DIR (default: /work/shared/models)   PYTHON (default: /usr/bin/python3)
#
# Exit status 1 if anything fails. Timings are reported, never checked.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
Q_BIN=${Q_BIN:-$ROOT/build/bin}
MODELS_DIR=${MODELS_DIR:-/work/shared/models}
PYTHON=${PYTHON:-/usr/bin/python3}
MODELS=${MODELS:-resnet50_v1 resnet-152 mobilenetv2_1.0}
BATCHES=${BATCHES:-1 16}
THREADS=${THREADS:-1 2}
ROUNDS=${ROUNDS:-2}
SEED=${SEED:-1}
CALIB_BATCHES=${CALIB_BATCHES:-4}
TORCH_INT8=${TORCH_INT8:-all}
TORCH_OBSERVER=${TORCH_OBSERVER:-histogram}
TORCH_PY=$ROOT/bench/torch_mxnet.py

if [[ $# -ge 1 ]]; then
  WORK=$1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/q-int8-vs-fp32.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
require_tools q-compile q-calibrate q-run  # q-compile runs q-calibrate

iters() {  # model batch
  if [[ -n ${ITERS:-} ]]; then echo "$ITERS"; return; fi
  case "$1:$2" in
    resnet-152:1) echo 10 ;;
    resnet-152:*) echo 3 ;;
    resnet50_v1:1) echo 20 ;;
    resnet50_v1:*) echo 5 ;;
    mobilenetv2_1.0:1) echo 30 ;;
    mobilenetv2_1.0:*) echo 8 ;;
    *:1) echo 20 ;;
    *) echo 5 ;;
  esac
}

log() { echo "$*" >&2; }

# One record a line: model batch threads key value (the tables are made from
# these at the end).
REC=$WORK/records.tsv
: >"$REC"
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$REC"; }

threads_csv=$(tr ' ' ',' <<<"$THREADS" | sed 's/,,*/,/g; s/^,//; s/,$//')
start=$(date +%s)

for model in $MODELS; do
  sym=$MODELS_DIR/$model/$model-symbol.json
  [[ -f $sym ]] || { log "missing $sym"; exit 1; }
  # The model's own weights (conv + BatchNorm params) for PyTorch.
  orig=$WORK/lib${model}_orig.so
  if [[ ! -f ${orig%.so}.params ]]; then
    log "[$model] q-compile --fuse=false --external-weights (weights for torch)"
    "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
      --input-shape=data:1,3,224,224 --external-weights --fuse=false -o "$orig" >&2
  fi
  for batch in $BATCHES; do
    x=$WORK/x_b$batch.npy
    calib=$WORK/calib_b$batch.npy
    random_images "$x" $((SEED + batch)) "$batch"
    random_images "$calib" $((1000 + SEED + batch)) $((CALIB_BATCHES * batch))
    fp32=$WORK/lib${model}_b$batch-fp32.so
    int8=$WORK/lib${model}_b$batch-int8.so
    log "[$model b$batch] q-compile fp32"
    t0=$(date +%s.%N)
    "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
      --input-shape="data:$batch,3,224,224" -o "$fp32" >&2
    t1=$(date +%s.%N)
    log "[$model b$batch] q-compile int8 (--dtype=auto --calib-data, $CALIB_BATCHES batches, naive ${Q_INT8_FLAGS:-})"
    # shellcheck disable=SC2086  # Q_INT8_FLAGS is a list of flags
    "$Q_BIN/q-compile" "$sym" --random-params="$SEED" \
      --input-shape="data:$batch,3,224,224" --dtype=auto \
      --calib-data="$calib" --calib-mode=naive ${Q_INT8_FLAGS:-} -o "$int8" >&2
    t2=$(date +%s.%N)
    rec "$model" "$batch" - compile_fp32_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
    rec "$model" "$batch" - compile_int8_s "$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.1f", b-a}')"
    qf=$WORK/q_${model}_b$batch-fp32.npy
    qi=$WORK/q_${model}_b$batch-int8.npy
    "$Q_BIN/q-run" "$fp32" --input=data:"$x" -o "$qf" >&2
    "$Q_BIN/q-run" "$int8" --input=data:"$x" -o "$qi" >&2
    # Cosine of the logits (a softmax output: its log, centred per row) and
    # top-1 agreement, q int8 vs q fp32: torch_mxnet.agreement.
    read -r cos agree < <(cd "$ROOT/bench" && PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -c "
import numpy as np, torch_mxnet as t
c, a, n = t.agreement(np.load('$qi'), np.load('$qf'))
print('%.6f %d/%d' % (c, a, n))")
    rec "$model" "$batch" - q_cos "$cos"
    rec "$model" "$batch" - q_top1 "$agree"
    log "  q int8 vs q fp32: cos $cos top-1 $agree"
    n=$(iters "$model" "$batch")
    warm=3
    [[ $batch -ge 16 && $model == resnet-152 ]] && warm=2
    for ((r = 1; r <= ROUNDS; r++)); do
      for t in $THREADS; do
        rec "$model" "$batch" "$t" load "$(cut -d' ' -f1 /proc/loadavg)"
        for kind in fp32 int8; do
          lib=$WORK/lib${model}_b$batch-$kind.so
          log "[$model b$batch t$t round $r] q $kind --bench=$n (load $(cut -d' ' -f1 /proc/loadavg))"
          line=$("$Q_BIN/q-run" "$lib" --bench="$n" --threads="$t" --random-inputs="$SEED")
          log "  $line"
          rec "$model" "$batch" "$t" "q_$kind" "$(median_of <<<"$line")"
        done
      done
      log "[$model b$batch round $r] torch fp32 + int8 ($TORCH_INT8) --bench=$n, threads $threads_csv"
      cmp=()
      [[ $r == 1 ]] && cmp=(--compare="$qf")
      tout=$("$PYTHON" "$TORCH_PY" "$sym" "${orig%.so}.params" --input=data:"$x" \
        --threads="$threads_csv" --bench="$n" --warmup="$warm" "${cmp[@]}" \
        --int8="$TORCH_INT8" --calib="$calib" --int8-observer="$TORCH_OBSERVER")
      log "$(sed 's/^/  /' <<<"$tout")"
      while IFS= read -r line; do
        case $line in
          bench:*)
            t=$(sed -n 's/.*batch [0-9]*, \([0-9]*\) threads.*/\1/p' <<<"$line")
            rec "$model" "$batch" "$t" torch_fp32 "$(median_of <<<"$line")" ;;
          int8_bench\ *)
            e=$(sed -n 's/^int8_bench \([^:]*\):.*/\1/p' <<<"$line")
            t=$(sed -n 's/.*batch [0-9]*, \([0-9]*\) threads.*/\1/p' <<<"$line")
            rec "$model" "$batch" "$t" "torch_int8_$e" "$(median_of <<<"$line")" ;;
          int8_check\ *)
            [[ $r == 1 ]] || continue
            e=$(sed -n 's/^int8_check \([^:]*\):.*/\1/p' <<<"$line")
            rec "$model" "$batch" - "torch_cos_$e" "$(sed -n 's/.* cos \([^ ]*\).*/\1/p' <<<"$line")"
            rec "$model" "$batch" - "torch_top1_$e" "$(sed -n 's/.* top1_agree \([^ ]*\).*/\1/p' <<<"$line")" ;;
          int8_error\ *)
            log "  torch: $line" ;;
          check:*)
            rec "$model" "$batch" - fp32_rel_diff "$(sed -n 's/^check: rel_diff \([^ ]*\).*/\1/p' <<<"$line")" ;;
          mode:*)
            rec "$model" "$batch" - torch_mode "${line#mode: }" ;;
        esac
      done <<<"$tout"
    done
  done
done

"$PYTHON" - "$REC" "$ROUNDS" "$(date +%s)" "$start" <<'EOF'
import collections, sys
import torch
path, rounds, now, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
vals = collections.defaultdict(list)
order = []
for line in open(path):
    m, b, t, k, v = line.rstrip('\n').split('\t')
    if (m, b) not in order:
        order.append((m, b))
    vals[(m, b, t, k)].append(v)

def best(m, b, t, k):
    v = [float(x) for x in vals.get((m, b, t, k), []) if x not in ('', 'nan')]
    return min(v) if v else None

def one(m, b, t, k, default='?'):
    v = vals.get((m, b, t, k))
    return v[0] if v else default

engines = sorted({k[len('torch_int8_'):] for (_, _, _, k) in vals if k.startswith('torch_int8_')})
threads = sorted({t for (_, _, t, _) in vals if t != '-'}, key=int)
f = lambda x: '?' if x is None else ('%.1f' % x if x >= 10 else '%.2f' % x)

print()
print('q int8 (--dtype=auto, naive calibration) vs q fp32 vs PyTorch %s fp32 and int8:'
      % torch.__version__)
print('median ms of one run, the smaller of %s rounds\' medians; speedup = q fp32 / q int8;'
      % rounds)
print('torch int8 = its fastest engine (of %s); torch/q = torch int8 / q int8 (> 1: q is'
      % ', '.join(engines))
print('faster); cos = cosine of q int8\'s and q fp32\'s logits on one input (for a softmax')
print('output, of its log centred per row), top-1 = how many of the batch agree on argmax.')
print()
print('| model | batch | threads | q fp32 ms | q int8 ms | int8 speedup | torch fp32 ms '
      '| torch int8 ms (engine) | torch int8 / q int8 | cos q int8 vs fp32 (top-1) | load |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for m, b in order:
    for t in threads:
        qf, qi, tf = best(m, b, t, 'q_fp32'), best(m, b, t, 'q_int8'), best(m, b, t, 'torch_fp32')
        te = [(best(m, b, t, 'torch_int8_' + e), e) for e in engines]
        te = [x for x in te if x[0] is not None]
        ti, en = min(te) if te else (None, '-')
        loads = vals.get((m, b, t, 'load'), ['?'])
        print('| %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s (%s) | %s |' % (
            m, b, t, f(qf), f(qi),
            '%.2f' % (qf / qi) if qf and qi else '?', f(tf), f(ti), en,
            '%.2f' % (ti / qi) if ti and qi else '?',
            one(m, b, '-', 'q_cos'), one(m, b, '-', 'q_top1'), '/'.join(loads)))
print()
print('PyTorch int8 by engine (median ms; its int8 vs its own fp32 on the same input:')
print('cosine of the logits, top-1 agreement), and q fp32 vs torch fp32 (max |diff| / max |out|):')
print()
hdr = ' | '.join('%s ms t%s' % (e, t) for e in engines for t in threads)
print('| model | batch | %s | %s | torch mode | q fp32 vs torch fp32 | q compile fp32 / int8 s |'
      % (hdr, ' | '.join('%s cos (top-1)' % e for e in engines)))
print('|---|---|%s%s---|---|---|' % ('---|' * (len(engines) * len(threads)), '---|' * len(engines)))
for m, b in order:
    cells = [f(best(m, b, t, 'torch_int8_' + e)) for e in engines for t in threads]
    cos = ['%s (%s)' % (one(m, b, '-', 'torch_cos_' + e), one(m, b, '-', 'torch_top1_' + e))
           for e in engines]
    print('| %s | %s | %s | %s | %s | %s | %s / %s |' % (
        m, b, ' | '.join(cells), ' | '.join(cos), one(m, b, '-', 'torch_mode'),
        one(m, b, '-', 'fp32_rel_diff'), one(m, b, '-', 'compile_fp32_s'),
        one(m, b, '-', 'compile_int8_s')))
print()
print('total %d s' % (now - start))
EOF
