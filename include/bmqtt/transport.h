/**
 * @file transport.h
 * @brief The port contract: how bmqtt moves bytes.
 *
 * A transport is three function pointers and an opaque context. There is no
 * global network-context type: a TLS or WebSocket transport keeps a pointer to
 * the transport below it in its own context and calls through it, so any
 * transport can wrap any other (WebSocket over TLS over lwIP is three).
 *
 * Both calls are non-blocking. They return one of:
 *  - > 0, at most the length asked: bytes moved (fewer than asked is fine:
 *    the caller resumes later);
 *  - 0 or BMQTT_WOULD_BLOCK: nothing can move now;
 *  - BMQTT_ERR_CLOSED: the peer closed the connection in order;
 *  - BMQTT_ERR_TRANSPORT, BMQTT_ERR_CONNECT, BMQTT_ERR_DNS: the transport
 *    failed (a connection still being made may fail late);
 *  - a code of the port's own layer, -70 or below (BMQTT_STATUS_TLS_BASE and
 *    the ranges after it, BMQTT_STATUS_USER_BASE for your own ports), named
 *    through bmqtt_status_register().
 * Anything else (BMQTT_NEED_MORE, a codec or CONNACK status, more bytes than
 * asked) is the port's bug: the client ends the session with
 * BMQTT_ERR_TRANSPORT and keeps the value in bmqtt_client_error_t::port_status,
 * so a port never makes the broker look guilty of what it did.
 *
 * Functions are called from the one thread that drives the client.
 */
#ifndef BMQTT_TRANSPORT_H
#define BMQTT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A byte pipe to the broker. Filled by a port's init function or by hand. */
typedef struct bmqtt_transport {
    /** Send up to @p len bytes of @p buf. */
    int32_t (*send)(void *ctx, const uint8_t *buf, size_t len);
    /** Receive up to @p len bytes into @p buf. */
    int32_t (*recv)(void *ctx, uint8_t *buf, size_t len);
    /** Close the connection; may be NULL. Called once when the session ends. */
    void (*close)(void *ctx);
    /** Passed back to every call; owned by the caller. */
    void *ctx;
} bmqtt_transport_t;

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_TRANSPORT_H */
