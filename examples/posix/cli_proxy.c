/* bmqtt-cli --proxy: the SOCKS5 handshake (RFC 1928, RFC 1929), blocking with a
 * deadline on the port's non-blocking socket. Example code, not the library. */
#include "cli_proxy.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define SOCKS_VERSION 5u
#define SOCKS_NO_AUTH 0x00u
#define SOCKS_USER_PASS 0x02u
#define SOCKS_NO_METHOD 0xFFu
#define SOCKS_CMD_CONNECT 1u
#define SOCKS_ATYP_IPV4 1u
#define SOCKS_ATYP_NAME 3u
#define SOCKS_ATYP_IPV6 4u

static int bad(char *err, size_t n, const char *why)
{
    snprintf(err, n, "%s", why);
    return -1;
}

int cli_proxy_parse(const char *url, cli_proxy_t *out, char *err, size_t err_size)
{
    static const char scheme[] = "socks5h://";
    const char *p, *at, *end, *colon;
    size_t n;

    memset(out, 0, sizeof *out);
    out->port = 1080;
    if (strncasecmp(url, scheme, sizeof scheme - 1u) != 0)
        return bad(err, err_size, "only socks5h://[user[:password]@]host[:port] is supported (the proxy resolves names)");
    p = url + sizeof scheme - 1u;
    end = p + strcspn(p, "/?#");
    if (*end != '\0' && !(end[0] == '/' && end[1] == '\0')) return bad(err, err_size, "a proxy URL has no path");
    /* The last '@' ends the user part: a password may hold '@' itself. */
    at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@') at = q;
    if (at != NULL) {
        colon = memchr(p, ':', (size_t)(at - p));
        n = (size_t)((colon ? colon : at) - p);
        if (n == 0 || n > 255) return bad(err, err_size, "the proxy user name must be 1..255 bytes (RFC 1929)");
        memcpy(out->user, p, n);
        if (colon) {
            n = (size_t)(at - colon - 1);
            if (n > 255) return bad(err, err_size, "the proxy password must be at most 255 bytes (RFC 1929)");
            memcpy(out->password, colon + 1, n);
        }
        out->has_user = 1;
        p = at + 1;
    }
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (rb == NULL) return bad(err, err_size, "an IPv6 address needs its closing ']'");
        n = (size_t)(rb - p - 1);
        colon = rb + 1 < end ? rb + 1 : NULL;
        if (colon != NULL && *colon != ':') return bad(err, err_size, "only :port may follow ']'");
        p++;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        n = (size_t)((colon ? colon : end) - p);
    }
    if (n == 0) return bad(err, err_size, "no proxy host");
    if (n >= sizeof out->host) return bad(err, err_size, "the proxy host is longer than 255 bytes");
    memcpy(out->host, p, n);
    if (colon != NULL) {
        char *e;
        long v;
        if (colon + 1 == end) return bad(err, err_size, "':' with no port");
        v = strtol(colon + 1, &e, 10);
        if (e != end || v < 1 || v > 65535 || colon[1] == '+' || colon[1] == '-')
            return bad(err, err_size, "the proxy port must be 1..65535");
        out->port = (uint16_t)v;
    }
    return 0;
}

/* Send or receive exactly len bytes before the deadline: 0, or -1 (errno; ETIMEDOUT, or
 * ECONNRESET when the proxy closed). */
static int exact(int fd, uint8_t *buf, size_t len, int sending, uint32_t deadline, uint32_t timeout_ms)
{
    while (len > 0) {
        ssize_t r = sending ? send(fd, buf, len, MSG_NOSIGNAL) : recv(fd, buf, len, 0);
        if (r > 0) {
            buf += r;
            len -= (size_t)r;
            continue;
        }
        if (r == 0) {
            errno = ECONNRESET;
            return -1;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        {
            struct pollfd pf = { fd, (short)(sending ? POLLOUT : POLLIN), 0 };
            int32_t left = (int32_t)(deadline - bmqtt_posix_now_ms());
            if (timeout_ms != 0u && left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            (void)poll(&pf, 1, timeout_ms != 0u ? (int)left : -1);
        }
    }
    return 0;
}

static const char *reply_text(unsigned rep)
{
    static const char *const t[] = { "succeeded", "general SOCKS server failure",
                                     "connection not allowed by ruleset", "network unreachable",
                                     "host unreachable", "connection refused", "TTL expired",
                                     "command not supported", "address type not supported" };
    return rep < sizeof t / sizeof t[0] ? t[rep] : "an unassigned reply code";
}

bmqtt_status_t cli_proxy_connect(bmqtt_posix_t *sock, const cli_proxy_t *p, const char *bind_addr, const char *host,
                                 uint16_t port, uint32_t timeout_ms, cli_proxy_error_t *kind, char *why,
                                 size_t why_size)
{
    uint8_t m[3 + 255 + 255 + 4];
    size_t hl = strlen(host), n, ul, pl;
    uint32_t deadline = bmqtt_posix_now_ms() + timeout_ms;
    bmqtt_status_t st;
    int fd;

    *kind = CLI_PROXY_UNREACHABLE;
    why[0] = '\0';
    if ((st = bmqtt_posix_connect_from(sock, p->host, p->port, bind_addr, timeout_ms)) != BMQTT_OK) {
        snprintf(why, why_size, "no connection to the proxy %s port %u", p->host, (unsigned)p->port);
        return st;
    }
    fd = bmqtt_posix_fd(sock);
    *kind = CLI_PROXY_FAILED;
    if (hl == 0 || hl > 255) {
        snprintf(why, why_size, "a SOCKS5 request names a host of 1..255 bytes");
        goto fail;
    }
    /* Greeting: without credentials only "no authentication"; with them, both. */
    m[0] = SOCKS_VERSION;
    m[1] = p->has_user ? 2u : 1u;
    m[2] = p->has_user ? SOCKS_USER_PASS : SOCKS_NO_AUTH;
    m[3] = SOCKS_NO_AUTH;
    if (exact(fd, m, 2u + m[1], 1, deadline, timeout_ms) != 0 || exact(fd, m, 2, 0, deadline, timeout_ms) != 0)
        goto io;
    if (m[0] != SOCKS_VERSION) {
        snprintf(why, why_size, "the proxy does not speak SOCKS5 (its first byte is 0x%02x)", m[0]);
        goto fail;
    }
    if (m[1] == SOCKS_NO_METHOD || (m[1] != SOCKS_NO_AUTH && (m[1] != SOCKS_USER_PASS || !p->has_user))) {
        *kind = CLI_PROXY_AUTH;
        snprintf(why, why_size, "the proxy accepts none of the methods offered (%s)",
                 p->has_user ? "none, user and password" : "none; give socks5h://user:password@...");
        goto fail;
    }
    if (m[1] == SOCKS_USER_PASS) { /* RFC 1929 */
        ul = strlen(p->user);
        pl = strlen(p->password);
        n = 0;
        m[n++] = 1u;
        m[n++] = (uint8_t)ul;
        memcpy(m + n, p->user, ul), n += ul;
        m[n++] = (uint8_t)pl;
        memcpy(m + n, p->password, pl), n += pl;
        if (exact(fd, m, n, 1, deadline, timeout_ms) != 0 || exact(fd, m, 2, 0, deadline, timeout_ms) != 0) goto io;
        if (m[1] != 0u) {
            *kind = CLI_PROXY_AUTH;
            snprintf(why, why_size, "the proxy refused user '%s' and its password", p->user);
            goto fail;
        }
    }
    /* CONNECT by name (socks5h). */
    n = 0;
    m[n++] = SOCKS_VERSION;
    m[n++] = SOCKS_CMD_CONNECT;
    m[n++] = 0u;
    m[n++] = SOCKS_ATYP_NAME;
    m[n++] = (uint8_t)hl;
    memcpy(m + n, host, hl), n += hl;
    m[n++] = (uint8_t)(port >> 8);
    m[n++] = (uint8_t)port;
    if (exact(fd, m, n, 1, deadline, timeout_ms) != 0 || exact(fd, m, 5, 0, deadline, timeout_ms) != 0) goto io;
    if (m[0] != SOCKS_VERSION) {
        snprintf(why, why_size, "the proxy's reply is not SOCKS5 (0x%02x)", m[0]);
        goto fail;
    }
    if (m[1] != 0u) {
        snprintf(why, why_size, "the proxy could not reach %s port %u: %s (SOCKS5 reply %u)", host, (unsigned)port,
                 reply_text(m[1]), m[1]);
        goto fail;
    }
    /* The rest of the bound address, then the port: read exactly, the next bytes are the broker's. */
    n = m[3] == SOCKS_ATYP_IPV4 ? 4u - 1u : m[3] == SOCKS_ATYP_IPV6 ? 16u - 1u : m[3] == SOCKS_ATYP_NAME ? m[4] : 0u;
    if (m[3] != SOCKS_ATYP_IPV4 && m[3] != SOCKS_ATYP_IPV6 && m[3] != SOCKS_ATYP_NAME) {
        snprintf(why, why_size, "the proxy's reply has an unknown address type %u", m[3]);
        goto fail;
    }
    if (exact(fd, m, n + 2u, 0, deadline, timeout_ms) != 0) goto io;
    *kind = CLI_PROXY_OK;
    return BMQTT_OK;
io:
    snprintf(why, why_size, "the SOCKS5 handshake with %s port %u failed: %s", p->host, (unsigned)p->port,
             errno == ECONNRESET ? "the proxy closed the connection" : strerror(errno));
fail:
    bmqtt_posix_close(sock);
    return BMQTT_ERR_CONNECT;
}
