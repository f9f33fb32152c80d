/* ws_test: the bmqtt client over port/websocket (and port/mbedtls for wss)
 * against real brokers and the hostile server of tests/ws/hostile_ws.py.
 *
 *   ws_test [options] pub URL TOPIC QOS SIZE      publish SIZE pattern bytes, wait for PUBACK/PUBCOMP
 *   ws_test [options] sub URL TOPIC QOS OUTFILE   subscribe ("subscribed" on stderr), write one message
 *   ws_test [options] rt URL TOPIC QOS SIZE       subscribe, publish, get the same bytes back
 *   ws_test [options] run URL                     connect, print messages, run until the session ends
 *   ws_test pattern SIZE                          the pattern on stdout (NUL, CR, LF... from byte 38 on)
 *   ws_test api                                   argument checks and the send path on a scripted peer
 *
 * Options: --ca FILE, --insecure (wss/mqtts), --expect NAME (the session must end with this status;
 * "OK" by default), --shaky (a layer under the WebSocket moves 1..7 bytes per call and blocks every
 * other call), --count (print the bytes the layer under the WebSocket accepted), --timeout S,
 * --tx N / --rx N (WebSocket buffers, with --shaky or --count), --client-rx N, --max-send-frame N,
 * --allow-no-subprotocol, --header "Name: value", --id ID, --rounds N (N sessions, each over the same
 * stack reconnected and reset), --response-ms N (the client's response_timeout_ms), --capture FILE (the server's bytes into FILE,
 * with RFC 6455's example key so that FILE seeds the fuzzer).
 * Prints "end status=N (name) http=H close=C ws_open=0|1 handshake_failed=0|1" last; exits 0 when
 * the outcome is the expected one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "bmqtt_ws.h"
#include "cli_url.h"

static const struct { const char *name; int value; } statuses[] = {
    { "OK", BMQTT_OK }, { "BMQTT_ERR_CLOSED", BMQTT_ERR_CLOSED }, { "BMQTT_ERR_TIMEOUT", BMQTT_ERR_TIMEOUT },
    { "BMQTT_ERR_PROTOCOL", BMQTT_ERR_PROTOCOL }, { "BMQTT_ERR_CONNECT", BMQTT_ERR_CONNECT },
    { "BMQTT_ERR_TRANSPORT", BMQTT_ERR_TRANSPORT }, { "BMQTT_ERR_TLS_UNTRUSTED", BMQTT_ERR_TLS_UNTRUSTED },
    { "BMQTT_ERR_WS_HTTP_STATUS", BMQTT_ERR_WS_HTTP_STATUS }, { "BMQTT_ERR_WS_BAD_RESPONSE", BMQTT_ERR_WS_BAD_RESPONSE },
    { "BMQTT_ERR_WS_RESPONSE_TOO_LONG", BMQTT_ERR_WS_RESPONSE_TOO_LONG }, { "BMQTT_ERR_WS_ACCEPT", BMQTT_ERR_WS_ACCEPT },
    { "BMQTT_ERR_WS_SUBPROTOCOL", BMQTT_ERR_WS_SUBPROTOCOL }, { "BMQTT_ERR_WS_EXTENSION", BMQTT_ERR_WS_EXTENSION },
    { "BMQTT_ERR_WS_CLOSED", BMQTT_ERR_WS_CLOSED }, { "BMQTT_ERR_WS_TEXT", BMQTT_ERR_WS_TEXT },
    { "BMQTT_ERR_WS_RSV", BMQTT_ERR_WS_RSV }, { "BMQTT_ERR_WS_OPCODE", BMQTT_ERR_WS_OPCODE },
    { "BMQTT_ERR_WS_MASKED", BMQTT_ERR_WS_MASKED }, { "BMQTT_ERR_WS_CONTROL", BMQTT_ERR_WS_CONTROL },
    { "BMQTT_ERR_WS_LENGTH", BMQTT_ERR_WS_LENGTH }, { "BMQTT_ERR_WS_FRAGMENT", BMQTT_ERR_WS_FRAGMENT },
    { "BMQTT_ERR_WS_TOO_BIG", BMQTT_ERR_WS_TOO_BIG }, { "BMQTT_ERR_WS_TRUNCATED", BMQTT_ERR_WS_TRUNCATED },
};

static const char *status_name(int st)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (statuses[i].value == st) return statuses[i].name;
    }
    return bmqtt_status_str((bmqtt_status_t)st);
}

static int status_value(const char *name)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (strcmp(statuses[i].name, name) == 0) return statuses[i].value;
    }
    fprintf(stderr, "ws_test: unknown status %s\n", name);
    exit(2);
}

static void pattern(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 7u + (i >> 8));
}

static FILE *capture; /* --capture: the server's bytes, for fuzzing seeds */

/* ---- the layer under the WebSocket: counts bytes, and with --shaky moves few of them ---- */
typedef struct shim {
    bmqtt_transport_t below;
    int shaky;
    unsigned calls;
    unsigned long sent, received;
} shim_t;

static size_t shaky_len(shim_t *s, size_t len)
{
    size_t n = 1u + (s->calls * 2654435761u >> 29); /* 1..8, varies */
    if (n > 7u) n = 7u;
    return len < n ? len : n;
}

static int32_t shim_send(void *ctx, const uint8_t *buf, size_t len)
{
    shim_t *s = ctx;
    int32_t r;
    s->calls++;
    if (s->shaky && (s->calls & 1u)) return BMQTT_WOULD_BLOCK;
    r = s->below.send(s->below.ctx, buf, s->shaky ? shaky_len(s, len) : len);
    if (r > 0) s->sent += (unsigned long)r;
    return r;
}

static int32_t shim_recv(void *ctx, uint8_t *buf, size_t len)
{
    shim_t *s = ctx;
    int32_t r;
    s->calls++;
    if (s->shaky && (s->calls & 1u)) return BMQTT_WOULD_BLOCK;
    r = s->below.recv(s->below.ctx, buf, s->shaky ? shaky_len(s, len) : len);
    if (r > 0) s->received += (unsigned long)r;
    if (r > 0 && capture) fwrite(buf, 1, (size_t)r, capture);
    return r;
}

static void shim_close(void *ctx)
{
    shim_t *s = ctx;
    if (s->below.close) s->below.close(s->below.ctx);
}

/* ---- options and state ---- */
static struct {
    const char *ca, *expect, *id, *header;
    int insecure, shaky, count, allow_no_sub;
    unsigned timeout_s, tx, rx, client_rx, max_send_frame;
    int rounds;
    unsigned response_ms;
} opt = { NULL, "OK", NULL, NULL, 0, 0, 0, 0, 60, 512, 1024, 4096, 0, 1, 0 };

static cli_url_t url;
static cli_stack_t stack;   /* the stack cli_url.c builds */
static bmqtt_posix_t sock;  /* or, with --shaky / --count, this one */
static bmqtt_tls_t tls;
static bmqtt_tls_config_t tls_cfg;
static bmqtt_ws_t ws;
static bmqtt_ws_config_t ws_cfg;
static shim_t shim;
static bmqtt_transport_t tcp_tr, tls_tr, shim_tr, top;
static int own_stack;
static char headers[1024];

static bmqtt_client_t client;
static bmqtt_client_config_t ccfg;
static uint8_t ctx_buf[4096];
static uint8_t *crx_buf;
static bmqtt_inflight_t slots[8];
static uint16_t qos2[8];

static uint8_t *msg;         /* the message being received */
static size_t msg_total, msg_got;
static int messages, suback = -1;
static unsigned msg_qos;
static const char *mode;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b;
    long n;
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = calloc(1, (size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int os_random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    /* A capture uses RFC 6455's example key (section 1.3), so the fuzzer's seeds carry its accept value. */
    if (capture && len == 16) {
        memcpy(out, "the sample nonce", 16);
        return 0;
    }
    return getrandom(out, len, 0) == (ssize_t)len ? 0 : -1;
}

static bmqtt_ws_t *ws_ctx(void)
{
    return own_stack ? &ws : (stack.use_ws ? &stack.ws : NULL);
}

static int qos2_done, publish_done = -1;

static void on_message(const bmqtt_message_t *m)
{
    if (m->offset == 0) {
        free(msg);
        msg_total = m->total;
        msg_got = 0;
        msg = malloc(msg_total ? msg_total : 1);
        if (!msg) exit(3);
    }
    if (m->offset + m->payload.len > msg_total || m->offset != msg_got) {
        fprintf(stderr, "ws_test: chunk out of order\n");
        exit(3);
    }
    memcpy(msg + m->offset, m->payload.ptr, m->payload.len);
    msg_got += m->payload.len;
    if (msg_got == msg_total) {
        messages++;
        msg_qos = m->qos;
        printf("message topic=%.*s qos=%u len=%zu\n", (int)m->topic.len, (const char *)m->topic.ptr, m->qos, msg_total);
        fflush(stdout);
    }
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    switch (ev->type) {
    case BMQTT_EVT_MESSAGE: on_message(ev->message); break;
    case BMQTT_EVT_SUBACK: suback = ev->status == BMQTT_OK && ev->codes.len ? ev->codes.ptr[0] : 0x80; break;
    case BMQTT_EVT_PUBLISH_DONE: publish_done = ev->status; break;
    case BMQTT_EVT_QOS2_DONE: qos2_done++; break;
    default: break;
    }
}

static bmqtt_status_t open_stack(void)
{
    bmqtt_status_t st;
    const bmqtt_transport_t *below;
    size_t n;

    if (tls_cfg.ca == NULL) memset(&tls_cfg, 0, sizeof tls_cfg);
    tls_cfg.host = url.host;
    tls_cfg.insecure = (uint8_t)opt.insecure;
    if (opt.ca && tls_cfg.ca == NULL) {
        tls_cfg.ca = (const uint8_t *)read_file(opt.ca, &n);
        tls_cfg.ca_len = n + 1;
    }
    if (own_stack && ws_cfg.tx_buf) {
        fprintf(stderr, "ws_test: --rounds needs the cli_url.c stack (no --shaky/--count/--tx/--rx)\n");
        exit(2);
    }
    if (!own_stack) return cli_stack_open(&stack, &url, &tls_cfg, opt.header ? headers : NULL, 5000, &top);

    /* posix -> [tls] -> shim -> ws */
    bmqtt_posix_init(&sock);
    if ((st = bmqtt_posix_connect(&sock, url.host, url.port, 5000)) != BMQTT_OK) return st;
    bmqtt_posix_transport(&sock, &tcp_tr);
    below = &tcp_tr;
    if (cli_url_is_tls(&url)) {
        bmqtt_tls_init(&tls);
        if ((st = bmqtt_tls_setup(&tls, &tls_cfg, &tcp_tr)) != BMQTT_OK) return st;
        bmqtt_tls_transport(&tls, &tls_tr);
        below = &tls_tr;
    }
    shim.below = *below;
    shim.shaky = opt.shaky;
    shim_tr.send = shim_send;
    shim_tr.recv = shim_recv;
    shim_tr.close = shim_close;
    shim_tr.ctx = &shim;
    ws_cfg.host = url.host;
    ws_cfg.port = url.port;
    ws_cfg.path = url.path;
    ws_cfg.extra_headers = opt.header ? headers : NULL;
    ws_cfg.tx_size = opt.tx;
    ws_cfg.tx_buf = malloc(opt.tx);
    ws_cfg.rx_size = opt.rx;
    ws_cfg.rx_buf = malloc(opt.rx);
    ws_cfg.max_send_frame = opt.max_send_frame;
    ws_cfg.allow_no_subprotocol = (uint8_t)opt.allow_no_sub;
    ws_cfg.random = os_random;
    ws_cfg.crypto = &bmqtt_ws_crypto_mbedtls;
    bmqtt_ws_init(&ws);
    if ((st = bmqtt_ws_setup(&ws, &ws_cfg, &shim_tr)) != BMQTT_OK) return st;
    bmqtt_ws_transport(&ws, &top);
    return BMQTT_OK;
}

static void wait_io(uint32_t ms)
{
    int want_write = !bmqtt_client_tx_idle(&client);
    if (!own_stack) {
        cli_stack_wait(&stack, want_write, ms);
        return;
    }
    if (bmqtt_ws_pending(&ws) || (cli_url_is_tls(&url) && bmqtt_tls_pending(&tls))) return;
    if (opt.shaky) return; /* the shim blocks on its own: just poll again */
    (void)bmqtt_posix_wait(&sock, want_write || bmqtt_ws_tx_pending(&ws), ms);
}

static uint32_t deadline;

static void finish(int st)
{
    bmqtt_ws_t *w = ws_ctx();
    int want = status_value(opt.expect);
    int hs = own_stack ? (w && !bmqtt_ws_is_open(w) && st != 0) : cli_stack_handshake_failed(&stack, (bmqtt_status_t)st);
    if (capture) fclose(capture);
    if (opt.count) printf("lower accepted %lu bytes, delivered %lu bytes\n", shim.sent, shim.received);
    printf("end status=%d (%s) http=%u close=%u ws_open=%d handshake_failed=%d messages=%d\n", st, status_name(st),
           w ? bmqtt_ws_http_status(w) : 0u, w ? bmqtt_ws_close_code(w) : 0u, w ? bmqtt_ws_is_open(w) : 0, hs, messages);
    fflush(stdout);
    if (own_stack) {
        bmqtt_posix_close(&sock);
        if (cli_url_is_tls(&url)) bmqtt_tls_free(&tls);
    } else {
        cli_stack_free(&stack);
    }
    free(msg);
    free(crx_buf);
    free((void *)tls_cfg.ca);
    free(ws_cfg.tx_buf);
    free(ws_cfg.rx_buf);
    exit(st == want ? 0 : 1);
}

/* Poll until done() says so; any end of the session finishes the program. */
static void run_until(int (*done)(void))
{
    for (;;) {
        bmqtt_status_t st = bmqtt_client_poll(&client, bmqtt_posix_now_ms());
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) finish(st);
        if (st == BMQTT_OK && done && done()) return;
        if ((int32_t)(bmqtt_posix_now_ms() - deadline) >= 0) {
            fprintf(stderr, "ws_test: timed out\n");
            bmqtt_client_abort(&client);
            finish(BMQTT_ERR_TIMEOUT);
        }
        wait_io(5);
    }
}

static int connected(void) { return 1; }
static int subscribed(void) { return suback >= 0; }
static int got_message(void) { return messages > 0; }
static int sent_all(void)
{
    bmqtt_ws_t *w = ws_ctx();
    return bmqtt_client_tx_idle(&client) && bmqtt_client_inflight(&client) == 0 && !(w && bmqtt_ws_tx_pending(w));
}

static unsigned sub_qos;
/* An incoming QoS 2 message ends with our PUBCOMP (BMQTT_EVT_QOS2_DONE). */
static int exchange_done(void) { return (sub_qos < 2 || qos2_done > 0) && sent_all(); }

/* Graceful: what is queued goes out, then DISCONNECT, then the transport closes. */
static void disconnect_gracefully(void)
{
    bmqtt_status_t st = bmqtt_client_disconnect(&client);
    while (st == BMQTT_WOULD_BLOCK) {
        if ((int32_t)(bmqtt_posix_now_ms() - deadline) >= 0) finish(BMQTT_ERR_TIMEOUT);
        wait_io(5);
        st = bmqtt_client_poll(&client, bmqtt_posix_now_ms());
    }
    if (st != BMQTT_OK && st != BMQTT_ERR_NOT_CONNECTED) finish(st);
}

int api_checks(void);

int main(int argc, char **argv)
{
    int i = 1;
    const char *topic = NULL;
    unsigned qos = 0;
    size_t size = 0;
    const char *outfile = NULL;
    char err[128];
    char id[64];
    bmqtt_connect_t f;
    bmqtt_status_t st;
    uint8_t *payload = NULL;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--ca") && v) opt.ca = v, i++;
        else if (!strcmp(o, "--insecure")) opt.insecure = 1;
        else if (!strcmp(o, "--expect") && v) opt.expect = v, i++;
        else if (!strcmp(o, "--shaky")) opt.shaky = 1;
        else if (!strcmp(o, "--count")) opt.count = 1;
        else if (!strcmp(o, "--allow-no-subprotocol")) opt.allow_no_sub = 1;
        else if (!strcmp(o, "--timeout") && v) opt.timeout_s = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--tx") && v) opt.tx = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--rx") && v) opt.rx = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--client-rx") && v) opt.client_rx = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--max-send-frame") && v) opt.max_send_frame = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--header") && v) opt.header = v, i++;
        else if (!strcmp(o, "--id") && v) opt.id = v, i++;
        else if (!strcmp(o, "--rounds") && v) opt.rounds = atoi(v), i++;
        else if (!strcmp(o, "--response-ms") && v) opt.response_ms = (unsigned)atoi(v), i++;
        else if (!strcmp(o, "--capture") && v) {
            if (!(capture = fopen(v, "wb"))) { perror(v); return 2; }
            opt.count = 1, i++;
        }
        else { fprintf(stderr, "ws_test: bad option %s\n", o); return 2; }
    }
    if (i >= argc) { fprintf(stderr, "usage: see tests/ws/ws_test.c\n"); return 2; }
    mode = argv[i++];
    if (!strcmp(mode, "api")) return api_checks();
    if (!strcmp(mode, "pattern")) {
        size = i < argc ? strtoul(argv[i], NULL, 10) : 0;
        payload = malloc(size + 1);
        pattern(payload, size);
        fwrite(payload, 1, size, stdout);
        free(payload);
        return 0;
    }
    if (i >= argc || cli_url_parse(argv[i], &url, err, sizeof err) != 0) {
        fprintf(stderr, "ws_test: bad URL: %s\n", i < argc ? err : "none");
        return 2;
    }
    i++;
    if (strcmp(mode, "run") != 0) {
        if (i + 2 >= argc) { fprintf(stderr, "ws_test: %s needs TOPIC QOS SIZE|FILE\n", mode); return 2; }
        topic = argv[i];
        qos = (unsigned)atoi(argv[i + 1]);
        if (!strcmp(mode, "sub")) outfile = argv[i + 2];
        else size = strtoul(argv[i + 2], NULL, 10);
    }
    if (opt.header) snprintf(headers, sizeof headers, "%s\r\n", opt.header);
    own_stack = opt.shaky || opt.count || opt.tx != 512 || opt.rx != 1024 || opt.max_send_frame || opt.allow_no_sub;
    deadline = bmqtt_posix_now_ms() + opt.timeout_s * 1000u;

    crx_buf = malloc(opt.client_rx);
    ccfg.tx_buf = ctx_buf;
    ccfg.tx_size = sizeof ctx_buf;
    ccfg.rx_buf = crx_buf;
    ccfg.rx_size = opt.client_rx;
    ccfg.inflight = slots;
    ccfg.inflight_count = 8;
    ccfg.qos2_ids = qos2;
    ccfg.qos2_count = 8;
    ccfg.on_event = on_event;
    ccfg.response_timeout_ms = opt.response_ms;
    if ((st = bmqtt_client_init(&client, &ccfg)) != BMQTT_OK) finish(st);

    for (int round = 0; round < opt.rounds; round++) {
    if (round > 0) { /* reconnect: the same stack, reset (a new TLS session, a new WebSocket key) */
        messages = 0, suback = -1, qos2_done = 0, publish_done = -1;
        free(payload);
        payload = NULL;
    }
    if ((st = open_stack()) != BMQTT_OK) finish(st);
    memset(&f, 0, sizeof f);
    snprintf(id, sizeof id, "%s", opt.id ? opt.id : "bmqtt-ws-test");
    f.client_id = bmqtt_view_str(id);
    if (url.has_user) f.username = bmqtt_view_str(url.user);
    if (url.has_password) f.password = bmqtt_view_str(url.password);
    f.keepalive_s = 60;
    f.clean_session = 1;
    if ((st = bmqtt_client_connect(&client, &top, &f, bmqtt_posix_now_ms())) != BMQTT_OK) finish(st);
    run_until(connected);
    fprintf(stderr, "connected\n");

    if (!strcmp(mode, "run")) run_until(NULL);
    if (!strcmp(mode, "sub") || !strcmp(mode, "rt")) {
        bmqtt_subscription_t s = { bmqtt_view_str(topic), (uint8_t)qos };
        if ((st = bmqtt_client_subscribe(&client, &s, 1, NULL)) != BMQTT_OK) finish(st);
        run_until(subscribed);
        fprintf(stderr, "subscribed %d\n", suback);
    }
    if (!strcmp(mode, "pub") || !strcmp(mode, "rt")) {
        bmqtt_publish_t p;
        payload = malloc(size + 1);
        pattern(payload, size);
        memset(&p, 0, sizeof p);
        p.topic = bmqtt_view_str(topic);
        p.payload.ptr = payload;
        p.payload.len = size;
        p.qos = (uint8_t)qos;
        /* By reference: the client sends a payload larger than its tx_buf from our memory. */
        while ((st = bmqtt_client_publish_ref(&client, &p, NULL)) == BMQTT_ERR_BUSY) run_until(connected);
        if (st != BMQTT_OK) finish(st);
        run_until(sent_all);
        if (qos > 0 && publish_done != BMQTT_OK) finish(publish_done);
        fprintf(stderr, "published %zu bytes at QoS %u\n", size, qos);
    }
    if (!strcmp(mode, "sub") || !strcmp(mode, "rt")) {
        run_until(got_message);
        if (outfile) {
            FILE *o = fopen(outfile, "wb");
            if (!o || fwrite(msg, 1, msg_total, o) != msg_total || fclose(o) != 0) { perror(outfile); return 3; }
        } else if (msg_total != size || (size && memcmp(msg, payload, size) != 0)) {
            fprintf(stderr, "ws_test: the message that came back differs (%zu bytes, %zu sent)\n", msg_total, size);
            free(payload);
            finish(BMQTT_ERR_PROTOCOL);
        }
        sub_qos = msg_qos;
        run_until(exchange_done);
    }
    disconnect_gracefully();
    fprintf(stderr, "round %d done\n", round + 1);
    }
    free(payload);
    finish(BMQTT_OK);
    return 0;
}
