#!/bin/sh
# make test-mqtt5: MQTT 5.0 packets of independent encoders decoded by bmqtt, and
# bmqtt's encodings accepted by a real mosquitto (see mk/mqtt5.mk).
# Usage: tests/mqtt5/run.sh build/.../mqtt5_dump build/.../mqtt5_mosquitto
set -eu
dump=$1
peer=$2
PY=/usr/bin/python3
. tests/integration/broker.sh
ensure_cmd mosquitto_sub mosquitto-clients
tmp=$(mktemp -d)
sub_pid=""
cleanup() {
    [ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
    broker_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

# 1. Peers' encodings: the committed captures, then fresh ones from this machine's peers.
echo "== test-mqtt5: committed captures (tests/vectors/mqtt5/captures)"
$PY tests/mqtt5/peers.py check --dump "$dump" --dir tests/vectors/mqtt5/captures
echo "== test-mqtt5: fresh captures from mosquitto_pub, mosquitto_sub and Paho"
$PY tests/mqtt5/peers.py capture --out "$tmp/cap"
$PY tests/mqtt5/peers.py check --dump "$dump" --dir "$tmp/cap"

# 2. bmqtt's encodings: a scripted session against mosquitto, a mosquitto_sub -V 5 watching.
echo "== test-mqtt5: bmqtt's packets to mosquitto $("$MOSQUITTO" -h 2>/dev/null | awk 'NR == 1 { print $3 }')"
mkdir -p "$tmp/broker"
broker_start "$tmp/broker"
mosquitto_sub -V 5 -h 127.0.0.1 -p "$BROKER_PORT" -i m5watch -t 'bmqtt5/#' -C 2 -W 30 \
    -F '%t|%p|C=%C|D=%D|E=%E|F=%F|R=%R|P=%P' >"$tmp/sub.out" 2>"$tmp/sub.err" &
sub_pid=$!
n=0
until grep -q 'm5watch 0 bmqtt5/#' "$tmp/broker/mosquitto.log" 2>/dev/null; do
    n=$((n + 1))
    if [ $n -gt 100 ]; then echo "test-mqtt5: mosquitto_sub did not subscribe"; exit 1; fi
    sleep 0.1
done
"$peer" 127.0.0.1 "$BROKER_PORT"
wait "$sub_pid" || { echo "test-mqtt5: mosquitto_sub failed:"; cat "$tmp/sub.err"; exit 1; }
sub_pid=""
echo "mosquitto_sub -V 5 -F saw:"
sed 's/^/  /' "$tmp/sub.out"
# The first message carries every property bmqtt sent (the expiry counts down), the second
# arrived by its Topic Alias alone and is shown under its topic.
line1=$(sed -n 1p "$tmp/sub.out")
line2=$(sed -n 2p "$tmp/sub.out")
case $line1 in
"bmqtt5/t|hello 5|C=text/plain|D=c-42|E=1"[01][0-9]"|F=1|R=bmqtt5/reply|P=k1:v1 k2:v2" | \
"bmqtt5/t|hello 5|C=text/plain|D=c-42|E=120|F=1|R=bmqtt5/reply|P=k1:v1 k2:v2") ;;
*) echo "test-mqtt5: FAIL: first message: $line1"; exit 1 ;;
esac
case $line2 in
"bmqtt5/t|via alias|C=|D=|E=|F=|R=|P=n:2") ;;
*) echo "test-mqtt5: FAIL: second message: $line2"; exit 1 ;;
esac
grep -q "bmqtt5-peer" "$tmp/broker/mosquitto.log" || { echo "test-mqtt5: FAIL: no session in the broker log"; exit 1; }
if grep -iE "protocol error|malformed|bad" "$tmp/broker/mosquitto.log"; then
    echo "test-mqtt5: FAIL: mosquitto complained"; exit 1
fi
echo "test-mqtt5: OK: peers' MQTT 5.0 packets decode to their fields; mosquitto took bmqtt's and forwarded every property"
