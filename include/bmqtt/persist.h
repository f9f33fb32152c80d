/**
 * @file persist.h
 * @brief A client session that survives a reset: its QoS 1/2 state in memory
 *        that a reset keeps (retained RAM), or in a store that power loss
 *        keeps (flash, through bmqtt_store_t).
 *
 * What survives, in both forms: every outgoing QoS 1/2 message published by
 * copy (bmqtt_client_publish(); not bmqtt_client_publish_ref(), whose memory is
 * the caller's) with its packet id, its order and its step (awaiting PUBACK /
 * PUBREC, or PUBCOMP after PUBREL), and the ids of incoming QoS 2 messages the
 * application has taken and whose PUBREL has not come. After a reset,
 * bmqtt_client_resume() (or bmqtt_client_resume_store()) adopts that state,
 * and with clean session 0 the next bmqtt_client_connect() resends the open
 * messages (PUBLISH with DUP, PUBREL) once CONNACK arrives [MQTT-4.4.0-1]. A
 * redelivered incoming QoS 2 message whose id was kept is not delivered again.
 *
 * A publish is durable from the moment bmqtt_client_publish() returns
 * BMQTT_OK: a reset from then on neither loses it nor forgets its id.
 * A reset inside the call leaves either the whole message or none of it.
 * Resumed messages are resent with DUP set, whether or not they had left
 * before the reset. Resume is meant for clean session 0: with clean session 1
 * the broker forgets the session, and the resumed messages end with
 * BMQTT_ERR_SESSION_ENDED at connect, as unacknowledged ones do.
 *
 * Incoming QoS 2 and the application (exactly once end to end): the client
 * records the packet id when the BMQTT_EVT_MESSAGE event of the message's last
 * chunk returns, and its PUBREC leaves only after that. So the application
 * makes the message durable (writes and flushes it) inside that event, before
 * it calls any other client function. A reset before the event returns makes
 * the broker send the message again, with DUP set [MQTT-3.3.1-1]; only a reset
 * in the instants between the application's durable write and the return of
 * the event can make that repeat one the application already has. An
 * application that must never take a message twice therefore checks a message
 * that arrives with dup set against the last message it stored (its content,
 * or a sequence number inside it). Nothing is lost: the broker forgets the
 * message only after PUBREC, which follows the record.
 *
 * Pay for use: a firmware that calls neither resume function links none of
 * this; the client only tests one function pointer at each change.
 */
#ifndef BMQTT_PERSIST_H
#define BMQTT_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/client.h"
#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a saved session was not adopted (the session then starts empty). */
/** No session there: the magic number is wrong (RAM after a cold power-on, a blank store). */
#define BMQTT_ERR_NO_SESSION ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 0))
/** Saved by another layout version. */
#define BMQTT_ERR_IMAGE_VERSION ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 1))
/** Saved with other table or region sizes. */
#define BMQTT_ERR_IMAGE_SIZES ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 2))
/** A check value does not match: corrupt. */
#define BMQTT_ERR_IMAGE_CHECK ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 3))
/** Shorter than its header says. */
#define BMQTT_ERR_IMAGE_TRUNCATED ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 4))
/** A message record that cannot be: a zero or repeated id, a length out of range, a bad topic. */
#define BMQTT_ERR_IMAGE_RECORD ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 5))
/** The store failed to read or write. */
#define BMQTT_ERR_STORE ((bmqtt_status_t)(BMQTT_STATUS_PERSIST_BASE - 6))

/** @brief CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of @p len bytes, continuing @p crc (0 to start). */
uint32_t bmqtt_crc32(uint32_t crc, const void *data, size_t len);

/* ------------------------------------------------------------------------ */
/* Retained memory                                                            */
/* ------------------------------------------------------------------------ */

/** Bytes of the region's header (layout version 1). */
#define BMQTT_RETAINED_HEADER 20u
/** Bytes of the region's record of each in-flight slot (layout version 1). */
#define BMQTT_RETAINED_RECORD 20u

/**
 * Bytes of a retained region for a client with @p inflight in-flight slots,
 * @p qos2 incoming QoS 2 ids and @p data bytes for the topics and payloads of
 * the open messages (each message takes topic + payload bytes, contiguous).
 * Retained bytes per in-flight message: BMQTT_RETAINED_RECORD + topic + payload.
 */
#define BMQTT_RETAINED_SIZE(inflight, qos2, data)                                                       \
    (BMQTT_RETAINED_HEADER + BMQTT_RETAINED_RECORD * (size_t)(inflight) + ((size_t)(qos2) * 2u + 3u) / 4u * 4u + \
     (size_t)(data))

/**
 * @brief Keep @p c's session in @p region, memory that survives a reset
 *        (ESP32 RTC_NOINIT_ATTR, STM32 backup SRAM or a .noinit section, a
 *        shared file), and adopt the session found there.
 *
 * Call it after bmqtt_client_init() and before the first connect, on every
 * start. The region replaces the outbox: published QoS 1/2 messages are
 * copied into it (do not call bmqtt_client_set_outbox() afterwards: it would
 * take the copies out of the region). It holds only
 * offsets, so it may sit at another address after the reset; it is checked
 * (magic, layout version, table and region sizes, a CRC-32 over the header
 * and over each message), and whatever does not check is never resent: the
 * region is then formatted and the session starts empty.
 *
 * @param region 4-byte aligned, BMQTT_RETAINED_SIZE(inflight_count, qos2_count, data) bytes
 *        for the client's tables and at least one data byte.
 * @return BMQTT_OK: adopted (bmqtt_client_inflight() says how many messages
 *         will be resent); BMQTT_ERR_NO_SESSION, BMQTT_ERR_IMAGE_VERSION,
 *         BMQTT_ERR_IMAGE_SIZES, BMQTT_ERR_IMAGE_CHECK, BMQTT_ERR_IMAGE_TRUNCATED,
 *         BMQTT_ERR_IMAGE_RECORD: nothing adopted, the region is formatted and
 *         in use (the client works on; only the old state was dropped);
 *         BMQTT_ERR_PARAM (NULL, misaligned, too small: nothing done);
 *         BMQTT_ERR_BUSY (not right after init: a session, a message or an outbox exists).
 */
bmqtt_status_t bmqtt_client_resume(bmqtt_client_t *c, void *region, size_t size);

/* ------------------------------------------------------------------------ */
/* A store: flash, a file system, NVS                                         */
/* ------------------------------------------------------------------------ */

/**
 * Keys and values the application keeps for the client, in a store that
 * survives power loss. Each put replaces one key's value atomically: after a
 * reset the key holds the old value or the new one, never a mix (littlefs: a
 * file per key, written whole and closed; ESP-IDF or Zephyr NVS: one entry per
 * key; bare-metal NOR flash: bmqtt_nor_log_t, nor_log.h).
 * Keys are 1..65534; values are at most 20 + topic + payload bytes.
 */
typedef struct bmqtt_store {
    /** Replace @p key's value with @p head_len bytes of @p head followed by @p body_len bytes
     *  of @p body (both 0: delete the key). BMQTT_OK once durable. */
    bmqtt_status_t (*put)(void *ctx, uint16_t key, const void *head, size_t head_len, const void *body,
                          size_t body_len);
    /** Read @p key: BMQTT_OK with *len its length (0: absent; more than @p size: @p buf holds
     *  the first @p size bytes). */
    bmqtt_status_t (*get)(void *ctx, uint16_t key, void *buf, size_t size, size_t *len);
    void *ctx; /**< Passed to put and get. */
} bmqtt_store_t;

/** Store key of the session's header (magic, layout version, table sizes, CRC-32). */
#define BMQTT_STORE_KEY_HEADER 1u
/** Store key of the incoming QoS 2 ids. */
#define BMQTT_STORE_KEY_QOS2 2u
/** Store key of in-flight slot @p i. */
#define BMQTT_STORE_KEY_SLOT(i) (0x100u + (unsigned)(i))

/**
 * @brief Keep @p c's session in @p store and adopt the session found there.
 *
 * Call it after bmqtt_client_init() and bmqtt_client_set_outbox() (the copies
 * of the open messages live in the outbox in RAM; the store holds one record
 * per open message: 20 + topic + payload bytes, rewritten as 20 bytes after
 * PUBREC, deleted at the end), before the first connect. From then on every
 * change is put to the store before the client acts on it; a publish whose
 * record cannot be put fails with BMQTT_ERR_STORE.
 * @return as bmqtt_client_resume() (the store is then rewritten empty), plus
 *         BMQTT_ERR_STORE (the store failed; nothing adopted, not in use) and
 *         BMQTT_ERR_INFLIGHT_FULL (the outbox cannot hold the saved messages).
 */
bmqtt_status_t bmqtt_client_resume_store(bmqtt_client_t *c, const bmqtt_store_t *store);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_PERSIST_H */
