#!/bin/sh
# docs/SIZING.md's tables: packet sizes from the codec (scripts/sizing/packets.c, natively) and
# struct sizes as arm-none-eabi-gcc lays them out for Cortex-M4 (scripts/sizing/structs.c, read
# back from the object). Prints the Markdown between SIZING.md's markers.
#   scripts/sizing/sizing.sh BUILD [--check|--write]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/sizing
mkdir -p "$OUT/inc"
cd "$ROOT"
make -s --no-print-directory BUILD="$BUILD" "$BUILD/libbmqtt.a"
cc -std=c99 -Wall -Wextra -Werror -Iinclude scripts/sizing/packets.c "$BUILD/libbmqtt.a" -o "$OUT/packets"
"$OUT/packets" >"$OUT/packets.txt"
ln -sfn "$(dirname "$(echo '#include <mbedtls/version.h>' | cc -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')")" "$OUT/inc/mbedtls"
arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb -std=c99 -Iinclude -Iport/mbedtls -I"$OUT/inc" \
    -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' -c scripts/sizing/structs.c -o "$OUT/structs.o"
arm-none-eabi-objcopy -O binary -j .rodata "$OUT/structs.o" "$OUT/structs.bin"
od -An -tu4 -v "$OUT/structs.bin" | tr -s ' ' '\n' | grep -v '^$' >"$OUT/structs.txt"
/usr/bin/python3 - "$OUT/packets.txt" "$OUT/structs.txt" "$ROOT/docs/SIZING.md" "${2:-}" <<'PY'
import re
import sys
pk = {}
# The TLS pool: docs/TLS.md's measured figure for the largest handshake (make test-tls).
m = re.search(r"^\| pool a 32-bit MCU needs for the largest[^|]*\| ([0-9,]+) B \|", open(sys.argv[3].replace("SIZING.md", "TLS.md")).read(), re.M)
POOL = int(m.group(1).replace(",", ""))
for line in open(sys.argv[1]):
    p, k, v = line.split()
    pk.setdefault(p, {})[k] = int(v)
words = [int(w) for w in open(sys.argv[2]).read().split()]
start = words.index(0x53495A45)
client, inflight, request, at, tls = words[start + 1:start + 6]
# What each profile keeps: tables' entries, the outbox's messages, the TLS pool (docs/TLS.md).
prof = {
    "sensor": dict(name="sensor", inflight=4, qos2=1, requests=0, tls=True, pool=POOL, at=False),
    "gateway": dict(name="gateway", inflight=16, qos2=8, requests=4, tls=True, pool=POOL, at=False),
    "at": dict(name="AT modem", inflight=8, qos2=8, requests=0, tls=False, pool=0, at=True),
}
def r16(n):  # buffers rounded up to 16 bytes, as a firmware declares them
    return (n + 15) // 16 * 16
rows, tot = [], {}
for key in ("sensor", "gateway", "at"):
    p, P = pk[key], prof[key]
    tx = r16(max(p["connect"], p["subscribe"], p["burst"] * p["publish"]))
    if P["at"]:
        tx = max(tx, 512)
    rx = r16(min(p["incoming"], 1024 + 16 + p["topic"]) if key != "sensor" else p["incoming"])
    outbox = r16(p["burst"] * p["copy"])
    P.update(tx=tx, rx=rx, outbox=outbox, p=p)
    ram = client + tx + rx + outbox + P["inflight"] * inflight + P["qos2"] * 2 + P["requests"] * request
    if P["at"]:
        ram += at + 1024  # bmqtt_at_t and the AT+MQTTPUBRAW buffer (raw_buf)
    if P["tls"]:
        ram += tls + P["pool"]
    P["ram"] = ram
S, G, A = prof["sensor"], prof["gateway"], prof["at"]
def row(label, f, how):
    return f"| {label} | {f(S)} | {f(G)} | {f(A)} | {how} |"
def b(n):
    return f"{n:,} B"
out = []
out.append("| | sensor | gateway | AT modem | how |")
out.append("| --- | --- | --- | --- | --- |")
out.append(row("CONNECT (wire bytes)", lambda P: b(P["p"]["connect"]), "`bmqtt_connect_encode(&c, NULL, 0, &n)`"))
out.append(row("one PUBLISH (QoS 1)", lambda P: b(P["p"]["publish"]), "`bmqtt_publish_encode(&p, NULL, 0, &n)`"))
out.append(row("messages queued at once", lambda P: str(P["p"]["burst"]), "your burst"))
out.append(row("the largest incoming PUBLISH", lambda P: b(P["p"]["incoming"]), "fixed header, topic length and id (6-7 B) + topic + payload"))
out.append(row("**tx_buf**", lambda P: b(P["tx"]), "max(CONNECT, SUBSCRIBE, burst × PUBLISH), ≥ 512 for the AT front end"))
out.append(row("**rx_buf**", lambda P: b(P["rx"]), "the largest incoming PUBLISH (larger ones arrive in chunks)"))
out.append(row("**outbox**", lambda P: b(P["outbox"]), "burst × (topic + payload); optional"))
out.append(row("**inflight** entries", lambda P: f'{P["inflight"]} × {inflight} B', "QoS 1/2 messages open at once"))
out.append(row("**qos2_ids** entries", lambda P: f'{P["qos2"]} × 2 B', "incoming QoS 2 messages open at once"))
out.append(row("**requests** entries", lambda P: f'{P["requests"]} × {request} B' if P["requests"] else "built-in 1", "SUBSCRIBE/UNSUBSCRIBE open at once"))
out.append(row("bmqtt_client_t", lambda P: b(client), "`sizeof`, Cortex-M4"))
out.append(row("bmqtt_at_t + raw_buf", lambda P: b(at) + " + 1,024 B" if P["at"] else "—", "`sizeof`; AT+MQTTPUBRAW's longest message"))
out.append(row("bmqtt_tls_t + pool", lambda P: b(tls) + " + " + b(P["pool"]) if P["tls"] else "—", "`sizeof`; docs/TLS.md's largest handshake"))
out.append(row("**RAM in all**", lambda P: b(P["ram"]), "the sum"))
text = "\n".join(out) + "\n"
if len(sys.argv) > 4 and sys.argv[4]:
    doc = open(sys.argv[3]).read()
    a, z = "<!-- sizing:begin (scripts/sizing/sizing.sh) -->\n", "<!-- sizing:end -->"
    i, j = doc.index(a) + len(a), doc.index(z)
    if sys.argv[4] == "--check":
        if doc[i:j] != text:
            print("sizing: FAIL: docs/SIZING.md's table is not what scripts/sizing/sizing.sh computes now:\n" + text)
            sys.exit(1)
        print("sizing: ok: docs/SIZING.md's table is what the codec and arm-none-eabi-gcc say")
    else:
        open(sys.argv[3], "w").write(doc[:i] + text + doc[j:])
        print("sizing: docs/SIZING.md updated")
else:
    sys.stdout.write(text)
PY
