/**
 * @file client.h
 * @brief Non-blocking MQTT 3.1.1 client session over any bmqtt transport.
 *
 * The caller owns everything: the bmqtt_client_t, the transmit and receive
 * buffers, and the two tables that hold in-flight QoS 1/2 state. Nothing is
 * allocated. All work happens in bmqtt_client_poll(), which never blocks: it
 * sends what the transport accepts, reads what has arrived, and runs timers
 * from the millisecond clock the caller passes in (wraparound-safe).
 *
 * Single-threaded by design: call every function of one client from one task
 * (e.g. an RTOS task that loops on poll and takes requests from a queue).
 *
 * Lifetimes: an outgoing QoS 1/2 payload and topic are NOT copied; they must
 * stay valid until on_publish_done reports that message (they are resent from
 * there after a reconnect). A QoS 0 topic is copied into the transmit buffer
 * but its payload is sent from the caller's memory: keep it until
 * bmqtt_client_tx_idle() returns 1.
 *
 * @code
 * static uint8_t tx[512], rx[512];
 * static bmqtt_inflight_t out[8];
 * static uint16_t in_ids[8];
 * bmqtt_client_t c;
 * bmqtt_client_config_t cfg = { 0 };
 * cfg.tx_buf = tx; cfg.tx_size = sizeof tx; cfg.rx_buf = rx; cfg.rx_size = sizeof rx;
 * cfg.inflight = out; cfg.inflight_count = 8; cfg.qos2_ids = in_ids; cfg.qos2_count = 8;
 * cfg.on_message = on_msg;
 * bmqtt_client_init(&c, &cfg);
 * bmqtt_client_connect(&c, &transport, &connect_fields, now_ms());
 * for (;;) { bmqtt_status_t st = bmqtt_client_poll(&c, now_ms()); if (st < 0 && st != BMQTT_WOULD_BLOCK) break; }
 * @endcode
 */
#ifndef BMQTT_CLIENT_H
#define BMQTT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/codec.h"
#include "bmqtt/config.h"
#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One received message, or one chunk of a message larger than the receive buffer. */
typedef struct bmqtt_message {
    bmqtt_view_t topic;   /**< Valid during the callback only. */
    bmqtt_view_t payload; /**< This chunk: bytes [offset, offset + payload.len) of the message. */
    uint32_t offset;      /**< Where this chunk starts in the whole payload. */
    uint32_t total;       /**< Length of the whole payload. */
    uint16_t packet_id;   /**< 0 for QoS 0. */
    uint8_t qos;
    uint8_t retain;
    uint8_t dup;
} bmqtt_message_t;

/** One slot of the caller's outgoing in-flight table. Zero it; the client owns its contents. */
typedef struct bmqtt_inflight {
    bmqtt_publish_t pub; /**< Topic and payload are the caller's memory (see lifetimes). */
    uint16_t seq;        /**< Order of first transmission, for resends. */
    uint8_t state;       /**< 0 free, 1 awaiting PUBACK/PUBREC, 2 awaiting PUBCOMP. */
} bmqtt_inflight_t;

/** Events. Any may be NULL. @p user is bmqtt_client_config_t::user. */
typedef struct bmqtt_client_config {
    uint8_t *tx_buf;            /**< Packets are built here; sizes the largest non-payload part. */
    size_t tx_size;
    uint8_t *rx_buf;            /**< Received packets; larger PUBLISH payloads arrive in chunks. */
    size_t rx_size;
    bmqtt_inflight_t *inflight; /**< Outgoing QoS 1/2 table. */
    uint16_t inflight_count;
    uint16_t *qos2_ids;         /**< Incoming QoS 2 ids awaiting PUBREL (exactly-once). */
    uint16_t qos2_count;
    uint32_t response_timeout_ms; /**< CONNACK and PINGRESP wait; 0: BMQTT_RESPONSE_TIMEOUT_MS. */
    void *user;
    /** A message (or chunk) arrived. Its PUBACK/PUBREC is already queued and goes out
     *  when this returns; a QoS 1/2 publish made from here is sent after it, a QoS 0
     *  one gets BMQTT_ERR_BUSY when the line holds that answer. */
    void (*on_message)(void *user, const bmqtt_message_t *msg);
    /** SUBACK: one code per filter (0, 1, 2 or BMQTT_SUBACK_FAILURE). */
    void (*on_suback)(void *user, uint16_t packet_id, bmqtt_view_t codes);
    /** UNSUBACK. */
    void (*on_unsuback)(void *user, uint16_t packet_id);
    /** An outgoing QoS 1/2 message completed (PUBACK or PUBCOMP): its memory is free again. */
    void (*on_publish_done)(void *user, uint16_t packet_id);
} bmqtt_client_config_t;

/** Session states. */
enum { BMQTT_CLIENT_IDLE = 0, BMQTT_CLIENT_CONNECTING, BMQTT_CLIENT_CONNECTED, BMQTT_CLIENT_CLOSED };

/** The client. Caller-owned; all fields are private. */
typedef struct bmqtt_client {
    const bmqtt_client_config_t *cfg;
    const bmqtt_transport_t *tr; /* the caller's; kept alive by the caller */
    bmqtt_framer_t framer;
    const uint8_t *tx_extra;  /* payload sent after tx_buf[0..tx_len) without a copy */
    uint32_t tx_len, tx_sent, tx_extra_len;
    uint32_t rx_fill;          /* bytes in rx_buf */
    uint32_t rx_framed;        /* of which the framer has seen */
    uint32_t stream_off;       /* chunked PUBLISH: payload bytes delivered */
    uint32_t last_tx_ms, wait_since_ms;
    uint16_t keepalive_s, next_id, next_seq;
    uint16_t stream_head;      /* chunked PUBLISH: header + topic + id bytes kept in rx_buf */
    uint8_t state, ping_out, session_present, streaming;
    /* SUBSCRIBE/UNSUBSCRIBE awaiting an answer: packet id (0: free slot) and
     * the number of filters of a SUBSCRIBE (0 marks an UNSUBSCRIBE). */
    struct { uint16_t id, filters; } req[BMQTT_MAX_PENDING_REQ];
} bmqtt_client_t;

/**
 * @brief Prepare @p c with @p cfg (which must outlive @p c). Zeroes both tables.
 * @return BMQTT_OK or BMQTT_ERR_PARAM (a buffer under 16 bytes, a table of 0, or an
 *         in-flight table over BMQTT_MAX_INFLIGHT).
 */
bmqtt_status_t bmqtt_client_init(bmqtt_client_t *c, const bmqtt_client_config_t *cfg);

/**
 * @brief Start a session over @p tr (already connected at the TCP/TLS level;
 *        the client keeps the pointer, so @p tr must stay valid for the session):
 *        CONNECT is queued and sent by poll. Poll then returns BMQTT_OK once
 *        CONNACK accepts, or BMQTT_ERR_REFUSED_* / BMQTT_ERR_TIMEOUT.
 *
 * With clean_session 0 the in-flight tables are kept; if the broker answers
 * session present 1 the unacknowledged PUBLISH (DUP set) and PUBREL are resent
 * in their original order [MQTT-4.4.0-1]; with session present 0 they are
 * dropped (the broker has no session to complete them in) and on_publish_done
 * is NOT called for them: they were not delivered.
 */
bmqtt_status_t bmqtt_client_connect(bmqtt_client_t *c, const bmqtt_transport_t *tr, const bmqtt_connect_t *fields,
                                    uint32_t now_ms);

/**
 * @brief Do all pending work: send, receive, callbacks, keepalive.
 * @return BMQTT_OK when connected and idle or progressing; BMQTT_WOULD_BLOCK
 *         while connecting; a negative status when the session ended (the
 *         transport is closed then; reconnect with bmqtt_client_connect()).
 */
bmqtt_status_t bmqtt_client_poll(bmqtt_client_t *c, uint32_t now_ms);

/**
 * @brief Queue a PUBLISH. For QoS 1/2 a free in-flight slot and packet id are
 *        taken; *packet_id (may be NULL) receives it.
 * @return BMQTT_OK; BMQTT_ERR_NOT_CONNECTED; BMQTT_ERR_BUSY (a packet is still
 *         being sent: poll and retry); BMQTT_ERR_INFLIGHT_FULL; an encoder status.
 */
bmqtt_status_t bmqtt_client_publish(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id);

/**
 * @brief Queue a SUBSCRIBE of @p count filters; SUBACK reaches on_suback.
 *
 * Up to BMQTT_MAX_PENDING_REQ subscribe/unsubscribe requests may await their
 * answer; one more returns BMQTT_ERR_BUSY (poll and retry). A SUBACK whose id
 * is not pending, or whose return-code count differs from @p count, ends the
 * session with BMQTT_ERR_PROTOCOL. Pending requests are forgotten by a new
 * bmqtt_client_connect() (a broker never answers them on a new connection).
 * @return as publish, and BMQTT_ERR_PARAM for over 32,767 filters.
 */
bmqtt_status_t bmqtt_client_subscribe(bmqtt_client_t *c, const bmqtt_subscription_t *subs, size_t count,
                                      uint16_t *packet_id);

/** @brief Queue an UNSUBSCRIBE of @p count filters; UNSUBACK reaches on_unsuback. As subscribe. */
bmqtt_status_t bmqtt_client_unsubscribe(bmqtt_client_t *c, const bmqtt_view_t *filters, size_t count,
                                        uint16_t *packet_id);

/** @brief Send DISCONNECT (best effort, without blocking) and close the transport. */
void bmqtt_client_disconnect(bmqtt_client_t *c);

/** @brief Close the transport without DISCONNECT (the broker then publishes the will). */
void bmqtt_client_abort(bmqtt_client_t *c);

/** @brief 1 when nothing is waiting to be sent. */
int bmqtt_client_tx_idle(const bmqtt_client_t *c);

/** @brief The session-present flag of the last CONNACK (1: the broker kept our session). */
int bmqtt_client_session_present(const bmqtt_client_t *c);

/** @brief Number of outgoing QoS 1/2 messages not yet completed. */
size_t bmqtt_client_inflight(const bmqtt_client_t *c);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_CLIENT_H */
