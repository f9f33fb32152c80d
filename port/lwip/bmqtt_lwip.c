/*
 * bmqtt lwIP port: a non-blocking TCP transport over the lwIP sockets API
 * (lwIP 2.1.x, NO_SYS=0). Includes lwIP headers only; see bmqtt_lwip.h.
 */
#include "bmqtt_lwip.h"
#include "bmqtt/config.h"

#include <string.h>

#include "lwip/opt.h"
#include "lwip/errno.h"
#include "lwip/ip_addr.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#if NO_SYS
#error "port/lwip needs NO_SYS=0 (an RTOS and lwIP's tcpip thread); see docs/PORTING.md for NO_SYS=1"
#endif
#if !LWIP_SOCKET || !LWIP_TCP
#error "port/lwip needs LWIP_SOCKET=1 and LWIP_TCP=1 in lwipopts.h"
#endif
#if LWIP_SOCKET_POLL
#define BMQTT_LWIP_USE_POLL 1
#elif LWIP_SOCKET_SELECT
#define BMQTT_LWIP_USE_POLL 0
#else
#error "port/lwip needs LWIP_SOCKET_POLL=1 or LWIP_SOCKET_SELECT=1 in lwipopts.h"
#endif

/* Every lwIP errno that means "try again later". */
#if defined(EAGAIN) && defined(EWOULDBLOCK) && EAGAIN != EWOULDBLOCK
#define BMQTT_LWIP_AGAIN(e) ((e) == EWOULDBLOCK || (e) == EAGAIN)
#else
#define BMQTT_LWIP_AGAIN(e) ((e) == EWOULDBLOCK)
#endif

/* A socket address of either family, without casts between unrelated structs. */
typedef union bmqtt_lwip_addr {
    struct sockaddr sa;
#if LWIP_IPV4
    struct sockaddr_in in4;
#endif
#if LWIP_IPV6
    struct sockaddr_in6 in6;
#endif
} bmqtt_lwip_addr_t;

uint32_t bmqtt_lwip_now_ms(void)
{
    return (uint32_t)sys_now();
}

void bmqtt_lwip_init(bmqtt_lwip_t *s)
{
    if (s != NULL) {
        s->sock = 0;
        s->last_errno = 0;
    }
}

int bmqtt_lwip_fd(const bmqtt_lwip_t *s)
{
    return s != NULL && s->sock != 0 ? s->sock - 1 : -1;
}

void bmqtt_lwip_transport(bmqtt_lwip_t *s, bmqtt_transport_t *t)
{
    if (t == NULL) {
        return;
    }
    t->send = bmqtt_lwip_send;
    t->recv = bmqtt_lwip_recv;
    t->close = bmqtt_lwip_close;
    t->ctx = s;
}

/* errno after a failed lwIP call; never 0, so that a failure is never taken for success. */
static int lwip_err(void)
{
    int e = errno;
    return e != 0 ? e : EIO;
}

/* Wait for @p fd: readable, or writable too with @p want_write. 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, int want_write, uint32_t timeout_ms)
{
    int r;
#if BMQTT_LWIP_USE_POLL
    struct pollfd p;
    p.fd = fd;
    p.events = (short)(want_write ? (POLLIN | POLLOUT) : POLLIN);
    p.revents = 0;
    r = lwip_poll(&p, 1, timeout_ms > 0x7fffffffu ? 0x7fffffff : (int)timeout_ms);
#else
    fd_set rd, wr, ex;
    struct timeval tv;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(fd, &rd);
    FD_SET(fd, &ex);
    if (want_write) {
        FD_SET(fd, &wr);
    }
    tv.tv_sec = (long)(timeout_ms / 1000u);
    tv.tv_usec = (long)((timeout_ms % 1000u) * 1000u);
    r = lwip_select(fd + 1, &rd, want_write ? &wr : NULL, &ex, &tv);
#endif
    if (r < 0) {
        return -1;
    }
    return r > 0 ? 1 : 0;
}

/* Milliseconds left before the deadline (wraparound-safe); UINT32_MAX means "no limit". */
static uint32_t time_left(uint32_t timeout_ms, uint32_t start)
{
    uint32_t spent;
    if (timeout_ms == 0u) {
        return UINT32_MAX;
    }
    spent = bmqtt_lwip_now_ms() - start;
    return spent >= timeout_ms ? 0u : timeout_ms - spent;
}

/* Fill @p a with @p host and @p port. BMQTT_OK, or BMQTT_ERR_DNS with the reason in s->last_errno. */
static bmqtt_status_t resolve(bmqtt_lwip_t *s, const char *host, uint16_t port, bmqtt_lwip_addr_t *a,
                              socklen_t *alen)
{
#if LWIP_DNS
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    rc = lwip_getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL || res->ai_addr == NULL || (size_t)res->ai_addrlen > sizeof *a) {
        if (res != NULL) {
            lwip_freeaddrinfo(res);
        }
        s->last_errno = rc != 0 ? rc : EAI_FAIL;
        return BMQTT_ERR_DNS;
    }
    memcpy(a, res->ai_addr, (size_t)res->ai_addrlen);
    *alen = (socklen_t)res->ai_addrlen;
    lwip_freeaddrinfo(res);
#if LWIP_IPV4
    if (a->sa.sa_family == AF_INET) {
        a->in4.sin_port = lwip_htons(port);
        return BMQTT_OK;
    }
#endif
#if LWIP_IPV6
    if (a->sa.sa_family == AF_INET6) {
        a->in6.sin6_port = lwip_htons(port);
        return BMQTT_OK;
    }
#endif
    s->last_errno = EAI_FAMILY;
    return BMQTT_ERR_DNS;
#else
    /* No resolver in this lwIP (LWIP_DNS=0): numeric addresses only. */
    ip_addr_t ip;

    memset(a, 0, sizeof *a);
    if (!ipaddr_aton(host, &ip)) {
        s->last_errno = ENOENT;
        return BMQTT_ERR_DNS;
    }
#if LWIP_IPV4
    if (IP_IS_V4(&ip)) {
        a->in4.sin_family = AF_INET;
        a->in4.sin_port = lwip_htons(port);
        a->in4.sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(&ip));
        *alen = (socklen_t)sizeof a->in4;
        return BMQTT_OK;
    }
#endif
#if LWIP_IPV6
    if (IP_IS_V6(&ip)) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = lwip_htons(port);
        memcpy(&a->in6.sin6_addr, ip_2_ip6(&ip)->addr, 16u);
        *alen = (socklen_t)sizeof a->in6;
        return BMQTT_OK;
    }
#endif
    s->last_errno = ENOENT;
    return BMQTT_ERR_DNS;
#endif
}

bmqtt_status_t bmqtt_lwip_connect(bmqtt_lwip_t *s, const char *host, uint16_t port, uint32_t timeout_ms)
{
    bmqtt_lwip_addr_t addr;
    socklen_t alen = 0;
    bmqtt_status_t st;
    uint32_t start;
    int fd;
    int one = 1;
    int err = 0;

    if (s == NULL || host == NULL || host[0] == '\0' || port == 0u) {
        return BMQTT_ERR_PARAM;
    }
    bmqtt_lwip_close(s);
    s->last_errno = 0;
    start = bmqtt_lwip_now_ms();

    st = resolve(s, host, port, &addr, &alen);
    if (st != BMQTT_OK) {
        return st;
    }

    fd = lwip_socket(addr.sa.sa_family, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0) {
        s->last_errno = lwip_err();
        return BMQTT_ERR_TRANSPORT;
    }
    if (lwip_ioctl(fd, (long)FIONBIO, &one) != 0) {
        s->last_errno = lwip_err();
        (void)lwip_close(fd);
        return BMQTT_ERR_TRANSPORT;
    }
    (void)lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);

    if (lwip_connect(fd, &addr.sa, alen) != 0) {
        err = lwip_err();
        if (err != EINPROGRESS) {
            s->last_errno = err;
            (void)lwip_close(fd);
            BMQTT_LOG("bmqtt lwip: connect to %s port %u failed: errno %d", host, (unsigned)port, s->last_errno);
            return BMQTT_ERR_CONNECT;
        }
        for (;;) {
            uint32_t left = time_left(timeout_ms, start);
            int r;
            if (left == 0u) {
                s->last_errno = ETIMEDOUT;
                (void)lwip_close(fd);
                BMQTT_LOG("bmqtt lwip: connect to %s port %u failed: errno %d", host, (unsigned)port, s->last_errno);
                return BMQTT_ERR_CONNECT;
            }
            /* Short slices, so that a stack that never signals still meets the deadline. */
            r = wait_fd(fd, 1, left < 100u ? left : 100u);
            if (r < 0) {
                s->last_errno = lwip_err();
                (void)lwip_close(fd);
                BMQTT_LOG("bmqtt lwip: connect to %s port %u failed: errno %d", host, (unsigned)port, s->last_errno);
                return BMQTT_ERR_CONNECT;
            }
            if (r > 0) {
                bmqtt_lwip_addr_t peer;
                socklen_t elen = (socklen_t)sizeof err;
                socklen_t plen = (socklen_t)sizeof peer;
                err = 0;
                if (lwip_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
                    err = lwip_err();
                }
                if (err == 0 && lwip_getpeername(fd, &peer.sa, &plen) != 0) {
                    err = lwip_err();
                    if (err == ENOTCONN) {
                        continue; /* woken before the handshake ended */
                    }
                }
                if (err != 0) {
                    s->last_errno = err;
                    (void)lwip_close(fd);
                    BMQTT_LOG("bmqtt lwip: connect to %s port %u failed: errno %d", host, (unsigned)port, s->last_errno);
                    return BMQTT_ERR_CONNECT;
                }
                break;
            }
        }
    }
    s->sock = fd + 1;
    return BMQTT_OK;
}

static size_t clamp_len(size_t len)
{
    return len > (size_t)INT32_MAX ? (size_t)INT32_MAX : len;
}

int32_t bmqtt_lwip_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_lwip_t *s = (bmqtt_lwip_t *)ctx;
    ssize_t n;
    int e;

    if (s == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    if (len == 0u) {
        return 0;
    }
    n = lwip_send((s->sock - 1), buf, clamp_len(len), MSG_DONTWAIT);
    if (n >= 0) {
        return (int32_t)n;
    }
    e = lwip_err();
    if (BMQTT_LWIP_AGAIN(e)) {
        return BMQTT_WOULD_BLOCK;
    }
    s->last_errno = e;
    /* lwIP answers ENOTCONN once the connection is gone (after recv has returned 0). */
    return e == ENOTCONN ? BMQTT_ERR_CLOSED : BMQTT_ERR_TRANSPORT;
}

int32_t bmqtt_lwip_recv(void *ctx, uint8_t *buf, size_t len)
{
    bmqtt_lwip_t *s = (bmqtt_lwip_t *)ctx;
    ssize_t n;
    int e;

    if (s == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    if (len == 0u) {
        return 0;
    }
    n = lwip_recv((s->sock - 1), buf, clamp_len(len), MSG_DONTWAIT);
    if (n > 0) {
        return (int32_t)n;
    }
    if (n == 0) {
        return BMQTT_ERR_CLOSED;
    }
    e = lwip_err();
    if (BMQTT_LWIP_AGAIN(e)) {
        return BMQTT_WOULD_BLOCK;
    }
    s->last_errno = e;
    /* lwIP answers ENOTCONN once the connection is gone (after recv has returned 0). */
    return e == ENOTCONN ? BMQTT_ERR_CLOSED : BMQTT_ERR_TRANSPORT;
}

void bmqtt_lwip_close(void *ctx)
{
    bmqtt_lwip_t *s = (bmqtt_lwip_t *)ctx;
    if (s != NULL && s->sock != 0) {
        (void)lwip_close((s->sock - 1));
        s->sock = 0;
    }
}

int bmqtt_lwip_wait(const bmqtt_lwip_t *s, int want_write, uint32_t timeout_ms)
{
    int r;
    if (s == NULL || s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    r = wait_fd((s->sock - 1), want_write, timeout_ms);
    return r < 0 ? BMQTT_ERR_TRANSPORT : r;
}
