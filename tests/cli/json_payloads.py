#!/usr/bin/python3
"""Write N payloads for bmqtt-cli -F %j / %J next to mosquitto_sub (tests/cli/mosq.sh).

json_payloads.py SEED N DIR: DIR/0 .. DIR/N-1, the same files for the same seed. Each is a JSON
value (nested arrays and objects, numbers from 0 and -0.0 to 1e300 and 2**31, strings with quotes,
backslashes, control bytes, 0x7f, non-ASCII, U+2028), printed compact or indented, with \\u
escapes or raw UTF-8; a third get white space, a control byte or a byte order mark before it, and
half are cut or given a stray byte ([ ] { } " , : \\ u digits e . + - letters, 0x00 0x01 0xff), so
many are no longer JSON.
"""
import json
import os
import random
import sys

seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)


def value(depth=0):
    k = r.randrange(9 if depth < 4 else 5)
    if k == 0:
        return None
    if k == 1:
        return r.choice([True, False])
    if k == 2:
        return r.choice([0, -0.0, 1, -1, 2**31 - 1, 2**31, -2**31 - 1, 10**r.randrange(30),
                         r.uniform(-1e6, 1e6), r.random() * 10**r.randrange(-300, 300), 0.1, 1 / 3])
    if k == 3:
        return ''.join(r.choice(['a', 'é', '"', '\\', '/', '\n', '\x01', '\x1f', '\x7f', '😀', '\u2028', ' '])
                       for _ in range(r.randrange(6)))
    if k == 4:
        return r.randrange(-1000, 1000)
    if k in (5, 6):
        return [value(depth + 1) for _ in range(r.randrange(4))]
    return {''.join(r.choice('ab"\\é\t') for _ in range(r.randrange(3))): value(depth + 1)
            for _ in range(r.randrange(4))}


for i in range(count):
    text = json.dumps(value(), ensure_ascii=r.random() < 0.5, indent=r.choice([None, None, 1, '\t']))
    b = bytearray(text.encode())
    if r.random() < 0.3:
        b[:0] = r.choice([b' ', b'\t\n', b'\x01', b'\xef\xbb\xbf', b''])
    for _ in range(r.choice([0, 0, 1, 2])):
        p = r.randrange(len(b) + 1)
        if r.randrange(3) == 0 and b:
            del b[min(p, len(b) - 1)]
        else:
            b[p:p] = bytes([r.choice(b'[]{}",:\\u0123456789eE.+-tfn \x00\x01\xff')])
    with open(os.path.join(out, str(i)), 'wb') as f:
        f.write(bytes(b) or b'x')
