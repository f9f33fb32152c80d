/*
 * One TLS connection through port/mbedtls over port/posix, for tests/tls/run.sh.
 *
 *   tls_test [options]
 *     --port N            TCP port on 127.0.0.1 (required except for "api")
 *     --host NAME         SNI / name to verify (default: localhost)
 *     --ca FILE           trusted CA (PEM); without it --insecure is needed
 *     --insecure          do not verify the server
 *     --cert FILE --key FILE   client certificate and key
 *     --alpn a,b,...      ALPN names offered
 *     --expect-alpn NAME  the protocol the server must choose ("-": none)
 *     --expect STATUS     handshake result expected (a bmqtt_status_t name, default BMQTT_OK)
 *     --now SECONDS       clock hook returning this time (-1: "unknown")
 *     --mqtt TOPIC        after the handshake, a QoS 1 subscribe/publish round trip on TOPIC
 *     --client TOPIC      the round trip through bmqtt_client instead (it drives the handshake)
 *     --payload-size N    size of the published payload (default: a short text)
 *     --shaky             the lower transport blocks every other call and moves 1..7 bytes
 *     --mfl N             ask for max_fragment_length N
 *     --explicit          drive the handshake with bmqtt_tls_handshake() (default: via send)
 *     --expect-close      after the round trip, send DISCONNECT and expect BMQTT_ERR_CLOSED
 *     --pool-limit N      mbedTLS may hold at most N bytes of the pool at once
 *     --label NAME        label for the pool report line
 *     --expect-mqtt STATUS  the --mqtt round trip must fail with this status (e.g. a late refusal)
 *     --retry-shorter     after the handshake, retry a blocked send with fewer bytes: BMQTT_ERR_PARAM
 *   tls_test api          setup argument checks (no network)
 *   tls_test version      mbedTLS's major version and version string, as compiled
 *
 * Prints what happened and "pool:" figures; exits 0 when every expectation held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/client.h"
#include "bmqtt/codec.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "mbedtls/version.h"
#include "pool.h"
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
#include "psa/crypto.h"
#endif

#define DEADLINE_MS 20000u

static bmqtt_posix_t sock;
static uint32_t shaky_seed = 12345u;

/* ---- a lower transport that blocks and fragments (around POSIX) ---- */
/* Pseudo-random, reproducible: block about one call in two, else move 1..7 bytes. */
static size_t shaky_next(size_t len)
{
    uint32_t r;
    shaky_seed = shaky_seed * 1103515245u + 12345u;
    r = shaky_seed >> 16;
    if ((r & 1u) == 0u) {
        return 0;
    }
    r = 1u + (r >> 1) % 7u;
    return len < r ? len : r;
}

static int32_t shaky_send(void *ctx, const uint8_t *buf, size_t len)
{
    len = shaky_next(len);
    return len == 0 ? BMQTT_WOULD_BLOCK : bmqtt_posix_send(ctx, buf, len);
}

static int32_t shaky_recv(void *ctx, uint8_t *buf, size_t len)
{
    len = shaky_next(len);
    return len == 0 ? BMQTT_WOULD_BLOCK : bmqtt_posix_recv(ctx, buf, len);
}

/* ---- hooks ---- */
/* Entropy for builds with MBEDTLS_NO_PLATFORM_ENTROPY (the MCU config): the host's. */
static int urandom_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    FILE *f = fopen("/dev/urandom", "rb");
    (void)ctx;
    *olen = f != NULL ? fread(out, 1, len, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return *olen == len ? 0 : -1;
}

static int64_t fixed_now;
static int64_t clock_hook(void *ctx)
{
    (void)ctx;
    return fixed_now;
}

/* ---- files ---- */
/* The caller's certificate memory: static buffers, as on a device. */
static uint8_t file_bufs[3][16384];
static int files_used;

static const uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = file_bufs[files_used++];
    size_t n;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    n = fread(buf, 1, sizeof file_bufs[0] - 1u, f);
    fclose(f);
    buf[n] = 0;
    *len = n + 1u; /* PEM: count the NUL */
    return buf;
}

static const char *status_name(int32_t s)
{
    static const struct {
        int32_t v;
        const char *n;
    } names[] = {
        {BMQTT_OK, "BMQTT_OK"},
        {BMQTT_WOULD_BLOCK, "BMQTT_WOULD_BLOCK"},
        {BMQTT_ERR_PARAM, "BMQTT_ERR_PARAM"},
        {BMQTT_ERR_TRANSPORT, "BMQTT_ERR_TRANSPORT"},
        {BMQTT_ERR_CLOSED, "BMQTT_ERR_CLOSED"},
        {BMQTT_ERR_CONNECT, "BMQTT_ERR_CONNECT"},
        {BMQTT_ERR_TLS_HANDSHAKE, "BMQTT_ERR_TLS_HANDSHAKE"},
        {BMQTT_ERR_TLS_UNTRUSTED, "BMQTT_ERR_TLS_UNTRUSTED"},
        {BMQTT_ERR_TLS_NAME, "BMQTT_ERR_TLS_NAME"},
        {BMQTT_ERR_TLS_EXPIRED, "BMQTT_ERR_TLS_EXPIRED"},
        {BMQTT_ERR_TLS_ALLOC, "BMQTT_ERR_TLS_ALLOC"},
    };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].v == s) {
            return names[i].n;
        }
    }
    return "?";
}

/* ---- MQTT over the TLS transport, built with the codec ---- */
static bmqtt_transport_t tr;
static uint8_t rx[16384];
static size_t rx_len;

static int shaky;

static void idle(void)
{
    (void)bmqtt_posix_wait(&sock, 0, shaky ? 1u : 5u);
}

static int send_all(const uint8_t *buf, size_t len)
{
    uint32_t start = bmqtt_posix_now_ms();
    while (len > 0) {
        int32_t r = tr.send(tr.ctx, buf, len);
        if (r > 0) {
            buf += r;
            len -= (size_t)r;
        } else if (r == 0 || r == BMQTT_WOULD_BLOCK) {
            if (bmqtt_posix_now_ms() - start > DEADLINE_MS) {
                fprintf(stderr, "send: timeout\n");
                return BMQTT_ERR_TIMEOUT;
            }
            idle();
        } else {
            return r;
        }
    }
    return 0;
}

/* Next whole packet into *pkt (views into rx); *used bytes to drop after use. */
static int32_t next_packet(bmqtt_packet_t *pkt, size_t *used)
{
    uint32_t start = bmqtt_posix_now_ms();
    for (;;) {
        bmqtt_status_t st = bmqtt_decode(rx, rx_len, pkt, used);
        int32_t r;
        if (st == BMQTT_OK) {
            return 0;
        }
        if (st != BMQTT_NEED_MORE) {
            fprintf(stderr, "decode: %s\n", bmqtt_status_str(st));
            return st;
        }
        if (rx_len == sizeof rx) {
            return BMQTT_ERR_BUFFER_TOO_SMALL;
        }
        r = tr.recv(tr.ctx, rx + rx_len, sizeof rx - rx_len);
        if (r > 0) {
            rx_len += (size_t)r;
        } else if (r == 0 || r == BMQTT_WOULD_BLOCK) {
            if (bmqtt_posix_now_ms() - start > DEADLINE_MS) {
                fprintf(stderr, "recv: timeout\n");
                return BMQTT_ERR_TIMEOUT;
            }
            idle();
        } else {
            return r;
        }
    }
}

static void drop(size_t used)
{
    memmove(rx, rx + used, rx_len - used);
    rx_len -= used;
}

static int mqtt_round_trip(const char *topic, size_t payload_size)
{
    static uint8_t out[16384];
    static uint8_t payload[8192];
    bmqtt_connect_t c;
    bmqtt_subscription_t sub;
    bmqtt_publish_t pub;
    bmqtt_packet_t pkt;
    size_t n, used, plen;
    int32_t r = 0;
    int got_puback = 0, got_publish = 0;
    char id[32];

    if (payload_size == 0) {
        plen = (size_t)snprintf((char *)payload, sizeof payload, "hello over TLS on %s", topic);
    } else {
        size_t i;
        plen = payload_size < sizeof payload ? payload_size : sizeof payload;
        for (i = 0; i < plen; i++) {
            payload[i] = (uint8_t)('a' + i % 26);
        }
    }
    snprintf(id, sizeof id, "bmqtt-tls-%ld", (long)bmqtt_posix_now_ms());
    memset(&c, 0, sizeof c);
    c.client_id = bmqtt_view_str(id);
    c.clean_session = 1;
    c.keepalive_s = 30;
    if (bmqtt_connect_encode(&c, out, sizeof out, &n) != BMQTT_OK || (r = send_all(out, n)) != 0) {
        printf("mqtt: CONNECT not sent: %s (mbedTLS -0x%04x)\n", status_name(r), (unsigned)-bmqtt_tls_last_error(tr.ctx));
        return r != 0 ? (int)r : -1;
    }
    if ((r = next_packet(&pkt, &used)) != 0 || pkt.type != BMQTT_CONNACK || pkt.u.connack.return_code != 0) {
        printf("mqtt: no CONNACK 0: %s (mbedTLS -0x%04x, peer alert %d)\n", status_name(r),
               (unsigned)-bmqtt_tls_last_error(tr.ctx), bmqtt_tls_peer_alert(tr.ctx));
        return r != 0 ? (int)r : -1;
    }
    drop(used);

    sub.filter = bmqtt_view_str(topic);
    sub.qos = 1;
    if (bmqtt_subscribe_encode(1, &sub, 1, out, sizeof out, &n) != BMQTT_OK || send_all(out, n) != 0) {
        return -1;
    }
    if (next_packet(&pkt, &used) != 0 || pkt.type != BMQTT_SUBACK || pkt.u.suback.codes.len != 1 ||
        pkt.u.suback.codes.ptr[0] != 1) {
        fprintf(stderr, "no SUBACK granting QoS 1\n");
        return -1;
    }
    drop(used);

    memset(&pub, 0, sizeof pub);
    pub.topic = bmqtt_view_str(topic);
    pub.payload.ptr = payload;
    pub.payload.len = plen;
    pub.qos = 1;
    pub.packet_id = 2;
    if (bmqtt_publish_encode(&pub, out, sizeof out, &n) != BMQTT_OK || send_all(out, n) != 0) {
        return -1;
    }
    while (!got_puback || !got_publish) {
        if (next_packet(&pkt, &used) != 0) {
            fprintf(stderr, "round trip incomplete (puback %d, publish %d)\n", got_puback, got_publish);
            return -1;
        }
        if (pkt.type == BMQTT_PUBACK && pkt.u.packet_id == 2) {
            got_puback = 1;
        } else if (pkt.type == BMQTT_PUBLISH) {
            const bmqtt_publish_t *p = &pkt.u.publish;
            uint8_t ack[4];
            size_t an;
            if (p->qos != 1 || p->payload.len != plen || memcmp(p->payload.ptr, payload, plen) != 0) {
                fprintf(stderr, "PUBLISH came back different\n");
                return -1;
            }
            if (bmqtt_ack_encode(BMQTT_PUBACK, p->packet_id, ack, sizeof ack, &an) != BMQTT_OK) {
                return -1;
            }
            drop(used);
            used = 0;
            if (send_all(ack, an) != 0) {
                return -1;
            }
            got_publish = 1;
        } else {
            fprintf(stderr, "unexpected packet type %u\n", pkt.type);
            return -1;
        }
        drop(used);
    }
    printf("mqtt: QoS 1 round trip on %s, %zu-byte payload: CONNACK, SUBACK, PUBACK, PUBLISH back\n", topic, plen);
    return 0;
}

/* ---- the same round trip through the client session (src/client/bmqtt_client.c) ---- */
static int cl_suback, cl_done, cl_got;
static const char *cl_payload;

static void cl_on_event(void *user, const bmqtt_event_t *ev)
{
    const bmqtt_message_t *m = ev->message;
    (void)user;
    if (ev->type == BMQTT_EVT_MESSAGE && m->qos == 1 && m->payload.len == strlen(cl_payload) &&
        memcmp(m->payload.ptr, cl_payload, m->payload.len) == 0) {
        cl_got = 1;
    } else if (ev->type == BMQTT_EVT_SUBACK) {
        cl_suback = ev->status == BMQTT_OK && ev->codes.len == 1 && ev->codes.ptr[0] == 1 ? 1 : -1;
    } else if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status == BMQTT_OK) {
        cl_done = 1;
    }
}

/* The handshake happens inside the client's first polls: it only calls send/recv. */
static int client_round_trip(const char *topic)
{
    static uint8_t txb[512], rxb[512];
    static bmqtt_inflight_t infl[4];
    static uint16_t q2[4];
    static char payload[96];
    bmqtt_client_config_t cc;
    bmqtt_client_t c = { 0 }; /* zeroed: init reads it to refuse a live client */
    bmqtt_connect_t f;
    bmqtt_subscription_t sub;
    bmqtt_publish_t pub;
    char id[32];
    int step = 0;
    bmqtt_status_t st;
    uint32_t t0 = bmqtt_posix_now_ms();

    snprintf(payload, sizeof payload, "hello over TLS on %s", topic);
    cl_payload = payload;
    memset(&cc, 0, sizeof cc);
    cc.tx_buf = txb;
    cc.tx_size = sizeof txb;
    cc.rx_buf = rxb;
    cc.rx_size = sizeof rxb;
    cc.inflight = infl;
    cc.inflight_count = 4;
    cc.qos2_ids = q2;
    cc.qos2_count = 4;
    cc.on_event = cl_on_event;
    memset(&f, 0, sizeof f);
    snprintf(id, sizeof id, "bmqtt-tls-c%ld", (long)t0);
    f.client_id = bmqtt_view_str(id);
    f.clean_session = 1;
    f.keepalive_s = 30;
    if (bmqtt_client_init(&c, &cc) != BMQTT_OK || bmqtt_client_connect(&c, &tr, &f, t0) != BMQTT_OK) {
        return -1;
    }
    while (bmqtt_posix_now_ms() - t0 < DEADLINE_MS) {
        st = bmqtt_client_poll(&c, bmqtt_posix_now_ms());
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            printf("client: poll -> %s (%d)\n", status_name(st), (int)st);
            return (int)st;
        }
        if (st == BMQTT_OK && step == 0) {
            sub.filter = bmqtt_view_str(topic);
            sub.qos = 1;
            if (bmqtt_client_subscribe(&c, &sub, 1, NULL) == BMQTT_OK) {
                step = 1;
            }
        } else if (step == 1 && cl_suback == 1) {
            memset(&pub, 0, sizeof pub);
            pub.topic = bmqtt_view_str(topic);
            pub.payload = bmqtt_view_str(payload);
            pub.qos = 1;
            if (bmqtt_client_publish(&c, &pub, NULL) == BMQTT_OK) {
                step = 2;
            }
        } else if (step == 2 && cl_done && cl_got) {
            /* A graceful end: DISCONNECT goes out through TLS, then the transport closes. */
            for (st = bmqtt_client_disconnect(&c); st == BMQTT_WOULD_BLOCK && bmqtt_posix_now_ms() - t0 < DEADLINE_MS;
                 st = bmqtt_client_poll(&c, bmqtt_posix_now_ms())) {
                idle();
            }
            printf("client: QoS 1 round trip on %s through bmqtt_client over TLS: SUBACK, PUBACK, message back\n", topic);
            return 0;
        }
        idle();
    }
    printf("client: timeout at step %d\n", step);
    return -1;
}

/* mbedtls_ssl_write()'s rule: after WANT_WRITE, call again with the same bytes. A retry
 * with fewer is refused (sticky), never sent as a record that holds other bytes. */
static int retry_shorter(void)
{
    static uint8_t data[600];
    int32_t r = 0, r2, r3;
    int i;
    memset(data, 'x', sizeof data);
    for (i = 0; i < 100; i++) {
        r = tr.send(tr.ctx, data, sizeof data);
        if (r == BMQTT_WOULD_BLOCK) {
            break;
        }
    }
    if (r != BMQTT_WOULD_BLOCK) {
        printf("retry: no send blocked in 100 tries (last %s)\n", status_name(r));
        return -1;
    }
    r = tr.send(tr.ctx, data, sizeof data - 1u);
    r2 = tr.send(tr.ctx, data, sizeof data);
    r3 = tr.recv(tr.ctx, rx, sizeof rx);
    printf("retry: 600 bytes blocked; retried with 599 -> %s, then 600 -> %s, recv -> %s\n", status_name(r),
           status_name(r2), status_name(r3));
    return r == BMQTT_ERR_PARAM && r2 == BMQTT_ERR_PARAM && r3 == BMQTT_ERR_PARAM ? 0 : -1;
}

static int expect_closed(void)
{
    uint8_t out[2];
    size_t n;
    bmqtt_packet_t pkt;
    size_t used;
    int32_t r;
    if (bmqtt_empty_encode(BMQTT_DISCONNECT, out, sizeof out, &n) != BMQTT_OK || send_all(out, n) != 0) {
        return -1;
    }
    r = next_packet(&pkt, &used);
    printf("after DISCONNECT: recv -> %s (mbedTLS %d)\n", status_name(r), bmqtt_tls_last_error(tr.ctx));
    return r == BMQTT_ERR_CLOSED ? 0 : -1;
}

/* mbedTLS 3.x: psa_crypto_init() (bmqtt_tls_setup() calls it) keeps global state
 * until mbedtls_psa_crypto_free(), which a program calls once it is done with all
 * of its crypto, never per connection. Release it before checking for leaks, and
 * say how much it was. */
static void psa_global_free(void)
{
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
    pool_stats_t a, b;
    pool_get(&a);
    mbedtls_psa_crypto_free();
    pool_get(&b);
    printf("psa: mbedtls_psa_crypto_free() released %zu B of PSA's global state\n", a.cur_bytes - b.cur_bytes);
#endif
}

/* ---- setup checks without a network ---- */
static int32_t null_send(void *c, const uint8_t *b, size_t l)
{
    (void)c;
    (void)b;
    (void)l;
    return BMQTT_WOULD_BLOCK;
}

static int32_t null_recv(void *c, uint8_t *b, size_t l)
{
    (void)c;
    (void)b;
    (void)l;
    return BMQTT_WOULD_BLOCK;
}

static int api_checks(void)
{
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
    bmqtt_transport_t lower = {null_send, null_recv, NULL, NULL};
    struct {
        const char *what;
        bmqtt_tls_config_t cfg;
        bmqtt_status_t want;
    } cases[6];
    bmqtt_tls_t tls;
    int fails = 0;
    size_t i;
    pool_stats_t ps;

    memset(cases, 0, sizeof cases);
    cases[0].what = "zeroed config (no CA, not insecure)";
    cases[0].want = BMQTT_ERR_PARAM;
    cases[1].what = "CA that does not parse";
    cases[1].cfg.ca = (const uint8_t *)junk;
    cases[1].want = BMQTT_ERR_PARAM;
    cases[2].what = "certificate without key";
    cases[2].cfg.insecure = 1;
    cases[2].cfg.cert = (const uint8_t *)junk;
    cases[2].want = BMQTT_ERR_PARAM;
    cases[3].what = "hole in the ALPN list";
    cases[3].cfg.insecure = 1;
    cases[3].cfg.alpn[1] = "mqtt";
    cases[3].want = BMQTT_ERR_PARAM;
    cases[4].what = "max_fragment 3000";
    cases[4].cfg.insecure = 1;
    cases[4].cfg.max_fragment = 3000;
    cases[4].want = BMQTT_ERR_PARAM;
    cases[5].what = "insecure, five ALPN names, max_fragment 2048";
    cases[5].cfg.insecure = 1;
    cases[5].cfg.max_fragment = 2048;
    cases[5].cfg.alpn[0] = "a";
    cases[5].cfg.alpn[1] = "b";
    cases[5].cfg.alpn[2] = "c";
    cases[5].cfg.alpn[3] = "d";
    cases[5].cfg.alpn[4] = "mqtt";
    cases[5].want = BMQTT_OK;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bmqtt_status_t st;
        bmqtt_tls_init(&tls);
        st = bmqtt_tls_setup(&tls, &cases[i].cfg, &lower);
        printf("  %-45s -> %s\n", cases[i].what, status_name(st));
        if (st != cases[i].want) {
            fails++;
        }
        bmqtt_tls_free(&tls);
    }
    bmqtt_tls_init(&tls);
    if (bmqtt_tls_setup(NULL, &cases[5].cfg, &lower) != BMQTT_ERR_PARAM ||
        bmqtt_tls_setup(&tls, NULL, &lower) != BMQTT_ERR_PARAM || bmqtt_tls_setup(&tls, &cases[5].cfg, NULL) != BMQTT_ERR_PARAM ||
        bmqtt_tls_reset(&tls) != BMQTT_ERR_PARAM || bmqtt_tls_handshake(&tls) != BMQTT_ERR_PARAM) {
        printf("  NULL arguments / not set up: wrong status\n");
        fails++;
    }
    bmqtt_tls_free(&tls);
    bmqtt_tls_free(&tls); /* twice is fine */
    psa_global_free();
    pool_get(&ps);
    if (ps.cur_bytes != 0) {
        printf("  pool: %zu bytes still allocated after bmqtt_tls_free()\n", ps.cur_bytes);
        fails++;
    }
    return fails == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *host = "localhost", *ca = NULL, *cert = NULL, *key = NULL, *alpn = NULL, *expect_alpn = NULL;
    const char *expect = "BMQTT_OK", *topic = NULL, *label = "connection", *client_topic = NULL;
    const char *expect_mqtt = NULL;
    int port = 0, insecure = 0, explicit_hs = 0, use_now = 0, want_close = 0, want_retry = 0;
    long mfl = 0;
    size_t payload_size = 0, pool_limit = 0;
    bmqtt_tls_config_t cfg;
    bmqtt_tls_t tls;
    bmqtt_transport_t lower;
    char alpn_buf[256];
    int32_t st;
    int i, ok = 1;
    uint32_t t0, hs_ms;
    pool_stats_t ps_setup, ps;

    if (argc == 2 && strcmp(argv[1], "api") == 0) {
        return api_checks();
    }
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%d %s\n", MBEDTLS_VERSION_MAJOR, MBEDTLS_VERSION_STRING);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v != NULL && ++i)
        if (OPT("--port")) port = atoi(v);
        else if (OPT("--host")) host = v;
        else if (OPT("--ca")) ca = v;
        else if (OPT("--cert")) cert = v;
        else if (OPT("--key")) key = v;
        else if (OPT("--alpn")) alpn = v;
        else if (OPT("--expect-alpn")) expect_alpn = v;
        else if (OPT("--expect")) expect = v;
        else if (OPT("--now")) { fixed_now = strtoll(v, NULL, 10); use_now = 1; }
        else if (OPT("--mqtt")) topic = v;
        else if (OPT("--client")) client_topic = v;
        else if (OPT("--payload-size")) payload_size = (size_t)strtoul(v, NULL, 10);
        else if (OPT("--mfl")) mfl = strtol(v, NULL, 10);
        else if (OPT("--pool-limit")) pool_limit = (size_t)strtoul(v, NULL, 10);
        else if (OPT("--label")) label = v;
        else if (OPT("--expect-mqtt")) expect_mqtt = v;
        else if (strcmp(a, "--insecure") == 0) insecure = 1;
        else if (strcmp(a, "--shaky") == 0) shaky = 1;
        else if (strcmp(a, "--explicit") == 0) explicit_hs = 1;
        else if (strcmp(a, "--expect-close") == 0) want_close = 1;
        else if (strcmp(a, "--retry-shorter") == 0) want_retry = 1;
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
#undef OPT
    }
    if (port <= 0) {
        fprintf(stderr, "--port needed\n");
        return 2;
    }

    memset(&cfg, 0, sizeof cfg);
    cfg.host = strcmp(host, "-") == 0 ? NULL : host;
    cfg.insecure = (uint8_t)insecure;
    if (ca != NULL) cfg.ca = read_file(ca, &cfg.ca_len);
    if (cert != NULL) cfg.cert = read_file(cert, &cfg.cert_len);
    if (key != NULL) cfg.key = read_file(key, &cfg.key_len);
    cfg.max_fragment = (uint16_t)mfl;
    if (alpn != NULL) {
        char *save = NULL, *tok;
        int k = 0;
        snprintf(alpn_buf, sizeof alpn_buf, "%s", alpn);
        for (tok = strtok_r(alpn_buf, ",", &save); tok != NULL && k < BMQTT_TLS_ALPN_MAX;
             tok = strtok_r(NULL, ",", &save)) {
            cfg.alpn[k++] = tok;
        }
    }
    if (use_now) {
        cfg.now = clock_hook;
    }
#if defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    cfg.entropy = urandom_entropy;
#else
    (void)urandom_entropy;
#endif
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
    {
        /* mbedTLS built with its own buffer allocator (the MCU config): a static pool. */
        static uint8_t mbed_pool[96 * 1024];
        bmqtt_tls_pool_init(mbed_pool, pool_limit != 0 ? pool_limit : sizeof mbed_pool);
    }
#endif

    bmqtt_posix_init(&sock);
    if (bmqtt_posix_connect(&sock, "127.0.0.1", (uint16_t)port, 5000) != BMQTT_OK) {
        fprintf(stderr, "TCP connect to %d failed\n", port);
        return 2;
    }
    bmqtt_posix_transport(&sock, &lower);
    if (shaky) {
        lower.send = shaky_send;
        lower.recv = shaky_recv;
    }

    pool_mark();
    pool_set_limit(pool_limit);
    if (client_topic != NULL) {
        /* No handshake of our own: the client's polls drive it through send/recv. */
        bmqtt_tls_init(&tls);
        st = bmqtt_tls_setup(&tls, &cfg, &lower);
        pool_get(&ps_setup);
        if (st == BMQTT_OK) {
            bmqtt_tls_transport(&tls, &tr);
            st = client_round_trip(client_topic);
        }
        printf("handshake: %s (through the client; mbedTLS -0x%04x, verify flags 0x%x)\n", status_name(st),
               (unsigned)-bmqtt_tls_last_error(&tls), (unsigned)bmqtt_tls_verify_flags(&tls));
        if (strcmp(status_name(st), expect) != 0) {
            printf("expected %s\n", expect);
            ok = 0;
        }
        pool_get(&ps);
        bmqtt_tls_free(&tls);
        psa_global_free();
        pool_get(&ps_setup);
        printf("pool: %s: peak %zu B, after free %zu B\n", label, ps.peak_bytes, ps_setup.cur_bytes);
        return ok && ps_setup.cur_bytes == 0 ? 0 : 1;
    }
    bmqtt_tls_init(&tls);
    st = bmqtt_tls_setup(&tls, &cfg, &lower);
    pool_get(&ps_setup);
    if (st != BMQTT_OK) {
        printf("setup: %s (mbedTLS -0x%04x)\n", status_name(st), (unsigned)-bmqtt_tls_last_error(&tls));
    } else {
        bmqtt_tls_transport(&tls, &tr);
        t0 = bmqtt_posix_now_ms();
        /* The handshake: either explicitly, or by sending the first MQTT bytes. */
        for (;;) {
            if (explicit_hs) {
                st = bmqtt_tls_handshake(&tls);
            } else {
                /* len 0 only drives the handshake: 0 once it is over */
                st = tr.send(tr.ctx, (const uint8_t *)"", 0);
            }
            if (st != BMQTT_WOULD_BLOCK) {
                break;
            }
            if (bmqtt_posix_now_ms() - t0 > DEADLINE_MS) {
                st = BMQTT_ERR_TIMEOUT;
                break;
            }
            idle();
        }
        hs_ms = bmqtt_posix_now_ms() - t0;
        printf("handshake: %s after %u ms (mbedTLS -0x%04x, verify flags 0x%x, peer alert %d, %s, "
               "record payload <= %d, time %s)\n",
               status_name(st), (unsigned)hs_ms, (unsigned)-bmqtt_tls_last_error(&tls),
               (unsigned)bmqtt_tls_verify_flags(&tls), bmqtt_tls_peer_alert(&tls),
               st == BMQTT_OK ? mbedtls_ssl_get_ciphersuite(&tls.ssl) : "-",
               st == BMQTT_OK ? mbedtls_ssl_get_max_out_record_payload(&tls.ssl) : 0,
               bmqtt_tls_time_unchecked(&tls) ? "unchecked" : "checked");
    }
    if (strcmp(status_name(st), expect) != 0) {
        printf("expected %s\n", expect);
        ok = 0;
    }
    if (st == BMQTT_OK) {
        const char *got = bmqtt_tls_alpn(&tls);
        printf("alpn: %s\n", got != NULL ? got : "(none)");
        if (expect_alpn != NULL && strcmp(got != NULL ? got : "-", expect_alpn) != 0) {
            printf("expected ALPN %s\n", expect_alpn);
            ok = 0;
        }
        if (want_retry && retry_shorter() != 0) {
            ok = 0;
        }
        if (topic != NULL && expect_mqtt != NULL) {
            int r = mqtt_round_trip(topic, payload_size);
            if (strcmp(status_name(r), expect_mqtt) != 0) {
                printf("expected the round trip to end with %s\n", expect_mqtt);
                ok = 0;
            }
        } else if (topic != NULL && mqtt_round_trip(topic, payload_size) != 0) {
            ok = 0;
        }
        if (ok && want_close && expect_closed() != 0) {
            ok = 0;
        }
        /* A closed session keeps its status. */
        if (want_close && tr.recv(tr.ctx, rx, 1) != BMQTT_ERR_CLOSED) {
            printf("status not sticky after close\n");
            ok = 0;
        }
    }
    pool_get(&ps);
    bmqtt_tls_close(&tls);
    bmqtt_tls_close(&tls);
    bmqtt_tls_free(&tls);
    pool_set_limit(0);
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
    {
        size_t peak, blocks, cur;
        bmqtt_tls_pool_usage(&peak, &blocks, &cur);
        printf("mbedtls pool: %s: peak %zu B in at most %zu blocks; pool needed %zu B here, %zu B on a 32-bit MCU; "
               "in use after free %zu B\n",
               label, peak, blocks, peak + blocks * 8u * sizeof(void *), peak + blocks * 32u, cur);
        if (cur != 0) {
            ok = 0;
        }
    }
#endif
    {
        pool_stats_t end;
        psa_global_free();
        pool_get(&end);
#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
        printf("pool: %s: setup %zu B, peak %zu B in %zu blocks (32-bit MCU pool estimate %zu B), "
               "%zu callocs, %zu refused, after free %zu B\n",
               label, ps_setup.cur_bytes, ps.peak_bytes, ps.peak_blocks, ps.peak_mcu32, ps.calls, ps.failed,
               end.cur_bytes);
#endif
        if (end.cur_bytes != 0 || end.cur_blocks != 0) {
            printf("leak: %zu bytes in %zu blocks left in the pool\n", end.cur_bytes, end.cur_blocks);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}
