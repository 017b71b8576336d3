"""Prints a module (printed by q-opt without locations) in a form that does
not depend on op order or SSA names: every op with its operands replaced by
a hash of their definitions, sorted, then the resource blobs, sorted. Two
modules that differ only in where constants and casts sit print the same.
"""
import hashlib
import re
import sys

SSA = re.compile(r"%[\w$.-]+")
DEF = re.compile(r"^(%[\w$.-]+)(?::\d+)? = (.*)$")

text = open(sys.argv[1]).read()
body, _, resources = text.partition("{-#")
names = {}


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
