#!/bin/bash
# bmqtt-cli option by option, against a real mosquitto with mosquitto_pub /
# mosquitto_sub as the peer (make test-cli).
#
#   tests/cli/run.sh [test-name...]
#
# Each check prints "PASS name" or "FAIL name: why"; the script exits non-zero
# on any FAIL. Every broker gets its own config and data in a temporary
# directory and a free loopback port, and is stopped on every exit path.
# Where mosquitto_pub / mosquitto_sub have the same option, the test also runs
# them and wants the same output bytes and the same exit code.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/integration/broker.sh

BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/bmqtt-cli}
PY=/usr/bin/python3
HERE=tests/cli
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bmqtt-cli-test.XXXXXX")
PIDS=""
BROKERS=""
PASSED=0
FAILED=0
FAILS=""

cleanup() {
    for p in $PIDS $BROKERS; do kill -9 "$p" 2>/dev/null; done
    for p in $PIDS $BROKERS; do wait "$p" 2>/dev/null; done
    if [ "${KEEP:-0}" = 1 ]; then echo "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ensure_cmd mosquitto_pub mosquitto-clients || { echo "FAIL setup: mosquitto-clients"; exit 1; }
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || { echo "FAIL setup: mosquitto"; exit 1; }
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
ensure_cmd openssl openssl || { echo "FAIL setup: openssl"; exit 1; }
[ -x $PY ] || { echo "FAIL setup: $PY is needed"; exit 1; }
[ -x "$CLI" ] || make --no-print-directory -s "$CLI" || { echo "FAIL setup: build $CLI"; exit 1; }

# --- helpers -------------------------------------------------------------------
pass() { echo "PASS $T"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $T: $*"; FAILED=$((FAILED + 1)); FAILS="$FAILS $T"; }
bg() { "$@" & PIDS="$PIDS $!"; LAST=$!; }
show() { head -c 600 "$1" | cat -A | head -8; }

wait_for() {
    _n=0
    while ! grep -qE "$2" "$1" 2>/dev/null; do
        _n=$((_n + 1)); [ $_n -ge "${3:-50}" ] && return 1
        sleep 0.1
    done
}

# wait_pid <pid> [seconds]: its exit code; killed (124) after the limit.
wait_pid() {
    _n=0
    while kill -0 "$1" 2>/dev/null; do
        _n=$((_n + 1))
        if [ $_n -ge $(( ${2:-10} * 10 )) ]; then kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
        sleep 0.1
    done
    wait "$1"
}

# start_broker <name> [config lines...]: sets <NAME>_PORT, <NAME>_DIR (a private mosquitto).
start_broker() {
    local name=$1; shift
    local d=$WORK/broker-$name
    mkdir -p "$d"
    BROKER_PID=""
    broker_start "$d" "$@" || { echo "FAIL setup: mosquitto ($name) did not start"; exit 1; }
    BROKERS="$BROKERS $BROKER_PID"
    eval "${name}_PORT=$BROKER_PORT ${name}_DIR=$d ${name}_PID=$BROKER_PID"
}

# The broker logs "<time>: <client id> <qos> <filter>" once a subscription is in place.
subscribed() { wait_for "$BDIR/mosquitto.log" ": $1 [0-2] $2\$" "${3:-50}"; }

# peer <id> <out> <filter> [mosquitto_sub args]: a mosquitto_sub in the background, subscribed.
peer() {
    local id=$1 out=$2 filter=$3; shift 3
    bg mosquitto_sub -h 127.0.0.1 -p "$P" -i "$id" -t "$filter" "$@" >"$out" 2>"$out.err"
    PEER=$LAST
    subscribed "$id" "$filter" || { echo "     (peer $id did not subscribe: $(cat "$out.err"))"; return 1; }
}

# sub_bg <id> <out> <err> <last filter> [bmqtt-cli sub args]: bmqtt-cli sub in the background, subscribed.
sub_bg() {
    local id=$1 out=$2 err=$3 filter=$4; shift 4
    bg "$CLI" sub -h 127.0.0.1 -p "$P" -i "$id" "$@" >"$out" 2>"$err"
    SUB=$LAST
    subscribed "$id" "$filter" || { echo "     (bmqtt-cli $id did not subscribe: $(cat "$err"))"; return 1; }
}

cli() { "$CLI" "$1" -h 127.0.0.1 -p "$P" "${@:2}"; }

# --- brokers -------------------------------------------------------------------
start_broker MAIN
P=$MAIN_PORT BDIR=$MAIN_DIR
NOPORT=$(free_port) # nothing listens here

# --- tests -------------------------------------------------------------------

t_help() {
    "$CLI" --help >"$WORK/help.out" 2>"$WORK/help.err"; local rc=$?
    if [ $rc -ne 0 ]; then fail "exit $rc"
    elif [ -s "$WORK/help.err" ]; then fail "stderr: $(cat "$WORK/help.err")"
    elif ! grep -q -- '--will-payload' "$WORK/help.out" || ! grep -q '^Exit codes' "$WORK/help.out"; then
        fail "usage lacks --will-payload or the exit codes"
    else pass; fi
}

# Nothing on stderr when all goes well (no -d), pub or sub.
t_quiet() {
    local d=$WORK/quiet; mkdir -p "$d"
    sub_bg cli-quiet "$d/out" "$d/err" cli/quiet -t cli/quiet -C 1 || { fail "no subscription"; return; }
    cli pub -t cli/quiet -m hush 2>"$d/pub.err"; local prc=$?
    wait_pid $SUB 5; local src=$?
    if [ $prc -ne 0 ] || [ $src -ne 0 ]; then fail "exit pub $prc sub $src: $(cat "$d/pub.err" "$d/err")"
    elif [ -s "$d/pub.err" ] || [ -s "$d/err" ]; then fail "stderr not empty: $(cat "$d/pub.err" "$d/err")"
    elif [ "$(cat "$d/out")" != hush ]; then fail "got $(cat "$d/out")"
    else pass; fi
}

# -m, -f, -s, -n: the bytes mosquitto_sub receives are the message, one message each.
t_message_sources() {
    local d=$WORK/src; mkdir -p "$d"
    head -c 300000 /dev/urandom >"$d/file"
    { head -c 40000 /dev/urandom; printf '\n\nline\n'; head -c 30000 /dev/urandom; } >"$d/stdin"
    printf 'hello world' >"$d/m"
    : >"$d/n"
    local k why=""
    for k in m f s n; do
        peer "cli-peer-$k" "$d/got-$k" "cli/src/$k" -C 1 -N -W 10 || { why="$why $k: no peer;"; continue; }
        local p=$PEER
        case $k in
            m) cli pub -t cli/src/m -m 'hello world' ;;
            f) cli pub -t cli/src/f -q 1 -f "$d/file" ;;
            s) cli pub -t cli/src/s -q 2 -s <"$d/stdin" ;;
            n) cli pub -t cli/src/n -n ;;
        esac 2>"$d/err-$k" || why="$why $k: pub exit $?: $(cat "$d/err-$k");"
        wait_pid $p 10 || why="$why $k: peer exit $?;"
        local want=$d/$k; [ $k = f ] && want=$d/file; [ $k = s ] && want=$d/stdin
        cmp -s "$want" "$d/got-$k" || why="$why $k: received $(wc -c <"$d/got-$k") bytes, want $(wc -c <"$want");"
    done
    # -n is a zero-length message, seen as such: mosquitto_sub's %l is the payload length.
    peer cli-peer-n2 "$d/n2" cli/src/n2 -C 1 -W 5 -F '%l|%p' || why="$why n2: no peer;"
    local p=$PEER
    cli pub -t cli/src/n2 -n; wait_pid $p 5
    [ "$(cat "$d/n2")" = "0|" ] || why="$why -n arrived as '$(cat "$d/n2")';"
    if [ -z "$why" ]; then pass; echo "     -m 11 B, -f 300000 B, -s 70007 B, -n 0 B: each one message, byte for byte"
    else fail "$why"; fi
}

# -l: one message per line, a line of 100 KB included (not split).
t_lines() {
    local d=$WORK/lines; mkdir -p "$d"
    { echo short; head -c 102400 /dev/zero | tr '\0' 'x'; echo; echo end; } >"$d/in"
    peer cli-peer-len "$d/len" cli/lines -C 3 -W 15 -F '%l' || { fail "no peer"; return; }
    local p1=$PEER
    peer cli-peer-bytes "$d/bytes" cli/lines -C 3 -W 15 -N || { fail "no peer"; return; }
    local p2=$PEER
    cli pub -t cli/lines -q 1 -l <"$d/in" 2>"$d/err"; local rc=$?
    wait_pid $p1 15; wait_pid $p2 15
    tr -d '\n' <"$d/in" >"$d/want"
    if [ $rc -ne 0 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(tr '\n' ' ' <"$d/len")" != "5 102400 3 " ]; then fail "message lengths: $(tr '\n' ' ' <"$d/len")"
    elif ! cmp -s "$d/want" "$d/bytes"; then fail "payload bytes differ"
    else pass; echo "     3 lines -> 3 messages of 5, 102400 and 3 bytes"; fi
}

# -r / --retain: a later subscriber gets the message, flagged retained; without it, nothing.
t_retain() {
    local d=$WORK/retain; mkdir -p "$d"
    cli pub -t cli/retain -q 1 -r -m kept 2>"$d/err" || { fail "pub: $(cat "$d/err")"; return; }
    cli pub -t cli/retain2 --retain -m kept2 2>>"$d/err" || { fail "pub: $(cat "$d/err")"; return; }
    cli pub -t cli/noretain -m gone 2>>"$d/err" || { fail "pub: $(cat "$d/err")"; return; }
    mosquitto_sub -h 127.0.0.1 -p "$P" -t cli/retain -t cli/retain2 -C 2 -W 3 -F '%r %t %p' >"$d/got" 2>&1
    mosquitto_sub -h 127.0.0.1 -p "$P" -t cli/noretain -C 1 -W 1 >"$d/none" 2>&1; local nrc=$?
    mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/retain -r -n; mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/retain2 -r -n
    if [ "$(sort "$d/got" | tr '\n' '|')" != "1 cli/retain kept|1 cli/retain2 kept2|" ]; then fail "later subscriber got: $(cat "$d/got")"
    elif [ $nrc -ne 27 ] || [ "$(cat "$d/none")" != "Timed out" ]; then fail "control without -r: rc $nrc $(cat "$d/none")"
    else pass; fi
}

# -q on pub (the QoS mosquitto_sub sees) and on sub (the QoS 2 flow in the -d trace).
t_qos() {
    local d=$WORK/qos q why=""; mkdir -p "$d"
    for q in 0 1 2; do
        peer "cli-peer-q$q" "$d/q$q" "cli/qos/$q" -q 2 -C 1 -W 5 -F '%q %p' || { why="$why no peer $q;"; continue; }
        local p=$PEER
        cli pub -t "cli/qos/$q" -q $q -m "at $q" 2>"$d/err$q" || why="$why pub -q $q: $(cat "$d/err$q");"
        wait_pid $p 5
        [ "$(cat "$d/q$q")" = "$q at $q" ] || why="$why -q $q arrived as '$(cat "$d/q$q")';"
    done
    sub_bg cli-sub-q2 "$d/sub" "$d/sub.err" cli/qos/sub -t cli/qos/sub -q 2 -C 1 -d || { fail "$why no subscription"; return; }
    mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/qos/sub -q 2 -m two
    wait_pid $SUB 5 || why="$why sub exit $?;"
    grep -q "sending SUBSCRIBE (Mid: 1, 'cli/qos/sub' q2, " "$d/sub.err" || why="$why SUBSCRIBE not at q2;"
    grep -q "received PUBLISH (d0, q2, r0, m[0-9]*, 'cli/qos/sub', ... (3 bytes))" "$d/sub.err" || why="$why no QoS 2 PUBLISH;"
    for t in "sending PUBREC" "received PUBREL" "sending PUBCOMP"; do grep -q "$t" "$d/sub.err" || why="$why no $t;"; done
    if [ -z "$why" ]; then pass; else fail "$why $(show "$d/sub.err")"; fi
}

# -i names the client (up to 65535 bytes); -h takes a name as well as an address.
t_client_id() {
    local d=$WORK/id long why=""; mkdir -p "$d"
    long=$(head -c 65535 /dev/zero | tr '\0' 'i')
    "$CLI" pub -h localhost -p "$P" -i cli-named -t cli/id -m x 2>"$d/err" || why="$why exit $?: $(cat "$d/err");"
    wait_for "$BDIR/mosquitto.log" " as cli-named " 20 || why="$why broker did not see the id;"
    cli pub -i "$long" -t cli/id -m x 2>"$d/err2" || why="$why 65535-byte id: exit $?: $(cat "$d/err2");"
    wait_for "$BDIR/mosquitto.log" " as iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii" 20 ||
        why="$why broker did not see the 65535-byte id;"
    if [ -z "$why" ]; then pass; else fail "$why"; fi
}

# -u / -P against a password file; refusals exit with the CONNACK code, as mosquitto_pub does.
t_auth() {
    local d=$WORK/auth why=""; mkdir -p "$d"
    : >"$d/passwd"; mosquitto_passwd -b "$d/passwd" alice 's3cret pw' || { fail "mosquitto_passwd"; return; }
    chmod 600 "$d/passwd"
    local sp=$P sd=$BDIR
    start_broker AUTH "allow_anonymous false" "password_file $d/passwd"
    P=$AUTH_PORT
    cli pub -u alice -P 's3cret pw' -t cli/auth -m x 2>"$d/good"; local g=$?
    cli pub -u alice -P wrong -t cli/auth -m x 2>"$d/bad"; local b=$?
    mosquitto_pub -h 127.0.0.1 -p "$P" -u alice -P wrong -t cli/auth -m x 2>/dev/null; local mb=$?
    cli sub -t cli/auth -C 1 2>"$d/anon"; local a=$?
    mosquitto_sub -h 127.0.0.1 -p "$P" -t cli/auth -C 1 2>/dev/null; local ma=$?
    P=$sp BDIR=$sd
    [ $g -eq 0 ] && [ ! -s "$d/good" ] || why="$why right password: exit $g $(cat "$d/good");"
    [ $b -eq 5 ] && [ $b -eq $mb ] || why="$why wrong password: exit $b (mosquitto_pub $mb);"
    [ "$(cat "$d/bad")" = "bmqtt-cli: connect to 127.0.0.1:$AUTH_PORT: refused: not authorized (-45)" ] || why="$why message: $(cat "$d/bad");"
    [ $a -eq 5 ] && [ $a -eq $ma ] || why="$why anonymous sub: exit $a (mosquitto_sub $ma);"
    if [ -z "$why" ]; then pass; echo "     good 0; wrong password 5 and anonymous 5, as mosquitto_pub/_sub"; else fail "$why"; fi
}

# -k: keepalive 2 s; PINGREQ at 3/4 of it, visible in -d; -W ends it with 27.
t_keepalive() {
    local d=$WORK/ka; mkdir -p "$d"
    cli sub -i cli-ka -k 2 -t cli/ka -W 5 -d >"$d/out" 2>"$d/err"; local rc=$?
    local req resp
    req=$(grep -c '^Client cli-ka sending PINGREQ (2 bytes)$' "$d/err")
    resp=$(grep -c '^Client cli-ka received PINGRESP (2 bytes)$' "$d/err")
    if [ $rc -ne 27 ]; then fail "exit $rc (want 27 from -W): $(tail -2 "$d/err")"
    elif ! grep -q "sending CONNECT (c1, k2, 'cli-ka'" "$d/err"; then fail "CONNECT keepalive: $(head -1 "$d/err")"
    elif [ "$req" -lt 2 ] || [ "$resp" -lt 2 ]; then fail "$req PINGREQ, $resp PINGRESP in 5 s"
    else pass; echo "     $req PINGREQ / $resp PINGRESP in 5 s at -k 2"; fi
}

# -c: the broker keeps the session and queues for it; without -c it does not.
t_clean_session() {
    local d=$WORK/cs why=""; mkdir -p "$d"
    cli sub -c -i cli-persist -q 1 -t cli/cs -E 2>"$d/e1" || why="$why -E: $(cat "$d/e1");"
    cli sub -i cli-clean -q 1 -t cli/cs -E 2>"$d/e2" || why="$why -E: $(cat "$d/e2");"
    mosquitto_pub -h 127.0.0.1 -p "$P" -q 1 -t cli/cs -m queued
    cli sub -c -i cli-persist -q 1 -t cli/cs -C 1 -W 5 >"$d/kept" 2>"$d/e3" || why="$why -c: exit $? $(cat "$d/e3");"
    cli sub -i cli-clean -q 1 -t cli/cs -C 1 -W 1 >"$d/clean" 2>"$d/e4"; local rc=$?
    [ "$(cat "$d/kept")" = queued ] || why="$why -c session got '$(cat "$d/kept")';"
    [ $rc -eq 27 ] && [ ! -s "$d/clean" ] || why="$why clean session: exit $rc '$(cat "$d/clean")';"
    if [ -z "$why" ]; then pass; else fail "$why"; fi
}

# Two -t: one SUBSCRIBE with both filters, both receive.
t_two_topics() {
    local d=$WORK/two; mkdir -p "$d"
    sub_bg cli-two "$d/out" "$d/err" 'cli/two/b/#' -t cli/two/a -t 'cli/two/b/#' -C 2 -v -d || { fail "no subscription"; return; }
    mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/two/a -m one
    mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/two/b/c -m two
    wait_pid $SUB 5; local rc=$?
    if [ $rc -ne 0 ]; then fail "exit $rc: $(tail -2 "$d/err")"
    elif [ "$(cat "$d/out")" != "$(printf 'cli/two/a one\ncli/two/b/c two')" ]; then fail "got: $(cat "$d/out")"
    elif [ "$(grep -c 'sending SUBSCRIBE' "$d/err")" -ne 1 ] ||
         ! grep -q "sending SUBSCRIBE (Mid: 1, 'cli/two/a' q0, 'cli/two/b/#' q0, " "$d/err"; then
        fail "not one SUBSCRIBE of both: $(grep SUBSCRIBE "$d/err")"
    else pass; fi
}

# -C, -v, -N: the same bytes on stdout as mosquitto_sub with the same options (an empty
# message is "topic (null)" with -v, nothing without).
t_output_like_mosquitto() {
    local d=$WORK/fmt why="" i=0 opts; mkdir -p "$d"
    for opts in "" "-v" "-N" "-v -N"; do
        i=$((i + 1))
        peer "cli-mosq-$i" "$d/mosq-$i" "cli/fmt/$i/#" -C 4 -W 10 $opts || { why="$why no peer;"; continue; }
        local p=$PEER
        sub_bg "cli-fmt-$i" "$d/bmqtt-$i" "$d/err-$i" "cli/fmt/$i/#" -t "cli/fmt/$i/#" -C 4 -W 10 $opts ||
            { why="$why no subscription;"; continue; }
        local s=$SUB
        mosquitto_pub -h 127.0.0.1 -p "$P" -t "cli/fmt/$i/a" -m first
        mosquitto_pub -h 127.0.0.1 -p "$P" -t "cli/fmt/$i/b" -m 'two words'
        mosquitto_pub -h 127.0.0.1 -p "$P" -t "cli/fmt/$i/e" -n
        mosquitto_pub -h 127.0.0.1 -p "$P" -t "cli/fmt/$i/c" -m 'ünï cödé'
        mosquitto_pub -h 127.0.0.1 -p "$P" -t "cli/fmt/$i/d" -m 'a 5th, after -C 4'
        wait_pid $p 10; local mrc=$?
        wait_pid $s 10; local brc=$?
        [ $brc -eq 0 ] && [ $mrc -eq 0 ] || why="$why [$opts] exit $brc (mosquitto_sub $mrc);"
        cmp -s "$d/mosq-$i" "$d/bmqtt-$i" || why="$why [$opts] bmqtt $(show "$d/bmqtt-$i") vs mosquitto $(show "$d/mosq-$i");"
        [ -s "$d/err-$i" ] && why="$why [$opts] stderr: $(cat "$d/err-$i");"
    done
    if [ -z "$why" ]; then pass; echo "     -C 4 (one message empty) with none, -v, -N, -v -N: stdout identical to mosquitto_sub's"
    else fail "$why"; fi
}

# -W: no message in time -> exit 27 with one line on stderr, as mosquitto_sub.
t_timeout() {
    local d=$WORK/w; mkdir -p "$d"
    local t0 t1
    t0=$(date +%s%N)
    cli sub -t cli/never -W 1 >"$d/out" 2>"$d/err"; local rc=$?
    t1=$(date +%s%N)
    mosquitto_sub -h 127.0.0.1 -p "$P" -t cli/never -W 1 >/dev/null 2>&1; local mrc=$?
    local ms=$(( (t1 - t0) / 1000000 ))
    if [ $rc -ne 27 ] || [ $mrc -ne 27 ]; then fail "exit $rc (mosquitto_sub $mrc)"
    elif [ -s "$d/out" ] || [ "$(wc -l <"$d/err")" -ne 1 ] || ! grep -q 'timed out' "$d/err"; then
        fail "output: $(cat "$d/out" "$d/err")"
    elif [ $ms -lt 900 ] || [ $ms -gt 3000 ]; then fail "took $ms ms for -W 1"
    else pass; echo "     exit 27 after $ms ms"; fi
}

# -W with a will: bmqtt-cli ends as mosquitto_sub -W does, with DISCONNECT (the broker
# discards the will [MQTT-3.14.4-3]) and exit 27; a peer on the will topic sees nothing.
t_timeout_will() {
    local d=$WORK/ww why=""; mkdir -p "$d"
    peer cli-peer-ww "$d/peer" cli/ww -C 1 -W 4 || { fail "no peer"; return; }
    local p=$PEER
    cli sub -i cli-ww -t cli/never -W 1 -d --will-topic cli/ww --will-payload 'bmqtt will' >"$d/out" 2>"$d/err"; local rc=$?
    mosquitto_sub -h 127.0.0.1 -p "$P" -i cli-ww-mosq -t cli/never -W 1 --will-topic cli/ww --will-payload 'mosq will' \
        >/dev/null 2>&1; local mrc=$?
    wait_pid $p 6; local prc=$?
    [ $rc -eq $mrc ] && [ $rc -eq 27 ] || why="$why exit $rc (mosquitto_sub $mrc);"
    grep -qx 'Client cli-ww sending DISCONNECT (2 bytes)' "$d/err" || why="$why no DISCONNECT in the trace: $(tail -2 "$d/err");"
    [ "$(tail -1 "$d/err")" = "bmqtt-cli: timed out after 1 s (-W)" ] || why="$why last line: $(tail -1 "$d/err");"
    [ -s "$d/peer" ] && why="$why the will topic got: $(cat "$d/peer");"
    [ $prc -eq 27 ] || why="$why the peer on the will topic exited $prc (want 27: nothing came);"
    if [ -z "$why" ]; then pass; echo "     exit $rc as mosquitto_sub; no will published"; else fail "$why"; fi
}

# A QoS 1 message the session dropped: one line, the status said once ("dropped: ..."), then
# the session's end; exit 7.
t_dropped() {
    local d=$WORK/dropped; mkdir -p "$d"
    bg $PY $HERE/fake_server.py "$d/port" drop >"$d/server" 2>&1
    local srv=$LAST
    wait_for "$d/port" . 50 || { fail "server did not start: $(cat "$d/server")"; return; }
    "$CLI" pub -h 127.0.0.1 -p "$(cat "$d/port")" -q 1 -t cli/drop -m x >"$d/out" 2>"$d/err"; local rc=$?
    wait_pid $srv 10; local src=$?
    if [ $rc -ne 7 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(head -1 "$d/err")" != "bmqtt-cli: message 1: dropped: clean session ended (-55)" ]; then fail "said: $(cat "$d/err")"
    elif [ "$(wc -l <"$d/err")" -ne 2 ]; then fail "said: $(cat "$d/err")"
    elif [ $src -ne 0 ]; then fail "server: $(cat "$d/server")"
    else pass; echo "     $(tr '\n' '|' <"$d/err")"; fi
}

# The broker's limit on incoming QoS 2 messages. mosquitto (2.0, max_inflight_messages 20 by
# default) takes at most that many QoS 2 messages from one client awaiting their PUBREL; an
# MQTT 3.1.1 client cannot be told (MQTT 5 has Receive Maximum), and the broker answers the
# ones above it with PUBREC all the same and drops them. So a publisher with more in flight
# is told every message is done while the subscriber misses some: this check shows it, and
# that --inflight's default (20) and the broker's limit raised to the window both deliver all.
# (QoS 1 is not limited that way: each PUBLISH is acknowledged and forwarded at once.)
inflight_case() { # <port> <qos> <inflight or ""> <n>: "<publisher exit> <messages the peer got>"
    local port=$1 q=$2 inf=$3 n=$4 id=cli-inf-$2-${3:-d}-$RANDOM
    local out=$WORK/inflight/$id
    local P=$port BDIR=$BDIR
    peer "$id" "$out" cli/inflight -q 2 -C "$n" -W 8 || { echo "x 0"; return; }
    local p=$PEER
    cli pub -q "$q" ${inf:+--inflight "$inf"} --repeat "$n" -t cli/inflight -m m 2>"$out.pub"; local rc=$?
    wait_pid $p 12
    echo "$rc $(wc -l <"$out")"
}
t_broker_inflight() {
    local d=$WORK/inflight why="" r; mkdir -p "$d"
    local sp=$P sd=$BDIR
    r=$(inflight_case "$P" 2 100 100)
    local lost=${r#* }
    [ "${r% *}" = 0 ] || why="$why QoS 2 --inflight 100: publisher exit ${r% *};"
    { [ "$lost" -ge 20 ] && [ "$lost" -lt 100 ]; } || why="$why QoS 2 --inflight 100: the peer got $lost of 100 (want 20..99: the broker's limit is 20);"
    r=$(inflight_case "$P" 2 "" 100)
    [ "$r" = "0 100" ] || why="$why QoS 2 default --inflight: exit/got '$r' (want '0 100');"
    r=$(inflight_case "$P" 1 100 100)
    [ "$r" = "0 100" ] || why="$why QoS 1 --inflight 100: exit/got '$r' (want '0 100');"
    start_broker INF100 "max_inflight_messages 100"
    BDIR=$INF100_DIR
    r=$(inflight_case "$INF100_PORT" 2 100 100)
    BDIR=$sd
    [ "$r" = "0 100" ] || why="$why QoS 2 --inflight 100, broker max_inflight_messages 100: exit/got '$r' (want '0 100');"
    # The queue for a subscriber that is away (clean session 0): mosquitto keeps
    # max_queued_messages (1000 by default; the test brokers raise it) and drops the rest.
    start_broker DEFQ "max_queued_messages 1000"
    mosquitto_sub -h 127.0.0.1 -p "$DEFQ_PORT" -i cli-inf-away -c -q 1 -t cli/away -E 2>"$d/away.err" || why="$why away: $(cat "$d/away.err");"
    "$CLI" pub -h 127.0.0.1 -p "$DEFQ_PORT" -q 1 --repeat 1100 -t cli/away -m m 2>"$d/away.pub" || why="$why away: pub: $(cat "$d/away.pub");"
    mosquitto_sub -h 127.0.0.1 -p "$DEFQ_PORT" -i cli-inf-away -c -q 1 -t cli/away -W 3 >"$d/away" 2>/dev/null
    local away; away=$(wc -l <"$d/away")
    [ "$away" = 1000 ] || why="$why away: a subscriber back after 1100 messages got $away (want 1000);"
    P=$sp
    if [ -z "$why" ]; then pass; echo "     QoS 2 --inflight 100: all 100 reported done, $lost delivered; default 20, QoS 1 or a broker limit of 100: 100 of 100; back after 1100 queued: $away"
    else fail "$why"; fi
}

# -d: every packet, in mosquitto's form; the PUBLISH line is mosquitto_pub -d's, to the byte.
t_debug() {
    local d=$WORK/dbg; mkdir -p "$d"
    cli pub -i cli-d -q 1 -t cli/d -m hello -d >"$d/out" 2>"$d/err"; local rc=$?
    mosquitto_pub -h 127.0.0.1 -p "$P" -i cli-d -q 1 -t cli/d -m hello -d >"$d/mosq" 2>&1
    cat >"$d/want" <<'EOF'
Client cli-d sending CONNECT (c1, k60, 'cli-d', u0, p0, w0, 19 bytes)
Client cli-d received CONNACK (0, session present 0, 4 bytes)
connected as cli-d (session present: 0)
Client cli-d sending PUBLISH (d0, q1, r0, m1, 'cli/d', ... (5 bytes))
Client cli-d received PUBACK (Mid: 1, 4 bytes)
Client cli-d sending DISCONNECT (2 bytes)
EOF
    if [ $rc -ne 0 ]; then fail "exit $rc: $(cat "$d/err")"
    elif ! cmp -s "$d/want" "$d/err"; then fail "trace: $(diff "$d/want" "$d/err" | head -6)"
    elif ! grep -qxF "$(grep 'sending PUBLISH' "$d/err")" "$d/mosq"; then fail "PUBLISH line differs from mosquitto_pub's: $(grep PUBLISH "$d/mosq")"
    elif [ -s "$d/out" ]; then fail "stdout: $(cat "$d/out")"
    else pass; fi
    # With a will, user name and password the CONNECT line says so.
    cli pub -i cli-d2 -u someone -P pw --will-topic cli/w --will-payload abc --will-qos 1 -t cli/d -m x -d 2>"$d/err2"
    T=debug_connect_fields
    if grep -qxF "Client cli-d2 sending CONNECT (c1, k60, 'cli-d2', u1, p1, w1 q1 r0 'cli/w' (3 bytes), 45 bytes)" "$d/err2"
    then pass; else fail "$(head -1 "$d/err2")"; fi
}

# The will: delivered when bmqtt-cli dies (kill -9) with its QoS and retain flag; not after a clean exit.
t_will() {
    local d=$WORK/will why=""; mkdir -p "$d"
    peer cli-peer-will "$d/peer" cli/will -q 1 -C 1 -W 10 -F '%t %p %q' || { fail "no peer"; return; }
    local p=$PEER
    sub_bg cli-will "$d/out" "$d/err" cli/nothing -t cli/nothing --will-topic cli/will --will-payload 'bmqtt died' \
        --will-qos 1 --will-retain || { fail "no subscription"; kill $p; return; }
    kill -9 $SUB; wait $SUB 2>/dev/null
    wait_pid $p 10
    [ "$(cat "$d/peer")" = "cli/will bmqtt died 1" ] || why="$why after kill -9 the peer got '$(cat "$d/peer")';"
    mosquitto_sub -h 127.0.0.1 -p "$P" -t cli/will -C 1 -W 2 -F '%r %p' >"$d/later" 2>&1
    [ "$(cat "$d/later")" = "1 bmqtt died" ] || why="$why --will-retain: a later subscriber got '$(cat "$d/later")';"
    mosquitto_pub -h 127.0.0.1 -p "$P" -t cli/will -r -n
    # The old spelling still works; a clean exit publishes nothing.
    peer cli-peer-will2 "$d/peer2" cli/will2 -C 1 -W 2 || { fail "no peer"; return; }
    p=$PEER
    cli pub -t cli/other -m x --will-topic cli/will2 --will-message 'must not appear' 2>"$d/err2"
    wait_pid $p 5
    [ -s "$d/peer2" ] && why="$why will after a clean exit: $(cat "$d/peer2");"
    if [ -z "$why" ]; then pass; else fail "$why"; fi
}

# Bad values are refused before any connection (nothing listens on the port:
# a connection attempt would say "connection failed (-63)"), with exit 1 like
# mosquitto_pub / mosquitto_sub, in one line that names the value and the rule.
bad() {
    local name=$1 want=$2; shift 2
    T=validate_$name
    "$CLI" -h 127.0.0.1 -p "$NOPORT" "$@" >"$WORK/v.out" 2>"$WORK/v.err"; local rc=$?
    if [ $rc -ne 1 ]; then fail "exit $rc: $(cat "$WORK/v.err")"
    elif grep -q '(-63)' "$WORK/v.err"; then fail "it tried to connect: $(cat "$WORK/v.err")"
    elif [ "$(cat "$WORK/v.err")" != "bmqtt-cli: $want" ]; then fail "said: $(cat "$WORK/v.err")"
    elif [ -s "$WORK/v.out" ]; then fail "stdout: $(cat "$WORK/v.out")"
    else pass; fi
}
t_validation() {
    local long
    long=$(head -c 65536 /dev/zero | tr '\0' 'i')
    bad qos3 "invalid QoS 3: must be 0, 1 or 2" pub -t a -m x -q 3
    bad sub_qos_word "invalid QoS one: must be 0, 1 or 2" sub -t a -q one
    bad will_qos3 "invalid will QoS 3: must be 0, 1 or 2" pub -t a -m x --will-topic w --will-qos 3
    bad pub_plus "invalid topic 'a/+': '+' and '#' are for subscriptions, not for a topic to publish to [MQTT-3.3.2-2]" \
        pub -t 'a/+' -m x
    bad pub_hash "invalid topic 'a/#': '+' and '#' are for subscriptions, not for a topic to publish to [MQTT-3.3.2-2]" \
        pub -t 'a/#' -m x
    bad will_wildcard "invalid will topic 'w/#': '+' and '#' are for subscriptions, not for a topic to publish to [MQTT-3.3.2-2]" \
        pub -t a -m x --will-topic 'w/#'
    bad sub_hash_middle "invalid topic 'a/#/b': '#' must be the whole last level [MQTT-4.7.1-2]" sub -t 'a/#/b'
    bad sub_plus_part "invalid topic 'a/b+': '+' must be a whole level [MQTT-4.7.1-3]" sub -t ok -t 'a/b+'
    bad empty_topic "invalid topic '': a topic has at least one character [MQTT-4.7.3-1]" pub -t '' -m x
    bad utf8_topic "invalid topic 'a\\xc3(': not valid UTF-8 [MQTT-1.5.3-1]" pub -t "$(printf 'a\xc3\x28')" -m x
    bad id_65536 "the client id (-i) is longer than the 65535 bytes MQTT allows" pub -t a -m x -i "$long"
    bad port "invalid port '70000': must be 1..65535" pub -t a -m x -p 70000
    bad keepalive "invalid keepalive '-1': must be 0..65535 seconds" sub -t a -k -1
    bad two_pub_topics "pub publishes to one topic: -t is given more than once" pub -t a -t b -m x
    bad no_message "pub needs exactly one of -m, -f, -l, -s, -n" pub -t a
    bad two_messages "pub needs exactly one of -m, -f, -l, -s, -n" pub -t a -m x -n
    bad sub_option_on_pub "-C is an option of sub, not pub" pub -t a -m x -C 1
    bad unknown_option "unknown option '--frobnicate' (bmqtt-cli --help lists the options)" pub -t a -m x --frobnicate
    bad missing_value "option -t needs a value" pub -m x -t
    bad will_without_topic "--will-payload, --will-qos and --will-retain need --will-topic" pub -t a -m x --will-payload y
    bad password_alone "-P needs -u (MQTT 3.1.1 sends no password without a user name)" pub -t a -m x -P pw
    bad no_mode "say pub or sub (bmqtt-cli --help lists the options)" -t a -m x
    # mosquitto_pub / mosquitto_sub exit 1 for the same mistakes.
    T=validate_like_mosquitto
    local m1 m2 m3
    mosquitto_pub -p "$NOPORT" -t a -m x -q 3 2>/dev/null; m1=$?
    mosquitto_pub -p "$NOPORT" -t 'a/+' -m x 2>/dev/null; m2=$?
    mosquitto_sub -p "$NOPORT" -t 'a/#/b' 2>/dev/null; m3=$?
    if [ "$m1$m2$m3" = 111 ]; then pass; else fail "mosquitto exits $m1 $m2 $m3"; fi
}

# Nothing listening: exit 1 (as mosquitto_pub), one line with the status and the system's reason.
t_connect_refused() {
    cli pub -p "$NOPORT" -t a -m x 2>"$WORK/cr.err"; local rc=$?
    mosquitto_pub -h 127.0.0.1 -p "$NOPORT" -t a -m x 2>/dev/null; local mrc=$?
    if [ $rc -ne 1 ] || [ $mrc -ne 1 ]; then fail "exit $rc (mosquitto_pub $mrc)"
    elif [ "$(cat "$WORK/cr.err")" != "bmqtt-cli: connect to 127.0.0.1:$NOPORT: connection failed (-63): Connection refused" ]; then
        fail "said: $(cat "$WORK/cr.err")"
    else pass; fi
    # A name that does not resolve; with a TLS option and no -p the port is 8883, as mosquitto's.
    T=host_not_found_tls_port
    "$CLI" pub -h no-such-host.invalid --cafile /dev/null -t a -m x 2>"$WORK/dns.err"; rc=$?
    if [ $rc -ne 1 ]; then fail "exit $rc: $(cat "$WORK/dns.err")"
    elif [ "$(cat "$WORK/dns.err")" != "bmqtt-cli: connect to no-such-host.invalid:8883: name resolution failed (-62)" ]; then
        fail "said: $(cat "$WORK/dns.err")"
    else pass; fi
}

# A web server on the port: "not an MQTT server" with the bytes it sent, exit 40.
t_not_mqtt() {
    local d=$WORK/http; mkdir -p "$d"
    bg $PY $HERE/fake_server.py "$d/port" http >"$d/server" 2>&1
    local srv=$LAST
    wait_for "$d/port" . 50 || { fail "server did not start: $(cat "$d/server")"; return; }
    local port; port=$(cat "$d/port")
    "$CLI" pub -h 127.0.0.1 -p "$port" -t a -m x 2>"$d/err"; local rc=$?
    wait_pid $srv 5
    local want="bmqtt-cli: 127.0.0.1:$port is not an MQTT server (first bytes received: 'HTTP/1.1 400 Bad Request\\r\\nServer: nginx\\r\\nContent...')"
    if [ $rc -ne 40 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(cat "$d/err")" != "$want" ]; then fail "said: $(cat "$d/err")"
    else pass; fi
}

# A server that accepts and never answers (Python's http.server waits for a request line
# the CONNECT does not end): no CONNACK within the client's 10 s, exit 27.
t_silent_server() {
    local d=$WORK/silent; mkdir -p "$d"
    local port; port=$(free_port)
    bg $PY -m http.server "$port" --bind 127.0.0.1 >"$d/server" 2>&1
    local srv=$LAST
    wait_listen "$port" 50 || { fail "http.server did not start: $(cat "$d/server")"; return; }
    local t0 t1
    t0=$(date +%s%N)
    "$CLI" pub -h 127.0.0.1 -p "$port" -t a -m x 2>"$d/err"; local rc=$?
    t1=$(date +%s%N)
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    local ms=$(( (t1 - t0) / 1000000 ))
    if [ $rc -ne 27 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(cat "$d/err")" != "bmqtt-cli: connect to 127.0.0.1:$port: timeout (-53): no CONNACK in time" ]; then
        fail "said: $(cat "$d/err")"
    elif [ $ms -lt 9500 ] || [ $ms -gt 13000 ]; then fail "gave up after $ms ms (want 10 s)"
    else pass; echo "     exit 27 after $ms ms"; fi
}

# Every filter refused (SUBACK 0x80): one line per filter, exit 12.
t_suback_refused() {
    local d=$WORK/refuse; mkdir -p "$d"
    bg $PY $HERE/fake_server.py "$d/port" refuse >"$d/server" 2>&1
    local srv=$LAST
    wait_for "$d/port" . 50 || { fail "server did not start: $(cat "$d/server")"; return; }
    "$CLI" sub -h 127.0.0.1 -p "$(cat "$d/port")" -t x/1 -t 'x/#' -W 5 >"$d/out" 2>"$d/err"; local rc=$?
    wait_pid $srv 10; local src=$?
    local want
    want=$(printf "bmqtt-cli: subscription to 'x/1' refused by the broker (SUBACK 0x80)\nbmqtt-cli: subscription to 'x/#' refused by the broker (SUBACK 0x80)")
    if [ $rc -ne 12 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(cat "$d/err")" != "$want" ]; then fail "said: $(cat "$d/err")"
    elif [ $src -ne 0 ]; then fail "server: $(cat "$d/server")"
    else pass; fi
}

# The broker goes away under a subscriber: exit 7, one line.
t_connection_lost() {
    local d=$WORK/lost; mkdir -p "$d"
    local sp=$P sd=$BDIR
    start_broker LOST
    P=$LOST_PORT BDIR=$LOST_DIR
    sub_bg cli-lost "$d/out" "$d/err" cli/lost -t cli/lost || { fail "no subscription"; P=$sp BDIR=$sd; return; }
    kill -9 "$LOST_PID"; wait "$LOST_PID" 2>/dev/null
    wait_pid $SUB 10; local rc=$?
    P=$sp BDIR=$sd
    if [ $rc -ne 7 ]; then fail "exit $rc: $(cat "$d/err")"
    elif [ "$(wc -l <"$d/err")" -ne 1 ]; then fail "said: $(cat "$d/err")"
    else pass; echo "     $(cat "$d/err")"; fi
}

# --cafile, --cert/--key, --insecure against mosquitto's TLS listeners; TLS failures exit 8.
t_tls() {
    local d=$WORK/tls why=""; mkdir -p "$d"
    tests/tls/certs.sh "$d/c" >"$d/certs.log" 2>&1 || { fail "certificates: $(tail -3 "$d/certs.log")"; return; }
    local C=$d/c P_REQ
    P_REQ=$(free_port)
    local sp=$P sd=$BDIR
    start_broker TLS "certfile $C/server.pem" "keyfile $C/server.key" \
        "listener $P_REQ 127.0.0.1" "certfile $C/server.pem" "keyfile $C/server.key" "cafile $C/ca.pem" \
        "require_certificate true"
    wait_listen "$P_REQ" 50 || { fail "second TLS listener"; P=$sp BDIR=$sd; return; }
    P=$TLS_PORT BDIR=$TLS_DIR
    bg "$CLI" sub -h localhost -p "$P" --cafile "$C/ca.pem" -i cli-tls -q 1 -t cli/tls -C 1 -W 10 -v >"$d/out" 2>"$d/err"
    local s=$LAST
    subscribed cli-tls cli/tls || why="$why no subscription: $(cat "$d/err");"
    "$CLI" pub -h localhost -p "$P" --cafile "$C/ca.pem" -q 1 -t cli/tls -m 'over tls' 2>"$d/pub" || why="$why pub: $(cat "$d/pub");"
    wait_pid $s 10
    [ "$(cat "$d/out")" = "cli/tls over tls" ] || why="$why --cafile round trip: '$(cat "$d/out")' $(cat "$d/err");"
    "$CLI" pub -h localhost -p "$P_REQ" --cafile "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" -t cli/tls -m x \
        2>"$d/req" || why="$why --cert/--key: $(cat "$d/req");"
    "$CLI" pub -h localhost -p "$P_REQ" --cafile "$C/ca.pem" -t cli/tls -m x 2>"$d/nocert"; local nc=$?
    [ $nc -eq 8 ] || why="$why no client certificate: exit $nc $(cat "$d/nocert");"
    "$CLI" pub -h localhost -p "$P" --cafile "$C/ca.pem" --insecure -t cli/tls -m x 2>"$d/ins" || why="$why --insecure: $(cat "$d/ins");"
    "$CLI" pub -h localhost -p "$P" --cafile "$C/other-ca.pem" -t cli/tls -m x 2>"$d/bad"; local bc=$?
    [ $bc -eq 8 ] && grep -q '(-71)' "$d/bad" || why="$why wrong CA: exit $bc $(cat "$d/bad");"
    # Plain MQTT to the TLS port: the server's TLS alert is not MQTT.
    "$CLI" pub -h 127.0.0.1 -p "$P" -t cli/tls -m x 2>"$d/plain"; local pc=$?
    P=$sp BDIR=$sd
    if [ -z "$why" ]; then pass; echo "     plain MQTT to the TLS port: exit $pc: $(cat "$d/plain")"; else fail "$why"; fi
}

# --- -L URL: mqtt://, mqtts://, ws://, wss:// ------------------------------------

# badl <name> <want> <args>: as bad, with no -h/-p (the URL names them; NOPORT: nothing listens).
badl() {
    local name=$1 want=$2; shift 2
    T=url_validate_$name
    "$CLI" "$@" >"$WORK/v.out" 2>"$WORK/v.err"; local rc=$?
    if [ $rc -ne 1 ]; then fail "exit $rc: $(cat "$WORK/v.err")"
    elif grep -q '(-63)' "$WORK/v.err"; then fail "it tried to connect: $(cat "$WORK/v.err")"
    elif [ "$(cat "$WORK/v.err")" != "bmqtt-cli: $want" ]; then fail "said: $(cat "$WORK/v.err")"
    elif [ -s "$WORK/v.out" ]; then fail "stdout: $(cat "$WORK/v.out")"
    else pass; fi
}
t_url_validation() {
    local u=127.0.0.1:$NOPORT
    badl scheme "invalid URL 'http://$u/': unknown scheme (mqtt, mqtts, ws, wss)" pub -L "http://$u/" -t a -m x
    badl no_scheme "invalid URL '$u': no scheme (mqtt://, mqtts://, ws://, wss://)" pub -L "$u" -t a -m x
    badl port "invalid URL 'ws://127.0.0.1:70000/': bad port" pub -L ws://127.0.0.1:70000/ -t a -m x
    badl no_host "invalid URL 'mqtt://:1883/a': no host" pub -L mqtt://:1883/a -m x
    badl v6_bracket "invalid URL 'ws://[::1:80/': unclosed [ in host" pub -L 'ws://[::1:80/' -t a -m x
    badl path_space "invalid URL 'ws://$u/a b': path has a space or control character" pub -L "ws://$u/a b" -t a -m x
    badl with_h "-L names the host and port: give -L or -h/-p, not both" pub -L "mqtt://$u/a" -h 127.0.0.1 -m x
    badl with_p "-L names the host and port: give -L or -h/-p, not both" sub -L "ws://$u/" -p 1883 -t a
    badl tls_on_ws "the TLS options need mqtts:// or wss:// in -L, not ws://" pub -L "ws://$u/" --insecure -t a -m x
    badl tls_on_mqtt "the TLS options need mqtts:// or wss:// in -L, not mqtt://" pub -L "mqtt://$u/a" --cafile x -m x
    badl wss_no_ca "wss:// needs --cafile, --capath or --tls-use-os-certs to check the broker" pub -L "wss://$u/" -t a -m x
    badl mqtts_no_ca "mqtts:// needs --cafile, --capath or --tls-use-os-certs to check the broker" pub -L "mqtts://$u/a" -m x
    # The topic in the URL obeys the topic rules, as -t does.
    badl url_topic_plus "invalid topic 'a/+': '+' and '#' are for subscriptions, not for a topic to publish to [MQTT-3.3.2-2]" \
        pub -L "mqtt://$u/a/+" -m x
    badl ws_path_no_topic "-t topic is needed" pub -L "ws://$u/cli/topic" -m x
    # The user name from the URL (%-decoded) is checked as -u is.
    badl url_user_utf8 "the user name (-u) is not valid UTF-8 [MQTT-1.5.3-1]" pub -L "mqtt://a%C3%28:pw@$u/a" -m x
    badl url_pct "invalid URL 'mqtt://a%2:pw@$u/a': bad user name" pub -L "mqtt://a%2:pw@$u/a" -m x
    T=url_help
    "$CLI" --help >"$WORK/uh.out" 2>&1
    if grep -q '^  -L URL ' "$WORK/uh.out" && grep -q '41 WebSocket handshake refused' "$WORK/uh.out"; then pass
    else fail "--help lacks -L or exit code 41"; fi
}

# mqtt://host:port/topic names the topic (mosquitto_pub -L), and -t wins over it;
# user:password@ from the URL against a password file, -u/-P win over them.
t_url_mqtt() {
    local d=$WORK/url why=""; mkdir -p "$d"
    peer url-peer "$d/peer" 'cli/url/#' -v || { fail "no peer"; return; }
    "$CLI" pub -L "mqtt://127.0.0.1:$P/cli/url/a" -m 'from the url' -q 1 2>"$d/e1" || why="$why url topic: $(cat "$d/e1");"
    "$CLI" pub -L "mqtt://127.0.0.1:$P/cli/url/a" -t cli/url/b -m 'from -t' 2>"$d/e2" || why="$why -t: $(cat "$d/e2");"
    "$CLI" pub -L "tcp://localhost:$P/cli/url/c" -m 'tcp alias' 2>"$d/e3" || why="$why tcp://: $(cat "$d/e3");"
    wait_for "$d/peer" 'tcp alias' 50
    kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null
    [ "$(cat "$d/peer")" = "$(printf 'cli/url/a from the url\ncli/url/b from -t\ncli/url/c tcp alias')" ] ||
        why="$why peer got: $(cat -A "$d/peer");"
    # A sub with the filter in the URL.
    bg "$CLI" sub -L "mqtt://127.0.0.1:$P/cli/url2/%23" -i cli-url-sub -C 1 -W 10 -v >"$d/s.out" 2>"$d/s.err"
    local s=$LAST
    subscribed cli-url-sub 'cli/url2/%23' || why="$why no url subscription: $(cat "$d/s.err");"
    mosquitto_pub -h 127.0.0.1 -p "$P" -t 'cli/url2/%23' -m literal
    wait_pid $s 10 || why="$why sub exit $?: $(cat "$d/s.err");"
    [ "$(cat "$d/s.out")" = "cli/url2/%23 literal" ] || why="$why url sub got '$(cat "$d/s.out")';"
    if [ -z "$why" ]; then pass; else fail "$why"; fi

    T=url_user_password
    why=""
    : >"$d/passwd"; mosquitto_passwd -b "$d/passwd" bob 'p@ss:w0rd' || { fail "mosquitto_passwd"; return; }
    chmod 600 "$d/passwd"
    local sp=$P sd=$BDIR
    start_broker URLAUTH "allow_anonymous false" "password_file $d/passwd"
    P=$URLAUTH_PORT
    # '@' and ':' in a password are %40 and %3A in a URL.
    "$CLI" pub -L "mqtt://bob:p%40ss%3Aw0rd@127.0.0.1:$P/cli/auth" -m x 2>"$d/good"; local g=$?
    "$CLI" pub -L "mqtt://bob:wrong@127.0.0.1:$P/cli/auth" -m x 2>"$d/bad"; local b=$?
    mosquitto_pub -L "mqtt://bob:wrong@127.0.0.1:$P/cli/auth" -m x 2>/dev/null; local mb=$?
    "$CLI" pub -L "mqtt://bob:wrong@127.0.0.1:$P/cli/auth" -P 'p@ss:w0rd' -m x 2>"$d/over"; local o=$?
    "$CLI" pub -L "mqtt://127.0.0.1:$P/cli/auth" -m x 2>"$d/anon"; local a=$?
    P=$sp BDIR=$sd
    [ $g -eq 0 ] && [ ! -s "$d/good" ] || why="$why right password: exit $g $(cat "$d/good");"
    [ $b -eq 5 ] && [ $b -eq $mb ] || why="$why wrong password: exit $b (mosquitto_pub -L $mb);"
    [ "$(cat "$d/bad")" = "bmqtt-cli: connect to 127.0.0.1:$URLAUTH_PORT: refused: not authorized (-45)" ] || why="$why message: $(cat "$d/bad");"
    [ $o -eq 0 ] || why="$why -P over the URL's password: exit $o $(cat "$d/over");"
    [ $a -eq 5 ] || why="$why anonymous: exit $a;"
    if [ -z "$why" ]; then pass; echo "     right 0; wrong 5 (as mosquitto_pub -L); -P wins 0; none 5"; else fail "$why"; fi
}

# A mosquitto with websockets listeners, ws and wss (mosquitto 2.0.11 serves websockets only
# beside a plain listener: start_broker's, where the mosquitto_pub/_sub peers connect).
ws_broker() {
    [ -n "${WS_PORT:-}" ] && return 0
    local c=$WORK/wscerts
    tests/tls/certs.sh "$c" >"$WORK/wscerts.log" 2>&1 || { echo "     certificates: $(tail -3 "$WORK/wscerts.log")"; return 1; }
    WSC=$c WS_PORT=$(free_port) WSS_PORT=$(free_port)
    start_broker WSB "listener $WS_PORT" "protocol websockets" \
        "listener $WSS_PORT" "protocol websockets" "certfile $c/server.pem" "keyfile $c/server.key"
    wait_listen "$WS_PORT" 50 && wait_listen "$WSS_PORT" 50
}

# ws_trip <name> <url> <qos> [bmqtt-cli options]: bmqtt-cli sub over the URL, mosquitto_pub on the plain
# listener; then bmqtt-cli pub over the URL, mosquitto_sub on the plain listener. Same bytes both ways.
ws_trip() {
    local name=$1 url=$2 q=$3; shift 3
    local d=$WORK/ws-$name why=""; mkdir -p "$d"
    local sp=$P sd=$BDIR
    P=$WSB_PORT BDIR=$WSB_DIR
    local topic=cli/ws/$name id=cli-ws-$name-$$
    bg "$CLI" sub -L "$url" "$@" -i "$id" -q "$q" -t "$topic/down" -C 2 -W 10 -v >"$d/down" 2>"$d/down.err"
    local s=$LAST
    subscribed "$id" "$topic/down" || why="$why no subscription over $url: $(cat "$d/down.err");"
    mosquitto_pub -h 127.0.0.1 -p "$P" -q "$q" -t "$topic/down" -m "down q$q"
    head -c 70000 /dev/urandom | base64 -w0 >"$d/big"
    mosquitto_pub -h 127.0.0.1 -p "$P" -q "$q" -t "$topic/down" -f "$d/big"
    wait_pid $s 10; local rc=$?
    [ $rc -eq 0 ] || why="$why sub exit $rc: $(cat "$d/down.err");"
    [ "$(head -1 "$d/down")" = "$topic/down down q$q" ] || why="$why sub got '$(head -c 80 "$d/down")';"
    [ "$(sed -n 2p "$d/down")" = "$topic/down $(cat "$d/big")" ] || why="$why 70 KB message differs;"
    peer "$id-peer" "$d/up" "$topic/up" -q "$q" -C 2 -v || why="$why no peer;"
    "$CLI" pub -L "$url" "$@" -q "$q" -t "$topic/up" -m "up q$q" 2>"$d/up1.err" || why="$why pub: $(cat "$d/up1.err");"
    "$CLI" pub -L "$url" "$@" -q "$q" -t "$topic/up" -f "$d/big" 2>"$d/up2.err" || why="$why pub -f: $(cat "$d/up2.err");"
    wait_pid $PEER 10
    [ "$(cat "$d/up")" = "$(printf '%s\n%s' "$topic/up up q$q" "$topic/up $(cat "$d/big")")" ] ||
        why="$why peer got $(wc -c <"$d/up") bytes: $(head -c 80 "$d/up");"
    P=$sp BDIR=$sd
    if [ -z "$why" ]; then pass; else fail "$why"; fi
}

t_ws() {
    ws_broker || { fail "websockets broker did not start"; return; }
    T=ws_qos0; ws_trip ws0 "ws://127.0.0.1:$WS_PORT/" 0
    T=ws_qos1; ws_trip ws1 "ws://127.0.0.1:$WS_PORT/mqtt" 1
    T=ws_qos2; ws_trip ws2 "ws://localhost:$WS_PORT" 2
    T=wss_qos1; ws_trip wss1 "wss://localhost:$WSS_PORT/mqtt" 1 --cafile "$WSC/ca.pem"
    T=wss_qos2; ws_trip wss2 "wss://localhost:$WSS_PORT/mqtt" 2 --cafile "$WSC/ca.pem"
    # -d shows MQTT packets over WebSocket, as over TCP.
    T=ws_debug
    "$CLI" pub -L "ws://127.0.0.1:$WS_PORT/" -i cli-ws-d -t cli/ws/d -m x -d 2>"$WORK/wsd.err"; local rc=$?
    if [ $rc -eq 0 ] && grep -q '^Client cli-ws-d received CONNACK (0, session present 0, 4 bytes)$' "$WORK/wsd.err"; then pass
    else fail "exit $rc: $(head -3 "$WORK/wsd.err")"; fi
    # An IPv6 literal in brackets (the websockets listener binds every address, ::1 too).
    T=ws_ipv6
    "$CLI" pub -L "ws://[::1]:$WS_PORT/mqtt" -i cli-ws-v6 -t cli/ws/v6 -m x 2>"$WORK/wsv6.err"; rc=$?
    if [ $rc -eq 0 ] && grep -q 'New client connected from ::1:[0-9]* as cli-ws-v6 ' "$WSB_DIR/mosquitto.log"; then pass
    else fail "exit $rc: $(cat "$WORK/wsv6.err")"; fi
    # wss with a CA that did not sign the broker's certificate: TLS, exit 8, before any HTTP.
    T=wss_wrong_ca
    "$CLI" pub -L "wss://localhost:$WSS_PORT/mqtt" --cafile "$WSC/other-ca.pem" -t a -m x 2>"$WORK/wsca.err"; rc=$?
    if [ $rc -eq 8 ] && grep -q '(-71)' "$WORK/wsca.err"; then pass; else fail "exit $rc: $(cat "$WORK/wsca.err")"; fi
}

# The WebSocket upgrade refused: a plain HTTP server (404 for /mqtt, 200 for /), and an MQTT
# listener that takes "GET" for a bad packet and closes: exit 41, the HTTP status in the line.
t_ws_refused() {
    local d=$WORK/wsref why=""; mkdir -p "$d"
    local port; port=$(free_port)
    (cd "$d" && exec $PY -m http.server "$port" --bind 127.0.0.1 >"$d/server" 2>&1) &
    local srv=$!; PIDS="$PIDS $srv"
    wait_listen "$port" 50 || { fail "http.server did not start: $(cat "$d/server")"; return; }
    "$CLI" pub -L "ws://127.0.0.1:$port/mqtt" -t a -m x 2>"$d/e404"; local r1=$?
    "$CLI" sub -L "ws://127.0.0.1:$port/" -t a -W 5 2>"$d/e200"; local r2=$?
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    "$CLI" pub -L "ws://127.0.0.1:$P/" -t a -m x 2>"$d/emqtt"; local r3=$?
    [ $r1 -eq 41 ] && [ "$(cat "$d/e404")" = "bmqtt-cli: connect to ws://127.0.0.1:$port/mqtt: WebSocket handshake refused (HTTP status not 101) (-90): HTTP 404" ] ||
        why="$why 404: exit $r1 $(cat "$d/e404");"
    [ $r2 -eq 41 ] && grep -q '(-90): HTTP 200$' "$d/e200" || why="$why 200: exit $r2 $(cat "$d/e200");"
    [ $r3 -eq 41 ] && grep -q 'before the answer to the WebSocket upgrade$' "$d/emqtt" || why="$why mqtt port: exit $r3 $(cat "$d/emqtt");"
    grep -q '"GET /mqtt HTTP/1.1" 404' "$d/server" || why="$why server log: $(tail -2 "$d/server");"
    if [ -z "$why" ]; then pass; echo "     $(cat "$d/e404")"; else fail "$why"; fi
}

# A WebSocket server that breaks the rules after CONNACK (tests/ws/hostile_ws.py, which checks
# what the client answers): a text frame is malformed (21, close 1003 sent), the server's close
# frame is a lost connection (7, with its code), a 403 is a refused handshake (41, nothing sent after),
# Then silent_handshakes: a server that never answers the upgrade (ws://) or the ClientHello
# (mqtts://) is the CONNACK timeout (27 after 10 s) and costs no CPU while the client waits (it
# sleeps on a readable socket, not on the always-writable one: 9.6 CPU seconds of 10 before).
t_ws_hostile() {
    local d=$WORK/wshost why=""; mkdir -p "$d"
    : >"$d/verdicts"
    bg $PY tests/ws/hostile_ws.py "$d/verdicts" >"$d/port" 2>"$d/server.err"
    local srv=$LAST
    wait_for "$d/port" . 50 || { fail "hostile server did not start: $(cat "$d/server.err")"; return; }
    local hp; hp=$(head -1 "$d/port")
    # The silent one runs beside the others (10 s); bash's time gives its CPU seconds.
    ( TIMEFORMAT='%U %S'; { time "$CLI" sub -L "ws://127.0.0.1:$hp/silent" --no-subscribe -W 30 >/dev/null 2>"$d/silent.err"; \
        echo $? >"$d/silent.rc"; } 2>"$d/silent.time" ) &
    local sil=$!; PIDS="$PIDS $sil"
    bg $PY $HERE/fake_server.py "$d/tport" silent >"$d/tserver" 2>&1
    local tsrv=$LAST
    wait_for "$d/tport" . 50 || { fail "silent server did not start: $(cat "$d/tserver")"; return; }
    ( TIMEFORMAT='%U %S'; { time "$CLI" pub -L "mqtts://127.0.0.1:$(cat "$d/tport")/a" --tls-use-os-certs -m x 2>"$d/tsilent.err"; \
        echo $? >"$d/tsilent.rc"; } 2>"$d/tsilent.time" ) &
    local tsil=$!; PIDS="$PIDS $tsil"
    # --no-subscribe: nothing is sent after CONNECT, so the client's only frame after it is its close.
    hc() {
        local sc=$1 want=$2 line=$3
        "$CLI" sub -L "ws://127.0.0.1:$hp/$sc" --no-subscribe -W 10 >"$d/$sc.out" 2>"$d/$sc.err"; local rc=$?
        wait_for "$d/verdicts" " $sc(:|\$)" 50
        [ $rc -eq "$want" ] || why="$why $sc: exit $rc (want $want): $(cat "$d/$sc.err");"
        # "session: " or "connect to <url>: " before it: the fault may come in the CONNACK's read.
        [ "$(wc -l <"$d/$sc.err")" = 1 ] && grep -q "^bmqtt-cli: \(session\|connect to ws://127.0.0.1:$hp/$sc\): $line\$" "$d/$sc.err" ||
            why="$why $sc said: $(cat "$d/$sc.err");"
        grep -qx "OK $sc" "$d/verdicts" || why="$why $sc server: $(grep " $sc" "$d/verdicts");"
    }
    hc text 21 "WebSocket: text frame (MQTT needs binary) (-97): close 1003 sent"
    hc masked 21 "WebSocket: masked frame from the server (-100): close 1002 sent"
    hc close-empty 7 "WebSocket closed by the peer (-96): close code 1005"
    hc status-403 41 "WebSocket handshake refused (HTTP status not 101) (-90): HTTP 403"
    hc bad-accept 41 "WebSocket handshake: bad Sec-WebSocket-Accept (-93)"
    if [ -z "$why" ]; then pass; else fail "$why"; fi

    T=silent_handshakes
    why=""
    wait_pid $sil 20
    wait_for "$d/verdicts" " silent(:|\$)" 50
    local cpu; cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$d/silent.time" 2>/dev/null)
    [ "$(cat "$d/silent.rc" 2>/dev/null)" = 27 ] || why="$why silent: exit $(cat "$d/silent.rc" 2>/dev/null): $(cat "$d/silent.err");"
    grep -q '^bmqtt-cli: connect to ws://127.0.0.1:[0-9]*/silent: timeout (-53): ' "$d/silent.err" || why="$why silent said: $(cat "$d/silent.err");"
    awk -v c="${cpu:-99}" 'BEGIN { exit !(c < 1.0) }' || why="$why silent: ${cpu:-no} CPU seconds while waiting;"
    grep -qx "OK silent" "$d/verdicts" || why="$why silent server: $(grep " silent" "$d/verdicts");"
    wait_pid $tsil 20
    wait_pid $tsrv 5 || why="$why TLS silent server: $(cat "$d/tserver");"
    local tcpu; tcpu=$(awk '{ printf "%.2f", $1 + $2 }' "$d/tsilent.time" 2>/dev/null)
    [ "$(cat "$d/tsilent.rc" 2>/dev/null)" = 27 ] || why="$why TLS silent: exit $(cat "$d/tsilent.rc" 2>/dev/null): $(cat "$d/tsilent.err");"
    awk -v c="${tcpu:-99}" 'BEGIN { exit !(c < 1.0) }' || why="$why TLS silent: ${tcpu:-no} CPU seconds while waiting;"
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    if [ -z "$why" ]; then pass; echo "     exit 27 after 10 s: ws upgrade unanswered ${cpu} CPU seconds, TLS ClientHello unanswered ${tcpu}"
    else fail "$why"; fi
}

# --reconnect over ws://: the broker restarts (no persistence: the session is gone), the
# subscriber reconnects over a new WebSocket and subscribes again, and gets what comes next.
t_ws_reconnect() {
    ws_broker || { fail "websockets broker did not start"; return; }
    local d=$WORK/wsrc why=""; mkdir -p "$d"
    local id=cli-ws-rc-$$
    bg "$CLI" sub -L "ws://127.0.0.1:$WS_PORT/mqtt" --reconnect -i "$id" -q 1 -t cli/ws/rc -C 2 -W 30 -v -d >"$d/out" 2>"$d/err"
    local s=$LAST
    BDIR=$WSB_DIR subscribed "$id" cli/ws/rc || { fail "no subscription: $(tail -3 "$d/err")"; return; }
    mosquitto_pub -h 127.0.0.1 -p "$WSB_PORT" -q 1 -t cli/ws/rc -m before
    wait_for "$d/out" before 50 || why="$why first message missing;"
    BROKER_PID=$WSB_PID BROKER_DIR=$WSB_DIR BROKER_PORT=$WSB_PORT
    broker_stop
    sleep 0.5
    broker_restart || { fail "broker did not restart"; return; }
    BROKERS="$BROKERS $BROKER_PID"; WSB_PID=$BROKER_PID
    wait_listen "$WS_PORT" 50 || why="$why ws listener not back;"
    # The second subscription line in the broker's log (the log file is appended to).
    local n=0
    while [ "$(grep -c ": $id 1 cli/ws/rc\$" "$WSB_DIR/mosquitto.log")" -lt 2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    [ $n -lt 100 ] || why="$why no new subscription: $(tail -3 "$d/err");"
    mosquitto_pub -h 127.0.0.1 -p "$WSB_PORT" -q 1 -t cli/ws/rc -m after
    wait_pid $s 20; local rc=$?
    [ $rc -eq 0 ] || why="$why exit $rc: $(grep -v '^Client' "$d/err" | tail -3);"
    [ "$(cat "$d/out")" = "$(printf 'cli/ws/rc before\ncli/ws/rc after')" ] || why="$why got: $(cat "$d/out");"
    grep -q '^connection lost: .*; reconnecting$' "$d/err" || why="$why no 'connection lost' line;"
    if [ -z "$why" ]; then pass; echo "     back after $(( n / 10 )).$(( n % 10 )) s: $(grep '^connection lost' "$d/err" | head -1)"; else fail "$why"; fi
}

# --- run -----------------------------------------------------------------------
SELECT="$*"
run() {
    T=$1
    if [ -z "$SELECT" ] || [[ " $SELECT " == *" $1 "* ]]; then "t_$1"; fi
}
START=$(date +%s)
run help
run quiet
run message_sources
run lines
run retain
run qos
run client_id
run auth
run keepalive
run clean_session
run two_topics
run output_like_mosquitto
run timeout
run timeout_will
run dropped
run broker_inflight
run debug
run will
run validation
run connect_refused
run not_mqtt
run silent_server
run suback_refused
run connection_lost
run tls
run url_validation
run url_mqtt
run ws
run ws_refused
run ws_hostile
run ws_reconnect

echo "test-cli: $PASSED passed, $FAILED failed in $(( $(date +%s) - START )) s${FAILS:+ (failed:$FAILS)}"
[ $FAILED -eq 0 ] && [ $PASSED -gt 0 ]
