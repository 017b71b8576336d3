"""size-ratio.py SMALL BIG LIMIT: prints SMALL's size over BIG's and fails
when it is above LIMIT."""
import os
import sys

ratio = os.path.getsize(sys.argv[1]) / os.path.getsize(sys.argv[2])
print("int8/fp32 .params: %.4f" % ratio)
sys.exit(0 if ratio <= float(sys.argv[3]) else 1)
