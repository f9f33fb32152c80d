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

# Nothing listening: exit 1 (as mosquitto_pub), one line with the status.
t_connect_refused() {
    cli pub -p "$NOPORT" -t a -m x 2>"$WORK/cr.err"; local rc=$?
    mosquitto_pub -h 127.0.0.1 -p "$NOPORT" -t a -m x 2>/dev/null; local mrc=$?
    if [ $rc -ne 1 ] || [ $mrc -ne 1 ]; then fail "exit $rc (mosquitto_pub $mrc)"
    elif [ "$(cat "$WORK/cr.err")" != "bmqtt-cli: connect to 127.0.0.1:$NOPORT: connection failed (-63)" ]; then
        fail "said: $(cat "$WORK/cr.err")"
    else pass; fi
    # A name that does not resolve; with a TLS option and no -p the port is 8883, as mosquitto's.
    T=host_not_found_tls_port
    "$CLI" pub -h no-such-host.invalid --insecure -t a -m x 2>"$WORK/dns.err"; rc=$?
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
    "$CLI" pub -h localhost -p "$P" --insecure -t cli/tls -m x 2>"$d/ins" || why="$why --insecure: $(cat "$d/ins");"
    "$CLI" pub -h localhost -p "$P" --cafile "$C/other-ca.pem" -t cli/tls -m x 2>"$d/bad"; local bc=$?
    [ $bc -eq 8 ] && grep -q '(-71)' "$d/bad" || why="$why wrong CA: exit $bc $(cat "$d/bad");"
    # Plain MQTT to the TLS port: the server's TLS alert is not MQTT.
    "$CLI" pub -h 127.0.0.1 -p "$P" -t cli/tls -m x 2>"$d/plain"; local pc=$?
    P=$sp BDIR=$sd
    if [ -z "$why" ]; then pass; echo "     plain MQTT to the TLS port: exit $pc: $(cat "$d/plain")"; else fail "$why"; fi
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
run debug
run will
run validation
run connect_refused
run not_mqtt
run silent_server
run suback_refused
run connection_lost
run tls

echo "test-cli: $PASSED passed, $FAILED failed in $(( $(date +%s) - START )) s${FAILS:+ (failed:$FAILS)}"
[ $FAILED -eq 0 ] && [ $PASSED -gt 0 ]
