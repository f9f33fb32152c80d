/*
 * bmqtt WebSocket port: the opening handshake (RFC 6455 section 4) and the
 * configuration it needs. bmqtt_ws_setup() checks the host, path and extra
 * header lines; the first call on the connection builds the HTTP Upgrade
 * request with a fresh key, sends it, and reads the answer into rx_buf until
 * its blank line, where every header line is checked and the accept value
 * compared. A file of its own because it is text handling that ends once the
 * connection is open, apart from the framing of bmqtt_ws.c; the two share
 * only what bmqtt_ws_internal.h declares (the lower transport calls, the
 * sticky failure, the handshake's states).
 */
#include "bmqtt_ws_internal.h"

#include <string.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* ------------------------------------------------------------------------ */
/* Header text                                                              */
/* ------------------------------------------------------------------------ */

static uint8_t lower_ascii(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Case-insensitive compare of p[0..n) with the NUL-terminated lower-case @p lit. */
static int ieq(const uint8_t *p, size_t n, const char *lit)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        if (lit[i] == '\0' || lower_ascii(p[i]) != (uint8_t)lit[i]) {
            return 0;
        }
    }
    return lit[n] == '\0';
}

static int is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* 1 when the comma-separated token list p[0..n) holds @p token (case-insensitive). */
static int has_token(const uint8_t *p, size_t n, const char *token)
{
    size_t i = 0u;
    while (i < n) {
        size_t s;
        size_t e;
        while (i < n && (is_ows(p[i]) || p[i] == ',')) {
            i++;
        }
        s = i;
        while (i < n && p[i] != ',') {
            i++;
        }
        e = i;
        while (e > s && is_ows(p[e - 1u])) {
            e--;
        }
        if (e > s && ieq(p + s, e - s, token)) {
            return 1;
        }
    }
    return 0;
}

/* Host and path bytes: printable ASCII without space (and no 8-bit bytes). */
static int printable(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((uint8_t)*s <= 0x20u || (uint8_t)*s >= 0x7Fu) {
            return 0;
        }
    }
    return 1;
}

/* Whole header lines: non-empty, "\r\n" only as line ends, no blank line, no other control character. */
static int header_lines_ok(const char *s)
{
    size_t i;
    size_t line = 0u;
    for (i = 0u; s[i] != '\0'; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '\r') {
            if (s[i + 1u] != '\n' || line == 0u) {
                return 0;
            }
            i++;
            line = 0u;
            continue;
        }
        if ((c < 0x20u && c != '\t') || c == 0x7Fu) {
            return 0; /* includes a bare LF */
        }
        line++;
    }
    return i > 0u && line == 0u;
}

/* ------------------------------------------------------------------------ */
/* Opening handshake                                                        */
/* ------------------------------------------------------------------------ */

static size_t put(uint8_t *dst, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (dst != NULL) {
        memcpy(dst + at, s, n);
    }
    return at + n;
}

/* The request, or (dst NULL) its length. @p key is 24 base64 characters. */
static size_t request_build(const bmqtt_ws_config_t *cfg, uint8_t *dst, const char *key)
{
    char port[8];
    size_t n = 0u;
    int v6 = strchr(cfg->host, ':') != NULL && cfg->host[0] != '[';
    n = put(dst, n, "GET ");
    n = put(dst, n, cfg->path != NULL ? cfg->path : "/");
    n = put(dst, n, " HTTP/1.1\r\nHost: ");
    if (v6) {
        n = put(dst, n, "[");
    }
    n = put(dst, n, cfg->host);
    if (v6) {
        n = put(dst, n, "]");
    }
    if (cfg->port != 0u) {
        uint16_t p = cfg->port;
        size_t i = sizeof port - 1u;
        port[i] = '\0';
        do {
            port[--i] = (char)('0' + p % 10u);
            p = (uint16_t)(p / 10u);
        } while (p != 0u);
        port[--i] = ':';
        n = put(dst, n, port + i);
    }
    n = put(dst, n, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    n = put(dst, n, key);
    n = put(dst, n, "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n");
    if (cfg->extra_headers != NULL) {
        n = put(dst, n, cfg->extra_headers);
    }
    return put(dst, n, "\r\n");
}

/* A fresh key, the accept value it calls for, and the request in rx_buf.
 * tx_buf (unused until the handshake is over, >= 131 bytes) is the scratch
 * space, which keeps these 128 bytes off the stack:
 * key text [0, 25) | raw key [32, 48) | key + GUID [48, 108), later the accept | digest [108, 128). */
static int32_t request_start(bmqtt_ws_t *ws)
{
    const bmqtt_ws_crypto_t *cr = ws->cfg->crypto;
    uint8_t *key = ws->cfg->tx_buf;
    uint8_t *raw = key + 32;
    uint8_t *text = key + 48;
    uint8_t *digest = key + 108;
    size_t olen = 0u;

    if (ws->cfg->random(ws->cfg->random_ctx, raw, 16u) != 0) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_RANDOM);
    }
    if (cr->base64(key, 25u, &olen, raw, 16u) != 0 || olen != 24u) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_CRYPTO);
    }
    key[24] = 0u;
    memcpy(text, key, 24u);
    memcpy(text + 24, ws_guid, sizeof ws_guid - 1u);
    if (cr->sha1(text, 24u + sizeof ws_guid - 1u, digest) != 0 ||
        cr->base64(text, 29u, &olen, digest, 20u) != 0 || olen != sizeof ws->accept) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_CRYPTO);
    }
    memcpy(ws->accept, text, sizeof ws->accept);
    ws->req_len = (uint32_t)request_build(ws->cfg, ws->cfg->rx_buf, (const char *)key);
    ws->req_off = 0u;
    ws->state = WS_ST_REQUEST;
    return (int32_t)BMQTT_OK;
}

enum { H_UPGRADE = 1u, H_CONNECTION = 2u, H_ACCEPT_OK = 4u, H_ACCEPT_BAD = 8u, H_PROTO_OK = 16u,
       H_PROTO_BAD = 32u, H_EXTENSION = 64u };

/* One header line p[0..n) (no CRLF): what it tells. 0, or BMQTT_ERR_WS_BAD_RESPONSE. */
static int32_t header_line(bmqtt_ws_t *ws, const uint8_t *p, size_t n, unsigned *seen)
{
    size_t colon = 0u;
    size_t vs;
    size_t ve;
    size_t i;
    if (n == 0u || is_ows(p[0])) {
        return (int32_t)BMQTT_ERR_WS_BAD_RESPONSE; /* obs-fold */
    }
    while (colon < n && p[colon] != ':') {
        uint8_t c = p[colon];
        if (c <= 0x20u || c >= 0x7Fu) {
            return (int32_t)BMQTT_ERR_WS_BAD_RESPONSE; /* not a token character */
        }
        colon++;
    }
    if (colon == n || colon == 0u) {
        return (int32_t)BMQTT_ERR_WS_BAD_RESPONSE;
    }
    for (i = colon + 1u; i < n; i++) {
        if ((p[i] < 0x20u && p[i] != '\t') || p[i] == 0x7Fu) {
            return (int32_t)BMQTT_ERR_WS_BAD_RESPONSE; /* a bare CR or LF, or another control */
        }
    }
    vs = colon + 1u;
    ve = n;
    while (vs < ve && is_ows(p[vs])) {
        vs++;
    }
    while (ve > vs && is_ows(p[ve - 1u])) {
        ve--;
    }
    if (ieq(p, colon, "upgrade")) {
        if (has_token(p + vs, ve - vs, "websocket")) {
            *seen |= H_UPGRADE;
        }
    } else if (ieq(p, colon, "connection")) {
        if (has_token(p + vs, ve - vs, "upgrade")) {
            *seen |= H_CONNECTION;
        }
    } else if (ieq(p, colon, "sec-websocket-accept")) {
        if ((*seen & (H_ACCEPT_OK | H_ACCEPT_BAD)) == 0u && ve - vs == sizeof ws->accept &&
            memcmp(p + vs, ws->accept, sizeof ws->accept) == 0) {
            *seen |= H_ACCEPT_OK;
        } else {
            *seen = (*seen & ~(unsigned)H_ACCEPT_OK) | H_ACCEPT_BAD; /* wrong, or twice */
        }
    } else if (ieq(p, colon, "sec-websocket-protocol")) {
        if ((*seen & (H_PROTO_OK | H_PROTO_BAD)) == 0u && ve - vs == 4u && memcmp(p + vs, "mqtt", 4u) == 0) {
            *seen |= H_PROTO_OK;
        } else {
            *seen = (*seen & ~(unsigned)H_PROTO_OK) | H_PROTO_BAD;
        }
    } else if (ieq(p, colon, "sec-websocket-extensions")) {
        if (ve > vs) {
            *seen |= H_EXTENSION;
        }
    }
    return 0;
}

/* The whole answer, rx_buf[0..end) ending in CRLF CRLF: accept it or say why not. */
static int32_t response_check(bmqtt_ws_t *ws, uint32_t end)
{
    const uint8_t *p = ws->cfg->rx_buf;
    unsigned seen = 0u;
    uint32_t i = 0u;
    uint32_t code;
    /* Status line: HTTP/1.x SP 3DIGIT (SP reason) */
    if (end < 14u || memcmp(p, "HTTP/1.", 7u) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ' || p[9] < '0' ||
        p[9] > '9' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' || (p[12] != ' ' && p[12] != '\r')) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_BAD_RESPONSE);
    }
    code = (uint32_t)(p[9] - '0') * 100u + (uint32_t)(p[10] - '0') * 10u + (uint32_t)(p[11] - '0');
    ws->http_status = (uint16_t)code;
    if (code != 101u) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_HTTP_STATUS);
    }
    while (i + 1u < end && !(p[i] == '\r' && p[i + 1u] == '\n')) {
        if (p[i] == '\n' || (p[i] < 0x20u && p[i] != '\t' && p[i] != '\r')) {
            return ws_fail(ws, (int32_t)BMQTT_ERR_WS_BAD_RESPONSE);
        }
        i++;
    }
    i += 2u; /* past the status line's CRLF */
    while (i + 2u < end) { /* the last CRLF closes the header */
        uint32_t s = i;
        int32_t r;
        while (!(p[i] == '\r' && p[i + 1u] == '\n')) {
            i++; /* stops at the final CRLF CRLF at the latest */
        }
        r = header_line(ws, p + s, i - s, &seen);
        if (r != 0) {
            return ws_fail(ws, r);
        }
        i += 2u;
    }
    if ((seen & (H_UPGRADE | H_CONNECTION)) != (H_UPGRADE | H_CONNECTION)) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_BAD_RESPONSE);
    }
    if ((seen & (H_ACCEPT_OK | H_ACCEPT_BAD)) != H_ACCEPT_OK) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_ACCEPT);
    }
    if ((seen & H_EXTENSION) != 0u) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_EXTENSION);
    }
    if ((seen & H_PROTO_BAD) != 0u || ((seen & H_PROTO_OK) == 0u && ws->cfg->allow_no_subprotocol == 0u)) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_SUBPROTOCOL);
    }
    ws->state = WS_ST_OPEN;
    ws->opened = 1u;
    ws->rx_pos = end; /* what follows is the first frame */
    return (int32_t)BMQTT_OK;
}

/* Advance the handshake; BMQTT_OK once it is over. */
int32_t bmqtt_ws_step_(bmqtt_ws_t *ws)
{
    int32_t r;
    if (ws->status != 0) {
        return ws->status;
    }
    switch (ws->state) {
    case WS_ST_OPEN: return (int32_t)BMQTT_OK;
    case WS_ST_CLOSED: return (int32_t)BMQTT_ERR_CLOSED;
    case WS_ST_NEW: return (int32_t)BMQTT_ERR_PARAM;
    default: break;
    }
    if (ws->state == WS_ST_READY) {
        r = request_start(ws);
        if (r != (int32_t)BMQTT_OK) {
            return r;
        }
    }
    while (ws->state == WS_ST_REQUEST) {
        r = lower_send(ws, ws->cfg->rx_buf + ws->req_off, ws->req_len - ws->req_off);
        if (r < 0) {
            return r;
        }
        ws->req_off += (uint32_t)r;
        if (ws->req_off == ws->req_len) {
            ws->state = WS_ST_RESPONSE;
            ws->rx_len = ws->rx_pos = ws->scanned = 0u;
        }
    }
    for (;;) {
        uint32_t room = clamp32(ws->cfg->rx_size) - ws->rx_len;
        const uint8_t *p = ws->cfg->rx_buf;
        uint32_t i = ws->scanned > 3u ? ws->scanned - 3u : 0u;
        for (; i + 3u < ws->rx_len; i++) {
            if (p[i] == '\r' && p[i + 1u] == '\n' && p[i + 2u] == '\r' && p[i + 3u] == '\n') {
                return response_check(ws, i + 4u);
            }
        }
        ws->scanned = ws->rx_len;
        if (room == 0u) {
            return ws_fail(ws, (int32_t)BMQTT_ERR_WS_RESPONSE_TOO_LONG);
        }
        r = lower_recv(ws, ws->cfg->rx_buf + ws->rx_len, room);
        if (r == (int32_t)BMQTT_ERR_CLOSED) {
            return ws_fail(ws, ws->rx_len != 0u ? (int32_t)BMQTT_ERR_WS_TRUNCATED : r);
        }
        if (r < 0) {
            return r;
        }
        ws->rx_len += (uint32_t)r;
    }
}

/* ------------------------------------------------------------------------ */
/* Public API: setup and handshake                                          */
/* ------------------------------------------------------------------------ */

bmqtt_status_t bmqtt_ws_setup(bmqtt_ws_t *ws, const bmqtt_ws_config_t *cfg, const bmqtt_transport_t *lower)
{
    bmqtt_status_register(&bmqtt_ws_status_names_); /* also for a zeroed context that skipped bmqtt_ws_init() */
    if (ws == NULL || cfg == NULL || lower == NULL || lower->send == NULL || lower->recv == NULL ||
        ws->state != WS_ST_NEW) {
        return BMQTT_ERR_PARAM;
    }
    if (cfg->host == NULL || cfg->host[0] == '\0' || !printable(cfg->host) || cfg->random == NULL ||
        cfg->crypto == NULL || cfg->crypto->sha1 == NULL || cfg->crypto->base64 == NULL || cfg->tx_buf == NULL ||
        cfg->tx_size < BMQTT_WS_TX_MIN || cfg->rx_buf == NULL) {
        return BMQTT_ERR_PARAM;
    }
    if (cfg->path != NULL && (cfg->path[0] != '/' || !printable(cfg->path))) {
        return BMQTT_ERR_PARAM;
    }
    if (cfg->extra_headers != NULL && !header_lines_ok(cfg->extra_headers)) {
        return BMQTT_ERR_PARAM;
    }
    /* The request (24 key characters) and a whole control frame must fit. */
    if (request_build(cfg, NULL, "123456789012345678901234") > cfg->rx_size || cfg->rx_size < 16u) {
        return BMQTT_ERR_BUFFER_TOO_SMALL;
    }
    ws->lower = *lower;
    ws->cfg = cfg;
    ws->state = WS_ST_NEW;
    return bmqtt_ws_reset(ws);
}

bmqtt_status_t bmqtt_ws_handshake(bmqtt_ws_t *ws)
{
    if (ws == NULL) {
        return BMQTT_ERR_PARAM;
    }
    return (bmqtt_status_t)ws_step(ws);
}
