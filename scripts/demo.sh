#!/usr/bin/env bash
# The README's first command: install what is missing, build q, compile the
# bundled Fashion-MNIST model (a small ResNet in MXNet's format) to fp32 and
# to int8 (calibrated on 10 batches of the training set) through oneDNN and
# through the kernels q generates (--backend=loops), and print each one's
# accuracy on the 10,000 test images, library size and speed side by side.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" q-compile q-run q-calibrate

example="$root/examples/fashion-mnist"
data=/usr/share/datasets/fashion-mnist
out="$build/examples"
mkdir -p "$out"
model=("$example/fmnist-resnet-symbol.json"
       --params="$example/fmnist-resnet-0000.params"
       --input-shape=data:100,1,28,28)

echo
echo "== q-compile: MXNet symbol + params -> shared libraries"
"$build/bin/q-compile" "${model[@]}" -o "$out/libfmnist.so"
"$build/bin/q-compile" "${model[@]}" --dtype=auto \
  --calib-data=$data/train-images-idx3-ubyte.gz --calib-batches=10 --calib-batch-size=100 \
  --calib-mode=naive -o "$out/libfmnist-int8.so"
"$build/bin/q-compile" "${model[@]}" --dtype=auto \
  --calib-data=$data/train-images-idx3-ubyte.gz --calib-batches=10 --calib-batch-size=100 \
  --calib-mode=naive --backend=loops -o "$out/libfmnist-int8-loops.so"

run() { # library -> accuracy line
  "$build/bin/q-run" "$1" --threads=1 \
    --input=data:$data/t10k-images-idx3-ubyte.gz \
    --labels=$data/t10k-labels-idx1-ubyte.gz | grep 'top-1 accuracy' |
    sed 's/ against.*//'
}
bench() { # library -> median ms of one batch of 100 images, 1 thread
  "$build/bin/q-run" "$1" --threads=1 --random-inputs=1 --bench=50 |
    sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'
}

echo
echo "== the 10,000 Fashion-MNIST test images (batches of 100, 1 thread)"
fp32_acc=$(run "$out/libfmnist.so")
int8_acc=$(run "$out/libfmnist-int8.so")
loops_acc=$(run "$out/libfmnist-int8-loops.so")
fp32_ms=$(bench "$out/libfmnist.so")
int8_ms=$(bench "$out/libfmnist-int8.so")
loops_ms=$(bench "$out/libfmnist-int8-loops.so")
weights_fp32=$(du -k "$example/fmnist-resnet-0000.params" | cut -f1)
printf '%-6s %-40s %10s %12s\n' dtype accuracy "lib KiB" "ms/batch"
printf '%-6s %-40s %10s %12s\n' fp32 "$fp32_acc" \
  "$(du -k "$out/libfmnist.so" | cut -f1)" "$fp32_ms"
printf '%-6s %-40s %10s %12s\n' int8 "$int8_acc" \
  "$(du -k "$out/libfmnist-int8.so" | cut -f1)" "$int8_ms"
printf '%-6s %-40s %10s %12s\n' "int8*" "$loops_acc" \
  "$(du -k "$out/libfmnist-int8-loops.so" | cut -f1)" "$loops_ms"
echo "int8 speed-up: $(awk -v a="$fp32_ms" -v b="$int8_ms" 'BEGIN{printf "%.2fx", a/b}') (oneDNN)," \
     "$(awk -v a="$fp32_ms" -v b="$loops_ms" 'BEGIN{printf "%.2fx", a/b}') (int8*: kernels q generates," \
     "--backend=loops) (fp32 weights: $weights_fp32 KiB)"

echo
echo "== agreement of fp32 with PyTorch on the same images"
"$build/bin/q-run" "$out/libfmnist.so" --threads=1 \
  --input=data:$data/t10k-images-idx3-ubyte.gz \
  --compare="$example/torch_predictions.npy" | grep agree
