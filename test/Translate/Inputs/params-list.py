"""Lists an MXNet .params file (V2/V3 dense records, as q writes them): one
line per array, `name dtype (shape)`, in file order. Reads the file on its
own, so the test does not rely on q's reader to check q's writer.
"""
import struct
import sys

DTYPES = {0: "float32", 1: "float64", 2: "float16", 3: "uint8", 4: "int32",
          5: "int8", 6: "int64", 7: "bool"}
SIZES = {0: 4, 1: 8, 2: 2, 3: 1, 4: 4, 5: 1, 6: 8, 7: 1}

data = open(sys.argv[1], "rb").read()
pos = 0


def take(fmt):
    global pos
    values = struct.unpack_from("<" + fmt, data, pos)
    pos += struct.calcsize("<" + fmt)
    return values


magic, _, count = take("QQQ")
assert magic == 0x112, "not an NDArray list"
arrays = []
for _ in range(count):
    record, stype = take("Ii")
    assert record in (0xF993FAC9, 0xF993FACA) and stype == 0
    (ndim,) = take("i")
    shape = take("%dq" % ndim) if ndim > 0 else ()
    _, _, dtype = take("iii")
    elements = 1
    for d in shape:
        elements *= d
    pos += elements * SIZES[dtype]
    arrays.append((DTYPES[dtype], shape))
(names,) = take("Q")
for dtype, shape in arrays:
    (length,) = take("Q")
    name = data[pos:pos + length].decode()
    pos += length
    print(name, dtype, shape)
assert pos == len(data), "trailing bytes"
