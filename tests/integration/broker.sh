# Shell helpers to run a private mosquitto for a test or the demo.
# Source this file (POSIX sh / bash). Nothing here touches the system broker:
# each broker gets its own config, log and data in a temporary directory and a
# free loopback port.
#
#   broker_dir=$(mktemp -d)
#   broker_start "$broker_dir" [extra config lines...]   # sets BROKER_PORT, BROKER_PID
#   broker_stop                                          # SIGTERM (the broker saves its state)
#   broker_kill                                          # SIGKILL
#   broker_restart "$broker_dir"                         # same port, same config

# Is TCP port $1 listening (or otherwise in use) on this machine? Reads /proc, so
# needs neither ss nor netstat.
port_in_use() {
    _hex=$(printf ':%04X ' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "$_hex"
}

# Print a port that nothing uses now, chosen at random in 20000..59999.
free_port() {
    _tries=0
    while [ $_tries -lt 200 ]; do
        # $RANDOM is bash; od works everywhere.
        _r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        _p=$((20000 + _r % 40000))
        if ! port_in_use "$_p"; then echo "$_p"; return 0; fi
        _tries=$((_tries + 1))
    done
    return 1
}

# Wait until port $1 accepts connections (listed as LISTEN in /proc), $2 tenths of a second.
wait_listen() {
    _n=0
    _hex=$(printf ':%04X' "$1")
    while [ $_n -lt "${2:-50}" ]; do
        if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { print $2 }' | grep -q "$_hex\$"; then
            return 0
        fi
        sleep 0.1
        _n=$((_n + 1))
    done
    return 1
}

# Install the Debian packages given if a command they provide is missing.
# ensure_cmd <command> <package>
ensure_cmd() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "installing $2 (apt-get)" >&2
    if [ "$(id -u)" = 0 ]; then _sudo=""; elif command -v sudo >/dev/null 2>&1; then _sudo=sudo; else
        echo "$1 missing and not root: apt-get install $2" >&2; return 1
    fi
    DEBIAN_FRONTEND=noninteractive $_sudo apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -qq --no-install-recommends "$2" >/dev/null || return 1
    command -v "$1" >/dev/null 2>&1
}

# mosquitto lives in /usr/sbin, which a non-root PATH may lack.
MOSQUITTO=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)

# broker_start <dir> [config line...]
# Writes <dir>/mosquitto.conf (listener on 127.0.0.1, anonymous allowed, no
# persistence unless a config line says otherwise), starts mosquitto on a free
# port and waits until it listens. Sets BROKER_PORT and BROKER_PID.
broker_start() {
    _dir=$1; shift
    BROKER_DIR=$_dir
    _attempt=0
    while [ $_attempt -lt 5 ]; do
        BROKER_PORT=$(free_port) || return 1
        {
            echo "listener $BROKER_PORT 127.0.0.1"
            echo "log_dest file $_dir/mosquitto.log"
            echo "log_type error"
            echo "log_type warning"
            echo "log_type notice"
            echo "log_type information"
            echo "log_type subscribe"
            echo "connection_messages true"
            # As root, mosquitto would switch to the 'mosquitto' user and could not read our files.
            echo "user $(id -un)"
            echo "max_queued_messages 10000"
            _have_anon=0; _have_pers=0
            for _l in "$@"; do
                case $_l in allow_anonymous*) _have_anon=1 ;; persistence\ *) _have_pers=1 ;; esac
                echo "$_l"
            done
            [ $_have_anon = 1 ] || echo "allow_anonymous true"
            [ $_have_pers = 1 ] || echo "persistence false"
        } >"$_dir/mosquitto.conf"
        if broker_run; then return 0; fi
        _attempt=$((_attempt + 1))
    done
    echo "broker_start: mosquitto did not start; log:" >&2
    cat "$_dir/mosquitto.log" >&2 2>/dev/null
    return 1
}

# Start mosquitto from $BROKER_DIR/mosquitto.conf (used by start and restart).
broker_run() {
    "$MOSQUITTO" -c "$BROKER_DIR/mosquitto.conf" >>"$BROKER_DIR/mosquitto.out" 2>&1 &
    BROKER_PID=$!
    if wait_listen "$BROKER_PORT" 50 && kill -0 "$BROKER_PID" 2>/dev/null; then return 0; fi
    kill "$BROKER_PID" 2>/dev/null
    wait "$BROKER_PID" 2>/dev/null
    BROKER_PID=""
    return 1
}

# Stop with SIGTERM (mosquitto writes its persistence file on the way out) or the signal given.
broker_stop() {
    [ -n "${BROKER_PID:-}" ] || return 0
    kill "-${1:-TERM}" "$BROKER_PID" 2>/dev/null
    wait "$BROKER_PID" 2>/dev/null
    BROKER_PID=""
    return 0
}

broker_kill() { broker_stop KILL; }

# Start again with the same config and port (the port was just freed by us).
broker_restart() {
    _n=0
    while [ $_n -lt 30 ]; do
        if broker_run; then return 0; fi
        sleep 0.2
        _n=$((_n + 1))
    done
    return 1
}
