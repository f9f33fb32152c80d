/*
 * bmqtt lwIP raw-API port: a bmqtt transport over tcp_* callbacks (NO_SYS=1).
 *
 * lwIP calls on_recv/on_sent/on_err/on_poll/on_connected from inside
 * ethernetif_input() and sys_check_timeouts(); they only move bytes into the
 * caller's ring and record state. The transport functions run from
 * bmqtt_client_poll() in the same loop, never inside an lwIP callback, so
 * they may call tcp_abort()/tcp_close() freely. Nothing here allocates.
 */
#include "bmqtt_lwip_raw.h"
#include "bmqtt/config.h"

#include <string.h>

#include "lwip/opt.h"
#include "lwip/dns.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"

#if !LWIP_TCP
#error "port/lwip_raw needs LWIP_TCP=1"
#endif
#if !LWIP_CALLBACK_API
#error "port/lwip_raw needs LWIP_CALLBACK_API=1 (lwIP's default)"
#endif

enum {
    ST_IDLE = 0,       /* no connection (zeroed, closed) */
    ST_DNS = 1,        /* waiting for dns_gethostbyname's callback */
    ST_CONNECTING = 2, /* SYN sent */
    ST_OPEN = 3,       /* established (the peer may have sent FIN: see fin) */
    ST_FAILED = 4      /* ended by an error (status); the pcb is gone */
};

/* TCP_SLOW_INTERVAL (500 ms) units between on_poll calls: once a second. */
#define POLL_INTERVAL 2u

static const char *lwip_raw_status_name(int status)
{
    switch (status) {
    case BMQTT_ERR_LWIP_RESET: return "lwIP: connection reset by peer";
    case BMQTT_ERR_LWIP_ABORTED: return "lwIP: connection aborted (retransmissions, keepalive or memory)";
    case BMQTT_ERR_LWIP_MEM: return "lwIP: out of PCBs or memory";
    default: return NULL;
    }
}

static bmqtt_status_names_t lwip_raw_status_names = { BMQTT_STATUS_PORT_BASE, BMQTT_STATUS_PORT_BASE - 9,
                                                      lwip_raw_status_name, "lwIP raw", NULL };

/* ------------------------------------------------------------------------ */
/* The ring                                                                   */
/* ------------------------------------------------------------------------ */

/* Copy as much of the held pbuf as fits into the ring; free it once copied. */
static void pull_held(bmqtt_lwip_raw_t *s)
{
    while (s->held != NULL && s->ring_fill < s->ring_size) {
        size_t tail = (s->ring_head + s->ring_fill) % s->ring_size;
        size_t room = s->ring_size - s->ring_fill;
        size_t left = (size_t)s->held->tot_len - s->held_off;
        size_t n = s->ring_size - tail; /* contiguous room at the tail */
        if (n > room) {
            n = room;
        }
        if (n > left) {
            n = left;
        }
        /* n <= left <= tot_len, a u16_t */
        (void)pbuf_copy_partial(s->held, s->ring + tail, (u16_t)n, s->held_off);
        s->held_off = (uint16_t)(s->held_off + n);
        s->ring_fill += n;
        BMQTT_ASSERT(s->ring_fill <= s->ring_size);
        if (s->held_off == s->held->tot_len) {
            (void)pbuf_free(s->held);
            s->held = NULL;
            s->held_off = 0u;
        }
    }
}

static void ring_reset(bmqtt_lwip_raw_t *s)
{
    if (s->held != NULL) {
        (void)pbuf_free(s->held);
        s->held = NULL;
    }
    s->held_off = 0u;
    s->ring_head = 0u;
    s->ring_fill = 0u;
}

/* ------------------------------------------------------------------------ */
/* lwIP callbacks                                                             */
/* ------------------------------------------------------------------------ */

static bmqtt_status_t map_err(const bmqtt_lwip_raw_t *s, err_t err)
{
    if (s->state == ST_CONNECTING) {
        return BMQTT_ERR_CONNECT; /* RST to our SYN, or the SYN retries ran out */
    }
    switch (err) {
    case ERR_RST: return BMQTT_ERR_LWIP_RESET;
    case ERR_ABRT: return BMQTT_ERR_LWIP_ABORTED;
    case ERR_CLSD: return BMQTT_ERR_CLOSED;
    case ERR_MEM:
    case ERR_BUF: return BMQTT_ERR_LWIP_MEM;
    default: return BMQTT_ERR_TRANSPORT;
    }
}

static void fail(bmqtt_lwip_raw_t *s, bmqtt_status_t st, err_t err)
{
    if (s->status == 0) {
        s->status = (int32_t)st;
        s->lwip_err = (int)err;
        BMQTT_LOG("bmqtt lwip_raw: connection failed: status %d, lwIP err %d", (int)st, (int)err);
    }
    s->state = ST_FAILED;
}

/* The pcb is ours no more: no callback of it may reach @p s again. */
static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL); /* lwIP's default then frees data and acknowledges a FIN */
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0u);
}

static void drop_pcb(bmqtt_lwip_raw_t *s, int reset)
{
    struct tcp_pcb *pcb = s->pcb;
    if (pcb == NULL) {
        return;
    }
    s->pcb = NULL;
    detach(pcb);
    if (reset || tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb); /* tcp_close could not queue the FIN (out of memory) */
    }
}

/* lwIP has already freed the pcb when it calls this. */
static void on_err(void *arg, err_t err)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    if (s == NULL) {
        return;
    }
    s->pcb = NULL;
    fail(s, map_err(s, err), err);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    (void)pcb;
    if (p == NULL) {
        if (s != NULL) {
            s->fin = 1u; /* recv reports it once the ring is drained */
            BMQTT_LOG("bmqtt lwip_raw: FIN from the peer (%u bytes still in the ring)", (unsigned)s->ring_fill);
        }
        return ERR_OK;
    }
    if (s == NULL || err != ERR_OK) {
        (void)pbuf_free(p);
        return ERR_OK;
    }
    if (s->held != NULL) {
        /* Not taken: lwIP keeps it (refused_data) and offers it again from
         * its timer or with the next segment; the window stays as it is. */
        s->refused++;
        return ERR_MEM;
    }
    s->held = p; /* ours now: copied into the ring as it drains */
    s->held_off = 0u;
    pull_held(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    (void)pcb;
    if (s != NULL && s->unacked >= len) {
        s->unacked -= len;
    }
    return ERR_OK;
}

static int deadline_passed(const bmqtt_lwip_raw_t *s)
{
    return s->timeout_ms != 0u && (uint32_t)(sys_now() - s->started_ms) >= s->timeout_ms;
}

/* Once a second: the connect's deadline, also when nobody asks for the status. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    if (s != NULL && s->state == ST_CONNECTING && deadline_passed(s)) {
        s->pcb = NULL;
        detach(pcb);
        fail(s, BMQTT_ERR_TIMEOUT, ERR_TIMEOUT);
        tcp_abort(pcb);
        return ERR_ABRT; /* lwIP's rule after tcp_abort() in a callback */
    }
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    (void)pcb;
    if (s != NULL && err == ERR_OK) {
        s->state = ST_OPEN;
    }
    return ERR_OK;
}

/* A pcb for s->addr, its callbacks, and the SYN. */
static bmqtt_status_t start_tcp(bmqtt_lwip_raw_t *s)
{
    struct tcp_pcb *pcb = tcp_new_ip_type((u8_t)(IP_IS_V6(&s->addr) ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4));
    err_t err;
    if (pcb == NULL) {
        fail(s, BMQTT_ERR_LWIP_MEM, ERR_MEM);
        return BMQTT_ERR_LWIP_MEM;
    }
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    tcp_poll(pcb, on_poll, (u8_t)POLL_INTERVAL);
    tcp_nagle_disable(pcb);
    s->pcb = pcb;
    s->state = ST_CONNECTING;
    err = tcp_connect(pcb, &s->addr, s->port, on_connected);
    if (err != ERR_OK) {
        drop_pcb(s, 0); /* a pcb that never connected: tcp_close frees it */
        fail(s, err == ERR_MEM ? BMQTT_ERR_LWIP_MEM : BMQTT_ERR_CONNECT, err);
        return (bmqtt_status_t)s->status;
    }
    return BMQTT_WOULD_BLOCK;
}

#if LWIP_DNS
static void on_dns(const char *name, const ip_addr_t *ipaddr, void *arg)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)arg;
    /* An answer for an attempt that was closed or replaced since: not ours. */
    if (s == NULL || s->state != ST_DNS || s->host == NULL || name == NULL || strcmp(name, s->host) != 0) {
        return;
    }
    s->host = NULL;
    if (ipaddr == NULL) {
        fail(s, BMQTT_ERR_DNS, ERR_ARG);
        return;
    }
    ip_addr_copy(s->addr, *ipaddr);
    (void)start_tcp(s);
}
#endif

/* ------------------------------------------------------------------------ */
/* Public API                                                                 */
/* ------------------------------------------------------------------------ */

static void reset_conn(bmqtt_lwip_raw_t *s, int reset)
{
    drop_pcb(s, reset);
    ring_reset(s);
    s->host = NULL;
    s->status = 0;
    s->lwip_err = 0;
    s->unacked = 0u;
    s->fin = 0u;
    s->state = ST_IDLE;
}

bmqtt_status_t bmqtt_lwip_raw_init(bmqtt_lwip_raw_t *s, uint8_t *ring, size_t ring_size)
{
    bmqtt_status_register(&lwip_raw_status_names);
    if (s == NULL || ring == NULL || ring_size == 0u) {
        return BMQTT_ERR_PARAM;
    }
    memset(s, 0, sizeof *s); /* may be uninitialised memory: nothing in it is trusted */
    s->ring = ring;
    s->ring_size = ring_size;
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_lwip_raw_connect_start(bmqtt_lwip_raw_t *s, const char *host, uint16_t port,
                                            uint32_t timeout_ms)
{
    err_t err;
    bmqtt_status_register(&lwip_raw_status_names);
    if (s == NULL || host == NULL || host[0] == '\0' || port == 0u || s->ring == NULL || s->ring_size == 0u) {
        return BMQTT_ERR_PARAM;
    }
    reset_conn(s, 0);
    s->port = port;
    s->timeout_ms = timeout_ms;
    s->started_ms = sys_now();
    s->refused = 0u;
    if (ipaddr_aton(host, &s->addr)) {
        return start_tcp(s);
    }
#if LWIP_DNS
    s->host = host;
    s->state = ST_DNS;
    err = dns_gethostbyname(host, &s->addr, on_dns, s);
    if (err == ERR_OK) { /* in lwIP's cache */
        s->host = NULL;
        return start_tcp(s);
    }
    if (err == ERR_INPROGRESS) {
        return BMQTT_WOULD_BLOCK;
    }
    s->host = NULL;
    fail(s, err == ERR_MEM ? BMQTT_ERR_LWIP_MEM : BMQTT_ERR_DNS, err);
    return (bmqtt_status_t)s->status;
#else
    (void)err;
    fail(s, BMQTT_ERR_DNS, ERR_ARG); /* not a number, and no resolver */
    return BMQTT_ERR_DNS;
#endif
}

bmqtt_status_t bmqtt_lwip_raw_connect_status(bmqtt_lwip_raw_t *s)
{
    if (s == NULL) {
        return BMQTT_ERR_PARAM;
    }
    if (s->status != 0) {
        return (bmqtt_status_t)s->status;
    }
    switch (s->state) {
    case ST_OPEN:
        return (s->fin && s->ring_fill == 0u && s->held == NULL) ? BMQTT_ERR_CLOSED : BMQTT_OK;
    case ST_DNS:
    case ST_CONNECTING:
        if (deadline_passed(s)) {
            drop_pcb(s, 1);
            s->host = NULL; /* a late DNS answer finds ST_FAILED and is ignored */
            fail(s, BMQTT_ERR_TIMEOUT, ERR_TIMEOUT);
            return BMQTT_ERR_TIMEOUT;
        }
        return BMQTT_WOULD_BLOCK;
    default:
        return BMQTT_ERR_NOT_CONNECTED;
    }
}

void bmqtt_lwip_raw_transport(bmqtt_lwip_raw_t *s, bmqtt_transport_t *t)
{
    if (t == NULL) {
        return;
    }
    t->send = bmqtt_lwip_raw_send;
    t->recv = bmqtt_lwip_raw_recv;
    t->close = bmqtt_lwip_raw_close;
    t->ctx = s;
}

int32_t bmqtt_lwip_raw_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)ctx;
    size_t n;
    err_t err;

    if (s == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    if (s->status != 0) {
        return s->status;
    }
    if (s->fin) {
        return (int32_t)BMQTT_ERR_CLOSED;
    }
    if (s->state != ST_OPEN || s->pcb == NULL) {
        return (int32_t)BMQTT_ERR_NOT_CONNECTED;
    }
    if (len == 0u) {
        return 0;
    }
    n = (size_t)tcp_sndbuf(s->pcb);
    if (n == 0u) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    if (n > len) {
        n = len;
    }
    /* n <= tcp_sndbuf(), a tcpwnd_size_t that tcp_write takes as u16_t */
    if (n > 0xFFFFu) {
        n = 0xFFFFu;
    }
    err = tcp_write(s->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
    if (err == ERR_MEM) {
        /* Too many segments queued, or no pbuf: wait for acknowledgements. */
        (void)tcp_output(s->pcb);
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    if (err != ERR_OK) {
        drop_pcb(s, 1);
        fail(s, map_err(s, err), err);
        return s->status;
    }
    s->unacked += n;
    (void)tcp_output(s->pcb); /* queued either way; lwIP retries what it could not send */
    return (int32_t)n;
}

int32_t bmqtt_lwip_raw_recv(void *ctx, uint8_t *buf, size_t len)
{
    bmqtt_lwip_raw_t *s = (bmqtt_lwip_raw_t *)ctx;
    size_t n;
    size_t first;
    size_t left;

    if (s == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    if (len != 0u && s->ring_fill != 0u) {
        n = s->ring_fill < len ? s->ring_fill : len;
        if (n > (size_t)INT32_MAX) {
            n = (size_t)INT32_MAX;
        }
        first = s->ring_size - s->ring_head;
        if (first > n) {
            first = n;
        }
        memcpy(buf, s->ring + s->ring_head, first);
        memcpy(buf + first, s->ring, n - first);
        s->ring_head = (s->ring_head + n) % s->ring_size;
        s->ring_fill -= n;
        BMQTT_ASSERT(s->ring_head < s->ring_size && s->ring_fill < s->ring_size);
        /* The client has these bytes now: reopen the window by as many. */
        for (left = n; s->pcb != NULL && left != 0u;) {
            u16_t step = (u16_t)(left > 0xFFFFu ? 0xFFFFu : left);
            tcp_recved(s->pcb, step);
            left -= step;
        }
        pull_held(s);
        return (int32_t)n;
    }
    if (s->status != 0) {
        return s->status;
    }
    if (s->fin && s->held == NULL) {
        return (int32_t)BMQTT_ERR_CLOSED;
    }
    if (s->state == ST_OPEN) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    return (int32_t)BMQTT_ERR_NOT_CONNECTED;
}

void bmqtt_lwip_raw_close(void *ctx)
{
    if (ctx != NULL) {
        reset_conn((bmqtt_lwip_raw_t *)ctx, 0);
    }
}

void bmqtt_lwip_raw_abort(void *ctx)
{
    if (ctx != NULL) {
        reset_conn((bmqtt_lwip_raw_t *)ctx, 1);
    }
}

size_t bmqtt_lwip_raw_unacked(const bmqtt_lwip_raw_t *s)
{
    return s != NULL ? s->unacked : 0u;
}
