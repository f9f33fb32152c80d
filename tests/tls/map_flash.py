#!/usr/bin/python3
"""Flash (text + rodata + data) that a GNU ld map keeps of each archive given.

    map_flash.py <file.map> <archive-name>...    e.g. libmbedtls-all.a bmqtt_tls.o
Prints one line per name: "<name> <text> <data> <bss>" (text includes rodata).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from size_table import map_sizes  # noqa: E402

for name in sys.argv[2:]:
    t, d, b = map_sizes(sys.argv[1], re.compile(re.escape(name) + r'(\(\S+\))?$'))
    print(name, t, d, b)
