#!/bin/sh
# bmqtt demo: a publish/subscribe round trip through a real MQTT broker.
#
#   make demo                       start a private mosquitto on a free loopback port
#   make demo BROKER=host:port      use that broker instead
#   make demo BROKER=host:port WS_URL=ws://host:port/mqtt   ... and its WebSocket listener
#
# bmqtt subscribes, then publishes one message at QoS 0, 1 and 2 over TCP; then
# the same once over MQTT-over-WebSocket (bmqtt-cli -L ws://...). The demo prints
# what came back and exits 0 only if every message arrived.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/integration/broker.sh

BUILD=${BUILD:-build}
CLI=$BUILD/bmqtt-cli
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bmqtt-demo.XXXXXX")
SUB_PID=""

cleanup() {
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
    broker_stop
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -n "${BROKER:-}" ]; then
    HOST=${BROKER%:*}
    PORT=${BROKER##*:}
    [ "$HOST" = "$BROKER" ] && PORT=1883
    echo "demo: using the broker at $HOST:$PORT"
else
    if [ ! -x "$MOSQUITTO" ]; then
        ensure_cmd mosquitto mosquitto || { echo "demo: mosquitto is needed (apt-get install mosquitto)" >&2; exit 1; }
        MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
    fi
    # The Debian package may start a system broker on 1883; ours is private and uses another port.
    # mosquitto serves websockets beside the plain listener (it binds that one to every address).
    WS_PORT=$(free_port) || exit 1
    broker_start "$TMP" "listener $WS_PORT" "protocol websockets" || exit 1
    wait_listen "$WS_PORT" 50 || { echo "demo: mosquitto's websockets listener did not start" >&2; exit 1; }
    HOST=127.0.0.1
    PORT=$BROKER_PORT
    WS_URL=ws://127.0.0.1:$WS_PORT/
    echo "demo: started mosquitto ($("$MOSQUITTO" -h 2>/dev/null | head -1 | sed 's/^mosquitto version //')) on $HOST:$PORT, websockets on $WS_PORT"
fi

echo "demo: building $CLI"
make --no-print-directory -s "$CLI" >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }

TOPIC="bmqtt/demo/$$"
"$CLI" sub -h "$HOST" -p "$PORT" -t "$TOPIC/#" -q 2 -C 3 -W 10 -v -d -i "bmqtt-demo-sub-$$" \
    >"$TMP/received" 2>"$TMP/sub.err" &
SUB_PID=$!

# Wait until the subscription is acknowledged (with -d the CLI says so on stderr).
n=0
until grep -q '^subscribed' "$TMP/sub.err" 2>/dev/null; do
    if ! kill -0 "$SUB_PID" 2>/dev/null || [ $n -ge 100 ]; then
        echo "demo: the subscriber did not start:" >&2; cat "$TMP/sub.err" >&2; exit 1
    fi
    sleep 0.1; n=$((n + 1))
done
echo "demo: bmqtt subscribed to $TOPIC/# at QoS 2"

for q in 0 1 2; do
    msg="hello from bmqtt at QoS $q"
    if "$CLI" pub -h "$HOST" -p "$PORT" -t "$TOPIC/qos$q" -q "$q" -m "$msg" -i "bmqtt-demo-pub-$$"; then
        echo "demo: published  $TOPIC/qos$q  \"$msg\""
    else
        echo "demo: publish at QoS $q failed" >&2
    fi
done

wait "$SUB_PID"
rc=$?
SUB_PID=""
echo "demo: received:"
sed 's/^/  /' "$TMP/received"

ok=1
for q in 0 1 2; do
    grep -qx "$TOPIC/qos$q hello from bmqtt at QoS $q" "$TMP/received" || { echo "demo: MISSING the QoS $q message" >&2; ok=0; }
done
if [ $rc -ne 0 ]; then sed 's/^/  sub: /' "$TMP/sub.err" >&2; ok=0; fi

# The same through MQTT over WebSocket: the CLI stacks WebSocket on TCP (-L ws://...).
ws_done=""
if [ -n "${WS_URL:-}" ]; then
    msg="hello from bmqtt over WebSocket"
    "$CLI" sub -L "$WS_URL" -t "$TOPIC/ws" -q 1 -C 1 -W 10 -v -d -i "bmqtt-demo-wssub-$$" \
        >"$TMP/ws.received" 2>"$TMP/ws.err" &
    SUB_PID=$!
    n=0
    until grep -q '^subscribed' "$TMP/ws.err" 2>/dev/null; do
        if ! kill -0 "$SUB_PID" 2>/dev/null || [ $n -ge 100 ]; then
            echo "demo: the WebSocket subscriber did not start:" >&2; cat "$TMP/ws.err" >&2; exit 1
        fi
        sleep 0.1; n=$((n + 1))
    done
    echo "demo: bmqtt subscribed to $TOPIC/ws through $WS_URL"
    if "$CLI" pub -L "$WS_URL" -t "$TOPIC/ws" -q 1 -m "$msg" -i "bmqtt-demo-wspub-$$"; then
        echo "demo: published  $TOPIC/ws  \"$msg\" through $WS_URL"
    else
        echo "demo: publish over WebSocket failed" >&2
    fi
    wait "$SUB_PID"
    rc=$?
    SUB_PID=""
    echo "demo: received over WebSocket:"
    sed 's/^/  /' "$TMP/ws.received"
    grep -qx "$TOPIC/ws $msg" "$TMP/ws.received" || { echo "demo: MISSING the WebSocket message" >&2; ok=0; }
    if [ $rc -ne 0 ]; then sed 's/^/  ws sub: /' "$TMP/ws.err" >&2; ok=0; fi
    ws_done=", and 1 (QoS 1) over WebSocket"
else
    echo "demo: no WebSocket round trip: BROKER was given without WS_URL=ws://host:port/path"
fi
if [ $ok = 1 ]; then
    echo "demo: OK: all 3 messages (QoS 0, 1, 2) made the round trip over TCP$ws_done"
    exit 0
fi
echo "demo: FAILED" >&2
exit 1
