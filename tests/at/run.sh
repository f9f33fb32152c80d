#!/bin/sh
# Transcript tests of bmqtt-at against a real mosquitto (see run.py). Debian's python3.
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"
