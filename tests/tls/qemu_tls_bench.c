/*
 * What a TLS handshake costs the client on Cortex-M4 (make tls-bench): QEMU
 * mps2-an386 with -icount shift=0, the MCU configuration of port/mbedtls plus
 * what a server needs (tests/tls/bench_mbedtls_config.h), mbedTLS built from
 * source. Client (bmqtt_tls) and server (mbedTLS's own) run in this one image
 * over an in-memory transport; only the client's calls are counted:
 *
 *  - instructions: SysTick on the processor clock, read around every client
 *    call (wraps counted by its interrupt). With -icount shift=0 each
 *    instruction is 1 ns and SysTick ticks at 25 MHz: 40 instructions a tick,
 *    calibrated below with a loop of known length;
 *  - bytes on the wire: what the in-memory transport carried each way during
 *    the handshake (TLS records, headers included);
 *  - pool peak: mbedTLS's calloc/free are routed through a counter that keeps
 *    the client's live bytes and blocks apart from the server's; the figure is
 *    what an MBEDTLS_MEMORY_BUFFER_ALLOC_C pool needs for them on a 32-bit MCU
 *    (bytes + 32 per live block, at the highest point of the handshake,
 *    everything the client holds counted: parsed CA, kept session).
 *
 * Handshakes: ECDHE-ECDSA P-256 with AES-128-GCM (TLS 1.2), the server's
 * certificate verified against the test CA; full, resumed by RFC 5077 ticket,
 * resumed by session id (server cache, client without tickets), and the cost
 * of offering a saved session (bmqtt_tls_session_offer()) after a reset.
 * Prints one "|"-table row per figure; exits 0 when every handshake did what it
 * should (full, resumed) and every check held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bmqtt_tls.h"
#include "mbedtls/platform.h"
#include "mbedtls/ssl_cache.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/version.h"

#ifndef BENCH_CERTS
#define BENCH_CERTS "build/tls-bench/certs"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

/* ---- instructions ---- */
static volatile uint32_t wraps;
void SysTick_Handler(void);
void SysTick_Handler(void)
{
    wraps++;
}

static void clock_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7; /* enabled, processor clock, interrupt on wrap */
}

/* Ticks since clock_start(), 64-bit. */
static uint64_t now_ticks(void)
{
    uint32_t w, v;
    do {
        w = wraps;
        v = SYST_CVR;
    } while (w != wraps);
    return (uint64_t)w * 0x01000000u + (0x00FFFFFFu - v);
}

static void __attribute__((noinline, naked)) calib(void)
{
    __asm__ volatile("movw r0, #50000\n"
                     "1: subs r0, r0, #1\n"
                     "bne 1b\n"
                     "bx lr\n" ::: "r0", "cc");
}

static void __attribute__((noinline)) empty(void)
{
    __asm__ volatile("" ::: "memory");
}

static uint64_t ticks_of(void (*volatile fn)(void))
{
    uint64_t t0 = now_ticks();
    fn();
    return now_ticks() - t0;
}

/* Instructions per tick x1000, from a loop of 2 * 50000 + 1 instructions more than empty(). */
static uint64_t ipt_milli;
static uint64_t instr(uint64_t ticks)
{
    return ticks * ipt_milli / 1000u;
}

/* ---- memory, the client's apart from the server's ---- */
static int side; /* 0: client, 1: server */
static size_t live[2], blocks[2], peak32[2];

static void *count_calloc(size_t n, size_t size)
{
    size_t bytes, *p;
    if (size != 0 && n > (SIZE_MAX - 16u) / size) return NULL;
    bytes = n * size;
    p = calloc(1, bytes + 2 * sizeof(size_t));
    if (p == NULL) return NULL;
    p[0] = bytes;
    p[1] = (size_t)side;
    live[side] += bytes;
    blocks[side]++;
    if (live[side] + 32u * blocks[side] > peak32[side]) peak32[side] = live[side] + 32u * blocks[side];
    return p + 2;
}

static void count_free(void *q)
{
    size_t *p = q;
    if (p == NULL) return;
    p -= 2;
    live[p[1]] -= p[0];
    blocks[p[1]]--;
    free(p);
}

static void peak_restart(void)
{
    peak32[0] = live[0] + 32u * blocks[0];
}

/* ---- randomness and time (a test stand-in for a TRNG and an RTC) ---- */
static uint32_t rng_state = 0x12345678u;
static int test_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 17;
        rng_state ^= rng_state << 5;
        out[i] = (uint8_t)rng_state;
    }
    *olen = len;
    return 0;
}

static int64_t wall;
static int64_t wall_now(void *ctx)
{
    (void)ctx;
    return wall;
}

/* ---- the in-memory wire ---- */
typedef struct {
    uint8_t b[32768];
    size_t n;
    size_t total;
} pipe_t;
static pipe_t c2s, s2c;

static int32_t pipe_put(pipe_t *p, const uint8_t *buf, size_t len)
{
    if (len > sizeof p->b - p->n) len = sizeof p->b - p->n;
    if (len == 0) return BMQTT_WOULD_BLOCK;
    memcpy(p->b + p->n, buf, len);
    p->n += len;
    p->total += len;
    return (int32_t)len;
}

static int32_t pipe_get(pipe_t *p, uint8_t *buf, size_t len)
{
    if (p->n == 0) return BMQTT_WOULD_BLOCK;
    if (len > p->n) len = p->n;
    memcpy(buf, p->b, len);
    memmove(p->b, p->b + len, p->n - len);
    p->n -= len;
    return (int32_t)len;
}

static int32_t cli_send(void *c, const uint8_t *b, size_t l)
{
    (void)c;
    return pipe_put(&c2s, b, l);
}
static int32_t cli_recv(void *c, uint8_t *b, size_t l)
{
    (void)c;
    return pipe_get(&s2c, b, l);
}
static int srv_send(void *c, const unsigned char *b, size_t l)
{
    int32_t r;
    (void)c;
    r = pipe_put(&s2c, b, l);
    return r > 0 ? (int)r : MBEDTLS_ERR_SSL_WANT_WRITE;
}
static int srv_recv(void *c, unsigned char *b, size_t l)
{
    int32_t r;
    (void)c;
    r = pipe_get(&c2s, b, l);
    return r > 0 ? (int)r : MBEDTLS_ERR_SSL_WANT_READ;
}

/* ---- files through semihosting ---- */
static uint8_t *slurp(const char *name, size_t *len)
{
    char path[256];
    FILE *f;
    uint8_t *b = malloc(8192);
    snprintf(path, sizeof path, "%s/%s", BENCH_CERTS, name);
    f = fopen(path, "rb");
    if (f == NULL || b == NULL) {
        printf("tls-bench: cannot read %s\n", path);
        exit(2);
    }
    *len = fread(b, 1, 8191, f);
    fclose(f);
    b[(*len)++] = 0;
    return b;
}

/* ---- the server ---- */
static mbedtls_ssl_config sconf;
static mbedtls_ssl_context sssl;
static mbedtls_x509_crt scert;
static mbedtls_pk_context skey;
static mbedtls_entropy_context sent;
static mbedtls_ctr_drbg_context sdrbg;
static mbedtls_ssl_ticket_context stkt;
static mbedtls_ssl_cache_context scache;

static int server_init(void)
{
    size_t n;
    uint8_t *p;
    side = 1;
    mbedtls_ssl_config_init(&sconf);
    mbedtls_x509_crt_init(&scert);
    mbedtls_pk_init(&skey);
    mbedtls_entropy_init(&sent);
    mbedtls_ctr_drbg_init(&sdrbg);
    mbedtls_ssl_ticket_init(&stkt);
    mbedtls_ssl_cache_init(&scache);
    if (mbedtls_entropy_add_source(&sent, test_entropy, NULL, 32, MBEDTLS_ENTROPY_SOURCE_STRONG) != 0 ||
        mbedtls_ctr_drbg_seed(&sdrbg, mbedtls_entropy_func, &sent, NULL, 0) != 0)
        return -1;
    p = slurp("server.pem", &n);
    if (mbedtls_x509_crt_parse(&scert, p, n) != 0) return -2;
    p = slurp("server.key", &n);
#if MBEDTLS_VERSION_MAJOR >= 3
    if (mbedtls_pk_parse_key(&skey, p, n, NULL, 0, mbedtls_ctr_drbg_random, &sdrbg) != 0) return -3;
#else
    if (mbedtls_pk_parse_key(&skey, p, n, NULL, 0) != 0) return -3;
#endif
    if (mbedtls_ssl_config_defaults(&sconf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -4;
    mbedtls_ssl_conf_rng(&sconf, mbedtls_ctr_drbg_random, &sdrbg);
    if (mbedtls_ssl_conf_own_cert(&sconf, &scert, &skey) != 0) return -5;
    if (mbedtls_ssl_ticket_setup(&stkt, mbedtls_ctr_drbg_random, &sdrbg, MBEDTLS_CIPHER_AES_128_GCM, 86400) != 0)
        return -6;
    mbedtls_ssl_conf_session_tickets_cb(&sconf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse, &stkt);
    mbedtls_ssl_conf_session_cache(&sconf, &scache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    side = 0;
    return 0;
}

/* ---- one handshake: the client's instructions, the wire, the pool ---- */
typedef struct {
    uint64_t instructions;
    size_t out, in, pool;
    unsigned resumption;
    int32_t status;
} hs_t;

static hs_t handshake(bmqtt_tls_t *cli)
{
    hs_t r;
    int sdone = 0, sret = 0, guard = 0;
    uint64_t t = 0, t0;
    memset(&r, 0, sizeof r);
    side = 1;
    mbedtls_ssl_init(&sssl);
    (void)mbedtls_ssl_setup(&sssl, &sconf);
    mbedtls_ssl_set_bio(&sssl, NULL, srv_send, srv_recv, NULL);
    side = 0;
    c2s.total = s2c.total = 0;
    c2s.n = s2c.n = 0;
    peak_restart();
    for (;;) {
        side = 0;
        t0 = now_ticks();
        r.status = bmqtt_tls_handshake(cli);
        t += now_ticks() - t0;
        if (!sdone) {
            side = 1;
            sret = mbedtls_ssl_handshake(&sssl);
            side = 0;
            if (sret == 0) sdone = 1;
            else if (sret != MBEDTLS_ERR_SSL_WANT_READ && sret != MBEDTLS_ERR_SSL_WANT_WRITE) break;
        }
        if (r.status != BMQTT_WOULD_BLOCK && sdone) break;
        if (r.status != BMQTT_WOULD_BLOCK && r.status != BMQTT_OK) break;
        if (++guard > 200) break;
    }
    r.instructions = instr(t); /* the SysTick reads around each call count too: a few dozen per call */
    r.out = c2s.total;
    r.in = s2c.total;
    r.pool = peak32[0];
    r.resumption = bmqtt_tls_resumption(cli);
    if (sret != 0) printf("tls-bench: server handshake -0x%04x\n", (unsigned)-sret);
    side = 1;
    mbedtls_ssl_free(&sssl);
    side = 0;
    return r;
}

static int failures;
static void row(const char *what, const hs_t *h, unsigned want, uint64_t full)
{
    printf("| %s | %llu | %lu | %lu | %lu |\n", what, (unsigned long long)h->instructions, (unsigned long)h->out,
           (unsigned long)h->in, (unsigned long)h->pool);
    if (full != 0) {
        printf("tls-bench: %s: %llu.%01llu times fewer instructions than the full one\n", what,
               (unsigned long long)(full / h->instructions),
               (unsigned long long)(full * 10u / h->instructions % 10u));
    }
    if (h->status != BMQTT_OK || h->resumption != want) {
        printf("tls-bench: FAIL %s: status %d, resumption %u (want %u)\n", what, (int)h->status, h->resumption, want);
        failures++;
    }
}

int main(void)
{
    static bmqtt_tls_t cli, cli_id;
    bmqtt_tls_config_t cfg;
    bmqtt_transport_t lower = { cli_send, cli_recv, NULL, NULL };
    static uint8_t saved[2048];
    size_t ca_len, saved_len = 0;
    uint8_t *ca;
    uint64_t t0, setup_i, offer_i, full_i;
    hs_t full, tkt, full2, sid, loaded;

    clock_start();
    {
        uint64_t base = ticks_of(empty), cal = ticks_of(calib) - base;
        ipt_milli = cal != 0 ? 100001u * 1000u / cal : 40000u;
        printf("tls-bench: calibration %llu.%03llu instructions per SysTick tick\n",
               (unsigned long long)(ipt_milli / 1000u), (unsigned long long)(ipt_milli % 1000u));
    }
    wall = (int64_t)time(NULL);
    mbedtls_platform_set_calloc_free(count_calloc, count_free);
    printf("tls-bench: mbedTLS %s, bmqtt_mbedtls_config.h (+ server parts), Cortex-M4\n", MBEDTLS_VERSION_STRING);
    if (server_init() != 0) {
        printf("tls-bench: FAIL server setup\n");
        return 1;
    }
    ca = slurp("ca.pem", &ca_len);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "localhost";
    cfg.ca = ca;
    cfg.ca_len = ca_len;
    cfg.entropy = test_entropy;
    cfg.now = wall_now;
    cfg.alpn[0] = NULL;

    /* Client 1: tickets. Setup (CA parse, DRBG seed), full, reset, resumed by ticket. */
    bmqtt_tls_init(&cli);
    t0 = now_ticks();
    if (bmqtt_tls_setup(&cli, &cfg, &lower) != BMQTT_OK) {
        printf("tls-bench: FAIL client setup\n");
        return 1;
    }
    setup_i = instr(now_ticks() - t0);
    printf("| handshake, mbedTLS %s (client side) | instructions | bytes out | bytes in | pool peak (B) |\n",
           MBEDTLS_VERSION_STRING);
    printf("| --- | ---: | ---: | ---: | ---: |\n");
    full = handshake(&cli);
    full_i = full.instructions;
    row("full: ECDHE-ECDSA P-256, AES-128-GCM, server certificate verified", &full, BMQTT_TLS_RESUME_NONE, 0);
    (void)bmqtt_tls_session_save(&cli, saved, sizeof saved, &saved_len);
    (void)bmqtt_tls_reset(&cli);
    tkt = handshake(&cli);
    row("resumed by session ticket (RFC 5077)", &tkt, BMQTT_TLS_RESUME_OK, full_i);
    bmqtt_tls_free(&cli); /* each row counts one client's memory */

    /* Client 2: no tickets, the server's session cache. */
    cfg.no_tickets = 1;
    bmqtt_tls_init(&cli_id);
    if (bmqtt_tls_setup(&cli_id, &cfg, &lower) != BMQTT_OK) return 1;
    full2 = handshake(&cli_id);
    row("full, without tickets", &full2, BMQTT_TLS_RESUME_NONE, 0);
    (void)bmqtt_tls_reset(&cli_id);
    sid = handshake(&cli_id);
    row("resumed by session id", &sid, BMQTT_TLS_RESUME_OK, full2.instructions);
    bmqtt_tls_free(&cli_id);

    /* After a reset: a new context offers the saved bytes of client 1's first session. */
    cfg.no_tickets = 0;
    bmqtt_tls_init(&cli);
    if (bmqtt_tls_setup(&cli, &cfg, &lower) != BMQTT_OK) return 1;
    t0 = now_ticks();
    if (bmqtt_tls_session_offer(&cli, saved, saved_len) != BMQTT_OK) {
        printf("tls-bench: FAIL offer of the saved session\n");
        failures++;
    }
    offer_i = instr(now_ticks() - t0);
    loaded = handshake(&cli);
    row("resumed by ticket from saved bytes (after a reset)", &loaded, BMQTT_TLS_RESUME_OK, full_i);
    bmqtt_tls_free(&cli);

    printf("tls-bench: client setup (CA parse, DRBG seed) %llu instructions; saved session %lu B; "
           "bmqtt_tls_session_offer() %llu instructions\n",
           (unsigned long long)setup_i, (unsigned long)saved_len, (unsigned long long)offer_i);
    printf("tls-bench: client memory after bmqtt_tls_free(): %lu B in %lu blocks\n", (unsigned long)live[0],
           (unsigned long)blocks[0]);
    if (live[0] != 0) failures++;
    printf("tls-bench: %s\n", failures ? "FAIL" : "OK");
    return failures ? 1 : 0;
}
