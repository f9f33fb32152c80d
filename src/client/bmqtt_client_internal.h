/* What the client's files share: the in-flight slot's state and flags, the session's flags,
 * and the functions bmqtt_client.c (the session, the transmit queue) and
 * bmqtt_client_incoming.c (the packets that come in) call across. */
#ifndef BMQTT_CLIENT_INTERNAL_H
#define BMQTT_CLIENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

#define ACK_ROOM 4u /* bytes of PUBACK/PUBREC/PUBREL/PUBCOMP */

/* c->flags */
#define CF_CONNACK 0x01u  /* CONNACK handled in this poll: return right after */
#define CF_QUICK 0x02u    /* disconnect before CONNACK: nothing to wait for */
#define CF_DIS_SENT 0x04u /* DISCONNECT queued */
#define CF_ACKED 0x10u    /* CONNACK received on this connection */
#define CF_LATE 0x20u     /* disconnect gave up waiting for acks */

/* What ended the session, for last_error: WHY(packet type, rule), with ID(id)
 * or'ed in where a packet id is known; kept as one word. */
#define WHY(type, rule) ((uint32_t)(type) | ((uint32_t)(rule) << 4))
#define ID(id) ((uint32_t)(id) << 16)

static inline bmqtt_status_t note(bmqtt_client_t *c, bmqtt_status_t st, uint32_t why)
{
    c->err_status = st;
    c->err_why = why;
    BMQTT_LOG("bmqtt: %s (packet type %u, id %u): %s", bmqtt_status_str(st), (unsigned)(why & 15u),
              (unsigned)(why >> 16), bmqtt_client_rule_str((why >> 4) & 0xFFFu));
    return st;
}

/* An event with the fields every type has; the rest zero. */
static inline void ev_init(bmqtt_event_t *ev, bmqtt_event_type_t type, bmqtt_status_t st, uint16_t id)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->status = st;
    ev->packet_id = id;
}

/* Whether received packets are handled now: not after the CONNACK of this poll
 * (poll returns first), nor once DISCONNECT is queued (no answer may follow it). */
static inline int live(const bmqtt_client_t *c)
{
    return c->state != BMQTT_CLIENT_CLOSED && !(c->flags & (CF_CONNACK | CF_DIS_SENT));
}

/* Out of line in bmqtt_client.c, for bmqtt_client_incoming.c too. find_slot and qos2_set take
 * the configuration, as GCC passed it to them when they were static: fewer bytes at each call. */
void bmqtt_client_emit_(bmqtt_client_t *c, bmqtt_event_t *ev);
void bmqtt_client_emit_simple_(bmqtt_client_t *c, bmqtt_event_type_t type, bmqtt_status_t st, uint16_t id);
void bmqtt_client_slot_done_(bmqtt_client_t *c, bmqtt_inflight_t *s, bmqtt_status_t st);
bmqtt_status_t bmqtt_client_tx_small_(bmqtt_client_t *c, unsigned first_byte, unsigned id);
bmqtt_inflight_t *bmqtt_client_find_slot_(const bmqtt_client_config_t *cfg, uint16_t id);
int bmqtt_client_find_req_(const bmqtt_client_t *c, uint16_t id);
#if BMQTT_PERSIST
bmqtt_status_t bmqtt_client_journal_(bmqtt_client_t *c, unsigned op, bmqtt_inflight_t *slot, unsigned id);
#else
#define bmqtt_client_journal_(c, op, slot, id) BMQTT_OK /* built without persistence: nothing to tell */
#endif
/* In bmqtt_client_incoming.c, for bmqtt_client.c. */
int bmqtt_client_qos2_set_(const bmqtt_client_config_t *cfg, uint16_t old_id, uint16_t new_id);
bmqtt_status_t bmqtt_client_drain_(bmqtt_client_t *c);

static inline void emit(bmqtt_client_t *c, bmqtt_event_t *ev)
{
    bmqtt_client_emit_(c, ev);
}

static inline void emit_simple(bmqtt_client_t *c, bmqtt_event_type_t type, bmqtt_status_t st, uint16_t id)
{
    bmqtt_client_emit_simple_(c, type, st, id);
}

static inline void slot_done(bmqtt_client_t *c, bmqtt_inflight_t *s, bmqtt_status_t st)
{
    bmqtt_client_slot_done_(c, s, st);
}

static inline bmqtt_status_t tx_small(bmqtt_client_t *c, unsigned first_byte, unsigned id)
{
    return bmqtt_client_tx_small_(c, first_byte, id);
}

static inline bmqtt_inflight_t *find_slot(const bmqtt_client_t *c, uint16_t id)
{
    return bmqtt_client_find_slot_(c->cfg, id);
}

static inline int find_req(const bmqtt_client_t *c, uint16_t id)
{
    return bmqtt_client_find_req_(c, id);
}

static inline int qos2_set(bmqtt_client_t *c, uint16_t old_id, uint16_t new_id)
{
    return bmqtt_client_qos2_set_(c->cfg, old_id, new_id);
}

static inline bmqtt_status_t drain(bmqtt_client_t *c)
{
    return bmqtt_client_drain_(c);
}

#endif
