/*
 * ESP-AT compatible MQTT AT command interpreter (include/bmqtt/at.h).
 *
 * The bytes, codes and state rules follow Espressif's ESP-AT firmware as it
 * behaves, not only as it is documented; docs/AT.md lists where bmqtt differs
 * on purpose. One file: line reader, parameter parser, command table, and the
 * glue to the client's events.
 */
#include <string.h>

#include "bmqtt/at.h"
#include "bmqtt/version.h"

/* Input modes. */
enum { MODE_LINE = 0, MODE_RAW };
/* What a prompt's raw bytes are for. */
enum { RAW_CLIENT_ID = 1, RAW_USERNAME, RAW_PASSWORD, RAW_PUB };
/* What the running command waits for (0: nothing: lines are commands). */
enum { W_NONE = 0, W_START, W_OPEN, W_CONN, W_PUB, W_PUB0, W_RAW, W_RAW0, W_SUB, W_UNSUB, W_CLEAN };
/* Who drives the client: nobody, the AT layer, or bmqtt_reconnect_* (reconnect=1). */
enum { S_NONE = 0, S_DIRECT, S_RECONNECT };

#define AT_DEFAULT_TIMEOUT_MS 15000u
#define AT_CLEAN_TIMEOUT_MS 5000u
#define AT_MAX_FIELDS 12u

/* ESP-AT's error numbers: 0x01 << 24 | sub << 16 | ext. */
#define ERR_SUB_PARAM 0x0108u
#define ERR_SUB_UNKNOWN 0x0109u
#define ERR_SUB_BUSY 0x010bu
#define ERR_SUB_MQTT 0x010au

/* The MQTT ext codes used here (esp-at's AT_MQTT_* table). */
enum {
    E_NO_CONFIGURED = 0x6001, E_NOT_IN_CONFIGURED_STATE = 0x6002, E_UNINITIATED_OR_CLEAN = 0x6003,
    E_ALREADY_CONNECTED = 0x6004, E_MALLOC_FAILED = 0x6005, E_NULL_LINK = 0x6006, E_NULL_PARAMETER = 0x6007,
    E_PARAM_COUNT = 0x6008, E_CLIENT_START = 0x600B, E_PUBLISH_FAILED = 0x600C, E_SUBSCRIBE_FAILED = 0x600D,
    E_UNSUBSCRIBE_FAILED = 0x600E, E_LINK_READ = 0x6010, E_LINK_VALUE = 0x6011, E_SCHEME_READ = 0x6012,
    E_SCHEME_VALUE = 0x6013, E_CLIENT_ID_READ = 0x6014, E_CLIENT_ID_OVERLENGTH = 0x6016,
    E_USERNAME_READ = 0x6017, E_USERNAME_OVERLENGTH = 0x6019, E_PASSWORD_READ = 0x601A,
    E_PASSWORD_OVERLENGTH = 0x601C, E_CERT_KEY_ID_READ = 0x601D, E_CERT_KEY_ID_VALUE = 0x601E,
    E_CA_ID_READ = 0x601F, E_CA_ID_VALUE = 0x6020, E_PATH_READ = 0x6027, E_PATH_OVERLENGTH = 0x6029,
    E_KEEPALIVE_READ = 0x602B, E_KEEPALIVE_VALUE = 0x602D, E_CLEAN_READ = 0x602E, E_CLEAN_VALUE = 0x602F,
    E_LWT_TOPIC_READ = 0x6030, E_LWT_TOPIC_OVERLENGTH = 0x6032, E_LWT_MSG_READ = 0x6033,
    E_LWT_MSG_OVERLENGTH = 0x6035, E_LWT_QOS_READ = 0x6036, E_LWT_QOS_VALUE = 0x6037,
    E_LWT_RETAIN_READ = 0x6038, E_LWT_RETAIN_VALUE = 0x6039, E_HOST_READ = 0x603A, E_HOST_NULL = 0x603B,
    E_HOST_OVERLENGTH = 0x603C, E_PORT_READ = 0x603D, E_PORT_VALUE = 0x603E, E_RECONNECT_READ = 0x603F,
    E_RECONNECT_VALUE = 0x6040, E_TOPIC_READ = 0x6041, E_TOPIC_NULL = 0x6042, E_TOPIC_OVERLENGTH = 0x6043,
    E_DATA_READ = 0x6044, E_DATA_NULL = 0x6045, E_DATA_OVERLENGTH = 0x6046, E_QOS_READ = 0x6047,
    E_QOS_VALUE = 0x6048, E_RETAIN_READ = 0x6049, E_RETAIN_VALUE = 0x604A, E_PUBLISH_LENGTH_READ = 0x604B,
    E_PUBLISH_LENGTH_VALUE = 0x604C, E_IN_DISCONNECTED_STATE = 0x6051, E_HOSTNAME_VERIFY = 0x6052,
    E_TIMEOUT_READ = 0x6053, E_TIMEOUT_VALUE = 0x6054, E_DNS = 0x6055, E_CONNECT_TIMEOUT = 0x6057
};

/* One parameter: its text in the line, unescaped in place when read as a string. */
typedef struct field {
    char *p;
    size_t len;
} field_t;

typedef struct args {
    field_t f[AT_MAX_FIELDS];
    size_t n;     /* fields kept in f (at most AT_MAX_FIELDS) */
    size_t count; /* fields in the line (more than n when there are too many to keep) */
} args_t;

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static void out(bmqtt_at_t *at, const char *s, size_t n)
{
    if (n > 0u) {
        at->cfg->write(at->cfg->user, (const uint8_t *)s, n);
    }
}

static void outs(bmqtt_at_t *at, const char *s)
{
    out(at, s, strlen(s));
}

static void out_u32(bmqtt_at_t *at, uint32_t v)
{
    char b[10];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + (char)(v % 10u));
        v /= 10u;
    } while (v != 0u); /* 10 digits hold any uint32_t */
    out(at, b + i, sizeof b - i);
}

static void out_i32(bmqtt_at_t *at, int32_t v)
{
    if (v < 0) {
        outs(at, "-");
        out_u32(at, (uint32_t)0u - (uint32_t)v);
    } else {
        out_u32(at, (uint32_t)v);
    }
}

/* "ERR CODE:0x%08x\r\n", printed only after AT+SYSLOG=1. */
static void err_code(bmqtt_at_t *at, uint32_t code)
{
    static const char hex[] = "0123456789abcdef";
    char b[19];
    unsigned i;
    if (!at->syslog) {
        return;
    }
    memcpy(b, "ERR CODE:0x", 11u);
    for (i = 0u; i < 8u; i++) {
        b[11u + i] = hex[(code >> (28u - 4u * i)) & 0xFu];
    }
    out(at, b, sizeof b);
    outs(at, "\r\n");
}

static void ok(bmqtt_at_t *at)
{
    outs(at, "\r\nOK\r\n");
}

static void error(bmqtt_at_t *at)
{
    outs(at, "\r\nERROR\r\n");
}

/* A failed command: the parser's code for parameter @p idx (when >= 0), the MQTT code (when non-zero), ERROR. */
static void fail(bmqtt_at_t *at, int idx, uint16_t code)
{
    if (idx >= 0) {
        err_code(at, ((uint32_t)ERR_SUB_PARAM << 16) | (uint32_t)idx);
    }
    if (code != 0u) {
        err_code(at, ((uint32_t)ERR_SUB_MQTT << 16) | code);
    }
    error(at);
}

void bmqtt_at_write(bmqtt_at_t *at, const char *buf, size_t len)
{
    if (at != NULL && at->cfg != NULL && buf != NULL) {
        out(at, buf, len);
    }
}

void bmqtt_at_ok(bmqtt_at_t *at)
{
    if (at != NULL && at->cfg != NULL) {
        ok(at);
    }
}

void bmqtt_at_error(bmqtt_at_t *at)
{
    if (at != NULL && at->cfg != NULL) {
        error(at);
    }
}

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */
/* ------------------------------------------------------------------------ */

/* Split at every ',' that a '\' does not escape; quotes do not protect commas (as the firmware). */
static void split(char *s, size_t n, args_t *a)
{
    size_t i, start = 0u;
    a->n = a->count = 0u;
    for (i = 0u; i <= n; i++) {
        if (i < n && s[i] == '\\') {
            i++; /* the next byte is escaped, whatever it is */
            continue;
        }
        if (i >= n || s[i] == ',') {
            size_t end = i > n ? n : i;
            if (a->n < AT_MAX_FIELDS) {
                a->f[a->n].p = s + start;
                a->f[a->n].len = end - start;
                a->n++;
            }
            a->count++;
            start = i + 1u;
        }
    }
}

static int present(const args_t *a, size_t i)
{
    return i < a->n && a->f[i].len > 0u;
}

/* An integer: optional '-', decimal or 0x hex, leading zeros; 32 bits; negatives wrap (ranges are unsigned).
 * Callers pass a present (non-empty) field. */
static int parse_u32(const field_t *f, uint32_t *v)
{
    const char *p = f->p;
    size_t n = f->len, i = 0u;
    uint64_t acc = 0u;
    unsigned base = 10u;
    int neg = 0, digits = 0;
    if (p[0] == '-') {
        neg = 1;
        i = 1u;
    }
    if (n >= i + 2u && p[i] == '0' && (p[i + 1u] == 'x' || p[i + 1u] == 'X')) {
        base = 16u;
        i += 2u;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = p[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16u && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a') + 10u;
        } else if (base == 16u && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A') + 10u;
        } else {
            return -1;
        }
        acc = acc * base + d;
        if (acc > 0xFFFFFFFFu) {
            return -1;
        }
        digits = 1;
    }
    if (!digits || (neg && acc > 0x80000000u)) {
        return -1;
    }
    *v = neg ? (uint32_t)(0u - (uint32_t)acc) : (uint32_t)acc;
    return 0;
}

/* A quoted string, unescaped in place: '\' takes the next byte literally; an unescaped '"' inside fails. */
static int parse_str(field_t *f, char **s, size_t *len)
{
    char *p = f->p;
    size_t n = f->len, i = 1u, o = 0u;
    if (n < 2u || p[0] != '"') {
        return -1;
    }
    while (i < n) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1u >= n) {
                return -1;
            }
            p[o++] = p[i + 1u];
            i += 2u;
            continue;
        }
        if (c == '"') {
            if (i != n - 1u) {
                return -1;
            }
            *s = p;
            *len = o;
            p[o] = '\0'; /* o < i: the closing quote's place or earlier */
            return 0;
        }
        p[o++] = c;
        i++;
    }
    return -1; /* no closing quote (or it was escaped) */
}

/* Parameter i as an integer, or fail with the parser's code and @p code. */
static int p_int(bmqtt_at_t *at, args_t *a, size_t i, uint16_t code, uint32_t *v)
{
    if (!present(a, i) || parse_u32(&a->f[i], v) != 0) {
        fail(at, (int)i, code);
        return -1;
    }
    return 0;
}

static int p_str(bmqtt_at_t *at, args_t *a, size_t i, uint16_t code, char **s, size_t *len)
{
    if (!present(a, i) || parse_str(&a->f[i], s, len) != 0) {
        fail(at, (int)i, code);
        return -1;
    }
    return 0;
}

/* A parameter that must be read (code @p rd otherwise) and be at most @p max
 * (code @p over otherwise): the firmware's two checks of most parameters. */
static int p_int_max(bmqtt_at_t *at, args_t *a, size_t i, uint16_t rd, uint32_t max, uint16_t over, uint32_t *v)
{
    if (p_int(at, a, i, rd, v) != 0) return -1;
    if (*v > max) {
        fail(at, -1, over);
        return -1;
    }
    return 0;
}

static int p_str_max(bmqtt_at_t *at, args_t *a, size_t i, uint16_t rd, size_t max, uint16_t over, char **s,
                     size_t *len)
{
    if (p_str(at, a, i, rd, s, len) != 0) return -1;
    if (*len > max) {
        fail(at, -1, over);
        return -1;
    }
    return 0;
}

/* LinkID, first of every MQTT command: 0 only. */
static int p_link(bmqtt_at_t *at, args_t *a)
{
    uint32_t v;
    if (p_int(at, a, 0u, E_LINK_READ, &v) != 0) {
        return -1;
    }
    if (v != 0u) {
        fail(at, -1, E_LINK_VALUE);
        return -1;
    }
    return 0;
}

/* The optional timeout_ms of CONN/PUB/SUB/UNSUB: [3000, 60000], default 15000. */
static int p_timeout(const args_t *a, size_t i, uint32_t *ms, int *bad_read)
{
    *ms = AT_DEFAULT_TIMEOUT_MS;
    *bad_read = 0;
    if (!present(a, i)) {
        return 0;
    }
    if (parse_u32(&a->f[i], ms) != 0) {
        *bad_read = 1;
        return -1;
    }
    return (*ms < 3000u || *ms > 60000u) ? -1 : 0;
}

static int too_many(bmqtt_at_t *at, const args_t *a, size_t max)
{
    if (a->count > max) {
        fail(at, -1, E_PARAM_COUNT);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* State                                                                     */
/* ------------------------------------------------------------------------ */

static void client_setup(bmqtt_at_t *at)
{
    const bmqtt_at_config_t *cfg = at->cfg;
    bmqtt_client_config_t *c = &at->ccfg;
    memset(c, 0, sizeof *c);
    c->tx_buf = cfg->tx_buf;
    c->tx_size = cfg->tx_size;
    c->rx_buf = cfg->rx_buf;
    c->rx_size = cfg->rx_size;
    c->inflight = cfg->inflight;
    c->inflight_count = cfg->inflight_count;
    c->qos2_ids = cfg->qos2_ids;
    c->qos2_count = cfg->qos2_count;
    c->requests = at->requests;
    c->request_count = (uint16_t)(sizeof at->requests / sizeof at->requests[0]);
    c->response_timeout_ms = AT_DEFAULT_TIMEOUT_MS;
    c->user = at;
}

/* A fresh client on at->ccfg, with the configured outbox (if any). */
static bmqtt_status_t client_init(bmqtt_at_t *at)
{
    bmqtt_status_t st = bmqtt_client_init(&at->client, &at->ccfg);
    if (st == BMQTT_OK) st = bmqtt_client_set_outbox(&at->client, at->cfg->outbox, at->cfg->outbox_size);
    return st;
}

/* Forget the MQTT configuration and the session (AT+MQTTCLEAN, AT+RST): state 0. */
static void mqtt_reset(bmqtt_at_t *at)
{
    at->state = 0u; /* first: a session ended here prints no +MQTTDISCONNECTED */
    at->wait = W_NONE;
    if (at->session == S_RECONNECT) {
        bmqtt_reconnect_stop(&at->rc);
    }
    if (bmqtt_client_state(&at->client) != BMQTT_CLIENT_IDLE &&
        bmqtt_client_state(&at->client) != BMQTT_CLIENT_CLOSED) {
        bmqtt_client_abort(&at->client);
    }
    at->session = S_NONE;
    (void)client_init(at);
    memset(at->subs, 0, sizeof at->subs);
    at->state = 0u;
    at->scheme = 0u;
    at->reconnect = 0u;
    at->id_len = at->user_len = at->pass_len = 0u;
    at->client_id[0] = at->username[0] = at->password[0] = '\0';
    at->host_len = at->path_len = 0u;
    at->host[0] = at->path[0] = '\0';
    at->lwt_topic_len = at->lwt_msg_len = 0u;
    at->lwt_topic[0] = at->lwt_msg[0] = '\0';
    at->sni[0] = '\0';
    at->alpn_count = 0u;
    at->keepalive_s = 120u;
    at->clean = 1u;
    at->lwt_qos = at->lwt_retain = 0u;
    at->cert_key_id = at->ca_id = 0u;
    at->port = 0u;
    at->wait = W_NONE;
    at->pub_lock_id = at->raw_lock_id = 0u;
    at->conn_failed = 0u;
    at->had_session = 0u;
    at->resub = 0u;
}

static void power_up(bmqtt_at_t *at)
{
    mqtt_reset(at);
    at->mode = MODE_LINE;
    at->line_len = 0u;
    at->overflow = 0u;
    at->cr = 0u;
    at->echo = 1u;
    at->syslog = 0u;
    at->sntp_enable = 0u;
    at->sntp_tz_hhmm = 0;
    memset(at->sntp_servers, 0, sizeof at->sntp_servers);
}

static void on_event(void *user, const bmqtt_event_t *ev);

static const char *at_status_name(int s)
{
    switch (s) {
    case (int)BMQTT_ERR_AT_SCHEME:
        return "AT: scheme not supported by the open callback";
    case (int)BMQTT_ERR_AT_REENTERED:
        return "AT: input called from inside a hook";
    default:
        return NULL;
    }
}

static bmqtt_status_names_t at_status_names = { BMQTT_STATUS_AT_BASE, BMQTT_STATUS_AT_BASE - 19, at_status_name,
                                                "AT error", NULL };

bmqtt_status_t bmqtt_at_init_checked(bmqtt_at_t *at, const bmqtt_at_config_t *cfg, size_t at_size)
{
    bmqtt_status_register(&at_status_names);
    if (at == NULL || cfg == NULL || at_size != sizeof(bmqtt_at_t) || cfg->write == NULL || cfg->open == NULL ||
        cfg->tx_buf == NULL || cfg->tx_size < 512u) {
        return BMQTT_ERR_PARAM;
    }
    memset(at, 0, sizeof *at);
    at->cfg = cfg;
    client_setup(at);
    at->ccfg.on_event = on_event;
    if (client_init(at) != BMQTT_OK) {
        at->cfg = NULL;
        return BMQTT_ERR_PARAM;
    }
    power_up(at);
    return BMQTT_OK;
}

int bmqtt_at_state(const bmqtt_at_t *at)
{
    return at == NULL ? 0 : (int)at->state;
}

int bmqtt_at_busy(const bmqtt_at_t *at)
{
    return at != NULL && at->wait != W_NONE;
}

static int sub_find(const bmqtt_at_t *at, const char *t, size_t n)
{
    size_t i;
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        if (at->subs[i].used && at->subs[i].len == n && memcmp(at->subs[i].topic, t, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Track a topic (exact match; a tracked one is left as it is; an 11th is not tracked). */
static void sub_track(bmqtt_at_t *at, const char *t, size_t n, uint8_t qos)
{
    size_t i;
    if (sub_find(at, t, n) >= 0) {
        return;
    }
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        if (!at->subs[i].used) {
            memcpy(at->subs[i].topic, t, n);
            at->subs[i].topic[n] = '\0';
            at->subs[i].len = (uint8_t)n;
            at->subs[i].qos = qos;
            at->subs[i].used = 1u;
            return;
        }
    }
}

static size_t sub_count(const bmqtt_at_t *at)
{
    size_t i, n = 0u;
    for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
        n += at->subs[i].used;
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Client events and URCs                                                    */
/* ------------------------------------------------------------------------ */

static void urc_connected(bmqtt_at_t *at)
{
    outs(at, "+MQTTCONNECTED:0,");
    out_u32(at, at->scheme);
    outs(at, ",\"");
    out(at, at->host, at->host_len);
    outs(at, "\",\"");
    out_u32(at, at->port);
    outs(at, "\",\"");
    if (at->scheme >= 6u) {
        out(at, at->path, at->path_len);
    }
    outs(at, "\",");
    out_u32(at, at->reconnect);
    outs(at, "\r\n");
}

/* The end of a connect attempt that failed: state 2, no retry, ERROR. */
static void conn_fail(bmqtt_at_t *at, uint16_t code)
{
    if (at->session == S_RECONNECT) {
        bmqtt_reconnect_stop(&at->rc);
    }
    if (bmqtt_client_state(&at->client) == BMQTT_CLIENT_CONNECTING ||
        bmqtt_client_state(&at->client) == BMQTT_CLIENT_CONNECTED) {
        bmqtt_client_abort(&at->client);
    }
    at->session = S_NONE;
    at->wait = W_NONE;
    at->state = 2u;
    at->conn_failed = 0u;
    at->resub = 0u;
    fail(at, -1, code);
}

static void wait_done_pub(bmqtt_at_t *at, int good)
{
    if (at->wait == W_RAW || at->wait == W_RAW0) {
        outs(at, good ? "+MQTTPUB:OK\r\n" : "+MQTTPUB:FAIL\r\n");
    } else if (good) {
        ok(at);
    } else {
        error(at);
    }
    at->wait = W_NONE;
}

static void on_message(bmqtt_at_t *at, const bmqtt_message_t *m)
{
    /* Topic and payload are views of any length: nothing is cached, nothing can overflow. */
    outs(at, "+MQTTSUBRECV:0,\"");
    out(at, (const char *)m->topic.ptr, m->topic.len);
    outs(at, "\",");
    out_u32(at, (uint32_t)m->payload.len);
    outs(at, ",");
    out(at, (const char *)m->payload.ptr, m->payload.len);
    outs(at, "\r\n");
}

/* +MQTTCONNECTED, and OK when AT+MQTTCONN waits for it. */
static void tell_connected(bmqtt_at_t *at)
{
    urc_connected(at);
    if (at->wait == W_CONN) {
        at->wait = W_NONE;
        ok(at);
    }
}

/* After a CONNACK of the reconnect loop on which the broker has no session: SUBSCRIBE every tracked topic,
 * and tell the host only when they have left, so that nothing published after the URC is missed (the
 * firmware subscribes in its connected event, then prints the URC). From poll: the client is not
 * re-entered from its own event. */
static void resubscribe(bmqtt_at_t *at)
{
    while (at->resub_next < BMQTT_AT_SUB_SLOTS) {
        const bmqtt_at_sub_t *t = &at->subs[at->resub_next];
        if (t->used) {
            bmqtt_subscription_t s;
            bmqtt_status_t st;
            s.filter.ptr = (const uint8_t *)t->topic;
            s.filter.len = t->len;
            s.qos = t->qos;
            st = bmqtt_client_subscribe(&at->client, &s, 1u, NULL);
            if (st == BMQTT_ERR_BUSY) {
                return; /* a request slot or tx_buf frees up in a later poll */
            }
            if (st == BMQTT_ERR_NOT_CONNECTED) {
                at->resub = 0u; /* the session ended: CLOSED has been handled */
                return;
            }
        }
        at->resub_next++;
    }
    if (bmqtt_client_tx_idle(&at->client)) {
        at->resub = 0u;
        tell_connected(at);
    }
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    bmqtt_at_t *at = (bmqtt_at_t *)user;
    uint8_t told;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        if (ev->status == BMQTT_OK) {
            at->state = 4u;
            at->had_session = 1u;
            if (at->session == S_RECONNECT && sub_count(at) > 0u &&
                (at->clean || !bmqtt_client_session_present(&at->client))) {
                at->resub = 1u; /* poll re-subscribes, then tells the host */
                at->resub_next = 0u;
            } else {
                tell_connected(at);
            }
        } else if (at->wait == W_CONN) {
            at->conn_failed = 1u;
        }
        break;
    case BMQTT_EVT_MESSAGE:
        if (ev->message != NULL) {
            on_message(at, ev->message);
        }
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        if (ev->packet_id == at->pub_lock_id) {
            at->pub_lock_id = 0u;
        }
        if (ev->packet_id == at->raw_lock_id) {
            at->raw_lock_id = 0u;
        }
        if ((at->wait == W_PUB || at->wait == W_RAW) && ev->packet_id == at->wait_id) {
            wait_done_pub(at, ev->status == BMQTT_OK);
        }
        break;
    case BMQTT_EVT_SUBACK:
        if (ev->status == BMQTT_OK && at->state >= 4u) {
            at->state = 6u;
        }
        if (at->wait == W_SUB && ev->packet_id == at->wait_id) {
            int good = ev->status == BMQTT_OK && ev->codes.len == 1u && ev->codes.ptr[0] != BMQTT_SUBACK_FAILURE;
            at->wait = W_NONE;
            if (good) {
                sub_track(at, at->sub_topic, at->sub_topic_len, at->sub_qos);
                ok(at);
            } else {
                error(at);
            }
        }
        break;
    case BMQTT_EVT_UNSUBACK:
        if (at->wait == W_UNSUB && ev->packet_id == at->wait_id) {
            at->wait = W_NONE;
            if (ev->status == BMQTT_OK) {
                ok(at);
            } else {
                error(at);
            }
        }
        break;
    case BMQTT_EVT_QOS2_DONE:
        break;
    case BMQTT_EVT_CLOSED:
        told = (uint8_t)!at->resub; /* a connection the host never heard of ends without a URC */
        at->resub = 0u;
        if (at->wait == W_CONN) {
            at->conn_failed = 1u;
            break;
        }
        if (at->wait == W_CLEAN) {
            break; /* poll finishes AT+MQTTCLEAN: no URC for a disconnect we asked for */
        }
        if (at->state >= 4u) {
            at->state = 3u;
            if (told) {
                outs(at, "+MQTTDISCONNECTED:0\r\n");
            }
        }
        if (at->wait == W_PUB0 || at->wait == W_RAW0 || at->wait == W_SUB || at->wait == W_UNSUB) {
            wait_done_pub(at, 0);
        } else if ((at->wait == W_PUB || at->wait == W_RAW) && at->clean) {
            wait_done_pub(at, 0); /* with clean session the message is dropped */
        }
        if (at->session == S_DIRECT) {
            at->session = S_NONE;
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Connecting                                                                */
/* ------------------------------------------------------------------------ */

static void fill_connect(bmqtt_at_t *at)
{
    bmqtt_connect_t *c = &at->conn;
    memset(c, 0, sizeof *c);
    c->client_id.ptr = (const uint8_t *)at->client_id;
    c->client_id.len = at->id_len;
    if (at->user_len > 0u || at->pass_len > 0u) {
        c->username.ptr = (const uint8_t *)at->username; /* a password needs a user name in 3.1.1 */
        c->username.len = at->user_len;
    }
    if (at->pass_len > 0u) {
        c->password.ptr = (const uint8_t *)at->password;
        c->password.len = at->pass_len;
    }
    if (at->lwt_topic_len > 0u) {
        c->will_topic.ptr = (const uint8_t *)at->lwt_topic;
        c->will_topic.len = at->lwt_topic_len;
        c->will_payload.ptr = (const uint8_t *)at->lwt_msg;
        c->will_payload.len = at->lwt_msg_len;
        c->will_qos = at->lwt_qos;
        c->will_retain = at->lwt_retain;
    }
    c->keepalive_s = at->keepalive_s;
    c->clean_session = at->clean;
}

static void fill_open(bmqtt_at_t *at)
{
    bmqtt_at_open_t *r = &at->open_req;
    size_t i;
    memset(r, 0, sizeof *r);
    r->scheme = at->scheme;
    r->cert_key_id = at->cert_key_id;
    r->ca_id = at->ca_id;
    r->host = at->host;
    r->port = at->port;
    r->path = at->scheme >= 6u ? at->path : "";
    r->sni = at->sni[0] != '\0' ? at->sni : NULL;
    r->alpn_count = at->alpn_count;
    for (i = 0u; i < at->alpn_count && i < BMQTT_AT_ALPN_MAX; i++) {
        r->alpn[i] = at->alpn + at->alpn_off[i];
    }
    r->timeout_ms = at->conn_timeout_ms;
}

static uint16_t open_code(bmqtt_status_t st)
{
    if (st == BMQTT_ERR_DNS) {
        return E_DNS;
    }
    if (st == BMQTT_ERR_AT_SCHEME) {
        return E_CLIENT_START;
    }
    return 0u;
}

/* The open hook of bmqtt_reconnect_*: the caller's, with the stored request. */
static bmqtt_status_t rc_open(void *user, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    bmqtt_at_t *at = (bmqtt_at_t *)user;
    bmqtt_status_t st = at->cfg->open(at->cfg->user, &at->open_req, tr, now_ms);
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK && at->wait == W_CONN) {
        at->conn_failed = 1u; /* a failed first connect is not retried, even with reconnect=1 */
        at->conn_code = open_code(st);
    }
    return st;
}

/* Direct session: open (maybe over several polls), then CONNECT. */
static void direct_open(bmqtt_at_t *at)
{
    const bmqtt_transport_t *tr = NULL;
    bmqtt_status_t st = at->cfg->open(at->cfg->user, &at->open_req, &tr, at->now_ms);
    if (st == BMQTT_WOULD_BLOCK) {
        at->wait = W_OPEN;
        return;
    }
    if (st != BMQTT_OK || tr == NULL) {
        conn_fail(at, open_code(st));
        return;
    }
    at->wait = W_CONN;
    at->session = S_DIRECT;
    if (bmqtt_client_connect(&at->client, tr, &at->conn, at->now_ms) != BMQTT_OK) {
        if (tr->close != NULL) {
            tr->close(tr->ctx);
        }
        conn_fail(at, E_CLIENT_START);
    }
}

/* ------------------------------------------------------------------------ */
/* MQTT commands                                                             */
/* ------------------------------------------------------------------------ */

static void cmd_usercfg(bmqtt_at_t *at, args_t *a)
{
    uint32_t scheme, cert, ca;
    char *id, *user, *pass, *path;
    size_t id_n, user_n, pass_n, path_n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state > 2u) {
        fail(at, -1, E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_int(at, a, 1u, E_SCHEME_READ, &scheme) != 0) {
        return;
    }
    if (scheme < 1u || scheme > 10u) {
        fail(at, -1, E_SCHEME_VALUE);
        return;
    }
    /* Empty client id, user name, password: warnings only (0x6015, 0x6018, 0x601B). */
    if (p_str(at, a, 2u, E_CLIENT_ID_READ, &id, &id_n) != 0 ||
        p_str(at, a, 3u, E_USERNAME_READ, &user, &user_n) != 0 ||
        p_str(at, a, 4u, E_PASSWORD_READ, &pass, &pass_n) != 0) {
        return;
    }
    if (p_int_max(at, a, 5u, E_CERT_KEY_ID_READ, 1u, E_CERT_KEY_ID_VALUE, &cert) != 0) {
        return;
    }
    if (p_int_max(at, a, 6u, E_CA_ID_READ, 1u, E_CA_ID_VALUE, &ca) != 0) {
        return;
    }
    if (p_str_max(at, a, 7u, E_PATH_READ, BMQTT_AT_PATH_MAX, E_PATH_OVERLENGTH, &path, &path_n) != 0) {
        return;
    }
    if (too_many(at, a, 8u)) {
        return;
    }
    at->scheme = (uint8_t)scheme;
    memcpy(at->client_id, id, id_n + 1u);
    at->id_len = (uint16_t)id_n;
    memcpy(at->username, user, user_n + 1u);
    at->user_len = (uint16_t)user_n;
    memcpy(at->password, pass, pass_n + 1u);
    at->pass_len = (uint16_t)pass_n;
    at->cert_key_id = (uint8_t)cert;
    at->ca_id = (uint8_t)ca;
    /* "mqtt" is "/mqtt" (the firmware's URC and request line): the '/' is added, never doubled */
    at->path[0] = '/';
    memcpy(at->path + (path_n > 0u && path[0] != '/'), path, path_n + 1u);
    at->path_len = (uint8_t)(path_n + (path_n > 0u && path[0] != '/'));
    at->state = 1u;
    ok(at);
}

/* AT+MQTTLONGCLIENTID / LONGUSERNAME / LONGPASSWORD=0,len: the prompt, then len raw bytes. */
static void cmd_long(bmqtt_at_t *at, args_t *a, uint8_t kind)
{
    static const uint16_t read_code[] = { E_CLIENT_ID_READ, E_USERNAME_READ, E_PASSWORD_READ };
    uint16_t code = read_code[kind - RAW_CLIENT_ID];
    uint32_t len;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state != 1u) {
        fail(at, -1, at->state == 0u ? E_NO_CONFIGURED : E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_int(at, a, 1u, code, &len) != 0) {
        return;
    }
    if (len < 1u || len > BMQTT_AT_LONG_MAX) {
        fail(at, -1, (uint16_t)(code + 2u)); /* the field's OVERLENGTH code */
        return;
    }
    if (too_many(at, a, 2u)) {
        return;
    }
    at->mode = MODE_RAW;
    at->raw_kind = kind;
    at->raw_need = len;
    at->raw_got = 0u;
    outs(at, "\r\nOK\r\n\r\n>");
}

/* The legacy AT+MQTTCLIENTID / USERNAME / PASSWORD=0,"x" (registered, undocumented, used by hosts). */
static void cmd_legacy(bmqtt_at_t *at, args_t *a, uint8_t kind)
{
    static const uint16_t read_code[] = { E_CLIENT_ID_READ, E_USERNAME_READ, E_PASSWORD_READ };
    char *s;
    size_t n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state != 1u) {
        fail(at, -1, at->state == 0u ? E_NO_CONFIGURED : E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_str(at, a, 1u, read_code[kind - RAW_CLIENT_ID], &s, &n) != 0 || too_many(at, a, 2u)) {
        return;
    }
    if (kind == RAW_CLIENT_ID) {
        memcpy(at->client_id, s, n + 1u);
        at->id_len = (uint16_t)n;
    } else if (kind == RAW_USERNAME) {
        memcpy(at->username, s, n + 1u);
        at->user_len = (uint16_t)n;
    } else {
        memcpy(at->password, s, n + 1u);
        at->pass_len = (uint16_t)n;
    }
    ok(at);
}

static void cmd_conncfg(bmqtt_at_t *at, args_t *a)
{
    uint32_t keepalive, dis_clean, qos, retain;
    char *topic, *msg;
    size_t topic_n, msg_n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state == 0u) {
        fail(at, -1, E_NO_CONFIGURED);
        return;
    }
    if (at->state > 2u) {
        fail(at, -1, E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_int_max(at, a, 1u, E_KEEPALIVE_READ, 7200u, E_KEEPALIVE_VALUE, &keepalive) != 0) {
        return;
    }
    if (p_int_max(at, a, 2u, E_CLEAN_READ, 1u, E_CLEAN_VALUE, &dis_clean) != 0) {
        return;
    }
    if (p_str_max(at, a, 3u, E_LWT_TOPIC_READ, BMQTT_AT_TOPIC_MAX, E_LWT_TOPIC_OVERLENGTH, &topic, &topic_n) != 0) {
        return;
    }
    if (p_str_max(at, a, 4u, E_LWT_MSG_READ, BMQTT_AT_TOPIC_MAX, E_LWT_MSG_OVERLENGTH, &msg, &msg_n) != 0) {
        return;
    }
    if (p_int_max(at, a, 5u, E_LWT_QOS_READ, 2u, E_LWT_QOS_VALUE, &qos) != 0) {
        return;
    }
    if (p_int_max(at, a, 6u, E_LWT_RETAIN_READ, 1u, E_LWT_RETAIN_VALUE, &retain) != 0) {
        return;
    }
    if (too_many(at, a, 7u)) {
        return;
    }
    at->keepalive_s = keepalive == 0u ? 120u : (uint16_t)keepalive; /* 0 is 120 s (warning 0x602C) */
    at->clean = (uint8_t)(dis_clean ? 0u : 1u);
    memcpy(at->lwt_topic, topic, topic_n + 1u);
    at->lwt_topic_len = (uint8_t)topic_n;
    memcpy(at->lwt_msg, msg, msg_n + 1u);
    at->lwt_msg_len = (uint8_t)msg_n;
    at->lwt_qos = (uint8_t)qos;
    at->lwt_retain = (uint8_t)retain;
    at->state = 2u;
    ok(at);
}

/* AT+MQTTALPN=0,n[,"alpn"]...: every error is a plain ERROR (as the firmware). */
static void cmd_alpn(bmqtt_at_t *at, args_t *a)
{
    uint32_t link, n;
    size_t i, off = 0u;
    if (!present(a, 0u) || parse_u32(&a->f[0], &link) != 0 || link != 0u || at->state != 1u ||
        !present(a, 1u) || parse_u32(&a->f[1], &n) != 0 || n > BMQTT_AT_ALPN_MAX || a->count != n + 2u) {
        error(at);
        return;
    }
    /* Parse all first, then copy: a bad one leaves the old list. The fields sit in at->line. */
    for (i = 0u; i < n; i++) {
        char *s;
        size_t len;
        if (parse_str(&a->f[2u + i], &s, &len) != 0 || len == 0u) {
            error(at);
            return;
        }
        a->f[2u + i].p = s;
        a->f[2u + i].len = len;
    }
    for (i = 0u; i < n; i++) {
        memcpy(at->alpn + off, a->f[2u + i].p, a->f[2u + i].len + 1u);
        at->alpn_off[i] = (uint16_t)off;
        off += a->f[2u + i].len + 1u;
    }
    at->alpn_count = (uint8_t)n;
    ok(at);
}

static void cmd_sni(bmqtt_at_t *at, args_t *a)
{
    char *s;
    size_t n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state != 1u) {
        fail(at, -1, at->state == 0u ? E_NO_CONFIGURED : E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_str(at, a, 1u, E_NULL_PARAMETER, &s, &n) != 0 || too_many(at, a, 2u)) {
        return;
    }
    memcpy(at->sni, s, n + 1u); /* "" clears */
    ok(at);
}

static int host_ok(const char *h, size_t n)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static void conn_start(bmqtt_at_t *at);

static void cmd_conn(bmqtt_at_t *at, args_t *a)
{
    char *host;
    size_t host_n;
    uint32_t port, reconnect, timeout;
    int bad_read;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state == 0u) {
        fail(at, -1, E_NO_CONFIGURED);
        return;
    }
    if (at->state >= 4u) {
        fail(at, -1, E_ALREADY_CONNECTED);
        return;
    }
    if (at->state == 3u && at->reconnect) {
        fail(at, -1, E_IN_DISCONNECTED_STATE); /* the reconnects are under way */
        return;
    }
    if (p_str(at, a, 1u, E_HOST_READ, &host, &host_n) != 0) {
        return;
    }
    if (host_n == 0u) {
        fail(at, -1, E_HOST_NULL);
        return;
    }
    if (host_n > BMQTT_AT_TOPIC_MAX) {
        fail(at, -1, E_HOST_OVERLENGTH);
        return;
    }
    if (!host_ok(host, host_n)) {
        fail(at, -1, E_HOSTNAME_VERIFY);
        return;
    }
    if (p_int_max(at, a, 2u, E_PORT_READ, 65535u, E_PORT_VALUE, &port) != 0) {
        return;
    }
    if (p_int_max(at, a, 3u, E_RECONNECT_READ, 1u, E_RECONNECT_VALUE, &reconnect) != 0) {
        return;
    }
    if (p_timeout(a, 4u, &timeout, &bad_read) != 0) {
        fail(at, bad_read ? 4 : -1, bad_read ? E_TIMEOUT_READ : E_TIMEOUT_VALUE);
        return;
    }
    if (too_many(at, a, 5u)) {
        return;
    }
    memcpy(at->host, host, host_n + 1u);
    at->host_len = (uint8_t)host_n;
    at->port = (uint16_t)port;
    at->reconnect = (uint8_t)reconnect;
    at->conn_timeout_ms = timeout;
    at->conn_failed = 0u;
    at->conn_code = 0u;
    at->session = S_NONE; /* a reconnect loop only runs in states 3 (refused above) and >= 4 */
    if (bmqtt_client_state(&at->client) == BMQTT_CLIENT_CLOSED) {
        (void)client_init(at); /* a new session after a lost one */
    }
    fill_connect(at);
    fill_open(at);
    if (!at->clock) {
        at->wait = W_START; /* no time yet (input before the first poll): the first poll starts it */
        return;
    }
    conn_start(at);
}

/* AT+MQTTCONN's work, on the clock of the last poll: the deadline, then the reconnect loop or a direct open. */
static void conn_start(bmqtt_at_t *at)
{
    at->deadline_ms = at->now_ms + at->conn_timeout_ms;
    if (at->reconnect) {
        memset(&at->rccfg, 0, sizeof at->rccfg);
        at->rccfg.client = &at->client;
        at->rccfg.connect = &at->conn;
        at->rccfg.open = rc_open;
        at->rccfg.user = at;
        at->rccfg.min_backoff_ms = 1000u;
        at->rccfg.max_backoff_ms = 10000u;
        if (bmqtt_reconnect_init(&at->rc, &at->rccfg) != BMQTT_OK) {
            conn_fail(at, E_CLIENT_START);
            return;
        }
        at->session = S_RECONNECT;
        at->wait = W_CONN;
        (void)bmqtt_reconnect_poll(&at->rc, at->now_ms);
        if (at->wait == W_CONN && at->conn_failed) {
            conn_fail(at, at->conn_code);
        }
        return;
    }
    direct_open(at);
}

static void cmd_conn_query(bmqtt_at_t *at)
{
    outs(at, "+MQTTCONN:0,");
    out_u32(at, at->state);
    outs(at, ",");
    out_u32(at, at->scheme);
    if (at->state <= 2u) {
        outs(at, ",\"\",\"\",\"\",0\r\n");
    } else {
        outs(at, ",\"");
        out(at, at->host, at->host_len);
        outs(at, "\",\"");
        out_u32(at, at->port);
        outs(at, "\",\"");
        if (at->scheme >= 6u) {
            out(at, at->path, at->path_len);
        }
        outs(at, "\",");
        out_u32(at, at->reconnect);
        outs(at, "\r\n");
    }
    ok(at);
}

/* Topic of PUB/PUBRAW/SUB/UNSUB: 1..128 bytes. */
static int p_topic(bmqtt_at_t *at, args_t *a, char **t, size_t *n)
{
    if (p_str(at, a, 1u, E_TOPIC_READ, t, n) != 0) {
        return -1;
    }
    if (*n == 0u) {
        fail(at, -1, E_TOPIC_NULL);
        return -1;
    }
    if (*n > BMQTT_AT_TOPIC_MAX) {
        fail(at, -1, E_TOPIC_OVERLENGTH);
        return -1;
    }
    return 0;
}

static int p_qos_retain(bmqtt_at_t *at, args_t *a, size_t i, uint32_t *qos, uint32_t *retain)
{
    if (p_int(at, a, i, E_QOS_READ, qos) != 0) {
        return -1;
    }
    if (*qos > 2u) {
        fail(at, -1, E_QOS_VALUE);
        return -1;
    }
    if (p_int(at, a, i + 1u, E_RETAIN_READ, retain) != 0) {
        return -1;
    }
    if (*retain > 1u) {
        fail(at, -1, E_RETAIN_VALUE);
        return -1;
    }
    return 0;
}

static int connected(bmqtt_at_t *at)
{
    if (at->state < 4u) {
        fail(at, -1, E_NULL_LINK);
        return 0;
    }
    return 1;
}

/* Publish and decide what to wait for. The memory of a QoS 1/2 message stays locked until it ends. */
static void start_publish(bmqtt_at_t *at, const bmqtt_publish_t *pub, uint32_t timeout, int raw)
{
    uint16_t id = 0u;
    bmqtt_status_t st = bmqtt_client_publish(&at->client, pub, &id);
    if (st != BMQTT_OK) {
        if (raw) {
            outs(at, "+MQTTPUB:FAIL\r\n");
        } else {
            fail(at, -1, E_PUBLISH_FAILED);
        }
        return;
    }
    at->deadline_ms = at->now_ms + timeout;
    if (pub->qos == 0u) {
        /* A packet larger than tx_buf is sent from our memory: answer when it has left. */
        at->wait = raw ? W_RAW0 : W_PUB0;
        if (bmqtt_client_tx_idle(&at->client)) {
            wait_done_pub(at, 1);
        }
        return;
    }
    at->wait_id = id;
    at->wait = raw ? W_RAW : W_PUB;
    if (raw) {
        at->raw_lock_id = id;
    } else {
        at->pub_lock_id = id;
    }
}

static void cmd_pub(bmqtt_at_t *at, args_t *a)
{
    char *topic, *data;
    size_t topic_n, data_n;
    uint32_t qos, retain, timeout;
    int bad_read;
    bmqtt_publish_t pub;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_str(at, a, 2u, E_DATA_READ, &data, &data_n) != 0) {
        return;
    }
    if (data_n == 0u) {
        fail(at, -1, E_DATA_NULL); /* the firmware refuses "" too */
        return;
    }
    /* data over BMQTT_AT_DATA_MAX (0x6046) cannot fit in a 256-byte line */
    if (p_qos_retain(at, a, 3u, &qos, &retain) != 0) {
        return;
    }
    if (p_timeout(a, 5u, &timeout, &bad_read) != 0) {
        error(at);
        return;
    }
    if (too_many(at, a, 6u)) {
        return;
    }
    memset(&pub, 0, sizeof pub);
    pub.qos = (uint8_t)qos;
    pub.retain = (uint8_t)retain;
    if (qos > 0u) {
        if (at->pub_lock_id != 0u) {
            fail(at, -1, E_PUBLISH_FAILED); /* the last one's memory is still the client's */
            return;
        }
        memcpy(at->pub_topic, topic, topic_n);
        memcpy(at->pub_data, data, data_n);
        topic = at->pub_topic;
        data = (char *)at->pub_data;
    }
    pub.topic.ptr = (const uint8_t *)topic;
    pub.topic.len = topic_n;
    pub.payload.ptr = (const uint8_t *)data;
    pub.payload.len = data_n;
    start_publish(at, &pub, timeout, 0);
}

static void cmd_pubraw(bmqtt_at_t *at, args_t *a)
{
    char *topic;
    size_t topic_n;
    uint32_t len, qos, retain, timeout;
    int bad_read;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_int(at, a, 2u, E_PUBLISH_LENGTH_READ, &len) != 0) {
        return;
    }
    if (len == 0u) {
        fail(at, -1, E_PUBLISH_LENGTH_VALUE);
        return;
    }
    if (len > at->cfg->raw_size || at->cfg->raw_buf == NULL || at->raw_lock_id != 0u) {
        fail(at, -1, E_MALLOC_FAILED); /* the firmware's limit is its memory; ours is raw_buf */
        return;
    }
    if (p_qos_retain(at, a, 3u, &qos, &retain) != 0) {
        return;
    }
    if (p_timeout(a, 5u, &timeout, &bad_read) != 0) {
        error(at);
        return;
    }
    if (too_many(at, a, 6u)) {
        return;
    }
    memcpy(at->raw_topic, topic, topic_n + 1u);
    at->raw_topic_len = (uint8_t)topic_n;
    at->raw_qos = (uint8_t)qos;
    at->raw_retain = (uint8_t)retain;
    at->conn_timeout_ms = timeout;
    at->mode = MODE_RAW;
    at->raw_kind = RAW_PUB;
    at->raw_need = len;
    at->raw_got = 0u;
    outs(at, "\r\nOK\r\n\r\n>"); /* one write: no URC can come between OK and '>' */
}

static void raw_done(bmqtt_at_t *at)
{
    size_t n = at->raw_got;
    at->mode = MODE_LINE;
    switch (at->raw_kind) {
    case RAW_CLIENT_ID:
        at->client_id[n] = '\0';
        at->id_len = (uint16_t)n;
        ok(at);
        break;
    case RAW_USERNAME:
        at->username[n] = '\0';
        at->user_len = (uint16_t)n;
        ok(at);
        break;
    case RAW_PASSWORD:
        at->password[n] = '\0';
        at->pass_len = (uint16_t)n;
        ok(at);
        break;
    default: {
        bmqtt_publish_t pub;
        if (at->state < 4u) {
            outs(at, "+MQTTPUB:FAIL\r\n"); /* the connection went while the data came */
            break;
        }
        memset(&pub, 0, sizeof pub);
        pub.topic.ptr = (const uint8_t *)at->raw_topic;
        pub.topic.len = at->raw_topic_len;
        pub.payload.ptr = at->cfg->raw_buf;
        pub.payload.len = n;
        pub.qos = at->raw_qos;
        pub.retain = at->raw_retain;
        start_publish(at, &pub, at->conn_timeout_ms, 1);
        break;
    }
    }
}

static void cmd_sub(bmqtt_at_t *at, args_t *a)
{
    char *topic;
    size_t topic_n;
    uint32_t qos, timeout;
    int bad_read;
    bmqtt_subscription_t s;
    uint16_t id = 0u;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_int_max(at, a, 2u, E_QOS_READ, 2u, E_QOS_VALUE, &qos) != 0) {
        return;
    }
    if (p_timeout(a, 3u, &timeout, &bad_read) != 0) {
        error(at);
        return;
    }
    if (too_many(at, a, 4u)) {
        return;
    }
    s.filter.ptr = (const uint8_t *)topic;
    s.filter.len = topic_n;
    s.qos = (uint8_t)qos;
    if (bmqtt_client_subscribe(&at->client, &s, 1u, &id) != BMQTT_OK) {
        fail(at, -1, E_SUBSCRIBE_FAILED);
        return;
    }
    if (qos == 0u) {
        sub_track(at, topic, topic_n, 0u); /* QoS 0 does not wait for SUBACK */
        ok(at);
        return;
    }
    /* Its own copy: pub_topic may still be a QoS 1/2 message's, by reference. */
    memcpy(at->sub_topic, topic, topic_n);
    at->sub_topic_len = (uint8_t)topic_n;
    at->sub_qos = (uint8_t)qos;
    at->wait_id = id;
    at->wait = W_SUB;
    at->deadline_ms = at->now_ms + timeout;
}

static void cmd_sub_query(bmqtt_at_t *at)
{
    size_t i;
    if (at->state <= 2u) {
        outs(at, "+MQTTSUB:0,");
        out_u32(at, at->state);
        outs(at, ",\"\",0\r\n");
    } else {
        for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
            if (at->subs[i].used) {
                outs(at, "+MQTTSUB:0,");
                out_u32(at, at->state);
                outs(at, ",\"");
                out(at, at->subs[i].topic, at->subs[i].len);
                outs(at, "\",");
                out_u32(at, at->subs[i].qos);
                outs(at, "\r\n");
            }
        }
    }
    ok(at);
}

static void cmd_unsub(bmqtt_at_t *at, args_t *a)
{
    char *topic;
    size_t topic_n;
    uint32_t timeout;
    int bad_read, slot;
    bmqtt_view_t f;
    uint16_t id = 0u;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_timeout(a, 2u, &timeout, &bad_read) != 0) {
        error(at);
        return;
    }
    if (too_many(at, a, 3u)) {
        return;
    }
    f.ptr = (const uint8_t *)topic;
    f.len = topic_n;
    if (bmqtt_client_unsubscribe(&at->client, &f, 1u, &id) != BMQTT_OK) {
        fail(at, -1, E_UNSUBSCRIBE_FAILED);
        return;
    }
    slot = sub_find(at, topic, topic_n);
    if (slot >= 0) {
        at->subs[slot].used = 0u;
        if (sub_count(at) == 0u) {
            at->state = 5u;
        }
    }
    at->wait_id = id;
    at->wait = W_UNSUB;
    at->deadline_ms = at->now_ms + timeout;
}

static void cmd_clean(bmqtt_at_t *at, args_t *a)
{
    if (p_link(at, a) != 0) {
        return;
    }
    if (too_many(at, a, 1u)) {
        return;
    }
    if (at->state == 0u) {
        fail(at, -1, E_UNINITIATED_OR_CLEAN);
        return;
    }
    /* Set first: the disconnect may end (CLOSED) inside the call, and asks for no URC. */
    at->wait = W_CLEAN;
    at->deadline_ms = at->now_ms + AT_CLEAN_TIMEOUT_MS;
    if (at->session == S_RECONNECT) {
        bmqtt_reconnect_stop(&at->rc); /* disconnects a connected session gracefully */
        at->session = S_DIRECT;
    } else if (bmqtt_client_state(&at->client) == BMQTT_CLIENT_CONNECTED) {
        (void)bmqtt_client_disconnect(&at->client);
    }
    if (bmqtt_client_state(&at->client) == BMQTT_CLIENT_DISCONNECTING) {
        return;
    }
    at->wait = W_NONE;
    mqtt_reset(at);
    ok(at);
}

/* ------------------------------------------------------------------------ */
/* Basic commands                                                            */
/* ------------------------------------------------------------------------ */

static void cmd_syslog(bmqtt_at_t *at, args_t *a)
{
    uint32_t v;
    if (a->count != 1u || !present(a, 0u) || parse_u32(&a->f[0], &v) != 0 || v > 1u) {
        error(at);
        return;
    }
    at->syslog = (uint8_t)v;
    ok(at);
}

static void cmd_sntpcfg(bmqtt_at_t *at, args_t *a)
{
    uint32_t en, tz = 0u;
    int32_t z;
    size_t i, n[3] = { 0u, 0u, 0u };
    char *s[3] = { NULL, NULL, NULL };
    if (a->count > 5u || !present(a, 0u) || parse_u32(&a->f[0], &en) != 0 || en > 1u) {
        error(at);
        return;
    }
    if (present(a, 1u) && parse_u32(&a->f[1], &tz) != 0) {
        error(at);
        return;
    }
    z = (int32_t)tz;
    /* UTC offset in hours [-12, 14], or as +-HHMM [-1200, 1400] with minutes below 60. */
    if (!((z >= -12 && z <= 14) || (z >= -1200 && z <= 1400 && (z < 0 ? -z : z) % 100 < 60))) {
        error(at);
        return;
    }
    for (i = 0u; i + 2u < a->n; i++) { /* at most 3: count <= 5 */
        if (parse_str(&a->f[2u + i], &s[i], &n[i]) != 0 || n[i] > 64u) {
            error(at);
            return;
        }
    }
    at->sntp_enable = (uint8_t)en;
    at->sntp_tz_hhmm = (int16_t)z;
    memset(at->sntp_servers, 0, sizeof at->sntp_servers);
    for (i = 0u; i < 3u; i++) {
        if (s[i] != NULL) {
            memcpy(at->sntp_servers[i], s[i], n[i]);
        }
    }
    ok(at);
}

static void cmd_sntpcfg_query(bmqtt_at_t *at)
{
    size_t i;
    outs(at, "+CIPSNTPCFG:");
    out_u32(at, at->sntp_enable);
    outs(at, ",");
    out_i32(at, at->sntp_tz_hhmm);
    for (i = 0u; i < 3u; i++) {
        if (at->sntp_servers[i][0] != '\0') {
            outs(at, ",\"");
            outs(at, at->sntp_servers[i]);
            outs(at, "\"");
        }
    }
    outs(at, "\r\n");
    ok(at);
}

static void two(char *p, uint32_t v)
{
    p[0] = (char)('0' + (char)(v / 10u % 10u));
    p[1] = (char)('0' + (char)(v % 10u));
}

/* +CIPSNTPTIME: in asctime()'s layout, "Thu Jan  1 00:00:00 1970", local time of the configured zone. */
static void cmd_sntptime_query(bmqtt_at_t *at)
{
    static const char wd[] = "ThuFriSatSunMonTueWed";
    static const char mo[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t t = 0;
    int64_t days, rem;
    int32_t z = at->sntp_tz_hhmm, off;
    uint32_t y, m, d, doe, yoe, doy, mp;
    int64_t era, dd;
    char b[24];
    if (at->sntp_enable && at->cfg->time_s != NULL) {
        t = at->cfg->time_s(at->cfg->user);
        if (t < 0) {
            t = 0;
        }
    }
    off = (z >= -12 && z <= 14) ? z * 3600 : (z / 100) * 3600 + (z % 100) * 60;
    t += off;
    days = t / 86400;
    rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* Civil date from days since 1970-01-01 (H. Hinnant's algorithm). */
    dd = days + 719468;
    era = dd / 146097; /* dd >= 0: the earliest time shown is 1969-12-31 10:00 */
    doe = (uint32_t)(dd - era * 146097);
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    d = doy - (153u * mp + 2u) / 5u + 1u;
    m = mp < 10u ? mp + 3u : mp - 9u;
    y = (uint32_t)((int64_t)yoe + era * 400) + (m <= 2u ? 1u : 0u);
    memcpy(b, wd + 3 * (int)(((days % 7) + 7) % 7), 3u);
    b[3] = ' ';
    memcpy(b + 4, mo + 3u * (m - 1u), 3u);
    b[7] = ' ';
    b[8] = d < 10u ? ' ' : (char)('0' + (char)(d / 10u));
    b[9] = (char)('0' + (char)(d % 10u));
    b[10] = ' ';
    two(b + 11, (uint32_t)(rem / 3600));
    b[13] = ':';
    two(b + 14, (uint32_t)(rem / 60 % 60));
    b[16] = ':';
    two(b + 17, (uint32_t)(rem % 60));
    b[19] = ' ';
    outs(at, "+CIPSNTPTIME:");
    out(at, b, 20u);
    out_u32(at, y);
    outs(at, "\r\nOK\r\n"); /* no blank line before OK here, unlike the MQTT queries (as the firmware) */
}

static void cmd_gmr(bmqtt_at_t *at)
{
    if (at->cfg->gmr != NULL) {
        outs(at, at->cfg->gmr);
    } else {
        outs(at, "AT version:bmqtt " BMQTT_VERSION " (ESP-AT MQTT command set)\r\n"
                 "SDK version:bmqtt " BMQTT_VERSION "\r\n"
                 "Bin version:" BMQTT_VERSION "\r\n");
    }
    ok(at);
}

static void cmd_rst(bmqtt_at_t *at)
{
    ok(at);
    power_up(at);
    if (at->cfg->restart != NULL) {
        at->cfg->restart(at->cfg->user);
    }
    outs(at, "\r\nready\r\n");
}

/* ------------------------------------------------------------------------ */
/* The command table                                                         */
/* ------------------------------------------------------------------------ */

enum { F_EXEC = 1, F_QUERY, F_SET, F_TEST };

enum {
    C_E0 = 1, C_E1, C_RST, C_GMR, C_SYSLOG, C_SNTPCFG, C_SNTPTIME, C_USERCFG, C_LONGID, C_LONGUSER, C_LONGPASS,
    C_CLIENTID, C_USERNAME, C_PASSWORD, C_CONNCFG, C_ALPN, C_SNI, C_CONN, C_PUB, C_PUBRAW, C_SUB, C_UNSUB, C_CLEAN
};

typedef struct cmd {
    const char *name;
    uint8_t id;
} cmd_t;

static const cmd_t commands[] = {
    { "E0", C_E0 },
    { "E1", C_E1 },
    { "+RST", C_RST },
    { "+GMR", C_GMR },
    { "+SYSLOG", C_SYSLOG },
    { "+CIPSNTPCFG", C_SNTPCFG },
    { "+CIPSNTPTIME", C_SNTPTIME },
    { "+MQTTUSERCFG", C_USERCFG },
    { "+MQTTLONGCLIENTID", C_LONGID },
    { "+MQTTLONGUSERNAME", C_LONGUSER },
    { "+MQTTLONGPASSWORD", C_LONGPASS },
    { "+MQTTCLIENTID", C_CLIENTID },
    { "+MQTTUSERNAME", C_USERNAME },
    { "+MQTTPASSWORD", C_PASSWORD },
    { "+MQTTCONNCFG", C_CONNCFG },
    { "+MQTTALPN", C_ALPN },
    { "+MQTTSNI", C_SNI },
    { "+MQTTCONN", C_CONN },
    { "+MQTTPUB", C_PUB },
    { "+MQTTPUBRAW", C_PUBRAW },
    { "+MQTTSUB", C_SUB },
    { "+MQTTUNSUB", C_UNSUB },
    { "+MQTTCLEAN", C_CLEAN },
};

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static int name_is(const char *s, size_t n, const char *name)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        if (name[i] == '\0' || upper(s[i]) != name[i]) {
            return 0;
        }
    }
    return name[n] == '\0';
}

static void run(bmqtt_at_t *at, uint8_t id, int form, args_t *a)
{
    switch (id) {
    case C_E0:
    case C_E1:
        if (form != F_EXEC) {
            break;
        }
        at->echo = id == C_E1;
        ok(at);
        return;
    case C_RST:
        if (form == F_EXEC) {
            cmd_rst(at);
            return;
        }
        break;
    case C_GMR:
        if (form == F_EXEC) {
            cmd_gmr(at);
            return;
        }
        break;
    case C_SYSLOG:
        if (form == F_SET) {
            cmd_syslog(at, a);
            return;
        }
        if (form == F_QUERY) {
            outs(at, at->syslog ? "+SYSLOG:1\r\n" : "+SYSLOG:0\r\n");
            ok(at);
            return;
        }
        break;
    case C_SNTPCFG:
        if (form == F_SET) {
            cmd_sntpcfg(at, a);
            return;
        }
        if (form == F_QUERY) {
            cmd_sntpcfg_query(at);
            return;
        }
        break;
    case C_SNTPTIME:
        if (form == F_QUERY) {
            cmd_sntptime_query(at);
            return;
        }
        break;
    case C_CONN:
        if (form == F_QUERY) {
            cmd_conn_query(at);
            return;
        }
        if (form == F_SET) {
            cmd_conn(at, a);
            return;
        }
        break;
    case C_SUB:
        if (form == F_QUERY) {
            cmd_sub_query(at);
            return;
        }
        if (form == F_SET) {
            cmd_sub(at, a);
            return;
        }
        break;
    default:
        if (form != F_SET) {
            break; /* the MQTT commands have no test, query or execute form */
        }
        switch (id) {
        case C_USERCFG: cmd_usercfg(at, a); return;
        case C_LONGID: cmd_long(at, a, RAW_CLIENT_ID); return;
        case C_LONGUSER: cmd_long(at, a, RAW_USERNAME); return;
        case C_LONGPASS: cmd_long(at, a, RAW_PASSWORD); return;
        case C_CLIENTID: cmd_legacy(at, a, RAW_CLIENT_ID); return;
        case C_USERNAME: cmd_legacy(at, a, RAW_USERNAME); return;
        case C_PASSWORD: cmd_legacy(at, a, RAW_PASSWORD); return;
        case C_CONNCFG: cmd_conncfg(at, a); return;
        case C_ALPN: cmd_alpn(at, a); return;
        case C_SNI: cmd_sni(at, a); return;
        case C_PUB: cmd_pub(at, a); return;
        case C_PUBRAW: cmd_pubraw(at, a); return;
        case C_UNSUB: cmd_unsub(at, a); return;
        case C_CLEAN: cmd_clean(at, a); return;
        default: break;
        }
        break;
    }
    error(at);
}

/* A whole line, CR LF included, in at->line[0..line_len). */
static void line_done(bmqtt_at_t *at)
{
    char *t = at->line;
    size_t n = (size_t)at->line_len - 2u, name_n = 0u;
    size_t i;
    int form;
    args_t a;
    if (at->echo) {
        out(at, at->line, at->line_len);
    }
    at->line_len = 0u;
    if (n == 0u) {
        return; /* an empty line is ignored */
    }
    if (at->wait != W_NONE) {
        err_code(at, (uint32_t)ERR_SUB_BUSY << 16);
        outs(at, "\r\nbusy p...\r\n");
        return;
    }
    t[n] = '\0';
    if (n < 2u || !((t[0] == 'A' && t[1] == 'T') || (t[0] == 'a' && t[1] == 't'))) {
        err_code(at, (uint32_t)ERR_SUB_UNKNOWN << 16);
        error(at);
        return;
    }
    t += 2;
    n -= 2u;
    if (n == 0u) {
        ok(at); /* AT */
        return;
    }
    while (name_n < n && t[name_n] != '=' && t[name_n] != '?') {
        name_n++;
    }
    if (name_n == n) {
        form = F_EXEC;
    } else if (t[name_n] == '?' && name_n + 1u == n) {
        form = F_QUERY;
    } else if (t[name_n] == '=' && name_n + 2u == n && t[name_n + 1u] == '?') {
        form = F_TEST;
    } else if (t[name_n] == '=') {
        form = F_SET;
    } else {
        form = 0;
    }
    for (i = 0u; i < sizeof commands / sizeof commands[0]; i++) {
        if (name_is(t, name_n, commands[i].name)) {
            if (form == F_SET) {
                split(t + name_n + 1u, n - name_n - 1u, &a);
            } else {
                a.n = a.count = 0u;
            }
            run(at, commands[i].id, form, &a);
            return;
        }
    }
    if (at->cfg->command != NULL && at->cfg->command(at->cfg->user, at, t, n)) {
        return;
    }
    err_code(at, (uint32_t)ERR_SUB_UNKNOWN << 16);
    error(at);
}

/* A line over BMQTT_AT_LINE_MAX has ended: one answer for it. */
static void overlong(bmqtt_at_t *at)
{
    if (at->wait != W_NONE) {
        err_code(at, (uint32_t)ERR_SUB_BUSY << 16);
        outs(at, "\r\nbusy p...\r\n");
    } else {
        error(at);
    }
}

static uint8_t *raw_dest(bmqtt_at_t *at)
{
    switch (at->raw_kind) {
    case RAW_CLIENT_ID: return (uint8_t *)at->client_id;
    case RAW_USERNAME: return (uint8_t *)at->username;
    case RAW_PASSWORD: return (uint8_t *)at->password;
    default: return at->cfg->raw_buf;
    }
}

bmqtt_status_t bmqtt_at_input(bmqtt_at_t *at, const uint8_t *buf, size_t len)
{
    size_t i = 0u;
    if (at == NULL || at->cfg == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (at->depth) {
        return BMQTT_ERR_AT_REENTERED;
    }
    at->depth = 1u;
    while (i < len) {
        if (at->mode == MODE_RAW) {
            /* Exactly raw_need bytes, not escaped, no CR LF, no timeout; what follows is the next command. */
            size_t take = len - i;
            if (take > at->raw_need - at->raw_got) {
                take = at->raw_need - at->raw_got;
            }
            memcpy(raw_dest(at) + at->raw_got, buf + i, take);
            at->raw_got += (uint32_t)take;
            i += take;
            if (at->raw_got == at->raw_need) {
                raw_done(at);
            }
            continue;
        }
        {
            char c = (char)buf[i++];
            if (at->overflow) {
                /* A line over the limit: drop it up to its CR LF, then answer once. */
                if (at->cr && c == '\n') {
                    at->overflow = 0u;
                    at->cr = 0u;
                    overlong(at);
                } else {
                    at->cr = c == '\r';
                }
                continue;
            }
            if (at->line_len < BMQTT_AT_LINE_MAX) {
                at->line[at->line_len++] = c;
                if (c == '\n' && at->line_len >= 2u && at->line[at->line_len - 2u] == '\r') {
                    line_done(at);
                }
                continue;
            }
            /* The line is full and this byte does not end it: drop the line up to its CR LF,
             * this byte included (it is read again in overflow mode; a CR at 256 and LF at 257 end it). */
            at->overflow = 1u;
            at->cr = (uint8_t)(at->line[BMQTT_AT_LINE_MAX - 1u] == '\r');
            at->line_len = 0u;
            i--;
        }
    }
    at->depth = 0u;
    return BMQTT_OK;
}

/* ------------------------------------------------------------------------ */
/* Poll                                                                      */
/* ------------------------------------------------------------------------ */

static int due(const bmqtt_at_t *at)
{
    return (int32_t)(at->now_ms - at->deadline_ms) >= 0;
}

bmqtt_status_t bmqtt_at_poll(bmqtt_at_t *at, uint32_t now_ms)
{
    if (at == NULL || at->cfg == NULL) {
        return BMQTT_ERR_PARAM;
    }
    if (at->depth) {
        return BMQTT_ERR_AT_REENTERED;
    }
    at->depth = 1u;
    at->now_ms = now_ms;
    at->clock = 1u;
    if (at->wait == W_START) {
        conn_start(at);
    } else if (at->wait == W_OPEN) {
        direct_open(at);
    }
    if (at->session == S_RECONNECT) {
        (void)bmqtt_reconnect_poll(&at->rc, now_ms);
    } else if (at->session == S_DIRECT) {
        (void)bmqtt_client_poll(&at->client, now_ms);
    }
    if (at->resub) {
        resubscribe(at);
    }
    switch (at->wait) {
    case W_OPEN:
    case W_CONN:
        if (at->conn_failed) {
            conn_fail(at, at->conn_code);
        } else if (due(at)) {
            conn_fail(at, E_CONNECT_TIMEOUT);
        }
        break;
    case W_PUB0:
    case W_RAW0:
        if (bmqtt_client_tx_idle(&at->client)) {
            wait_done_pub(at, 1);
        } else if (due(at) || at->state < 4u) {
            wait_done_pub(at, 0);
        }
        break;
    case W_PUB:
    case W_RAW:
    case W_SUB:
    case W_UNSUB:
        if (due(at)) {
            wait_done_pub(at, 0); /* no ack in time: ERROR (+MQTTPUB:FAIL); the message stays the client's */
        }
        break;
    case W_CLEAN:
        if (bmqtt_client_state(&at->client) != BMQTT_CLIENT_DISCONNECTING || due(at)) {
            at->wait = W_NONE;
            mqtt_reset(at);
            ok(at);
        }
        break;
    default:
        break;
    }
    at->depth = 0u;
    return BMQTT_OK;
}

uint32_t bmqtt_at_next_deadline(const bmqtt_at_t *at, uint32_t now_ms)
{
    uint32_t d = UINT32_MAX;
    if (at == NULL || at->cfg == NULL) {
        return d;
    }
    if (at->session != S_NONE) {
        d = bmqtt_client_next_deadline(&at->client, now_ms);
        if (at->session == S_RECONNECT && d > 100u) {
            d = 100u; /* bmqtt_reconnect_*'s pauses are not visible: look again soon */
        }
    }
    if (at->wait == W_START || at->wait == W_OPEN || at->resub || at->wait == W_PUB0 || at->wait == W_RAW0 || at->wait == W_CLEAN) {
        d = 0u;
    } else if (at->wait != W_NONE) {
        uint32_t left = (int32_t)(at->deadline_ms - now_ms) > 0 ? at->deadline_ms - now_ms : 0u;
        if (left < d) {
            d = left;
        }
    }
    return d;
}
