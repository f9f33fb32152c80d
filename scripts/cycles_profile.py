#!/usr/bin/env python3
"""Where the instructions of `make cycles` go, function by function.

Usage: scripts/cycles_profile.py cycles.elf trace.log
trace.log is QEMU's `-d exec,nochain -singlestep` log of the cycles image: one
line per executed instruction, with its PC. Each PC is mapped to its function
(arm-none-eabi-nm), and the instructions are charged to the op_* function of
tests/qemu/cycles.c that is running, then divided by its number of calls."""
import bisect
import collections
import re
import subprocess
import sys

elf, trace = sys.argv[1], sys.argv[2]
syms = []
nm = subprocess.run(['arm-none-eabi-nm', '-n', elf], capture_output=True, text=True, check=True)
for line in nm.stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in 'tTwW':
        syms.append((int(parts[0], 16) & ~1, parts[2]))
addrs = [a for a, _ in syms]
starts = {a for a, n in syms if n.startswith('op_')}
names = {}


def func(pc):
    if pc not in names:
        i = bisect.bisect_right(addrs, pc) - 1
        names[pc] = syms[i][1] if i >= 0 else '?'
    return names[pc]


pc_re = re.compile(r'\[[0-9a-f]+/([0-9a-f]+)/')
per_op = collections.defaultdict(collections.Counter)
calls = collections.Counter()
op = prev = None
with open(trace) as f:
    for line in f:
        m = pc_re.search(line)
        if not m:
            continue
        pc = int(m.group(1), 16)
        name = func(pc)
        if name.startswith('op_'):
            if pc in starts:  # its first instruction: a call (a return into it is not)
                calls[name] += 1
            op = name
        elif name in ('main', 'ticks'):
            op = None
        if op:
            per_op[op][name] += 1
        prev = name

for op, counter in per_op.items():
    n = calls[op]
    print(f'{op}: {sum(counter.values()) / n:.0f} instructions per call ({n} calls)')
    for name, k in counter.most_common():
        print(f'  {k / n:7.1f}  {name}')
