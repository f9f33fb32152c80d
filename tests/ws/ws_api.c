/* `ws_test api`: bmqtt_ws_setup's argument checks, the handshake against RFC 6455's
 * own example (section 1.3: key "dGhlIHNhbXBsZSBub25jZQ==" -> accept
 * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), and the send path over a scripted lower
 * transport that takes a few bytes per call or none: every frame header is
 * written once, lengths are minimal, every frame has its own mask, the
 * caller's bytes are never modified, and a ping answered mid-frame waits for
 * the frame's end. The real peers are in tests/ws/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt_ws.h"
#include "cli_url.h"

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; printf("FAIL api %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* Scripted lower transport: input bytes to give, output collected; `take` bytes per send (0: block). */
static struct {
    uint8_t out[300000];
    size_t out_len;
    const uint8_t *in;
    size_t in_len, in_pos;
    unsigned calls, take_max;
    int eof; /* 1: the end of the input is the end of the stream (else: would block) */
} lw;

static int32_t lw_send(void *ctx, const uint8_t *b, size_t n)
{
    size_t k;
    (void)ctx;
    lw.calls++;
    k = lw.take_max ? 1u + lw.calls % lw.take_max : n;
    if (lw.take_max && lw.calls % 3u == 0u) return BMQTT_WOULD_BLOCK;
    if (k > n) k = n;
    if (lw.out_len + k > sizeof lw.out) return BMQTT_ERR_TRANSPORT;
    memcpy(lw.out + lw.out_len, b, k);
    lw.out_len += k;
    return (int32_t)k;
}

static int32_t lw_recv(void *ctx, uint8_t *b, size_t n)
{
    size_t k = lw.in_len - lw.in_pos;
    (void)ctx;
    if (k == 0) return lw.eof ? BMQTT_ERR_CLOSED : BMQTT_WOULD_BLOCK;
    if (k > n) k = n;
    if (lw.take_max && k > 3) k = 3;
    memcpy(b, lw.in + lw.in_pos, k);
    lw.in_pos += k;
    return (int32_t)k;
}

static unsigned char nonce_next;
/* The handshake key is RFC 6455's example nonce; masking keys count up. */
static int fixed_random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    if (len == 16) memcpy(out, "the sample nonce", 16);
    else for (size_t i = 0; i < len; i++) out[i] = nonce_next++;
    return 0;
}

static const char response[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";

static uint8_t tx[200], rx[512];
static bmqtt_ws_config_t cfg;
static bmqtt_ws_t ws;
static bmqtt_transport_t lower = { lw_send, lw_recv, NULL, NULL };

static void fresh(const uint8_t *in, size_t in_len, unsigned take_max)
{
    memset(&lw, 0, sizeof lw);
    lw.in = in;
    lw.in_len = in_len;
    lw.take_max = take_max;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "example.com";
    cfg.port = 8080;
    cfg.path = "/mqtt";
    cfg.tx_buf = tx;
    cfg.tx_size = sizeof tx;
    cfg.rx_buf = rx;
    cfg.rx_size = sizeof rx;
    cfg.random = fixed_random;
    cfg.crypto = &bmqtt_ws_crypto_mbedtls;
    bmqtt_ws_init(&ws);
}

static void setup_checks(void)
{
    fresh(NULL, 0, 0);
    CHECK(bmqtt_ws_setup(NULL, &cfg, &lower) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_ws_setup(&ws, NULL, &lower) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_ws_setup(&ws, &cfg, NULL) == BMQTT_ERR_PARAM);
    cfg.host = "";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.host = "bad host";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.host = "example.com";
    cfg.path = "mqtt";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.path = "/a b";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.path = "/mqtt";
    cfg.extra_headers = "Origin: x";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.extra_headers = "Origin: x\n";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.extra_headers = "Origin: x\r\n\r\nGET / HTTP/1.1\r\n";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.extra_headers = NULL;
    cfg.tx_size = BMQTT_WS_TX_MIN - 1;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.tx_size = sizeof tx;
    cfg.random = NULL;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.random = fixed_random;
    cfg.crypto = NULL;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM);
    cfg.crypto = &bmqtt_ws_crypto_mbedtls;
    cfg.rx_size = 100;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_BUFFER_TOO_SMALL);
    cfg.rx_size = sizeof rx;
    CHECK(bmqtt_ws_send(&ws, (const uint8_t *)"x", 1) == BMQTT_ERR_PARAM); /* never set up */
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM); /* twice */
    CHECK(bmqtt_ws_send(&ws, NULL, 1) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_ws_recv(&ws, NULL, 1) == BMQTT_ERR_PARAM);
    CHECK(bmqtt_ws_send(NULL, (const uint8_t *)"x", 1) == BMQTT_ERR_PARAM);
    CHECK(strcmp(bmqtt_status_str(BMQTT_ERR_WS_ACCEPT), "WebSocket handshake: bad Sec-WebSocket-Accept") == 0);
    CHECK(strcmp(bmqtt_status_str(BMQTT_ERR_WS_TEXT), "WebSocket: text frame (MQTT needs binary)") == 0);
}

/* RFC 6455 section 1.3's key and accept value; the request byte for byte. */
static void handshake_example(void)
{
    static const char want[] = "GET /mqtt HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\nOrigin: http://x\r\n\r\n";
    int32_t r;
    int n = 0;
    fresh((const uint8_t *)response, sizeof response - 1, 5);
    cfg.extra_headers = "Origin: http://x\r\n";
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    while ((r = bmqtt_ws_handshake(&ws)) == BMQTT_WOULD_BLOCK && n++ < 10000) {
    }
    CHECK(r == BMQTT_OK);
    CHECK(lw.out_len == sizeof want - 1 && memcmp(lw.out, want, sizeof want - 1) == 0);
    CHECK(bmqtt_ws_http_status(&ws) == 101 && bmqtt_ws_is_open(&ws));
}

/* Send len bytes through a lower transport taking 1..take bytes or none, then parse what came out. */
static void send_path(size_t len, unsigned take, uint32_t max_frame)
{
    static uint8_t data[140000], copy[140000], got[140000];
    size_t sent = 0, off = 0, pos = 0, frames = 0;
    uint8_t last_mask[4] = { 0, 0, 0, 0 };
    int guard = 0;
    for (size_t i = 0; i < len; i++) data[i] = (uint8_t)(i * 13u + 5u);
    memcpy(copy, data, len);
    fresh((const uint8_t *)response, sizeof response - 1, take);
    cfg.max_send_frame = max_frame;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    while (bmqtt_ws_handshake(&ws) == BMQTT_WOULD_BLOCK && guard++ < 100000) {
    }
    off = lw.out_len; /* the request */
    while ((sent < len || bmqtt_ws_tx_pending(&ws)) && guard++ < 2000000) {
        /* the client's way: send again with what is left (nothing left: recv flushes) */
        int32_t r = sent < len ? bmqtt_ws_send(&ws, data + sent, len - sent) : bmqtt_ws_recv(&ws, got, 1);
        if (r > 0 && sent < len) sent += (size_t)r;
        else if (r != BMQTT_WOULD_BLOCK) { CHECK(r == BMQTT_WOULD_BLOCK); break; }
    }
    CHECK(sent == len);
    CHECK(memcmp(copy, data, len) == 0); /* the caller's buffer is not modified */
    /* Parse client frames: FIN + binary, mask bit, minimal length, fresh key. */
    while (off < lw.out_len) {
        const uint8_t *h = lw.out + off;
        size_t plen = h[1] & 0x7Fu, hl = 2;
        CHECK(h[0] == 0x82);
        CHECK(h[1] & 0x80);
        if (plen == 126) { plen = (size_t)h[2] << 8 | h[3]; hl = 4; CHECK(plen >= 126); }
        else if (plen == 127) {
            plen = 0;
            for (int k = 0; k < 8; k++) plen = plen << 8 | h[2 + k];
            hl = 10;
            CHECK(plen > 0xFFFF);
        }
        CHECK(frames == 0 || memcmp(last_mask, h + hl, 4) != 0);
        memcpy(last_mask, h + hl, 4);
        hl += 4;
        if (off + hl + plen > lw.out_len) { CHECK(!"frame runs past the output"); break; }
        for (size_t k = 0; k < plen; k++) got[pos + k] = (uint8_t)(lw.out[off + hl + k] ^ last_mask[k & 3]);
        pos += plen;
        off += hl + plen;
        frames++;
        if (max_frame) CHECK(plen <= max_frame);
    }
    CHECK(pos == len && memcmp(got, data, len) == 0);
    if (len && !max_frame) CHECK(frames >= 1);
}

/* A ping arriving while a data frame is half written: its pong follows the frame. */
static void pong_after_frame(void)
{
    static uint8_t in[sizeof response - 1 + 7];
    uint8_t data[1000];
    uint8_t b[4];
    size_t sent = 0;
    int guard = 0;
    memcpy(in, response, sizeof response - 1);
    memcpy(in + sizeof response - 1, "\x89\x05hello", 7);
    memset(data, 0xA5, sizeof data);
    fresh(in, sizeof response - 1, 4); /* the ping is held back until the frame starts */
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    while (bmqtt_ws_handshake(&ws) == BMQTT_WOULD_BLOCK && guard++ < 10000) {
    }
    size_t req = lw.out_len;
    while (sent < 300 && guard++ < 100000) {
        int32_t r = bmqtt_ws_send(&ws, data, sizeof data);
        if (r > 0) sent += (size_t)r;
    }
    lw.in_len = sizeof in; /* now the ping */
    while (lw.in_pos < lw.in_len && guard++ < 100000) (void)bmqtt_ws_recv(&ws, b, sizeof b);
    while (sent < sizeof data && guard++ < 100000) {
        int32_t r = bmqtt_ws_send(&ws, data + sent, sizeof data - sent);
        if (r > 0) sent += (size_t)r;
    }
    while (bmqtt_ws_tx_pending(&ws) && guard++ < 100000) (void)bmqtt_ws_recv(&ws, b, sizeof b);
    /* request, then one 1000-byte frame (2+2+4 header), then the pong */
    CHECK(lw.out_len == req + 8 + 1000 + 2 + 4 + 5);
    CHECK(lw.out[req] == 0x82 && lw.out[req + 1] == (0x80 | 126));
    const uint8_t *p = lw.out + req + 1008;
    CHECK(p[0] == 0x8A && p[1] == (0x80 | 5));
    for (int k = 0; k < 5; k++) CHECK((uint8_t)(p[6 + k] ^ p[2 + (k & 3)]) == (uint8_t)"hello"[k]);
}

/* The command line's URL form (examples/posix/cli_url.c). */
static void url_checks(void)
{
    cli_url_t u;
    char err[128];
    CHECK(cli_url_parse("ws://broker.example:8080/mqtt", &u, err, sizeof err) == 0 && u.scheme == CLI_URL_WS &&
          strcmp(u.host, "broker.example") == 0 && u.port == 8080 && u.port_given && strcmp(u.path, "/mqtt") == 0);
    CHECK(cli_url_parse("wss://h", &u, err, sizeof err) == 0 && u.scheme == CLI_URL_WSS && u.port == 443 &&
          !u.port_given && strcmp(u.path, "/mqtt") == 0);
    CHECK(cli_url_parse("ws://h/ws", &u, err, sizeof err) == 0 && u.port == 80 && strcmp(u.path, "/ws") == 0);
    CHECK(cli_url_parse("mqtt://h", &u, err, sizeof err) == 0 && u.scheme == CLI_URL_MQTT && u.port == 1883);
    CHECK(cli_url_parse("mqtts://h:1", &u, err, sizeof err) == 0 && u.scheme == CLI_URL_MQTTS && u.port == 1);
    CHECK(cli_url_parse("ws://al%40ice:p%3Aw@[::1]:9001/a?b=c#frag", &u, err, sizeof err) == 0 &&
          strcmp(u.user, "al@ice") == 0 && strcmp(u.password, "p:w") == 0 && strcmp(u.host, "::1") == 0 &&
          u.port == 9001 && strcmp(u.path, "/a?b=c") == 0);
    CHECK(cli_url_parse("ws://u@h", &u, err, sizeof err) == 0 && u.has_user && !u.has_password);
    CHECK(cli_url_parse("http://h", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("h:1883", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://h:0/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://h:65536/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://h:x/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://:80/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://[::1/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("mqtt://h/a/b", &u, err, sizeof err) == 0 && u.has_topic && strcmp(u.topic, "a/b") == 0);
    CHECK(cli_url_parse("mqtt://h/", &u, err, sizeof err) == 0 && !u.has_topic);
    CHECK(cli_url_parse("ws://u%4@h/", &u, err, sizeof err) == -1);
    CHECK(cli_url_parse("ws://h/a b", &u, err, sizeof err) == -1);
}

/* Run the handshake over a scripted answer; the status it ends with. */
static int32_t handshake_with(const char *answer, size_t len)
{
    int32_t r;
    int n = 0;
    fresh((const uint8_t *)answer, len, 0);
    lw.eof = 1;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    while ((r = bmqtt_ws_handshake(&ws)) == BMQTT_WOULD_BLOCK && n++ < 1000) lw.in_len = len;
    return r;
}

#define ACC "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
#define UPG "Upgrade: websocket\r\nConnection: Upgrade\r\n"
#define PRO "Sec-WebSocket-Protocol: mqtt\r\n"

/* Malformed answers the hostile server does not send, each with its status (RFC 6455 section 4.1). */
static void response_checks(void)
{
    static const struct { const char *answer; int32_t want; } t[] = {
        { "HTTP/1.1 101 OK\r\n" UPG ACC PRO "\r\n", BMQTT_OK },
        { "HTTP/1.1 101\r\n" UPG ACC PRO "\r\n", BMQTT_OK },                       /* no reason phrase */
        { "HTTP/1.1 101 OK\r\n" UPG "Sec-WebSocket-Accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \t\r\n" PRO "\r\n", BMQTT_OK },
        { "HTTP/1.1 101 OK\r\nUpgrade: h2c, websocket \r\nConnection: , upgrade\r\n" ACC PRO "\r\n", BMQTT_OK },
        { "HTTP/1.1 101 OK\r\n" UPG ACC PRO "Sec-WebSocket-Extensions:\r\n\r\n", BMQTT_OK }, /* empty: none */
        { "HTTX/1.1 101 OK\r\n" UPG ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 1O1 OK\r\n" UPG ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 O\nK\r\n" UPG ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },      /* bare LF */
        { "HTTP/1.1 101 OK\r\n" UPG "Bad Name: x\r\n" ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 OK\r\n" UPG "NoColon\r\n" ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 OK\r\n" UPG ": x\r\n" ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 OK\r\n" UPG "X: a\rb\r\n" ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE }, /* bare CR */
        { "HTTP/1.1 101 OK\r\nUpgrade: websocketx\r\nConnection: Upgrade\r\n" ACC PRO "\r\n",
          BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: close\r\n" ACC PRO "\r\n", BMQTT_ERR_WS_BAD_RESPONSE },
        { "HTTP/1.1 101 OK\r\n" UPG "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n" PRO "\r\n",
          BMQTT_ERR_WS_ACCEPT },
        { "HTTP/1.1 101 OK\r\n" UPG "sec-websocket-accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" PRO "\r\n",
          BMQTT_ERR_WS_ACCEPT },                                                       /* base64 is case-sensitive */
        { "HTTP/1.1 101 OK\r\n" UPG ACC "Sec-WebSocket-Protocol: MQTT\r\n\r\n", BMQTT_ERR_WS_SUBPROTOCOL },
        { "HTTP/1.1 101 OK\r\n" UPG ACC PRO PRO "\r\n", BMQTT_ERR_WS_SUBPROTOCOL },       /* twice */
        { "HTTP/1.1 200 OK\r\n\r\n", BMQTT_ERR_WS_HTTP_STATUS },
        { "HTTP/1.1 101 OK\r\n" UPG ACC PRO, BMQTT_ERR_WS_TRUNCATED },                   /* ends before the blank line */
        { "", BMQTT_ERR_CLOSED },                                                        /* closed without a byte */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int32_t r = handshake_with(t[i].answer, strlen(t[i].answer));
        if (r != t[i].want) printf("    answer %zu: %d, want %d\n", i, (int)r, (int)t[i].want);
        CHECK(r == t[i].want);
        CHECK(bmqtt_ws_handshake(&ws) == r); /* sticky */
    }
}

/* The hooks and the lower transport failing, or lying. */
static int fail_random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    (void)out;
    return len == 16 ? -1 : 0;
}
static int fail_mask_random(void *ctx, unsigned char *out, size_t len)
{
    return len == 4 ? -1 : fixed_random(ctx, out, len);
}
static int fail_sha1(const unsigned char *in, size_t len, unsigned char out[20])
{
    (void)in;
    (void)len;
    (void)out;
    return -1;
}
static int32_t liar_recv(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    return (int32_t)n + 1;
}
static int32_t liar_send(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    return (int32_t)n + 1;
}
static int32_t broken_recv(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    return BMQTT_ERR_TRANSPORT;
}

static void fault_checks(void)
{
    static const bmqtt_ws_crypto_t bad_crypto = { fail_sha1, NULL };
    bmqtt_ws_crypto_t crypto = bmqtt_ws_crypto_mbedtls;
    bmqtt_transport_t lie = { liar_send, lw_recv, NULL, NULL };
    bmqtt_transport_t lie_rx = { lw_send, liar_recv, NULL, NULL };
    bmqtt_transport_t broken = { lw_send, broken_recv, NULL, NULL };
    uint8_t b[8];

    fresh(NULL, 0, 0);
    cfg.random = fail_random;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    CHECK(bmqtt_ws_handshake(&ws) == BMQTT_ERR_WS_RANDOM && lw.out_len == 0);

    fresh((const uint8_t *)response, sizeof response - 1, 0);
    cfg.random = fail_mask_random;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    CHECK(bmqtt_ws_handshake(&ws) == BMQTT_OK);
    CHECK(bmqtt_ws_send(&ws, (const uint8_t *)"ab", 2) == BMQTT_ERR_WS_RANDOM);
    CHECK(bmqtt_ws_recv(&ws, b, sizeof b) == BMQTT_ERR_WS_RANDOM);

    fresh(NULL, 0, 0);
    crypto.sha1 = fail_sha1;
    cfg.crypto = &crypto;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    CHECK(bmqtt_ws_handshake(&ws) == BMQTT_ERR_WS_CRYPTO && lw.out_len == 0);
    fresh(NULL, 0, 0);
    cfg.crypto = &bad_crypto;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_ERR_PARAM); /* no base64 */

    /* A lower transport that claims more than it was given is a clean error, never a memmove. */
    fresh(NULL, 0, 0);
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lie) == BMQTT_OK);
    CHECK(bmqtt_ws_handshake(&ws) == BMQTT_ERR_TRANSPORT);
    fresh(NULL, 0, 0);
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lie_rx) == BMQTT_OK);
    CHECK(bmqtt_ws_recv(&ws, b, sizeof b) == BMQTT_ERR_TRANSPORT);
    fresh(NULL, 0, 0);
    CHECK(bmqtt_ws_setup(&ws, &cfg, &broken) == BMQTT_OK);
    CHECK(bmqtt_ws_recv(&ws, b, sizeof b) == BMQTT_ERR_TRANSPORT);

    /* Zero-length calls, close, reset, and calls on a context never set up. */
    fresh((const uint8_t *)response, sizeof response - 1, 0);
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    CHECK(bmqtt_ws_handshake(&ws) == BMQTT_OK);
    CHECK(bmqtt_ws_send(&ws, b, 0) == 0 && bmqtt_ws_recv(&ws, b, 0) == 0);
    bmqtt_ws_close(&ws);
    bmqtt_ws_close(&ws);
    CHECK(bmqtt_ws_send(&ws, b, 1) == BMQTT_ERR_CLOSED && bmqtt_ws_recv(&ws, b, 1) == BMQTT_ERR_CLOSED);
    /* the close frame: 0x88, masked, 2 bytes, code 1000 */
    CHECK(lw.out_len >= 8 && lw.out[lw.out_len - 8] == 0x88 && lw.out[lw.out_len - 7] == 0x82);
    CHECK((lw.out[lw.out_len - 2] ^ lw.out[lw.out_len - 6]) == 0x03 &&
          (lw.out[lw.out_len - 1] ^ lw.out[lw.out_len - 5]) == 0xE8);
    CHECK(bmqtt_ws_reset(&ws) == BMQTT_OK && !bmqtt_ws_is_open(&ws));
    {
        bmqtt_ws_t zero;
        bmqtt_transport_t t;
        memset(&zero, 0, sizeof zero);
        CHECK(bmqtt_ws_reset(&zero) == BMQTT_ERR_PARAM);
        CHECK(bmqtt_ws_handshake(&zero) == BMQTT_ERR_PARAM && bmqtt_ws_handshake(NULL) == BMQTT_ERR_PARAM);
        bmqtt_ws_close(&zero);
        bmqtt_ws_close(NULL);
        bmqtt_ws_transport(&zero, NULL);
        bmqtt_ws_transport(&zero, &t);
        CHECK(t.send == bmqtt_ws_send && t.recv == bmqtt_ws_recv && t.close == bmqtt_ws_close && t.ctx == &zero);
        CHECK(!bmqtt_ws_pending(NULL) && !bmqtt_ws_tx_pending(NULL) && bmqtt_ws_http_status(NULL) == 0 &&
              bmqtt_ws_close_code(NULL) == 0 && !bmqtt_ws_is_open(NULL));
    }
}

/* An IPv6 literal gets its brackets in Host (RFC 3986 section 3.2.2). */
static void ipv6_host(void)
{
    fresh(NULL, 0, 0);
    cfg.host = "::1";
    cfg.port = 0;
    cfg.path = NULL;
    CHECK(bmqtt_ws_setup(&ws, &cfg, &lower) == BMQTT_OK);
    (void)bmqtt_ws_handshake(&ws);
    static const char want[] = "GET / HTTP/1.1\r\nHost: [::1]\r\nUpgrade: websocket\r\n";
    CHECK(lw.out_len > sizeof want && memcmp(lw.out, want, sizeof want - 1) == 0);
}

int api_checks(void);
int api_checks(void)
{
    static const size_t sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 70001 };
    setup_checks();
    url_checks();
    handshake_example();
    response_checks();
    fault_checks();
    ipv6_host();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        send_path(sizes[i], 0, 0);
        send_path(sizes[i], 7, 0);
        send_path(sizes[i], 2, 0);
        send_path(sizes[i], 7, 1000);
    }
    send_path(131072, 13, 0);
    pong_after_frame();
    printf("%s api: %d failures\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
