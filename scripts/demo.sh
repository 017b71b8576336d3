#!/usr/bin/env bash
# The README's first command: install what is missing, build q, compile the
# bundled Fashion-MNIST model (a small ResNet in MXNet's format) into a
# shared library, and print its accuracy on the 10,000 test images, its
# agreement with PyTorch, its size and its speed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${Q_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" q-compile q-run

example="$root/examples/fashion-mnist"
data=/usr/share/datasets/fashion-mnist
out="$build/examples"
mkdir -p "$out"

echo
echo "== q-compile: MXNet symbol + params -> shared library (fp32, oneDNN)"
"$build/bin/q-compile" "$example/fmnist-resnet-symbol.json" \
  --params="$example/fmnist-resnet-0000.params" \
  --input-shape=data:100,1,28,28 -o "$out/libfmnist.so"
echo "library: $(du -k "$out/libfmnist.so" | cut -f1) KiB" \
     "(params file: $(du -k "$example/fmnist-resnet-0000.params" | cut -f1) KiB)"

echo
echo "== q-run: the 10,000 Fashion-MNIST test images (batches of 100)"
"$build/bin/q-run" "$out/libfmnist.so" --threads=1 \
  --input=data:$data/t10k-images-idx3-ubyte.gz \
  --labels=$data/t10k-labels-idx1-ubyte.gz \
  --compare="$example/torch_predictions.npy"

echo
echo "== speed (one batch of 100 images, 1 thread)"
"$build/bin/q-run" "$out/libfmnist.so" --threads=1 --random-inputs=1 --bench=20

echo
echo "int8 quantization (q-quantize, q-calibrate, --dtype=int8) is not built"
echo "yet; see the status table in README.md."
