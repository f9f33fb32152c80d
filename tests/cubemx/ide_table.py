#!/usr/bin/python3
"""docs/BUILDING.md's table for IDE users names every library source of bmqtt.mk: by its file
name, or by its folder as `folder/*.c` (src/at/ is named that way, so splitting it needs no edit).
Every file or folder the table names must exist."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
mk = open(os.path.join(root, "bmqtt.mk")).read()
srcs = re.findall(r"^BMQTT_[A-Z0-9_]+_SRCS \+= \$\(BMQTT_DIR\)(\S+\.c)$", mk, re.M)
doc = open(os.path.join(root, "docs", "BUILDING.md")).read()
table = doc[doc.index("## IDEs"):]
bad = []
for s in srcs:
    folder, name = os.path.split(s)
    if re.search(r"\b" + re.escape(name) + r"\b", table) or (folder + "/*.c") in table:
        continue
    bad.append(s)
for path in re.findall(r"`((?:src|port|cloud)/[A-Za-z0-9_/]+(?:\.c|/\*\.c))`", table):
    if not os.path.exists(os.path.join(root, path.replace("/*.c", ""))):
        bad.append("named but missing: " + path)
if bad:
    print("ide-table: FAIL: docs/BUILDING.md's IDE table misses: " + ", ".join(bad))
    sys.exit(1)
print("ide-table: ok: docs/BUILDING.md's IDE table names all %d sources of bmqtt.mk" % len(srcs))
