/**
 * @file codec.h
 * @brief MQTT 3.1.1 packet codec: all 14 packet types, both directions.
 *
 * The codec allocates nothing, keeps no global state and depends only on
 * <stdint.h>, <stddef.h> and <string.h>. It is usable without the client.
 *
 * Encoding is size-first: every encoder called with @p buf == NULL validates
 * its input and stores the packet size in @p *len; called with a buffer too
 * small it stores the size needed in @p *len, writes nothing and returns
 * BMQTT_ERR_BUFFER_TOO_SMALL.
 *
 * Decoding yields views into the caller's buffer: a decoded topic or payload
 * is valid exactly as long as the bytes it points into are left untouched.
 * Every decoder checks every rule of MQTT 3.1.1 that the receiver of that
 * packet can check, and returns the specific status of the first rule broken.
 *
 * @code
 * uint8_t buf[128];
 * size_t n;
 * bmqtt_publish_t pub = { BMQTT_VIEW_LIT("sensors/t1"), BMQTT_VIEW_LIT("21.5"), 0, 1, 0, 0 };
 * pub.packet_id = 7;
 * if (bmqtt_publish_encode(&pub, buf, sizeof buf, &n) == BMQTT_OK) send(buf, n);
 *
 * bmqtt_packet_t pkt;
 * size_t used;
 * bmqtt_status_t st = bmqtt_decode(rx, rx_len, &pkt, &used);
 * if (st == BMQTT_OK && pkt.type == BMQTT_PUBLISH) handle(pkt.u.publish.topic);
 * @endcode
 */
#ifndef BMQTT_CODEC_H
#define BMQTT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest remaining length MQTT can express (4 varint bytes). */
#define BMQTT_VARINT_MAX 268435455u
/** Largest fixed header: 1 type/flags byte + 4 remaining-length bytes. */
#define BMQTT_FIXED_HEADER_MAX 5u

/** The 14 control packet types (the high nibble of the first byte). */
typedef enum bmqtt_packet_type {
    BMQTT_CONNECT = 1,
    BMQTT_CONNACK = 2,
    BMQTT_PUBLISH = 3,
    BMQTT_PUBACK = 4,
    BMQTT_PUBREC = 5,
    BMQTT_PUBREL = 6,
    BMQTT_PUBCOMP = 7,
    BMQTT_SUBSCRIBE = 8,
    BMQTT_SUBACK = 9,
    BMQTT_UNSUBSCRIBE = 10,
    BMQTT_UNSUBACK = 11,
    BMQTT_PINGREQ = 12,
    BMQTT_PINGRESP = 13,
    BMQTT_DISCONNECT = 14
} bmqtt_packet_type_t;

/** SUBACK return code for a refused subscription. */
#define BMQTT_SUBACK_FAILURE 0x80u

/**
 * A read-only view of bytes owned by someone else: a string, a topic or a
 * payload. MQTT strings are not NUL-terminated; never assume ptr[len] == 0.
 */
typedef struct bmqtt_view {
    const uint8_t *ptr; /**< First byte; NULL only when len is 0 ("absent" where documented). */
    size_t len;         /**< Number of bytes. */
} bmqtt_view_t;

/** A view of a string literal, for initialisers: BMQTT_VIEW_LIT("a/b"). */
#define BMQTT_VIEW_LIT(s) { (const uint8_t *)(s), sizeof(s) - 1u }

/**
 * A view of a string literal as an expression (a C99 compound literal), usable
 * wherever a bmqtt_view_t value is: a function argument, an assignment, a
 * member of a compound initialiser. The length is the literal's, without its
 * NUL, known at compile time.
 *
 * Only a string literal is accepted (anything else does not compile); for a
 * char pointer use bmqtt_view_str(), which counts with strlen(). The view
 * points into the literal, which lives for the whole program.
 *
 * @code
 * char host[96];
 * size_t n;
 * bmqtt_aliyun_host(BMQTT_VIEW("a1wFylTxYeD"), BMQTT_VIEW("cn-shanghai"), host, sizeof host, &n);
 * @endcode
 */
#define BMQTT_VIEW(s) ((bmqtt_view_t){ (const uint8_t *)("" s), sizeof("" s) - 1u })

/** A view of a NUL-terminated string (NULL gives the absent view). */
bmqtt_view_t bmqtt_view_str(const char *s);

/* ------------------------------------------------------------------------ */
/* Remaining length (variable byte integer, section 2.2.3)                  */
/* ------------------------------------------------------------------------ */

/**
 * @brief Bytes needed to encode @p value: 1..4, or 0 when above BMQTT_VARINT_MAX.
 */
size_t bmqtt_varint_size(uint32_t value);

/**
 * @brief Encode @p value into @p out (which must hold 4 bytes).
 * @return the number of bytes written (1..4), or 0 when @p value > BMQTT_VARINT_MAX.
 */
size_t bmqtt_varint_encode(uint32_t value, uint8_t out[4]);

/**
 * @brief Decode a remaining length.
 *
 * Only the minimal encoding is accepted: a value written in more bytes than
 * needed (e.g. `80 00` for 0) is BMQTT_ERR_BAD_VARINT. MQTT 3.1.1 does not
 * spell this out, MQTT 5 forbids it, no conforming encoder emits it, and
 * refusing it keeps decode/encode an exact round trip.
 *
 * @param[in]  buf   bytes received; only buf[0..len) is read.
 * @param[in]  len   number of bytes available.
 * @param[out] value decoded value.
 * @param[out] used  bytes the encoding took (1..4).
 * @return BMQTT_OK; BMQTT_NEED_MORE when @p buf ends inside the integer;
 *         BMQTT_ERR_BAD_VARINT as soon as a 4th byte carries the continuation
 *         bit (a 5th byte would follow) or the form is not minimal.
 */
bmqtt_status_t bmqtt_varint_decode(const uint8_t *buf, size_t len, uint32_t *value, size_t *used);

/* ------------------------------------------------------------------------ */
/* Fixed header                                                             */
/* ------------------------------------------------------------------------ */

/** A decoded fixed header. */
typedef struct bmqtt_fixed_header {
    uint8_t type;              /**< bmqtt_packet_type_t. */
    uint8_t flags;             /**< Low nibble of the first byte. */
    uint8_t header_len;        /**< 2..5 bytes. */
    uint32_t remaining_length; /**< Bytes after the fixed header. */
} bmqtt_fixed_header_t;

/**
 * @brief Check the first byte of a packet: its type and the flags that type
 *        allows (section 2.2.2).
 * @return BMQTT_OK, BMQTT_ERR_BAD_TYPE (0 or 15), BMQTT_ERR_BAD_FLAGS (reserved
 *         flags wrong), BMQTT_ERR_BAD_QOS (PUBLISH QoS 3) or BMQTT_ERR_PROTOCOL
 *         (PUBLISH with DUP and QoS 0, [MQTT-3.3.1-2]).
 */
bmqtt_status_t bmqtt_first_byte_check(uint8_t first_byte);

/**
 * @brief Decode and check a fixed header.
 * @return BMQTT_OK, BMQTT_NEED_MORE, or the status of bmqtt_first_byte_check()
 *         or bmqtt_varint_decode().
 */
bmqtt_status_t bmqtt_fixed_header_decode(const uint8_t *buf, size_t len, bmqtt_fixed_header_t *out);

/* ------------------------------------------------------------------------ */
/* Packet contents                                                          */
/* ------------------------------------------------------------------------ */

/**
 * CONNECT. Optional fields are absent when their view's ptr is NULL; a
 * present empty string is {"", 0}.
 */
typedef struct bmqtt_connect {
    bmqtt_view_t client_id;    /**< May be empty only with clean_session = 1. */
    bmqtt_view_t will_topic;   /**< ptr NULL: no will. */
    bmqtt_view_t will_payload; /**< Binary; sent (possibly empty) when a will is present. */
    bmqtt_view_t username;     /**< ptr NULL: no user name. */
    bmqtt_view_t password;     /**< ptr NULL: no password; needs a user name in 3.1.1. */
    uint16_t keepalive_s;      /**< 0 disables keepalive. */
    uint8_t clean_session;     /**< 1: start a fresh session. */
    uint8_t will_qos;          /**< 0..2; 0 when there is no will. */
    uint8_t will_retain;       /**< 0 or 1; 0 when there is no will. */
} bmqtt_connect_t;

/** CONNACK. */
typedef struct bmqtt_connack {
    uint8_t session_present; /**< 0 or 1; always 0 with a non-zero return code. */
    uint8_t return_code;     /**< 0 accepted, 1..5 refused (section 3.2.2.3). */
} bmqtt_connack_t;

/** PUBLISH. */
typedef struct bmqtt_publish {
    bmqtt_view_t topic;   /**< Topic name: no wildcard, at least one byte. */
    bmqtt_view_t payload; /**< Application message, any bytes. */
    uint16_t packet_id;   /**< 1..65535 for QoS 1/2; ignored (not sent) for QoS 0. */
    uint8_t qos;          /**< 0..2. */
    uint8_t retain;       /**< 0 or 1. */
    uint8_t dup;          /**< 0 or 1; must be 0 with QoS 0. */
} bmqtt_publish_t;

/** One SUBSCRIBE entry: a topic filter and the QoS requested for it. */
typedef struct bmqtt_subscription {
    bmqtt_view_t filter; /**< Topic filter; wildcards '+' and '#' allowed. */
    uint8_t qos; /**< 0..2. */
} bmqtt_subscription_t;

/**
 * A decoded SUBSCRIBE or UNSUBSCRIBE: the packet id and the already validated
 * list of entries, walked with bmqtt_sub_next() / bmqtt_unsub_next().
 */
typedef struct bmqtt_topic_list {
    uint16_t packet_id;   /**< Non-zero. */
    bmqtt_view_t entries; /**< The raw payload: entries back to back. */
} bmqtt_topic_list_t;

/**
 * A decoded SUBACK: one return code per subscription, in order, each 0, 1, 2
 * or BMQTT_SUBACK_FAILURE. codes.ptr[i] is the code of the i-th filter.
 */
typedef struct bmqtt_suback {
    uint16_t packet_id; /**< The id of the SUBSCRIBE it answers. */
    bmqtt_view_t codes; /**< One byte per filter, into the caller's buffer. */
} bmqtt_suback_t;

/** Any decoded packet. Which member of @c u is set depends on @c type. */
typedef struct bmqtt_packet {
    uint8_t type;  /**< bmqtt_packet_type_t. */
    uint8_t flags; /**< Fixed-header flags. */
    union {
        bmqtt_connect_t connect;         /**< CONNECT. */
        bmqtt_connack_t connack;         /**< CONNACK. */
        bmqtt_publish_t publish;         /**< PUBLISH. */
        uint16_t packet_id;              /**< PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK. */
        bmqtt_topic_list_t subscribe;    /**< SUBSCRIBE. */
        bmqtt_suback_t suback;           /**< SUBACK. */
        bmqtt_topic_list_t unsubscribe;  /**< UNSUBSCRIBE. */
    } u; /**< Nothing for PINGREQ, PINGRESP, DISCONNECT. */
} bmqtt_packet_t;

/* ------------------------------------------------------------------------ */
/* Encoders                                                                  */
/*                                                                          */
/* All share one contract: buf == NULL -> validate and report the size in    */
/* *len; cap too small -> *len = size needed, BMQTT_ERR_BUFFER_TOO_SMALL;    */
/* otherwise write the packet and store its size in *len.                   */
/* ------------------------------------------------------------------------ */

/**
 * @brief Encode CONNECT (protocol "MQTT", level 4).
 * @return BMQTT_OK; BMQTT_ERR_PARAM (password without user name, will QoS > 2,
 *         will retain/QoS without a will); BMQTT_ERR_BAD_CLIENT_ID; BMQTT_ERR_BAD_UTF8;
 *         BMQTT_ERR_BAD_TOPIC (will topic); BMQTT_ERR_TOO_LONG; BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_connect_encode(const bmqtt_connect_t *c, uint8_t *buf, size_t cap, size_t *len);

/** @brief Encode CONNACK. BMQTT_ERR_PARAM for a return code > 5 or session present with a refusal. */
bmqtt_status_t bmqtt_connack_encode(const bmqtt_connack_t *c, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode a whole PUBLISH, payload included.
 * @return BMQTT_OK; BMQTT_ERR_BAD_TOPIC; BMQTT_ERR_BAD_UTF8; BMQTT_ERR_PARAM (QoS > 2,
 *         DUP with QoS 0); BMQTT_ERR_BAD_PACKET_ID (0 with QoS > 0); BMQTT_ERR_TOO_LONG;
 *         BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_publish_encode(const bmqtt_publish_t *p, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode everything of a PUBLISH but its payload: fixed header (whose
 *        remaining length counts p->payload.len), topic and packet id.
 *
 * Send these bytes, then p->payload straight from the caller's memory: a large
 * payload is never copied. p->payload.ptr may be NULL here.
 */
bmqtt_status_t bmqtt_publish_encode_header(const bmqtt_publish_t *p, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode PUBACK, PUBREC, PUBREL (flags 0b0010 are set for it), PUBCOMP or UNSUBACK.
 * @param type one of those five types, else BMQTT_ERR_PARAM.
 * @param packet_id 1..65535, else BMQTT_ERR_BAD_PACKET_ID.
 */
bmqtt_status_t bmqtt_ack_encode(bmqtt_packet_type_t type, uint16_t packet_id, uint8_t *buf, size_t cap,
                                size_t *len);

/**
 * @brief Encode SUBSCRIBE from @p count entries (at least one).
 * @return BMQTT_OK; BMQTT_ERR_EMPTY_LIST; BMQTT_ERR_BAD_FILTER; BMQTT_ERR_BAD_UTF8;
 *         BMQTT_ERR_PARAM (QoS > 2); BMQTT_ERR_BAD_PACKET_ID; BMQTT_ERR_TOO_LONG;
 *         BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_subscribe_encode(uint16_t packet_id, const bmqtt_subscription_t *subs, size_t count,
                                      uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode SUBACK from @p count return codes (at least one).
 * @return BMQTT_OK; BMQTT_ERR_EMPTY_LIST; BMQTT_ERR_BAD_RETURN_CODE (a code not
 *         0, 1, 2 or 0x80); BMQTT_ERR_BAD_PACKET_ID; BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_suback_encode(uint16_t packet_id, const uint8_t *codes, size_t count, uint8_t *buf,
                                   size_t cap, size_t *len);

/**
 * @brief Encode UNSUBSCRIBE from @p count topic filters (at least one).
 * @return BMQTT_OK; BMQTT_ERR_EMPTY_LIST; BMQTT_ERR_BAD_FILTER; BMQTT_ERR_BAD_UTF8;
 *         BMQTT_ERR_BAD_PACKET_ID; BMQTT_ERR_TOO_LONG; BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_unsubscribe_encode(uint16_t packet_id, const bmqtt_view_t *filters, size_t count,
                                        uint8_t *buf, size_t cap, size_t *len);

/** @brief Encode PINGREQ, PINGRESP or DISCONNECT (two bytes each); other types give BMQTT_ERR_PARAM. */
bmqtt_status_t bmqtt_empty_encode(bmqtt_packet_type_t type, uint8_t *buf, size_t cap, size_t *len);

/* ------------------------------------------------------------------------ */
/* Decoders                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * @brief Decode one whole packet at the start of @p buf.
 *
 * @param[in]  buf  received bytes; only buf[0..len) is read.
 * @param[in]  len  bytes available (may hold more than one packet).
 * @param[out] pkt  the packet; its views point into @p buf.
 * @param[out] used bytes of this packet (fixed header included), also set
 *                  on BMQTT_NEED_MORE when the fixed header is complete
 *                  (then it is the size the whole packet will have).
 * @return BMQTT_OK, BMQTT_NEED_MORE, or the malformed/protocol status of the
 *         first rule the packet breaks.
 */
bmqtt_status_t bmqtt_decode(const uint8_t *buf, size_t len, bmqtt_packet_t *pkt, size_t *used);

/**
 * @brief Decode a packet body (the bytes after the fixed header) once the
 *        fixed header is known, e.g. from bmqtt_framer_t.
 * @param[in] first_byte the packet's first byte (type and flags).
 * @param[in] body       exactly the remaining length's bytes.
 */
bmqtt_status_t bmqtt_decode_body(uint8_t first_byte, const uint8_t *body, size_t body_len, bmqtt_packet_t *pkt);

/**
 * @brief Decode the start of a PUBLISH body (topic and packet id) when only
 *        its first @p avail bytes are at hand, for payloads streamed in chunks.
 *
 * @param[in]  flags      fixed-header flags of the PUBLISH.
 * @param[in]  body       the first bytes of the body.
 * @param[in]  avail      how many of them are available.
 * @param[in]  remaining  the packet's remaining length.
 * @param[out] p          topic, packet id, QoS, DUP, retain; payload is the
 *                        part of the payload inside body[0..avail).
 * @param[out] head_len   bytes of topic and packet id; the whole payload is
 *                        remaining - head_len bytes.
 * @return BMQTT_OK; BMQTT_NEED_MORE when @p avail ends before the packet id;
 *         otherwise the status of the rule broken.
 */
bmqtt_status_t bmqtt_publish_decode_head(uint8_t flags, const uint8_t *body, size_t avail, uint32_t remaining,
                                         bmqtt_publish_t *p, size_t *head_len);

/**
 * @brief Walk the entries of a decoded SUBSCRIBE.
 * @param[in,out] it  a cursor: start with a copy of pkt.u.subscribe.entries.
 * @param[out]    out the next entry.
 * @return 1 when @p out was filled, 0 at the end of the list.
 *
 * @code
 * bmqtt_view_t it = pkt.u.subscribe.entries;
 * bmqtt_subscription_t s;
 * while (bmqtt_sub_next(&it, &s)) { ... }
 * @endcode
 */
int bmqtt_sub_next(bmqtt_view_t *it, bmqtt_subscription_t *out);

/** @brief Walk the topic filters of a decoded UNSUBSCRIBE, like bmqtt_sub_next(). */
int bmqtt_unsub_next(bmqtt_view_t *it, bmqtt_view_t *filter);

/* ------------------------------------------------------------------------ */
/* Stream framer                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Finds packet boundaries in a byte stream fed in chunks of any size. It does
 * not copy: the caller keeps the bytes (e.g. appends them to its receive
 * buffer) and the framer says where each packet ends. Zero it (or call
 * bmqtt_framer_init()) before use.
 */
typedef struct bmqtt_framer {
    uint32_t max_packet; /**< Largest whole packet accepted; 0 means no limit. */
    uint32_t remaining;  /**< Remaining length, once decoded. */
    uint32_t left;       /**< Body bytes still to come. */
    uint8_t first_byte;  /**< Type and flags of the current packet. */
    uint8_t header_len;  /**< Fixed-header bytes seen so far. */
    uint8_t state;       /**< Internal. */
    int8_t error;        /**< Internal: the status a failed stream keeps returning. */
} bmqtt_framer_t;

/** @brief Reset @p f for a new stream, refusing packets over @p max_packet bytes (0: no limit). */
void bmqtt_framer_init(bmqtt_framer_t *f, uint32_t max_packet);

/**
 * @brief Feed bytes to the framer.
 *
 * @param[in]  f        framer state.
 * @param[in]  data     the next bytes of the stream.
 * @param[in]  len      how many.
 * @param[out] consumed how many bytes of @p data belong to the current
 *                      packet (always <= @p len; the rest starts the next one).
 * @return
 *  - BMQTT_OK: the current packet ends after @p *consumed bytes. Its header is
 *    in f->first_byte / f->remaining / f->header_len; the next feed starts a
 *    new packet.
 *  - BMQTT_NEED_MORE: all @p len bytes consumed, the packet is not complete.
 *  - BMQTT_ERR_PACKET_TOO_LARGE: the fixed header (complete, consumed) announces
 *    a packet larger than max_packet. The caller may stop, or go on feeding to
 *    skip or stream the body: further feeds consume it and end in BMQTT_OK.
 *  - a malformed status from the fixed header (bad type, flags, varint): the
 *    stream cannot be resynchronised; every later feed returns the same status
 *    until bmqtt_framer_init().
 */
bmqtt_status_t bmqtt_framer_feed(bmqtt_framer_t *f, const uint8_t *data, size_t len, size_t *consumed);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_CODEC_H */
