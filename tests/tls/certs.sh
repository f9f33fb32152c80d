#!/bin/sh
# Make every certificate the TLS tests use, with openssl, in directory $1.
#
#   ca.pem / ca.key           the test CA (EC P-256)
#   server.pem / server.key   EC P-256, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, signed by ca
#   client.pem / client.key   EC P-256 client certificate, signed by ca
#   rsa-ca.pem                an RSA-2048 CA
#   rsa-server.pem / .key     RSA-2048 server certificate (same names), signed by rsa-ca
#   other-ca.pem              a second CA that signed none of the above
#   expired.pem / .key        server certificate for localhost, valid 2020-01-01..2021-01-01, signed by ca
#   future.pem / .key         server certificate for localhost, valid from 2040-01-01, signed by ca
#   othername.pem / .key      EC P-256 server certificate for other.example only, signed by ca
# A chain shaped like a public CA's after a root rotation (Let's Encrypt's ISRG Root X1
# under DST Root CA X3):
#   old-root.pem / .key       self-signed root, valid 2000-01-01..2020-01-01 (expired)
#   new-root.pem / .key       self-signed root, valid now
#   cross.pem                 new-root's name and key, signed by old-root (valid now)
#   inter.pem / .key          intermediate CA signed by new-root
#   leaf.pem / .key           server certificate for localhost signed by inter
#   chain-full.pem            leaf + inter + cross: what the server sends
#   chain-leaf.pem            the leaf alone (a server that forgets its intermediate)
#
# Past and future validity come from `openssl ca -startdate/-enddate` (OpenSSL 3.0 has
# no -not_before for `x509`), so no faked clock is needed.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { "$@" >/dev/null 2>&1 || { echo "certs.sh: failed: $*" >&2; "$@"; exit 1; }; }

ec_key() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
rsa_key() { q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# A self-signed CA: ca_make <name> <key-maker>
ca_make() {
    $2 "$1.key"
    q openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/O=bmqtt test/CN=$1" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$1.pem"
}

cat >server.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
cat >client.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EOF

# sign <name> <ca> <ext> <cn> <key-maker>: a certificate valid for a year from now
sign() {
    $5 "$1.key"
    q openssl req -new -key "$1.key" -subj "/O=bmqtt test/CN=$4" -out "$1.csr"
    q openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -sha256 -days 365 \
        -extfile "$3" -out "$1.pem"
}

# sign_dated <name> <start> <end>: signed by ca with `openssl ca`, fixed validity
sign_dated() {
    ec_key "$1.key"
    q openssl req -new -key "$1.key" -subj "/O=bmqtt test/CN=localhost" -out "$1.csr"
    rm -rf "ca-db-$1" && mkdir "ca-db-$1"
    : >"ca-db-$1/index.txt"
    cat >"ca-db-$1/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca-db-$1
database = \$dir/index.txt
new_certs_dir = \$dir
rand_serial = yes
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
organizationName = optional
commonName = supplied
[ ext ]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
    q openssl ca -batch -config "ca-db-$1/ca.cnf" -cert ca.pem -keyfile ca.key -in "$1.csr" \
        -startdate "$2" -enddate "$3" -extensions ext -notext -out "$1.pem"
}

# A CA certificate for <name>.key (subject CN <cn>), signed by <signer> (or by itself
# with -selfsign), with fixed dates: ca_dated <name> <cn> <signer|-> <start> <end>
ca_dated() {
    [ -f "$1.key" ] || ec_key "$1.key"
    q openssl req -new -key "$1.key" -subj "/O=bmqtt test/CN=$2" -out "$1.csr"
    rm -rf "ca-db-$1" && mkdir "ca-db-$1"
    : >"ca-db-$1/index.txt"
    cat >"ca-db-$1/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca-db-$1
database = \$dir/index.txt
new_certs_dir = \$dir
rand_serial = yes
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
organizationName = optional
commonName = supplied
[ ext ]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
EOF
    if [ "$3" = - ]; then
        q openssl ca -batch -selfsign -config "ca-db-$1/ca.cnf" -keyfile "$1.key" -in "$1.csr" \
            -startdate "$4" -enddate "$5" -extensions ext -notext -out "$1.pem"
    else
        q openssl ca -batch -config "ca-db-$1/ca.cnf" -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" \
            -startdate "$4" -enddate "$5" -extensions ext -notext -out "$1.pem"
    fi
}

ca_make ca ec_key
ca_make rsa-ca rsa_key
ca_make other-ca ec_key
sign server ca server.ext localhost ec_key
sign rsa-server rsa-ca server.ext localhost rsa_key
sign client ca client.ext bmqtt-test-client ec_key
sign_dated expired 20200101000000Z 20210101000000Z
sign_dated future 20400101000000Z 20410101000000Z
cat >othername.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:other.example
EOF
sign othername ca othername.ext other.example ec_key

now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
later=$(date -u -d '+5 years' +%Y%m%d%H%M%SZ)
ca_dated old-root "Old Root" - 20000101000000Z 20200101000000Z
ca_dated new-root "New Root" - "$now" "$later"
cp new-root.key cross.key
ca_dated cross "New Root" old-root "$now" "$later" # new-root's name and key, old-root's signature
rm -f cross.key
ca_dated inter "Intermediate" new-root "$now" "$later"
sign leaf inter server.ext localhost ec_key
cat leaf.pem inter.pem cross.pem >chain-full.pem
cp leaf.pem chain-leaf.pem
rm -f ./*.csr ./*.srl
echo "certs.sh: certificates in $d"
