#!/usr/bin/python3
"""docs/TROUBLESHOOTING.md names every status of the public headers (include/bmqtt, port/*) with its
number, as `BMQTT_X` (-N), and a cause and a fix in its row. The numbers come from the compiler:
a program built from the headers prints each status's value."""
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
names, headers = [], []
status_h = open(os.path.join(ROOT, "include/bmqtt/status.h")).read()
for m in re.finditer(r"^\s+(BMQTT_[A-Z0-9_]+) = -?\d+", status_h, re.M):
    if not m.group(1).endswith("_BASE"):
        names.append(m.group(1))
for f in sorted(glob.glob(os.path.join(ROOT, "include/bmqtt/*.h")) + glob.glob(os.path.join(ROOT, "port/*/*.h"))):
    found = re.findall(r"#define (BMQTT_[A-Z0-9_]+) +\(\(bmqtt_status_t\)", open(f).read())
    if found and not f.endswith("status.h"):
        headers.append(f)
    names += found
# The values: each header's macros expanded by the preprocessor (its own dependencies need not be
# installed: only the #define lines and status.h are compiled).
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "v.c")
    with open(src, "w") as out:
        out.write('#include <stdio.h>\n#include "bmqtt/status.h"\n')
        for f in headers:
            for line in open(f):
                if re.match(r"#define BMQTT_[A-Z0-9_]+ +\(\(bmqtt_status_t\)", line):
                    out.write(line)
        out.write("int main(void)\n{\n")
        for n in names:
            out.write(f'    printf("{n} %d\\n", (int){n});\n')
        out.write("    return 0;\n}\n")
    exe = os.path.join(tmp, "v")
    subprocess.run(["cc", "-std=c99", "-I", os.path.join(ROOT, "include"), src, "-o", exe], check=True)
    values = dict(l.split() for l in subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines())

doc = open(os.path.join(ROOT, "docs/TROUBLESHOOTING.md")).read()
bad = []
for n in names:
    row = re.search(r"^\| `" + n + r"` \((-?\d+)\) \|([^|]+)\|([^|]+)\|$", doc, re.M)
    if row is None:
        bad.append(f"{n} has no row '| `{n}` ({values[n]}) | cause | what to do |'")
    elif row.group(1) != values[n]:
        bad.append(f"{n} is {values[n]}, the page says {row.group(1)}")
    elif len(row.group(2).strip()) < 4 or len(row.group(3).strip()) < 1:
        bad.append(f"{n}: cause or what to do is empty")
if bad:
    print("statuses: FAIL: docs/TROUBLESHOOTING.md:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"statuses: ok: docs/TROUBLESHOOTING.md names all {len(names)} statuses of the headers, with their numbers, causes and fixes")
