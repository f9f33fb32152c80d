/**
 * @file bmqtt_lwip_raw.h
 * @brief A bmqtt transport over lwIP's raw TCP API, for NO_SYS=1 superloops.
 *
 * For firmware without an RTOS: STM32CubeMX's default lwIP project (NO_SYS=1,
 * `MX_LWIP_Process()` or `ethernetif_input()` + `sys_check_timeouts()` in the
 * main loop), and most small Ethernet and Wi-Fi parts. Everything runs in the
 * one loop: lwIP calls this port back from `ethernetif_input()` and
 * `sys_check_timeouts()`, the client calls it from bmqtt_client_poll().
 * Nothing here waits.
 *
 * **Receiving.** lwIP hands received data over in pbufs from its callback;
 * this port copies them into a receive ring that the caller owns (given to
 * bmqtt_lwip_raw_init()) and the transport's recv takes bytes from there.
 * lwIP's receive window is only reopened (tcp_recved()) for bytes the client
 * has taken out of the ring, so TCP flow control is the back-pressure: a
 * slow client makes the broker wait, nothing is dropped. When a pbuf does
 * not fit into the ring, the port keeps it (one at a time) and copies the
 * rest as the ring drains; a further pbuf is refused (ERR_MEM), which lwIP
 * keeps and delivers again later. A ring of at least TCP_WND bytes never
 * refuses; any size from 1 byte works.
 *
 * **Sending.** send queues at most tcp_sndbuf() bytes with tcp_write()
 * (TCP_WRITE_FLAG_COPY: lwIP copies the bytes, the caller's buffer is free
 * again when send returns) and calls tcp_output(). A full send buffer or
 * queue is BMQTT_WOULD_BLOCK; lwIP's tcp_sent callback makes room as the
 * broker acknowledges. Nagle is off (MQTT packets are small and answered).
 *
 * **Connecting.** bmqtt_lwip_raw_connect_start() takes a numeric address
 * (IPv4, or IPv6 with LWIP_IPV6) or, with LWIP_DNS=1, a host name for
 * dns_gethostbyname(); bmqtt_lwip_raw_connect_status() then says how it
 * goes, once per loop pass, until it returns BMQTT_OK or an error.
 *
 * **Statuses.** Besides BMQTT_OK and BMQTT_WOULD_BLOCK:
 *  - BMQTT_ERR_PARAM: NULL argument, no ring, a port of 0, an empty host;
 *  - BMQTT_ERR_NOT_CONNECTED: send/recv on a context that is not connected
 *    (zeroed, closed, or still connecting);
 *  - BMQTT_ERR_DNS: the name did not resolve (or LWIP_DNS=0 and no number);
 *  - BMQTT_ERR_CONNECT: refused (RST to our SYN), no route, or lwIP gave up
 *    retrying the SYN;
 *  - BMQTT_ERR_TIMEOUT: not connected within the caller's timeout;
 *  - BMQTT_ERR_CLOSED: the broker closed in order (FIN), returned by recv
 *    once every byte before the FIN has been read; send returns it at once;
 *  - BMQTT_ERR_LWIP_RESET: the broker reset the connection (ERR_RST);
 *  - BMQTT_ERR_LWIP_ABORTED: lwIP aborted it (ERR_ABRT: retransmissions
 *    or keepalive ran out, or lwIP ran out of memory);
 *  - BMQTT_ERR_LWIP_MEM: lwIP had no PCB or memory to start a connection;
 *  - BMQTT_ERR_TRANSPORT: any other lwIP error.
 * Errors are sticky until the next connect_start. Bytes received before a
 * reset or FIN are still delivered first.
 *
 * **Memory.** The context and the ring are the caller's; this file never
 * allocates. lwIP takes a tcp_pcb and pbufs from its own pools.
 *
 * **Lifetime of the pcb.** lwIP frees a pcb itself before it reports an
 * error (tcp_err); the port forgets it there, and close never touches a
 * pcb that lwIP has freed. A zeroed context is a valid, unconnected one:
 * close on it does nothing.
 *
 * lwIP requirements: lwIP 2.1.x, LWIP_TCP=1, and LWIP_CALLBACK_API=1 (the
 * default). Built for NO_SYS=1; with an RTOS (NO_SYS=0) every call of this
 * file must run in the tcpip thread or with the core lock held
 * (LOCK_TCPIP_CORE()), as for any raw API call.
 *
 * @code
 * static uint8_t ring[2048];
 * static bmqtt_lwip_raw_t tcp;          // zeroed: no connection
 * bmqtt_transport_t tr;
 * bmqtt_lwip_raw_init(&tcp, ring, sizeof ring);
 * bmqtt_lwip_raw_connect_start(&tcp, "192.168.1.10", 1883, 5000);
 * for (;;) {                                 // the superloop
 *     ethernetif_input(&gnetif);
 *     sys_check_timeouts();
 *     if (bmqtt_lwip_raw_connect_status(&tcp) == BMQTT_OK && !started) {
 *         bmqtt_lwip_raw_transport(&tcp, &tr);
 *         bmqtt_client_connect(&client, &tr, &fields, sys_now());
 *         started = 1;
 *     }
 *     if (started) bmqtt_client_poll(&client, sys_now());
 * }
 * @endcode
 */
#ifndef BMQTT_LWIP_RAW_H
#define BMQTT_LWIP_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of this port (its part of BMQTT_STATUS_PORT_BASE; bmqtt_status_str() names them). */
#define BMQTT_ERR_LWIP_RESET ((bmqtt_status_t)(BMQTT_STATUS_PORT_BASE - 0))   /**< Peer reset the connection (ERR_RST). */
#define BMQTT_ERR_LWIP_ABORTED ((bmqtt_status_t)(BMQTT_STATUS_PORT_BASE - 1)) /**< lwIP aborted the connection (ERR_ABRT). */
#define BMQTT_ERR_LWIP_MEM ((bmqtt_status_t)(BMQTT_STATUS_PORT_BASE - 2))     /**< lwIP out of PCBs or memory. */

/** One TCP connection over lwIP's raw API. Owned by the caller; zero is "not connected".
 *  Treat the fields as private. */
typedef struct bmqtt_lwip_raw {
    struct tcp_pcb *pcb;  /**< Ours while not NULL; lwIP frees it on an error. */
    uint8_t *ring;        /**< The caller's receive ring. */
    size_t ring_size;     /**< Its size in bytes. */
    size_t ring_head;     /**< Offset of the oldest unread byte. */
    size_t ring_fill;     /**< Unread bytes in the ring. */
    struct pbuf *held;    /**< A received pbuf that did not fit, or NULL. */
    uint16_t held_off;    /**< Bytes of @c held already copied into the ring. */
    uint16_t port;        /**< Broker port. */
    const char *host;     /**< Name being resolved (the caller's string). */
    ip_addr_t addr;       /**< Broker address. */
    uint32_t started_ms;  /**< sys_now() at connect_start. */
    uint32_t timeout_ms;  /**< Connect timeout, 0: lwIP's SYN retries only. */
    int32_t status;       /**< Sticky error, 0: none. */
    int lwip_err;         /**< The lwIP err_t of the last failure, for logs. */
    size_t unacked;       /**< Bytes sent and not yet acknowledged by the peer. */
    uint32_t refused;     /**< Statistics: pbufs refused (ERR_MEM) because one was held. */
    uint8_t state;        /**< Internal. */
    uint8_t fin;          /**< 1: the peer's FIN arrived. */
} bmqtt_lwip_raw_t;

/**
 * @brief Prepare @p s with the receive ring @p ring of @p ring_size bytes.
 *        Never allocates; does not connect. @p s may be uninitialised
 *        memory; close a connection in it first (this forgets it).
 * @return BMQTT_OK, or BMQTT_ERR_PARAM (NULL, or a ring of 0 bytes).
 */
bmqtt_status_t bmqtt_lwip_raw_init(bmqtt_lwip_raw_t *s, uint8_t *ring, size_t ring_size);

/**
 * @brief Start connecting to @p host : @p port. Returns at once.
 *
 * A connection still open in @p s is closed first (the ring is kept).
 *
 * @param[in,out] s          initialised with bmqtt_lwip_raw_init().
 * @param[in]     host       IPv4 dotted quad, IPv6 literal (no brackets;
 *                           LWIP_IPV6=1), or a host name (LWIP_DNS=1). A
 *                           name must stay valid until the connect ends.
 * @param[in]     port       TCP port, e.g. 1883.
 * @param[in]     timeout_ms the connect's deadline (from sys_now()); 0 means
 *                           only lwIP's own SYN retries bound it.
 * @return BMQTT_WOULD_BLOCK (under way: ask bmqtt_lwip_raw_connect_status());
 *         BMQTT_ERR_PARAM; BMQTT_ERR_DNS; BMQTT_ERR_CONNECT; BMQTT_ERR_LWIP_MEM.
 */
bmqtt_status_t bmqtt_lwip_raw_connect_start(bmqtt_lwip_raw_t *s, const char *host, uint16_t port,
                                            uint32_t timeout_ms);

/**
 * @brief How the connect goes; call it once per loop pass.
 * @return BMQTT_OK when connected (and on every later call while it is);
 *         BMQTT_WOULD_BLOCK while resolving or connecting; the error that
 *         ended the attempt or the connection (see the file comment);
 *         BMQTT_ERR_NOT_CONNECTED for a context that never started one.
 */
bmqtt_status_t bmqtt_lwip_raw_connect_status(bmqtt_lwip_raw_t *s);

/**
 * @brief Fill @p t with this port's functions and @p s as their context.
 * @param[in]  s the connection; must outlive every use of @p t.
 * @param[out] t the transport for the client (or for the TLS port below it).
 */
void bmqtt_lwip_raw_transport(bmqtt_lwip_raw_t *s, bmqtt_transport_t *t);

/**
 * @brief Transport send: queue up to tcp_sndbuf() bytes of @p buf and push them out.
 * @param ctx a bmqtt_lwip_raw_t *.
 * @return bytes queued (> 0; lwIP copied them), BMQTT_WOULD_BLOCK, or an error.
 */
int32_t bmqtt_lwip_raw_send(void *ctx, const uint8_t *buf, size_t len);

/**
 * @brief Transport recv: take up to @p len bytes from the ring (and reopen
 *        lwIP's receive window by as many).
 * @param ctx a bmqtt_lwip_raw_t *.
 * @return bytes read (> 0), BMQTT_WOULD_BLOCK, BMQTT_ERR_CLOSED (FIN, ring
 *         drained), or an error.
 */
int32_t bmqtt_lwip_raw_recv(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief Transport close: tcp_close() the connection (tcp_abort() when lwIP
 *        cannot queue the FIN), drop a held pbuf and empty the ring. Safe on
 *        a zeroed or already closed context, and after lwIP freed the pcb.
 * @param ctx a bmqtt_lwip_raw_t *.
 */
void bmqtt_lwip_raw_close(void *ctx);

/**
 * @brief Close with a reset (tcp_abort()): the broker sees RST, not FIN.
 * @param ctx a bmqtt_lwip_raw_t *.
 */
void bmqtt_lwip_raw_abort(void *ctx);

/**
 * @brief Bytes handed to send that the broker has not acknowledged yet
 *        (lwIP's tcp_sent callback counts them down): 0 means everything
 *        reached the broker's TCP, e.g. before a deliberate close.
 */
size_t bmqtt_lwip_raw_unacked(const bmqtt_lwip_raw_t *s);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_LWIP_RAW_H */
