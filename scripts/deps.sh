#!/bin/sh
# Install the Debian packages bmqtt's build, demo and tests use, if missing.
# Usage: scripts/deps.sh [package...]   (no argument: everything `make test` needs)
set -eu
PKGS=${*:-"build-essential cmake pkg-config libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
            binutils-arm-none-eabi mosquitto mosquitto-clients python3-paho-mqtt valgrind libmbedtls-dev openssl
            liblwip-dev iproute2 dpkg-dev dnsmasq-base qemu-system-arm socat gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf doxygen
            rabbitmq-server ca-certificates"}
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else
  echo "deps: missing$missing; install them as root (apt-get install$missing)" >&2; exit 1
fi
echo "deps: apt-get install$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
