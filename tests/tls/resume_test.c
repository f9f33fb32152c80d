/*
 * TLS session resumption through port/mbedtls, for tests/tls/run.sh: several
 * connections on one bmqtt_tls_t (reset between them, as the reconnect helper
 * and bmqtt-cli --reconnect do), and a session saved to a file and offered by
 * a later process (as a device does across a reset).
 *
 *   resume_test --port N --ca FILE [options]
 *     --host NAME       SNI / name (default localhost)
 *     --count K         connections on the same context (default 1)
 *     --tls12, --tls13  that version only
 *     --no-tickets      TLS 1.2: do not ask for tickets (resume by session id)
 *     --no-resume       cfg.no_resume = 1
 *     --load FILE       offer the session saved in FILE before the first connection
 *     --corrupt         ... after flipping one bit in the middle of it
 *     --truncate N      ... without its last N bytes
 *     --expect-offer S  what bmqtt_tls_session_offer() must return (default BMQTT_OK)
 *     --reoffer         while connection 1 is open, offer the --load bytes again: the
 *                       connection goes on, and they are offered after the next reset
 *     --save FILE       after the last connection, save the session to FILE
 *     --expect LIST     comma-separated, one per connection: full, resumed, refused, invalid
 *   resume_test api       misuse of the session API and the new config fields (no network)
 *
 * Each connection: TCP, the handshake, MQTT CONNECT / CONNACK (the TLS 1.3
 * ticket arrives before the CONNACK), DISCONNECT, close. Prints one line per
 * connection with the handshake's bytes each way; exits 0 when every
 * expectation held and the pool is empty after bmqtt_tls_free().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "mbedtls/version.h"
#include "pool.h"
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
#include "psa/crypto.h"
#endif

#define DEADLINE_MS 20000u

static bmqtt_posix_t sock;
static const uint8_t *reoffer;
static size_t reoffer_len;
static size_t wire_tx, wire_rx;

/* The lower transport, counting bytes on the wire. */
static int32_t count_send(void *ctx, const uint8_t *buf, size_t len)
{
    int32_t r = bmqtt_posix_send(ctx, buf, len);
    if (r > 0) wire_tx += (size_t)r;
    return r;
}

static int32_t count_recv(void *ctx, uint8_t *buf, size_t len)
{
    int32_t r = bmqtt_posix_recv(ctx, buf, len);
    if (r > 0) wire_rx += (size_t)r;
    return r;
}

static int urandom_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    FILE *f = fopen("/dev/urandom", "rb");
    (void)ctx;
    *olen = f != NULL ? fread(out, 1, len, f) : 0;
    if (f != NULL) fclose(f);
    return *olen == len ? 0 : -1;
}

static uint8_t *slurp(const char *path, size_t *len, int nul)
{
    FILE *f = fopen(path, "rb");
    static uint8_t bufs[2][65536];
    static int used;
    uint8_t *b = bufs[used++ & 1];
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    *len = fread(b, 1, sizeof bufs[0] - 1u, f);
    fclose(f);
    b[*len] = 0;
    if (nul) *len += 1u;
    return b;
}

static const char *resumption_name(unsigned r)
{
    switch (r) {
    case BMQTT_TLS_RESUME_OK: return "resumed";
    case BMQTT_TLS_RESUME_REFUSED: return "refused";
    case BMQTT_TLS_RESUME_INVALID: return "invalid";
    default: return "full";
    }
}

static const char *status_name(int32_t s)
{
    switch (s) {
    case BMQTT_OK: return "BMQTT_OK";
    case BMQTT_ERR_TLS_SESSION: return "BMQTT_ERR_TLS_SESSION";
    case BMQTT_ERR_PARAM: return "BMQTT_ERR_PARAM";
    case BMQTT_ERR_BUSY: return "BMQTT_ERR_BUSY";
    case BMQTT_ERR_TLS_ALLOC: return "BMQTT_ERR_TLS_ALLOC";
    case BMQTT_ERR_NOT_CONNECTED: return "BMQTT_ERR_NOT_CONNECTED";
    default: return bmqtt_status_str((bmqtt_status_t)s);
    }
}

/* Move all of buf, or read exactly len bytes, over the TLS transport. */
static int32_t xfer(bmqtt_transport_t *tr, uint8_t *buf, size_t len, int out)
{
    uint32_t t0 = bmqtt_posix_now_ms();
    while (len > 0) {
        int32_t r = out ? tr->send(tr->ctx, buf, len) : tr->recv(tr->ctx, buf, len);
        if (r > 0) {
            buf += r;
            len -= (size_t)r;
        } else if (r == 0 || r == BMQTT_WOULD_BLOCK) {
            if (bmqtt_posix_now_ms() - t0 > DEADLINE_MS) return BMQTT_ERR_TIMEOUT;
            (void)bmqtt_posix_wait(&sock, 0, 5u);
        } else {
            return r;
        }
    }
    return 0;
}

/* One connection: handshake, CONNECT / CONNACK, DISCONNECT. */
static int32_t one(bmqtt_tls_t *tls, bmqtt_transport_t *tr, int port, size_t *hs_tx, size_t *hs_rx)
{
    static uint8_t connect[] = { 0x10, 0x0C, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30, 0, 0 };
    uint8_t connack[4], disconnect[2] = { 0xE0, 0 };
    uint32_t t0;
    int32_t st;
    if (bmqtt_posix_connect(&sock, "127.0.0.1", (uint16_t)port, 5000) != BMQTT_OK) return BMQTT_ERR_CONNECT;
    wire_tx = wire_rx = 0;
    t0 = bmqtt_posix_now_ms();
    while ((st = bmqtt_tls_handshake(tls)) == BMQTT_WOULD_BLOCK) {
        if (bmqtt_posix_now_ms() - t0 > DEADLINE_MS) return BMQTT_ERR_TIMEOUT;
        (void)bmqtt_posix_wait(&sock, 0, 5u);
    }
    *hs_tx = wire_tx;
    *hs_rx = wire_rx;
    if (st != BMQTT_OK) return st;
    if (reoffer != NULL) {
        st = bmqtt_tls_session_offer(tls, reoffer, reoffer_len);
        printf("offer while the connection is open: %s\n", status_name(st));
        reoffer = NULL;
        if (st != BMQTT_OK) return st;
    }
    if ((st = xfer(tr, connect, sizeof connect, 1)) != 0) return st;
    if ((st = xfer(tr, connack, sizeof connack, 0)) != 0) return st;
    if (connack[0] != 0x20 || connack[3] != 0) return BMQTT_ERR_CONNECT;
    (void)xfer(tr, disconnect, sizeof disconnect, 1);
    tr->close(tr->ctx);
    return BMQTT_OK;
}

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

static int api_fails;
static void expect_st(const char *what, int32_t got, int32_t want)
{
    printf("%s %s: %s\n", got == want ? "ok  " : "FAIL", what, status_name(got));
    if (got != want) api_fails++;
}

/* Every misuse gets a clear status; nothing crashes (this runs under valgrind too). */
static int api_checks(void)
{
    static bmqtt_tls_t t;
    bmqtt_tls_config_t c;
    bmqtt_transport_t lower = { null_send, null_recv, NULL, NULL };
    static const int no_suites[] = { 0 };
    static const uint8_t junk[64] = { 'b', 'm', 't', 's', 1 };
    uint8_t buf[64];
    size_t n = 99;

    bmqtt_tls_init(&t);
    expect_st("save before setup", bmqtt_tls_session_save(&t, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    expect_st("offer before setup", bmqtt_tls_session_offer(&t, junk, sizeof junk), BMQTT_ERR_PARAM);
    expect_st("save NULL ctx", bmqtt_tls_session_save(NULL, buf, sizeof buf, &n), BMQTT_ERR_PARAM);
    expect_st("offer NULL ctx", bmqtt_tls_session_offer(NULL, junk, sizeof junk), BMQTT_ERR_PARAM);
    bmqtt_tls_session_forget(&t);
    bmqtt_tls_session_forget(NULL);
    memset(&c, 0, sizeof c);
    c.insecure = 1;
    c.tls_version = 11;
    expect_st("tls_version 11", bmqtt_tls_setup(&t, &c, &lower), BMQTT_ERR_PARAM);
    c.tls_version = 0;
    c.ciphersuites = no_suites;
    expect_st("empty cipher suite list", bmqtt_tls_setup(&t, &c, &lower), BMQTT_ERR_PARAM);
    bmqtt_tls_free(&t);
    bmqtt_tls_init(&t);
    c.ciphersuites = NULL;
#if !defined(MBEDTLS_SSL_PROTO_TLS1_3)
    c.tls_version = 13;
    expect_st("tls_version 13 without TLS 1.3 in mbedTLS", bmqtt_tls_setup(&t, &c, &lower), BMQTT_ERR_PARAM);
    bmqtt_tls_free(&t);
    bmqtt_tls_init(&t);
    c.tls_version = 0;
#endif
#if defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    c.entropy = urandom_entropy;
#endif
    expect_st("setup", bmqtt_tls_setup(&t, &c, &lower), BMQTT_OK);
    expect_st("save with no session yet", bmqtt_tls_session_save(&t, buf, sizeof buf, &n), BMQTT_ERR_NOT_CONNECTED);
    expect_st("save: len NULL", bmqtt_tls_session_save(&t, buf, sizeof buf, NULL), BMQTT_ERR_PARAM);
    expect_st("save: buf NULL with a size", bmqtt_tls_session_save(&t, NULL, 10, &n), BMQTT_ERR_PARAM);
    expect_st("offer NULL bytes with a length", bmqtt_tls_session_offer(&t, NULL, 10), BMQTT_ERR_PARAM);
    expect_st("offer nothing", bmqtt_tls_session_offer(&t, NULL, 0), BMQTT_ERR_TLS_SESSION);
    expect_st("offer a header and zeros", bmqtt_tls_session_offer(&t, junk, sizeof junk), BMQTT_ERR_TLS_SESSION);
    expect_st("offer 3 bytes", bmqtt_tls_session_offer(&t, junk, 3), BMQTT_ERR_TLS_SESSION);
    expect_st("save after a refused offer", bmqtt_tls_session_save(&t, buf, sizeof buf, &n), BMQTT_ERR_NOT_CONNECTED);
    expect_st("handshake starts", bmqtt_tls_handshake(&t), BMQTT_WOULD_BLOCK);
    expect_st("offer once the handshake started", bmqtt_tls_session_offer(&t, junk, sizeof junk), BMQTT_ERR_BUSY);
    printf("resumption after no handshake: %u\n", bmqtt_tls_resumption(&t));
    bmqtt_tls_free(&t);
    bmqtt_tls_free(&t);
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
    mbedtls_psa_crypto_free();
#endif
    {
        pool_stats_t ps;
        pool_get(&ps);
        if (ps.cur_bytes != 0) {
            printf("FAIL pool: %zu B left\n", ps.cur_bytes);
            api_fails++;
        }
    }
    return api_fails == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *host = "localhost", *ca = NULL, *load = NULL, *save = NULL, *expect = "";
    const char *expect_offer = "BMQTT_OK";
    int port = 0, count = 1, corrupt = 0, ok = 1, i;
    size_t truncate_by = 0;
    bmqtt_tls_config_t cfg;
    bmqtt_tls_t tls;
    bmqtt_transport_t lower, tr;
    pool_stats_t ps;
    char want[256], *w, *save_ptr = NULL;
    int32_t st;

    if (argc == 2 && strcmp(argv[1], "api") == 0) return api_checks();
    memset(&cfg, 0, sizeof cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v != NULL && ++i)
        if (OPT("--port")) port = atoi(v);
        else if (OPT("--host")) host = v;
        else if (OPT("--ca")) ca = v;
        else if (OPT("--count")) count = atoi(v);
        else if (OPT("--load")) load = v;
        else if (OPT("--save")) save = v;
        else if (OPT("--expect")) expect = v;
        else if (OPT("--expect-offer")) expect_offer = v;
        else if (OPT("--truncate")) truncate_by = (size_t)atoi(v);
        else if (strcmp(a, "--corrupt") == 0) corrupt = 1;
        else if (strcmp(a, "--reoffer") == 0) reoffer_len = 1;
        else if (strcmp(a, "--tls12") == 0) cfg.tls_version = 12;
        else if (strcmp(a, "--tls13") == 0) cfg.tls_version = 13;
        else if (strcmp(a, "--no-tickets") == 0) cfg.no_tickets = 1;
        else if (strcmp(a, "--no-resume") == 0) cfg.no_resume = 1;
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
#undef OPT
    }
    if (port <= 0 || ca == NULL || count < 1) {
        fprintf(stderr, "--port and --ca needed\n");
        return 2;
    }
    cfg.host = host;
    cfg.ca = slurp(ca, &cfg.ca_len, 1);
#if defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    cfg.entropy = urandom_entropy;
#else
    (void)urandom_entropy;
#endif
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
    {
        static uint8_t mbed_pool[96 * 1024];
        bmqtt_tls_pool_init(mbed_pool, sizeof mbed_pool);
    }
#endif
    bmqtt_posix_init(&sock);
    bmqtt_posix_transport(&sock, &lower);
    lower.send = count_send;
    lower.recv = count_recv;
    bmqtt_tls_init(&tls);
    if ((st = bmqtt_tls_setup(&tls, &cfg, &lower)) != BMQTT_OK) {
        printf("setup: %s\n", status_name(st));
        return 1;
    }
    bmqtt_tls_transport(&tls, &tr);

    if (load != NULL) {
        size_t n;
        uint8_t *b = slurp(load, &n, 0);
        if (corrupt && n > 0) b[n / 2] ^= 0x10u;
        n = truncate_by < n ? n - truncate_by : 0;
        if (reoffer_len != 0) {
            static uint8_t copy[65536];
            memcpy(copy, b, n);
            reoffer = copy;
            reoffer_len = n;
        }
        st = bmqtt_tls_session_offer(&tls, b, n);
        printf("offer %zu B from %s%s: %s (mbedTLS -0x%04x)\n", n, load, corrupt ? " (one bit flipped)" : "",
               status_name(st), (unsigned)-bmqtt_tls_last_error(&tls));
        if (strcmp(status_name(st), expect_offer) != 0) {
            printf("  expected %s\n", expect_offer);
            ok = 0;
        }
    }

    snprintf(want, sizeof want, "%s", expect);
    w = strtok_r(want, ",", &save_ptr);
    for (i = 1; i <= count; i++) {
        size_t hs_tx = 0, hs_rx = 0;
        const char *got;
        if (i > 1 && (st = bmqtt_tls_reset(&tls)) != BMQTT_OK) {
            printf("reset: %s\n", status_name(st));
            ok = 0;
            break;
        }
        st = one(&tls, &tr, port, &hs_tx, &hs_rx);
        got = resumption_name(bmqtt_tls_resumption(&tls));
        printf("connection %d: %s, %s %s, handshake %zu B out, %zu B in, sessions taken %u\n", i, status_name(st),
               st == BMQTT_OK ? mbedtls_ssl_get_version(&tls.ssl) : "-", st == BMQTT_OK ? got : "-", hs_tx, hs_rx,
               (unsigned)bmqtt_tls_session_count(&tls));
        if (st != BMQTT_OK) {
            printf("  failed (mbedTLS -0x%04x)\n", (unsigned)-bmqtt_tls_last_error(&tls));
            ok = 0;
        } else if (w != NULL && strcmp(w, got) != 0) {
            printf("  expected %s\n", w);
            ok = 0;
        }
        w = w != NULL ? strtok_r(NULL, ",", &save_ptr) : NULL;
    }
    if (save != NULL) {
        static uint8_t buf[8192];
        size_t n = 0;
        FILE *f;
        st = bmqtt_tls_session_save(&tls, buf, sizeof buf, &n);
        printf("save: %s, %zu B\n", status_name(st), n);
        if (st != BMQTT_OK || (f = fopen(save, "wb")) == NULL || fwrite(buf, 1, n, f) != n) {
            ok = 0;
        } else {
            fclose(f);
        }
    }
    bmqtt_tls_free(&tls);
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
    mbedtls_psa_crypto_free();
#endif
    pool_get(&ps);
    if (ps.cur_bytes != 0) {
        printf("pool: %zu B still allocated after bmqtt_tls_free()\n", ps.cur_bytes);
        ok = 0;
    }
    return ok ? 0 : 1;
}
