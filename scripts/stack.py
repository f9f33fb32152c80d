#!/usr/bin/env python3
"""Worst-case stack per public function, from GCC's -fcallgraph-info=su files.

Usage: scripts/stack.py build/.../*.ci
Public functions are the global ones, less a layer's internal calls between its own files
(named with a trailing underscore, like bmqtt_client_lock_).
Each function's own frame comes from GCC; the worst case adds the deepest
callee chain. C library calls (memcpy, strlen...) count as 0 and are listed.
A 'dynamic' frame is reported, never silently summed. Recursion: a function
that calls itself a bounded number of times is listed in BOUNDED below with
its depth (how many times it can re-enter itself within one call) and the
callees its re-entered frames can reach, both read from its source; its figure
counts every nested frame. Any other call cycle is named in its row as not
bounded (one pass counted) and listed at the end, so it cannot go unseen.

A call that the compiler made a jump (a tail call: the caller pops its frame,
then branches) does not stack the caller's frame on the callee's. Which calls
are jumps is read from the object next to each .ci file (OBJDUMP, default
arm-none-eabi-objdump): a callee reached from a function only by branches
other than BL/BLX is a jump, shown as '>>' in the chain. Without the object or
the tool every call counts as nested (the safe side)."""
import os
import re
import shutil
import subprocess
import sys

node_re = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
edge_re = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
frame_re = re.compile(r'\\n(\d+) bytes \((static|dynamic[^)]*)\)')

frames, kinds, edges, origin = {}, {}, {}, {}
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            m = node_re.search(line)
            if m:
                title, label = m.groups()
                fm = frame_re.search(label)
                if fm:
                    frames[title] = int(fm.group(1))
                    kinds[title] = fm.group(2)
                    origin[title] = path
                continue
            m = edge_re.search(line)
            if m:
                edges.setdefault(m.group(1), set()).add(m.group(2))

# (caller, callee) pairs where every branch from caller to callee is a jump.
tail = set()
objdump = os.environ.get('OBJDUMP', 'arm-none-eabi-objdump')
func_re = re.compile(r'^[0-9a-f]+ <([^>]+)>:$')
insn_re = re.compile(r'^\s+[0-9a-f]+:\s+(?:[0-9a-f]{4}(?: [0-9a-f]{4})?\s+)?([a-z][a-z0-9.]*)\s+(.*)$')
reloc_re = re.compile(r'^\s+[0-9a-f]+: R_ARM_\w+\s+(\S+)')
target_re = re.compile(r'<([^>+]+)>\s*$')
if shutil.which(objdump):
    for path in sys.argv[1:]:
        obj = path[:-3] + '.o'
        if not os.path.exists(obj):
            continue
        out = subprocess.run([objdump, '-dr', obj], capture_output=True, text=True).stdout.splitlines()
        prefix = {t.split(':')[-1]: t for t in frames if origin.get(t) == path}
        kinds_of = {}  # (caller, callee) -> set of 'call' / 'jump'
        fn = None
        for i, line in enumerate(out):
            m = func_re.match(line)
            if m:
                fn = m.group(1)
                continue
            m = insn_re.match(line)
            if not (m and fn):
                continue
            op, args = m.groups()
            if not op.startswith('b') or op.startswith(('bic', 'bfi', 'bfc', 'bkpt')) or op in ('bx',):
                continue
            nxt = reloc_re.match(out[i + 1]) if i + 1 < len(out) else None
            if nxt:
                callee = nxt.group(1)
            else:
                t = target_re.search(args)
                if not t or '+' in args.split('<')[-1]:
                    continue  # a branch inside the function
                callee = t.group(1)
            if callee == fn:
                continue
            kind = 'call' if op.startswith(('bl', 'blx')) and not op.startswith(('bls', 'blt', 'ble')) else 'jump'
            kinds_of.setdefault((fn, callee), set()).add(kind)
        for (caller, callee), k in kinds_of.items():
            if k == {'jump'}:
                tail.add((prefix.get(caller, caller), callee))

# Bounded self-recursion: function -> (depth, callees a re-entered frame can reach, why).
# Keep in step with the source: a new re-entry or a new call in a re-entered phase changes it.
BOUNDED = {
    # bmqtt_reconnect.c: after the backoff, P_WAIT re-enters as P_OPEN (the normal reconnect), and
    # P_OPEN re-enters once more as P_CONNECTING or P_UP when the application connected during the
    # wait. A re-entered frame opens the transport (indirect), connects, polls, or pauses; it never
    # subscribes (P_SUBSCRIBING is entered on a later call).
    'bmqtt_reconnect_poll': (2, {'bmqtt_client_state', 'bmqtt_client_connect', 'bmqtt_client_poll',
                                 '__indirect_call', 'src/client/bmqtt_reconnect.c:pause'},
                             'P_WAIT > P_OPEN > P_CONNECTING or P_UP'),
}

external = set()
recursive = set()  # functions on an unbounded call cycle: their figure leaves the cycle out, and says so
unbounded = set()
bounded_notes = {}  # function -> note with the figure per depth


def worst(fn, seen):
    if fn not in frames:
        external.add(fn.split(':')[-1])
        return 0, [fn]
    def deepest(callees):
        best, path = frames[fn], [fn]
        for callee in sorted(callees):  # sorted: ties give the same chain on every run
            if callee in seen or callee == fn:
                if not (callee == fn and fn in BOUNDED):
                    recursive.add(callee)
                continue
            depth, p = worst(callee, seen | {fn})
            if (fn, callee.split(':')[-1]) in tail:
                p = ['>' + p[0]] + p[1:]  # a jump: the callee runs in place of fn
            else:
                depth += frames[fn]
            if depth > best:
                best, path = depth, [fn] + p
        return best, path

    best, path = deepest(edges.get(fn, ()))
    if fn in BOUNDED and fn in edges.get(fn, ()):
        n, reach, _ = BOUNDED[fn]
        missing = reach - edges[fn]
        if missing:
            sys.exit(f'stack.py: BOUNDED[{fn}] names callees it does not call: {", ".join(sorted(missing))}')
        inner, ipath = deepest(reach)  # the innermost frame, from a re-entered phase
        figures = []
        for k in range(1, n + 1):
            figures.append(f'{k * frames[fn] + inner} B at {k} deep')
        total = n * frames[fn] + inner
        bounded_notes[fn] = (f'calls itself at most {n} deep ({BOUNDED[fn][2]}), every frame counted: '
                             + ', '.join(figures) + f'; {best} B without re-entering')
        if total > best:
            best, path = total, [fn] * n + ipath
    return best, path


rows = []
for fn in sorted(frames):
    if ':' in fn:  # static (file-local) function: reported through its callers
        continue
    if fn.endswith('_'):  # a layer's internal call between its own files (bmqtt_client_lock_...): the same
        continue
    recursive.clear()
    depth, path = worst(fn, frozenset())
    note = '' if kinds[fn] == 'static' else ' (' + kinds[fn] + ')'
    if recursive:
        unbounded.add(fn)
        note += ' (recursion through ' + ', '.join(sorted(r.split(':')[-1] for r in recursive)) + \
            ': not bounded, one pass counted)'
    if fn in bounded_notes:
        note += ' (' + bounded_notes[fn] + ')'
    chain = path[0].split(':')[-1]
    for p in path[1:]:
        chain += (' >> ' if p.startswith('>') else ' > ') + p.lstrip('>').split(':')[-1]
    rows.append((depth, fn, chain + note))

print('| function | worst-case stack (bytes) | deepest chain |')
print('| --- | ---: | --- |')
for depth, fn, chain in sorted(rows, key=lambda r: (-r[0], r[1])):
    print(f'| {fn} | {depth} | {chain} |')
if external:
    print('\nC library calls counted as 0: ' + ', '.join(sorted(external)))
if unbounded:
    print('\nRecursion not bounded (one pass counted, the figure is too low): ' + ', '.join(sorted(unbounded)))

# The goals: any codec call 128 B or less, any client call 512 B or less.
# A function belongs to the layer whose directory its object was built from.
for what, goal, pick in (('codec', 128, lambda f: '/codec/' in origin[f] and 'codec5' not in origin[f]),
                         ('client', 512, lambda f: '/client/' in origin[f])):
    mine = [(d, f) for d, f, _ in rows if pick(f)]
    if mine:
        d, f = max(mine)
        print(f'\nGoal: every {what} call {goal} B or less; the deepest is {f} with {d} B '
              f'({"met" if d <= goal else "not met"}).')

# The MQTT 5.0 codec (its own objects): reported, no goal set yet.
mine5 = [(d, f) for d, f, _ in rows if 'codec5' in origin[f]]
if mine5:
    d, f = max(mine5)
    print(f'\nMQTT 5.0 codec: the deepest call is {f} with {d} B (no goal set).')

# The two figures compared with the peers (coreMQTT v2.3.1, Paho embedded, MQTT-C; the same
# compiler, flags and method): the deepest decode entry, and the client's poll (which receives
# and decodes; callbacks and transport excluded, as above).
DECODES = ('bmqtt_decode', 'bmqtt_decode_body', 'bmqtt_decode_from_server', 'bmqtt_publish_decode_head')
FIGURES = (('worst-case stack of a decode', DECODES, 48, '24 (coreMQTT)'),
           ('worst-case stack of client poll (callbacks and transport excluded)', ('bmqtt_client_poll',), 144,
            '144 (MQTT-C)'))
by_name = {f: (d, c) for d, f, c in rows}
print('\n| figure | bytes | goal | best peer | goal met? | deepest chain |')
print('| --- | ---: | ---: | ---: | --- | --- |')
for label, names, goal, peer in FIGURES:
    have = [(by_name[n][0], n) for n in names if n in by_name]
    if not have:
        print(f'| {label} | not built | {goal} | {peer} | | |')
        continue
    d, f = max(have)
    verdict = 'met' if d <= goal else f'missed by {d - goal} B ({(d - goal) * 100 // goal} %)'
    print(f'| {label} | {d} | {goal} | {peer} | {verdict} | {by_name[f][1]} |')
