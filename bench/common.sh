# Helpers shared by the whole-model benchmark scripts (sourced; needs Q_BIN
# and PYTHON set).

# Exits unless every named tool is built in $Q_BIN.
require_tools() {
  local tool
  for tool in "$@"; do
    [[ -x $Q_BIN/$tool ]] || { echo "missing $Q_BIN/$tool (ninja -C build $tool)" >&2; exit 1; }
  done
}

# "... median 12.345 ms ..." -> 12.345 (q-run and torch_mxnet.py print the same).
median_of() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
# The smaller of two numbers, the first possibly empty.
min_of() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# random_images FILE SEED COUNT: COUNT uniform [-1, 1) 3x224x224 f32
# images from RandomState(SEED), as .npy.
random_images() {
  "$PYTHON" -c "import numpy as np; np.save('$1', np.random.RandomState($2)
  .uniform(-1, 1, ($3, 3, 224, 224)).astype(np.float32))"
}
