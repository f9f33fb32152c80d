/*
 * The AT interpreter's AT+MQTT* commands: the firmware's checks of each parameter, in its order
 * and with its codes, then the state change and what the command waits for.
 */
#include <string.h>

#include "bmqtt_at_internal.h"

/* ------------------------------------------------------------------------ */
/* Parameters, as the MQTT commands check them                              */
/* ------------------------------------------------------------------------ */

/* Parameter i as an integer, or fail with the parser's code and @p code. */
static int p_int(bmqtt_at_t *at, bmqtt_at_args_t *a, size_t i, uint16_t code, uint32_t *v)
{
    if (!bmqtt_at_present(a, i) || bmqtt_at_parse_u32(&a->f[i], v) != 0) {
        bmqtt_at_fail(at, (int)i, code);
        return -1;
    }
    return 0;
}

static int p_str(bmqtt_at_t *at, bmqtt_at_args_t *a, size_t i, uint16_t code, char **s, size_t *len)
{
    if (!bmqtt_at_present(a, i) || bmqtt_at_parse_str(&a->f[i], s, len) != 0) {
        bmqtt_at_fail(at, (int)i, code);
        return -1;
    }
    return 0;
}

/* A parameter that must be read (code @p rd otherwise) and be at most @p max
 * (code @p over otherwise): the firmware's two checks of most parameters. */
static int p_int_max(bmqtt_at_t *at, bmqtt_at_args_t *a, size_t i, uint16_t rd, uint32_t max, uint16_t over,
                     uint32_t *v)
{
    if (p_int(at, a, i, rd, v) != 0) return -1;
    if (*v > max) {
        bmqtt_at_fail(at, -1, over);
        return -1;
    }
    return 0;
}

static int p_str_max(bmqtt_at_t *at, bmqtt_at_args_t *a, size_t i, uint16_t rd, size_t max, uint16_t over, char **s,
                     size_t *len)
{
    if (p_str(at, a, i, rd, s, len) != 0) return -1;
    if (*len > max) {
        bmqtt_at_fail(at, -1, over);
        return -1;
    }
    return 0;
}

/* LinkID, first of every MQTT command: 0 only. */
static int p_link(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t v;
    if (p_int(at, a, 0u, E_LINK_READ, &v) != 0) {
        return -1;
    }
    if (v != 0u) {
        bmqtt_at_fail(at, -1, E_LINK_VALUE);
        return -1;
    }
    return 0;
}

/* LinkID, then state 1 (after USERCFG, before CONNCFG): LONG*, the legacy three and SNI. */
static int p_link_state1(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    if (p_link(at, a) != 0) {
        return -1;
    }
    if (at->state != 1u) {
        bmqtt_at_fail(at, -1, at->state == 0u ? E_NO_CONFIGURED : E_NOT_IN_CONFIGURED_STATE);
        return -1;
    }
    return 0;
}

/* The optional timeout_ms of CONN/PUB/SUB/UNSUB: [3000, 60000], default 15000. */
static int p_timeout(const bmqtt_at_args_t *a, size_t i, uint32_t *ms, int *bad_read)
{
    *ms = AT_DEFAULT_TIMEOUT_MS;
    *bad_read = 0;
    if (!bmqtt_at_present(a, i)) {
        return 0;
    }
    if (bmqtt_at_parse_u32(&a->f[i], ms) != 0) {
        *bad_read = 1;
        return -1;
    }
    return (*ms < 3000u || *ms > 60000u) ? -1 : 0;
}

static int too_many(bmqtt_at_t *at, const bmqtt_at_args_t *a, size_t max)
{
    if (a->count > max) {
        bmqtt_at_fail(at, -1, E_PARAM_COUNT);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */
/* ------------------------------------------------------------------------ */

void bmqtt_at_cmd_usercfg(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t scheme, cert, ca;
    char *id, *user, *pass, *path;
    size_t id_n, user_n, pass_n, path_n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state > 2u) {
        bmqtt_at_fail(at, -1, E_NOT_IN_CONFIGURED_STATE);
        return;
    }
    if (p_int(at, a, 1u, E_SCHEME_READ, &scheme) != 0) {
        return;
    }
    if (scheme < 1u || scheme > 10u) {
        bmqtt_at_fail(at, -1, E_SCHEME_VALUE);
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
    bmqtt_at_reply_ok(at);
}

/* AT+MQTTLONGCLIENTID / LONGUSERNAME / LONGPASSWORD=0,len: the prompt, then len raw bytes. */
void bmqtt_at_cmd_long(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    static const uint16_t read_code[] = { E_CLIENT_ID_READ, E_USERNAME_READ, E_PASSWORD_READ };
    uint16_t code = read_code[a->arg - RAW_CLIENT_ID];
    uint32_t len;
    if (p_link_state1(at, a) != 0) {
        return;
    }
    if (p_int(at, a, 1u, code, &len) != 0) {
        return;
    }
    if (len < 1u || len > BMQTT_AT_LONG_MAX) {
        bmqtt_at_fail(at, -1, (uint16_t)(code + 2u)); /* the field's OVERLENGTH code */
        return;
    }
    if (too_many(at, a, 2u)) {
        return;
    }
    at->mode = MODE_RAW;
    at->raw_kind = a->arg;
    at->raw_need = len;
    at->raw_got = 0u;
    bmqtt_at_outs(at, "\r\nOK\r\n\r\n>");
}

/* The legacy AT+MQTTCLIENTID / USERNAME / PASSWORD=0,"x" (registered, undocumented, used by hosts). */
void bmqtt_at_cmd_legacy(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    static const uint16_t read_code[] = { E_CLIENT_ID_READ, E_USERNAME_READ, E_PASSWORD_READ };
    uint8_t kind = a->arg;
    char *s;
    size_t n;
    if (p_link_state1(at, a) != 0) {
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
    bmqtt_at_reply_ok(at);
}

void bmqtt_at_cmd_conncfg(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t keepalive, dis_clean, qos, retain;
    char *topic, *msg;
    size_t topic_n, msg_n;
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state == 0u) {
        bmqtt_at_fail(at, -1, E_NO_CONFIGURED);
        return;
    }
    if (at->state > 2u) {
        bmqtt_at_fail(at, -1, E_NOT_IN_CONFIGURED_STATE);
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
    bmqtt_at_reply_ok(at);
}

/* AT+MQTTALPN=0,n[,"alpn"]...: every error is a plain ERROR (as the firmware). */
void bmqtt_at_cmd_alpn(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t link, n;
    size_t i, off = 0u;
    if (!bmqtt_at_present(a, 0u) || bmqtt_at_parse_u32(&a->f[0], &link) != 0 || link != 0u || at->state != 1u ||
        !bmqtt_at_present(a, 1u) || bmqtt_at_parse_u32(&a->f[1], &n) != 0 || n > BMQTT_AT_ALPN_MAX ||
        a->count != n + 2u) {
        bmqtt_at_reply_error(at);
        return;
    }
    /* Parse all first, then copy: a bad one leaves the old list. The fields sit in at->line. */
    for (i = 0u; i < n; i++) {
        char *s;
        size_t len;
        if (bmqtt_at_parse_str(&a->f[2u + i], &s, &len) != 0 || len == 0u) {
            bmqtt_at_reply_error(at);
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
    bmqtt_at_reply_ok(at);
}

void bmqtt_at_cmd_sni(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    char *s;
    size_t n;
    if (p_link_state1(at, a) != 0) {
        return;
    }
    if (p_str(at, a, 1u, E_NULL_PARAMETER, &s, &n) != 0 || too_many(at, a, 2u)) {
        return;
    }
    memcpy(at->sni, s, n + 1u); /* "" clears */
    bmqtt_at_reply_ok(at);
}

/* ------------------------------------------------------------------------ */
/* Connecting                                                               */
/* ------------------------------------------------------------------------ */

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

static void conn_query(bmqtt_at_t *at)
{
    bmqtt_at_outs(at, "+MQTTCONN:0,");
    bmqtt_at_out_u32(at, at->state);
    bmqtt_at_outs(at, ",");
    bmqtt_at_out_u32(at, at->scheme);
    if (at->state <= 2u) {
        bmqtt_at_outs(at, ",\"\",\"\",\"\",0\r\n");
    } else {
        bmqtt_at_out_target(at);
    }
    bmqtt_at_reply_ok(at);
}

void bmqtt_at_cmd_conn(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    char *host;
    size_t host_n;
    uint32_t port, reconnect, timeout;
    int bad_read;
    if (a->form == F_QUERY) {
        conn_query(at);
        return;
    }
    if (p_link(at, a) != 0) {
        return;
    }
    if (at->state == 0u) {
        bmqtt_at_fail(at, -1, E_NO_CONFIGURED);
        return;
    }
    if (at->state >= 4u) {
        bmqtt_at_fail(at, -1, E_ALREADY_CONNECTED);
        return;
    }
    if (at->state == 3u && at->reconnect) {
        bmqtt_at_fail(at, -1, E_IN_DISCONNECTED_STATE); /* the reconnects are under way */
        return;
    }
    if (p_str(at, a, 1u, E_HOST_READ, &host, &host_n) != 0) {
        return;
    }
    if (host_n == 0u) {
        bmqtt_at_fail(at, -1, E_HOST_NULL);
        return;
    }
    if (host_n > BMQTT_AT_TOPIC_MAX) {
        bmqtt_at_fail(at, -1, E_HOST_OVERLENGTH);
        return;
    }
    if (!host_ok(host, host_n)) {
        bmqtt_at_fail(at, -1, E_HOSTNAME_VERIFY);
        return;
    }
    if (p_int_max(at, a, 2u, E_PORT_READ, 65535u, E_PORT_VALUE, &port) != 0) {
        return;
    }
    if (p_int_max(at, a, 3u, E_RECONNECT_READ, 1u, E_RECONNECT_VALUE, &reconnect) != 0) {
        return;
    }
    if (p_timeout(a, 4u, &timeout, &bad_read) != 0) {
        bmqtt_at_fail(at, bad_read ? 4 : -1, bad_read ? E_TIMEOUT_READ : E_TIMEOUT_VALUE);
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
        (void)bmqtt_at_client_init(at); /* a new session after a lost one */
    }
    if (!at->clock) {
        at->wait = W_START; /* no time yet (input before the first poll): the first poll starts it */
        return;
    }
    bmqtt_at_conn_start(at);
}

/* ------------------------------------------------------------------------ */
/* Publishing                                                               */
/* ------------------------------------------------------------------------ */

/* Topic of PUB/PUBRAW/SUB/UNSUB: 1..128 bytes. */
static int p_topic(bmqtt_at_t *at, bmqtt_at_args_t *a, char **t, size_t *n)
{
    if (p_str(at, a, 1u, E_TOPIC_READ, t, n) != 0) {
        return -1;
    }
    if (*n == 0u) {
        bmqtt_at_fail(at, -1, E_TOPIC_NULL);
        return -1;
    }
    if (*n > BMQTT_AT_TOPIC_MAX) {
        bmqtt_at_fail(at, -1, E_TOPIC_OVERLENGTH);
        return -1;
    }
    return 0;
}

static int p_qos_retain(bmqtt_at_t *at, bmqtt_at_args_t *a, size_t i, uint32_t *qos, uint32_t *retain)
{
    if (p_int(at, a, i, E_QOS_READ, qos) != 0) {
        return -1;
    }
    if (*qos > 2u) {
        bmqtt_at_fail(at, -1, E_QOS_VALUE);
        return -1;
    }
    if (p_int(at, a, i + 1u, E_RETAIN_READ, retain) != 0) {
        return -1;
    }
    if (*retain > 1u) {
        bmqtt_at_fail(at, -1, E_RETAIN_VALUE);
        return -1;
    }
    return 0;
}

static int connected(bmqtt_at_t *at)
{
    if (at->state < 4u) {
        bmqtt_at_fail(at, -1, E_NULL_LINK);
        return 0;
    }
    return 1;
}

/* The end of PUB and PUBRAW: qos, retain, [timeout_ms] (a bad timeout is a plain ERROR), no more. */
static int p_pub_tail(bmqtt_at_t *at, bmqtt_at_args_t *a, uint32_t *qos, uint32_t *retain, uint32_t *timeout)
{
    int bad_read;
    if (p_qos_retain(at, a, 3u, qos, retain) != 0) {
        return -1;
    }
    if (p_timeout(a, 5u, timeout, &bad_read) != 0) {
        bmqtt_at_reply_error(at);
        return -1;
    }
    return too_many(at, a, 6u) ? -1 : 0;
}

/* Publish and decide what to wait for. The memory of a QoS 1/2 message stays locked until it ends. */
static void start_publish(bmqtt_at_t *at, const bmqtt_publish_t *pub, uint32_t timeout, int raw)
{
    uint16_t id = 0u;
    bmqtt_status_t st = bmqtt_client_publish(&at->client, pub, &id);
    if (st != BMQTT_OK) {
        if (raw) {
            bmqtt_at_outs(at, "+MQTTPUB:FAIL\r\n");
        } else {
            bmqtt_at_fail(at, -1, E_PUBLISH_FAILED);
        }
        return;
    }
    at->deadline_ms = at->now_ms + timeout;
    if (pub->qos == 0u) {
        /* A packet larger than tx_buf is sent from our memory: answer when it has left. */
        at->wait = raw ? W_RAW0 : W_PUB0;
        if (bmqtt_client_tx_idle(&at->client)) {
            bmqtt_at_wait_done(at, 1);
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

void bmqtt_at_cmd_pub(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    char *topic, *data;
    size_t topic_n, data_n;
    uint32_t qos, retain, timeout;
    bmqtt_publish_t pub;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_str(at, a, 2u, E_DATA_READ, &data, &data_n) != 0) {
        return;
    }
    if (data_n == 0u) {
        bmqtt_at_fail(at, -1, E_DATA_NULL); /* the firmware refuses "" too */
        return;
    }
    /* data over BMQTT_AT_DATA_MAX (0x6046) cannot fit in a 256-byte line */
    if (p_pub_tail(at, a, &qos, &retain, &timeout) != 0) {
        return;
    }
    memset(&pub, 0, sizeof pub);
    pub.qos = (uint8_t)qos;
    pub.retain = (uint8_t)retain;
    if (qos > 0u) {
        if (at->pub_lock_id != 0u) {
            bmqtt_at_fail(at, -1, E_PUBLISH_FAILED); /* the last one's memory is still the client's */
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

void bmqtt_at_cmd_pubraw(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    char *topic;
    size_t topic_n;
    uint32_t len, qos, retain, timeout;
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_int(at, a, 2u, E_PUBLISH_LENGTH_READ, &len) != 0) {
        return;
    }
    if (len == 0u) {
        bmqtt_at_fail(at, -1, E_PUBLISH_LENGTH_VALUE);
        return;
    }
    if (len > at->cfg->raw_size || at->cfg->raw_buf == NULL || at->raw_lock_id != 0u) {
        bmqtt_at_fail(at, -1, E_MALLOC_FAILED); /* the firmware's limit is its memory; ours is raw_buf */
        return;
    }
    if (p_pub_tail(at, a, &qos, &retain, &timeout) != 0) {
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
    bmqtt_at_outs(at, "\r\nOK\r\n\r\n>"); /* one write: no URC can come between OK and '>' */
}

void bmqtt_at_raw_done(bmqtt_at_t *at)
{
    size_t n = at->raw_got;
    at->mode = MODE_LINE;
    switch (at->raw_kind) {
    case RAW_CLIENT_ID:
        at->client_id[n] = '\0';
        at->id_len = (uint16_t)n;
        bmqtt_at_reply_ok(at);
        break;
    case RAW_USERNAME:
        at->username[n] = '\0';
        at->user_len = (uint16_t)n;
        bmqtt_at_reply_ok(at);
        break;
    case RAW_PASSWORD:
        at->password[n] = '\0';
        at->pass_len = (uint16_t)n;
        bmqtt_at_reply_ok(at);
        break;
    default: {
        bmqtt_publish_t pub;
        if (at->state < 4u) {
            bmqtt_at_outs(at, "+MQTTPUB:FAIL\r\n"); /* the connection went while the data came */
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

/* ------------------------------------------------------------------------ */
/* Subscriptions and the end                                                */
/* ------------------------------------------------------------------------ */

static void sub_query(bmqtt_at_t *at)
{
    size_t i;
    if (at->state <= 2u) {
        bmqtt_at_outs(at, "+MQTTSUB:0,");
        bmqtt_at_out_u32(at, at->state);
        bmqtt_at_outs(at, ",\"\",0\r\n");
    } else {
        for (i = 0u; i < BMQTT_AT_SUB_SLOTS; i++) {
            if (at->subs[i].used) {
                bmqtt_at_outs(at, "+MQTTSUB:0,");
                bmqtt_at_out_u32(at, at->state);
                bmqtt_at_outs(at, ",\"");
                bmqtt_at_out(at, at->subs[i].topic, at->subs[i].len);
                bmqtt_at_outs(at, "\",");
                bmqtt_at_out_u32(at, at->subs[i].qos);
                bmqtt_at_outs(at, "\r\n");
            }
        }
    }
    bmqtt_at_reply_ok(at);
}

void bmqtt_at_cmd_sub(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    char *topic;
    size_t topic_n;
    uint32_t qos, timeout;
    int bad_read;
    bmqtt_subscription_t s;
    uint16_t id = 0u;
    if (a->form == F_QUERY) {
        sub_query(at);
        return;
    }
    if (p_link(at, a) != 0 || !connected(at) || p_topic(at, a, &topic, &topic_n) != 0) {
        return;
    }
    if (p_int_max(at, a, 2u, E_QOS_READ, 2u, E_QOS_VALUE, &qos) != 0) {
        return;
    }
    if (p_timeout(a, 3u, &timeout, &bad_read) != 0) {
        bmqtt_at_reply_error(at);
        return;
    }
    if (too_many(at, a, 4u)) {
        return;
    }
    s.filter.ptr = (const uint8_t *)topic;
    s.filter.len = topic_n;
    s.qos = (uint8_t)qos;
    if (bmqtt_client_subscribe(&at->client, &s, 1u, &id) != BMQTT_OK) {
        bmqtt_at_fail(at, -1, E_SUBSCRIBE_FAILED);
        return;
    }
    if (qos == 0u) {
        bmqtt_at_sub_track(at, topic, topic_n, 0u); /* QoS 0 does not wait for SUBACK */
        bmqtt_at_reply_ok(at);
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

void bmqtt_at_cmd_unsub(bmqtt_at_t *at, bmqtt_at_args_t *a)
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
        bmqtt_at_reply_error(at);
        return;
    }
    if (too_many(at, a, 3u)) {
        return;
    }
    f.ptr = (const uint8_t *)topic;
    f.len = topic_n;
    if (bmqtt_client_unsubscribe(&at->client, &f, 1u, &id) != BMQTT_OK) {
        bmqtt_at_fail(at, -1, E_UNSUBSCRIBE_FAILED);
        return;
    }
    slot = bmqtt_at_sub_find(at, topic, topic_n);
    if (slot >= 0) {
        at->subs[slot].used = 0u;
        if (bmqtt_at_sub_count(at) == 0u) {
            at->state = 5u;
        }
    }
    at->wait_id = id;
    at->wait = W_UNSUB;
    at->deadline_ms = at->now_ms + timeout;
}

void bmqtt_at_cmd_clean(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    if (p_link(at, a) != 0) {
        return;
    }
    if (too_many(at, a, 1u)) {
        return;
    }
    if (at->state == 0u) {
        bmqtt_at_fail(at, -1, E_UNINITIATED_OR_CLEAN);
        return;
    }
    /* Set first: the disconnect may end (CLOSED) inside the call, and asks for no URC. */
    at->wait = W_CLEAN;
    at->resub = 0u; /* a reconnection the host has not been told of ends untold */
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
    bmqtt_at_mqtt_reset(at);
    bmqtt_at_reply_ok(at);
}
