"""Prints a module (printed by q-opt without locations) in a form that does
not depend on op order or SSA names: every op with its operands replaced by
a hash of their definitions, sorted, then the resource blobs, sorted. Two
modules that differ only in where constants and casts sit print the same.
With --content-keys, resources are named by a hash of their bytes, so that
blobs named `w` and `w_1` (MLIR makes keys unique per context) compare by
what they hold.
"""
import hashlib
import re
import sys

SSA = re.compile(r"%[\w$.-]+")
DEF = re.compile(r"^(%[\w$.-]+)(?::\d+)? = (.*)$")

args = [a for a in sys.argv[1:] if a != "--content-keys"]
content_keys = len(args) != len(sys.argv) - 1
text = open(args[0]).read()
body, _, resources = text.partition("{-#")
names = {}
if content_keys:
    blobs = {}
    for line in resources.splitlines():
        key, sep, value = line.strip().rstrip(",").partition(": ")
        if sep and value.startswith('"0x'):
            blobs[key] = "blob" + hashlib.sha1(value.encode()).hexdigest()[:16]
    body = re.sub(r"dense_resource<([^>]+)>",
                  lambda m: "dense_resource<%s>" % blobs.get(m.group(1),
                                                              m.group(1)),
                  body)
    resources = "\n".join(
        blobs[k] + ": " + v
        for k, _, v in (l.strip().rstrip(",").partition(": ")
                        for l in resources.splitlines())
        if k in blobs)


def substitute(line):
    return SSA.sub(lambda m: names.get(m.group(0), m.group(0)), line)


ops = []
for line in body.splitlines():
    line = line.strip()
    if not line:
        continue
    match = DEF.match(line)
    if match:
        rhs = substitute(match.group(2))
        digest = hashlib.sha1(rhs.encode()).hexdigest()[:16]
        names[match.group(1)] = "%v" + digest
        ops.append("%v" + digest + " = " + rhs)
    else:
        ops.append(substitute(line))
for line in sorted(ops):
    print(line)
for line in sorted(l.strip().rstrip(",") for l in resources.splitlines()):
    if line:
        print(line)
