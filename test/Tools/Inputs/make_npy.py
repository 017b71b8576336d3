"""Writes a small .npy file for the q-calibrate tests (no numpy needed).

  make_npy.py OUT DTYPE SHAPE [VALUES] [--set=INDEX:VALUE ...]

DTYPE: f4, f8, u1 or i4. SHAPE: 8,1,6,6. VALUES: ramp:START:STEP (default
ramp:0:1), const:C, or lcg:SEED:LO:HI (pseudo-random in [LO, HI)). --set
overrides one element (e.g. --set=7:nan).
"""
import struct
import sys


def main():
    out, dtype, shape = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    spec = "ramp:0:1"
    sets = []
    for a in args:
        if a.startswith("--set="):
            i, v = a[len("--set="):].split(":")
            sets.append((int(i), float(v)))
        else:
            spec = a
    dims = [int(d) for d in shape.split(",") if d]
    n = 1
    for d in dims:
        n *= d
    kind, *params = spec.split(":")
    if kind == "ramp":
        start, step = float(params[0]), float(params[1])
        values = [start + i * step for i in range(n)]
    elif kind == "const":
        values = [float(params[0])] * n
    elif kind == "lcg":
        state, lo, hi = int(params[0]), float(params[1]), float(params[2])
        values = []
        for _ in range(n):
            state = (state * 1103515245 + 12345) % (1 << 31)
            values.append(lo + (hi - lo) * state / float(1 << 31))
    else:
        raise SystemExit("unknown values " + spec)
    for i, v in sets:
        values[i] = v
    fmt = {"f4": "f", "f8": "d", "u1": "B", "i4": "i"}[dtype]
    descr = {"f4": "<f4", "f8": "<f8", "u1": "|u1", "i4": "<i4"}[dtype]
    if dtype in ("u1", "i4"):
        values = [int(v) for v in values]
    shape_text = "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    with open(out, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (n, fmt), *values))


main()
