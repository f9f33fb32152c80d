#!/usr/bin/env python3
"""Code size tables for docs/PERFORMANCE.md (run by `make size`, mk/metal.mk).

Usage: scripts/size_table.py --size arm-none-eabi-size --dir Os=DIR --dir O2=DIR [--peer FILE]

--peer FILE: "<bytes>\t<how>", coreMQTT's serializer for the calls of
tests/qemu/link_codec_client.c (mk/peers.mk writes it: measured, or the recorded
figure when no coreMQTT checkout was given).

Each DIR is what `make size` built for one optimisation level:
  DIR/obj/src/*.o        the library's objects (per-module rows)
  DIR/port_<name>.o      ports compiled for the same CPU (rows when present)
  DIR/client.map         link map of tests/qemu/link_client.c + libbmqtt.a, --gc-sections
  DIR/client-outbox.map  the same program built with -DLINK_OUTBOX (it gives the client an outbox)
  DIR/codec-client.map   link map of tests/qemu/link_codec_client.c (the codec calls of a client,
                         through the public API: bmqtt_decode with the fixed header)
  DIR/codec-client-noserver.map  the same program on a library built with BMQTT_DECODE_CLIENT_PACKETS=0
  DIR/codec.map          link map of every public codec function kept, --gc-sections
  DIR/codec-client-only.map  the same with a library built with BMQTT_DECODE_CLIENT_PACKETS=0
  DIR/codec5.map         link map of every public MQTT 5.0 codec function kept (rows when present)

Module rows are text/data/bss of each object (Berkeley `size`: text includes
read-only data). Link rows sum, from the map, the input sections of
libbmqtt.a's members that the linker kept. The markdown goes to stdout
(scripts/perf_doc.py puts it into docs/PERFORMANCE.md)."""
import argparse
import os
import re
import subprocess
import sys

CODEC = [
    ('codec/bmqtt_codec_encode.o', 'encoders, all 14 types'),
    ('codec/bmqtt_codec_decode.o', 'decoders, all 14 types'),
    ('codec/bmqtt_topic.o', 'UTF-8, topic/filter checks, matching'),
    ('codec/bmqtt_codec_header.o', 'varint, fixed header'),
    ('codec/bmqtt_framer.o', 'stream framer'),
]
STATUS = ('codec/bmqtt_status.o', '`bmqtt_status_str` names')
# The MQTT 5.0 codec (mqtt5.h): its own objects, linked only by a firmware that calls it.
CODEC5 = [
    ('codec/bmqtt_codec5_props.o', 'MQTT 5.0 properties, reason codes, status names'),
    ('codec/bmqtt_codec5_encode.o', 'MQTT 5.0 encoders'),
    ('codec/bmqtt_codec5_decode.o', 'MQTT 5.0 decoders, all 15 types'),
]
# The session: bmqtt_client.o and the packets that come in (bmqtt_client_incoming.o), one row.
CLIENT = (('client/bmqtt_client.o', 'client/bmqtt_client_incoming.o'), 'session: QoS 0/1/2, keepalive, resend')
OUTBOX = ('client/bmqtt_client_outbox.o', 'the outbox, linked only by `bmqtt_client_set_outbox()`')
PORTS = [
    ('lwip', '`port/lwip` (lwIP 2.1 sockets; examples/stm32-lwip options)'),
    ('lwip_raw', '`port/lwip_raw` (lwIP 2.1 raw API, NO_SYS=1; examples/stm32-baremetal options)'),
    ('tls', '`port/mbedtls` (MCU config, mbedTLS itself not counted)'),
    ('ws', '`port/websocket` (RFC 6455 client; SHA-1/base64 hook not counted)'),
]
CODEC_GOAL, CLIENT_GOAL = 2000, 5500
# The typical client link before the client's second contract (queue, events, deadlines, outbox),
# and the growth that work was allowed.
CLIENT_BEFORE, CLIENT_GROWTH_PCT = 5485, 15
# The codec a typical client links: the goal is the peer's figure for the same calls through its
# public API, measured the same way (mk/peers.mk, tests/qemu/link_codec_coremqtt.c).
CODEC_CLIENT_PEER = 'coreMQTT v2.3.1'



def berkeley(tool, path):
    out = subprocess.run([tool, path], check=True, capture_output=True, text=True).stdout.splitlines()
    text, data, bss = (int(x) for x in out[1].split()[:3])
    return text, data, bss


def map_sizes(path, member_re=re.compile(r'libbmqtt\.a\((\S+)\)')):
    """text/data/bss of libbmqtt.a's members kept in the link (from a GNU ld map)."""
    text = data = bss = 0
    pending = None
    in_memory_map = False
    with open(path) as f:
        for line in f:
            if line.startswith('Linker script and memory map'):
                in_memory_map = True
                continue
            if not in_memory_map:
                continue
            m = re.match(r'^ (\.[\w.$-]+|COMMON)(?:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(.*))?$', line.rstrip('\n'))
            if m and m.group(2) is None:
                pending = m.group(1)
                continue
            if m:
                name, size, obj = m.group(1), int(m.group(3), 16), m.group(4)
            else:
                m2 = re.match(r'^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$', line.rstrip('\n'))
                if not (m2 and pending):
                    pending = None
                    continue
                name, size, obj = pending, int(m2.group(2), 16), m2.group(3)
            pending = None
            if not member_re.search(obj):
                continue
            if name.startswith(('.text', '.rodata', '.ARM.exidx', '.ARM.extab')):
                text += size
            elif name.startswith('.data'):
                data += size
            elif name.startswith(('.bss', 'COMMON')):
                bss += size
    return text, data, bss


def fmt(t):
    return ' | '.join(str(x) for x in t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', default='arm-none-eabi-size')
    ap.add_argument('--dir', action='append', required=True, help='LEVEL=DIR')
    ap.add_argument('--cpu', default='-mcpu=cortex-m4 -mthumb')
    ap.add_argument('--peer', help='coreMQTT figure file: "<bytes>\\t<how>"')
    a = ap.parse_args()
    levels = [d.split('=', 1) for d in a.dir]

    def obj(level_dir, name):
        return os.path.join(level_dir, 'obj', 'src', name)

    rows = []  # (label, [(t,d,b) per level], bold)

    def row(label, per_level, bold=False):
        rows.append((label, per_level, bold))

    def add(ts):
        return tuple(sum(x) for x in zip(*ts))

    codec_tot, client_tot = [], []
    for name, what in CODEC:
        per = [berkeley(a.size, obj(d, name)) for _, d in levels]
        row(f'{name} ({what})', per)
    codec_tot = [add([berkeley(a.size, obj(d, n)) for n, _ in CODEC]) for _, d in levels]
    row('**codec** (the objects above)', codec_tot, True)
    per = [add([berkeley(a.size, obj(d, n)) for n in CLIENT[0]]) for _, d in levels]
    row(f'{CLIENT[0][0]} + {os.path.basename(CLIENT[0][1])} ({CLIENT[1]})', per)
    client_tot = [add([c, p]) for c, p in zip(codec_tot, per)]
    row(f'{OUTBOX[0]} ({OUTBOX[1]})', [berkeley(a.size, obj(d, OUTBOX[0])) for _, d in levels])
    row('**codec + client** objects', client_tot, True)
    row(f'{STATUS[0]} ({STATUS[1]})', [berkeley(a.size, obj(d, STATUS[0])) for _, d in levels])
    have5 = all(os.path.exists(os.path.join(d, 'codec5.map')) for _, d in levels)
    if have5:
        for name, what in CODEC5:
            row(f'{name} ({what})', [berkeley(a.size, obj(d, name)) for _, d in levels])
    missing_ports = []
    for name, what in PORTS:
        paths = [os.path.join(d, f'port_{name}.o') for _, d in levels]
        if all(os.path.exists(p) for p in paths):
            row(what, [berkeley(a.size, p) for p in paths])
        else:
            missing_ports.append(name)
    codec_link = [map_sizes(os.path.join(d, 'codec.map')) for _, d in levels]
    client_link = [map_sizes(os.path.join(d, 'client.map')) for _, d in levels]
    codec_client_only = [map_sizes(os.path.join(d, 'codec-client-only.map')) for _, d in levels]
    row('**link: the whole codec** (every public codec function kept, `--gc-sections`)', codec_link, True)
    row('**link: the whole codec, `BMQTT_DECODE_CLIENT_PACKETS=0`** (no CONNECT/SUBSCRIBE/UNSUBSCRIBE decoders)',
        codec_client_only, True)
    codec_client = [map_sizes(os.path.join(d, 'codec-client.map')) for _, d in levels]
    row('**link: codec a typical client links** (`tests/qemu/link_codec_client.c`, public API only: encode CONNECT, '
        'SUBSCRIBE, PUBLISH, PINGREQ, DISCONNECT, PUBACK; decode CONNACK, SUBACK, PUBLISH, PUBACK, PINGRESP with '
        '`bmqtt_decode`, fixed header included)', codec_client, True)
    codec_client_ns = [map_sizes(os.path.join(d, 'codec-client-noserver.map')) for _, d in levels]
    row('**link: the same, `BMQTT_DECODE_CLIENT_PACKETS=0`** (`bmqtt_decode` without the decoders of '
        'CONNECT, SUBSCRIBE, UNSUBSCRIBE)', codec_client_ns, True)
    row('**link: typical client** (`tests/qemu/link_client.c`: codec + client, `--gc-sections`)', client_link, True)
    client_outbox = [map_sizes(os.path.join(d, 'client-outbox.map')) for _, d in levels]
    row('**link: typical client with an outbox** (the same, `-DLINK_OUTBOX`: it calls `bmqtt_client_set_outbox()`)',
        client_outbox, True)
    client_np = [map_sizes(os.path.join(d, 'client-nopersist.map')) for _, d in levels]
    row('**link: typical client, `BMQTT_PERSIST=0`** (the library built without the persistence hooks)',
        client_np, True)
    client_resume = [map_sizes(os.path.join(d, 'client-resume.map')) for _, d in levels]
    row('**link: typical client keeping its session in retained RAM** (`-DLINK_RESUME`: `bmqtt_client_resume()`)',
        client_resume, True)
    client_store = [map_sizes(os.path.join(d, 'client-store.map')) for _, d in levels]
    row('**link: typical client keeping its session in NOR flash** (`-DLINK_STORE`: an outbox, '
        '`bmqtt_client_resume_store()` over `bmqtt_nor_log`)', client_store, True)

    if have5:
        own5 = re.compile(r'libbmqtt\.a\(bmqtt_codec5_')
        codec5_own = [map_sizes(os.path.join(d, 'codec5.map'), own5) for _, d in levels]
        codec5_link = [map_sizes(os.path.join(d, 'codec5.map')) for _, d in levels]
        client5 = [map_sizes(os.path.join(d, 'client.map'), own5) for _, d in levels]
        row('**link: the whole MQTT 5.0 codec, its own code** (every public `bmqtt5_` function kept, `--gc-sections`: '
            'the `bmqtt_codec5_*` members)', codec5_own, True)
        row('**link: the whole MQTT 5.0 codec with what it uses of the 3.1.1 codec** (varint, UTF-8 and topic '
            'checks, status names)', codec5_link, True)
        row('**MQTT 5.0 code in the typical client link** (`bmqtt_codec5_*` members of `client.map`)', client5, True)

    heads = ' | '.join(f'-{lv} text | data | bss' for lv, _ in levels)
    out = [f'Cortex-M4 (`arm-none-eabi-gcc {a.cpu} -ffunction-sections -fdata-sections`), bytes; '
           'text includes read-only data.', '',
           f'| module | {heads} |', '| --- |' + ' ---: |' * (3 * len(levels))]
    for label, per, bold in rows:
        cells = ' | '.join(fmt(t) if not bold else ' | '.join(f'**{x}**' for x in t) for t in per)
        out.append(f'| {label} | {cells} |')
    os_i = [lv for lv, _ in levels].index('Os') if any(lv == 'Os' for lv, _ in levels) else 0
    codec_flash = codec_link[os_i][0] + codec_link[os_i][1]
    client_flash = client_link[os_i][0] + client_link[os_i][1]
    codec_client_only_flash = codec_client_only[os_i][0] + codec_client_only[os_i][1]
    codec_client_flash = codec_client[os_i][0] + codec_client[os_i][1]
    codec_client_ns_flash = codec_client_ns[os_i][0] + codec_client_ns[os_i][1]
    out.append('')
    def verdict(x, goal):
        if x <= goal:
            return f'{x} B, within the goal of {goal} B'
        return f'{x} B, over the goal of {goal} B by {x - goal} B ({(x - goal) * 100 // goal} %)'

    out.append(f'Goals, at -Os (flash = text + data): the whole codec, all 14 types both ways with '
               f'full validation: {verdict(codec_flash, CODEC_GOAL)} ({codec_client_only_flash} B with '
               f'`BMQTT_DECODE_CLIENT_PACKETS=0`). Codec + client with QoS 2 and session resend: '
               f'{verdict(client_flash, CLIENT_GOAL)} (the client never links the decoders of packets only a '
               f'client sends, whatever the option says).')
    cap = CLIENT_BEFORE * (100 + CLIENT_GROWTH_PCT) // 100
    grown = (client_flash - CLIENT_BEFORE) * 1000 // CLIENT_BEFORE
    out.append('')
    out.append(f'The typical client link was {CLIENT_BEFORE} B before the client\'s queue of packets, events, '
               f'deadlines and outbox; it is {client_flash} B (+{grown // 10}.{grown % 10} %), '
               + (f'within the {CLIENT_GROWTH_PCT} % growth allowed ({cap} B).' if client_flash <= cap else
                  f'over the {CLIENT_GROWTH_PCT} % growth allowed ({cap} B) by {client_flash - cap} B.'))
    np_flash = client_np[os_i][0] + client_np[os_i][1]
    res_flash = client_resume[os_i][0] + client_resume[os_i][1]
    store_flash = client_store[os_i][0] + client_store[os_i][1]
    outbox_flash = client_outbox[os_i][0] + client_outbox[os_i][1]
    out.append('')
    out.append(f'Session persistence: the hooks the client calls cost the typical link {client_flash - np_flash} B '
               f'({np_flash} B when built with `BMQTT_PERSIST=0`, which leaves them out); keeping the session in '
               f'retained RAM adds {res_flash - client_flash} B to it, in NOR flash {store_flash - outbox_flash} B '
               f'to the link with an outbox.')
    out.append('')
    peer, how = None, 'not measured (no --peer file: run make size-coremqtt)'
    if a.peer and os.path.exists(a.peer):
        with open(a.peer) as f:
            b, _, how = f.read().strip().partition('\t')
        peer = int(b)
    line = (f'The codec a typical client links through the public API (`tests/qemu/link_codec_client.c`), -Os: '
            f'{codec_client_flash} B ({codec_client_ns_flash} B with `BMQTT_DECODE_CLIENT_PACKETS=0`). '
            f'{CODEC_CLIENT_PEER}\'s serializer for the same calls (`tests/qemu/link_codec_coremqtt.c`: its size '
            f'functions, serializers, `MQTT_ProcessIncomingPacketTypeAndLength` for the fixed header, '
            f'`MQTT_DeserializePublish` and `MQTT_DeserializeAck`; the same compiler, flags and link, '
            f'`-DNDEBUG`): ')
    if peer is None:
        line += how + '.'
    else:
        line += (f'{peer} B ({how}). Against it: {verdict(codec_client_flash, peer)}; with the option, '
                 f'{verdict(codec_client_ns_flash, peer)}.')
    out.append(line)
    if have5:
        out.append('')
        out.append(f'The MQTT 5.0 codec (all 15 packet types both ways, properties, reason codes): '
                   f'{codec5_own[os_i][0] + codec5_own[os_i][1]} B of its own at -Os, '
                   f'{codec5_link[os_i][0] + codec5_link[os_i][1]} B with what it shares with the 3.1.1 codec; '
                   f'a client that speaks only 3.1.1 links {client5[os_i][0] + client5[os_i][1]} B of it.')
    if missing_ports:
        out.append('')
        out.append('Not measured in this run (headers missing): ' + ', '.join(missing_ports) + '.')
    text = '\n'.join(out) + '\n'
    sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
