/*
 * bmqtt POSIX port: a non-blocking TCP transport over BSD sockets.
 * Built with -D_POSIX_C_SOURCE=200809L (see the Makefile).
 */
#include "bmqtt_posix.h"
#include "bmqtt/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Linux and the BSDs have MSG_NOSIGNAL; macOS has SO_NOSIGPIPE instead. */
#ifdef MSG_NOSIGNAL
#define BMQTT_SEND_FLAGS MSG_NOSIGNAL
#else
#define BMQTT_SEND_FLAGS 0
#endif

uint32_t bmqtt_posix_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0u;
    }
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void bmqtt_posix_init(bmqtt_posix_t *s)
{
    if (s != NULL) {
        s->sock = 0;
        s->last_errno = 0;
    }
}

int bmqtt_posix_fd(const bmqtt_posix_t *s)
{
    return s != NULL && s->sock != 0 ? s->sock - 1 : -1;
}

void bmqtt_posix_transport(bmqtt_posix_t *s, bmqtt_transport_t *t)
{
    if (t == NULL) {
        return;
    }
    t->send = bmqtt_posix_send;
    t->recv = bmqtt_posix_recv;
    t->close = bmqtt_posix_close;
    t->ctx = s;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -1;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Milliseconds left before deadline (wraparound-safe), at least 0; -1 means "no limit". */
static int time_left(uint32_t timeout_ms, uint32_t start)
{
    uint32_t spent;
    if (timeout_ms == 0u) {
        return -1;
    }
    spent = bmqtt_posix_now_ms() - start;
    if (spent >= timeout_ms) {
        return 0;
    }
    spent = timeout_ms - spent;
    return spent > (uint32_t)INT_MAX ? INT_MAX : (int)spent;
}

/* One address: 0 connected, else an errno value (ETIMEDOUT when out of time). */
static int try_address(int family, const struct sockaddr *addr, socklen_t addr_len, const struct addrinfo *local,
                       uint32_t timeout_ms, uint32_t start, int *out_fd)
{
    int fd;
    int err = 0;
    int one = 1;

    fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        return errno != 0 ? errno : EIO;
    }
    if (set_nonblocking(fd) != 0) {
        err = errno;
        (void)close(fd);
        return err != 0 ? err : EIO;
    }
#ifdef SO_NOSIGPIPE
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, (socklen_t)sizeof one);
#endif
    if (family != AF_UNIX) {
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
    }
    if (local != NULL && bind(fd, local->ai_addr, local->ai_addrlen) != 0) {
        err = errno;
        (void)close(fd);
        return err != 0 ? err : EIO;
    }

    /* A Unix socket whose backlog is full says EAGAIN where TCP says EINPROGRESS. */
    if (connect(fd, addr, addr_len) != 0) {
        if (errno != EINPROGRESS && errno != EINTR && !(family == AF_UNIX && errno == EAGAIN)) {
            err = errno;
            (void)close(fd);
            return err;
        }
        for (;;) {
            struct pollfd p;
            int left = time_left(timeout_ms, start);
            int r;
            socklen_t elen = (socklen_t)sizeof err;
            if (left == 0) {
                (void)close(fd);
                return ETIMEDOUT;
            }
            p.fd = fd;
            p.events = POLLOUT;
            p.revents = 0;
            r = poll(&p, 1, left);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r < 0) {
                err = errno;
                (void)close(fd);
                return err;
            }
            if (r == 0) {
                continue; /* time_left() now says 0 */
            }
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
                err = errno;
            }
            if (err != 0) {
                (void)close(fd);
                return err;
            }
            break;
        }
    }
    *out_fd = fd;
    return 0;
}

/* getaddrinfo() for a stream socket, retried without AI_ADDRCONFIG, which hides ::1 and
 * 127.0.0.1 on hosts with only a loopback interface. */
static int resolve(const char *host, const char *service, int passive, struct addrinfo **res)
{
    struct addrinfo hints;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
#ifdef AI_ADDRCONFIG
    {
        int rc;
        hints.ai_flags |= AI_ADDRCONFIG;
        rc = getaddrinfo(host, service, &hints, res);
        if (rc != EAI_NONAME && rc != EAI_FAMILY) {
            return rc;
        }
        hints.ai_flags &= ~AI_ADDRCONFIG;
    }
#endif
    return getaddrinfo(host, service, &hints, res);
}

bmqtt_status_t bmqtt_posix_connect(bmqtt_posix_t *s, const char *host, uint16_t port, uint32_t timeout_ms)
{
    return bmqtt_posix_connect_from(s, host, port, NULL, timeout_ms);
}

bmqtt_status_t bmqtt_posix_connect_from(bmqtt_posix_t *s, const char *host, uint16_t port, const char *local_addr,
                                        uint32_t timeout_ms)
{
    struct addrinfo *res = NULL;
    struct addrinfo *local = NULL;
    const struct addrinfo *ai;
    char service[8];
    uint32_t start;
    int rc;
    int err = 0;

    if (s == NULL || host == NULL || host[0] == '\0' || port == 0u || (local_addr != NULL && local_addr[0] == '\0')) {
        return BMQTT_ERR_PARAM;
    }
    bmqtt_posix_close(s);
    s->last_errno = 0;
    (void)snprintf(service, sizeof service, "%u", (unsigned)port);

    start = bmqtt_posix_now_ms();
    rc = resolve(host, service, 0, &res);
    if (rc == 0 && res != NULL && local_addr != NULL) {
        rc = resolve(local_addr, "0", 1, &local);
        if (rc != 0 || local == NULL) {
            freeaddrinfo(res);
            s->last_errno = rc;
            BMQTT_LOG("bmqtt posix: local address %s: name not resolved (%s)", local_addr, gai_strerror(rc));
            return BMQTT_ERR_DNS;
        }
    }
    if (rc != 0 || res == NULL) {
        s->last_errno = rc;
        BMQTT_LOG("bmqtt posix: %s: name not resolved (%s)", host, gai_strerror(rc));
        return BMQTT_ERR_DNS;
    }

    err = EAFNOSUPPORT; /* stays so when no local address has the family of a remote one */
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = -1;
        const struct addrinfo *from = local;
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) {
            continue;
        }
        while (from != NULL && from->ai_family != ai->ai_family) {
            from = from->ai_next;
        }
        if (local != NULL && from == NULL) {
            continue;
        }
        err = try_address(ai->ai_family, ai->ai_addr, ai->ai_addrlen, from, timeout_ms, start, &fd);
        if (err == 0) {
            s->sock = fd + 1;
            break;
        }
        if (err == ETIMEDOUT && time_left(timeout_ms, start) == 0) {
            break;
        }
    }
    freeaddrinfo(res);
    if (local != NULL) {
        freeaddrinfo(local);
    }

    if (s->sock == 0) {
        s->last_errno = err;
        BMQTT_LOG("bmqtt posix: connect to %s port %u failed: %s", host, (unsigned)port, strerror(err));
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
            return BMQTT_ERR_TRANSPORT;
        }
        return BMQTT_ERR_CONNECT;
    }
    BMQTT_LOG("bmqtt posix: connected to %s port %u (socket %d)", host, (unsigned)port, s->sock - 1);
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_posix_connect_unix(bmqtt_posix_t *s, const char *path, uint32_t timeout_ms)
{
    struct sockaddr_un sa;
    size_t n;
    int fd = -1;
    int err;

    if (s == NULL || path == NULL || path[0] == '\0') {
        return BMQTT_ERR_PARAM;
    }
    n = strlen(path);
    if (n >= sizeof sa.sun_path) {
        return BMQTT_ERR_PARAM; /* silently cutting the path would reach another socket */
    }
    bmqtt_posix_close(s);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n + 1u);
    err = try_address(AF_UNIX, (const struct sockaddr *)&sa, (socklen_t)sizeof sa, NULL, timeout_ms,
                      bmqtt_posix_now_ms(), &fd);
    s->last_errno = err;
    if (err != 0) {
        BMQTT_LOG("bmqtt posix: connect to %s failed: %s", path, strerror(err));
        return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM ? BMQTT_ERR_TRANSPORT
                                                                                 : BMQTT_ERR_CONNECT;
    }
    s->sock = fd + 1;
    BMQTT_LOG("bmqtt posix: connected to %s (socket %d)", path, fd);
    return BMQTT_OK;
}

static int32_t clamp_len(size_t len)
{
    return len > (size_t)INT32_MAX ? INT32_MAX : (int32_t)len;
}

int32_t bmqtt_posix_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_posix_t *s = (bmqtt_posix_t *)ctx;
    ssize_t n;

    if (s == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    if (len == 0u) {
        return 0;
    }
    do {
        n = send((s->sock - 1), buf, (size_t)clamp_len(len), BMQTT_SEND_FLAGS);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        BMQTT_ASSERT((size_t)n <= len);
        return (int32_t)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return BMQTT_WOULD_BLOCK;
    }
    s->last_errno = errno;
    BMQTT_LOG("bmqtt posix: send on socket %d failed: %s", s->sock - 1, strerror(errno));
    return BMQTT_ERR_TRANSPORT;
}

int32_t bmqtt_posix_recv(void *ctx, uint8_t *buf, size_t len)
{
    bmqtt_posix_t *s = (bmqtt_posix_t *)ctx;
    ssize_t n;

    if (s == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    if (len == 0u) {
        return 0;
    }
    do {
        n = recv((s->sock - 1), buf, (size_t)clamp_len(len), 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        BMQTT_ASSERT((size_t)n <= len);
        return (int32_t)n;
    }
    if (n == 0) {
        BMQTT_LOG("bmqtt posix: socket %d closed by the peer", s->sock - 1);
        return BMQTT_ERR_CLOSED;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return BMQTT_WOULD_BLOCK;
    }
    s->last_errno = errno;
    BMQTT_LOG("bmqtt posix: recv on socket %d failed: %s", s->sock - 1, strerror(errno));
    return BMQTT_ERR_TRANSPORT;
}

void bmqtt_posix_close(void *ctx)
{
    bmqtt_posix_t *s = (bmqtt_posix_t *)ctx;
    if (s != NULL && s->sock != 0) {
        BMQTT_LOG("bmqtt posix: closing socket %d", s->sock - 1);
        (void)close((s->sock - 1));
        s->sock = 0;
    }
}

int bmqtt_posix_wait(const bmqtt_posix_t *s, int want_write, uint32_t timeout_ms)
{
    struct pollfd p;
    int r;

    if (s == NULL || s->sock == 0) {
        return BMQTT_ERR_CLOSED;
    }
    p.fd = (s->sock - 1);
    p.events = (short)(want_write ? (POLLIN | POLLOUT) : POLLIN);
    p.revents = 0;
    r = poll(&p, 1, timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms);
    if (r < 0) {
        return errno == EINTR ? 0 : BMQTT_ERR_TRANSPORT;
    }
    return r > 0 ? 1 : 0;
}
