/* bmqtt-cli: publish and subscribe from the command line with the bmqtt
 * client on the POSIX port, with the options of mosquitto_pub / mosquitto_sub
 * (docs/CLI.md). Example code: it shows the poll loop, caller-owned buffers
 * and tables, transports wrapped by others (TCP, TLS, WebSocket, stacked by
 * cli_url.c from the -L URL, and the -d trace on top), and --reconnect on
 * bmqtt's reconnect helper.
 *
 * Quiet unless -d: stdout carries the messages (sub), stderr only errors, one
 * line each, ending in "(<status number>)" when a bmqtt status is the cause.
 * With -d, stderr also has one line per packet and per event. The exit codes
 * are listed in cli_args.h and docs/CLI.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bmqtt/client.h"
#include "bmqtt/topic.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "cli_tls.h"
#include "cli_args.h"
#include "cli_format.h"
#include "cli_session.h"
#include "cli_trace.h"
#include "cli_url.h"

#define MAX_INFLIGHT 256

static cli_args_t args;
/* TCP, TLS (mqtts, wss) and WebSocket (ws, wss), as args.to names them; tr is
 * the top of the stack, trace_tr the -d trace reading through it. */
static cli_stack_t stack;
static bmqtt_tls_config_t tls_cfg;
static int use_tls;
static bmqtt_transport_t tr, trace_tr;
static cli_trace_t trace;
static bmqtt_client_t client;
static bmqtt_client_config_t cfg;
static bmqtt_inflight_t slots[MAX_INFLIGHT];
static uint16_t qos2_ids[MAX_INFLIGHT];
static char default_id[32];
static const char *client_id;
static int connected_once;
/* --reconnect: bmqtt's reconnect helper keeps the session up (backoff with jitter,
 * re-subscribes when the broker has no session for us). */
static bmqtt_reconnect_t keeper;
static bmqtt_reconnect_config_t keeper_cfg;
static bmqtt_connect_t keeper_fields;
static int keeper_on;

/* Publisher: one message copy per in-flight slot, grown to the longest message
 * it held, free for reuse at the message's BMQTT_EVT_PUBLISH_DONE. */
static struct {
    char *buf;
    size_t cap;
    uint16_t id; /* 0: free */
} store[MAX_INFLIGHT];

/* Subscriber state. */
static long received;
static int chunks;
static uint8_t *suback_codes; /* one per -t */
static int suback_count = -1;
static long dropped; /* QoS 1/2 messages the client gave up on */

/* Incoming QoS 2 messages whose PUBREL has not come yet: the exit waits for them,
 * so the broker's exactly-once exchange is complete when we disconnect. */
static uint16_t qos2_open[MAX_INFLIGHT];
static int qos2_open_count;

static void qos2_open_add(uint16_t id)
{
    for (int i = 0; i < qos2_open_count; i++) {
        if (qos2_open[i] == id) return;
    }
    if (qos2_open_count < MAX_INFLIGHT) qos2_open[qos2_open_count++] = id;
}

static void qos2_open_del(uint16_t id)
{
    for (int i = 0; i < qos2_open_count; i++) {
        if (qos2_open[i] == id) qos2_open[i] = qos2_open[--qos2_open_count];
    }
}

/* ---- exit codes ---------------------------------------------------------- */

/* The server closed or reset the connection before its 101 was complete (an
 * MQTT listener reading "GET" as a packet does so): the upgrade failed too. */
static int ws_upgrade_cut(bmqtt_status_t st)
{
    return stack.use_ws && !bmqtt_ws_is_open(&stack.ws) &&
           (st == BMQTT_ERR_WS_TRUNCATED || st == BMQTT_ERR_CLOSED || st == BMQTT_ERR_TRANSPORT);
}

static int exit_code(bmqtt_status_t st)
{
    if (st <= BMQTT_ERR_REFUSED_VERSION && st >= BMQTT_ERR_REFUSED_NOT_AUTHORIZED)
        return (int)(BMQTT_ERR_REFUSED_VERSION - st) + 1; /* the CONNACK code, as mosquitto */
    if (st == BMQTT_ERR_TIMEOUT) return CLI_EXIT_TIMEOUT;
    if ((int)st <= BMQTT_STATUS_TLS_BASE && (int)st > BMQTT_STATUS_TLS_BASE - 10) return CLI_EXIT_TLS;
    if (BMQTT_WS_IS_HANDSHAKE_ERROR(st)) return CLI_EXIT_WS_HANDSHAKE;
    if (ws_upgrade_cut(st)) return CLI_EXIT_WS_HANDSHAKE;
    if (BMQTT_WS_IS_FRAME_ERROR(st)) return CLI_EXIT_MALFORMED;
    if (st == BMQTT_ERR_WS_CLOSED || st == BMQTT_ERR_WS_TRUNCATED) return CLI_EXIT_CONN_LOST;
    if (BMQTT_STATUS_IS_PEER_ERROR(st)) return CLI_EXIT_MALFORMED;
    if (st == BMQTT_ERR_CLOSED || st == BMQTT_ERR_TRANSPORT || st == BMQTT_ERR_KEEPALIVE) return CLI_EXIT_CONN_LOST;
    return CLI_EXIT_ERROR;
}

static void cli_abort(void);

static const char *cli_rule(bmqtt_status_t st);

/* What the WebSocket layer knows about @p st: the server's HTTP status or close code. */
static const char *ws_detail(bmqtt_status_t st)
{
    static char d[64];
    d[0] = '\0';
    if (!stack.use_ws) return d;
    if (st == BMQTT_ERR_WS_HTTP_STATUS) {
        snprintf(d, sizeof d, "HTTP %u", (unsigned)bmqtt_ws_http_status(&stack.ws));
    } else if (ws_upgrade_cut(st)) {
        snprintf(d, sizeof d, "the connection ended before the answer to the WebSocket upgrade");
    } else if (st == BMQTT_ERR_WS_CLOSED || st == BMQTT_ERR_WS_TRUNCATED || (st == BMQTT_ERR_CLOSED && bmqtt_ws_is_open(&stack.ws))) {
        if (bmqtt_ws_close_code(&stack.ws)) snprintf(d, sizeof d, "close code %u", (unsigned)bmqtt_ws_close_code(&stack.ws));
    } else if (BMQTT_WS_IS_FRAME_ERROR(st)) {
        snprintf(d, sizeof d, "close %u sent", st == BMQTT_ERR_WS_TEXT ? 1003u : st == BMQTT_ERR_WS_TOO_BIG ? 1009u : 1002u);
    }
    return d;
}

static void die(const char *what, bmqtt_status_t st)
{
    const char *rule = cli_rule(st);
    const char *ws = ws_detail(st);
    if (stack.proxy_error != CLI_PROXY_OK) {
        /* mosquitto's codes: 11 the proxy refused the credentials, 16 any other proxy failure. */
        fprintf(stderr, "bmqtt-cli: %s: %s\n", what, stack.proxy_why);
        cli_abort();
        exit(stack.proxy_error == CLI_PROXY_AUTH ? CLI_EXIT_PROXY_AUTH
             : stack.proxy_error == CLI_PROXY_FAILED ? CLI_EXIT_PROXY : CLI_EXIT_ERROR);
    }
    if (!*rule) rule = ws;
    if (!*rule && st == BMQTT_ERR_CONNECT && stack.sock.last_errno != 0) rule = strerror(stack.sock.last_errno);
    fprintf(stderr, "bmqtt-cli: %s: %s (%d)%s%s\n", what, bmqtt_status_str(st), (int)st, *rule ? ": " : "", rule);
    cli_abort();
    exit(exit_code(st));
}

/* A session that ended before any CONNACK, with bytes from the server that do
 * not start one (0x20): whatever listens there is not an MQTT broker. */
static void check_mqtt_server(bmqtt_status_t st)
{
    char first[4 * CLI_TRACE_FIRST + 8];
    if (connected_once || trace.first_len == 0 || trace.first[0] == 0x20) return;
    if (st == BMQTT_ERR_DNS || st == BMQTT_ERR_CONNECT) return;
    cli_trace_first_bytes(&trace, first, sizeof first);
    if (args.unix_path)
        fprintf(stderr, "bmqtt-cli: %s is not an MQTT server (first bytes received: '%s')\n", args.unix_path, first);
    else
        fprintf(stderr, "bmqtt-cli: %s:%u is not an MQTT server (first bytes received: '%s')%s\n", args.host,
                (unsigned)args.port, first,
                (trace.first[0] == 0x15 || trace.first[0] == 0x16) && !use_tls ? "; a TLS server? try --cafile" : "");
    cli_abort();
    exit(CLI_EXIT_NOT_MQTT);
}

/* ---- every call into the client session is in this section --------------- */

static int count_reached(void);
static int mosq_message(const bmqtt_message_t *m);
static int mosq_stop; /* --retained-only saw a live message: the subscription is done */

static void on_message(const bmqtt_message_t *m)
{
    /* As mosquitto_sub: after -C messages, no more output (they are still acknowledged). */
    if (count_reached()) return;
    if (m->qos == 2 && m->offset == 0) qos2_open_add(m->packet_id);
    /* --session-file: a repeat of the message printed just before a kill is not printed again. */
    if (args.session_file && m->qos == 2 && m->dup && cli_session_printed(m, args.verbose, args.no_newline)) return;
    if (mosq_message(m)) return; /* -F, -R, -T, --retained-only, --remove-retained */
    if (m->offset == 0) chunks = 0;
    chunks++;
    if (m->total == 0) {
        /* An empty message prints as mosquitto_sub prints it: "topic (null)" with -v
         * (nothing with -v -N), and nothing at all without -v. */
        if (args.verbose && !args.no_newline) printf("%.*s (null)\n", (int)m->topic.len, (const char *)m->topic.ptr);
    } else {
        if (m->offset == 0 && args.verbose) printf("%.*s ", (int)m->topic.len, (const char *)m->topic.ptr);
        fwrite(m->payload.ptr, 1, m->payload.len, stdout);
        if (m->offset + m->payload.len < m->total) return;
        if (!args.no_newline) putchar('\n');
    }
    fflush(stdout);
    received++;
    if (args.debug) {
        fprintf(stderr, "message topic=%.*s qos=%u retain=%u dup=%u len=%u chunks=%d\n", (int)m->topic.len,
                (const char *)m->topic.ptr, m->qos, m->retain, m->dup, (unsigned)m->total, chunks);
    }
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        if (ev->status == BMQTT_OK && args.debug) {
            if (use_tls) cli_tls_trace(stderr, &stack.tls);
            fprintf(stderr, "connected as %s (session present: %u)\n", client_id, ev->session_present);
        }
        break;
    case BMQTT_EVT_CLOSED:
        if (ev->status != BMQTT_OK && args.reconnect && args.debug) {
            fprintf(stderr, "connection lost: %s (%d); reconnecting\n", bmqtt_status_str(ev->status), (int)ev->status);
        }
        break;
    case BMQTT_EVT_MESSAGE:
        on_message(ev->message);
        break;
    case BMQTT_EVT_SUBACK:
        if (ev->status == BMQTT_OK && suback_codes != NULL) {
            suback_count = 0;
            for (size_t i = 0; i < ev->codes.len && i < (size_t)args.topic_count; i++)
                suback_codes[suback_count++] = ev->codes.ptr[i];
        }
        break;
    case BMQTT_EVT_QOS2_DONE:
        qos2_open_del(ev->packet_id);
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        /* Its memory (a store[] slot) is free again; a status says it was dropped. */
        for (int i = 0; i < MAX_INFLIGHT; i++) {
            if (store[i].id == ev->packet_id) store[i].id = 0;
        }
        if (ev->status != BMQTT_OK) {
            dropped++;
            /* Some statuses say "dropped: <why>" themselves (clean session ended...). */
            const char *why = bmqtt_status_str(ev->status);
            fprintf(stderr, "bmqtt-cli: message %u%s: %s (%d)\n", ev->packet_id,
                    strncmp(why, "dropped", 7) == 0 ? "" : " dropped", why, (int)ev->status);
        }
        break;
    default:
        break;
    }
}

static bmqtt_status_t cli_client_init(uint8_t *tx, size_t tx_size, uint8_t *rx, size_t rx_size)
{
    cfg.tx_buf = tx;
    cfg.tx_size = tx_size;
    cfg.rx_buf = rx;
    cfg.rx_size = rx_size;
    cfg.inflight = slots;
    cfg.inflight_count = (uint16_t)args.inflight;
    cfg.qos2_ids = qos2_ids;
    cfg.qos2_count = MAX_INFLIGHT;
    cfg.on_event = on_event;
    return bmqtt_client_init(&client, &cfg);
}

static bmqtt_status_t cli_connect(const bmqtt_connect_t *f)
{
    return bmqtt_client_connect(&client, &trace_tr, f, bmqtt_posix_now_ms());
}

static int tx_idle(void)
{
    return bmqtt_client_tx_idle(&client);
}

/* Nothing to send, no QoS 1/2 of ours unacknowledged, no incoming QoS 2 without its PUBREL. */
static int all_done(void)
{
    return bmqtt_client_tx_idle(&client) && bmqtt_client_inflight(&client) == 0 && qos2_open_count == 0;
}

/* Sleep for at most @p ms until the stack has something for the client: bytes
 * a layer already holds (TLS record, WebSocket read-ahead), a readable socket,
 * or a writable one while something waits to go out. */
static void wait_io(uint32_t ms)
{
    int want_write = !bmqtt_client_tx_idle(&client);
    /* No MQTT byte taken yet over TLS: the handshake is on, and the CONNECT waits
     * for the server's answer, which only a readable socket brings (waiting for
     * the always-writable socket would spin). mbedTLS's own writes hardly ever
     * block; if one does, it goes on after at most 20 ms. */
    if (want_write && use_tls && trace.sent == 0) {
        want_write = 0;
        if (ms > 20u) ms = 20u;
    }
    if (bmqtt_posix_fd(&stack.sock) >= 0) {
        cli_stack_wait(&stack, want_write, ms);
    } else if (ms) {
        usleep(ms * 1000u); /* no socket: a reconnect pause */
    }
}

/* One poll step: wait_io for at most @p ms (or until a timer of the client is
 * due), then poll. With --reconnect the helper polls, and a session that is
 * coming back is not an error: only giving up is. */
static bmqtt_status_t step(uint32_t ms)
{
    uint32_t due = bmqtt_client_next_deadline(&client, bmqtt_posix_now_ms());
    bmqtt_status_t st;
    if (due < ms) ms = due;
    wait_io(ms);
    if (!args.reconnect || !keeper_on) return bmqtt_client_poll(&client, bmqtt_posix_now_ms());
    st = bmqtt_reconnect_poll(&keeper, bmqtt_posix_now_ms());
    return st == BMQTT_WOULD_BLOCK ? BMQTT_OK : st;
}

/* QoS 1/2 by reference: @p p's memory is a store[] slot (or -m / -f, kept until
 * exit) until BMQTT_EVT_PUBLISH_DONE; QoS 0 is copied into tx_buf. */
static bmqtt_status_t cli_publish(const bmqtt_publish_t *p, uint16_t *id)
{
    /* --session-file: copied into the session, which outlives this process's memory. */
    return p->qos && !args.session_file ? bmqtt_client_publish_ref(&client, p, id) : bmqtt_client_publish(&client, p, id);
}

static bmqtt_status_t cli_subscribe(const bmqtt_subscription_t *s, size_t n)
{
    return bmqtt_client_subscribe(&client, s, n, NULL);
}

/* Graceful: what is queued goes out, acks are awaited, then DISCONNECT. */
static bmqtt_status_t cli_disconnect(void)
{
    bmqtt_status_t st;
    if (args.reconnect && keeper_on) {
        bmqtt_reconnect_stop(&keeper); /* no more reconnects; the session ends gracefully */
        while ((st = bmqtt_reconnect_poll(&keeper, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) {
            wait_io(50);
        }
        return st == BMQTT_ERR_NOT_CONNECTED ? BMQTT_OK : st;
    }
    st = bmqtt_client_disconnect(&client);
    while (st == BMQTT_WOULD_BLOCK) st = step(50);
    return st == BMQTT_ERR_NOT_CONNECTED ? BMQTT_OK : st;
}

static void cli_abort(void)
{
    bmqtt_client_abort(&client);
    bmqtt_posix_close(&stack.sock);
}

/* The broken rule behind @p st when the session ended with it, else "". */
static const char *cli_rule(bmqtt_status_t st)
{
    bmqtt_client_error_t e = bmqtt_client_last_error(&client);
    if (e.status != st || e.rule == BMQTT_RULE_NONE || e.rule == BMQTT_RULE_REFUSED || e.rule == BMQTT_RULE_TRANSPORT)
        return "";
    return bmqtt_client_rule_str(e.rule);
}

/* ---- connection ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len);

/* The TLS configuration from the command line (cli_tls.c); cli_stack_open() sets
 * TLS up with it over TCP, once, and resets it on every reconnect, offering the
 * session of the last handshake. Its host stays NULL: the name in the URL or -h. */
static void tls_setup(bmqtt_tls_config_t *tc)
{
    cli_tls_config(&args, tc);
}

static void connect_fields(bmqtt_connect_t *f)
{
    memset(f, 0, sizeof *f);
    f->client_id = bmqtt_view_str(client_id);
    f->username = bmqtt_view_str(args.user);
    f->password = bmqtt_view_str(args.password);
    f->keepalive_s = args.keepalive;
    f->clean_session = args.clean_session;
    if (args.will_topic) {
        f->will_topic = bmqtt_view_str(args.will_topic);
        f->will_payload = bmqtt_view_str(args.will_payload ? args.will_payload : "");
        f->will_qos = args.will_qos;
        f->will_retain = args.will_retain;
    }
}

/* Where --session-file's TLS session lives: beside the MQTT session, PATH.tls. */
static const char *tls_session_path(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s.tls", args.session_file);
    return path;
}

/* TCP connect, (TLS, WebSocket,) CONNECT, wait for CONNACK. */
static bmqtt_status_t session(void)
{
    bmqtt_connect_t f;
    bmqtt_status_t st;

    connect_fields(&f);
    /* TLS wraps TCP, WebSocket wraps either; the client's polls drive their handshakes. */
    if ((st = cli_stack_open(&stack, &args.to, &tls_cfg, NULL, 5000, &tr)) != BMQTT_OK) return st;
    /* With --session-file, the TLS session of the last run is offered too (PATH.tls). */
    if (use_tls && args.session_file) cli_tls_session_load(&stack.tls, tls_session_path(), args.debug ? stderr : NULL);
    /* The trace wraps the outermost transport: it sees MQTT, not TLS records or frames. */
    cli_trace_reset(&trace);
    if ((st = cli_connect(&f)) != BMQTT_OK) return st;
    while ((st = step(100)) == BMQTT_WOULD_BLOCK) {
    }
    if (st != BMQTT_OK) {
        check_mqtt_server(st);
        return st;
    }
    /* After CONNACK: a TLS 1.3 ticket, which follows the handshake, has been read. */
    if (use_tls && args.session_file) cli_tls_session_save(&stack.tls, tls_session_path());
    connected_once = 1;
    return st;
}

static void keeper_start(void);

static void connect_or_die(void)
{
    bmqtt_status_t st = session();
    if (st != BMQTT_OK) {
        char what[900];
        if (args.url && args.to.scheme != CLI_URL_MQTT)
            snprintf(what, sizeof what, "connect to %s://%s%s%s:%u%s",
                     args.to.scheme == CLI_URL_MQTTS ? "mqtts" : args.to.scheme == CLI_URL_WS ? "ws" : "wss",
                     strchr(args.host, ':') ? "[" : "", args.host, strchr(args.host, ':') ? "]" : "",
                     (unsigned)args.port, args.to.path);
        else if (args.unix_path)
            snprintf(what, sizeof what, "connect to the Unix socket %s", args.unix_path);
        else
            snprintf(what, sizeof what, "connect to %s:%u%s%s", args.host, (unsigned)args.port,
                     args.proxy_url ? " through the proxy " : "", args.proxy_url ? args.proxy.host : "");
        die(what, st);
    }
    if (args.reconnect) keeper_start();
}

/* The reconnect helper's way back to the broker: the same stack, TCP up again
 * and TLS / WebSocket reset; the client's polls then drive their handshakes
 * and the CONNECT. */
static bmqtt_status_t keeper_open(void *user, const bmqtt_transport_t **t, uint32_t now)
{
    bmqtt_status_t st;
    (void)user;
    (void)now;
    if ((st = cli_stack_open(&stack, &args.to, &tls_cfg, NULL, 5000, &tr)) != BMQTT_OK) return st;
    cli_trace_reset(&trace);
    *t = &trace_tr;
    return BMQTT_OK;
}

static uint32_t keeper_random(void *user)
{
    (void)user;
    return (uint32_t)rand();
}

/* --reconnect: the helper adopts the session just made. Pauses from 200 ms to
 * 2 s, about a minute of attempts before giving up. */
static void keeper_start(void)
{
    connect_fields(&keeper_fields);
    memset(&keeper_cfg, 0, sizeof keeper_cfg);
    keeper_cfg.client = &client;
    keeper_cfg.connect = &keeper_fields;
    keeper_cfg.open = keeper_open;
    keeper_cfg.random = keeper_random;
    keeper_cfg.min_backoff_ms = 200u;
    keeper_cfg.max_backoff_ms = 2000u;
    keeper_cfg.max_attempts = 40u;
    srand((unsigned)getpid());
    if (bmqtt_reconnect_init(&keeper, &keeper_cfg) != BMQTT_OK) die("reconnect", BMQTT_ERR_PARAM);
    keeper_on = 1;
}

/* A session error: the end without --reconnect; with it, the helper gave up. */
static void reconnect(bmqtt_status_t why)
{
    die(args.reconnect ? "reconnect" : "session", why);
}

static uint32_t deadline_ms; /* -W; 0: none */

static int quiet_deadline; /* the deadline is the exit's wait for acks: no error then */

static void check_deadline(void)
{
    if (deadline_ms && (int32_t)(bmqtt_posix_now_ms() - deadline_ms) >= 0) {
        if (quiet_deadline) {
            qos2_open_count = 0;
            return;
        }
        /* As mosquitto_sub -W: a clean DISCONNECT, so the broker discards the
         * will instead of publishing it [MQTT-3.14.4-3]. */
        if (cli_disconnect() != BMQTT_OK) cli_abort();
        fprintf(stderr, "bmqtt-cli: timed out after %g s (-W)\n", args.timeout_s);
        exit(CLI_EXIT_TIMEOUT);
    }
}

/* Poll until @p done() or an error; with --reconnect, errors reconnect. */
static void run_until(int (*done)(void))
{
    while (!done()) {
        bmqtt_status_t st = step(50);
        if (st != BMQTT_OK) reconnect(st);
        check_deadline();
    }
}

/* ---- pub --------------------------------------------------------------------- */

static int free_slot_available(void)
{
    for (int i = 0; i < (int)args.inflight; i++) {
        if (store[i].id == 0) return 1;
    }
    return 0;
}

static void pause_ms(long ms)
{
    uint32_t until = bmqtt_posix_now_ms() + (uint32_t)ms;
    while ((int32_t)(bmqtt_posix_now_ms() - until) < 0) {
        bmqtt_status_t st = step(5);
        if (st != BMQTT_OK) reconnect(st);
    }
}

/* @p stable: @p data stays valid until exit (-m, -f, -s): no copy needed. */
static void publish_one(const char *data, size_t len, int stable)
{
    bmqtt_publish_t p;
    uint16_t id = 0;
    int slot = -1;
    bmqtt_status_t st;

    memset(&p, 0, sizeof p);
    p.topic = bmqtt_view_str(args.topics[0]);
    p.qos = args.qos;
    p.retain = args.retain;
    p.payload.len = len;
    p.payload.ptr = (const uint8_t *)data;
    if (p.qos > 0) {
        run_until(free_slot_available);
        for (int i = 0; i < (int)args.inflight && slot < 0; i++) {
            if (store[i].id == 0) slot = i;
        }
        if (!stable && len > 0) {
            /* The client resends from this memory until BMQTT_EVT_PUBLISH_DONE. */
            if (store[slot].cap < len) {
                char *b = realloc(store[slot].buf, len);
                if (b == NULL) {
                    fprintf(stderr, "bmqtt-cli: out of memory for a %zu-byte message\n", len);
                    cli_abort();
                    exit(CLI_EXIT_ERROR);
                }
                store[slot].buf = b;
                store[slot].cap = len;
            }
            memcpy(store[slot].buf, data, len);
            p.payload.ptr = (const uint8_t *)store[slot].buf;
        }
    }
    for (;;) {
        st = cli_publish(&p, &id);
        if (st == BMQTT_OK) break;
        if (st == BMQTT_ERR_NOT_CONNECTED && !args.reconnect) {
            die("publish", st);
        } else if (st == BMQTT_ERR_NOT_CONNECTED || st == BMQTT_ERR_BUSY || st == BMQTT_ERR_INFLIGHT_FULL) {
            bmqtt_status_t s2 = step(5); /* room comes from the wire; a session from the reconnect helper */
            if (s2 != BMQTT_OK) reconnect(s2);
        } else {
            die("publish", st);
        }
    }
    if (p.qos > 0) store[slot].id = id;
    /* A QoS 0 message larger than tx_buf is sent from @p data after its header. */
    if (p.qos == 0 && len + p.topic.len + 8 > cfg.tx_size) run_until(tx_idle);
    if (args.interval_ms) pause_ms(args.interval_ms);
}

/* All of @p f (a file, or stdin for -s) in one growing buffer, NUL after the
 * last byte (a PEM file is handed to mbedTLS with its NUL). */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - 1 - n, f)) > 0) {
        n += got;
        if (n == cap - 1) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) free(buf);
            buf = b;
            cap *= 2;
        }
    }
    if (buf == NULL || ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? read_all(f, len) : NULL;
    if (f) fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "bmqtt-cli: cannot read %s\n", path);
        exit(CLI_EXIT_ERROR);
    }
    return buf;
}

static int cmd_pub(void)
{
    bmqtt_status_t st;
    size_t len = 0;
    const char *data = "";
    /* Read the message before connecting: a missing file costs no connection. */
    if (args.file) {
        data = read_file(args.file, &len);
    } else if (args.stdin_whole) {
        if ((data = read_all(stdin, &len)) == NULL) {
            fputs("bmqtt-cli: cannot read stdin\n", stderr);
            return CLI_EXIT_ERROR;
        }
    } else if (args.message) {
        data = args.message;
        len = strlen(data);
    }
    connect_or_die();
    if (args.lines) {
        /* getline grows its buffer: a line of any length is one message. */
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) >= 0) {
            if (n > 0 && line[n - 1] == '\n') n--;
            publish_one(line, (size_t)n, 0);
        }
        free(line);
    } else {
        for (long i = 0; i < args.repeat; i++) {
            if (i > 0 && args.repeat_delay_s > 0) pause_ms((long)(args.repeat_delay_s * 1000.0));
            publish_one(data, len, 1);
        }
    }
    run_until(all_done);
    st = cli_disconnect();
    if (st != BMQTT_OK) die("disconnect", st);
    if (dropped) return CLI_EXIT_CONN_LOST;
    return CLI_EXIT_OK;
}

/* ---- sub --------------------------------------------------------------------- */

static int subscribed(void)
{
    return suback_count >= 0;
}

static int count_reached(void)
{
    return (args.count && received >= args.count) || mosq_stop;
}

/* ---- mosquitto_sub's -F, -R, -T, -U, --retained-only, --remove-retained ------------------- */

/* -F: @p m (the whole message, @p payload) as the format says (cli_format.c); mosquitto adds a
 * newline (-N: none). */
static void mosq_print(const bmqtt_message_t *m, const uint8_t *payload, size_t len)
{
    cli_format_msg_t f;
    f.topic = m->topic.ptr;
    f.topic_len = m->topic.len;
    f.payload = payload;
    f.payload_len = len;
    f.qos = m->qos;
    f.retain = m->retain;
    f.mid = m->packet_id;
    cli_format_print(stdout, args.format, args.format_len, &f, args.pretty);
    if (!args.no_newline) putchar('\n');
}

/* --random-filter: print with the likelihood given, in percent (0.01 % steps, as mosquitto). */
static int random_skip(void)
{
    static int seeded;
    if (args.random_filter <= 0) return 0;
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srandom((unsigned)ts.tv_nsec);
        seeded = 1;
    }
    return random() % 10000 >= (long)(args.random_filter * 100.0 + 0.5);
}

/* Handles @p m when one of these options decides its fate; 0 leaves it to on_message(). */
static int mosq_message(const bmqtt_message_t *m)
{
    static int skip;        /* for the chunks after the first of a large message */
    static int dropped_by_chance; /* --random-filter: not printed, but counted for -C as mosquitto */
    static uint8_t *whole;  /* -F: the chunks of one message together */
    static size_t whole_cap;

    if (m->offset == 0) {
        skip = 0;
        if (args.remove_retained && m->retain) {
            /* An empty retained PUBLISH clears it (QoS 0: it is copied at once, and the topic
             * lives in the receive buffer only until this event returns). */
            bmqtt_publish_t clear;
            memset(&clear, 0, sizeof clear);
            clear.topic = m->topic;
            clear.retain = 1;
            (void)cli_publish(&clear, NULL);
        }
        if (args.retained_only && !m->retain) {
            mosq_stop = 1;
            skip = 1;
        }
        if (args.no_retained && m->retain) skip = 1;
        for (int i = 0; i < args.hide_count && !skip; i++) {
            skip = bmqtt_topic_match((const uint8_t *)args.hide[i], strlen(args.hide[i]), m->topic.ptr, m->topic.len);
        }
        dropped_by_chance = !skip && random_skip();
    }
    if (skip) return 1;
    if (dropped_by_chance) {
        if (m->offset + m->payload.len == m->total) received++;
        return 1;
    }
    if (args.format == NULL) return 0;
    if (m->total > whole_cap) {
        uint8_t *b = realloc(whole, m->total);
        if (b == NULL) {
            fprintf(stderr, "bmqtt-cli: out of memory for a %u-byte message\n", (unsigned)m->total);
            cli_abort();
            exit(CLI_EXIT_ERROR);
        }
        memset(b, 0, m->total);
        whole = b;
        whole_cap = m->total;
    }
    if (m->payload.len && whole != NULL) memcpy(whole + m->offset, m->payload.ptr, m->payload.len);
    if (m->offset + m->payload.len < m->total) return 1;
    mosq_print(m, whole, m->total);
    fflush(stdout);
    received++;
    return 1;
}

/* -U: after the SUBSCRIBE, one UNSUBSCRIBE of every -U filter. */
static void mosq_unsubscribe(void)
{
    bmqtt_view_t f[64];
    bmqtt_status_t st;
    size_t n = 0;
    for (int i = 0; i < args.unsub_count; i++) {
        f[n++] = bmqtt_view_str(args.unsub[i]);
        if (n == sizeof f / sizeof f[0] || i + 1 == args.unsub_count) {
            while ((st = bmqtt_client_unsubscribe(&client, f, n, NULL)) == BMQTT_ERR_BUSY) run_until(tx_idle);
            if (st != BMQTT_OK) die("unsubscribe", st);
            n = 0;
        }
    }
}

static int cmd_sub(void)
{
    bmqtt_status_t st;

    connect_or_die();
    if (args.timeout_s > 0) {
        /* As mosquitto_sub: the timeout starts once connected. */
        deadline_ms = bmqtt_posix_now_ms() + (uint32_t)(args.timeout_s * 1000.0);
        if (deadline_ms == 0) deadline_ms = 1;
    }
    if (!args.no_subscribe) {
        bmqtt_subscription_t *s = calloc((size_t)args.topic_count, sizeof *s);
        int granted = 0;
        suback_codes = malloc((size_t)args.topic_count);
        if (s == NULL || suback_codes == NULL) {
            free(s);
            return CLI_EXIT_ERROR;
        }
        for (int i = 0; i < args.topic_count; i++) {
            s[i].filter = bmqtt_view_str(args.topics[i]);
            s[i].qos = args.qos;
        }
        if (args.reconnect) {
            /* Subscribed again by the helper whenever the broker has no session for us. */
            bmqtt_reconnect_set_subscriptions(&keeper, s, (size_t)args.topic_count);
        }
        while ((st = cli_subscribe(s, (size_t)args.topic_count)) == BMQTT_ERR_BUSY) run_until(tx_idle);
        if (st != BMQTT_OK) die("subscribe", st);
        run_until(subscribed);
        mosq_unsubscribe();
        for (int i = 0; i < args.topic_count; i++) {
            int code = i < suback_count ? suback_codes[i] : BMQTT_SUBACK_FAILURE;
            if (code == BMQTT_SUBACK_FAILURE) {
                fprintf(stderr, "bmqtt-cli: subscription to '%s' refused by the broker (SUBACK 0x80)\n", args.topics[i]);
            } else {
                granted++;
                if (args.debug) fprintf(stderr, "subscribed to %s (granted QoS %d)\n", args.topics[i], code);
            }
        }
        if (!args.reconnect) free(s); /* else the helper's list until exit */
        free(suback_codes);
        suback_codes = NULL;
        if (granted == 0) {
            (void)cli_disconnect();
            return CLI_EXIT_SUB_DENIED;
        }
    }
    if (args.subscribe_only) {
        if ((st = cli_disconnect()) != BMQTT_OK) die("disconnect", st);
        return CLI_EXIT_OK;
    }
    run_until(count_reached);
    if (args.linger_s > 0) {
        uint32_t until = bmqtt_posix_now_ms() + (uint32_t)(args.linger_s * 1000.0);
        while ((int32_t)(bmqtt_posix_now_ms() - until) < 0) {
            st = step(20);
            if (st != BMQTT_OK) reconnect(st);
        }
    }
    /* Our last PUBACK/PUBCOMP goes out, open QoS 2 exchanges get their PUBREL
     * (for at most 10 s: a broker that never sends it does not hold us). */
    if (deadline_ms == 0 || (int32_t)(deadline_ms - (bmqtt_posix_now_ms() + 10000u)) > 0) {
        deadline_ms = bmqtt_posix_now_ms() + 10000u;
        quiet_deadline = 1;
    }
    run_until(all_done);
    if ((st = cli_disconnect()) != BMQTT_OK) die("disconnect", st);
    return CLI_EXIT_OK;
}

/* ---- main -------------------------------------------------------------------- */

/* The transmit buffer holds the largest packet but a PUBLISH payload: the
 * CONNECT with every field up to 65535 bytes, or the SUBSCRIBE of every -t. */
static size_t tx_size_needed(void)
{
    bmqtt_connect_t f;
    size_t need = 65536, n = 0; /* room for many small packets queued back to back */
    connect_fields(&f);
    if (bmqtt_connect_encode(&f, NULL, 0, &n) == BMQTT_OK && n + 16 > need) need = n + 16;
    n = 0;
    for (int i = 0; i < args.topic_count; i++) n += strlen(args.topics[i]) + 3;
    if (n + 16 > need) need = n + 16;
    return need;
}

int main(int argc, char **argv)
{
    size_t tx_size;
    uint8_t *txbuf, *rxbuf;
    int rc = cli_parse(argc, argv, &args);
    if (rc == CLI_HELP) return CLI_EXIT_OK;
    if (rc != 0) return rc;
    /* --quiet, as mosquitto's: the command line's errors are said, nothing after them (every
     * later line goes to stderr: closing it over /dev/null silences them all). -d asks for
     * stderr and keeps it. */
    if (args.quiet && !args.debug && freopen("/dev/null", "w", stderr) == NULL) return CLI_EXIT_ERROR;
    if (args.client_id) {
        client_id = args.client_id;
    } else {
        snprintf(default_id, sizeof default_id, "bmqtt-cli-%ld", (long)getpid());
        client_id = default_id;
    }
    tx_size = tx_size_needed();
    txbuf = malloc(tx_size);
    rxbuf = malloc(args.rx_size);
    if (txbuf == NULL || rxbuf == NULL) {
        free(txbuf);
        free(rxbuf);
        return CLI_EXIT_ERROR;
    }
    use_tls = cli_url_is_tls(&args.to);
    if (use_tls) tls_setup(&tls_cfg);
    stack.unix_path = args.unix_path;
    stack.bind_addr = args.bind_addr;
    stack.proxy = args.proxy_url ? &args.proxy : NULL;
    /* tr is filled per connection (the top of the stack); the trace reads through it. */
    cli_trace_init(&trace, &tr, args.debug ? stderr : NULL, client_id, &trace_tr);
    if (cli_client_init(txbuf, tx_size, rxbuf, args.rx_size) != BMQTT_OK) return CLI_EXIT_ERROR;
    if (args.session_file && cli_session_open(args.session_file, &client, args.debug) != 0) return CLI_EXIT_ERROR;
    rc = args.mode == CLI_PUB ? cmd_pub() : cmd_sub();
    cli_stack_free(&stack);
    free(rxbuf);
    free(txbuf);
    return rc;
}
