"""Writes the first N items of an IDX file (gzipped or not) to a new,
uncompressed IDX file: small calibration sets for the tests."""
import gzip
import struct
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rb") as f:
    data = f.read()
magic = data[:4]
rank = magic[3]
dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
item = 1
for d in dims[1:]:
    item *= d
body = data[4 + 4 * rank:4 + 4 * rank + n * item]
dims[0] = n
with open(dst, "wb") as f:
    f.write(magic + struct.pack(">" + "I" * rank, *dims) + body)
