/* What the client's files share: the in-flight slot's state and flags. */
#ifndef BMQTT_CLIENT_INTERNAL_H
#define BMQTT_CLIENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/client.h"

#define WAIT_ACK 1u    /* PUBACK (QoS 1) or PUBREC (QoS 2) */
#define WAIT_COMP 2u   /* PUBCOMP, after PUBREL */
#define NEEDS_SEND 0x80u
#define F_SENT 0x01u   /* queued on some connection: a resend carries DUP */
#define F_OUTBOX 0x02u /* topic and payload are copies in the outbox */
#define NO_SLOT 0xFFFFu

/* c->journal operations (persist.h): what changed, and the slot or the packet id. */
#define J_PUBLISH 1u   /* slot: taken, id and seq set, state about to be WAIT_ACK; when this fails,
                        * the journal frees the slot's outbox copy (publish returns its status) */
#define J_RELEASE 2u   /* slot: PUBREC came, now WAIT_COMP */
#define J_DONE 3u      /* slot: ended */
#define J_QOS2_IN 4u   /* id: the application has taken this incoming QoS 2 message */
#define J_QOS2_OUT 5u  /* id: PUBREL came */
#define J_QOS2_CLEAR 6u /* CONNACK without a session: no id is kept */

/* Small helpers every client file uses (static inline: each file inlines its own). */
static inline uint32_t since(uint32_t now, uint32_t then)
{
    return now - then; /* modulo 2^32: right across the wrap */
}

static inline uint32_t timeout_ms(const bmqtt_client_t *c)
{
    return c->cfg->response_timeout_ms ? c->cfg->response_timeout_ms : BMQTT_RESPONSE_TIMEOUT_MS;
}

/* The lock hooks, out of line in bmqtt_client.c: one copy for every call that takes them. */
void bmqtt_client_lock_(const bmqtt_client_t *c);
void bmqtt_client_unlock_(const bmqtt_client_t *c);
static inline void lock(const bmqtt_client_t *c)
{
    bmqtt_client_lock_(c);
}

static inline void unlock(const bmqtt_client_t *c)
{
    bmqtt_client_unlock_(c);
}

/* CONNECTING, CONNECTED or DISCONNECTING: a transport is open. */
static inline int open_session(const bmqtt_client_t *c)
{
    return (unsigned)c->state - BMQTT_CLIENT_CONNECTING <= BMQTT_CLIENT_DISCONNECTING - BMQTT_CLIENT_CONNECTING;
}

static inline int tx_busy(const bmqtt_client_t *c)
{
    return c->tx_tail != 0 || c->tx_extra_len != 0;
}

/* Room at the end of the queue (which always starts at tx_buf[0]). */
static inline size_t tx_room(const bmqtt_client_t *c)
{
    return c->cfg->tx_size - c->tx_tail;
}

static inline int usable(const bmqtt_client_t *c)
{
    return c != NULL && c->cfg != NULL;
}

#endif
