/* What the two forms of session persistence share (persist.h): the record of
 * one open message, its check, and adopting it into an in-flight slot. */
#ifndef BMQTT_PERSIST_INTERNAL_H
#define BMQTT_PERSIST_INTERNAL_H

#include <stdint.h>

#include "bmqtt/persist.h"

/* One open message: in the retained region's record table (its topic and
 * payload at off in the data area), or a store value (followed by them).
 * 20 bytes, no padding; every field but state is fixed once written. */
typedef struct persist_rec {
    uint32_t off;         /* retained: where topic + payload start in the data area; store: 0 */
    uint32_t payload_len;
    uint32_t check;       /* CRC-32 of this record (check and state as 0) and its topic + payload */
    uint16_t topic_len;   /* 0 only after PUBREC, where only the id matters */
    uint16_t id, seq;
    uint8_t qos;          /* QoS | retain << 2 */
    uint8_t state;        /* 0 free, REC_ACK (PUBACK or PUBREC awaited), REC_COMP (PUBCOMP awaited) */
} persist_rec_t;

#define REC_ACK 1u
#define REC_COMP 2u

/* A store that must not reorder the commit after the writes it commits: the
 * compiler may move plain stores, never across this (a reset is between two
 * instructions, so program order on one core is all that matters). */
#if defined(__GNUC__) || defined(__clang__)
#define PERSIST_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define PERSIST_BARRIER() ((void)0) /* the volatile commit stores still keep their order */
#endif

uint32_t persist_check(const persist_rec_t *r, const uint8_t *data);
/* Fill the record of slot @p s (id, seq, lengths; off 0); *data is its topic + payload, or NULL. */
void persist_fill(persist_rec_t *r, const bmqtt_inflight_t *s);
/* Adopt @p r (topic + payload at @p data) into slot @p i: BMQTT_OK or BMQTT_ERR_IMAGE_RECORD/CHECK. */
bmqtt_status_t persist_adopt(bmqtt_client_t *c, uint16_t i, const persist_rec_t *r, const uint8_t *data);
/* After adopting: the next seq and packet id follow the newest message. */
void persist_finish(bmqtt_client_t *c);
void persist_names(void);

#endif
