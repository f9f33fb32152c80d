#!/bin/sh
# port/lwip_raw on the real lwIP stack (lwIP 2.1 built from Debian's source with
# NO_SYS=1, the unix port's tapif), one thread, one superloop.
#
# As root, this script makes a private network namespace with a TAP device in it
# (host side 192.168.77.1/24 and fd00:77::1/64), starts mosquitto (plain 1883 and
# TLS 8883) and dnsmasq (names under bmqtt.test) inside the namespace, and runs
# lwip_raw_test there: lwIP attaches to the TAP device (PRECONFIGURED_TAPIF) as
# 192.168.77.2 and speaks MQTT through port/lwip_raw. mosquitto_sub, inside the
# namespace too, checks what the broker received. Nothing leaves the namespace;
# it is deleted on exit, pass or fail.
#
#   tests/lwip_raw/run.sh [path/to/lwip_raw_test]     (make test-lwip-raw builds it)
#
# Where namespaces or TAP devices are not allowed, prints "SKIP: <reason>" and
# exits 0 -- unless BMQTT_REQUIRE_LWIP=1 (CI), where a skip is a failure.
# Loss and delay: tc netem on the TAP device when the kernel has sch_netem;
# otherwise lwip_raw_test's own loss/delay at the netif, both ways (said in the output).
set -u
BIN=${1:-build/lwip-raw/lwip_raw_test}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

NS=${LWIP_NS:-bmqtt-lwipraw-$$}
TAP=bmqtap0
HOST4=192.168.77.1
HOST6=fd00:77::1
LWIP6=fd00:77::2

# ---------------------------------------------------------------- inside the namespace
if [ "${1:-}" = --inner ]; then
    BIN=$2
    # shellcheck source=../integration/broker.sh
    . "$root/tests/integration/broker.sh"
    tmp=$(mktemp -d)
    SUB=""; APP=""; DNS=""
    cleanup_inner() {
        for p in $SUB $APP $DNS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
        broker_stop
        rm -rf "$tmp"
    }
    trap cleanup_inner EXIT
    trap 'exit 130' INT TERM
    PASS=0; FAIL=0
    ok() { PASS=$((PASS + 1)); echo "PASS $1"; }
    ko() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }

    if ! "$root/tests/tls/certs.sh" "$tmp/certs" >"$tmp/certs.log" 2>&1; then
        echo "FAIL lwip-raw: certificates"; cat "$tmp/certs.log"; exit 1
    fi
    C=$tmp/certs
    # The namespace is ours alone, so fixed ports on every address of it.
    mkdir -p "$tmp/broker"
    broker_start "$tmp/broker" "listener 1883" "listener 8883" \
        "certfile $C/server.pem" "keyfile $C/server.key" \
        || { echo "FAIL lwip-raw: mosquitto did not start"; exit 1; }
    wait_listen 1883 50 && wait_listen 8883 50 || { echo "FAIL lwip-raw: mosquitto listeners"; cat "$tmp/broker/mosquitto.log"; exit 1; }
    # A real DNS server for lwIP's resolver: bmqtt.test is local (unknown names are NXDOMAIN).
    dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root \
        --listen-address="$HOST4" --bind-interfaces --local=/bmqtt.test/ \
        --address=/broker.bmqtt.test/"$HOST4" --address=/late.bmqtt.test/"$HOST4" \
        --pid-file="$tmp/dnsmasq.pid" --log-facility="$tmp/dnsmasq.log" &
    DNS=$!

    # t <name> <lwip_raw_test args...>: passes when lwip_raw_test exits 0.
    t() {
        _name=$1; shift
        _t0=$(date +%s)
        if PRECONFIGURED_TAPIF=$TAP "$BIN" "$@" >"$tmp/out" 2>&1; then
            ok "$_name ($(( $(date +%s) - _t0 )) s)"
            grep -E '^ok|^ {5}|^wire|^session' "$tmp/out" | sed 's/^ */    /'
            return 0
        fi
        ko "$_name"
        sed 's/^/    /' "$tmp/out"
        return 1
    }

    # rt <name> <topic> <count> <qos> <lwip_raw_test args...>: lwip_raw_test publishes <count>
    # messages on <topic> and must get them back; mosquitto_sub must receive exactly
    # the same payloads, in order.
    rt() {
        _name=$1; _topic=bmqtt/lwipraw/$2; _n=$3; _q=$4; shift 4
        mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$_topic" -q "$_q" -C "$_n" -W 300 >"$tmp/sub.out" 2>&1 &
        SUB=$!
        _w=0
        while ! grep -q " $_topic\$" "$tmp/broker/mosquitto.log" 2>/dev/null && [ $_w -lt 100 ]; do sleep 0.05; _w=$((_w + 1)); done
        if t "$_name" --qos "$_q" --count "$_n" "$@" pubsub "$_topic"; then _w=100; else _w=0; fi
        while [ $_w -gt 0 ] && kill -0 "$SUB" 2>/dev/null; do sleep 0.1; _w=$((_w - 1)); done
        kill "$SUB" 2>/dev/null
        wait "$SUB" 2>/dev/null; SUB=""
        _i=0; : >"$tmp/expect"
        while [ $_i -lt "$_n" ]; do printf 'lwip qos%d #%04d\n' "$_q" "$_i" >>"$tmp/expect"; _i=$((_i + 1)); done
        if cmp -s "$tmp/expect" "$tmp/sub.out"; then
            ok "$_name: mosquitto_sub got the $_n payloads, in order"
        else
            ko "$_name: mosquitto_sub got $(wc -l <"$tmp/sub.out") of $_n lines, or other bytes"
            diff "$tmp/expect" "$tmp/sub.out" | head -5 | sed 's/^/    /'
        fi
    }

    echo "== lwIP raw API, NO_SYS=1 (built from Debian's source, tapif $TAP) <-> mosquitto $HOST4, namespace $NS"
    t "port API: zeroed context, argument checks, refused, timeout, DNS (dnsmasq), close during DNS" \
        --dns "$HOST4" api
    t "FIN and RST from the broker: BMQTT_ERR_CLOSED after the ring drains, BMQTT_ERR_LWIP_RESET" eof
    rt "QoS 0 publish/subscribe through lwIP raw" q0 5 0
    rt "QoS 1 publish/subscribe through lwIP raw" q1 20 1
    rt "QoS 2 publish/subscribe through lwIP raw" q2 20 2
    # The payload back is also checked byte for byte against what was sent.
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t bmqtt/lwipraw/big -q 1 -C 1 -W 120 >"$tmp/big.out" 2>&1 &
    SUB=$!
    sleep 0.3
    t "200000-byte QoS 1 message both ways, 1024-byte ring (window back-pressure), 1 KB client chunks" \
        --qos 1 --size 200000 --ring 1024 pubsub bmqtt/lwipraw/big
    _w=100; while [ $_w -gt 0 ] && kill -0 "$SUB" 2>/dev/null; do sleep 0.1; _w=$((_w - 1)); done
    kill "$SUB" 2>/dev/null; wait "$SUB" 2>/dev/null; SUB=""
    # mosquitto_sub prints the payload and a newline: 200001 bytes.
    if [ "$(wc -c <"$tmp/big.out")" = 200001 ]; then ok "200000-byte message: mosquitto_sub got 200000 bytes"
    else ko "200000-byte message: mosquitto_sub got $(wc -c <"$tmp/big.out") bytes, not 200000 + newline"; fi
    rt "IPv6: QoS 1 publish/subscribe to [$HOST6]" q1v6 10 1 --ip6 "$LWIP6" --broker "$HOST6"
    rt "TLS (port/mbedtls over port/lwip_raw), server verified: QoS 1 round trip" tls 10 1 --port 8883 \
        --tls "$C/ca.pem"

    # The example's superloop (examples/stm32-baremetal, device logic examples/common/sensor_app.c)
    # with a broker restart in the middle: readings before it, readings and a retained "online"
    # after it (the broker has no persistence, so only a reconnected device can have sent them),
    # and a command that reaches the device only if it subscribed again.
    PRECONFIGURED_TAPIF=$TAP "$BIN" --deadline 90 --min-sessions 2 app lwipraw-dev >"$tmp/app.out" 2>&1 &
    APP=$!
    T=devices/lwipraw-dev/temperature
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$T" -q 1 -C 3 -W 30 >"$tmp/r1" 2>&1
    broker_stop
    sleep 1
    broker_restart || { echo "FAIL lwip-raw: mosquitto did not restart"; exit 1; }
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$T" -q 1 -C 3 -W 60 >"$tmp/r2" 2>&1
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t devices/lwipraw-dev/status -C 1 -W 5 >"$tmp/status" 2>&1
    mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -t devices/lwipraw-dev/cmd -q 1 -m "led on"
    wait "$APP"; rc=$?; APP=""
    sed 's/^/    /' "$tmp/app.out"
    if [ "$(grep -c '^2[12]\.[0-9]$' "$tmp/r1")" = 3 ] && [ "$(grep -c '^2[12]\.[0-9]$' "$tmp/r2")" = 3 ]; then
        ok "example superloop: 3 readings before the broker restart, 3 after it ($(tr '\n' ' ' <"$tmp/r2"))"
    else
        ko "example superloop readings: before: $(tr '\n' ' ' <"$tmp/r1"); after: $(tr '\n' ' ' <"$tmp/r2")"
    fi
    if [ "$(cat "$tmp/status")" = online ]; then ok "example: retained status \"online\" again after the reconnect"
    else ko "example: status after the reconnect: $(cat "$tmp/status")"; fi
    if [ "$rc" = 0 ]; then ok "example superloop: reconnected after the restart, subscribed again, got \"led on\""
    else ko "example superloop exited with $rc"; fi

    # 10 % loss and 20 ms delay, then 200 QoS 1 messages.
    if tc qdisc add dev "$TAP" root netem loss 10% delay 20ms 2>"$tmp/tc.err"; then
        echo "-- tc netem loss 10% delay 20ms on $TAP (broker -> lwIP); lwip_raw_test adds 10% loss + 20 ms lwIP -> broker"
        IMPAIR=0,10,20
    else
        echo "-- no tc netem here ($(cat "$tmp/tc.err")): lwip_raw_test drops 10% of frames each way and delays them 20 ms"
        IMPAIR=10,10,20
    fi
    rt "200 QoS 1 messages over a lossy link (10% loss, 20 ms delay)" lossy 200 1 \
        --impair "$IMPAIR" --seed "${LWIP_SEED:-$$}" --deadline 280
    tc qdisc del dev "$TAP" root 2>/dev/null

    echo "lwip-raw: $PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ]
    exit
fi

# ---------------------------------------------------------------- outside: the namespace
skip() {
    echo "SKIP: lwIP raw-API integration test: $1"
    if [ "${BMQTT_REQUIRE_LWIP:-0}" = 1 ]; then
        echo "FAIL lwip-raw: BMQTT_REQUIRE_LWIP=1 and the test could not run"; exit 1
    fi
    exit 0
}
[ -x "$BIN" ] || { echo "FAIL lwip-raw: $BIN not built (make test-lwip-raw)"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace and a TAP device (run make test-lwip-raw as root)"
command -v ip >/dev/null 2>&1 || skip "ip (iproute2) not installed"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing (no TUN/TAP in this kernel or container)"
command -v mosquitto_sub >/dev/null 2>&1 || { echo "FAIL lwip-raw: mosquitto_sub missing"; exit 1; }
command -v dnsmasq >/dev/null 2>&1 || { echo "FAIL lwip-raw: dnsmasq missing (dnsmasq-base)"; exit 1; }

cleanup() {
    # Every process still in the namespace was started by this script.
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e=$(ip netns add "$NS" 2>&1) || { trap - EXIT; skip "cannot create a network namespace: $e"; }
n() { ip netns exec "$NS" "$@"; }
n ip link set lo up || skip "cannot configure the namespace"
e=$(n ip tuntap add dev "$TAP" mode tap 2>&1) || skip "cannot create a TAP device: $e"
n ip addr add "$HOST4/24" dev "$TAP" && n ip -6 addr add "$HOST6/64" dev "$TAP" nodad && n ip link set "$TAP" up \
    || { echo "FAIL lwip-raw: cannot address $TAP"; exit 1; }

n sh "$0" --inner "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
rc=$?
cleanup
trap - EXIT
ip netns list | grep -q "^$NS\\b" && { echo "FAIL lwip-raw: namespace $NS still there"; exit 1; }
exit $rc
