/**
 * @file mqtt5.h
 * @brief MQTT 5.0 packet codec: all 15 packet types, properties and reason
 *        codes, both directions.
 *
 * Beside the MQTT 3.1.1 codec (codec.h), in files of its own: a firmware that
 * calls none of these functions links none of their code. It shares the 3.1.1
 * codec's views, remaining-length varint and UTF-8/topic checks, allocates
 * nothing and keeps no state but the names of its statuses.
 *
 * Properties are carried in a bmqtt5_props_t: an encoder writes the caller's
 * list (bmqtt5_prop_t[]) followed by any raw property bytes (e.g. those of a
 * decoded packet being forwarded); a decoder sets only the raw view, into the
 * caller's buffer, already checked, and bmqtt5_prop_next() / bmqtt5_prop_find()
 * read it. Encoders are size-first like the 3.1.1 ones: @p buf NULL only
 * validates and stores the size in @p *len; a buffer too small gets
 * BMQTT_ERR_BUFFER_TOO_SMALL and the size needed.
 *
 * Every decoder checks every rule of MQTT 5.0 that the receiver of a single
 * packet can check, and returns the status of the first rule broken: the
 * 3.1.1 codec's statuses where the rule is the same, and the statuses of the
 * BMQTT5_ERR_ range (-200..-229) for the rules that are new. Rules that need
 * the session (topic alias maximum, receive maximum, maximum packet size,
 * the authentication method of the CONNECT) are the session's.
 *
 * @code
 * static const bmqtt5_prop_t props[] = {
 *     { BMQTT5_PROP_TOPIC_ALIAS, 0, 1, { NULL, 0 }, { NULL, 0 } },
 *     { BMQTT5_PROP_USER_PROPERTY, 0, 0, BMQTT_VIEW_LIT("unit"), BMQTT_VIEW_LIT("C") },
 * };
 * bmqtt5_publish_t pub = { BMQTT_VIEW_LIT("sensors/t1"), BMQTT_VIEW_LIT("21.5"), { props, 2, { NULL, 0 } }, 0, 0, 0, 0 };
 * uint8_t buf[128];
 * size_t n;
 * if (bmqtt5_publish_encode(&pub, buf, sizeof buf, &n) == BMQTT_OK) send(buf, n);
 *
 * bmqtt5_packet_t pkt;
 * size_t used;
 * if (bmqtt5_decode(rx, rx_len, BMQTT5_FROM_SERVER, &pkt, &used) == BMQTT_OK && pkt.type == BMQTT_PUBLISH) {
 *     uint32_t alias = bmqtt5_prop_num(&pkt.u.publish.props, BMQTT5_PROP_TOPIC_ALIAS, 0);
 * }
 * @endcode
 */
#ifndef BMQTT_MQTT5_H
#define BMQTT_MQTT5_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/codec.h"
#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The CONNECT protocol level of MQTT 5.0. */
#define BMQTT5_PROTOCOL_LEVEL 5u
/** Packet type 15, new in MQTT 5.0 (codec.h's enum stops at DISCONNECT). */
#define BMQTT5_AUTH 15u

/* Statuses of the MQTT 5.0 rules that 3.1.1 does not have: the range
 * BMQTT_STATUS_MQTT5_BASE (-200..-229) of status.h; bmqtt_status_str() names them. */
/** Property Length overruns the packet, or a property overruns it. */
#define BMQTT5_ERR_PROP_LENGTH ((bmqtt_status_t)(-200))
/** Property Length or Subscription Identifier: a 5th byte or not minimal [MQTT-1.5.5-1]. */
#define BMQTT5_ERR_PROP_VARINT ((bmqtt_status_t)(-201))
/** A property identifier MQTT 5.0 does not define. */
#define BMQTT5_ERR_PROP_UNKNOWN ((bmqtt_status_t)(-202))
/** A property this packet may not carry (section 2.2.2.2). */
#define BMQTT5_ERR_PROP_NOT_ALLOWED ((bmqtt_status_t)(-203))
/** A property given twice (only User Property and, in PUBLISH, Subscription Identifier repeat). */
#define BMQTT5_ERR_PROP_DUPLICATE ((bmqtt_status_t)(-204))
/** A byte property other than 0 or 1 (Payload Format, Maximum QoS, the Request and Available flags). */
#define BMQTT5_ERR_PROP_VALUE ((bmqtt_status_t)(-205))
/** Topic Alias 0 [MQTT-3.3.2-8]. */
#define BMQTT5_ERR_TOPIC_ALIAS_ZERO ((bmqtt_status_t)(-206))
/** Subscription Identifier 0. */
#define BMQTT5_ERR_SUB_ID_ZERO ((bmqtt_status_t)(-207))
/** Receive Maximum 0. */
#define BMQTT5_ERR_RECEIVE_MAX_ZERO ((bmqtt_status_t)(-208))
/** Maximum Packet Size 0. */
#define BMQTT5_ERR_MAX_PACKET_ZERO ((bmqtt_status_t)(-209))
/** A reason code this packet may not carry. */
#define BMQTT5_ERR_REASON_CODE ((bmqtt_status_t)(-210))
/** Subscription options: reserved bits 6-7 set [MQTT-3.8.3-5]. */
#define BMQTT5_ERR_SUB_OPTIONS ((bmqtt_status_t)(-211))
/** Subscription options: Retain Handling 3. */
#define BMQTT5_ERR_RETAIN_HANDLING ((bmqtt_status_t)(-212))
/** Payload Format Indicator 1 with a payload that is not UTF-8. */
#define BMQTT5_ERR_PAYLOAD_FORMAT ((bmqtt_status_t)(-213))
/** PUBLISH with an empty topic name and no Topic Alias. */
#define BMQTT5_ERR_NO_TOPIC ((bmqtt_status_t)(-214))
/** Authentication Data without an Authentication Method. */
#define BMQTT5_ERR_AUTH_DATA ((bmqtt_status_t)(-215))
/** No Local on a shared subscription [MQTT-3.8.3-4]. */
#define BMQTT5_ERR_SHARED_NO_LOCAL ((bmqtt_status_t)(-216))
/** "$share/" filter with an empty ShareName, or one with '/', '+' or '#' [MQTT-4.8.2-1/2]. */
#define BMQTT5_ERR_SHARE_NAME ((bmqtt_status_t)(-217))
/** Response Topic empty or with a wildcard [MQTT-3.3.2-14]. */
#define BMQTT5_ERR_RESPONSE_TOPIC ((bmqtt_status_t)(-218))
/** A property or reason code only the other side sends (e.g. a Subscription Identifier from a client [MQTT-3.3.4-6]). */
#define BMQTT5_ERR_WRONG_SIDE ((bmqtt_status_t)(-219))
/** The lowest value of the range. */
#define BMQTT5_STATUS_LAST (-229)

/** @brief Non-zero when @p s is a malformed-packet or protocol-error status of MQTT 5.0 (3.1.1's or new). */
#define BMQTT5_STATUS_IS_PEER_ERROR(s) \
    (BMQTT_STATUS_IS_PEER_ERROR(s) || ((int)(s) <= BMQTT_STATUS_MQTT5_BASE && (int)(s) >= BMQTT5_STATUS_LAST))

/** Property identifiers (section 2.2.2.2). */
enum bmqtt5_prop_id {
    BMQTT5_PROP_PAYLOAD_FORMAT = 0x01,         /**< byte: 1 = the payload is UTF-8. PUBLISH, will. */
    BMQTT5_PROP_MESSAGE_EXPIRY = 0x02,         /**< u32 seconds. PUBLISH, will. */
    BMQTT5_PROP_CONTENT_TYPE = 0x03,           /**< string. PUBLISH, will. */
    BMQTT5_PROP_RESPONSE_TOPIC = 0x08,         /**< string, a topic name. PUBLISH, will. */
    BMQTT5_PROP_CORRELATION_DATA = 0x09,       /**< binary. PUBLISH, will. */
    BMQTT5_PROP_SUBSCRIPTION_ID = 0x0B,        /**< varint 1..268435455. PUBLISH (server to client), SUBSCRIBE. */
    BMQTT5_PROP_SESSION_EXPIRY = 0x11,         /**< u32 seconds. CONNECT, CONNACK, DISCONNECT (client's). */
    BMQTT5_PROP_ASSIGNED_CLIENT_ID = 0x12,     /**< string. CONNACK. */
    BMQTT5_PROP_SERVER_KEEPALIVE = 0x13,       /**< u16 seconds. CONNACK. */
    BMQTT5_PROP_AUTH_METHOD = 0x15,            /**< string. CONNECT, CONNACK, AUTH. */
    BMQTT5_PROP_AUTH_DATA = 0x16,              /**< binary. CONNECT, CONNACK, AUTH. */
    BMQTT5_PROP_REQUEST_PROBLEM_INFO = 0x17,   /**< byte 0/1. CONNECT. */
    BMQTT5_PROP_WILL_DELAY = 0x18,             /**< u32 seconds. will. */
    BMQTT5_PROP_REQUEST_RESPONSE_INFO = 0x19,  /**< byte 0/1. CONNECT. */
    BMQTT5_PROP_RESPONSE_INFO = 0x1A,          /**< string. CONNACK. */
    BMQTT5_PROP_SERVER_REFERENCE = 0x1C,       /**< string. CONNACK, DISCONNECT. */
    BMQTT5_PROP_REASON_STRING = 0x1F,          /**< string. CONNACK, acks, SUBACK, UNSUBACK, DISCONNECT, AUTH. */
    BMQTT5_PROP_RECEIVE_MAX = 0x21,            /**< u16, not 0. CONNECT, CONNACK. */
    BMQTT5_PROP_TOPIC_ALIAS_MAX = 0x22,        /**< u16. CONNECT, CONNACK. */
    BMQTT5_PROP_TOPIC_ALIAS = 0x23,            /**< u16, not 0. PUBLISH. */
    BMQTT5_PROP_MAX_QOS = 0x24,                /**< byte 0/1. CONNACK. */
    BMQTT5_PROP_RETAIN_AVAILABLE = 0x25,       /**< byte 0/1. CONNACK. */
    BMQTT5_PROP_USER_PROPERTY = 0x26,          /**< string pair, may repeat. Every packet with properties. */
    BMQTT5_PROP_MAX_PACKET_SIZE = 0x27,        /**< u32, not 0. CONNECT, CONNACK. */
    BMQTT5_PROP_WILDCARD_SUB_AVAILABLE = 0x28, /**< byte 0/1. CONNACK. */
    BMQTT5_PROP_SUB_ID_AVAILABLE = 0x29,       /**< byte 0/1. CONNACK. */
    BMQTT5_PROP_SHARED_SUB_AVAILABLE = 0x2A    /**< byte 0/1. CONNACK. */
};

/** How a property's value is encoded (bmqtt5_prop_type()). */
enum bmqtt5_prop_type {
    BMQTT5_TYPE_NONE = 0,   /**< Not a property identifier. */
    BMQTT5_TYPE_BYTE = 1,   /**< num, 0..255. */
    BMQTT5_TYPE_U16 = 2,    /**< num, 0..65535. */
    BMQTT5_TYPE_U32 = 3,    /**< num. */
    BMQTT5_TYPE_VARINT = 4, /**< num, 0..268435455. */
    BMQTT5_TYPE_STR = 5,    /**< str, UTF-8. */
    BMQTT5_TYPE_BIN = 6,    /**< str, any bytes. */
    BMQTT5_TYPE_PAIR = 7    /**< str (name) and val (value), both UTF-8. */
};

/**
 * One property. To encode, fill @c id and the member its type uses (@c type is
 * ignored); decoded, every member is set and the views point into the packet.
 */
typedef struct bmqtt5_prop {
    uint8_t id;       /**< enum bmqtt5_prop_id. */
    uint8_t type;     /**< enum bmqtt5_prop_type (set by the decoder). */
    uint32_t num;     /**< Byte, two-byte, four-byte and varint values. */
    bmqtt_view_t str; /**< String or binary data; a pair's name. */
    bmqtt_view_t val; /**< A pair's value. */
} bmqtt5_prop_t;

/**
 * The properties of a packet (or of a will).
 *
 * Encoders write @c list[0..count) and then the bytes of @c raw, checking both
 * as one set. Decoders set @c list NULL, @c count 0 and @c raw to the checked
 * property bytes (without the Property Length), valid as long as the packet's
 * buffer. A zeroed bmqtt5_props_t is "no properties".
 */
typedef struct bmqtt5_props {
    const bmqtt5_prop_t *list; /**< Properties to encode; NULL when count is 0. */
    size_t count;              /**< Entries of list. */
    bmqtt_view_t raw;          /**< Encoded properties, back to back. */
} bmqtt5_props_t;

/** CONNECT (protocol level 5). Optional fields are absent when their ptr is NULL. */
typedef struct bmqtt5_connect {
    bmqtt_view_t client_id;    /**< May be empty: the server then assigns one. */
    bmqtt_view_t will_topic;   /**< ptr NULL: no will. */
    bmqtt_view_t will_payload; /**< Sent (possibly empty) when a will is present. */
    bmqtt_view_t username;     /**< ptr NULL: no user name. */
    bmqtt_view_t password;     /**< ptr NULL: no password (5.0 allows one without a user name). */
    bmqtt5_props_t props;      /**< CONNECT properties. */
    bmqtt5_props_t will_props; /**< Will properties; only with a will. */
    uint16_t keepalive_s;      /**< 0 disables keepalive. */
    uint8_t clean_start;       /**< 1: start a new session. */
    uint8_t will_qos;          /**< 0..2; 0 without a will. */
    uint8_t will_retain;       /**< 0 or 1; 0 without a will. */
} bmqtt5_connect_t;

/** CONNACK. */
typedef struct bmqtt5_connack {
    bmqtt5_props_t props;    /**< CONNACK properties. */
    uint8_t session_present; /**< 0 or 1; 0 with a reason code >= 0x80. */
    uint8_t reason_code;     /**< 0x00 success, else 0x80..0x9F (section 3.2.2.2). */
} bmqtt5_connack_t;

/** PUBLISH. */
typedef struct bmqtt5_publish {
    bmqtt_view_t topic;    /**< Topic name; may be empty only with a Topic Alias property. */
    bmqtt_view_t payload;  /**< Application message. */
    bmqtt5_props_t props;  /**< PUBLISH properties. */
    uint16_t packet_id;    /**< 1..65535 for QoS 1/2; not sent for QoS 0. */
    uint8_t qos;           /**< 0..2. */
    uint8_t retain;        /**< 0 or 1. */
    uint8_t dup;           /**< 0 or 1; 0 with QoS 0. */
} bmqtt5_publish_t;

/** PUBACK, PUBREC, PUBREL or PUBCOMP. */
typedef struct bmqtt5_ack {
    bmqtt5_props_t props; /**< Reason String, User Properties. */
    uint16_t packet_id;   /**< Not 0. */
    uint8_t reason_code;  /**< 0x00 success (the short form is sent when there are no properties). */
} bmqtt5_ack_t;

/** One SUBSCRIBE entry. */
typedef struct bmqtt5_subscription {
    bmqtt_view_t filter;         /**< Topic filter, "$share/{name}/{filter}" for a shared one. */
    uint8_t qos;                 /**< Maximum QoS 0..2. */
    uint8_t no_local;            /**< 1: not the subscriber's own messages (not on a shared subscription). */
    uint8_t retain_as_published; /**< 1: keep the RETAIN flag as published. */
    uint8_t retain_handling;     /**< 0 send retained, 1 only on a new subscription, 2 never. */
} bmqtt5_subscription_t;

/** A decoded SUBSCRIBE or UNSUBSCRIBE: walk entries with bmqtt5_sub_next() / bmqtt_unsub_next(). */
typedef struct bmqtt5_topic_list {
    bmqtt5_props_t props; /**< Subscription Identifier, User Properties. */
    uint16_t packet_id;   /**< Not 0. */
    bmqtt_view_t entries; /**< The checked payload. */
} bmqtt5_topic_list_t;

/** A decoded SUBACK or UNSUBACK: one reason code per filter, in order. */
typedef struct bmqtt5_suback {
    bmqtt5_props_t props; /**< Reason String, User Properties. */
    uint16_t packet_id;   /**< The request it answers. */
    bmqtt_view_t codes;   /**< One byte per filter, into the caller's buffer. */
} bmqtt5_suback_t;

/** DISCONNECT or AUTH: a reason code and properties. */
typedef struct bmqtt5_reason {
    bmqtt5_props_t props; /**< Properties. */
    uint8_t reason_code;  /**< 0x00 (sent as the short form when there are no properties). */
} bmqtt5_reason_t;

/** Any decoded MQTT 5.0 packet. Which member of @c u is set depends on @c type. */
typedef struct bmqtt5_packet {
    uint8_t type;  /**< bmqtt_packet_type_t or BMQTT5_AUTH. */
    uint8_t flags; /**< Fixed-header flags. */
    union {
        bmqtt5_connect_t connect;         /**< CONNECT. */
        bmqtt5_connack_t connack;         /**< CONNACK. */
        bmqtt5_publish_t publish;         /**< PUBLISH. */
        bmqtt5_ack_t ack;                 /**< PUBACK, PUBREC, PUBREL, PUBCOMP. */
        bmqtt5_topic_list_t subscribe;    /**< SUBSCRIBE. */
        bmqtt5_topic_list_t unsubscribe;  /**< UNSUBSCRIBE. */
        bmqtt5_suback_t suback;           /**< SUBACK and UNSUBACK. */
        bmqtt5_reason_t reason;           /**< DISCONNECT and AUTH. */
    } u; /**< Nothing for PINGREQ and PINGRESP. */
} bmqtt5_packet_t;

/** Who sent the bytes a decoder reads: the rules of some properties and reason codes depend on it. */
typedef enum bmqtt5_from {
    BMQTT5_FROM_EITHER = 0, /**< Unknown (tools, fuzzing): what either side may send is accepted. */
    BMQTT5_FROM_SERVER = 1, /**< A client decoding: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ are BMQTT_ERR_PROTOCOL. */
    BMQTT5_FROM_CLIENT = 2  /**< A server decoding: CONNACK, SUBACK, UNSUBACK, PINGRESP are BMQTT_ERR_PROTOCOL. */
} bmqtt5_from_t;

/* ------------------------------------------------------------------------ */
/* Properties                                                               */
/* ------------------------------------------------------------------------ */

/** @brief The type of property @p id (enum bmqtt5_prop_type), BMQTT5_TYPE_NONE when it is none. */
unsigned bmqtt5_prop_type(unsigned id);

/**
 * @brief Walk property bytes.
 * @param[in,out] it  a cursor: start with a copy of props.raw of a decoded packet.
 * @param[out]    out the next property; its views point into the bytes.
 * @return 1 when @p out was filled, 0 at the end (or at bytes that are not a property).
 *
 * @code
 * bmqtt_view_t it = pkt.u.publish.props.raw;
 * bmqtt5_prop_t p;
 * while (bmqtt5_prop_next(&it, &p)) if (p.id == BMQTT5_PROP_USER_PROPERTY) use(p.str, p.val);
 * @endcode
 */
int bmqtt5_prop_next(bmqtt_view_t *it, bmqtt5_prop_t *out);

/**
 * @brief The first property @p id of @p props (its list, then its raw bytes).
 * @return 1 and @p out filled when there is one, else 0.
 */
int bmqtt5_prop_find(const bmqtt5_props_t *props, unsigned id, bmqtt5_prop_t *out);

/** @brief The number of property @p id (a byte, two-, four-byte or varint value), or @p dflt when absent. */
uint32_t bmqtt5_prop_num(const bmqtt5_props_t *props, unsigned id, uint32_t dflt);

/** @brief The string or binary value of property @p id, or the absent view {NULL, 0}. */
bmqtt_view_t bmqtt5_prop_str(const bmqtt5_props_t *props, unsigned id);

/* ------------------------------------------------------------------------ */
/* Encoders: buf NULL sizes; a buffer too small gets the size needed.       */
/* ------------------------------------------------------------------------ */

/**
 * @brief Encode CONNECT (protocol "MQTT", level 5).
 * @return BMQTT_OK; BMQTT_ERR_PARAM (a view with a NULL ptr and a length, flags
 *         out of range, will QoS/retain without a will, will properties without
 *         a will); BMQTT_ERR_BAD_TOPIC (will topic); BMQTT_ERR_BAD_UTF8;
 *         a property status; BMQTT_ERR_TOO_LONG; BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt5_connect_encode(const bmqtt5_connect_t *c, uint8_t *buf, size_t cap, size_t *len);

/** @brief Encode CONNACK. BMQTT5_ERR_REASON_CODE for a code CONNACK may not carry; BMQTT_ERR_PARAM for session present with a refusal. */
bmqtt_status_t bmqtt5_connack_encode(const bmqtt5_connack_t *c, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode a whole PUBLISH.
 * @return BMQTT_OK; BMQTT5_ERR_NO_TOPIC (empty topic, no Topic Alias); BMQTT_ERR_BAD_TOPIC;
 *         BMQTT_ERR_BAD_UTF8; BMQTT5_ERR_PAYLOAD_FORMAT; BMQTT_ERR_PARAM; BMQTT_ERR_BAD_PACKET_ID;
 *         a property status; BMQTT_ERR_TOO_LONG; BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt5_publish_encode(const bmqtt5_publish_t *p, uint8_t *buf, size_t cap, size_t *len);

/** @brief Everything of a PUBLISH but its payload (send p->payload after it); the payload is not read. */
bmqtt_status_t bmqtt5_publish_encode_header(const bmqtt5_publish_t *p, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Encode PUBACK, PUBREC, PUBREL or PUBCOMP: the shortest form that says it
 *        (2 bytes of body for success without properties, 3 without properties).
 * @param type BMQTT_PUBACK..BMQTT_PUBCOMP, else BMQTT_ERR_PARAM.
 */
bmqtt_status_t bmqtt5_ack_encode(bmqtt_packet_type_t type, const bmqtt5_ack_t *a, uint8_t *buf, size_t cap,
                                 size_t *len);

/**
 * @brief Encode SUBSCRIBE from @p count entries (at least one).
 * @return BMQTT_OK; BMQTT_ERR_EMPTY_LIST; BMQTT_ERR_BAD_FILTER; BMQTT_ERR_BAD_UTF8; BMQTT_ERR_PARAM
 *         (QoS > 2, a flag > 1); BMQTT5_ERR_RETAIN_HANDLING; BMQTT5_ERR_SHARED_NO_LOCAL;
 *         BMQTT5_ERR_SHARE_NAME; BMQTT_ERR_BAD_PACKET_ID; a property status; BMQTT_ERR_TOO_LONG;
 *         BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt5_subscribe_encode(uint16_t packet_id, const bmqtt5_props_t *props,
                                       const bmqtt5_subscription_t *subs, size_t count, uint8_t *buf, size_t cap,
                                       size_t *len);

/**
 * @brief Encode SUBACK or UNSUBACK from @p count reason codes (at least one).
 * @param type BMQTT_SUBACK or BMQTT_UNSUBACK.
 * @return BMQTT5_ERR_REASON_CODE for a code that packet may not carry; else as the others.
 */
bmqtt_status_t bmqtt5_suback_encode(bmqtt_packet_type_t type, uint16_t packet_id, const bmqtt5_props_t *props,
                                    const uint8_t *codes, size_t count, uint8_t *buf, size_t cap, size_t *len);

/** @brief Encode UNSUBSCRIBE from @p count topic filters (at least one). */
bmqtt_status_t bmqtt5_unsubscribe_encode(uint16_t packet_id, const bmqtt5_props_t *props,
                                         const bmqtt_view_t *filters, size_t count, uint8_t *buf, size_t cap,
                                         size_t *len);

/**
 * @brief Encode DISCONNECT or AUTH (the 2-byte form for reason 0x00 without properties).
 * @param type BMQTT_DISCONNECT or BMQTT5_AUTH. PINGREQ and PINGRESP are the same
 *             two bytes as in 3.1.1: bmqtt_empty_encode().
 */
bmqtt_status_t bmqtt5_reason_encode(unsigned type, const bmqtt5_reason_t *r, uint8_t *buf, size_t cap, size_t *len);

/* ------------------------------------------------------------------------ */
/* Decoders                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * @brief Decode one whole MQTT 5.0 packet at the start of @p buf.
 *
 * @param[in]  buf  received bytes; only buf[0..len) is read.
 * @param[in]  len  bytes available.
 * @param[in]  from who sent them (bmqtt5_from_t).
 * @param[out] pkt  the packet; its views point into @p buf.
 * @param[out] used bytes of this packet; also set on BMQTT_NEED_MORE once the
 *                  fixed header is complete.
 * @return BMQTT_OK, BMQTT_NEED_MORE, or the status of the first rule broken.
 *         A CONNECT of another protocol level is BMQTT_ERR_BAD_VERSION: a
 *         server reads the level first with bmqtt5_protocol_level().
 */
bmqtt_status_t bmqtt5_decode(const uint8_t *buf, size_t len, bmqtt5_from_t from, bmqtt5_packet_t *pkt,
                             size_t *used);

/** @brief Decode a packet body (exactly the remaining length's bytes), e.g. after bmqtt_framer_t. */
bmqtt_status_t bmqtt5_decode_body(uint8_t first_byte, const uint8_t *body, size_t body_len, bmqtt5_from_t from,
                                  bmqtt5_packet_t *pkt);

/**
 * @brief Decode the head of a PUBLISH (topic, packet id, properties) when only
 *        its first @p avail body bytes are at hand, for payloads streamed in chunks.
 *
 * Every rule of the head is checked as bmqtt5_decode() checks it. The payload is
 * not: with a Payload Format Indicator of 1 in p->props, check its UTF-8 once
 * you have all of it.
 *
 * @param[in]  flags      fixed-header flags of the PUBLISH.
 * @param[in]  body       the first bytes of the body.
 * @param[in]  avail      how many of them are at hand.
 * @param[in]  remaining  the packet's remaining length.
 * @param[in]  from       who sent it.
 * @param[out] p          topic, packet id, flags, properties; payload is the part of
 *                        the payload inside body[0..avail).
 * @param[out] head_len   bytes before the payload; the whole payload is remaining - head_len.
 * @return BMQTT_OK; BMQTT_NEED_MORE when @p avail ends inside the head; otherwise the
 *         status of the rule broken.
 */
bmqtt_status_t bmqtt5_publish_decode_head(uint8_t flags, const uint8_t *body, size_t avail, uint32_t remaining,
                                          bmqtt5_from_t from, bmqtt5_publish_t *p, size_t *head_len);

/**
 * @brief The protocol level of the CONNECT at the start of @p buf (4 for 3.1.1, 5 for 5.0),
 *        so that a server picks bmqtt_decode() or bmqtt5_decode().
 * @return BMQTT_OK; BMQTT_NEED_MORE; BMQTT_ERR_BAD_TYPE (not a CONNECT); BMQTT_ERR_BAD_PROTOCOL.
 */
bmqtt_status_t bmqtt5_protocol_level(const uint8_t *buf, size_t len, uint8_t *level);

/**
 * @brief Walk the entries of a decoded SUBSCRIBE (checked by the decoder).
 * @return 1 when @p out was filled, 0 at the end. UNSUBSCRIBE's entries are
 *         walked with bmqtt_unsub_next() (their bytes are those of 3.1.1).
 */
int bmqtt5_sub_next(bmqtt_view_t *it, bmqtt5_subscription_t *out);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_MQTT5_H */
