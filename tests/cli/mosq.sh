#!/bin/sh
# bmqtt-cli side by side with mosquitto_pub / mosquitto_sub, for the options added after the
# first set (make test-cli-mosq): each case runs the mosquitto tool and bmqtt-cli with the same
# arguments against the same broker state, and compares the exit code, stdout byte for byte and,
# where it matters, what the broker received (a peer's view, or the retained store afterwards).
# Where bmqtt-cli differs on purpose (it speaks MQTT 3.1.1 only), the case says so.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${CLI:-$ROOT/build/bmqtt-cli}
. "$ROOT/tests/integration/broker.sh"
PASSED=0; FAILED=0
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
D=$(mktemp -d)
trap 'broker_stop; rm -rf "$D"' EXIT
broker_start "$D" || { echo "mosquitto did not start"; exit 1; }
P=$BROKER_PORT

retained() { mosquitto_pub -p "$P" -t "$1" -m "$2" -r -q 1; }
clear_all() { for t in s/a s/b s/c x/y; do mosquitto_pub -p "$P" -t "$t" -n -r -q 1; done; }
# What the broker keeps retained under s/#, as "topic payload" lines, sorted.
store() { mosquitto_sub -p "$P" -t 's/#' -W 1 -v 2>/dev/null | sort; }

# same <case> <tool: sub|pub> <setup> <late> <args...>: run both; <setup> prepares the broker
# before each, <late> runs in the background 0.5 s after each starts (live messages).
same() {
    name=$1 tool=$2 setup=$3 late=$4; shift 4
    for who in mosq bmqtt; do
        $setup
        lp=""
        if [ "$late" != "-" ]; then (sleep 0.5; $late) & lp=$!; fi
        if [ $who = mosq ]; then "mosquitto_$tool" -p "$P" "$@" >"$D/$who.out" 2>"$D/$who.err"; echo $? >"$D/$who.rc"
        else "$CLI" "$tool" -p "$P" "$@" >"$D/$who.out" 2>"$D/$who.err"; echo $? >"$D/$who.rc"; fi
        [ -z "$lp" ] || wait "$lp"
        store >"$D/$who.store"
    done
    if [ "$(cat "$D/mosq.rc")" != "$(cat "$D/bmqtt.rc")" ]; then
        fail "$name" "exit $(cat "$D/bmqtt.rc"), mosquitto_$tool $(cat "$D/mosq.rc") ($(head -c 200 "$D/bmqtt.err"))"
    elif ! cmp -s "$D/mosq.out" "$D/bmqtt.out"; then
        fail "$name" "stdout differs: mosquitto_$tool '$(od -c "$D/mosq.out" | head -3)' bmqtt-cli '$(od -c "$D/bmqtt.out" | head -3)'"
    elif ! cmp -s "$D/mosq.store" "$D/bmqtt.store"; then
        fail "$name" "the broker's retained store differs: '$(cat "$D/mosq.store")' vs '$(cat "$D/bmqtt.store")'"
    else pass "$name (exit $(cat "$D/bmqtt.rc"), $(wc -c <"$D/bmqtt.out") bytes of output alike)"; fi
}

two_retained() { clear_all; retained s/a 'hé'; retained s/b "$(printf 'x\ty')"; }
live() { mosquitto_pub -p "$P" -t s/c -m live -q 1; }
live_x() { mosquitto_pub -p "$P" -t x/y -m hidden -q 1; mosquitto_pub -p "$P" -t s/c -m live -q 1; }
nothing() { :; }

# -F: every 3.1.1 specifier and escape, retained and live, QoS 0 and 1 subscriptions.
same "-F specifiers" sub two_retained - -t 's/#' -C 2 -F '%t|%p|%q|%r|%l|%x|%X|%m|%%|\t|\\|\e|end'
same "-F at QoS 1, live" sub two_retained live -t 's/c' -q 1 -C 1 -F '[%t] %p (%l B, q%q r%r)'
same "-F with -N" sub two_retained - -t 's/a' -C 1 -N -F '%p'
same "-F MQTT 5 properties print nothing" sub two_retained - -t 's/a' -C 1 -F '%A%C%D%E%F%P%R%S<'
# -R: retained messages are not printed; the live one is.
same "-R" sub two_retained live -t 's/#' -C 1 -R -v
# -T: messages matching a filter are not printed (and do not count for -C).
same "-T" sub two_retained live_x -t 's/#' -t 'x/#' -T 'x/#' -T s/a -C 2 -v
# -U: unsubscribed right after subscribing: x/y never arrives.
same "-U" sub two_retained live_x -t 's/#' -t 'x/#' -U 'x/#' -C 3 -v
# --retained-only: the retained messages, then exit 0 at the first live one.
same "--retained-only" sub two_retained live -t 's/#' --retained-only -W 5 -v
# --remove-retained: each retained message printed and cleared (the empty PUBLISH comes back as
# "(null)"); the store is empty after. With -C, mosquitto_sub 2.0.11 never exits here: -W ends both.
same "--remove-retained" sub two_retained - -t 's/#' --remove-retained -W 2 -v
# -c without -i: refused before connecting, exit 1, nothing printed.
same "-c without -i (sub)" sub nothing - -t s/a -c
same "-c without -i (pub)" pub nothing - -t s/a -m x -c
# -V: mqttv311 and 311 connect as without -V; an unknown version is refused.
same "-V mqttv311" sub two_retained - -t 's/a' -C 1 -V mqttv311 -v
same "-V 311" sub two_retained - -t 's/a' -C 1 -V 311 -v
same "-V 9" sub nothing - -t s/a -V 9
# What bmqtt-cli refuses on purpose: MQTT 3.1 and 5 (mosquitto speaks them).
for v in mqttv31 31 mqttv5 5; do
    "$CLI" sub -p "$P" -t s/a -V "$v" >"$D/v.out" 2>"$D/v.err"; rc=$?
    if [ $rc -eq 1 ] && grep -q 'MQTT 3.1.1 only' "$D/v.err" && ! [ -s "$D/v.out" ]; then pass "-V $v refused: MQTT 3.1.1 only (exit 1)"
    else fail "-V $v" "exit $rc: $(cat "$D/v.err")"; fi
done
# --repeat with --repeat-delay: the broker receives N messages, spaced.
for who in mosq bmqtt; do
    mosquitto_sub -p "$P" -t r/t -C 3 -W 10 -F '%p' >"$D/rep.$who" 2>&1 &
    sp=$!; sleep 0.3
    t0=$(date +%s.%N)
    if [ $who = mosq ]; then mosquitto_pub -p "$P" -t r/t -m m -q 1 --repeat 3 --repeat-delay 0.4
    else "$CLI" pub -p "$P" -t r/t -m m -q 1 --repeat 3 --repeat-delay 0.4; fi
    echo "$? $(echo "$(date +%s.%N) - $t0" | bc)" >"$D/rep.$who.t"
    wait $sp
done
if cmp -s "$D/rep.mosq" "$D/rep.bmqtt" && [ "$(cat "$D/rep.bmqtt")" = "$(printf 'm\nm\nm')" ] &&
   [ "$(cut -d' ' -f1 "$D/rep.bmqtt.t")" = 0 ] && [ "$(echo "$(cut -d' ' -f2 "$D/rep.bmqtt.t") >= 0.8" | bc)" = 1 ]; then
    pass "--repeat 3 --repeat-delay 0.4: the broker got 3 messages from each, bmqtt-cli took $(cut -d' ' -f2 "$D/rep.bmqtt.t" | cut -c1-4) s (>= 0.8)"
else fail "--repeat-delay" "mosquitto_pub: $(cat "$D/rep.mosq") / bmqtt-cli: $(cat "$D/rep.bmqtt") in $(cat "$D/rep.bmqtt.t")"; fi

echo "test-cli-mosq: $PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
