/* URL parsing and transport stacking for the command line (see cli_url.h). */
#include "cli_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

static int fail(char *err, size_t n, const char *why)
{
    if (err && n) snprintf(err, n, "%s", why);
    return -1;
}

/* Copy s[0..len) into dst (size cap) with %XX decoded; -1 when it does not fit or is bad. */
static int copy_part(char *dst, size_t cap, const char *s, size_t len, int decode)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (decode && c == '%') {
            char hex[3] = { 0, 0, 0 };
            char *end;
            if (i + 2 >= len) return -1;
            hex[0] = s[i + 1];
            hex[1] = s[i + 2];
            c = (char)strtol(hex, &end, 16);
            if (end != hex + 2 || c == '\0') return -1;
            i += 2;
        }
        if (o + 1 >= cap) return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return 0;
}

int cli_url_parse(const char *url, cli_url_t *u, char *err, size_t n)
{
    static const struct { const char *name; cli_url_scheme_t s; uint16_t port; } schemes[] = {
        { "mqtt", CLI_URL_MQTT, 1883 }, { "tcp", CLI_URL_MQTT, 1883 }, { "mqtts", CLI_URL_MQTTS, 8883 },
        { "ssl", CLI_URL_MQTTS, 8883 }, { "ws", CLI_URL_WS, 80 }, { "wss", CLI_URL_WSS, 443 },
    };
    const char *p, *sep, *auth_end, *host_end, *path;
    size_t i;

    if (url == NULL || u == NULL) return fail(err, n, "no URL");
    memset(u, 0, sizeof *u);
    sep = strstr(url, "://");
    if (sep == NULL) return fail(err, n, "no scheme (mqtt://, mqtts://, ws://, wss://)");
    for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        if (strlen(schemes[i].name) == (size_t)(sep - url) && strncasecmp(url, schemes[i].name, (size_t)(sep - url)) == 0) break;
    }
    if (i == sizeof schemes / sizeof schemes[0]) return fail(err, n, "unknown scheme (mqtt, mqtts, ws, wss)");
    u->scheme = schemes[i].s;
    u->port = schemes[i].port;
    p = sep + 3;

    path = p + strcspn(p, "/?#");
    /* user[:password]@ (the last '@' before the path) */
    auth_end = NULL;
    for (const char *q = p; q < path; q++) if (*q == '@') auth_end = q;
    if (auth_end) {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        size_t ulen = colon ? (size_t)(colon - p) : (size_t)(auth_end - p);
        if (copy_part(u->user, sizeof u->user, p, ulen, 1) != 0) return fail(err, n, "bad user name");
        u->has_user = 1;
        if (colon) {
            if (copy_part(u->password, sizeof u->password, colon + 1, (size_t)(auth_end - colon - 1), 1) != 0)
                return fail(err, n, "bad password");
            u->has_password = 1;
        }
        p = auth_end + 1;
    }
    /* host: [v6] or name, then :port */
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(path - p));
        if (rb == NULL) return fail(err, n, "unclosed [ in host");
        if (copy_part(u->host, sizeof u->host, p + 1, (size_t)(rb - p - 1), 0) != 0) return fail(err, n, "host too long");
        host_end = rb + 1;
    } else {
        host_end = p;
        while (host_end < path && *host_end != ':') host_end++;
        if (copy_part(u->host, sizeof u->host, p, (size_t)(host_end - p), 0) != 0) return fail(err, n, "host too long");
    }
    if (u->host[0] == '\0') return fail(err, n, "no host");
    if (host_end < path) {
        char *end;
        long v;
        if (*host_end != ':' || host_end + 1 == path) return fail(err, n, "bad port");
        v = strtol(host_end + 1, &end, 10);
        if (end != path || v < 1 || v > 65535) return fail(err, n, "bad port");
        u->port = (uint16_t)v;
        u->port_given = 1;
    }
    if (u->scheme == CLI_URL_WS || u->scheme == CLI_URL_WSS) {
        const char *frag = strchr(path, '#'); /* a fragment is never sent */
        size_t plen = frag ? (size_t)(frag - path) : strlen(path);
        if (plen == 0) {
            snprintf(u->path, sizeof u->path, "/mqtt");
        } else if (*path != '/') {
            if (plen + 2 > sizeof u->path) return fail(err, n, "path too long");
            u->path[0] = '/';
            memcpy(u->path + 1, path, plen);
            u->path[plen + 1] = '\0';
        } else if (copy_part(u->path, sizeof u->path, path, plen, 0) != 0) {
            return fail(err, n, "path too long");
        }
        for (const char *q = u->path; *q; q++) {
            if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7F) return fail(err, n, "path has a space or control character");
        }
    } else if (*path == '/' && path[1] != '\0') {
        /* mosquitto_pub -L: mqtt(s)://host/topic names the topic */
        if (copy_part(u->topic, sizeof u->topic, path + 1, strlen(path + 1), 0) != 0) return fail(err, n, "topic too long");
        u->has_topic = 1;
    } else if (*path != '\0' && strcmp(path, "/") != 0) {
        return fail(err, n, "bad path");
    }
    return 0;
}

int cli_url_is_tls(const cli_url_t *u)
{
    return u->scheme == CLI_URL_MQTTS || u->scheme == CLI_URL_WSS;
}

/* Masking and handshake keys from the kernel's random source. */
static int ws_random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    while (len) {
        ssize_t r = getrandom(out, len, 0);
        if (r <= 0) return -1;
        out += r;
        len -= (size_t)r;
    }
    return 0;
}

bmqtt_status_t cli_stack_open(cli_stack_t *s, const cli_url_t *u, const bmqtt_tls_config_t *tls_template,
                              const char *extra_headers, uint32_t timeout_ms, bmqtt_transport_t *top)
{
    bmqtt_status_t st;
    const bmqtt_transport_t *below;

    if (s == NULL || u == NULL || top == NULL) return BMQTT_ERR_PARAM;
    if (!s->sock_ready) bmqtt_posix_init(&s->sock);
    s->sock_ready = 1;
    s->use_tls = (uint8_t)cli_url_is_tls(u);
    s->use_ws = (uint8_t)(u->scheme == CLI_URL_WS || u->scheme == CLI_URL_WSS);
    s->proxy_error = CLI_PROXY_OK;
    if (s->unix_path != NULL) st = bmqtt_posix_connect_unix(&s->sock, s->unix_path, timeout_ms);
    else if (s->proxy != NULL)
        st = cli_proxy_connect(&s->sock, s->proxy, s->bind_addr, u->host, u->port, timeout_ms, &s->proxy_error,
                               s->proxy_why, sizeof s->proxy_why);
    else st = bmqtt_posix_connect_from(&s->sock, u->host, u->port, s->bind_addr, timeout_ms);
    if (st != BMQTT_OK) return st;
    bmqtt_posix_transport(&s->sock, &s->tcp);
    below = &s->tcp;
    if (s->use_tls) {
        if (s->tls_ready) {
            st = bmqtt_tls_reset(&s->tls);
        } else {
            if (tls_template) s->tls_cfg = *tls_template; else memset(&s->tls_cfg, 0, sizeof s->tls_cfg);
            if (s->tls_cfg.host == NULL) s->tls_cfg.host = u->host;
            bmqtt_tls_init(&s->tls);
            st = bmqtt_tls_setup(&s->tls, &s->tls_cfg, &s->tcp);
        }
        if (st != BMQTT_OK) {
            bmqtt_posix_close(&s->sock); /* no connection is left half made */
            return st;
        }
        s->tls_ready = 1;
        bmqtt_tls_transport(&s->tls, &s->tls_tr);
        below = &s->tls_tr;
    }
    if (s->use_ws) {
        if (s->ws_ready) {
            st = bmqtt_ws_reset(&s->ws);
        } else {
            memset(&s->ws_cfg, 0, sizeof s->ws_cfg);
            s->ws_cfg.host = u->host;
            /* Host carries the port unless it is the scheme's default (RFC 6455 section 4.1). */
            s->ws_cfg.port = (u->port == (s->use_tls ? 443 : 80)) ? 0 : u->port;
            s->ws_cfg.path = u->path;
            s->ws_cfg.extra_headers = extra_headers;
            s->ws_cfg.tx_buf = s->ws_tx;
            s->ws_cfg.tx_size = sizeof s->ws_tx;
            s->ws_cfg.rx_buf = s->ws_rx;
            s->ws_cfg.rx_size = sizeof s->ws_rx;
            s->ws_cfg.random = ws_random;
            s->ws_cfg.crypto = &bmqtt_ws_crypto_mbedtls;
            bmqtt_ws_init(&s->ws);
            st = bmqtt_ws_setup(&s->ws, &s->ws_cfg, below);
        }
        if (st != BMQTT_OK) {
            bmqtt_posix_close(&s->sock);
            return st;
        }
        s->ws_ready = 1;
        bmqtt_ws_transport(&s->ws, &s->ws_tr);
        below = &s->ws_tr;
    }
    *top = *below;
    return BMQTT_OK;
}

void cli_stack_wait(cli_stack_t *s, int want_write, uint32_t ms)
{
    if (s->use_ws && bmqtt_ws_pending(&s->ws)) return;
    if (s->use_tls && bmqtt_tls_pending(&s->tls)) return;
    if (s->use_ws && bmqtt_ws_tx_pending(&s->ws)) want_write = 1;
    /* The upgrade request is out and the 101 not in: the client's CONNECT waits,
     * but only a readable socket brings the handshake on (a writable one would
     * wake us at once, every time, until the server answers). Reads the port's
     * context: bmqtt_ws.h has no call for "request sent". */
    else if (s->use_ws && !bmqtt_ws_is_open(&s->ws) && s->ws.req_len != 0u && s->ws.req_off >= s->ws.req_len)
        want_write = 0;
    (void)bmqtt_posix_wait(&s->sock, want_write, ms);
}

int cli_stack_handshake_failed(const cli_stack_t *s, bmqtt_status_t st)
{
    if (st == BMQTT_ERR_DNS || st == BMQTT_ERR_CONNECT) return 1;
    if (s->use_ws) return !bmqtt_ws_is_open(&s->ws) && st != BMQTT_OK;
    return st <= BMQTT_STATUS_TLS_BASE && st > BMQTT_STATUS_TLS_BASE - 10;
}

void cli_stack_free(cli_stack_t *s)
{
    if (s == NULL) return;
    bmqtt_posix_close(&s->sock);
    if (s->tls_ready) bmqtt_tls_free(&s->tls);
    s->tls_ready = s->ws_ready = s->sock_ready = 0;
}
