#!/bin/bash
# bmqtt integration tests against a real mosquitto started here.
#
#   tests/integration/run.sh [test-name...]     (make test-integration)
#
# Each test prints "PASS name" or "FAIL name: why"; the script exits non-zero if
# any test failed. Nothing is skipped: a missing tool is installed with apt-get
# (Debian) or the run fails. Every broker gets its own config and data in a
# temporary directory and a free loopback port, and is stopped on every exit path.
# The independent peers are mosquitto_pub / mosquitto_sub (libmosquitto) and
# Eclipse Paho run by /usr/bin/python3.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/integration/broker.sh

BUILD=${BUILD:-build}
CLI=$BUILD/bmqtt-cli
PY=/usr/bin/python3
HERE=tests/integration
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bmqtt-itest.XXXXXX")
PIDS=""
FAILED=0
PASSED=0
FAILS=""

cleanup() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    broker_stop
    if [ "${KEEP:-0}" = 1 ]; then echo "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- tools -----------------------------------------------------------------
ensure_cmd mosquitto_pub mosquitto-clients || exit 1
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || exit 1
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
[ -x $PY ] && $PY -c 'import paho.mqtt.client' 2>/dev/null || {
    ensure_cmd __none__ python3-paho-mqtt 2>/dev/null
    $PY -c 'import paho.mqtt.client' || { echo "FAIL setup: /usr/bin/python3 with paho-mqtt is needed"; exit 1; }
}
command -v valgrind >/dev/null 2>&1 || ensure_cmd valgrind valgrind || { echo "FAIL setup: valgrind is needed"; exit 1; }
command -v cmp >/dev/null 2>&1 || { echo "FAIL setup: cmp (diffutils) is needed"; exit 1; }

if [ ! -x "$CLI" ] || [ "${NO_BUILD:-0}" != 1 ]; then
    make --no-print-directory -s integration >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; echo "FAIL setup: build"; exit 1; }
fi

# --- helpers -----------------------------------------------------------------
pass() { echo "PASS $T"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $T: $*"; FAILED=$((FAILED + 1)); FAILS="$FAILS $T"; }
bg() { "$@" & PIDS="$PIDS $!"; LAST=$!; }

# wait_for <file> <regex> [tenths]: until a line of file matches.
wait_for() {
    _n=0
    while ! grep -qE "$2" "$1" 2>/dev/null; do
        _n=$((_n + 1)); [ $_n -ge "${3:-50}" ] && return 1
        sleep 0.1
    done
    return 0
}

# wait_pid <pid> [seconds]: wait for a background process, kill it after the limit; its exit code.
wait_pid() {
    _n=0
    while kill -0 "$1" 2>/dev/null; do
        _n=$((_n + 1))
        if [ $_n -ge $(( ${2:-10} * 10 )) ]; then kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
        sleep 0.1
    done
    wait "$1"
}

# A mosquitto_sub in the background, ready once the broker logged its subscription.
# peer_sub <client-id> <out> <err> [mosquitto_sub args...]
peer_sub() {
    _id=$1 _out=$2 _err=$3; shift 3
    bg mosquitto_sub -h 127.0.0.1 -p "$P" -i "$_id" "$@" >"$_out" 2>"$_err"
    PEER=$LAST
    wait_for "$BROKER_DIR/mosquitto.log" ": $_id [0-2] " 50
}

cli() { "$CLI" -h 127.0.0.1 -p "$P" "$@"; }

# bmqtt-cli sub in the background, ready once it says "subscribed" (-d: events on stderr).
# cli_sub <out> <err> [args...]
cli_sub() {
    _out=$1 _err=$2; shift 2
    bg "$CLI" sub -h 127.0.0.1 -p "$P" -d "$@" >"$_out" 2>"$_err"
    SUB=$LAST
    wait_for "$_err" '^(subscribed|connected)' 50
}

selected() {
    [ $# -eq 0 ] && return 0
    for s in $SELECT; do [ "$s" = "$1" ] && return 0; done
    return 1
}
SELECT="$*"
run() { T=$1; if [ -z "$SELECT" ] || selected "$1"; then "t_$1"; fi; }

# --- tests -----------------------------------------------------------------

t_connect() {
    if cli pub -i itest-connect -t itest/connect -m hello 2>"$WORK/c.err" &&
       grep -q 'as itest-connect ' "$BROKER_DIR/mosquitto.log"; then pass
    else fail "$(cat "$WORK/c.err")"; fi
}

# "localhost" may resolve to ::1 first; the port must fall back to 127.0.0.1.
t_connect_localhost() {
    if "$CLI" pub -h localhost -p "$P" -i itest-localhost -t itest/connect -m hello 2>"$WORK/cl.err"; then pass
    else fail "$(cat "$WORK/cl.err")"; fi
}

t_connect_refused() {
    _port=$(free_port)
    "$CLI" pub -h 127.0.0.1 -p "$_port" -t x -m y 2>"$WORK/cr.err"
    if grep -q '(-63)' "$WORK/cr.err"; then pass; else fail "expected BMQTT_ERR_CONNECT (-63): $(cat "$WORK/cr.err")"; fi
}

t_dns_error() {
    "$CLI" pub -h no-such-host.invalid -p 1883 -t x -m y 2>"$WORK/dns.err"
    if grep -q '(-62)' "$WORK/dns.err"; then pass; else fail "expected BMQTT_ERR_DNS (-62): $(cat "$WORK/dns.err")"; fi
}

# mosquitto 2.0 answers a wrong password (and an unknown user) with CONNACK 5,
# "not authorized" (checked with mosquitto_pub -d), not 4 "bad user name or password".
t_bad_password() {
    local d=$WORK/auth; mkdir -p "$d"
    : >"$d/passwd"; mosquitto_passwd -b "$d/passwd" alice s3cret || { fail "mosquitto_passwd"; return; }
    chmod 600 "$d/passwd"
    local saved_pid=$BROKER_PID saved_port=$BROKER_PORT saved_dir=$BROKER_DIR
    BROKER_PID=""
    broker_start "$d" "allow_anonymous false" "password_file $d/passwd" || { fail "auth broker"; BROKER_PID=$saved_pid; return; }
    local ap=$BROKER_PORT why=""
    "$CLI" pub -h 127.0.0.1 -p "$ap" -u alice -P wrong -t itest/auth -m x 2>"$d/bad.err"; local rc1=$?
    "$CLI" pub -h 127.0.0.1 -p "$ap" -t itest/auth -m x 2>"$d/anon.err"; local rc2=$?
    "$CLI" pub -h 127.0.0.1 -p "$ap" -u alice -P s3cret -t itest/auth -m x 2>"$d/good.err"; local rc3=$?
    [ $rc1 -ne 0 ] && grep -q '(-45)' "$d/bad.err" || why="$why wrong password: rc=$rc1 $(cat "$d/bad.err");"
    [ $rc2 -ne 0 ] && grep -q '(-45)' "$d/anon.err" || why="$why anonymous: rc=$rc2 $(cat "$d/anon.err");"
    [ $rc3 -eq 0 ] || why="$why right password refused: $(cat "$d/good.err");"
    broker_stop
    BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir
    if [ -z "$why" ]; then pass; else fail "$why"; fi
}

# bmqtt publishes at QoS q; mosquitto_sub (subscribed at QoS 2) must get the same bytes at QoS q.
t_pub_qos() {
    local q=$1 d=$WORK/pubq$1; mkdir -p "$d"
    head -c 1000 /dev/urandom >"$d/payload"
    peer_sub "itest-peer-pub$q" "$d/out" "$d/err" -q 2 -t "itest/pub/$q" -C 1 -W 10 -F '%q %p' -N ||
        { fail "peer did not subscribe"; return; }
    local p=$PEER
    cli pub -i "itest-pub$q" -q "$q" -t "itest/pub/$q" -f "$d/payload" 2>"$d/cli.err" || { fail "pub: $(cat "$d/cli.err")"; kill $p; return; }
    wait_pid $p 10
    # "%q %p": the QoS the peer got it at, a space, the payload bytes.
    tail -c +3 "$d/out" >"$d/got"
    if [ "$(head -c 2 "$d/out")" != "$q " ]; then fail "peer did not get it at QoS $q: $(head -c 2 "$d/out")"
    elif ! cmp -s "$d/payload" "$d/got"; then fail "payload differs"
    else pass; fi
}

# mosquitto_pub publishes at QoS q; bmqtt (subscribed at QoS 2) must get the same bytes at QoS q.
t_sub_qos() {
    local q=$1 d=$WORK/subq$1; mkdir -p "$d"
    head -c 1000 /dev/urandom >"$d/payload"
    cli_sub "$d/out" "$d/err" -i "itest-sub$q" -q 2 -t "itest/sub/$q" -C 1 -W 10 --raw -d || { fail "bmqtt did not subscribe: $(cat "$d/err")"; return; }
    local s=$SUB
    mosquitto_pub -h 127.0.0.1 -p "$P" -q "$q" -t "itest/sub/$q" -f "$d/payload"
    wait_pid $s 10; local rc=$?
    if [ $rc -ne 0 ]; then fail "bmqtt-cli sub exited $rc: $(cat "$d/err")"
    elif ! grep -q "qos=$q " "$d/err"; then fail "not delivered at QoS $q: $(grep message "$d/err")"
    elif ! cmp -s "$d/payload" "$d/out"; then fail "payload differs"
    else pass; fi
}

t_retained() {
    local d=$WORK/retain; mkdir -p "$d"
    cli pub -i itest-retain -q 1 --retain -t itest/retained -m "kept by the broker" 2>"$d/pub.err" || { fail "pub: $(cat "$d/pub.err")"; return; }
    # Subscribers arriving later get it, with the retain flag set.
    mosquitto_sub -h 127.0.0.1 -p "$P" -t itest/retained -C 1 -W 5 -v >"$d/peer" 2>&1
    "$CLI" sub -h 127.0.0.1 -p "$P" -i itest-retain-sub -t itest/retained -C 1 -W 5 -v -d >"$d/cli" 2>"$d/cli.err"
    mosquitto_pub -h 127.0.0.1 -p "$P" -t itest/retained -r -n   # clear it
    if [ "$(cat "$d/peer")" != "itest/retained kept by the broker" ]; then fail "peer got: $(cat "$d/peer")"
    elif [ "$(cat "$d/cli")" != "itest/retained kept by the broker" ]; then fail "bmqtt got: $(cat "$d/cli") $(cat "$d/cli.err")"
    elif ! grep -q 'retain=1' "$d/cli.err"; then fail "bmqtt did not see the retain flag"
    else pass; fi
}

# The will is published when the client dies without DISCONNECT, and not when it says goodbye.
t_will() {
    local d=$WORK/will; mkdir -p "$d"
    peer_sub itest-peer-will "$d/peer" "$d/peer.err" -t itest/will -C 1 -W 10 -v || { fail "peer did not subscribe"; return; }
    local p=$PEER
    cli_sub "$d/out" "$d/err" -i itest-will -k 30 -t itest/nothing --will-topic itest/will --will-message "bmqtt died" --will-qos 1 ||
        { fail "bmqtt did not connect: $(cat "$d/err")"; kill $p; return; }
    kill -9 "$SUB"; wait "$SUB" 2>/dev/null
    wait_pid $p 10
    if ! grep -q '^itest/will bmqtt died$' "$d/peer"; then fail "will not delivered after kill -9: $(cat "$d/peer")"; return; fi
    # Negative control: a clean DISCONNECT discards the will.
    peer_sub itest-peer-will2 "$d/peer2" "$d/peer2.err" -t itest/will2 -C 1 -W 2 -v || { fail "peer did not subscribe"; return; }
    p=$PEER
    cli pub -i itest-will2 -t itest/other -m x --will-topic itest/will2 --will-message "should not appear" 2>"$d/err2"
    wait_pid $p 5
    if grep -q 'should not appear' "$d/peer2"; then fail "will published after a clean DISCONNECT"; else pass; fi
}

# Subscribe with clean session 0, leave; 100 QoS 1 + 100 QoS 2 are queued by the
# broker; come back without subscribing again: all 200 arrive, none twice.
t_persistent_session() {
    local d=$WORK/persist; mkdir -p "$d"
    cli sub -c -i itest-persist -q 2 -t itest/persist --subscribe-only 2>"$d/sub1.err" || { fail "subscribe: $(cat "$d/sub1.err")"; return; }
    seq -f 'q1-%g' 1 100 | mosquitto_pub -h 127.0.0.1 -p "$P" -q 1 -t itest/persist -l || { fail "peer publish q1"; return; }
    seq -f 'q2-%g' 1 100 | mosquitto_pub -h 127.0.0.1 -p "$P" -q 2 -t itest/persist -l || { fail "peer publish q2"; return; }
    cli sub -c -i itest-persist -q 2 -t itest/persist --no-subscribe -C 200 --linger 1 -W 20 -d >"$d/out" 2>"$d/err"
    local rc=$?
    { seq -f 'q1-%g' 1 100; seq -f 'q2-%g' 1 100; } | sort >"$d/want"
    sort "$d/out" >"$d/got"
    local n dup
    n=$(wc -l <"$d/out"); dup=$(sort "$d/out" | uniq -d | wc -l)
    if [ $rc -ne 0 ]; then fail "bmqtt-cli exited $rc: $(tail -3 "$d/err")"
    elif ! grep -q 'session present: 1' "$d/err"; then fail "broker had no session"
    elif [ "$dup" -ne 0 ]; then fail "$dup duplicated"
    elif ! cmp -s "$d/want" "$d/got"; then fail "received $n of 200: $(comm -23 "$d/want" "$d/got" | wc -l) missing"
    else pass; echo "     200 of 200 received, 0 duplicated"; fi
}

# 1000 QoS 2 publishes by bmqtt (clean session 0, reconnecting); the broker is
# stopped in the middle and started again with its persistence file, same port.
# A Paho subscriber with a persistent session counts: 0 lost, 0 duplicated.
t_broker_restart() {
    local d=$WORK/restart; mkdir -p "$d/data"
    local saved_pid=$BROKER_PID saved_port=$BROKER_PORT saved_dir=$BROKER_DIR
    BROKER_PID=""
    broker_start "$d" "persistence true" "persistence_location $d/data/" "autosave_interval 1" ||
        { fail "broker"; BROKER_PID=$saved_pid; return; }
    local rp=$BROKER_PORT
    bg $PY $HERE/peer.py count --port "$rp" --topic itest/restart --qos 2 --id itest-restart-sub \
        --expect 1000 --linger 2 --timeout 90 --ready "$d/ready" >"$d/peer" 2>&1
    local peer=$LAST
    wait_for "$d/ready" ready 100 || { fail "peer did not subscribe: $(cat "$d/peer")"; broker_stop; BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir; return; }
    seq -f 'msg-%g' 1 1000 >"$d/lines"
    # A background job's stdin is /dev/null in sh, so the lines file is opened inside the job.
    bg sh -c 'exec "$@" <"$0"' "$d/lines" "$CLI" pub -h 127.0.0.1 -p "$rp" -c -i itest-restart-pub -q 2 \
        -t itest/restart -l --interval-ms 4 --reconnect -d >"$d/pub.out" 2>"$d/pub.err"
    local pub=$LAST
    sleep 1.5
    local sent_before
    sent_before=$(grep -c 'sending PUBLISH' "$d/pub.err")
    broker_stop TERM
    sleep 1
    broker_restart || { fail "broker did not restart"; }
    wait_pid $pub 60; local prc=$?
    wait_pid $peer 90; local src=$?
    broker_stop
    BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir
    local reconnects
    reconnects=$(grep -c '^connected' "$d/pub.err")
    if [ $prc -ne 0 ]; then fail "publisher exited $prc: $(tail -3 "$d/pub.err")"
    elif [ "$reconnects" -lt 2 ]; then fail "the broker restart was not seen by the publisher (connected $reconnects times)"
    elif [ $src -ne 0 ]; then fail "subscriber: $(cat "$d/peer")"
    else pass; echo "     restart after ~$sent_before publishes; subscriber: $(cat "$d/peer")"; fi
}

# Keepalive 2 s, 10 s without traffic: mosquitto drops a client silent for 1.5 x keepalive,
# so the connection only survives if bmqtt sends PINGREQ. Its debug log counts them.
t_keepalive() {
    local d=$WORK/ka; mkdir -p "$d"
    local saved_pid=$BROKER_PID saved_port=$BROKER_PORT saved_dir=$BROKER_DIR
    BROKER_PID=""
    broker_start "$d" "log_type debug" || { fail "broker"; BROKER_PID=$saved_pid; return; }
    local kp=$BROKER_PORT
    bg "$CLI" sub -h 127.0.0.1 -p "$kp" -i itest-keepalive -k 2 -t itest/ka -C 1 -W 30 -d >"$d/out" 2>"$d/err"
    local s=$LAST
    wait_for "$d/err" '^subscribed' 50 || { fail "no subscribe: $(cat "$d/err")"; }
    sleep 10
    mosquitto_pub -h 127.0.0.1 -p "$kp" -t itest/ka -m "still here"
    wait_pid $s 5; local rc=$?
    local pings
    pings=$(grep -c 'Received PINGREQ from itest-keepalive' "$d/mosquitto.log")
    broker_stop
    BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir
    if [ $rc -ne 0 ]; then fail "connection not held: rc=$rc $(tail -2 "$d/err")"
    elif [ "$(cat "$d/out")" != "still here" ]; then fail "message after 10 s silence not received"
    elif grep -q 'itest-keepalive.*exceeded timeout' "$d/mosquitto.log"; then fail "broker timed the client out"
    elif [ "$pings" -lt 4 ]; then fail "only $pings PINGREQ in 10 s"
    else pass; echo "     $pings PINGREQ in 10 s"; fi
}

# 1 MiB through a 1 KiB receive buffer (delivered in chunks), and 1 MiB sent from the caller's memory.
t_large_payload() {
    local d=$WORK/large; mkdir -p "$d"
    head -c 1048576 /dev/urandom >"$d/big"
    cli_sub "$d/out" "$d/err" -i itest-large-sub -q 1 -t itest/large -C 1 -W 20 --raw --rx-size 1024 -d ||
        { fail "bmqtt did not subscribe: $(cat "$d/err")"; return; }
    local s=$SUB
    mosquitto_pub -h 127.0.0.1 -p "$P" -q 1 -t itest/large -f "$d/big"
    wait_pid $s 20; local rc=$?
    if [ $rc -ne 0 ]; then fail "sub exited $rc: $(tail -2 "$d/err")"; return; fi
    if ! cmp -s "$d/big" "$d/out"; then fail "received payload differs ($(wc -c <"$d/out") bytes)"; return; fi
    local chunks
    chunks=$(sed -n 's/.*chunks=\([0-9]*\).*/\1/p' "$d/err" | head -1)
    [ "${chunks:-0}" -gt 1 ] || { fail "not delivered in chunks: $(grep message "$d/err")"; return; }
    # The other way: bmqtt publishes 1 MiB, mosquitto_sub receives it.
    peer_sub itest-peer-large "$d/peer" "$d/peer.err" -q 1 -t itest/large2 -C 1 -W 20 -N || { fail "peer did not subscribe"; return; }
    local p=$PEER
    cli pub -i itest-large-pub -q 1 -t itest/large2 -f "$d/big" 2>"$d/pub.err" || { fail "pub: $(cat "$d/pub.err")"; kill $p; return; }
    wait_pid $p 20
    if ! cmp -s "$d/big" "$d/peer"; then fail "payload published by bmqtt differs"
    else pass; echo "     1 MiB in $chunks chunks through a 1024-byte rx buffer, and back"; fi
}

# A hostile server answers CONNACK then sends one malformed packet. bmqtt-cli
# (under valgrind) must report exactly the status expected, close the
# connection and exit cleanly with no memory error.
bad_case() {
    local name=$1 hex=$2 want=$3 d=$WORK/bad/$1
    T="bad_input_$name"
    mkdir -p "$d"
    bg $PY $HERE/bad_broker.py "$d/port" "$hex" >"$d/server" 2>&1
    local srv=$LAST
    wait_for "$d/port" . 50 || { fail "server did not start: $(cat "$d/server")"; return; }
    valgrind -q --error-exitcode=99 --leak-check=no "$CLI" sub -h 127.0.0.1 -p "$(cat "$d/port")" -i itest-bad \
        -t itest/bad -W 10 >"$d/out" 2>"$d/err"
    local rc=$?
    wait_pid $srv 10; local src=$?
    if [ $rc -eq 99 ]; then fail "valgrind: $(head -5 "$d/err")"
    elif ! grep -q "($want)" "$d/err"; then fail "expected status $want: $(grep -v '^==' "$d/err" | tail -2)"
    elif [ $rc -ne 21 ]; then fail "exit code $rc (want 21: the broker sent a malformed packet)"
    elif [ $src -ne 0 ]; then fail "connection not closed by the client: $(cat "$d/server")"
    else pass; fi
}

t_bad_input() {
    bad_case length       "30 04 00 FF 41 42"       -13  # topic length 255 overruns the packet
    bad_case qos3         "36 05 00 01 61 00 01"    -14  # PUBLISH with QoS 3
    bad_case utf8_topic   "30 05 00 02 C3 28 41"    -16  # topic bytes C3 28: not UTF-8
    bad_case wildcard     "30 04 00 01 23 41"       -17  # topic name "#"
    bad_case varint       "30 FF FF FF FF 01"       -12  # 5-byte remaining length
    bad_case type0        "00 00"                   -10  # reserved packet type 0
    bad_case flags        "60 02 00 01"             -11  # PUBREL without its 0b0010 flags
    bad_case packet_id0   "40 02 00 00"             -15  # PUBACK for packet id 0
    bad_case dup_qos0     "38 04 00 01 61 41"       -25  # DUP set on QoS 0 [MQTT-3.3.1-2]
    bad_case connack2     "20 02 00 00"             -25  # a second CONNACK
    bad_case suback_code  "90 03 00 01 03"          -20  # SUBACK return code 3
}

# A hostile server (tests/integration/itest_hostile.c, under valgrind) answers a
# real client with every row of the malformed table, a CONNACK before the
# CONNECT is read, SUBACK/UNSUBACK for ids never sent, oversize lengths and
# PUBLISH/PUBREL in 1-byte TCP segments: the exact status every time, the
# connection closed by the client, no memory error.
t_hostile() {
    local out=$WORK/hostile.out
    valgrind -q --error-exitcode=99 --leak-check=full "$BUILD/itest_hostile" tests/vectors/malformed.txt >"$out" 2>&1
    local rc=$?
    if [ $rc -eq 0 ]; then pass; echo "     $(tail -1 "$out")"
    else fail "exit $rc: $(grep -E 'FAIL|==|server' "$out" | head -5)"; fi
}

# The STM32 examples' sensor application (examples/common/sensor_app.c) on the
# POSIX port: one retained "online" per connection, its readings in order, its
# command topic working ("led on"), and no will after its graceful disconnect.
t_sensor_app() {
    local d=$WORK/sensor; mkdir -p "$d"
    peer_sub itest-sensor-peer "$d/sub" "$d/sub.err" -t 'devices/itest-sensor/#' -v -q 1 ||
        { fail "mosquitto_sub did not subscribe"; return; }
    local peer=$PEER
    bg "$BUILD/itest_sensor" "$P" itest-sensor 6 20 >"$d/app" 2>"$d/app.err"
    local app=$LAST
    wait_for "$BROKER_DIR/mosquitto.log" "itest-sensor 1 devices/itest-sensor/cmd" 100 ||
        { fail "the application did not subscribe to its command topic"; return; }
    mosquitto_pub -h 127.0.0.1 -p "$P" -t devices/itest-sensor/cmd -q 1 -m "led on"
    wait_pid $app 25; local rc=$?
    sleep 0.5
    kill "$peer" 2>/dev/null
    local online offline temps
    online=$(grep -c '^devices/itest-sensor/status online$' "$d/sub")
    offline=$(grep -c 'offline' "$d/sub")
    temps=$(grep '^devices/itest-sensor/temperature ' "$d/sub" | awk '{print $2}' | tr '\n' ' ')
    if [ $rc -ne 0 ]; then fail "application exited $rc: $(cat "$d/app.err")"
    elif [ "$online" -ne 1 ]; then fail "$online \"online\" messages (want exactly 1): $(head -5 "$d/sub")"
    elif [ "$offline" -ne 0 ]; then fail "the will was published after a graceful disconnect"
    elif ! grep -q '^led 1$' "$d/app"; then fail "the command did not reach the application: $(cat "$d/app")"
    elif [ "${temps%% *}" != "21.5" ] || ! echo "$temps" | grep -q '^21.5 21.6 21.7 21.8 21.9 22.0'; then
        fail "readings: $temps"
    else pass; echo "     1 online, readings $temps, $(grep readings "$d/app")"; fi
}

# Clean session 0, messages lost in flight, and a broker restarted without
# persistence (Session Present 0 on the reconnect): every message is resent
# anyway [MQTT-4.4.0-1] and mosquitto_sub receives all of them.
t_resend_lost_session() {
    local d=$WORK/resend; mkdir -p "$d"
    local saved_pid=$BROKER_PID saved_port=$BROKER_PORT saved_dir=$BROKER_DIR
    BROKER_PID=""
    broker_start "$d" || { fail "broker"; BROKER_PID=$saved_pid; return; }
    local rp=$BROKER_PORT
    rm -f "$d/go" && mkfifo "$d/go"
    bg sh -c 'exec "$0" "$1" itest-resend 10 <"$2" >"$3"' "$BUILD/itest_resend" "$rp" "$d/go" "$d/out"
    local app=$LAST
    exec 7>"$d/go"
    if ! wait_for "$d/out" '^lost 10' 50; then
        fail "phase 1: $(cat "$d/out")"; exec 7>&-; broker_stop
        BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir; return
    fi
    broker_kill
    broker_restart || { fail "broker did not restart"; exec 7>&-; return; }
    bg mosquitto_sub -h 127.0.0.1 -p "$rp" -i itest-resend-sub -t itest/resend -q 1 -C 10 -W 15 >"$d/sub"
    local sub=$LAST
    wait_for "$BROKER_DIR/mosquitto.log" "itest-resend-sub 1 itest/resend" 50
    echo go >&7
    exec 7>&-
    wait_pid $app 20; local rc=$?
    wait_pid $sub 20; local src=$?
    broker_stop
    BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir
    local got
    got=$(tr '\n' ' ' <"$d/sub")
    if [ $rc -ne 0 ]; then fail "itest_resend exited $rc: $(cat "$d/out")"
    elif [ $src -ne 0 ] || [ "$got" != "m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 " ]; then
        fail "mosquitto_sub (exit $src) got: $got"
    else pass; echo "     $(tail -1 "$d/out"); mosquitto_sub got $got"; fi
}

# bmqtt-cli --reconnect on bmqtt's reconnect helper, across a broker restart
# without persistence (the broker loses every session): sub subscribes again and
# receives what is published after the restart; pub with one message in flight
# when the broker goes away does not hang (the message ends with its event and
# the rest are published).
t_reconnect_cli() {
    local d=$WORK/rcli; mkdir -p "$d"
    local saved_pid=$BROKER_PID saved_port=$BROKER_PORT saved_dir=$BROKER_DIR
    BROKER_PID=""
    broker_start "$d" || { fail "broker"; BROKER_PID=$saved_pid; return; }
    local rp=$BROKER_PORT
    bg "$CLI" sub -h 127.0.0.1 -p "$rp" -t itest/rc -q 1 --reconnect -d -C 2 -W 60 >"$d/sub" 2>"$d/sub.err"
    local sub=$LAST
    wait_for "$d/sub.err" '^subscribed' 50 || { fail "sub did not subscribe: $(tail -3 "$d/sub.err")"; broker_stop; return; }
    mosquitto_pub -h 127.0.0.1 -p "$rp" -t itest/rc -q 1 -m one
    wait_for "$d/sub" '^one$' 50
    seq -f 'line-%g' 1 60 >"$d/lines"
    bg sh -c 'exec "$@" <"$0"' "$d/lines" "$CLI" pub -h 127.0.0.1 -p "$rp" -q 1 -t itest/rc-pub -l \
        --inflight 1 --interval-ms 25 --reconnect -d >"$d/pub.out" 2>"$d/pub.err"
    local pub=$LAST
    sleep 0.5
    broker_kill
    sleep 0.3
    broker_restart || { fail "broker did not restart"; return; }
    # The subscriber's session was lost with the broker: subscribed again by the helper (the
    # log is appended across the restart: wait for the second SUBSCRIBE line).
    local n=0
    while [ "$(grep -c ' itest/rc$' "$BROKER_DIR/mosquitto.log")" -lt 2 ] && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1))
    done
    mosquitto_pub -h 127.0.0.1 -p "$rp" -t itest/rc -q 1 -m two
    wait_pid $sub 30; local src=$?
    wait_pid $pub 60; local prc=$?
    broker_stop
    BROKER_PID=$saved_pid BROKER_PORT=$saved_port BROKER_DIR=$saved_dir
    local connects
    connects=$(grep -c '^connected' "$d/sub.err")
    if [ $src -ne 0 ] || [ "$(tr '\n' ' ' <"$d/sub")" != "one two " ]; then
        fail "sub (exit $src, $connects connections) got: $(tr '\n' ' ' <"$d/sub"); $(tail -2 "$d/sub.err")"
    elif [ "$connects" -lt 2 ]; then fail "sub saw no reconnect"
    elif [ $prc -eq 124 ]; then fail "pub --reconnect --inflight 1 hung"
    elif [ $prc -ne 0 ] && [ $prc -ne 7 ]; then fail "pub exited $prc: $(tail -2 "$d/pub.err")"
    else pass; echo "     sub re-subscribed after the restart ($connects connections); pub exited $prc ($(grep -c dropped "$d/pub.err") dropped with a reason)"; fi
}

# docs/PORTING.md's two tasks with lock hooks (tests/integration/itest_tasks.c), built
# with ThreadSanitizer: one task polls, the other publishes QoS 1 every millisecond.
# No data race is reported, and mosquitto_sub receives every message, each once.
t_two_tasks_tsan() {
    local d=$WORK/tasks; mkdir -p "$d"
    make --no-print-directory -s BUILD="$BUILD/tsan" CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
        "$BUILD/tsan/itest_tasks" >"$d/build" 2>&1 || { fail "build: $(tail -3 "$d/build")"; return; }
    peer_sub itest-tasks-peer "$d/sub" "$d/sub.err" -t itest/tasks -q 1 -C 2000 -W 60 ||
        { fail "mosquitto_sub did not subscribe"; return; }
    local peer=$PEER
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$BUILD/tsan/itest_tasks" "$P" itest-tasks 2000 >"$d/out" 2>"$d/err"
    local rc=$?
    wait_pid $peer 30
    local got dups
    got=$(sort -u "$d/sub" | wc -l)
    dups=$(( $(wc -l <"$d/sub") - got ))
    if [ $rc -ne 0 ]; then fail "exit $rc: $(grep -E 'WARNING|#0|#1' "$d/err" | head -6) $(cat "$d/out")"
    elif grep -q ThreadSanitizer "$d/err"; then fail "ThreadSanitizer: $(grep -E 'WARNING|#0' "$d/err" | head -4)"
    elif [ "$got" -ne 2000 ] || [ $dups -ne 0 ]; then fail "mosquitto_sub got $got distinct messages, $dups repeated"
    else pass; echo "     $(cat "$d/out"); mosquitto_sub got $got, none twice; no ThreadSanitizer report"; fi
}

# A low-power loop (tests/integration/itest_lowpower.c) that sleeps exactly
# bmqtt_client_sleep_ms() and never wakes on data, Keep Alive 5 s, for a minute:
# mosquitto never drops it (it would after 7.5 s of silence [MQTT-3.1.2-24]).
# Started first, in the background; its result is read at the end.
LOWPOWER_S=${LOWPOWER_S:-60}
start_low_power() {
    bg "$BUILD/itest_lowpower" "$P" itest-lowpower "$LOWPOWER_S" >"$WORK/lowpower" 2>&1
    LOWPOWER_PID=$LAST
}
t_low_power_loop() {
    wait_pid "$LOWPOWER_PID" $((LOWPOWER_S + 30)); local rc=$?
    if [ $rc -ne 0 ]; then fail "exit $rc: $(cat "$WORK/lowpower"); $(grep -i 'itest-lowpower' "$BROKER_DIR/mosquitto.log" | tail -2)"
    elif grep -q 'Client itest-lowpower has exceeded timeout' "$BROKER_DIR/mosquitto.log"; then fail "mosquitto timed it out"
    else pass; echo "     $(cat "$WORK/lowpower")"; fi
}

# --- run ---------------------------------------------------------------------
START=$(date +%s)
broker_start "$WORK" || { echo "FAIL setup: mosquitto did not start"; exit 1; }
P=$BROKER_PORT
echo "mosquitto $("$MOSQUITTO" -h | head -1 | sed 's/^mosquitto version //') on 127.0.0.1:$P, work dir $WORK"
if [ -z "$SELECT" ] || selected low_power_loop; then start_low_power; fi

run connect
run connect_localhost
run connect_refused
run dns_error
run bad_password
for q in 0 1 2; do T="pub_qos$q"; if [ -z "$SELECT" ] || selected pub_qos; then t_pub_qos $q; fi; done
for q in 0 1 2; do T="sub_qos$q"; if [ -z "$SELECT" ] || selected sub_qos; then t_sub_qos $q; fi; done
run retained
run will
run persistent_session
run broker_restart
run keepalive
run large_payload
if [ -z "$SELECT" ] || selected bad_input; then t_bad_input; fi
run hostile
run sensor_app
run resend_lost_session
run reconnect_cli
run two_tasks_tsan
run low_power_loop

echo "integration: $PASSED passed, $FAILED failed in $(( $(date +%s) - START )) s${FAILS:+ (failed:$FAILS)}"
[ $FAILED -eq 0 ] && [ $PASSED -gt 0 ]
