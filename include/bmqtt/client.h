/**
 * @file client.h
 * @brief Non-blocking MQTT 3.1.1 client session over any bmqtt transport.
 *
 * The caller owns everything: the bmqtt_client_t, the transmit and receive
 * buffers, the table of outgoing QoS 1/2 messages, the ids of incoming QoS 2
 * messages, and optionally an outbox that copies QoS 1/2 messages and a table
 * of pending SUBSCRIBE/UNSUBSCRIBE requests. Nothing is allocated.
 *
 * The contract is that the obvious code is the correct code:
 *  - publish, subscribe, unsubscribe and disconnect put their packet on the
 *    wire at once, as far as the transport takes it; what it does not take
 *    waits in tx_buf, several packets back to back, oldest first, and leaves
 *    from bmqtt_client_poll(). Three publishes in a row are three messages.
 *  - A QoS 0 message and the first transmission of a QoS 1/2 message are
 *    copied into tx_buf, so the caller's buffers are free when publish
 *    returns. A QoS 1/2 message is also kept for a resend after a reconnect:
 *    in the outbox (a copy) when one is given, otherwise by
 *    reference (then topic and payload must stay valid until its
 *    BMQTT_EVT_PUBLISH_DONE; bmqtt_client_publish_ref() asks for that
 *    explicitly, e.g. for a payload in flash). Only a packet larger than the
 *    whole tx_buf is sent from the caller's memory after its header; one such
 *    packet may wait at a time.
 *  - Every outgoing QoS 1/2 message ends with exactly one
 *    BMQTT_EVT_PUBLISH_DONE: BMQTT_OK when acknowledged, or the reason it was
 *    dropped. With clean session 0 nothing is dropped: unacknowledged
 *    messages are resent on the next connection, whatever Session Present
 *    says [MQTT-4.4.0-1].
 *  - A reset ends all of that, unless the session is kept where a reset
 *    keeps it (persist.h: retained RAM, or flash through a store): then a
 *    QoS 1/2 message published by copy is durable from the moment
 *    bmqtt_client_publish() returns BMQTT_OK, and is resent after the reset.
 *  - Every wait has a deadline (response_timeout_ms): CONNACK, PINGRESP,
 *    SUBACK, UNSUBACK, the acks a graceful disconnect waits for, and bytes the
 *    transport does not take.
 *
 * One task drives a client: call every function from it, or give the config
 * a lock (lock/unlock, a recursive mutex) so that other tasks may call it:
 * every function but bmqtt_client_init() and bmqtt_client_rule_str() takes the
 * lock then, the read-only ones (state, last_error, sleep_ms, tx_idle...) too.
 *
 * tx_buf sizing: each queued packet takes its wire size in tx_buf. A QoS 0
 * PUBLISH of topic T and payload P bytes is 2 + 2 + T + P bytes when that is
 * under 128, 3 + 2 + T + P under 16,384; QoS 1/2 add 2 for the id. N such
 * messages queued back to back need N times that; acks take 4 bytes each.
 *
 * @code
 * #include "bmqtt/client.h"
 *
 * static uint8_t tx[1024], rx[512], outbox[1024];
 * static bmqtt_inflight_t out[8];
 * static uint16_t in_ids[8];
 * static bmqtt_client_t client;
 *
 * static void on_event(void *user, const bmqtt_event_t *ev)
 * {
 *     (void)user;
 *     if (ev->type == BMQTT_EVT_MESSAGE) { (void)ev->message->payload; }
 * }
 *
 * int run(const bmqtt_transport_t *tr, uint32_t (*now_ms)(void));
 * int run(const bmqtt_transport_t *tr, uint32_t (*now_ms)(void))
 * {
 *     static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
 *         .rx_size = sizeof rx, .inflight = out, .inflight_count = 8, .qos2_ids = in_ids,
 *         .qos2_count = 8, .on_event = on_event };
 *     bmqtt_connect_t conn = { .client_id = BMQTT_VIEW("dev1"), .clean_session = 1, .keepalive_s = 60 };
 *     bmqtt_subscription_t sub = { BMQTT_VIEW("dev1/cmd"), 1 };
 *     bmqtt_publish_t hello = { .topic = BMQTT_VIEW("dev1/state"), .payload = BMQTT_VIEW("online"), .qos = 1 };
 *     bmqtt_status_t st;
 *
 *     if (bmqtt_client_init(&client, &cfg) != BMQTT_OK) return -1;
 *     bmqtt_client_set_outbox(&client, outbox, sizeof outbox); // QoS 1/2 copied: your buffers are free
 *     if (bmqtt_client_connect(&client, tr, &conn, now_ms()) != BMQTT_OK) return -1;
 *     while ((st = bmqtt_client_poll(&client, now_ms())) == BMQTT_WOULD_BLOCK) { }
 *     if (st != BMQTT_OK) return -1;               // refused, timeout, transport error
 *     bmqtt_client_publish(&client, &hello, NULL);  // on the wire now
 *     bmqtt_client_subscribe(&client, &sub, 1, NULL);
 *     while (bmqtt_client_poll(&client, now_ms()) >= 0) { }  // until the session ends
 *     return 0;
 * }
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
    bmqtt_view_t topic;   /**< Valid during the event only. */
    bmqtt_view_t payload; /**< This chunk: bytes [offset, offset + payload.len) of the message. */
    uint32_t offset;      /**< Where this chunk starts in the whole payload. */
    uint32_t total;       /**< Length of the whole payload. */
    uint16_t packet_id;   /**< 0 for QoS 0. */
    uint8_t qos;          /**< 0..2, as sent by the broker. */
    uint8_t retain;       /**< 1: a retained message (sent because of a new subscription). */
    uint8_t dup;          /**< 1: the broker may have sent it before (QoS 1/2). */
} bmqtt_message_t;

/** One slot of the caller's outgoing QoS 1/2 table. Zero it; the client owns its contents. */
typedef struct bmqtt_inflight {
    bmqtt_publish_t pub; /**< Topic and payload: in the outbox, or the caller's memory (by reference). */
    uint32_t end;        /**< The client's: where its last packet ends in the byte stream. */
    uint16_t seq;        /**< Order of first transmission, for resends. */
    uint8_t state;       /**< 0 free; otherwise the client's. */
    uint8_t flags;       /**< The client's. */
} bmqtt_inflight_t;

/** One pending SUBSCRIBE/UNSUBSCRIBE (bmqtt_client_config_t::requests). Zero it. */
typedef struct bmqtt_request {
    uint32_t sent_ms;  /**< When it was queued: its deadline starts there. */
    uint16_t id;       /**< 0: free. */
    uint16_t filters;  /**< Filters of a SUBSCRIBE; 0 marks an UNSUBSCRIBE. */
} bmqtt_request_t;

/** What bmqtt_event_t reports. */
typedef enum bmqtt_event_type {
    /** CONNACK arrived: return_code, session_present; status BMQTT_OK or its refusal (BMQTT_ERR_REFUSED_IDENTIFIER...). */
    BMQTT_EVT_CONNACK = 1,
    /** A message (or a chunk of one): message. Its PUBACK/PUBREC is queued before this event. */
    BMQTT_EVT_MESSAGE,
    /** An outgoing QoS 1/2 message ended: packet_id, status (BMQTT_OK: acknowledged;
     *  otherwise why it was dropped). Its memory is the caller's again. */
    BMQTT_EVT_PUBLISH_DONE,
    /** SUBACK: packet_id, codes (one per filter: 0, 1, 2 or BMQTT_SUBACK_FAILURE), status
     *  BMQTT_OK; or no answer: status BMQTT_ERR_TIMEOUT or BMQTT_ERR_NOT_CONNECTED (session ended). */
    BMQTT_EVT_SUBACK,
    /** UNSUBACK: packet_id, status as for BMQTT_EVT_SUBACK. */
    BMQTT_EVT_UNSUBACK,
    /** An incoming QoS 2 message completed (PUBREL received, PUBCOMP queued): packet_id. */
    BMQTT_EVT_QOS2_DONE,
    /** The session ended: status (BMQTT_OK after a graceful disconnect); the transport is closed. */
    BMQTT_EVT_CLOSED
} bmqtt_event_type_t;

/** An event. Fields not listed for its type are zero. Valid during the callback only. */
typedef struct bmqtt_event {
    bmqtt_event_type_t type; /**< What happened. */
    bmqtt_status_t status;   /**< Its outcome (see each type). */
    uint16_t packet_id;      /**< The packet id it concerns, or 0. */
    uint8_t return_code;     /**< BMQTT_EVT_CONNACK. */
    uint8_t session_present; /**< BMQTT_EVT_CONNACK. */
    bmqtt_view_t codes;      /**< BMQTT_EVT_SUBACK. */
    const bmqtt_message_t *message; /**< BMQTT_EVT_MESSAGE. */
} bmqtt_event_t;

/**
 * The caller's memory and hooks. Zeroed fields get defaults; it must outlive
 * the client (a static const is typical).
 */
typedef struct bmqtt_client_config {
    uint8_t *tx_buf;            /**< Queue of outgoing packets; at least 16 bytes. */
    size_t tx_size;             /**< Bytes of tx_buf. */
    uint8_t *rx_buf;            /**< Received packets; larger PUBLISH payloads arrive in chunks. */
    size_t rx_size;             /**< Bytes of rx_buf, 16 up to 268,435,455. */
    bmqtt_inflight_t *inflight; /**< Outgoing QoS 1/2 table. */
    uint16_t inflight_count;    /**< Its entries: QoS 1/2 messages open at once (up to BMQTT_MAX_INFLIGHT). */
    uint16_t *qos2_ids;         /**< Incoming QoS 2 ids awaiting PUBREL (exactly-once). */
    uint16_t qos2_count;        /**< Its entries. */
    bmqtt_request_t *requests;  /**< Optional: pending SUBSCRIBE/UNSUBSCRIBE; NULL: one, built in. */
    uint16_t request_count;     /**< Entries of requests. */
    uint32_t response_timeout_ms; /**< Every wait (see above); 0: BMQTT_RESPONSE_TIMEOUT_MS. */
    void *user;                 /**< Passed to every hook. */
    /** Every event; may be NULL. Any client call but bmqtt_client_init() (refused with
     *  BMQTT_ERR_BUSY) may be made from it, abort() and connect() included. */
    void (*on_event)(void *user, const bmqtt_event_t *ev);
    /** Optional lock around every call of this client, the read-only ones included
     *  (a recursive mutex: events run inside it). */
    void (*lock)(void *user);
    void (*unlock)(void *user); /**< Releases lock. */
} bmqtt_client_config_t;

/** Session states (bmqtt_client_state()). */
typedef enum bmqtt_client_state {
    BMQTT_CLIENT_IDLE = 0,       /**< Initialised, never connected. */
    BMQTT_CLIENT_CONNECTING,     /**< CONNECT sent or queued, awaiting CONNACK. */
    BMQTT_CLIENT_CONNECTED,      /**< CONNACK accepted. */
    BMQTT_CLIENT_DISCONNECTING,  /**< bmqtt_client_disconnect() is finishing in poll. */
    BMQTT_CLIENT_CLOSED          /**< Session ended; bmqtt_client_last_error() says why. */
} bmqtt_client_state_t;

/**
 * What a broker (or the link) did wrong, for bmqtt_client_error_t::rule. The
 * names live in bmqtt_client_rule_str(), so a firmware that never prints them
 * does not carry them.
 */
typedef enum bmqtt_rule {
    BMQTT_RULE_NONE = 0,         /**< No rule: a refused call (see the status), or a graceful end. */
    BMQTT_RULE_CONNACK_FIRST,    /**< [MQTT-3.2.0-1] the first packet from the server is not CONNACK. */
    BMQTT_RULE_CONNACK_TWICE,    /**< A second CONNACK on one connection (section 4.8: protocol violation). */
    BMQTT_RULE_SESSION_PRESENT,  /**< [MQTT-3.2.2-1] Session Present 1 answering clean session 1. */
    BMQTT_RULE_REFUSED,          /**< CONNACK refused the connection (its return code is the status). */
    BMQTT_RULE_ACK_UNKNOWN,      /**< [MQTT-4.3.2-2] PUBACK for no QoS 1 PUBLISH in flight. */
    BMQTT_RULE_PUBCOMP_UNKNOWN,  /**< [MQTT-4.3.3-2] PUBCOMP for no PUBREL sent. */
    BMQTT_RULE_SUBACK_UNKNOWN,   /**< [MQTT-3.8.4-5] SUBACK for no pending SUBSCRIBE, or with another code count. */
    BMQTT_RULE_UNSUBACK_UNKNOWN, /**< [MQTT-3.10.4-4] UNSUBACK for no pending UNSUBSCRIBE. */
    BMQTT_RULE_MALFORMED,        /**< [MQTT-4.8.0-1] a malformed packet (the status says which rule). */
    BMQTT_RULE_TOO_LARGE,        /**< A packet rx_buf cannot hold (only PUBLISH payloads are streamed). */
    BMQTT_RULE_QOS2_FULL,        /**< The qos2_ids table is full: more QoS 2 messages open than it holds. */
    BMQTT_RULE_NO_CONNACK,       /**< No CONNACK within the response timeout. */
    BMQTT_RULE_NO_PINGRESP,      /**< No PINGRESP within the response timeout. */
    BMQTT_RULE_NO_ANSWER,        /**< No SUBACK/UNSUBACK within the response timeout. */
    BMQTT_RULE_STALLED,          /**< The transport took no byte for the response timeout. */
    BMQTT_RULE_ACKS_MISSING,     /**< A graceful disconnect gave up waiting for acks. */
    BMQTT_RULE_TRANSPORT,        /**< The transport failed or the peer closed (the status says which). */
    BMQTT_RULE_OVERRUN,          /**< The transport's recv reported more bytes than it was asked for. */
    BMQTT_RULE_CHANGED,          /**< A message kept by reference was invalid at its resend. */
    BMQTT_RULE_PUBREC_UNKNOWN    /**< [MQTT-4.3.3-1] PUBREC for no QoS 2 PUBLISH in flight. */
} bmqtt_rule_t;

/** Why the session ended (bmqtt_client_last_error()); a refused call says why in its status. */
typedef struct bmqtt_client_error {
    bmqtt_status_t status;   /**< BMQTT_OK: no error. */
    uint8_t packet_type;     /**< Type of the packet that caused it (0: none, e.g. a timeout). */
    uint8_t rule;            /**< A bmqtt_rule_t; bmqtt_client_rule_str() names it. */
    uint16_t packet_id;      /**< Its id, when it has one. */
    /** What the transport returned when it was none of the values transport.h
     *  allows (status BMQTT_ERR_TRANSPORT, rule BMQTT_RULE_TRANSPORT): the port's
     *  own code, kept for its author; 0 otherwise. */
    int32_t port_status;
} bmqtt_client_error_t;

/** The client. Caller-owned; every field is private. Independent of config.h options. */
typedef struct bmqtt_client {
    /** @cond BMQTT_PRIVATE */
    /* Ordered for Thumb's 16-bit loads and stores: the busy byte fields below offset 32,
     * halfwords below 64, words below 128. */
    const bmqtt_client_config_t *cfg;
    bmqtt_request_t *reqs;     /* cfg->requests, or req1 */
    uint32_t tx_total;         /* bytes ever queued (modulo 2^32): the stream position of the queue's end */
    uint16_t next_id, next_seq;
    uint16_t outbox_live;      /* slots whose copies are in the outbox */
    uint16_t nreq;             /* entries of reqs */
    /* From here to outbox: reset by every connect. */
    int32_t err_status;        /* bmqtt_client_last_error() */
    uint32_t err_why;          /* its packet type | rule << 4 | packet id << 16 */
    uint8_t state, flags, ping_out, streaming, session_present, clean;
    uint8_t in_event;          /* events running (nested): init is refused meanwhile */
    uint16_t keepalive_s, tx_extra_slot;
    uint16_t stream_q2;        /* QoS 2 id taken by a message not delivered whole yet */
    const bmqtt_transport_t *tr;
    uint32_t tx_tail;          /* queued bytes: tx_buf[0..tx_tail) */
    uint32_t tx_extra_len;     /* bytes of tx_extra still to send */
    uint32_t rx_fill, rx_framed;
    int32_t tx_err;            /* a send error met inside an API call, for poll to report */
    int32_t port_status;       /* a transport value outside transport.h's list, for last_error */
    const uint8_t *tx_extra;   /* payload of a packet too large for tx_buf, sent from its memory */
    uint32_t tx_extra_at;      /* where tx_extra goes in the stream (offset in tx_buf) */
    uint32_t now_ms, stall_ms, last_tx_ms, ping_ms;
    uint32_t wait_ms;          /* CONNECT or disconnect() began: the CONNACK or the acks are due */
    uint32_t stream_off, stream_head;
    bmqtt_framer_t framer;
    bmqtt_request_t req1;      /* the built-in request slot when cfg->requests is NULL */
    /* To the end: kept by connect. */
    uint8_t *outbox;           /* bmqtt_client_set_outbox() */
    uint32_t outbox_size, outbox_used;
    bmqtt_status_t (*outbox_copy)(struct bmqtt_client *c, bmqtt_inflight_t *slot); /* NULL: no outbox */
    /* persist.h: records each change of the QoS 1/2 state; NULL: nothing survives a reset */
    bmqtt_status_t (*journal)(struct bmqtt_client *c, unsigned op, bmqtt_inflight_t *slot, unsigned id);
    void *journal_ctx;
    /** @endcond */
} bmqtt_client_t;

/**
 * @brief Prepare @p c with @p cfg (which must outlive @p c). Zeroes the tables.
 *
 * A macro passes the application's sizeof(bmqtt_client_t), so a library built
 * with another layout is refused instead of writing past the struct.
 *
 * A client already initialised with @p cfg is refused while its session is
 * open or from inside its events: end it first (bmqtt_client_abort() closes the
 * transport). init reads @p c's config pointer for that check, so a client in
 * memory that held another client's state before (a reused stack frame, RAM
 * kept across a reset) must be zeroed first; static storage is.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL, a buffer under 16 bytes, an empty
 *         table, an in-flight table over BMQTT_MAX_INFLIGHT, a size mismatch);
 *         BMQTT_ERR_BUSY (a session of @p c is open, or an event of @p c is running).
 */
#define bmqtt_client_init(c, cfg) bmqtt_client_init_checked((c), (cfg), sizeof(bmqtt_client_t))
/** @brief bmqtt_client_init() with the caller's struct size. */
bmqtt_status_t bmqtt_client_init_checked(bmqtt_client_t *c, const bmqtt_client_config_t *cfg, size_t client_size);

/**
 * @brief Give @p c an outbox of @p size bytes: from now on
 *        bmqtt_client_publish() copies the topic and payload of each QoS 1/2
 *        message into @p buf, so the caller may reuse its buffers as soon as
 *        publish returns. The outbox holds the topics and payloads of all open
 *        messages; space comes back as they end.
 *
 * Call it after bmqtt_client_init() (which forgets the outbox), from the task
 * that drives the client. A firmware that never calls it links none of the
 * outbox code. @p buf NULL with @p size 0 removes the outbox.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL @p c, NULL @p buf with a size);
 *         BMQTT_ERR_BUSY (copies of open messages still live in the outbox).
 */
bmqtt_status_t bmqtt_client_set_outbox(bmqtt_client_t *c, uint8_t *buf, size_t size);

/**
 * @brief Start a session over @p tr (connected at the TCP/TLS level; kept by
 *        pointer for the session). CONNECT goes out at once as far as @p tr
 *        takes it; poll returns BMQTT_WOULD_BLOCK until CONNACK, then BMQTT_OK
 *        (the poll that handles CONNACK returns right after it), or the
 *        session's end status (a refusal such as BMQTT_ERR_REFUSED_NOT_AUTHORIZED, BMQTT_ERR_TIMEOUT...).
 *
 * With clean_session 0 the outgoing QoS 1/2 messages of earlier connections
 * are resent (PUBLISH with DUP, PUBREL) in their original order once CONNACK
 * arrives, whatever Session Present says [MQTT-4.4.0-1]. With clean_session 1
 * messages that were sent on an earlier connection and not acknowledged were
 * already dropped (BMQTT_EVT_PUBLISH_DONE, BMQTT_ERR_SESSION_ENDED) when it
 * ended; messages published since then, never sent, go out on this one.
 * @return BMQTT_OK; BMQTT_ERR_PARAM; BMQTT_ERR_BUSY (a session is open);
 *         an encoder status for bad @p fields (nothing sent).
 */
bmqtt_status_t bmqtt_client_connect(bmqtt_client_t *c, const bmqtt_transport_t *tr, const bmqtt_connect_t *fields,
                                    uint32_t now_ms);

/**
 * @brief Do all pending work: send, receive, events, timers.
 * @return BMQTT_OK while connected (also on the poll that handled CONNACK, and
 *         on the one that completed a graceful disconnect, or BMQTT_ERR_TIMEOUT
 *         there when acks were still missing); BMQTT_WOULD_BLOCK
 *         while connecting or disconnecting; the status that ended the session
 *         on the poll where it ended (the transport is closed then);
 *         BMQTT_ERR_NOT_CONNECTED afterwards.
 */
bmqtt_status_t bmqtt_client_poll(bmqtt_client_t *c, uint32_t now_ms);

/**
 * @brief Publish. QoS 0 is copied into tx_buf and sent; QoS 1/2 takes a slot
 *        of the in-flight table and a packet id (*packet_id, may be NULL), is
 *        copied into the outbox when one is given (else kept by
 *        reference), and is sent now when the transport takes it, or from poll.
 *
 * QoS 1/2 messages may be published while not connected (after init, or
 * between sessions): they go out on the next connection.
 * @return BMQTT_OK; BMQTT_ERR_NOT_CONNECTED (QoS 0 without a session);
 *         BMQTT_ERR_BUSY (QoS 0 only: tx_buf full right now, nothing kept;
 *         poll and retry); BMQTT_ERR_INFLIGHT_FULL (no free slot, or no room
 *         in the outbox until earlier messages end); BMQTT_ERR_BUFFER_TOO_SMALL
 *         (header and topic larger than the whole tx_buf); BMQTT_ERR_OUTBOX_TOO_SMALL
 *         (the message larger than the whole outbox: use bmqtt_client_publish_ref());
 *         an encoder status for a bad topic or QoS (the caller's data: found here
 *         and never blamed on the broker later).
 */
bmqtt_status_t bmqtt_client_publish(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id);

/**
 * @brief As bmqtt_client_publish(), but a QoS 1/2 message is never copied into
 *        the outbox: topic and payload stay the caller's until its
 *        BMQTT_EVT_PUBLISH_DONE (for large payloads, or payloads in flash).
 *        If they are changed into something invalid before a resend, the
 *        message ends with BMQTT_ERR_CHANGED; the session goes on.
 */
bmqtt_status_t bmqtt_client_publish_ref(bmqtt_client_t *c, const bmqtt_publish_t *pub, uint16_t *packet_id);

/**
 * @brief SUBSCRIBE to @p count filters; BMQTT_EVT_SUBACK reports the answer,
 *        or BMQTT_ERR_TIMEOUT after response_timeout_ms (which also ends the
 *        session: a broker that does not answer is not there).
 *
 * A SUBACK whose id is not pending, or with another number of codes than
 * @p count [MQTT-3.8.4-5], ends the session with BMQTT_ERR_PROTOCOL.
 * @return BMQTT_OK; BMQTT_ERR_NOT_CONNECTED; BMQTT_ERR_BUSY (no free request
 *         slot, or tx_buf full: nothing kept); BMQTT_ERR_PARAM (over 32,767
 *         filters); an encoder status for a bad filter.
 */
bmqtt_status_t bmqtt_client_subscribe(bmqtt_client_t *c, const bmqtt_subscription_t *subs, size_t count,
                                      uint16_t *packet_id);

/** @brief UNSUBSCRIBE from @p count filters; BMQTT_EVT_UNSUBACK. As subscribe. */
bmqtt_status_t bmqtt_client_unsubscribe(bmqtt_client_t *c, const bmqtt_view_t *filters, size_t count,
                                        uint16_t *packet_id);

/**
 * @brief End the session gracefully: what is queued goes out, the in-flight
 *        QoS 1/2 messages are given response_timeout_ms to be acknowledged,
 *        then DISCONNECT, then the transport is closed (so the broker does not
 *        publish the will). New publishes are refused meanwhile.
 * @return BMQTT_OK when it finished here; BMQTT_WOULD_BLOCK when poll finishes
 *         it (poll returns BMQTT_WOULD_BLOCK until then); BMQTT_ERR_NOT_CONNECTED;
 *         the transport's status when the DISCONNECT itself could not be sent
 *         (the session has ended then, as after a poll that failed).
 */
bmqtt_status_t bmqtt_client_disconnect(bmqtt_client_t *c);

/**
 * @brief Close the transport now, without DISCONNECT (the broker then publishes
 *        the will). Queued packets are dropped; QoS 1/2 messages are treated as
 *        at any session end (kept with clean session 0, dropped with 1).
 */
void bmqtt_client_abort(bmqtt_client_t *c);

/** @brief The session's state. */
bmqtt_client_state_t bmqtt_client_state(const bmqtt_client_t *c);

/** @brief What ended the last session: status BMQTT_OK while none ended, or after a graceful end. */
bmqtt_client_error_t bmqtt_client_last_error(const bmqtt_client_t *c);

/** @brief The rule of a bmqtt_rule_t, e.g. "MQTT-3.2.2-1: session present after clean session"; never NULL.
 *  Every rule but BMQTT_RULE_NONE, BMQTT_RULE_REFUSED and the transport's and
 *  deadlines' (BMQTT_RULE_TRANSPORT, _OVERRUN, _NO_*, _STALLED, _ACKS_MISSING,
 *  _CHANGED, _TOO_LARGE, _QOS2_FULL) is one the broker broke. */
const char *bmqtt_client_rule_str(unsigned rule);

/**
 * @brief How long the caller may sleep: milliseconds from @p now_ms until poll
 *        has timed work to do (a PINGREQ, a deadline); 0 when it has work now;
 *        UINT32_MAX when only incoming bytes can give it work.
 *
 * The timer alone keeps the session alive: a loop that sleeps exactly this
 * long between polls, without waking on received data, sends every PINGREQ in
 * time (while one is out, the next wake-up is when the following one would be
 * due, so its PINGRESP is read by then). Received messages wait in the
 * transport until that wake-up: wake on data too for their latency.
 */
uint32_t bmqtt_client_sleep_ms(const bmqtt_client_t *c, uint32_t now_ms);

/** @deprecated The old name of bmqtt_client_sleep_ms(): it returns a duration, not a deadline. */
#define bmqtt_client_next_deadline(c, now_ms) bmqtt_client_sleep_ms((c), (now_ms))

/** @brief 1 when nothing waits in tx_buf (and no large payload is being sent). */
int bmqtt_client_tx_idle(const bmqtt_client_t *c);

/** @brief Bytes free in tx_buf now (what a QoS 0 publish may use). */
size_t bmqtt_client_tx_free(const bmqtt_client_t *c);

/** @brief The session-present flag of the last CONNACK (1: the broker kept our session). */
int bmqtt_client_session_present(const bmqtt_client_t *c);

/** @brief Number of outgoing QoS 1/2 messages not yet ended. */
size_t bmqtt_client_inflight(const bmqtt_client_t *c);

/* ------------------------------------------------------------------------ */
/* Reconnect helper                                                          */
/* ------------------------------------------------------------------------ */

/**
 * @brief Keeps a session up: when it ends, waits (exponential backoff with
 *        jitter), re-opens the transport through the caller, connects again,
 *        and re-subscribes the caller's list when the broker has no session.
 *        Outgoing QoS 1/2 messages resume as the client's rules say.
 *
 * The client's events still reach bmqtt_client_config_t::on_event.
 */
typedef struct bmqtt_reconnect_config {
    bmqtt_client_t *client;           /**< Initialised with bmqtt_client_init(). */
    const bmqtt_connect_t *connect;   /**< Fields of every CONNECT. */
    /** Open a transport to the broker: BMQTT_OK and *tr set (valid until its close),
     *  BMQTT_WOULD_BLOCK (in progress: called again), or an error (retried after a pause). */
    bmqtt_status_t (*open)(void *user, const bmqtt_transport_t **tr, uint32_t now_ms);
    /** Random numbers for the jitter; NULL: none. */
    uint32_t (*random)(void *user);
    void *user;                       /**< Passed to open and random. */
    uint32_t min_backoff_ms;          /**< First pause; 0: 1000. */
    uint32_t max_backoff_ms;          /**< Longest pause; 0: 60000. */
    uint32_t max_attempts;            /**< Failed attempts in a row before giving up; 0: never. */
} bmqtt_reconnect_config_t;

/** The helper's state. Caller-owned; every field is private. */
typedef struct bmqtt_reconnect {
    /** @cond BMQTT_PRIVATE */
    const bmqtt_reconnect_config_t *cfg;
    const bmqtt_subscription_t *subs;
    size_t sub_count, sub_next;
    uint32_t wait_until_ms, backoff_ms, attempts;
    uint8_t phase;
    bmqtt_status_t last;
    /** @endcond */
} bmqtt_reconnect_t;

/** @brief Prepare @p r (cfg must outlive it). @return BMQTT_OK or BMQTT_ERR_PARAM. */
bmqtt_status_t bmqtt_reconnect_init(bmqtt_reconnect_t *r, const bmqtt_reconnect_config_t *cfg);

/**
 * @brief The filters to subscribe after every connection on which the broker
 *        has no session (clean session 1, or Session Present 0). The array is
 *        the caller's and must stay valid; it may be replaced at any time.
 */
void bmqtt_reconnect_set_subscriptions(bmqtt_reconnect_t *r, const bmqtt_subscription_t *subs, size_t count);

/**
 * @brief Drive the helper and the client (it calls bmqtt_client_poll()).
 *        The first call opens and connects, or adopts the client's session when
 *        one is already connecting or up (its subscriptions are taken as made).
 * @return BMQTT_OK while connected; BMQTT_WOULD_BLOCK while opening,
 *         connecting or pausing; a negative status when it gave up
 *         (max_attempts) or after bmqtt_reconnect_stop().
 */
bmqtt_status_t bmqtt_reconnect_poll(bmqtt_reconnect_t *r, uint32_t now_ms);

/** @brief Stop reconnecting; a connected session is disconnected gracefully. */
void bmqtt_reconnect_stop(bmqtt_reconnect_t *r);

/** @brief The status that ended the last session or attempt (BMQTT_OK: none). */
bmqtt_status_t bmqtt_reconnect_last_status(const bmqtt_reconnect_t *r);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_CLIENT_H */
