#!/usr/bin/env python3
"""Writes a calibration table for the tensors a quantized module observes.

Reads the IR that `q-opt --q-quantize --mlir-print-debuginfo
--mlir-print-local-scope` prints (stdin) and writes a q-calibration-table
(stdout) with a made-up range for every tensor that calibration would
measure: the fp32 input of each q.quantize (`loc("<x>_quantize")` names
tensor `<x>_output`, or `<x>` for a function argument) and the int32 input
of each q.requantize (`loc("requantize_<node>")`: `<node>_output`).

The ranges are deterministic, not measured: relu outputs and every third
other tensor are non-negative, so both int8 and uint8 appear under
dtype=auto.
"""

import json
import re
import sys

QUANTIZE = re.compile(r'q\.quantize (%\w+).*loc\("(.+)_quantize"\)')
REQUANTIZE = re.compile(r'q\.requantize .*loc\("requantize_(.+)"\)')


def main():
    names = []
    for line in sys.stdin:
        match = QUANTIZE.search(line)
        if match:
            operand, base = match.groups()
            names.append(base if operand.startswith("%arg") else base + "_output")
            continue
        match = REQUANTIZE.search(line)
        if match:
            names.append(match.group(1) + "_output")
    tensors = {}
    for i, name in enumerate(names):
        high = 1.0 + (i % 7) * 0.5
        unsigned = "relu" in name or i % 3 == 0
        tensors[name] = {"min": 0.0 if unsigned else -high / 2, "max": high}
    json.dump({"format": "q-calibration-table", "version": 1, "mode": "manual",
               "dtype": "auto", "tensors": tensors}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
