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
clear_all() { for t in s/a s/b s/c s/d s/e x/y; do mosquitto_pub -p "$P" -t "$t" -n -r -q 1; done; }
# What the broker keeps retained under s/#, as "topic payload" lines, sorted.
store() { mosquitto_sub -p "$P" -t 's/#' -W 1 -v 2>/dev/null | sort; }

MASK=""
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
    # MASK (a sed -E script) hides what may differ on purpose, time fields; the outputs as printed
    # stay in mosq.raw and bmqtt.raw.
    cp "$D/mosq.out" "$D/mosq.raw"; cp "$D/bmqtt.out" "$D/bmqtt.raw"
    if [ -n "$MASK" ]; then sed -E -i "$MASK" "$D/mosq.out" "$D/bmqtt.out"; fi
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

# -F %j, %J, --pretty: the JSON object mosquitto_sub 2.0.11 prints, compared byte for byte with the
# time field masked (its format and value are checked apart: within 10 s of now). Payloads with
# quotes and backslashes, control bytes (and 0x7f), bytes that are not UTF-8, JSON, and text that
# is not JSON (for %J: nothing printed in its place, one line on stderr, as mosquitto_sub).
json_retained() {
    clear_all
    retained s/a 'he said "hi" \ back'
    printf 'ctl\001\037\177\nx\ty\b\f' | mosquitto_pub -p "$P" -t s/b -r -q 1 -s
    printf 'bad\377\376 utf \303\251' | mosquitto_pub -p "$P" -t s/c -r -q 1 -s
    retained s/d ' {"temp": 27.0, "h":[1, 2.50,1e3,-0,"\u00e9\/x\n",1e400,0.1,[],{"q":[{}]}], "n":null,"o":{}, "t":true,"big":12345678901234567890} '
}
# Times as each tool prints them: mosquitto 2.0.11 puts a Z before the zone offset (fixed in 2.0.13;
# its man page shows 2020-05-06T22:12:00.000000+0100, which bmqtt-cli prints): masked in both.
MASK='s/"tst":(\t?)"[^"]*"/"tst":\1"T"/g'
# check_times <file> <tst|at>: every time field bmqtt-cli printed has its format and is now (10 s).
check_times() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import datetime, re, sys, time
data = open(sys.argv[1], 'rb').read().decode('utf-8', 'replace')
now, stamps = time.time(), []
def at(s, fmt, rx):
    if not re.fullmatch(rx, s): sys.exit('bad time %r' % s)
    stamps.append(datetime.datetime.strptime(s, fmt).timestamp())
if sys.argv[2] == 'tst':
    for s in re.findall(r'"tst":\t?"([^"]*)"', data):
        at(s, '%Y-%m-%dT%H:%M:%S.%f%z', r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}')
else:  # -F '@Y-@m-@dT@H:@M:@S.@N@z|%I|%U|@@|@s|@%'
    for line in data.splitlines():
        a, i, u, lit, s, pct = line.split('|')
        if lit != '@' or pct != '%': sys.exit('@@ or @%% printed %r %r' % (lit, pct))
        at(a[:26] + a[29:], '%Y-%m-%dT%H:%M:%S.%f%z', r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}')
        if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d{4}', a): sys.exit('bad @N %r' % a)
        at(i, '%Y-%m-%dT%H:%M:%S%z', r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}')
        if not re.fullmatch(r'\d+\.\d{9}', u): sys.exit('bad %%U %r' % u)
        stamps += [float(u), float(s)]
if not stamps: sys.exit('no time field')
for t in stamps:
    if abs(t - now) > 10: sys.exit('a time %.3f is %.1f s from now' % (t, t - now))
print(len(stamps))
PY
}
times_ok() { # times_ok <case> <tst|at>
    if n=$(check_times "$D/bmqtt.raw" "$2" 2>&1); then pass "$1: $n time fields well formed and now"
    else fail "$1: time fields" "$n"; fi
}
same "-F %j" sub json_retained - -t 's/#' -q 1 -C 4 -F '%j'
times_ok "-F %j" tst
# Known bytes too, not only mosquitto's: the escaped quotes and backslash, cJSON's control escapes.
if grep -qF '"topic":"s/a","qos":1,"retain":1,"payloadlen":19,"mid":1,"payload":"he said \"hi\" \\ back"}' "$D/bmqtt.raw" &&
   grep -qF '"payload":"ctl\u0001\u001f'"$(printf '\177')"'\nx\ty\b\f"}' "$D/bmqtt.raw"; then pass "-F %j: the escapes, byte for byte"
else fail "-F %j escapes" "$(cat -A "$D/bmqtt.raw")"; fi
same "-F %j --pretty" sub json_retained - -t 's/#' -q 1 -C 4 -F '%j' --pretty
same "-F %J (a JSON payload re-printed; text that is not JSON prints nothing)" sub json_retained - -t 's/#' -C 4 -F '<%J>'
if [ "$(grep -c 'is not JSON' "$D/bmqtt.err")" = 3 ]; then pass "-F %J: one line on stderr per payload that is not JSON (3)"
else fail "-F %J stderr" "$(cat "$D/bmqtt.err")"; fi
same "-F %J --pretty" sub json_retained - -t 's/#' -C 4 -F '%J' --pretty
times_ok "-F %J --pretty" tst
same "-F %j -N" sub json_retained - -t 's/d' -C 1 -N -F '%j\n%J'
# An empty live message: "payload":null, at QoS 0 and 1.
empty_live() { mosquitto_pub -p "$P" -t s/c -n; mosquitto_pub -p "$P" -t s/c -n -q 1; }
same "-F %j, %J of empty messages" sub clear_all empty_live -t 's/c' -q 1 -C 2 -F '%j %J'
# A zero byte in the payload: mosquitto 2.0.11 stops the payload there (a C string) though
# payloadlen counts all 9 bytes; bmqtt-cli prints all of it, as the man page's "escaped payload".
nul_retained() { clear_all; printf 'nul\000after' | mosquitto_pub -p "$P" -t s/e -r -s; }
for who in mosq bmqtt; do
    nul_retained
    if [ $who = mosq ]; then mosquitto_sub -p "$P" -t s/e -C 1 -F '%j' >"$D/nul.$who"; else "$CLI" sub -p "$P" -t s/e -C 1 -F '%j' >"$D/nul.$who"; fi
    sed -E -i "$MASK" "$D/nul.$who"
done
if [ "$(cat "$D/nul.bmqtt")" = '{"tst":"T","topic":"s/e","qos":0,"retain":1,"payloadlen":9,"payload":"nul\u0000after"}' ] &&
   [ "$(cat "$D/nul.mosq")" = '{"tst":"T","topic":"s/e","qos":0,"retain":1,"payloadlen":9,"payload":"nul"}' ]; then
    pass "-F %j, a zero byte: all 9 bytes with \\u0000 (mosquitto_sub 2.0.11 cuts the payload to 'nul')"
else fail "-F %j zero byte" "bmqtt-cli $(cat "$D/nul.bmqtt") / mosquitto_sub $(cat "$D/nul.mosq")"; fi
# 150 generated payloads (tests/cli/json_payloads.py, seed 1): JSON, and JSON cut or given a stray
# byte, so that about half are not JSON any more. %J and --pretty print as mosquitto_sub does; %j
# too but for the payloads with a zero byte (above).
mkdir -p "$D/gen"; /usr/bin/python3 "$ROOT/tests/cli/json_payloads.py" 1 150 "$D/gen"
gen_retained() { for f in "$D"/gen/*; do mosquitto_pub -p "$P" -t "g/${f##*/}" -r -f "$f"; done; }
gen_retained
nothing_gen() { :; }
same "-F %J, 150 generated payloads" sub nothing_gen - -t 'g/#' -C 150 -W 10 -F '%t %J'
notjson=$(grep -c 'is not JSON' "$D/bmqtt.err")
if [ "$notjson" -ge 30 ] && [ "$notjson" = "$(grep -c 'not valid JSON' "$D/mosq.err")" ]; then
    pass "-F %J: $notjson of the 150 are not JSON to either tool"
else fail "-F %J generated" "bmqtt-cli refused $notjson, mosquitto_sub $(grep -c 'not valid JSON' "$D/mosq.err")"; fi
same "-F %J --pretty, 150 generated payloads" sub nothing_gen - -t 'g/#' -C 150 -W 10 -F '%J' --pretty
MASK="$MASK"';/"payload":/s/\\u0000.*"}$/"}/'
same "-F %j, 150 generated payloads (those with a zero byte cut at it)" sub nothing_gen - -t 'g/#' -C 150 -W 10 -F '%t %j'
MASK='s/"tst":(\t?)"[^"]*"/"tst":\1"T"/g'
for f in "$D"/gen/*; do mosquitto_pub -p "$P" -t "g/${f##*/}" -r -n; done
# Nesting: cJSON takes 1,000 levels and no more; so does bmqtt-cli's %J (no deeper recursion).
deep_retained() {
    clear_all
    for n in 998 999; do # and {"a":[]}, two levels more
        /usr/bin/python3 -c "import sys; sys.stdout.write('[' * $n + '{\"a\":[]}' + ']' * $n)" >"$D/deep"
        mosquitto_pub -p "$P" -t "s/$([ $n = 998 ] && echo a || echo b)" -r -f "$D/deep"
    done
}
same "-F %J, 1,000 levels of nesting printed, 1,001 not" sub deep_retained - -t 's/#' -C 2 -F '%t %J'
same "-F %J --pretty, 1,000 and 1,001 levels" sub deep_retained - -t 's/#' -C 2 -F '%t %J' --pretty
# @ specifiers: strftime's, @N, @@, and an unknown one (@Q: what strftime makes of %Q). Digits masked.
MASK='s/[0-9]/0/g'
same "-F @ time specifiers, %I, %U" sub two_retained - -t 's/#' -C 2 -F '@Y-@m-@dT@H:@M:@S.@N@z|%I|%U|@@|@s|@%'
times_ok "-F @ specifiers" at
same "-F @ strftime's other letters" sub two_retained - -t 's/a' -C 1 -F '@a @A @b @B @c @D @e @F @j @p @T @u @w @y @Z @Q'
MASK=""
same "-F '@' at the end refused" sub nothing - -t s/a -F 'x@'
MASK='s/"tst":(\t?)"[^"]*"/"tst":\1"T"/g'
same "-F %J with -v (-F wins)" sub json_retained - -t 's/d' -C 1 -v -F '%J'
same "--pretty with -F '%j' after it" sub json_retained - -t 's/a' -C 1 --pretty -F '%j'
MASK=""
same "--pretty is sub's (pub refuses it)" pub nothing - -t s/a -m x --pretty

# -I prefix: the client id is the prefix and the process id; the broker's log names it.
for who in mosq bmqtt; do
    if [ $who = mosq ]; then mosquitto_sub -p "$P" -t s/i -I idp- -C 1 -W 5 >"$D/i.out" & else "$CLI" sub -p "$P" -t s/i -I idp- -C 1 -W 5 >"$D/i.out" & fi
    ip=$!; sleep 0.5; mosquitto_pub -p "$P" -t s/i -m hello; wait $ip; echo $? >"$D/i.rc"
    if [ "$(cat "$D/i.rc") $(cat "$D/i.out")" = "0 hello" ] && grep -q " as idp-$ip " "$BROKER_DIR/mosquitto.log"; then
        pass "-I idp- ($who): connected as idp-$ip, the process id"
    else fail "-I ($who)" "exit $(cat "$D/i.rc"), '$(cat "$D/i.out")', log: $(grep 'as idp-' "$BROKER_DIR/mosquitto.log" | tail -2)"; fi
done
same "-I (sub)" sub two_retained - -t 's/a' -C 1 -I pre- -v
same "--id-prefix (pub)" pub clear_all - -t s/a -m x -r -q 1 --id-prefix pre-
same "-I with -i" sub nothing - -t s/a -I pre- -i id
same "-i with -I" pub nothing - -t s/a -m x -i id -I pre-
same "-I with -c" sub nothing - -t s/a -I pre- -c
# --nodelay: accepted (the POSIX port always sets TCP_NODELAY).
same "--nodelay (sub)" sub two_retained - -t 's/#' -C 2 --nodelay -v
same "--nodelay (pub)" pub clear_all - -t s/b -m nd -r -q 2 --nodelay
# --quiet: the same exit codes, and stderr silent once the command line is read, for both tools:
# no broker there (exit 1), -W running out (27). A bad command line is still said.
NOB=$(free_port)
for a in "sub -p $NOB -t s/a --quiet" "pub -p $NOB -t s/a -m x --quiet" "sub -p $P -t s/none -W 1 --quiet"; do
    set -- $a; tool=$1; shift
    "mosquitto_$tool" "$@" >"$D/q.mout" 2>"$D/q.merr"; mrc=$?
    "$CLI" "$tool" "$@" >"$D/q.bout" 2>"$D/q.berr"; brc=$?
    if [ $mrc = $brc ] && ! [ -s "$D/q.merr" ] && ! [ -s "$D/q.berr" ] && ! [ -s "$D/q.bout" ]; then
        pass "--quiet: $tool ${a#* } exits $brc like mosquitto_$tool, nothing on stderr"
    else fail "--quiet $a" "exit $brc (mosquitto $mrc), stderr '$(cat "$D/q.berr")' (mosquitto '$(cat "$D/q.merr")')"; fi
done
"$CLI" sub -p "$NOB" -t s/a >/dev/null 2>"$D/q.loud"; rc=$?
if [ $rc = 1 ] && [ -s "$D/q.loud" ]; then pass "without --quiet the same run says why (exit 1): $(cut -c1-60 "$D/q.loud")"
else fail "without --quiet" "exit $rc: $(cat "$D/q.loud")"; fi
for w in mosquitto_sub "$CLI sub"; do
    $w -t 'a/#/b' --quiet >/dev/null 2>"$D/q.err"; rc=$?
    if [ $rc = 1 ] && [ -s "$D/q.err" ]; then pass "--quiet: a bad command line is still said by $w (exit 1)"
    else fail "--quiet bad command line ($w)" "exit $rc, stderr '$(cat "$D/q.err")'"; fi
done

# --random-filter: a message printed with the likelihood given, counted for -C either way.
seq 1 2000 >"$D/lines"
burst() { mosquitto_pub -p "$P" -t s/r -l <"$D/lines"; }
random_run() { # random_run <tool> <args...>: prints how many lines the tool printed
    tool=$1; shift
    (sleep 0.5; burst) & bp=$!
    if [ "$tool" = mosq ]; then mosquitto_sub -p "$P" -t s/r "$@" 2>/dev/null; else "$CLI" sub -p "$P" -t s/r "$@" 2>/dev/null; fi | wc -l
    wait $bp
}
n100=$(random_run bmqtt --random-filter 100 -W 3); n50=$(random_run bmqtt --random-filter 50 -W 3)
n01=$(random_run bmqtt --random-filter 0.1 -W 3); c50=$(random_run bmqtt --random-filter 50 -C 100 -W 5)
m100=$(random_run mosq --random-filter 100 -W 3)
if [ "$n100" = 2000 ] && [ "$n50" -ge 850 ] && [ "$n50" -le 1150 ] && [ "$n01" -le 15 ] && [ "$c50" -ge 25 ] && [ "$c50" -le 75 ]; then
    pass "--random-filter of 2000 messages: 100 % printed $n100, 50 % $n50, 0.1 % $n01; -C 100 at 50 % printed $c50 (mosquitto_sub 2.0.11 at 100 %: $m100)"
else fail "--random-filter" "100 %: $n100, 50 %: $n50, 0.1 %: $n01, -C 100 at 50 %: $c50"; fi
same "--random-filter 0.05 refused" sub nothing - -t s/a --random-filter 0.05
same "--random-filter abc refused" sub nothing - -t s/a --random-filter abc
same "--random-filter is sub's" pub nothing - -t s/a -m x --random-filter 50
"$CLI" sub -p "$P" -t s/a --random-filter 101 2>"$D/rf.err"; rc=$?
if [ $rc = 1 ] && grep -q '0.1 to 100' "$D/rf.err"; then pass "--random-filter 101 refused: the man page's 0.1..100 (mosquitto_sub 2.0.11 takes up to 1000)"
else fail "--random-filter 101" "exit $rc: $(cat "$D/rf.err")"; fi
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

# -M (mosquitto_pub's in-flight limit, bmqtt-cli's --inflight): 30 QoS 1 messages through 3 slots.
CONN="-p $P"
same "-M 3" pub clear_all - -t s/a -m m -q 1 -r --repeat 30 -M 3

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
