#!/bin/sh
# Cloud credentials against independent computations made now, and against a
# real broker:
#   - the device of Aliyun's MQTT walk-through: its password and CONNECT bytes, literally;
#   - Aliyun, every sign method, with and without timestamp and clientId
#     prefix, secure modes 3/2/-2, random secrets: expected password from
#     `openssl dgst -<alg> -hmac`, expected CONNECT bytes built by python3;
#   - Azure, Tencent, Huawei, OneNET, Baidu: expected values from python3's
#     hmac/hashlib/base64/urllib (and the documented answers in docs/CLOUDS.md);
#   - aliyun-cred connects to a private mosquitto whose password file holds
#     the openssl-computed credentials and posts a property that mosquitto_sub
#     receives; a wrong secret is refused.
#
#   ALIYUN_CLI=build/aliyun-cred CLOUD_CLI=build/cloud-cred tests/cloud/run.sh
#
# Prints PASS/FAIL per check; exits non-zero when anything failed or could not run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../integration/broker.sh
. "$root/tests/integration/broker.sh"

ALIYUN_CLI=${ALIYUN_CLI:-build/aliyun-cred}
CLOUD_CLI=${CLOUD_CLI:-build/cloud-cred}
PY=/usr/bin/python3
for b in "$ALIYUN_CLI" "$CLOUD_CLI"; do
    [ -x "$b" ] || { echo "FAIL cloud: $b not built (make cloud-tools)"; exit 1; }
done
ensure_cmd openssl openssl || { echo "FAIL cloud: openssl missing"; exit 1; }
[ -x "$PY" ] || { echo "FAIL cloud: $PY missing"; exit 1; }
[ -x "$MOSQUITTO" ] || ensure_cmd mosquitto mosquitto || { echo "FAIL cloud: mosquitto missing"; exit 1; }
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
ensure_cmd mosquitto_sub mosquitto-clients || { echo "FAIL cloud: mosquitto_sub missing"; exit 1; }
MOSQUITTO_PASSWD=$(command -v mosquitto_passwd 2>/dev/null || echo /usr/bin/mosquitto_passwd)

tmp=$(mktemp -d)
SUB_PID=""
cleanup() {
    broker_stop
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null && wait "$SUB_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/    /'; }
# check <name> <got> <want>
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2
want: $3"; fi; }
# field <name> < tool output: the value after "name: "
field() { sed -n "s/^$1: //p"; }
# hmac_hex <openssl digest> <key> <message>
hmac_hex() { printf '%s' "$3" | openssl dgst "-$1" -hmac "$2" | awk '{ print $NF }'; }

# The CONNECT packet python builds from the fields (user name + password + clean session).
connect_hex() {
    "$PY" - "$@" <<'EOF'
import sys
cid, user, pw, ka = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = lambda x: len(x.encode()).to_bytes(2, "big") + x.encode()
body = s("MQTT") + bytes([4, 0xC2]) + ka.to_bytes(2, "big") + s(cid) + s(user) + s(pw)
n, rl = len(body), bytearray()
while True:
    d, n = n % 128, n // 128
    rl.append(d | (0x80 if n else 0))
    if not n:
        break
print(" ".join("%02X" % b for b in bytes([0x10]) + rl + body))
EOF
}

# ---------------------------------------------------------------------------
# The device of Aliyun's MQTT walk-through: literal values from that document.
# ---------------------------------------------------------------------------
WALK_CONNECT="10 74 00 04 4D 51 54 54 04 C2 01 2C 00 29 63 6F 5F 30 30 30 31 7C 73 65 63 75 72 65 6D 6F 64 65 3D 33 2C 73 69 67 6E 6D 65 74 68 6F 64 3D 68 6D 61 63 73 68 61 31 7C 00 13 63 6F 5F 30 30 30 31 26 61 31 77 46 79 6C 54 78 59 65 44 00 28 65 37 38 32 62 35 65 35 35 62 33 37 36 35 35 63 32 37 38 31 32 61 36 30 63 33 30 37 62 30 61 37 35 37 35 64 38 66 36 64"
# The walk-through's sign method and plain TCP are no longer the defaults: ask for them.
out=$("$ALIYUN_CLI" --pk a1wFylTxYeD --dn co_0001 --ds 7ab0c4b3532b5783df5fdc58a2895d7a --method hmacsha1 --securemode 3 \
    --connect-hex)
check "walk-through: clientId" "$(echo "$out" | field clientId)" "co_0001|securemode=3,signmethod=hmacsha1|"
check "walk-through: username" "$(echo "$out" | field username)" "co_0001&a1wFylTxYeD"
check "walk-through: password" "$(echo "$out" | field password)" "e782b5e55b37655c27812a60c307b0a7575d8f6d"
check "walk-through: host" "$(echo "$out" | field host)" "a1wFylTxYeD.iot-as-mqtt.cn-shanghai.aliyuncs.com"
check "walk-through: CONNECT bytes (keepalive 300)" "$(echo "$out" | field connect)" "$WALK_CONNECT"
# Aliyun's documented example (upper- or lowercase hex are the same password).
out=$("$ALIYUN_CLI" --pk pk --dn device --ds secret --cid 12345 --ts 789 --securemode 2 --method hmacsha1)
check "Aliyun documented example" "$(echo "$out" | field password | tr a-f A-F)" "FAFD82A3D602B37FB0FA8B7892F24A477F851A14"

# The defaults are what Aliyun accepts for a new device: hmacsha256 over TLS (securemode 2).
out=$("$ALIYUN_CLI" --pk a1wFylTxYeD --dn co_0001 --ds 7ab0c4b3532b5783df5fdc58a2895d7a)
check "defaults: securemode 2, hmacsha256" "$(echo "$out" | field clientId)" "co_0001|securemode=2,signmethod=hmacsha256|"
check "defaults: port 8883, TLS" "$(echo "$out" | field port)" "8883 (TLS; 1883 also takes TLS)"

# ---------------------------------------------------------------------------
# Aliyun: every sign method x timestamp x clientId prefix, a fresh secret.
# ---------------------------------------------------------------------------
PK=a1B2c3D4e5F
DN=sensor-42_x
DS=$(openssl rand -hex 16)
for method in hmacsha1 hmacsha256 hmacmd5; do
    alg=${method#hmac}
    for ts in "" 1700000000123; do
        for cid in "" "$PK.$DN"; do
            for sm in 3 2; do
                name="aliyun $method sm=$sm ts=${ts:-none} cid=${cid:-default}"
                set -- --pk "$PK" --dn "$DN" --ds "$DS" --method "$method" --securemode "$sm" --keepalive 60 --connect-hex
                [ -n "$ts" ] && set -- "$@" --ts "$ts"
                [ -n "$cid" ] && set -- "$@" --cid "$cid"
                if ! out=$("$ALIYUN_CLI" "$@" 2>&1); then fail "$name" "$out"; continue; fi
                c=${cid:-$DN}
                want_cid="$c|securemode=$sm,signmethod=$method${ts:+,timestamp=$ts}|"
                want_pw=$(hmac_hex "$alg" "$DS" "clientId${c}deviceName${DN}productKey${PK}${ts:+timestamp$ts}")
                got_cid=$(echo "$out" | field clientId)
                got_pw=$(echo "$out" | field password)
                if [ "$got_cid" = "$want_cid" ] && [ "$got_pw" = "$want_pw" ] &&
                   [ "$(echo "$out" | field username)" = "$DN&$PK" ] &&
                   [ "$(echo "$out" | field connect)" = "$(connect_hex "$want_cid" "$DN&$PK" "$want_pw" 60)" ]; then
                    pass "$name"
                else
                    fail "$name" "$out
want clientId $want_cid
want password $want_pw"
                fi
            done
        done
    done
done

# Dynamic registration: ProductSecret signs deviceName, productKey and random.
PS=$(openssl rand -hex 16)
for auth in register regnwl; do
    flag=""
    [ $auth = regnwl ] && flag=--regnwl
    out=$("$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$PS" --securemode -2 --random Xy7Q2 --method hmacsha256 $flag)
    check "aliyun dynamic registration ($auth): clientId" "$(echo "$out" | field clientId)" \
        "$DN|securemode=-2,authType=$auth,random=Xy7Q2,signmethod=hmacsha256|"
    check "aliyun dynamic registration ($auth): password" "$(echo "$out" | field password)" \
        "$(hmac_hex sha256 "$PS" "deviceName${DN}productKey${PK}randomXy7Q2")"
done
reply=$("$PY" -c 'import json,sys; print(json.dumps({"productKey": sys.argv[1], "deviceName": sys.argv[2], "deviceSecret": sys.argv[3], "extra": {"deviceSecret": "no"}}, indent=1))' "$PK" "$DN" "$DS")
check "aliyun /ext/register reply" "$("$ALIYUN_CLI" --pk "$PK" --dn "$DN" --register-reply "$reply" | field deviceSecret)" "$DS"
if "$ALIYUN_CLI" --pk "$PK" --dn other --register-reply "$reply" >/dev/null 2>"$tmp/err"; then
    fail "aliyun /ext/register reply for another device is refused"
else
    check "aliyun /ext/register reply for another device is refused" "$(grep -c '(-86)' "$tmp/err")" 1
fi

# Limits: reported with their status, never adjusted.
for ka in 15 29 1201; do
    if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --keepalive $ka --connect-hex >/dev/null 2>"$tmp/err"; then
        fail "aliyun keepalive $ka refused"
    else
        check "aliyun keepalive $ka refused" "$(grep -c 'keepalive out of range (-80)' "$tmp/err")" 1
    fi
done
for ka in 30 1200; do
    if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --keepalive $ka --connect-hex >/dev/null 2>"$tmp/err"; then
        pass "aliyun keepalive $ka accepted"
    else
        fail "aliyun keepalive $ka accepted" "$(cat "$tmp/err")"
    fi
done
if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --qos 2 --broker 127.0.0.1:1 >/dev/null 2>"$tmp/err"; then
    fail "aliyun QoS 2 publish refused before connecting"
else
    check "aliyun QoS 2 publish refused before connecting" "$(grep -c 'QoS not supported (-81)' "$tmp/err")" 1
fi
if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --cid "$(printf 'c%.0s' $(seq 65))" >/dev/null 2>"$tmp/err"; then
    fail "aliyun 65-character clientId refused"
else
    check "aliyun 65-character clientId refused" "$(grep -c '(-84)' "$tmp/err")" 1
fi

# ---------------------------------------------------------------------------
# End to end: mosquitto with a password file holding the credentials
# computed by openssl; aliyun-cred posts a property, mosquitto_sub receives it.
# ---------------------------------------------------------------------------
TS=$(($(date +%s) * 1000 + 123))
E2E_PW=$(hmac_hex sha256 "$DS" "clientId${DN}deviceName${DN}productKey${PK}timestamp${TS}")
"$MOSQUITTO_PASSWD" -b -c "$tmp/passwd" "$DN&$PK" "$E2E_PW" >/dev/null 2>&1 &&
"$MOSQUITTO_PASSWD" -b "$tmp/passwd" observer observer-pw >/dev/null 2>&1 ||
    { fail "mosquitto_passwd"; echo "cloud: $passed passed, $failed failed"; exit 1; }
mkdir -p "$tmp/broker"
"$root/tests/tls/certs.sh" "$tmp/certs" >"$tmp/certs.log" 2>&1 || { fail "certificates" "$(tail -3 "$tmp/certs.log")"; }
P_TLS=$(free_port)
if ! broker_start "$tmp/broker" "allow_anonymous false" "password_file $tmp/passwd" \
    "listener $P_TLS 127.0.0.1" "certfile $tmp/certs/server.pem" "keyfile $tmp/certs/server.key"; then
    fail "mosquitto with a password file did not start"
    echo "cloud: $passed passed, $failed failed"; exit 1
fi
TOPIC="/sys/$PK/$DN/thing/event/property/post"
for qos in 0 1; do
    : >"$tmp/sub.out"
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -u observer -P observer-pw -i "observer$qos" -q 1 -t "$TOPIC" \
        -C 1 -W 15 >"$tmp/sub.out" 2>"$tmp/sub.err" &
    SUB_PID=$!
    n=0
    until grep -q "observer$qos 1 $TOPIC" "$tmp/broker/mosquitto.log" 2>/dev/null || [ $n -ge 50 ]; do
        sleep 0.1; n=$((n + 1))
    done
    # QoS 0 over plain TCP (--securemode 3, asked for), QoS 1 with the defaults: TLS, verified.
    if [ $qos = 0 ]; then set -- --securemode 3 --broker "127.0.0.1:$BROKER_PORT"
    else set -- --broker "localhost:$P_TLS" --cafile "$tmp/certs/ca.pem"; fi
    if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --method hmacsha256 --ts "$TS" --qos $qos --id "4$qos" \
        --params '{"PowerSwitch_1":1,"Temp":21.5}' "$@" >"$tmp/cli.out" 2>"$tmp/cli.err"; then
        wait "$SUB_PID"; SUB_PID=""
        got=$("$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["id"], m["version"], m["method"], json.dumps(m["params"], sort_keys=True))' "$tmp/sub.out" 2>&1)
        check "e2e: property post QoS $qos ($(sed -n 's/^connected to .*(\(.*\))$/\1/p' "$tmp/cli.err")) received by mosquitto_sub (Alink JSON)" "$got" \
            "4$qos 1.0 thing.event.property.post {\"PowerSwitch_1\": 1, \"Temp\": 21.5}"
    else
        kill "$SUB_PID" 2>/dev/null; wait "$SUB_PID" 2>/dev/null; SUB_PID=""
        fail "e2e: property post QoS $qos" "$(cat "$tmp/cli.err" "$tmp/broker/mosquitto.log" | tail -20)"
    fi
done
# A wrong secret is refused by the broker (the password file holds the right one).
if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "${DS}0" --method hmacsha256 --ts "$TS" --securemode 3 \
    --broker "127.0.0.1:$BROKER_PORT" >/dev/null 2>"$tmp/err"; then
    fail "e2e: a wrong secret is refused"
else
    check "e2e: a wrong secret is refused" "$(grep -c 'refused' "$tmp/err")" 1
fi
# TLS verifies the server: the system's CA bundle does not trust the test CA.
if "$ALIYUN_CLI" --pk "$PK" --dn "$DN" --ds "$DS" --ts "$TS" --broker "localhost:$P_TLS" >/dev/null 2>"$tmp/err"; then
    fail "e2e: TLS refuses a server the CA bundle does not trust"
else
    check "e2e: TLS refuses a server the CA bundle does not trust" "$(grep -c '(-71)' "$tmp/err")" 1
fi
broker_stop

# ---------------------------------------------------------------------------
# Other clouds (python3 computes the expected values).
# ---------------------------------------------------------------------------
if [ -f "$here/clouds.sh" ]; then . "$here/clouds.sh"; fi

echo "cloud: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
