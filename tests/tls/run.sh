#!/bin/sh
# TLS integration tests: port/mbedtls over port/posix against a private
# mosquitto with TLS listeners and against `openssl s_server -alpn`. Real
# handshakes, certificates made now by tests/tls/certs.sh. The whole suite runs
# twice: natively, then under valgrind (memcheck, leaks are errors).
#
#   tests/tls/run.sh [path/to/tls_test]      (make test-tls builds it)
#   TLS_VALGRIND=0 tests/tls/run.sh          skip the valgrind pass (reported, never as a pass)
#   TLS_SUITE=core tests/tls/run.sh BIN      the suite alone (no bmqtt-cli), for an mbedTLS built
#                                            from source (tests/tls/versions.sh); with TLS_VALGRIND=0
#                                            its one native pass is what was asked for (said so)
#   TLS_SUITE=mcu tests/tls/run.sh BIN       the handshakes of a tls_test on bmqtt_mbedtls_config.h
#
# Prints PASS/FAIL per test; exits non-zero when anything failed or could not run.
set -u
BIN=${1:-build/tls_test}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../integration/broker.sh
. "$root/tests/integration/broker.sh"

if [ ! -x "$BIN" ]; then echo "FAIL tls: $BIN not built (make test-tls)"; exit 1; fi
ensure_cmd openssl openssl || { echo "FAIL tls: openssl missing"; exit 1; }
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || { echo "FAIL tls: mosquitto missing"; exit 1; }
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
ensure_cmd mosquitto_sub mosquitto-clients || { echo "FAIL tls: mosquitto_sub missing"; exit 1; }
VG_WANT=${TLS_VALGRIND:-1}
if [ "$VG_WANT" = 1 ]; then ensure_cmd valgrind valgrind || { echo "FAIL tls: valgrind missing"; exit 1; }; fi

tmp=$(mktemp -d)
SERVER_PID=""
cleanup() {
    broker_stop
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    front_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

C=$tmp/certs
if ! "$here/certs.sh" "$C" >"$tmp/certs.log" 2>&1; then
    echo "FAIL tls: certificates"; cat "$tmp/certs.log"; exit 1
fi

# One broker, one plain listener (for mosquitto_sub) and five TLS listeners.
P_EC=$(free_port); P_RSA=$(free_port); P_REQ=$(free_port); P_EXP=$(free_port); P_FUT=$(free_port)
P_OTH=$(free_port); P_CHAIN=$(free_port); P_LEAF=$(free_port)
mkdir -p "$tmp/broker"
broker_start "$tmp/broker" \
    "listener $P_EC 127.0.0.1" "certfile $C/server.pem" "keyfile $C/server.key" \
    "listener $P_RSA 127.0.0.1" "certfile $C/rsa-server.pem" "keyfile $C/rsa-server.key" \
    "listener $P_REQ 127.0.0.1" "certfile $C/server.pem" "keyfile $C/server.key" \
        "cafile $C/ca.pem" "require_certificate true" \
    "listener $P_EXP 127.0.0.1" "certfile $C/expired.pem" "keyfile $C/expired.key" \
    "listener $P_FUT 127.0.0.1" "certfile $C/future.pem" "keyfile $C/future.key" \
    "listener $P_OTH 127.0.0.1" "certfile $C/othername.pem" "keyfile $C/othername.key" \
    "listener $P_CHAIN 127.0.0.1" "certfile $C/chain-full.pem" "keyfile $C/leaf.key" \
    "listener $P_LEAF 127.0.0.1" "certfile $C/chain-leaf.pem" "keyfile $C/leaf.key" \
    || { echo "FAIL tls: mosquitto did not start"; exit 1; }
cat "$C/old-root.pem" "$C/new-root.pem" >"$C/roots-old-new.pem"
cat "$C/ca.pem" "$C/other-ca.pem" >"$C/ca-plus-other.pem"
cat "$C/new-root.pem" "$C/other-ca.pem" "$C/old-root.pem" >"$C/roots-new-other-old.pem"
for p in $P_EC $P_RSA $P_REQ $P_EXP $P_FUT $P_OTH $P_CHAIN $P_LEAF; do
    wait_listen "$p" 50 || { echo "FAIL tls: TLS listener $p not up"; cat "$tmp/broker/mosquitto.log"; exit 1; }
done

# openssl s_server offering ALPN x-amzn-mqtt-ca,mqtt (preferred in that order).
P_ALPN=$(free_port)
tail -f /dev/null | openssl s_server -accept "127.0.0.1:$P_ALPN" -cert "$C/server.pem" -key "$C/server.key" \
    -alpn x-amzn-mqtt-ca,mqtt -quiet >"$tmp/s_server.log" 2>&1 &
SERVER_PID=$!
wait_listen "$P_ALPN" 50 || { echo "FAIL tls: openssl s_server not up"; cat "$tmp/s_server.log"; exit 1; }

# The project's own TLS front (Python's ssl, OpenSSL): says whether each connection resumed,
# and relays to the broker's plain listener. Restarted by the tests (new ticket keys, empty cache).
FRONT_PID=""
front_start() {
    rm -f "$tmp/front.port"
    /usr/bin/python3 "$here/tls_front.py" "$tmp/front.port" "$tmp/front.log" "$C/server.pem" "$C/server.key" \
        "$BROKER_PORT" "$@" 2>>"$tmp/front.err" &
    FRONT_PID=$!
    _n=0; while [ ! -s "$tmp/front.port" ] && [ $_n -lt 100 ]; do sleep 0.05; _n=$((_n + 1)); done
    P_FRONT=$(cat "$tmp/front.port" 2>/dev/null)
    [ -n "$P_FRONT" ] || { echo "FAIL tls: TLS front did not start"; cat "$tmp/front.err"; exit 1; }
}
front_stop() { [ -n "$FRONT_PID" ] && kill "$FRONT_PID" 2>/dev/null && wait "$FRONT_PID" 2>/dev/null; FRONT_PID=""; }
front_start

PASS=0; FAIL=0; RUN=""
# Pool limits that stop mbedTLS at a known point: in setup (certificate parsing), in the
# handshake, and inside the server's signature check; they differ between 2.28 and 3.x.
MBED=$("$BIN" version 2>/dev/null) || MBED="2 unknown"
MBED_MAJOR=${MBED%% *}; MBED_VER=${MBED#* }
# 3.6 (PSA, TLS 1.3, 16 KB records both ways): setup 41.4 KB, handshake peak 59.5 KB; it
# reports an out-of-memory 1 KB short of that peak as such.
if [ "$MBED_MAJOR" -ge 3 ]; then
    LIM_SETUP=30000; LIM_HS=48000; LIM_SIG=58500; LIM_SIG_EXPECT=BMQTT_ERR_TLS_ALLOC
    LIM_SIG_WHAT="pool 1 KB short of the handshake's peak"
else
    LIM_SETUP=30000; LIM_HS=38500; LIM_SIG=42000; LIM_SIG_EXPECT=BMQTT_ERR_TLS_UNTRUSTED
    LIM_SIG_WHAT="pool too small for the signature check"
fi
NOW=$(date +%s)
EC="--port $P_EC --ca $C/ca.pem"
CLIENT="--cert $C/client.pem --key $C/client.key"

ok() { PASS=$((PASS + 1)); echo "PASS $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }

# t <name> <tls_test args...>: one connection; passes when tls_test exits 0.
t() {
    _name=$1; shift
    if $RUN "$BIN" "$@" >"$tmp/out" 2>&1; then
        ok "$_name"
        grep -E '^(handshake|alpn|mqtt|client|pool|mbedtls pool|after|retry)' "$tmp/out" | sed 's/^/    /'
    else
        ko "$_name"
        sed 's/^/    /' "$tmp/out"
    fi
    cat "$tmp/out" >>"$tmp/all.log"
}

# rt <name> <topic> <tls_test args...>: a QoS 1 round trip, and mosquitto_sub on the
# plain listener must receive the same message from the broker.
rt() {
    _name=$1; _topic=bmqtt/tls/$2; shift 2
    : >"$tmp/broker/mosquitto.log.mark"
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$_topic" -q 1 -C 1 -W 30 >"$tmp/sub.out" 2>&1 &
    _sub=$!
    _n=0
    while ! grep -q "$_topic" "$tmp/broker/mosquitto.log" 2>/dev/null && [ $_n -lt 100 ]; do sleep 0.05; _n=$((_n + 1)); done
    t "$_name" "${RT_OPT:---mqtt}" "$_topic" "$@"
    wait "$_sub"
    if [ "$(cat "$tmp/sub.out")" = "hello over TLS on $_topic" ]; then
        ok "$_name: mosquitto_sub got the message"
    else
        ko "$_name: mosquitto_sub got the message"
        sed 's/^/    mosquitto_sub: /' "$tmp/sub.out"
    fi
}

suite() {
    echo "== TLS suite${RUN:+ under valgrind}"
    t "setup argument checks" api

    # The four verification modes, each with a QoS 1 round trip.
    rt "mode 1: no verification" "m1$1" --port "$P_EC" --insecure
    rt "mode 2: verify the server (ECDHE-ECDSA, P-256)" "m2$1" $EC --label "ECDHE-ECDSA P-256, verify server"
    rt "mode 3: client certificate, server not verified" "m3$1" --port "$P_REQ" --insecure $CLIENT
    rt "mode 4: verify the server and present a client certificate" "m4$1" --port "$P_REQ" --ca "$C/ca.pem" $CLIENT \
        --label "ECDHE-ECDSA P-256, mutual"
    rt "RSA-2048 server certificate, verified" "rsa$1" --port "$P_RSA" --ca "$C/rsa-ca.pem" --label "ECDHE-RSA 2048, verify server"
    # The same through the client session (src/client/bmqtt_client.c): its polls drive the handshake.
    RT_OPT=--client rt "client session, mode 1" "c1$1" --port "$P_EC" --insecure
    RT_OPT=--client rt "client session, mode 2" "c2$1" $EC
    RT_OPT=--client rt "client session, mode 3" "c3$1" --port "$P_REQ" --insecure $CLIENT
    RT_OPT=--client rt "client session, mode 4" "c4$1" --port "$P_REQ" --ca "$C/ca.pem" $CLIENT
    t "client session: wrong CA -> poll returns BMQTT_ERR_TLS_UNTRUSTED" --port "$P_EC" --ca "$C/other-ca.pem" \
        --client bmqtt/tls/never --expect BMQTT_ERR_TLS_UNTRUSTED
    rt "handshake by bmqtt_tls_handshake()" "ex$1" $EC --explicit
    rt "lower transport blocking and moving 1..7 bytes per call" "shaky$1" $EC --shaky
    t "blocked send retried with fewer bytes -> BMQTT_ERR_PARAM, sticky (mbedtls_ssl_write's same-arguments rule)" \
        $EC --shaky --retry-shorter

    # Rejections, each with its own status.
    t "wrong CA -> BMQTT_ERR_TLS_UNTRUSTED" --port "$P_EC" --ca "$C/other-ca.pem" --expect BMQTT_ERR_TLS_UNTRUSTED
    t "wrong host name -> BMQTT_ERR_TLS_NAME" $EC --host wrong.example --expect BMQTT_ERR_TLS_NAME
    t "expired certificate -> BMQTT_ERR_TLS_EXPIRED" --port "$P_EXP" --ca "$C/ca.pem" --expect BMQTT_ERR_TLS_EXPIRED
    t "not yet valid certificate -> BMQTT_ERR_TLS_EXPIRED" --port "$P_FUT" --ca "$C/ca.pem" --expect BMQTT_ERR_TLS_EXPIRED
    if [ "$MBED_MAJOR" -ge 3 ]; then
        # TLS 1.3: the client's handshake ends before the server checks its certificate;
        # the refusal (alert 116 certificate_required) is what the first read gets.
        t "client certificate required, none given (TLS 1.3) -> first read BMQTT_ERR_TLS_HANDSHAKE" \
            --port "$P_REQ" --ca "$C/ca.pem" --mqtt bmqtt/tls/never --expect-mqtt BMQTT_ERR_TLS_HANDSHAKE
    else
        t "client certificate required, none given -> BMQTT_ERR_TLS_HANDSHAKE (alert 40)" \
            --port "$P_REQ" --ca "$C/ca.pem" --expect BMQTT_ERR_TLS_HANDSHAKE
    fi
    t "pool too small for setup -> BMQTT_ERR_TLS_ALLOC" $EC --pool-limit "$LIM_SETUP" --expect BMQTT_ERR_TLS_ALLOC
    t "pool too small for the handshake -> BMQTT_ERR_TLS_ALLOC" $EC --pool-limit "$LIM_HS" --expect BMQTT_ERR_TLS_ALLOC
    # mbedTLS 2.28 folds an out-of-memory inside a signature check into "chain not
    # trusted" (flag NOT_TRUSTED): asserted so that a change shows up here.
    t "$LIM_SIG_WHAT -> $LIM_SIG_EXPECT (mbedTLS $MBED_VER)" $EC --pool-limit "$LIM_SIG" \
        --expect "$LIM_SIG_EXPECT"

    # The clock hook replaces mbedTLS's clock.
    t "clock hook: now, valid certificate -> OK" $EC --now "$NOW"
    t "clock hook: 2051, valid certificate -> BMQTT_ERR_TLS_EXPIRED" $EC --now 2556144000 --expect BMQTT_ERR_TLS_EXPIRED
    t "clock hook: 2000, valid certificate -> BMQTT_ERR_TLS_EXPIRED" $EC --now 946684800 --expect BMQTT_ERR_TLS_EXPIRED
    t "clock hook: now, expired certificate -> BMQTT_ERR_TLS_EXPIRED" --port "$P_EXP" --ca "$C/ca.pem" --now "$NOW" \
        --expect BMQTT_ERR_TLS_EXPIRED
    t "clock hook: time unknown, expired certificate -> OK, dates unchecked" --port "$P_EXP" --ca "$C/ca.pem" --now -1

    # mosquitto's --insecure: the chain and dates are verified, the name is not.
    t "no_name_check, wrong CA -> BMQTT_ERR_TLS_UNTRUSTED" --port "$P_EC" --ca "$C/other-ca.pem" --no-name-check \
        --expect BMQTT_ERR_TLS_UNTRUSTED
    t "no_name_check, right CA, certificate for other.example -> OK" --port "$P_OTH" --ca "$C/ca.pem" --no-name-check
    t "name checked, right CA, certificate for other.example -> BMQTT_ERR_TLS_NAME" --port "$P_OTH" --ca "$C/ca.pem" \
        --expect BMQTT_ERR_TLS_NAME
    t "no_name_check, expired certificate -> BMQTT_ERR_TLS_EXPIRED" --port "$P_EXP" --ca "$C/ca.pem" --no-name-check \
        --expect BMQTT_ERR_TLS_EXPIRED

    # Trust store: leaf + intermediate + cross-signed root sent; roots old (expired) and new.
    t "chain: trust the new root -> OK" --port "$P_CHAIN" --ca "$C/new-root.pem"
    t "chain: trust old (expired) + new roots -> OK" --port "$P_CHAIN" --ca "$C/roots-old-new.pem"
    t "chain: trust new + unrelated + old roots -> OK" --port "$P_CHAIN" --ca "$C/roots-new-other-old.pem" --now "$NOW"
    t "chain: trust the expired old root only -> BMQTT_ERR_TLS_EXPIRED" --port "$P_CHAIN" --ca "$C/old-root.pem" \
        --expect BMQTT_ERR_TLS_EXPIRED
    t "chain: old root only, clock hook says now -> BMQTT_ERR_TLS_EXPIRED" --port "$P_CHAIN" --ca "$C/old-root.pem" \
        --now "$NOW" --expect BMQTT_ERR_TLS_EXPIRED
    t "chain: old root only, time unknown -> OK (no clock: dates unchecked)" --port "$P_CHAIN" --ca "$C/old-root.pem" --now -1
    t "chain: an unrelated root -> BMQTT_ERR_TLS_UNTRUSTED" --port "$P_CHAIN" --ca "$C/other-ca.pem" \
        --expect BMQTT_ERR_TLS_UNTRUSTED
    t "chain: server sends its leaf alone -> BMQTT_ERR_TLS_UNTRUSTED" --port "$P_LEAF" --ca "$C/roots-old-new.pem" \
        --expect BMQTT_ERR_TLS_UNTRUSTED
    t "chain: trust the intermediate, leaf alone -> OK" --port "$P_LEAF" --ca "$C/inter.pem"

    # Records, ALPN, close.
    t "max_fragment_length 1024, 5000-byte publish over a blocking lower transport" $EC --mfl 1024 --shaky \
        --mqtt bmqtt/tls/mfl --payload-size 5000
    t "ALPN: offer mqtt,x-amzn-mqtt-ca to s_server -alpn x-amzn-mqtt-ca,mqtt -> x-amzn-mqtt-ca" \
        --port "$P_ALPN" --ca "$C/ca.pem" --alpn mqtt,x-amzn-mqtt-ca --expect-alpn x-amzn-mqtt-ca --explicit
    t "ALPN: offer mqtt -> mqtt" --port "$P_ALPN" --ca "$C/ca.pem" --alpn mqtt --expect-alpn mqtt --explicit
    t "ALPN: nothing offered -> none" --port "$P_ALPN" --ca "$C/ca.pem" --expect-alpn - --explicit
    t "broker closes after DISCONNECT -> BMQTT_ERR_CLOSED, sticky" $EC --mqtt bmqtt/tls/close --expect-close
    resume_suite
}

# r <name> <server-log-expectation> <resume_test args...>: connections on one context;
# the front's lines for them (full/resumed) must read as given ("-": not the front).
r() {
    _name=$1; _want=$2; shift 2
    _before=$(wc -l <"$tmp/front.log" 2>/dev/null || echo 0)
    if $RUN "$RESUME_BIN" "$@" >"$tmp/rout" 2>&1; then _ok=1; else _ok=0; fi
    if [ "$_want" != - ]; then
        _got=$(tail -n +"$((_before + 1))" "$tmp/front.log" | awk '{ printf "%s%s", sep, $3; sep = "," }')
        if [ "$_got" != "$_want" ]; then _ok=0; echo "    the front saw: $_got (want $_want)" >>"$tmp/rout"; fi
    fi
    if [ $_ok = 1 ]; then ok "$_name"; grep -E '^(connection|offer|save)' "$tmp/rout" | sed 's/^/    /'
    else ko "$_name"; sed 's/^/    /' "$tmp/rout"; fi
}

# Session resumption: against the front (which says what it did) and mosquitto's listener.
resume_suite() {
    [ -x "${RESUME_BIN:-}" ] || { ko "resumption: resume_test not built (RESUME_BIN)"; return; }
    S=$tmp/sess; mkdir -p "$S"
    if $RUN "$RESUME_BIN" api >"$tmp/rapi" 2>&1; then ok "resume: session API misuse, each with its status"
    else ko "resume: session API misuse"; sed 's/^/    /' "$tmp/rapi"; fi
    F="--port $P_FRONT --ca $C/ca.pem"
    r "resume, TLS 1.2 ticket: first full, reconnects resumed" full,resumed,resumed \
        $F --tls12 --count 3 --expect full,resumed,resumed --save "$S/t12"
    r "resume, TLS 1.2 saved session offered by a new process -> resumed" resumed \
        $F --tls12 --load "$S/t12" --expect resumed
    r "resume, a session offered while the connection is open: it goes on, the next one resumes with it" resumed,resumed \
        $F --tls12 --load "$S/t12" --reoffer --count 2 --expect resumed,resumed
    front_stop; front_start --no-session-cache
    r "resume, TLS 1.2 without tickets, server without a session cache -> refused, full, no error" full,full \
        --port "$P_FRONT" --ca "$C/ca.pem" --tls12 --no-tickets --count 2 --expect full,refused
    front_stop; front_start; F="--port $P_FRONT --ca $C/ca.pem"
    r "resume, saved session with one bit flipped -> BMQTT_ERR_TLS_SESSION, full handshake" full \
        $F --tls12 --load "$S/t12" --corrupt --expect-offer BMQTT_ERR_TLS_SESSION --expect invalid
    r "resume, saved session truncated by 9 bytes -> BMQTT_ERR_TLS_SESSION, full handshake" full \
        $F --tls12 --load "$S/t12" --truncate 9 --expect-offer BMQTT_ERR_TLS_SESSION --expect invalid
    r "resume, saved session emptied (0 bytes) -> BMQTT_ERR_TLS_SESSION, full handshake" full \
        $F --tls12 --load "$S/t12" --truncate 100000 --expect-offer BMQTT_ERR_TLS_SESSION --expect invalid
    r "resume, saved session offered under another CA bundle -> BMQTT_ERR_TLS_SESSION, full handshake" full \
        --port "$P_FRONT" --ca "$C/ca-plus-other.pem" --tls12 --load "$S/t12" --expect-offer BMQTT_ERR_TLS_SESSION \
        --expect invalid
    r "resume, no_resume: nothing offered" full,full $F --tls12 --no-resume --count 2 --expect full,full
    if [ "$MBED_MAJOR" -ge 3 ]; then
        r "resume, TLS 1.3 ticket: first full, reconnects resumed" full,resumed,resumed \
            $F --tls13 --count 3 --expect full,resumed,resumed --save "$S/t13"
        r "resume, TLS 1.3 saved ticket offered by a new process -> resumed" resumed $F --tls13 --load "$S/t13" --expect resumed
        r "resume, TLS 1.3 saved ticket truncated -> BMQTT_ERR_TLS_SESSION, full" full \
            $F --tls13 --load "$S/t13" --truncate 1 --expect-offer BMQTT_ERR_TLS_SESSION --expect invalid
    fi
    # The server restarts: its ticket keys and session cache are gone.
    front_stop; front_start; F="--port $P_FRONT --ca $C/ca.pem"
    r "resume, TLS 1.2 ticket after the server restarted -> refused, full handshake, no error" full,resumed \
        $F --tls12 --load "$S/t12" --count 2 --expect refused,resumed
    if [ "$MBED_MAJOR" -ge 3 ]; then
        r "resume, TLS 1.3 ticket after the server restarted -> refused, full handshake, no error" full,resumed \
            $F --tls13 --load "$S/t13" --count 2 --expect refused,resumed
    fi
    # mosquitto's TLS listener (OpenSSL): tickets and its session cache.
    r "resume against mosquitto: ticket" - --port "$P_EC" --ca "$C/ca.pem" --tls12 --count 2 --expect full,resumed
    r "resume against mosquitto: session id (no tickets)" - --port "$P_EC" --ca "$C/ca.pem" --tls12 --no-tickets \
        --count 2 --expect full,resumed
    if [ "$MBED_MAJOR" -ge 3 ]; then
        r "resume against mosquitto: TLS 1.3 ticket" - --port "$P_EC" --ca "$C/ca.pem" --tls13 --count 2 --expect full,resumed
    fi
}

# With mbedTLS built from source on bmqtt_mbedtls_config.h (tests/tls/mcu_config.sh):
# 4096-byte input records, so ask for max_fragment_length 4096; no time(), so the clock hook.
mcu_suite() {
    echo "== TLS on the MCU configuration (mbedTLS buffer allocator)"
    M="--mfl 4096 --now $NOW"
    rt "mcu: mode 1" "mcu1" --port "$P_EC" --insecure $M --label "mcu, ECDHE-ECDSA P-256, no verification"
    rt "mcu: mode 2, ECDHE-ECDSA P-256" "mcu2" $EC $M --label "mcu, ECDHE-ECDSA P-256, verify server"
    rt "mcu: mode 4, ECDHE-ECDSA P-256 mutual" "mcu4" --port "$P_REQ" --ca "$C/ca.pem" $CLIENT $M \
        --label "mcu, ECDHE-ECDSA P-256, mutual"
    rt "mcu: mode 2, ECDHE-RSA 2048" "mcursa" --port "$P_RSA" --ca "$C/rsa-ca.pem" $M --label "mcu, ECDHE-RSA 2048, verify server"
    t "mcu: expired -> BMQTT_ERR_TLS_EXPIRED (clock hook)" --port "$P_EXP" --ca "$C/ca.pem" $M --expect BMQTT_ERR_TLS_EXPIRED
    t "mcu: wrong CA -> BMQTT_ERR_TLS_UNTRUSTED" --port "$P_EC" --ca "$C/other-ca.pem" $M --expect BMQTT_ERR_TLS_UNTRUSTED
    t "mcu: 6000-byte publish in 4096-byte records" $EC $M --mqtt bmqtt/tls/mcubig --payload-size 6000
    [ -x "${RESUME_BIN:-}" ] || { ko "mcu resumption: resume_test not built (RESUME_BIN)"; return; }
    r "mcu: resume by ticket against mosquitto" - --port "$P_EC" --ca "$C/ca.pem" --count 2 --expect full,resumed --save "$tmp/mcu.sess"
    r "mcu: resume by session id against mosquitto" - --port "$P_EC" --ca "$C/ca.pem" --no-tickets --count 2 --expect full,resumed
    r "mcu: saved session offered by a new process" - --port "$P_EC" --ca "$C/ca.pem" --load "$tmp/mcu.sess" --expect resumed
    r "mcu: resume by ticket against the front" full,resumed --port "$P_FRONT" --ca "$C/ca.pem" --count 2 --expect full,resumed
}

if [ "${TLS_SUITE:-}" = core ]; then
    echo "== mbedTLS $MBED_VER"
    suite ""
    if [ "$VG_WANT" = 1 ]; then
        RUN="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
        suite "-vg"
    else
        echo "NOTE mbedTLS $MBED_VER: one native pass, as asked (TLS_VALGRIND=0); not a valgrind result"
    fi
    echo "tls: $PASS passed, $FAIL failed (mbedTLS $MBED_VER)"
    [ "$FAIL" = 0 ]
    exit
fi
if [ "${TLS_SUITE:-}" = mcu ]; then
    mcu_suite
    echo "tls: $PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ]
    exit
fi

# bmqtt-cli (examples/posix) over TLS: the flags a user types, against the same broker.
cli_tls() {
    cli=${CLI:-build/bmqtt-cli}
    if [ ! -x "$cli" ]; then ko "bmqtt-cli over TLS: $cli not built"; return; fi
    "$cli" sub -h localhost -p "$P_EC" --cafile "$C/ca.pem" -i tls-cli-sub -q 1 -t tls/cli -C 1 -W 10 -v -d \
        >"$tmp/cli.out" 2>"$tmp/cli.err" &
    sp=$!
    n=0
    until grep -q '^subscribed' "$tmp/cli.err" 2>/dev/null || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
    "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --alpn mqtt -q 1 -t tls/cli -m "cli over tls" 2>"$tmp/cli.pub"
    wait $sp
    if [ "$(cat "$tmp/cli.out")" = "tls/cli cli over tls" ]; then ok "bmqtt-cli --cafile: QoS 1 round trip over TLS"
    else ko "bmqtt-cli --cafile round trip: $(cat "$tmp/cli.out" "$tmp/cli.err" "$tmp/cli.pub")"; fi
    if "$cli" pub -h localhost -p "$P_REQ" --cafile "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
        -t tls/cli -m x 2>"$tmp/cli.req"; then ok "bmqtt-cli --cert/--key: accepted by a listener that requires one"
    else ko "bmqtt-cli --cert/--key: $(cat "$tmp/cli.req")"; fi
    "$cli" pub -h localhost -p "$P_EC" --cafile "$C/other-ca.pem" -t tls/cli -m x 2>"$tmp/cli.bad"
    if grep -q '(-71)' "$tmp/cli.bad"; then ok "bmqtt-cli with the wrong CA -> BMQTT_ERR_TLS_UNTRUSTED (-71)"
    else ko "bmqtt-cli wrong CA: $(cat "$tmp/cli.bad")"; fi
    cli_insecure "$cli"
    cli_trust "$cli"
    cli_version "$cli"
    cli_resume "$cli"
}

# wait_grep <file> <pattern> <tenths>
wait_grep() { _n=0; until grep -q -- "$2" "$1" 2>/dev/null || [ $_n -ge "$3" ]; do sleep 0.1; _n=$((_n + 1)); done; grep -q -- "$2" "$1"; }

# bmqtt-cli --reconnect resumes; its -d trace says how each connection went.
cli_resume() {
    cli=$1
    # 1. The front drops the first connection after 1 s and, as if restarted, forgets its sessions
    #    after the first: the reconnect offers the session, the server refuses it.
    for mode in keep restart; do
        front_stop
        if [ $mode = keep ]; then front_start --drop-first-after 1; want="TLSv1.2 resumed"; fw="full,resumed"
        else front_start --drop-first-after 1 --restart-after-first; want="TLSv1.2 full handshake (resumption refused by the server)"; fw="full,full"; fi
        _before=$(wc -l <"$tmp/front.log")
        "$cli" sub -h localhost -p "$P_FRONT" --cafile "$C/ca.pem" --tls-version tlsv1.2 -i "cli-res-$mode" -q 1 \
            -t "tls/res/$mode" -C 1 -W 20 --reconnect -d >"$tmp/cr.out" 2>"$tmp/cr.err" &
        _sp=$!
        wait_grep "$tmp/cr.err" "connection lost" 60 && sleep 0.3
        wait_grep "$tmp/cr.err" "subscribed" 60
        n_sub=$(grep -c '^subscribed' "$tmp/cr.err")
        _i=0; until [ "$n_sub" -ge 2 ] || [ $_i -ge 50 ]; do sleep 0.1; _i=$((_i + 1)); n_sub=$(grep -c '^subscribed' "$tmp/cr.err"); done
        mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "tls/res/$mode" -m back
        wait $_sp; _rc=$?
        _fl=$(tail -n +"$((_before + 1))" "$tmp/front.log" | awk '{ printf "%s%s", sep, $3; sep = "," }')
        if [ $_rc = 0 ] && grep -q '^TLSv1.2 full handshake$' "$tmp/cr.err" && grep -qF -- "$want" "$tmp/cr.err" && [ "$_fl" = "$fw" ]; then
            ok "bmqtt-cli --reconnect -d ($mode): first 'TLSv1.2 full handshake', reconnect '$want'; the front saw $_fl"
        else
            ko "bmqtt-cli --reconnect ($mode): exit $_rc, front saw '$_fl' (want $fw): $(grep -E 'TLS|lost|connected' "$tmp/cr.err" | tr '\n' '|')"
        fi
    done
    front_stop; front_start
    # 1b. A bmqtt-cli run started again with the same --session-file resumes the TLS session
    #     of the last run (kept in PATH.tls beside the MQTT session); a corrupt copy is refused
    #     and a full handshake follows.
    rm -f "$tmp/cli.session" "$tmp/cli.session.tls"
    _before=$(wc -l <"$tmp/front.log")
    for run in 1 2 3; do
        [ $run = 3 ] && printf 'garbage' >"$tmp/cli.session.tls"
        "$cli" pub -h localhost -p "$P_FRONT" --cafile "$C/ca.pem" -i cli-sf -c --session-file "$tmp/cli.session" \
            -q 1 -t tls/sf -m "run $run" -d >"$tmp/sf.out" 2>"$tmp/sf$run.err" || echo "exit $?" >>"$tmp/sf$run.err"
    done
    _fl=$(tail -n +"$((_before + 1))" "$tmp/front.log" | awk '{ printf "%s%s", sep, $3; sep = "," }')
    if [ "$_fl" = "full,resumed,full" ] && ! grep -q '^exit' "$tmp"/sf?.err && grep -q 'not used' "$tmp/sf3.err"; then
        ok "bmqtt-cli --session-file: run 1 full, run 2 resumed, a corrupt saved session refused (full); the front saw $_fl"
    else
        ko "bmqtt-cli --session-file: the front saw '$_fl' (want full,resumed,full): $(cat "$tmp"/sf?.err | grep -E 'TLS|exit|not used' | tr '\n' '|')"
    fi
    # 2. mosquitto's own TLS listener, started here on fixed ports so that it can be
    #    restarted: a client with the same id takes the session over (the reconnect
    #    resumes), then mosquitto restarts (the reconnect's session is refused).
    M=$tmp/mres; mkdir -p "$M"; PM=$(free_port); PMP=$(free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\nlistener %s 127.0.0.1\ncertfile %s\nkeyfile %s\nuser %s\n' \
        "$PMP" "$PM" "$C/server.pem" "$C/server.key" "$(id -un)" >"$M/m.conf"
    "$MOSQUITTO" -c "$M/m.conf" >"$M/log" 2>&1 & MP=$!
    wait_listen "$PM" 50 || { ko "cli resume: mosquitto on $PM"; kill $MP; return; }
    "$cli" sub -h localhost -p "$PM" --cafile "$C/ca.pem" -i cli-res-m -q 1 -t tls/res/m -C 1 -W 30 --reconnect -d \
        >"$tmp/cm.out" 2>"$tmp/cm.err" &
    _sp=$!
    wait_grep "$tmp/cm.err" "^subscribed" 60
    mosquitto_pub -h 127.0.0.1 -p "$PMP" -i cli-res-m -t tls/x -m x     # takes the session over
    _i=0; until [ "$(grep -c '^subscribed' "$tmp/cm.err")" -ge 2 ] || [ $_i -ge 80 ]; do sleep 0.1; _i=$((_i + 1)); done
    kill $MP; wait $MP 2>/dev/null
    "$MOSQUITTO" -c "$M/m.conf" >>"$M/log" 2>&1 & MP=$!
    wait_listen "$PMP" 50
    _i=0; until [ "$(grep -c '^subscribed' "$tmp/cm.err")" -ge 3 ] || [ $_i -ge 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    mosquitto_pub -h 127.0.0.1 -p "$PMP" -q 1 -t tls/res/m -m back
    wait $_sp; _rc=$?
    kill $MP; wait $MP 2>/dev/null
    _tr=$(grep -E '^TLSv1\.[23] ' "$tmp/cm.err" | sed 's/^TLSv1\.[23] //' | tr '\n' '|')
    if [ $_rc = 0 ] && [ "$_tr" = "full handshake|resumed|full handshake (resumption refused by the server)|" ]; then
        ok "bmqtt-cli --reconnect -d against mosquitto: full handshake, then resumed (taken over), then refused (restarted)"
    else
        ko "bmqtt-cli --reconnect against mosquitto: exit $_rc, trace '$_tr': $(tail -5 "$tmp/cm.err" | tr '\n' '|')"
    fi
}

# expect <name> <want-rc> <command...>: the command's exit code must be want-rc
# (8: a TLS error, as mosquitto's MOSQ_ERR_TLS; nz: any failure); its stderr must hold $WANT_ERR when set.
expect_rc() {
    _name=$1; _want=$2; shift 2
    "$@" >"$tmp/x.out" 2>"$tmp/x.err"; _rc=$?
    if { [ "$_rc" = "$_want" ] || { [ "$_want" = nz ] && [ "$_rc" != 0 ]; }; } && { [ -z "${WANT_ERR:-}" ] || grep -q -- "$WANT_ERR" "$tmp/x.err"; }; then ok "$_name"
    else ko "$_name (exit $_rc, want $_want${WANT_ERR:+ and '$WANT_ERR'}): $(cat "$tmp/x.err")"; fi
}

# --insecure as mosquitto means it: no host-name check, the chain still verified.
# mosquitto_pub is run with the same arguments as the reference.
cli_insecure() {
    cli=$1
    # exit codes: bmqtt-cli 8 for every TLS failure; mosquitto_pub (2.0.11) 1 or 8,
    # depending on where its loop meets the failure.
    for n in bmqtt-cli mosquitto_pub; do
        if [ $n = bmqtt-cli ]; then P="$cli pub"; untrusted=8; named=8; else P=mosquitto_pub; untrusted=nz; named=nz; fi
        expect_rc "$n --insecure with a CA that did not sign the server's certificate -> refused" $untrusted \
            $P -h localhost -p "$P_EC" --cafile "$C/other-ca.pem" --insecure -t tls/ins -m x
        expect_rc "$n --insecure, right CA, certificate for other.example -> connects" 0 \
            $P -h localhost -p "$P_OTH" --cafile "$C/ca.pem" --insecure -t tls/ins -m x
        expect_rc "$n without --insecure, right CA, certificate for other.example -> refused" $named \
            $P -h localhost -p "$P_OTH" --cafile "$C/ca.pem" -t tls/ins -m x
    done
    WANT_ERR="(-72)" expect_rc "bmqtt-cli: certificate for other.example -> BMQTT_ERR_TLS_NAME (-72)" 8 \
        "$cli" pub -h localhost -p "$P_OTH" --cafile "$C/ca.pem" -t tls/ins -m x
    WANT_ERR="(-71)" expect_rc "bmqtt-cli --insecure, wrong CA -> BMQTT_ERR_TLS_UNTRUSTED (-71)" 8 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/other-ca.pem" --insecure -t tls/ins -m x
    WANT_ERR="--insecure skips only the host-name check" expect_rc "bmqtt-cli --insecure alone: refused, says why" 1 \
        "$cli" pub -h localhost -p "$P_EC" --insecure -t tls/ins -m x
}

# --capath and --tls-use-os-certs (a private copy of the system's bundle, via SSL_CERT_FILE).
cli_trust() {
    cli=$1
    mkdir -p "$tmp/capath" "$tmp/capath-other" "$tmp/capath-none"
    echo "no certificate here" >"$tmp/capath-none/notes.txt"
    cp "$C/other-ca.pem" "$tmp/capath/other.crt"; cp "$C/ca.pem" "$tmp/capath/test-ca.crt"
    ln -sf test-ca.crt "$tmp/capath/$(openssl x509 -hash -noout -in "$C/ca.pem").0"
    echo "not a certificate" >"$tmp/capath/README"
    cp "$C/other-ca.pem" "$tmp/capath-other/other.pem"
    expect_rc "bmqtt-cli --capath DIR holding the CA -> connects" 0 \
        "$cli" pub -h localhost -p "$P_EC" --capath "$tmp/capath" -t tls/capath -m x
    WANT_ERR="(-71)" expect_rc "bmqtt-cli --capath DIR without the CA -> BMQTT_ERR_TLS_UNTRUSTED (-71)" 8 \
        "$cli" pub -h localhost -p "$P_EC" --capath "$tmp/capath-other" -t tls/capath -m x
    expect_rc "mosquitto_pub --capath DIR holding the CA -> connects (reference)" 0 \
        mosquitto_pub -h localhost -p "$P_EC" --capath "$tmp/capath" -t tls/capath -m x
    expect_rc "bmqtt-cli --capath (other CA) + --cafile (the CA) -> connects" 0 \
        "$cli" pub -h localhost -p "$P_EC" --capath "$tmp/capath-other" --cafile "$C/ca.pem" -t tls/capath -m x
    WANT_ERR="no certificate file" expect_rc "bmqtt-cli --capath DIR with no certificate file -> refused, says why" 1 \
        "$cli" pub -h localhost -p "$P_EC" --capath "$tmp/capath-none" -t tls/capath -m x
    sys=/etc/ssl/certs/ca-certificates.crt
    if [ ! -s "$sys" ]; then ko "--tls-use-os-certs: $sys missing (package ca-certificates)"; return; fi
    cp "$sys" "$tmp/os-bundle.crt"; cat "$sys" "$C/ca.pem" >"$tmp/os-bundle-plus.crt"
    nsys=$(grep -c 'BEGIN CERTIFICATE' "$sys")
    SSL_CERT_FILE="$tmp/os-bundle-plus.crt" expect_rc \
        "bmqtt-cli --tls-use-os-certs, system bundle ($nsys roots) + the test CA -> connects" 0 \
        "$cli" pub -h localhost -p "$P_EC" --tls-use-os-certs -t tls/os -m x
    SSL_CERT_FILE="$tmp/os-bundle-plus.crt" expect_rc "mosquitto_pub --tls-use-os-certs, same bundle -> connects (reference)" 0 \
        mosquitto_pub -h localhost -p "$P_EC" --tls-use-os-certs -t tls/os -m x
    SSL_CERT_FILE="$tmp/os-bundle.crt" WANT_ERR="(-71)" expect_rc \
        "bmqtt-cli --tls-use-os-certs, the system bundle alone -> BMQTT_ERR_TLS_UNTRUSTED (-71)" 8 \
        "$cli" pub -h localhost -p "$P_EC" --tls-use-os-certs -t tls/os -m x
}

# --tls-version and --ciphers, as mosquitto's.
cli_version() {
    cli=$1
    WANT_ERR="TLSv1.2 full handshake" expect_rc "bmqtt-cli --tls-version tlsv1.2 -> TLS 1.2 (-d says so)" 0 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --tls-version tlsv1.2 -t tls/v -m x -d
    WANT_ERR="tlsv1.2 and tlsv1.3" expect_rc "bmqtt-cli --tls-version tlsv1.1 -> refused, says why" 1 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --tls-version tlsv1.1 -t tls/v -m x
    expect_rc "bmqtt-cli --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 (OpenSSL's name) -> connects" 0 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --tls-version tlsv1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 -t tls/c -m x
    WANT_ERR="(-70)" expect_rc "bmqtt-cli --ciphers ECDHE-RSA-AES128-GCM-SHA256 against an ECDSA server -> handshake fails (-70)" 8 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --tls-version tlsv1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 -t tls/c -m x
    WANT_ERR="not a cipher suite" expect_rc "bmqtt-cli --ciphers NO-SUCH-SUITE -> refused, says why" 1 \
        "$cli" pub -h localhost -p "$P_EC" --cafile "$C/ca.pem" --ciphers NO-SUCH-SUITE -t tls/c -m x
}
cli_tls

suite ""
if [ "$VG_WANT" = 1 ]; then
    RUN="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
    suite "-vg"
else
    ko "valgrind pass not run (TLS_VALGRIND=0)"
fi

echo "tls: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
