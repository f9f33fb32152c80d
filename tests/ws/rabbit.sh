# A private RabbitMQ with rabbitmq_mqtt and rabbitmq_web_mqtt, for tests/ws/run.sh (source it).
# Everything lives in the directory given: HOME (Erlang cookie), config, enabled plugins,
# data, logs; the node name, the MQTT, web MQTT, distribution and epmd ports are its own, on
# 127.0.0.1. The system's RabbitMQ service (if any) is not touched. Stopped by PID:
# the node, then the epmd this node started.
#
#   rabbit_start DIR    sets RABBIT_WS_PORT RABBIT_MQTT_PORT RABBIT_PID EPMD_PID RABBIT_VERSION RABBIT_READY_S
#   rabbit_stop

RABBIT_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server  # the Debian wrapper in /usr/sbin would su to rabbitmq

rabbit_start() {
    _d=$1
    [ -x "$RABBIT_SERVER" ] || ensure_cmd /usr/lib/rabbitmq/bin/rabbitmq-server rabbitmq-server || return 1
    mkdir -p "$_d/home" "$_d/mnesia" "$_d/log"
    RABBIT_MQTT_PORT=$(free_port); RABBIT_WS_PORT=$(free_port); _dist=$(free_port); _epmd=$(free_port)
    cat >"$_d/rabbitmq.conf" <<CONF
listeners.tcp = none
mqtt.listeners.tcp.default = 127.0.0.1:$RABBIT_MQTT_PORT
web_mqtt.tcp.ip = 127.0.0.1
web_mqtt.tcp.port = $RABBIT_WS_PORT
mqtt.allow_anonymous = true
log.console = false
log.file.level = info
CONF
    echo '[rabbitmq_mqtt,rabbitmq_web_mqtt].' >"$_d/enabled_plugins"
    : >"$_d/rabbitmq-env.conf"
    _start=$(date +%s)
    env HOME="$_d/home" RABBITMQ_NODENAME="bmqtt-ws-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_DIST_PORT="$_dist" ERL_EPMD_PORT="$_epmd" ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_CONFIG_FILE="$_d/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$_d/advanced.config" \
        RABBITMQ_CONF_ENV_FILE="$_d/rabbitmq-env.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$_d/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$_d/mnesia" RABBITMQ_LOG_BASE="$_d/log" RABBITMQ_PID_FILE="$_d/rabbit.pid" \
        "$RABBIT_SERVER" </dev/null >"$_d/server.out" 2>&1 &
    RABBIT_PID=$!
    RABBIT_EPMD_PORT=$_epmd
    # Ready when both listeners are up (cold start ~10 s); give it 60.
    _n=0
    while ! { port_in_listen "$RABBIT_WS_PORT" && port_in_listen "$RABBIT_MQTT_PORT"; }; do
        _n=$((_n + 1))
        if [ $_n -ge 600 ] || ! kill -0 "$RABBIT_PID" 2>/dev/null; then rabbit_stop; return 1; fi
        sleep 0.1
    done
    RABBIT_READY_S=$(( $(date +%s) - _start ))
    RABBIT_VERSION=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-* 2>/dev/null | sed 's/.*-//' | tail -1)
    EPMD_PID=$(rabbit_epmd_pid "$_epmd")
    return 0
}

port_in_listen() {
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { print $2 }' | grep -q "$(printf ':%04X' "$1")\$"
}

# The epmd listening on our own port (started by our node): its PID from /proc.
rabbit_epmd_pid() {
    for _p in $(pgrep -x epmd 2>/dev/null); do
        if { tr '\0' ' ' <"/proc/$_p/environ"; } 2>/dev/null | grep -q "ERL_EPMD_PORT=$1 "; then echo "$_p"; return; fi
        if { tr '\0' ' ' <"/proc/$_p/cmdline"; } 2>/dev/null | grep -q -- "-port $1"; then echo "$_p"; return; fi
    done
}

rabbit_stop() {
    if [ -n "${RABBIT_PID:-}" ]; then
        # The beam process is a child of the start script: stop the tree we started, by PID.
        for _c in $(pgrep -P "$RABBIT_PID" 2>/dev/null); do
            for _g in $(pgrep -P "$_c" 2>/dev/null); do kill "$_g" 2>/dev/null; done
            kill "$_c" 2>/dev/null
        done
        kill "$RABBIT_PID" 2>/dev/null
        _n=0; while kill -0 "$RABBIT_PID" 2>/dev/null && [ $_n -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
        kill -9 "$RABBIT_PID" 2>/dev/null
        wait "$RABBIT_PID" 2>/dev/null
        RABBIT_PID=""
    fi
    [ -z "${EPMD_PID:-}" ] && [ -n "${RABBIT_EPMD_PORT:-}" ] && EPMD_PID=$(rabbit_epmd_pid "$RABBIT_EPMD_PORT")
    if [ -n "${EPMD_PID:-}" ]; then kill "$EPMD_PID" 2>/dev/null; EPMD_PID=""; fi
    return 0
}
