#!/bin/bash
# bmqtt publish-rate benchmark (make bench). Not a test: it prints numbers.
#
# Starts a private mosquitto on a free loopback port and, in the same run,
# publishes the same N lines from stdin at QoS 0 and at QoS 1 with
#   - build/bmqtt-cli pub -l     (bmqtt + POSIX port)
#   - mosquitto_pub -l           (libmosquitto)
# both with 20 messages in flight at QoS 1. Each measurement is the wall time
# of the whole process (connect, N publishes, for QoS 1 every PUBACK, DISCONNECT);
# the best of REPS runs is kept. Prints a Markdown table for docs/PERFORMANCE.md.
#
#   N=200000 REPS=5 make bench
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. tests/integration/broker.sh

BUILD=${BUILD:-build}
CLI=$BUILD/bmqtt-cli
N=${N:-100000}
REPS=${REPS:-3}
INFLIGHT=${INFLIGHT:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bmqtt-bench.XXXXXX")
trap 'broker_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

ensure_cmd mosquitto_pub mosquitto-clients || exit 1
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || exit 1
[ -x "$CLI" ] || make --no-print-directory -s "$CLI" || exit 1

broker_start "$WORK" || exit 1
P=$BROKER_PORT
seq -f 'bench message %06g' 1 "$N" >"$WORK/lines"

now() { date +%s.%N; }

# best_time <command...>: the shortest wall time of REPS runs, in seconds (stdin from the lines file).
best_time() {
    local best="" t0 t1 dt i
    for i in $(seq 1 "$REPS"); do
        t0=$(now)
        "$@" <"$WORK/lines" >/dev/null 2>"$WORK/err" || { echo "bench: failed: $* : $(tail -2 "$WORK/err")" >&2; echo 0; return; }
        t1=$(now)
        dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
        if [ -z "$best" ] || awk -v x="$dt" -v y="$best" 'BEGIN { exit !(x < y) }'; then best=$dt; fi
    done
    echo "$best"
}

rate() { awk -v n="$N" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print 0 }'; }

echo "bench: $N messages of $(head -1 "$WORK/lines" | wc -c | awk '{print $1 - 1}') bytes, best of $REPS, mosquitto on 127.0.0.1:$P"
rows=""
for q in 0 1; do
    tb=$(best_time "$CLI" pub -h 127.0.0.1 -p "$P" -i bench-bmqtt -q $q -t bench/rate -l --inflight "$INFLIGHT")
    tm=$(best_time mosquitto_pub -h 127.0.0.1 -p "$P" -i bench-mosq -q $q -t bench/rate -l -M "$INFLIGHT")
    rb=$(rate "$tb"); rm_=$(rate "$tm")
    ratio=$(awk -v a="$rb" -v b="$rm_" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    rows="$rows| $q | $rb | $rm_ | $ratio |"$'\n'
done

echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: \`N=$N REPS=$REPS make bench\`"
echo "Host: $(uname -sm), $(nproc 2>/dev/null || echo '?') CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
echo "mosquitto $("$MOSQUITTO" -h | head -1 | sed 's/^mosquitto version //'), $(mosquitto_pub --help 2>/dev/null | sed -n 's/.*running on \(libmosquitto [0-9.]*\).*/\1/p')"
echo
echo "| QoS | bmqtt-cli pub -l (msg/s) | mosquitto_pub -l (msg/s) | bmqtt / mosquitto_pub |"
echo "| --- | ---: | ---: | ---: |"
printf '%s' "$rows"
