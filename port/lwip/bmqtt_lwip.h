/**
 * @file bmqtt_lwip.h
 * @brief A bmqtt transport over the lwIP sockets API (lwIP 2.1.x, NO_SYS=0).
 *
 * For firmware whose network is lwIP with an RTOS: FreeRTOS + lwIP on STM32
 * (STM32CubeMX's LWIP middleware), ESP-IDF, or any lwIP 2.1 port with the
 * tcpip thread. It calls lwIP's own function names (lwip_socket(),
 * lwip_connect(), lwip_send(), lwip_recv(), lwip_poll() or lwip_select(),
 * lwip_getaddrinfo()), so it works whatever LWIP_COMPAT_SOCKETS says and
 * never collides with a C library's BSD sockets.
 *
 * TCP over IPv4 or IPv6. With LWIP_DNS=1 a host name goes through
 * lwip_getaddrinfo() (a DNS query through lwIP's resolver); with LWIP_DNS=0
 * only numeric addresses ("192.168.1.10", "fd00::1" with LWIP_IPV6) are
 * accepted and a name is BMQTT_ERR_DNS. The connect is non-blocking and
 * bounded by the caller's timeout; once connected, send and recv never wait
 * (MSG_DONTWAIT on a non-blocking socket): they return BMQTT_WOULD_BLOCK.
 * TCP_NODELAY is set, since MQTT packets are small and answered one by one.
 *
 * TLS: give this transport to the mbedTLS port (port/mbedtls, bmqtt_tls.h)
 * as its lower transport; nothing else is needed.
 *
 * The caller owns the bmqtt_lwip_t; nothing is allocated by this file. lwIP
 * itself takes a netconn and PCB from its pools for the socket, and one
 * MEMP_NETDB entry during lwip_getaddrinfo() (returned before connect ends).
 *
 * lwIP requirements: NO_SYS=0, LWIP_SOCKET=1, LWIP_TCP=1, and
 * LWIP_SOCKET_POLL=1 or LWIP_SOCKET_SELECT=1 (both are lwIP's defaults);
 * checked with \#error when port/lwip/bmqtt_lwip.c is compiled. Errors are
 * read from lwIP's errno (LWIP_SOCKET_SET_ERRNO=1, the default). With
 * LWIP_PROVIDE_ERRNO that errno is one global shared by every task, so
 * last_errno is only a hint when several tasks use sockets at once; the
 * statuses themselves do not depend on it being exact except for telling
 * "would block" from a failure, which lwIP sets in the same call.
 *
 * Status mapping:
 *  - connection closed by the peer (lwip_recv() returns 0, and ENOTCONN,
 *    which lwIP answers on every call after that): BMQTT_ERR_CLOSED;
 *  - EWOULDBLOCK / EAGAIN: BMQTT_WOULD_BLOCK;
 *  - any other socket error (ECONNRESET when the peer resets, ECONNABORTED...):
 *    BMQTT_ERR_TRANSPORT (errno kept in last_errno);
 *  - name not resolved, or a name given with LWIP_DNS=0: BMQTT_ERR_DNS
 *    (lwip_getaddrinfo()'s EAI_* code in last_errno);
 *  - refused, reset, unreachable or not connected in time: BMQTT_ERR_CONNECT;
 *  - no socket or memory in lwIP's pools (lwip_socket() failed): BMQTT_ERR_TRANSPORT.
 *
 * @code
 * // In an RTOS task, after the netif is up (DHCP bound or static address set):
 * static bmqtt_lwip_t sock;
 * bmqtt_transport_t tr;
 * bmqtt_lwip_init(&sock);
 * if (bmqtt_lwip_connect(&sock, "192.168.1.10", 1883, 5000) != BMQTT_OK) { ... }
 * bmqtt_lwip_transport(&sock, &tr);
 * bmqtt_client_connect(&client, &tr, &fields, bmqtt_lwip_now_ms());
 * for (;;) {
 *     bmqtt_status_t st = bmqtt_client_poll(&client, bmqtt_lwip_now_ms());
 *     if (st < 0 && st != BMQTT_WOULD_BLOCK) break;      // session over: reconnect
 *     (void)bmqtt_lwip_wait(&sock, !bmqtt_client_tx_idle(&client), 50);
 * }
 * @endcode
 */
#ifndef BMQTT_LWIP_H
#define BMQTT_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One TCP connection over lwIP. Owned by the caller; zeroed (a static is) or bmqtt_lwip_init() means no socket. */
typedef struct bmqtt_lwip {
    int sock;       /**< The lwIP socket plus one; 0 when not connected, so a zeroed context is valid
                         and socket 0 is never closed by accident. */
    int last_errno; /**< lwIP errno (or lwip_getaddrinfo() code for BMQTT_ERR_DNS) of the last failure. */
} bmqtt_lwip_t;

/** @brief Prepare @p s: no socket yet. Never fails, never allocates. */
void bmqtt_lwip_init(bmqtt_lwip_t *s);

/** @brief The socket descriptor, or -1 when not connected (for select/poll of your own). */
int bmqtt_lwip_fd(const bmqtt_lwip_t *s);

/**
 * @brief Resolve @p host and open a TCP connection to it through lwIP,
 *        waiting at most @p timeout_ms for the connection.
 *
 * Call it from a task (never from the tcpip thread or an lwIP callback):
 * it sleeps in lwip_poll()/lwip_select() while the handshake is under way.
 * Name resolution (LWIP_DNS=1) blocks in lwIP's resolver, bounded by lwIP's
 * own DNS retries, not by @p timeout_ms. A connection already open in @p s
 * is closed first.
 *
 * @param[in,out] s          the connection.
 * @param[in]     host       host name (LWIP_DNS=1), IPv4 dotted quad or IPv6 literal (no brackets).
 * @param[in]     port       TCP port, e.g. 1883.
 * @param[in]     timeout_ms 0 means no limit (lwIP then gives up after its SYN retries).
 * @return BMQTT_OK; BMQTT_ERR_PARAM; BMQTT_ERR_DNS; BMQTT_ERR_CONNECT;
 *         BMQTT_ERR_TRANSPORT (lwIP had no socket or memory for it).
 */
bmqtt_status_t bmqtt_lwip_connect(bmqtt_lwip_t *s, const char *host, uint16_t port, uint32_t timeout_ms);

/**
 * @brief Fill @p t with this port's functions and @p s as their context.
 * @param[in]  s the connection; must outlive every use of @p t.
 * @param[out] t the transport to hand to the client (or to the TLS port).
 */
void bmqtt_lwip_transport(bmqtt_lwip_t *s, bmqtt_transport_t *t);

/**
 * @brief Transport send: queue up to @p len bytes in lwIP's send buffer without waiting.
 * @param ctx a bmqtt_lwip_t *.
 * @return bytes queued (> 0), BMQTT_WOULD_BLOCK (send buffer full),
 *         BMQTT_ERR_CLOSED (not connected), or BMQTT_ERR_TRANSPORT.
 *         Queues at most INT32_MAX bytes.
 */
int32_t bmqtt_lwip_send(void *ctx, const uint8_t *buf, size_t len);

/**
 * @brief Transport recv: read up to @p len bytes without waiting.
 * @param ctx a bmqtt_lwip_t *.
 * @return bytes read (> 0), BMQTT_WOULD_BLOCK, BMQTT_ERR_CLOSED (end of
 *         stream, or not connected), or BMQTT_ERR_TRANSPORT.
 */
int32_t bmqtt_lwip_recv(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief Transport close: lwip_close() the socket at once (no DISCONNECT is
 *        sent; that is the client's job). Safe to call twice.
 * @param ctx a bmqtt_lwip_t *.
 */
void bmqtt_lwip_close(void *ctx);

/**
 * @brief Sleep until the socket is readable (or, with @p want_write, also
 *        writable), at most @p timeout_ms, in lwip_poll() or lwip_select().
 *        Lets the MQTT task block between polls instead of spinning.
 * @return 1 when ready, 0 on timeout, BMQTT_ERR_CLOSED when not connected,
 *         BMQTT_ERR_TRANSPORT on error.
 */
int bmqtt_lwip_wait(const bmqtt_lwip_t *s, int want_write, uint32_t timeout_ms);

/**
 * @brief lwIP's millisecond clock, sys_now(), for bmqtt_client_poll().
 *        Wraps after 2^32 ms, which the client handles.
 */
uint32_t bmqtt_lwip_now_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_LWIP_H */
