/**
 * @file bmqtt_posix.h
 * @brief A bmqtt transport over BSD sockets (Linux, macOS, the BSDs).
 *
 * TCP over IPv4 or IPv6: the host name goes through getaddrinfo() and every
 * address it returns is tried in order until one connects within the time
 * left; or a Unix-domain stream socket (a broker on the same machine, such as
 * mosquitto's `listener 0 /path`). Once connected the socket is non-blocking: send and recv never wait,
 * they return BMQTT_WOULD_BLOCK instead. Writing to a socket the peer closed
 * never raises SIGPIPE (MSG_NOSIGNAL, or SO_NOSIGPIPE where that is what the
 * system has).
 *
 * The caller owns the bmqtt_posix_t; nothing is allocated by this file
 * (getaddrinfo() itself uses the C library's heap, which is why this port is
 * for hosted systems only).
 *
 * Status mapping:
 *  - connection closed by the peer (recv() returns 0): BMQTT_ERR_CLOSED;
 *  - EAGAIN / EWOULDBLOCK: BMQTT_WOULD_BLOCK;
 *  - any other socket error: BMQTT_ERR_TRANSPORT (errno kept in last_errno);
 *  - name not resolved: BMQTT_ERR_DNS;
 *  - refused, unreachable or not connected in time: BMQTT_ERR_CONNECT.
 *
 * @code
 * bmqtt_posix_t sock;
 * bmqtt_transport_t tr;
 * bmqtt_posix_init(&sock);
 * if (bmqtt_posix_connect(&sock, "localhost", 1883, 5000) != BMQTT_OK) return 1;
 * bmqtt_posix_transport(&sock, &tr);
 * // give &tr to the client; wait for traffic with bmqtt_posix_wait(&sock, ...)
 * // between calls to bmqtt_client_poll(), then:
 * bmqtt_posix_close(&sock);
 * @endcode
 */
#ifndef BMQTT_POSIX_H
#define BMQTT_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One TCP connection. Owned by the caller; zeroed (a static is) or bmqtt_posix_init() means no socket. */
typedef struct bmqtt_posix {
    int sock;       /**< The socket plus one; 0 when not connected, so a zeroed context is valid
                         and socket 0 is never closed by accident. */
    int last_errno; /**< errno (or getaddrinfo() code for BMQTT_ERR_DNS) of the last failure. */
} bmqtt_posix_t;

/** @brief Prepare @p s: no socket yet. Never fails, never allocates. */
void bmqtt_posix_init(bmqtt_posix_t *s);

/** @brief The socket descriptor, or -1 when not connected (for select/poll of your own). */
int bmqtt_posix_fd(const bmqtt_posix_t *s);

/**
 * @brief Resolve @p host and open a TCP connection to it, waiting at most
 *        @p timeout_ms for the whole attempt (all addresses together).
 *
 * Name resolution itself uses the blocking getaddrinfo(); its own time is not
 * bounded by @p timeout_ms. TCP_NODELAY is set: MQTT packets are small and
 * answered one by one. A connection already open in @p s is closed first.
 *
 * @param[in,out] s          the connection.
 * @param[in]     host       host name, IPv4 dotted quad or IPv6 literal (no brackets).
 * @param[in]     port       TCP port, e.g. 1883.
 * @param[in]     timeout_ms 0 means no limit.
 * @return BMQTT_OK; BMQTT_ERR_PARAM; BMQTT_ERR_DNS; BMQTT_ERR_CONNECT;
 *         BMQTT_ERR_TRANSPORT (no socket could be created).
 */
bmqtt_status_t bmqtt_posix_connect(bmqtt_posix_t *s, const char *host, uint16_t port, uint32_t timeout_ms);

/**
 * @brief As bmqtt_posix_connect(), from the local address @p local_addr: the
 *        socket is bound to it before connecting, which picks the interface
 *        (a gateway with Ethernet and a cellular modem, say).
 *
 * @p local_addr is a name or address of this machine (port 0: any); only the
 * broker's addresses of the same family (IPv4, IPv6) are tried. NULL is
 * bmqtt_posix_connect().
 *
 * @return as bmqtt_posix_connect(); BMQTT_ERR_DNS also when @p local_addr does
 *         not resolve; BMQTT_ERR_CONNECT when it is not an address of this
 *         machine (EADDRNOTAVAIL in last_errno) or no broker address has its
 *         family (EAFNOSUPPORT).
 */
bmqtt_status_t bmqtt_posix_connect_from(bmqtt_posix_t *s, const char *host, uint16_t port, const char *local_addr,
                                        uint32_t timeout_ms);

/**
 * @brief Open a Unix-domain stream socket to @p path (a local broker), waiting
 *        at most @p timeout_ms when its backlog is full.
 *
 * Everything else (send, recv, wait, close) is as for TCP. A connection
 * already open in @p s is closed first.
 *
 * @param[in,out] s          the connection.
 * @param[in]     path       the socket's file name; shorter than sun_path (108 bytes on Linux).
 * @param[in]     timeout_ms 0 means no limit.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL, empty or too long a path); BMQTT_ERR_CONNECT
 *         (no such socket, refused, no permission, out of time; errno in last_errno);
 *         BMQTT_ERR_TRANSPORT (no socket could be created).
 */
bmqtt_status_t bmqtt_posix_connect_unix(bmqtt_posix_t *s, const char *path, uint32_t timeout_ms);

/**
 * @brief Fill @p t with this port's functions and @p s as their context.
 * @param[in]  s the connection; must outlive every use of @p t.
 * @param[out] t the transport to hand to the client.
 */
void bmqtt_posix_transport(bmqtt_posix_t *s, bmqtt_transport_t *t);

/**
 * @brief Transport send: write up to @p len bytes without waiting.
 * @param ctx a bmqtt_posix_t *.
 * @return bytes written (> 0), BMQTT_WOULD_BLOCK, BMQTT_ERR_CLOSED (not
 *         connected), or BMQTT_ERR_TRANSPORT. Writes at most INT32_MAX bytes.
 */
int32_t bmqtt_posix_send(void *ctx, const uint8_t *buf, size_t len);

/**
 * @brief Transport recv: read up to @p len bytes without waiting.
 * @param ctx a bmqtt_posix_t *.
 * @return bytes read (> 0), BMQTT_WOULD_BLOCK, BMQTT_ERR_CLOSED (end of
 *         stream, or not connected), or BMQTT_ERR_TRANSPORT.
 */
int32_t bmqtt_posix_recv(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief Transport close: close the socket at once (no DISCONNECT is sent;
 *        that is the client's job). Safe to call twice.
 * @param ctx a bmqtt_posix_t *.
 */
void bmqtt_posix_close(void *ctx);

/**
 * @brief Wait until the socket is readable (or, with @p want_write, writable),
 *        at most @p timeout_ms. Lets a host application sleep between polls.
 * @return 1 when ready, 0 on timeout or interruption by a signal,
 *         BMQTT_ERR_CLOSED when not connected, BMQTT_ERR_TRANSPORT on error.
 */
int bmqtt_posix_wait(const bmqtt_posix_t *s, int want_write, uint32_t timeout_ms);

/** @brief A monotonic millisecond clock for bmqtt_client_poll(); wraps after 2^32 ms. */
uint32_t bmqtt_posix_now_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_POSIX_H */
