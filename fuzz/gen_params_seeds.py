#!/usr/bin/env python3
"""Writes the small hand-made .params seeds in fuzz/corpus/params/.

Each file is a valid (or deliberately edge-case) MXNet NDArray list covering
one record layout of shared/reference/mxnet-int8-reference.md section 2.
Re-run after changing it:  python3 fuzz/gen_params_seeds.py
"""
import os
import struct

LIST_MAGIC = 0x112
V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
F32, F64, F16, U8, I32, I8, I64, BOOL = 0, 1, 2, 3, 4, 5, 6, 7
CPU, GPU, CPU_PINNED, CPU_SHARED = 1, 2, 3, 5


def u32(v): return struct.pack("<I", v)
def i32(v): return struct.pack("<i", v)
def u64(v): return struct.pack("<Q", v)
def i64(v): return struct.pack("<q", v)


def f32s(vals): return b"".join(struct.pack("<f", v) for v in vals)


def ctx_type_data(dtype, data, dev=CPU, dev_id=0):
    return i32(dev) + i32(dev_id) + i32(dtype) + data


def rec_v2(shape, dtype, data, stype=0, dev=CPU):
    return (u32(V2) + i32(stype) + i32(len(shape)) +
            b"".join(i64(d) for d in shape) + ctx_type_data(dtype, data, dev))


def rec_v3(shape, dtype, data):
    return (u32(V3) + i32(0) + i32(len(shape)) +
            b"".join(i64(d) for d in shape) + ctx_type_data(dtype, data))


def rec_v1(shape, dtype, data):
    return (u32(V1) + u32(len(shape)) + b"".join(i64(d) for d in shape) +
            ctx_type_data(dtype, data))


def rec_legacy(shape, dtype, data):
    # Pre-1.0: no magic, u32 ndim, u32 dims.
    return (u32(len(shape)) + b"".join(u32(d) for d in shape) +
            ctx_type_data(dtype, data))


def none_v2(): return u32(V2) + i32(-1) + i32(-1)
def none_v2_ndim0(): return u32(V2) + i32(0) + i32(0)
def none_v3(): return u32(V3) + i32(-1) + i32(-1)
def none_v1(): return u32(V1) + u32(0)
def none_legacy(): return u32(0)


def params(records, names=None):
    out = u64(LIST_MAGIC) + u64(0) + u64(len(records)) + b"".join(records)
    names = names or []
    out += u64(len(names))
    for n in names:
        b = n.encode()
        out += u64(len(b)) + b
    return out


SEEDS = {
    "empty.params": params([]),
    "v2-f32-named.params": params(
        [rec_v2([2, 3], F32, f32s([0, 1, -1.5, 2.25, 1e-5, 3e38])),
         rec_v2([3], F32, f32s([0.5, -0.5, 0]))],
        ["arg:fc_weight", "arg:fc_bias"]),
    "v2-unnamed.params": params([rec_v2([1], I32, i32(-7))]),
    "v1-record.params": params([rec_v1([2, 2], F32, f32s([1, 2, 3, 4]))],
                               ["arg:w"]),
    "v3-scalar.params": params([rec_v3([], F32, f32s([42.0])),
                                rec_v3([0], F32, b""),
                                none_v3()],
                               ["s", "empty", "none"]),
    "legacy-u32.params": params([rec_legacy([2, 1], F32, f32s([1, 2])),
                                 none_legacy()],
                                ["arg:old_w", "aux:old_none"]),
    "f16.params": params([rec_v2([8], F16,
                                 struct.pack("<8H", 0x0000, 0x8000, 0x3c00,
                                             0x0001, 0x03ff, 0x7bff, 0x7c00,
                                             0x7e00))],
                         ["arg:half"]),
    "mixed-dtypes.params": params(
        [rec_v2([2], F64, struct.pack("<2d", 1.0, -2.5)),
         rec_v2([3], U8, bytes([0, 128, 255])),
         rec_v2([3], I8, struct.pack("<3b", -128, 0, 127)),
         rec_v2([1], I64, i64(-(1 << 40))),
         rec_v2([2], BOOL, bytes([0, 1])),
         rec_v2([2, 0, 3], F32, b"")],
        ["aux:f64", "arg:u8", "arg:i8", "arg:i64", "arg:bool", "arg:zero"]),
    "none-arrays.params": params([none_v2(), none_v2_ndim0(), none_v1(),
                                 rec_v2([1], F32, f32s([1]), stype=-1)],
                                ["a", "b", "c", "d"]),
    "contexts.params": params([rec_v2([1], F32, f32s([1]), dev=GPU),
                               rec_v2([1], F32, f32s([2]), dev=CPU_PINNED),
                               rec_v2([1], F32, f32s([3]), dev=CPU_SHARED)]),
    "empty-names.params": params([rec_v2([1], F32, f32s([1]))], [""]),
}


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "corpus", "params")
    os.makedirs(out_dir, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out_dir}")


if __name__ == "__main__":
    main()
