# Sourced by tests/cloud/run.sh: Azure, Tencent, Huawei, OneNET, Baidu and AWS
# through cloud-cred, each value compared with python3's own hmac, hashlib,
# base64 and urllib computed now from random keys; the documented answers of
# Huawei and Baidu literally. Uses check/field/fail/pass, $PY and $CLOUD_CLI.

# py_expect <cloud> <args...>: the three lines python computes for the cloud.
py_expect() {
    "$PY" - "$@" <<'EOF'
import base64, datetime, hashlib, hmac, sys
from urllib.parse import quote
cloud, a = sys.argv[1], sys.argv[2:]
enc = lambda s: quote(s, safe="")          # everything but A-Z a-z 0-9 - _ . ~
if cloud == "azure":
    hub, dev, key, exp = a
    sr = enc(hub + ".azure-devices.net/devices/" + dev)
    sig = base64.b64encode(hmac.new(base64.b64decode(key), (sr + "\n" + exp).encode(), hashlib.sha256).digest())
    print(dev)
    print(hub + ".azure-devices.net/" + dev + "/?api-version=2021-04-12")
    print("SharedAccessSignature sr=%s&sig=%s&se=%s" % (sr, enc(sig.decode()), exp))
elif cloud == "tencent":
    pid, dn, psk, connid, exp, method = a
    user = "%s%s;12010126;%s;%s" % (pid, dn, connid, exp)
    alg = hashlib.sha1 if method == "hmacsha1" else hashlib.sha256
    print(pid + dn)
    print(user)
    print(hmac.new(base64.b64decode(psk), user.encode(), alg).hexdigest() + ";" + method)
elif cloud == "huawei":
    dev, secret, t, check = a
    hour = datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y%m%d%H")
    print("%s_0_%s_%s" % (dev, check, hour))
    print(dev)
    print(hmac.new(hour.encode(), secret.encode(), hashlib.sha256).hexdigest())
elif cloud == "onenet":
    pid, dn, key, et, method = a
    res = "products/%s/devices/%s" % (pid, dn)
    msg = "%s\n%s\n%s\n2018-10-31" % (et, method, res)
    sign = base64.b64encode(hmac.new(base64.b64decode(key), msg.encode(), getattr(hashlib, method)).digest())
    print(dn)
    print(pid)
    print("version=2018-10-31&res=%s&et=%s&method=%s&sign=%s" % (enc(res), et, method, enc(sign.decode())))
elif cloud == "baidu":
    core, dk, secret, ts = a
    print(dk)
    print("thingidp@%s|%s|%s|MD5" % (core, dk, ts))
    print(hashlib.md5(("%s&%s&MD5%s" % (dk, ts, secret)).encode()).hexdigest())
EOF
}

# cli_fields <cloud> <args...>: the three values cloud-cred prints.
cli_fields() {
    "$CLOUD_CLI" "$@" 2>&1 | grep -E '^(clientId|username|password): ' | sed 's/^[a-zA-Z]*: //'
}

# Documented answers (docs/CLOUDS.md).
out=$("$CLOUD_CLI" huawei --device-id dev1 --secret 12345678 --hour 2025041401)
check "huawei documented answer" "$(echo "$out" | field password)" \
    "c75150e6cb841417396819e4d2ee4358a416344a03a083e3a8567074ddec820a"
check "huawei client id" "$(echo "$out" | field clientId)" "dev1_0_0_2025041401"
out=$("$CLOUD_CLI" baidu --core abcd123 --dk mydevice --secret ImSeCrEt0I1M2jkl --ts 1583826857)
check "baidu documented answer (ts 1583826857)" "$(echo "$out" | field password)" "7f0e63d2c6e122100edde19e34e7df5b"
out=$("$CLOUD_CLI" baidu --core abcd123 --dk mydevice --secret ImSeCrEt0I1M2jkl --ts 0)
check "baidu documented answer (ts 0)" "$(echo "$out" | field password)" "22bc75231495220c7a2202fe15f7d286"

# Random keys, several inputs each.
NOW=$(date +%s)
for i in 1 2 3 4; do
    K32=$(openssl rand -base64 32)
    K16=$(openssl rand -base64 16)
    EXP=$((NOW + i * 3600))
    DEV="dev-$i.x_$(openssl rand -hex 3)"
    check "azure SAS token #$i" "$(cli_fields azure --hub "myhub$i" --device "$DEV" --key "$K32" --expiry "$EXP")" \
        "$(py_expect azure "myhub$i" "$DEV" "$K32" "$EXP")"
    for m in hmacsha256 hmacsha1; do
        check "tencent $m #$i" \
            "$(cli_fields tencent --pid "ABCD12345$i" --dn "dev$i" --psk "$K16" --connid "x$i${i}Zq" --expiry "$EXP" --method $m)" \
            "$(py_expect tencent "ABCD12345$i" "dev$i" "$K16" "x$i${i}Zq" "$EXP" $m)"
    done
    for m in sha256 sha1 md5; do
        check "onenet $m #$i" "$(cli_fields onenet --pid "5$i$i$i$i" --dn "$DEV" --key "$K32" --expiry "$EXP" --method $m)" \
            "$(py_expect onenet "5$i$i$i$i" "$DEV" "$K32" "$EXP" $m)"
    done
    SEC=$(openssl rand -hex 8)
    T=$((NOW + i * 86400 * 37 + i * 3600))
    check "huawei (hour from Unix time $T) #$i" \
        "$(cli_fields huawei --device-id "dev_$i" --secret "$SEC" --time "$T" --check-time $((i % 2)))" \
        "$(py_expect huawei "dev_$i" "$SEC" "$T" $((i % 2)))"
    check "baidu #$i" "$(cli_fields baidu --core "core$i" --dk "key$i" --secret "$SEC" --ts "$T")" \
        "$(py_expect baidu "core$i" "key$i" "$SEC" "$T")"
done
# Calendar corners of the UTC hour (leap days, centuries, year ends).
for T in 0 951782400 951868799 4107542399 4107542400 253402297199 1709164800 1735689599; do
    want=$("$PY" -c 'import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1]), datetime.timezone.utc).strftime("%Y%m%d%H"))' "$T")
    check "huawei hour of $T" "$("$CLOUD_CLI" huawei --device-id d --secret s --time "$T" | field clientId)" "d_0_0_$want"
done
if "$CLOUD_CLI" huawei --device-id d --secret s --time 253402300800 >/dev/null 2>&1; then
    fail "huawei hour after year 9999 refused"
else
    pass "huawei hour after year 9999 refused"
fi

# AWS: port and ALPN per mode.
check "aws 8883" "$("$CLOUD_CLI" aws --mode 8883 | tr '\n' ' ')" "port: 8883 alpn: (none) keepalive: 30..1200 s, QoS <= 1 "
check "aws 443" "$("$CLOUD_CLI" aws --mode 443 | grep -E '^(port|alpn)' | tr '\n' ' ')" "port: 443 alpn: x-amzn-mqtt-ca "
check "aws custom authorizer" "$("$CLOUD_CLI" aws --mode custom | grep -E '^(port|alpn)' | tr '\n' ' ')" "port: 443 alpn: mqtt "

# Bad keys and fields give their status.
if "$CLOUD_CLI" azure --hub h --device d --key 'not base64!' --expiry 1 >/dev/null 2>"$tmp/err"; then
    fail "azure key that is not base64 refused"
else
    check "azure key that is not base64 refused" "$(grep -c '(-85)' "$tmp/err")" 1
fi
if "$CLOUD_CLI" tencent --pid P1 --dn d --psk "$K16" --connid abc --expiry 1 >/dev/null 2>"$tmp/err"; then
    fail "tencent connid of 3 characters refused"
else
    check "tencent connid of 3 characters refused" "$(grep -c '(-84)' "$tmp/err")" 1
fi
