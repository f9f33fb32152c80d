#!/bin/sh
# WebSocket port tests (make test-ws): the bmqtt client over port/websocket, against
#  - mosquitto's websockets listener, ws and wss (certificates by tests/tls/certs.sh), with
#    mosquitto_sub / mosquitto_pub on the broker's plain listener as the independent peer;
#  - RabbitMQ's rabbitmq_web_mqtt (path /ws), sandboxed here, mosquitto_sub / mosquitto_pub on
#    its MQTT listener as the peer (QoS <= 1: RabbitMQ downgrades QoS 2);
#  - tests/ws/hostile_ws.py, a WebSocket server that breaks every rule a client must check,
#    with the client built with ASan + UBSan.
#
#   tests/ws/run.sh [ws_test [ws_test-asan]]
#   WS_RABBIT=0 tests/ws/run.sh      without RabbitMQ (reported as FAIL, never as a pass)
#
# Prints PASS/FAIL per test; exits non-zero when anything failed or could not run.
set -u
BIN=${1:-build/ws_test}
ASAN_BIN=${2:-$BIN}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
# shellcheck source=../integration/broker.sh
. "$root/tests/integration/broker.sh"

PASS=0; FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }

for b in "$BIN" "$ASAN_BIN"; do [ -x "$b" ] || { echo "FAIL ws: $b not built (make test-ws)"; exit 1; }; done
ensure_cmd openssl openssl || { echo "FAIL ws: openssl missing"; exit 1; }
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || { echo "FAIL ws: mosquitto missing"; exit 1; }
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
ensure_cmd mosquitto_sub mosquitto-clients || { echo "FAIL ws: mosquitto_sub missing"; exit 1; }
[ -x $PY ] || { echo "FAIL ws: $PY missing"; exit 1; }

tmp=$(mktemp -d)
HOSTILE_PID=""; RABBIT_PID=""; EPMD_PID=""
cleanup() {
    broker_stop
    [ -n "$HOSTILE_PID" ] && kill "$HOSTILE_PID" 2>/dev/null && wait "$HOSTILE_PID" 2>/dev/null
    rabbit_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- API checks and the send path on a scripted lower transport ----------------------
if "$ASAN_BIN" api >"$tmp/api.out" 2>&1; then ok "api: setup checks, RFC 6455 section 1.3 key/accept, send path (ASan)"
else ko "api"; sed 's/^/    /' "$tmp/api.out"; fi

# --- the hostile server ---------------------------------------------------------------
echo "== hostile WebSocket server (client built with ASan + UBSan)"
: >"$tmp/verdicts"
$PY "$here/hostile_ws.py" "$tmp/verdicts" >"$tmp/hostile.port" 2>"$tmp/hostile.err" &
HOSTILE_PID=$!
n=0; while [ ! -s "$tmp/hostile.port" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
HP=$(head -1 "$tmp/hostile.port")

# h <scenario> <expected status> <what the end line must also say> [ws_test options...]
h() {
    _s=$1 _want=$2 _also=$3; shift 3
    : >"$tmp/h.out"
    timeout 30 "$ASAN_BIN" --timeout 15 --expect "$_want" "$@" run "ws://127.0.0.1:$HP/$_s" >"$tmp/h.out" 2>"$tmp/h.err"
    _rc=$?
    _n=0; while ! grep -q " $_s\( \|:\|\$\)" "$tmp/verdicts" && [ $_n -lt 100 ]; do sleep 0.05; _n=$((_n + 1)); done
    _v=$(grep " $_s\( \|:\|\$\)" "$tmp/verdicts" | tail -1)
    if [ $_rc -eq 0 ] && grep -q "^end .*$_also" "$tmp/h.out" && [ "$_v" = "OK $_s" ]; then
        ok "hostile $_s -> $_want ($_also)"
    else
        ko "hostile $_s -> $_want ($_also): rc=$_rc; server: ${_v:-no verdict}"
        sed 's/^/    /' "$tmp/h.out" "$tmp/h.err" | tail -15
    fi
}
# Good servers: the client takes all of it and ends with the server's close (answered).
h frag BMQTT_ERR_WS_CLOSED "close=1000 .*messages=4" # fragments, pings/pongs between them, packets across frames [MQTT-6.0.0-2]
h split101 BMQTT_ERR_WS_CLOSED "close=1001" # 101 a byte per read, CONNACK a byte per frame
h joined BMQTT_ERR_WS_CLOSED "close=1000 .*messages=1" # 101 + ping in one read; CONNACK + PUBLISH + close in one
h ping125 BMQTT_ERR_WS_CLOSED "close=1000" # pong echoes a 125-byte ping (section 5.5.3)
h big BMQTT_ERR_WS_CLOSED "close=4000 .*messages=2" # 64-bit and 16-bit server lengths
h connlist BMQTT_ERR_WS_CLOSED "close=1000" # Connection: keep-alive, Upgrade (a token list)
h upgrade-case BMQTT_ERR_WS_CLOSED "close=1000" # header names and tokens case-insensitive
h noproto-allowed BMQTT_ERR_WS_CLOSED "close=1000" --allow-no-subprotocol
h close-empty BMQTT_ERR_WS_CLOSED "close=1005" # close without a code: answered without one
h close-frag BMQTT_ERR_WS_CLOSED "close=1001" # close between the fragments of a message
h tcpclose BMQTT_ERR_CLOSED "close=1006" # TCP FIN between messages, no close frame
h midframe BMQTT_ERR_WS_TRUNCATED "close=1006" # TCP FIN inside a frame
# Refused handshakes: distinct statuses, and not one byte sent afterwards (the server checks).
h bad-accept BMQTT_ERR_WS_ACCEPT "handshake_failed=1"
h no-accept BMQTT_ERR_WS_ACCEPT "handshake_failed=1"
h dup-accept BMQTT_ERR_WS_ACCEPT "handshake_failed=1"
h no-proto BMQTT_ERR_WS_SUBPROTOCOL "handshake_failed=1" # [MQTT-6.0.0-4], the default policy
h other-proto BMQTT_ERR_WS_SUBPROTOCOL "handshake_failed=1"
h ext BMQTT_ERR_WS_EXTENSION "handshake_failed=1"
h status-403 BMQTT_ERR_WS_HTTP_STATUS "http=403 .*handshake_failed=1"
h redirect-301 BMQTT_ERR_WS_HTTP_STATUS "http=301 .*handshake_failed=1" # redirects are not followed
h no-upgrade BMQTT_ERR_WS_BAD_RESPONSE "handshake_failed=1"
h no-connection BMQTT_ERR_WS_BAD_RESPONSE "handshake_failed=1"
h fold BMQTT_ERR_WS_BAD_RESPONSE "handshake_failed=1"
h huge BMQTT_ERR_WS_RESPONSE_TOO_LONG "handshake_failed=1"
h cut101 BMQTT_ERR_WS_TRUNCATED "handshake_failed=1"
h silent BMQTT_ERR_TIMEOUT "handshake_failed=1" --response-ms 2000 # no answer: the client's deadline ends it
# Framing faults after CONNACK: the client answers with close 1002/1003/1009, then stops.
h masked BMQTT_ERR_WS_MASKED "ws_open=1"
h rsv1 BMQTT_ERR_WS_RSV "ws_open=1"
h rsv3 BMQTT_ERR_WS_RSV "ws_open=1"
h op3 BMQTT_ERR_WS_OPCODE "ws_open=1"
h op11 BMQTT_ERR_WS_OPCODE "ws_open=1"
h text BMQTT_ERR_WS_TEXT "ws_open=1" # [MQTT-6.0.0-1]: close 1003
h ping126 BMQTT_ERR_WS_CONTROL "ws_open=1"
h pingfrag BMQTT_ERR_WS_CONTROL "ws_open=1"
h close1 BMQTT_ERR_WS_CONTROL "ws_open=1"
h closebad BMQTT_ERR_WS_CONTROL "ws_open=1"
h len64top BMQTT_ERR_WS_LENGTH "ws_open=1"
h len16short BMQTT_ERR_WS_LENGTH "ws_open=1" # non-minimal lengths are refused (policy)
h len64short BMQTT_ERR_WS_LENGTH "ws_open=1"
h toobig BMQTT_ERR_WS_TOO_BIG "ws_open=1" # close 1009, the payload is not read
h toobig-max BMQTT_ERR_WS_TOO_BIG "ws_open=1"
h cont-first BMQTT_ERR_WS_FRAGMENT "ws_open=1"
h binary-in-frag BMQTT_ERR_WS_FRAGMENT "ws_open=1"
# The same client through a lower layer that moves 1..7 bytes per call and blocks every other call.
# The close frame answering the server's goes out once, without waiting: here it may stop short.
h "frag?cut-close-ok" BMQTT_ERR_WS_CLOSED "close=1000 .*messages=4" --shaky
h "big?cut-close-ok" BMQTT_ERR_WS_CLOSED "close=4000 .*messages=2" --shaky --tx 131 --rx 200
h "joined?cut-close-ok" BMQTT_ERR_WS_CLOSED "close=1000 .*messages=1" --shaky
h "ping125?cut-close-ok" BMQTT_ERR_WS_CLOSED "close=1000" --shaky --tx 131
grep -q '^FAIL' "$tmp/verdicts" && { echo "    server verdicts:"; grep '^FAIL' "$tmp/verdicts" | sed 's/^/    /'; }
kill "$HOSTILE_PID" 2>/dev/null; wait "$HOSTILE_PID" 2>/dev/null; HOSTILE_PID=""

# --- mosquitto: ws and wss ----------------------------------------------------------------
C=$tmp/certs
if ! "$root/tests/tls/certs.sh" "$C" >"$tmp/certs.log" 2>&1; then echo "FAIL ws: certificates"; cat "$tmp/certs.log"; exit 1; fi
WSP=$(free_port); WSSP=$(free_port)
mkdir -p "$tmp/broker"
# mosquitto 2.0.11 serves websockets only beside a plain listener (broker_start's, used by the peers).
broker_start "$tmp/broker" "listener $WSP" "protocol websockets" \
    "listener $WSSP" "protocol websockets" "certfile $C/server.pem" "keyfile $C/server.key" \
    || { echo "FAIL ws: mosquitto did not start"; exit 1; }
for p in $WSP $WSSP; do wait_listen "$p" 50 || { echo "FAIL ws: listener $p not up"; cat "$tmp/broker/mosquitto.log"; exit 1; }; done
P=$BROKER_PORT

# wait until mosquitto logged the subscription of client id $1
sub_ready() { _n=0; while ! grep -q " $1 [0-2] " "$tmp/broker/mosquitto.log" 2>/dev/null && [ $_n -lt 100 ]; do sleep 0.05; _n=$((_n + 1)); done; }

# up <name> <url> <qos> <size> [ws_test options]: bmqtt publishes; mosquitto_sub must get the same bytes at that QoS.
up() {
    _name=$1 _url=$2 _q=$3 _n=$4; shift 4
    _t=ws/up/$_q/$_n/$$
    _id=peer-up-$_q-$_n-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    mosquitto_sub -h 127.0.0.1 -p "$P" -i "$_id" -t "$_t" -q 2 -C 1 -W 30 -F '%q %p' -N >"$tmp/up.out" 2>"$tmp/up.err" &
    _sp=$!
    sub_ready "$_id"
    "$BIN" pattern "$_n" >"$tmp/pat"
    timeout 60 "$BIN" "$@" pub "$_url" "$_t" "$_q" "$_n" >"$tmp/c.out" 2>&1; _rc=$?
    wait $_sp
    tail -c +3 "$tmp/up.out" >"$tmp/got"
    if [ $_rc -eq 0 ] && [ "$(head -c 2 "$tmp/up.out")" = "$_q " ] && cmp -s "$tmp/got" "$tmp/pat"; then ok "$_name"
    else ko "$_name: rc=$_rc peer got $(wc -c <"$tmp/up.out") bytes, qos '$(head -c 1 "$tmp/up.out")'"; sed 's/^/    /' "$tmp/c.out" "$tmp/up.err" | tail -8; fi
}

# down <name> <url> <qos> <size> [ws_test options]: mosquitto_pub publishes; bmqtt must get the same bytes.
down() {
    _name=$1 _url=$2 _q=$3 _n=$4; shift 4
    _t=ws/down/$_q/$_n/$$
    "$BIN" pattern "$_n" >"$tmp/pat"
    rm -f "$tmp/got" "$tmp/c.out" "$tmp/c.err"
    timeout 90 "$BIN" --timeout 80 --client-rx 1024 "$@" sub "$_url" "$_t" "$_q" "$tmp/got" >"$tmp/c.out" 2>"$tmp/c.err" &
    _cp=$!
    _k=0; while ! grep -q '^subscribed' "$tmp/c.err" 2>/dev/null && [ $_k -lt 100 ]; do sleep 0.05; _k=$((_k + 1)); done
    if [ "$_n" = 0 ]; then mosquitto_pub -h 127.0.0.1 -p "$P" -t "$_t" -q "$_q" -n
    else mosquitto_pub -h 127.0.0.1 -p "$P" -t "$_t" -q "$_q" -f "$tmp/pat"; fi
    wait $_cp; _rc=$?
    if [ $_rc -eq 0 ] && grep -q "^message .* qos=$_q len=$_n\$" "$tmp/c.out" && cmp -s "$tmp/got" "$tmp/pat"; then ok "$_name"
    else ko "$_name: rc=$_rc"; sed 's/^/    /' "$tmp/c.out" "$tmp/c.err" | tail -8; fi
}

WS=ws://127.0.0.1:$WSP/mqtt
WSS=wss://localhost:$WSSP/mqtt
echo "== mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}') websockets: ws on $WSP, wss on $WSSP"
for q in 0 1 2; do
    for n in 0 125 126 65535 65536 1048576; do
        up "ws: bmqtt -> mosquitto_sub, QoS $q, $n bytes" "$WS" $q $n
    done
    for n in 0 125 126 65535 65536; do
        down "ws: mosquitto_pub -> bmqtt, QoS $q, $n bytes" "$WS" $q $n
    done
done
# mosquitto sends to a WebSocket client at ~40 KB/s while the client is silent: one 1 MiB message
# down takes ~25 s, so that size goes down once.
down "ws: mosquitto_pub -> bmqtt, QoS 1, 1048576 bytes (mosquitto sends it in ~25 s)" "$WS" 1 1048576
for q in 0 1 2; do
    for n in 0 126 65536 1048576; do
        up "wss: bmqtt -> mosquitto_sub, QoS $q, $n bytes" "$WSS" $q $n --ca "$C/ca.pem"
    done
    for n in 0 126 65536; do
        down "wss: mosquitto_pub -> bmqtt, QoS $q, $n bytes" "$WSS" $q $n --ca "$C/ca.pem"
    done
done
up "ws, 1..7 bytes per lower call: bmqtt -> mosquitto_sub, QoS 1, 70000 bytes" "$WS" 1 70000 --shaky
down "ws, 1..7 bytes per lower call: mosquitto_pub -> bmqtt, QoS 2, 70000 bytes" "$WS" 2 70000 --shaky
up "wss, 1..7 bytes per lower call: bmqtt -> mosquitto_sub, QoS 2, 70000 bytes" "$WSS" 2 70000 --shaky --ca "$C/ca.pem"
up "ws, frames of at most 1000 bytes, 131-byte tx buffer: QoS 1, 65536 bytes" "$WS" 1 65536 --max-send-frame 1000 --tx 131
up "ws through cli_url.c with a user name and extra header: QoS 1, 126 bytes" "ws://user:pw@127.0.0.1:$WSP/mqtt" 1 126 \
    --header "Origin: http://bmqtt.test"

# Reconnect: three sessions, each a round trip through the broker, over one stack that
# cli_url.c reconnects and resets (bmqtt_tls_reset, bmqtt_ws_reset: a new key each time).
rounds() {
    _name=$1; shift
    timeout 60 $VG "$BIN" --rounds 3 "$@" >"$tmp/r.out" 2>&1; _rc=$?
    if [ $_rc -eq 0 ] && grep -q '^round 3 done' "$tmp/r.out" && grep -q '^end status=0 ' "$tmp/r.out"; then ok "$_name"
    else ko "$_name: rc=$_rc"; sed 's/^/    /' "$tmp/r.out" | tail -8; fi
}
VG=""
rounds "ws, reconnect: 3 sessions over one stack, each a QoS 2 round trip of 70000 bytes" rt "$WS" ws/rounds 2 70000
rounds "wss, reconnect: 3 sessions over one stack, each a QoS 1 round trip of 3000 bytes" --ca "$C/ca.pem" rt "$WSS" ws/rounds 1 3000
# valgrind (memcheck, leaks are errors) on the same, through TLS.
if command -v valgrind >/dev/null 2>&1 || ensure_cmd valgrind valgrind; then
    VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible"
    rounds "wss under valgrind: 3 sessions, QoS 2 round trips of 3000 bytes" --ca "$C/ca.pem" rt "$WSS" ws/rounds 2 3000
    VG=""
else ko "valgrind missing"; fi

# wss with the wrong CA: TLS fails, and not one HTTP byte went into the TLS layer.
timeout 30 "$BIN" --count --ca "$C/other-ca.pem" --expect BMQTT_ERR_TLS_UNTRUSTED run "$WSS" >"$tmp/ca.out" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q '^lower accepted 0 bytes' "$tmp/ca.out" && grep -q 'handshake_failed=1' "$tmp/ca.out"; then
    ok "wss, wrong CA -> BMQTT_ERR_TLS_UNTRUSTED before any HTTP byte is sent"
else ko "wss, wrong CA: rc=$rc"; sed 's/^/    /' "$tmp/ca.out"; fi
# Same through the ASan build, QoS 2 both ways.
BIN=$ASAN_BIN up "ws under ASan: bmqtt -> mosquitto_sub, QoS 2, 65536 bytes" "$WS" 2 65536
BIN=$ASAN_BIN down "wss under ASan: mosquitto_pub -> bmqtt, QoS 2, 65536 bytes" "$WSS" 2 65536 --ca "$C/ca.pem"
broker_stop

# --- RabbitMQ web MQTT -------------------------------------------------------------------------
. "$here/rabbit.sh"
if [ "${WS_RABBIT:-1}" = 0 ]; then
    ko "RabbitMQ tests not run (WS_RABBIT=0)"
elif rabbit_start "$tmp/rabbit"; then
    P=$RABBIT_MQTT_PORT
    RWS=ws://127.0.0.1:$RABBIT_WS_PORT/ws
    echo "== RabbitMQ $RABBIT_VERSION web MQTT on $RABBIT_WS_PORT (/ws), MQTT on $P, ready in ${RABBIT_READY_S} s"
    sub_ready() { sleep 0.5; } # RabbitMQ does not log subscriptions
    for q in 0 1; do
        for n in 0 125 126 65535 65536; do
            up "rabbitmq ws: bmqtt -> mosquitto_sub, QoS $q, $n bytes" "$RWS" $q $n
            down "rabbitmq ws: mosquitto_pub -> bmqtt, QoS $q, $n bytes" "$RWS" $q $n
        done
    done
    up "rabbitmq ws: bmqtt -> mosquitto_sub, QoS 1, 1048576 bytes" "$RWS" 1 1048576
    down "rabbitmq ws: mosquitto_pub -> bmqtt, QoS 1, 1048576 bytes" "$RWS" 1 1048576
    up "rabbitmq ws, 1..7 bytes per lower call: QoS 1, 70000 bytes" "$RWS" 1 70000 --shaky
    # RabbitMQ answers a QoS 2 PUBLISH with PUBACK: that is a protocol error for a QoS 2 sender.
    timeout 30 "$BIN" --expect BMQTT_ERR_PROTOCOL pub "$RWS" ws/rabbit/q2 2 10 >"$tmp/r2.out" 2>&1; rc=$?
    if [ $rc -eq 0 ]; then ok "rabbitmq: PUBACK to a QoS 2 PUBLISH -> BMQTT_ERR_PROTOCOL"
    else ko "rabbitmq QoS 2: rc=$rc"; sed 's/^/    /' "$tmp/r2.out"; fi
    timeout 30 "$BIN" --expect BMQTT_ERR_WS_HTTP_STATUS run "ws://127.0.0.1:$RABBIT_WS_PORT/not-ws" >"$tmp/r404.out" 2>&1; rc=$?
    if [ $rc -eq 0 ] && grep -q 'http=404' "$tmp/r404.out"; then ok "rabbitmq: wrong path -> BMQTT_ERR_WS_HTTP_STATUS, http=404"
    else ko "rabbitmq wrong path: rc=$rc"; sed 's/^/    /' "$tmp/r404.out"; fi
    rabbit_stop
else
    ko "RabbitMQ did not start"; tail -20 "$tmp/rabbit/log/"*.log 2>/dev/null | sed 's/^/    /'
fi

echo "ws: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
