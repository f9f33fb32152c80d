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
SOCKS=""
trap 'broker_stop; for k in $SOCKS; do kill "$k" 2>/dev/null; done; rm -rf "$D"' EXIT
# The same broker also listens on a Unix socket (--unix).
broker_start "$D" "listener 0 $D/mqtt.sock" || { echo "mosquitto did not start"; exit 1; }
P=$BROKER_PORT
# How both tools reach the broker; the --unix and --proxy cases change it.
CONN="-p $P"

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
        # shellcheck disable=SC2086 # CONN is a list of arguments
        if [ $who = mosq ]; then "mosquitto_$tool" $CONN "$@" >"$D/$who.out" 2>"$D/$who.err"; echo $? >"$D/$who.rc"
        else "$CLI" "$tool" $CONN "$@" >"$D/$who.out" 2>"$D/$who.err"; echo $? >"$D/$who.rc"; fi
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

# -A: connect from 127.0.0.2 (Linux routes all of 127/8 to loopback): the broker logs that address
# for each tool; an address of no local interface, a name that does not resolve and an address of
# the other family exit 1.
n0=$(grep -c 'New connection from 127.0.0.2:' "$D/mosquitto.log")
CONN="-h 127.0.0.1 -p $P -A 127.0.0.2"
same "-A 127.0.0.2: pub -r" pub clear_all - -t s/a -m 'from .2' -r -q 1
n1=$(grep -c 'New connection from 127.0.0.2:' "$D/mosquitto.log")
if [ $((n1 - n0)) -eq 2 ]; then pass "-A 127.0.0.2: the broker saw both tools connect from 127.0.0.2"
else fail "-A" "the broker logged $((n1 - n0)) connections from 127.0.0.2 (want 2)"; fi
for a in 192.0.2.1 no-such-host.invalid ::1; do
    CONN="-h 127.0.0.1 -p $P -A $a"
    same "-A $a" pub nothing - -t s/a -m x
done

# --unix: mosquitto's Unix-socket listener; a subscription gets the retained messages, a
# retained publish reaches the broker's store.
CONN="--unix $D/mqtt.sock"
same "--unix: sub" sub two_retained - -t 's/#' -C 2 -v
same "--unix: pub -r -q 1" pub clear_all - -t s/a -m 'by unix' -r -q 1
same "--unix: pub -q 2" pub clear_all - -t s/b -m 'by unix 2' -r -q 2
# A socket that does not exist, and --unix with -h or -p: exit 1, nothing printed.
CONN="--unix $D/none.sock"
same "--unix to no socket" pub nothing - -t s/a -m x
CONN="--unix $D/mqtt.sock -h 127.0.0.1"
same "--unix with -h" pub nothing - -t s/a -m x
CONN="--unix $D/mqtt.sock -p $P"
same "--unix with -p" pub nothing - -t s/a -m x

# --proxy: microsocks, a real SOCKS5 server, without and with user/password authentication.
PX=$(free_port); PXA=$(free_port)
microsocks -i 127.0.0.1 -p "$PX" >"$D/socks.log" 2>&1 & SOCKS="$SOCKS $!"
microsocks -i 127.0.0.1 -p "$PXA" -u bob -P 's3cret' >"$D/socks-auth.log" 2>&1 & SOCKS="$SOCKS $!"
wait_listen "$PX" 50 && wait_listen "$PXA" 50 || { echo "FAIL microsocks did not start"; exit 1; }
CONN="-h 127.0.0.1 -p $P --proxy socks5h://127.0.0.1:$PX"
same "--proxy: sub" sub two_retained live -t 's/#' -C 3 -v
same "--proxy: pub -r -q 1" pub clear_all - -t s/a -m 'by proxy' -r -q 1
CONN="-h 127.0.0.1 -p $P --proxy socks5h://bob:s3cret@127.0.0.1:$PXA"
same "--proxy with user and password: pub -r -q 2" pub clear_all - -t s/b -m 'by proxy 2' -r -q 2
CONN="--proxy socks5h://bob:s3cret@127.0.0.1:$PXA -L mqtt://127.0.0.1:$P/s/c"
same "--proxy with -L" pub clear_all - -m 'by url' -r -q 1
# Refusals: a wrong password and no credentials exit 11 (mosquitto's MOSQ_ERR_AUTH); a name the
# proxy cannot resolve exits 16 (MOSQ_ERR_PROXY); no proxy listening exits 1; only socks5h.
CONN="-h 127.0.0.1 -p $P --proxy socks5h://bob:wrong@127.0.0.1:$PXA"
same "--proxy, wrong password" pub clear_all - -t s/a -m x -q 1
CONN="-h 127.0.0.1 -p $P --proxy socks5h://127.0.0.1:$PXA"
same "--proxy, credentials missing" pub clear_all - -t s/a -m x -q 1
CONN="-h no-such-host.invalid -p $P --proxy socks5h://127.0.0.1:$PX"
same "--proxy, the proxy cannot resolve the broker" pub clear_all - -t s/a -m x
CONN="-h 127.0.0.1 -p $P --proxy socks5h://127.0.0.1:$(free_port)"
same "--proxy, nothing listening" pub clear_all - -t s/a -m x
CONN="-h 127.0.0.1 -p $P --proxy socks5://127.0.0.1:$PX"
same "--proxy socks5:// refused" pub clear_all - -t s/a -m x
# Where bmqtt-cli differs on purpose: the proxy reaches the host but its port refuses (SOCKS5
# reply 5). mosquitto_pub 2.0.11 says "The client is not currently connected" and exits 4;
# bmqtt-cli names the reply and exits 16, as for any other proxy failure.
NP=$(free_port)
"$CLI" pub -h 127.0.0.1 -p "$NP" --proxy "socks5h://127.0.0.1:$PX" -t s/a -m x 2>"$D/pr.err"; rc=$?
if [ $rc -eq 16 ] && [ "$(cat "$D/pr.err")" = "bmqtt-cli: connect to 127.0.0.1:$NP through the proxy 127.0.0.1: the proxy could not reach 127.0.0.1 port $NP: connection refused (SOCKS5 reply 5)" ]; then
    pass "--proxy, the broker's port refuses: exit 16 with the SOCKS5 reply named"
else fail "--proxy, port refused" "exit $rc: $(cat "$D/pr.err")"; fi
# Proxies that misbehave (tests/cli/socks_hostile.py): each ends with exit 16 and a sentence, in
# at most the 5 s connect budget; a domain-name bound address is read exactly and MQTT follows it.
for m in "notsocks:not speak SOCKS5" "cut:closed the connection" "silent:timed out" \
         "atyp:unknown address type 9" "unassigned:an unassigned reply code (SOCKS5 reply 66)" "name:"; do
    mode=${m%%:*} want=${m#*:}
    rm -f "$D/hp"
    /usr/bin/python3 "$ROOT/tests/cli/socks_hostile.py" "$D/hp" "$mode" "$P" >"$D/hs.out" 2>&1 & hp=$!
    n=0; while [ ! -s "$D/hp" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
    t0=$(date +%s)
    "$CLI" pub -h 127.0.0.1 -p "$P" --proxy "socks5h://127.0.0.1:$(cat "$D/hp")" -t s/h -m "$mode" -q 1 2>"$D/hs.err"; rc=$?
    took=$(( $(date +%s) - t0 ))
    wait $hp
    if [ "$mode" = name ]; then
        if [ $rc -eq 0 ] && grep -q '^served name' "$D/hs.out"; then pass "--proxy, a bound address given as a name: read exactly, MQTT follows (exit 0)"
        else fail "--proxy, name reply" "exit $rc: $(cat "$D/hs.err" "$D/hs.out")"; fi
    elif [ $rc -eq 16 ] && grep -qF -- "$want" "$D/hs.err" && [ $took -le 7 ]; then
        pass "--proxy, $mode: exit 16 in $took s: $(sed 's/^.*through the proxy 127.0.0.1: //' "$D/hs.err")"
    else fail "--proxy, $mode" "exit $rc in $took s: $(cat "$D/hs.err")"; fi
done
# Bad proxy URLs and combinations are refused before any connection (exit 1, one line).
for u in "socks5h://" "socks5h://h:0" "socks5h://h:65536" "socks5h://h:" "socks5h://[::1" "socks5h://:pw@h" \
         "socks5h://h/path" "http://h:3128"; do
    "$CLI" pub -h 127.0.0.1 -p "$P" --proxy "$u" -t s/a -m x 2>"$D/pu.err"; rc=$?
    if [ $rc -eq 1 ] && grep -qF "bmqtt-cli: invalid --proxy '$u'" "$D/pu.err" && [ "$(wc -l <"$D/pu.err")" = 1 ]; then
        pass "--proxy '$u' refused: $(sed "s/^.*' *: //" "$D/pu.err")"
    else fail "--proxy '$u'" "exit $rc: $(cat "$D/pu.err")"; fi
done
LONG=$(printf '%0108d' 0)
for a in "--unix $D/mqtt.sock --proxy socks5h://127.0.0.1:$PX" "--unix $D/mqtt.sock --cafile /dev/null" \
         "--unix $D/mqtt.sock -A 127.0.0.1" \
         "--unix /$LONG" "--unix $D/mqtt.sock -L mqtt://127.0.0.1:$P/s/a"; do
    # shellcheck disable=SC2086
    "$CLI" pub $a -t s/a -m x 2>"$D/ua.err"; rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$D/ua.err")" = 1 ] && ! grep -q '(-6[23])' "$D/ua.err"; then
        pass "refused before connecting: $(cut -c1-60 "$D/ua.err")"
    else fail "bmqtt-cli pub $a" "exit $rc: $(cat "$D/ua.err")"; fi
done

echo "test-cli-mosq: $PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
